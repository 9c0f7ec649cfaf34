package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"time"

	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/polls"
	"asamblea/store"
)

// pollRoutes lists the routes of elections of representatives (package
// elections): calling them, candidacies, stations and tally sheets,
// ballots and receipts, results and recalls.
//
// They live under /polls, since /elections is the delegate elections'. A
// candidacy, a polling station, a candidate and a recall have their own
// prefixes (/poll-stations/{id}…): under /polls/ they would clash with
// the routes of an election.
//
// What a visitor may read is decided by the store from the election's
// scope, so the reading routes are open to anyone: a public election is
// anyone's to follow, a body's internal election answers 404 to outsiders.
func (a *API) pollRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	pub, in := httpauth.Public, httpauth.SignedIn
	return []httpauth.Route{
		rt("GET", "/polls", pub, a.publicPolls),
		rt("GET", "/bodies/{id}/polls", pub, a.pollsOf),
		rt("POST", "/bodies/{id}/polls", in, a.callPoll),
		rt("GET", "/polls/{id}", pub, a.getPoll),
		rt("PUT", "/polls/{id}/calendar", in, a.setPollCalendar),
		rt("POST", "/polls/{id}/advance", in, a.advancePoll),
		rt("POST", "/polls/{id}/candidacies", in, a.registerCandidacy),
		rt("DELETE", "/poll-candidacies/{id}", in, a.withdrawCandidacy),
		rt("POST", "/polls/{id}/stations", in, a.addStations),
		rt("GET", "/polls/{id}/stations", pub, a.pollStations),
		rt("GET", "/poll-stations/{id}", pub, a.pollStation),
		rt("POST", "/poll-stations/{id}/sheets", in, a.enterSheet),
		rt("POST", "/poll-stations/{id}/annulment", in, a.annulSheet),
		rt("GET", "/polls/{id}/areas", pub, a.pollAreas),
		rt("POST", "/polls/{id}/ballots", in, a.castPollBallot),
		rt("GET", "/polls/{id}/receipts", pub, a.pollReceipts),
		rt("POST", "/polls/{id}/results", in, a.publishPollResults),
		rt("GET", "/polls/{id}/results", pub, a.pollResults),
		rt("GET", "/polls/{id}/results/{version}/inputs", pub, a.pollResultInputs),
		rt("GET", "/polls/{id}/representatives", pub, a.pollRepresentatives),
		rt("POST", "/poll-candidates/{id}/recalls", in, a.openPollRecall),
		rt("GET", "/poll-recalls/{id}", pub, a.getPollRecall),
		rt("POST", "/poll-recalls/{id}/signatures", in, a.signPollRecall),
		rt("POST", "/poll-recalls/{id}/votes", in, a.voteInPollRecall),
		rt("POST", "/poll-recalls/{id}/close", in, a.closePollRecall),
	}
}

// pollPath is an election's path in the API.
func pollPath(id int64) string { return Prefix + "/polls/" + strconv.FormatInt(id, 10) }

// publicPolls lists public elections, newest first.
func (a *API) publicPolls(w http.ResponseWriter, r *http.Request) {
	list, err := a.db.PublicPolls(r.Context())
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"polls": nonNil(list)})
}

// pollsOf lists the elections a body organises that the caller may see:
// its members see the internal ones too.
func (a *API) pollsOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.BodyPolls(r.Context(), actor(r), body)
		return map[string]any{"polls": nonNil(list)}, err
	})
}

// calendarInput reads a calendar's dates in RFC 3339; a date that does not
// parse is refused with its field named, an absent one is the zero time.
type calendarInput struct {
	RegistrationCloses json.RawMessage `json:"registration_closes"`
	VotingOpens        json.RawMessage `json:"voting_opens"`
	VotingCloses       json.RawMessage `json:"voting_closes"`
	PublishBy          json.RawMessage `json:"publish_by"`
}

func (in calendarInput) calendar() (polls.Calendar, error) {
	var c polls.Calendar
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		to   *time.Time
	}{
		{"registration_closes", in.RegistrationCloses, &c.RegistrationCloses},
		{"voting_opens", in.VotingOpens, &c.VotingOpens},
		{"voting_closes", in.VotingCloses, &c.VotingCloses},
		{"publish_by", in.PublishBy, &c.PublishBy},
	} {
		t, err := jsonTime(f.name, f.raw)
		if err != nil {
			return c, err
		}
		*f.to = t
	}
	return c, nil
}

// callPoll calls an election organised by a body (its facilitators).
func (a *API) callPoll(w http.ResponseWriter, r *http.Request) {
	var in struct {
		polls.Input
		// These shadow the calendar's own, so that a bad date names its field.
		calendarInput
	}
	if !a.input(w, r, &in) {
		return
	}
	c, err := in.calendar()
	if err != nil {
		a.Error(w, r, err)
		return
	}
	in.Input.Calendar = c
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		e, err := a.db.CallPoll(r.Context(), actor(r), body, in.Input)
		if err == nil {
			w.Header().Set("Location", pollPath(e.ID))
		}
		return e, err
	})
}

// pollPage is an election's page: the election, its candidacies (those on
// the ballot by number, then the withdrawn), the count so far on paper,
// the latest result, its recalls and what the caller may do.
type pollPage struct {
	Poll        polls.Poll        `json:"poll"`
	Candidacies []polls.Candidacy `json:"candidacies"`
	National    *polls.Area       `json:"national,omitempty"`
	Departments []polls.Area      `json:"departments,omitempty"`
	Result      *resultSummary    `json:"result,omitempty"`
	Versions    int               `json:"versions"`
	Recalls     []polls.Recall    `json:"recalls"`
	Viewer      pollViewer        `json:"viewer"`
}

// pollViewer is what the caller may do in an election.
type pollViewer struct {
	Manage      bool `json:"manage"`       // organises it: calendar, stations, annulments, publication, closing recalls
	Enter       bool `json:"enter"`        // enters tally sheets
	Register    bool `json:"register"`     // may register a candidacy now
	CanVote     bool `json:"can_vote"`     // may vote online now
	Voted       bool `json:"voted"`        // has voted online
	TakePart    bool `json:"take_part"`    // may open and sign recall petitions
	RecallVoter bool `json:"recall_voter"` // votes in recalls online
}

// resultSummary is a published result without its rounds.
type resultSummary struct {
	Version     int            `json:"version"`
	Reason      string         `json:"reason,omitempty"`
	PublishedBy int64          `json:"published_by"`
	PublishedAt time.Time      `json:"published_at"`
	SHA256      string         `json:"sha256"`
	Method      string         `json:"method"`
	SeatCount   int            `json:"seat_count"`
	ValidVotes  json.Number    `json:"valid_votes"`
	Seats       map[string]int `json:"seats,omitempty"`
	Elected     []string       `json:"elected,omitempty"`
	Inputs      string         `json:"inputs"`
}

// pollResult is a published result with where to download its inputs.
type pollResult struct {
	store.Result
	InputsURL string `json:"inputs"`
}

func inputsPath(id int64, version int) string {
	return pollPath(id) + "/results/" + strconv.Itoa(version) + "/inputs"
}

// getPoll answers with an election's page.
func (a *API) getPoll(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		p, err := a.db.PollPage(r.Context(), actor(r), id)
		if err != nil {
			return nil, err
		}
		out := pollPage{
			Poll:        p.Poll,
			Candidacies: ballotOrder(p.Candidacies),
			Versions:    p.Versions,
			Recalls:     nonNil(p.Recalls),
			Viewer: pollViewer{Manage: p.Manage, Enter: p.Enter, Register: p.Register, CanVote: p.CanVote, Voted: p.Voted,
				TakePart: p.TakePart, RecallVoter: p.RecallVoter},
		}
		if p.Poll.Scope.Paper() {
			nat := p.National
			a.nameArea(&nat)
			out.National = &nat
			out.Departments = nonNil(p.Departments)
			for i := range out.Departments {
				a.nameArea(&out.Departments[i])
			}
			// The votes so far, by ballot number (the store's page may
			// shift them when a candidacy was withdrawn).
			k := 0
			for i := range out.Candidacies {
				c := &out.Candidacies[i]
				c.Votes = 0
				if c.Status == polls.Registered {
					if k < len(nat.Sheet.Votes) {
						c.Votes = nat.Sheet.Votes[k]
					}
					k++
				}
			}
		}
		if res := p.Result; res != nil && res.Report != nil {
			out.Result = &resultSummary{Version: res.Version, Reason: res.Reason, PublishedBy: res.PublishedBy, PublishedAt: res.PublishedAt,
				SHA256: res.SHA256, Method: res.Report.Method, SeatCount: res.Report.SeatCount, ValidVotes: res.Report.ValidVotes,
				Seats: res.Report.Seats, Elected: res.Report.Elected, Inputs: inputsPath(id, res.Version)}
		}
		return out, nil
	})
}

// ballotOrder puts the candidacies on the ballot first, by number, then
// the withdrawn ones.
func ballotOrder(cs []polls.Candidacy) []polls.Candidacy {
	cs = nonNil(cs)
	slices.SortStableFunc(cs, func(x, y polls.Candidacy) int {
		xw, yw := x.Status != polls.Registered, y.Status != polls.Registered
		switch {
		case xw != yw && xw:
			return 1
		case xw != yw:
			return -1
		case xw:
			return 0
		}
		return cmp.Compare(x.Number, y.Number)
	})
	for i := range cs {
		cs[i].Candidates = nonNil(cs[i].Candidates)
	}
	return cs
}

// nameArea names an area from the places table: the country, a
// department, a district.
func (a *API) nameArea(ar *polls.Area) {
	switch len(ar.Code) {
	case 0:
		ar.Name = "Perú"
	case 2:
		if p, ok := a.places.Lookup(ar.Code + "0000"); ok {
			ar.Name = p.Name
		}
	default:
		if p, ok := a.places.Lookup(ar.Code); ok {
			ar.Name = p.Name
		}
	}
	if ar.Sheet.Votes == nil {
		ar.Sheet.Votes = []int64{}
	}
}

// setPollCalendar moves an election's dates still to come (its
// organisers); an absent date stays as it was.
func (a *API) setPollCalendar(w http.ResponseWriter, r *http.Request) {
	var in calendarInput
	if !a.input(w, r, &in) {
		return
	}
	c, err := in.calendar()
	if err != nil {
		a.Error(w, r, err)
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		e, err := a.db.SetCalendar(r.Context(), actor(r), id, c)
		return e, err
	})
}

// advancePoll ends the election's current phase now: registration
// closes, the vote opens, or the vote closes.
func (a *API) advancePoll(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		e, err := a.db.Advance(r.Context(), actor(r), id)
		return e, err
	})
}

// registerCandidacy registers a list, or a single candidate, while
// registration is open.
func (a *API) registerCandidacy(w http.ResponseWriter, r *http.Request) {
	var in polls.CandidacyInput
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		c, err := a.db.RegisterCandidacy(r.Context(), actor(r), id, in)
		c.Candidates = nonNil(c.Candidates)
		return c, err
	})
}

// withdrawCandidacy takes a candidacy off the ballot while registration is
// open (whoever registered it, or the organisers).
func (a *API) withdrawCandidacy(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		return nil, a.db.WithdrawCandidacy(r.Context(), actor(r), id)
	})
}

// stationsBodyMax bounds the body declaring stations: 5000 stations of
// some sixty bytes each, with room to spare.
const stationsBodyMax = 1 << 20

// addStations declares polling stations, up to 5000 in a call: all of
// them or, when one is refused, none.
func (a *API) addStations(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Stations []polls.StationInput `json:"stations"`
	}
	if !a.inputMax(w, r, &in, stationsBodyMax) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		n, err := a.db.AddStations(r.Context(), actor(r), id, in.Stations, a.places.Valid)
		return map[string]int{"added": n}, err
	})
}

// stationStatus reads ?status= of a list of stations: a station status, or
// "flagged" for both kinds of flag.
func stationStatus(s string) (string, error) {
	if s == "" || s == "flagged" || slices.Contains(polls.StationStatuses, s) {
		return s, nil
	}
	return "", errs.Field("status", "voting.choice.unknown", s)
}

// areaCode reads a department (two digits, or its six-digit code) or a
// district from the query string.
func (a *API) areaCode(name, s string) (string, error) {
	switch {
	case s == "":
		return "", nil
	case len(s) == 2 && a.places.Valid(s+"0000"):
		return s, nil
	case len(s) == 6 && s[2:] == "0000" && a.places.Valid(s):
		return s[:2], nil
	case len(s) == 6 && a.places.Valid(s):
		return s, nil
	}
	return "", errs.Field(name, "body.place.unknown", s)
}

// pollStations lists an election's stations by code with where their
// sheets stand, a page at a time: ?contest= (a recall), ?place= (a
// department or a district), ?status=, ?after= (the last code of the
// previous page), ?limit= (1 to 500, 100 by default).
func (a *API) pollStations(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		q := r.URL.Query()
		var f store.StationFilter
		var err error
		if f.Contest, err = queryNumber(r, "contest", 0, math.MaxInt64); err != nil {
			return nil, err
		}
		if f.Place, err = a.areaCode("place", q.Get("place")); err != nil {
			return nil, err
		}
		if f.Status, err = stationStatus(q.Get("status")); err != nil {
			return nil, err
		}
		limit, err := queryNumber(r, "limit", 1, 500)
		if err != nil {
			return nil, err
		}
		f.Limit, f.After = int(limit), q.Get("after")
		if f.Limit == 0 {
			f.Limit = 100
		}
		ss, err := a.db.Stations(r.Context(), actor(r), id, f)
		out := map[string]any{"stations": nonNil(ss)}
		if len(ss) == f.Limit {
			out["next_after"] = ss[len(ss)-1].Code
		}
		return out, err
	})
}

// pollStation answers with a station's sheet in a contest (?contest=, 0
// the election); those who enter sheets also see each entry.
func (a *API) pollStation(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		contest, err := queryNumber(r, "contest", 0, math.MaxInt64)
		if err != nil {
			return nil, err
		}
		s, _, err := a.db.Station(r.Context(), actor(r), id, contest)
		return s, err
	})
}

// enterSheet enters a station's tally sheet, once per person: the second
// entry by someone else settles it when both agree.
func (a *API) enterSheet(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Contest int64 `json:"contest"`
		polls.Sheet
	}
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		s, err := a.db.EnterSheet(r.Context(), actor(r), id, in.Contest, in.Sheet)
		return s, err
	})
}

// annulSheet annuls a station's sheet with a reason, for all to see (the
// organisers).
func (a *API) annulSheet(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Contest int64  `json:"contest"`
		Reason  string `json:"reason"`
	}
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		if err := a.db.AnnulSheet(r.Context(), actor(r), id, in.Contest, in.Reason); err != nil {
			return nil, err
		}
		s, _, err := a.db.Station(r.Context(), actor(r), id, in.Contest)
		return s, err
	})
}

// pollAreas answers with the count of a contest (?contest=, 0 the
// election) by department, or with ?parent= by district of a department:
// the parent's total and its areas, named.
func (a *API) pollAreas(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		contest, err := queryNumber(r, "contest", 0, math.MaxInt64)
		if err != nil {
			return nil, err
		}
		parent, err := a.areaCode("parent", r.URL.Query().Get("parent"))
		if err != nil {
			return nil, err
		}
		if len(parent) == 6 {
			return nil, errs.Field("parent", "action.department.unknown")
		}
		total, as, err := a.db.Areas(r.Context(), actor(r), id, contest, parent)
		if err != nil {
			return nil, err
		}
		a.nameArea(&total)
		as = nonNil(as)
		for i := range as {
			a.nameArea(&as[i])
		}
		return map[string]any{"total": total, "areas": as}, nil
	})
}

// castPollBallot casts an online ballot, once, and answers with the
// voter's receipt code.
func (a *API) castPollBallot(w http.ResponseWriter, r *http.Request) {
	var in polls.Ballot
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		code, err := a.db.CastPollBallot(r.Context(), actor(r), id, in)
		return map[string]string{"receipt": code}, err
	})
}

// receiptsMax bounds the receipt codes one request lists.
const receiptsMax = 2000

// pollReceipts lists an election's receipt codes in order, a page at a
// time (?after=, ?limit= 1 to 2000, 500 by default); ?code= looks up one
// code as a voter types it, and found tells whether it is there.
func (a *API) pollReceipts(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		q := r.URL.Query()
		limit, err := queryNumber(r, "limit", 1, receiptsMax)
		if err != nil {
			return nil, err
		}
		if limit == 0 {
			limit = 500
		}
		if raw, ok := q["code"]; ok && len(raw) > 0 {
			code := polls.CleanReceipt(raw[0])
			var cs []string
			if code != "" {
				if cs, err = a.db.Receipts(r.Context(), actor(r), id, "", code, 1); err != nil {
					return nil, err
				}
			} else if _, err = a.db.Receipts(r.Context(), actor(r), id, "", "", 1); err != nil {
				// A code that cannot be one is not there, in an election the
				// caller may see.
				return nil, err
			}
			return map[string]any{"receipts": nonNil(cs), "found": len(cs) > 0}, nil
		}
		after := q.Get("after")
		if c := polls.CleanReceipt(after); c != "" {
			after = c
		}
		cs, err := a.db.Receipts(r.Context(), actor(r), id, after, "", int(limit))
		out := map[string]any{"receipts": nonNil(cs)}
		if len(cs) == int(limit) {
			out["next_after"] = cs[len(cs)-1]
		}
		return out, err
	})
}

// publishPollResults counts the election and publishes the result (its
// organisers); publishing again is a correction and needs a reason. The
// body, {"reason": …}, may be left out the first time.
func (a *API) publishPollResults(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if r.ContentLength == 0 {
		if !a.csrf(w, r) {
			return
		}
	} else if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		res, err := a.db.PublishResults(r.Context(), actor(r), id, in.Reason)
		if err != nil {
			return nil, err
		}
		w.Header().Set("Location", inputsPath(id, res.Version))
		return pollResult{Result: res, InputsURL: inputsPath(id, res.Version)}, nil
	})
}

// pollResults lists every published version of an election's results,
// newest first, with their reports.
func (a *API) pollResults(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		rs, err := a.db.Results(r.Context(), actor(r), id, 0)
		out := make([]pollResult, len(rs))
		for i, res := range rs {
			out[i] = pollResult{Result: res, InputsURL: inputsPath(id, res.Version)}
		}
		return map[string]any{"results": out}, err
	})
}

// pollResultInputs serves the inputs a published result was counted from,
// which `asamblea tally` re-counts: the list votes as CSV, or the ranked
// ballots in BLT.
func (a *API) pollResultInputs(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	version, err := pathID(r, "version")
	if err != nil || version > math.MaxInt32 {
		a.Error(w, r, errs.New(errs.NotFound, "poll.result.not_found"))
		return
	}
	rs, err := a.db.Results(r.Context(), actor(r), id, int(version))
	if err != nil {
		a.Error(w, r, err)
		return
	}
	res := rs[0]
	ctype, ext := "text/plain; charset=utf-8", "blt"
	if res.Report != nil && polls.IsListMethod(res.Report.Method) {
		ctype, ext = "text/csv; charset=utf-8", "csv"
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="poll-%d-v%d.%s"`, id, version, ext))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, res.Inputs)
}

// pollRepresentatives lists, by list, those an election seated and those
// recalled; a replacement names whom they replace.
func (a *API) pollRepresentatives(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		cs, err := a.db.Representatives(r.Context(), actor(r), id)
		if err != nil {
			return nil, err
		}
		var out []polls.Candidacy
		for _, c := range ballotOrder(cs) {
			var seated []polls.Candidate
			for _, p := range c.Candidates {
				if p.Status != polls.Standing {
					seated = append(seated, p)
				}
			}
			if len(seated) > 0 {
				c.Candidates = seated
				out = append(out, c)
			}
		}
		return map[string]any{"candidacies": nonNil(out)}, nil
	})
}

// openPollRecall opens a petition to recall a representative, signed by
// whoever opens it.
func (a *API) openPollRecall(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(candidate int64) (any, error) {
		rc, err := a.db.OpenPetition(r.Context(), actor(r), candidate, in.Reason)
		if err == nil {
			w.Header().Set("Location", Prefix+"/poll-recalls/"+strconv.FormatInt(rc.ID, 10))
		}
		return rc, err
	})
}

// recallPage is a recall with its election and what the caller may do.
type recallPage struct {
	Recall polls.Recall `json:"recall"`
	Poll   polls.Poll   `json:"poll"`
	Viewer struct {
		Signed  bool `json:"signed"`
		CanSign bool `json:"can_sign"`
		CanVote bool `json:"can_vote"` // online
		Voted   bool `json:"voted"`
		Manage  bool `json:"manage"`
		Enter   bool `json:"enter"` // paper: enters the recall's sheets
	} `json:"viewer"`
}

// getPollRecall answers with a recall's page.
func (a *API) getPollRecall(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		p, err := a.db.PollRecallPage(r.Context(), actor(r), id)
		if err != nil {
			return nil, err
		}
		out := recallPage{Recall: p.Recall, Poll: p.Poll}
		v := &out.Viewer
		v.Signed, v.CanSign, v.CanVote, v.Voted, v.Manage, v.Enter = p.Signed, p.CanSign, p.CanVote, p.Voted, p.Manage, p.Enter
		return out, nil
	})
}

// signPollRecall signs a recall petition, once; the signature that
// reaches the share needed opens the vote.
func (a *API) signPollRecall(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		rc, err := a.db.SignPollRecall(r.Context(), actor(r), id)
		return rc, err
	})
}

// voteInPollRecall votes online in a recall, once: {"yes": true} to
// recall the representative, false to keep them.
func (a *API) voteInPollRecall(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Yes *bool `json:"yes"`
	}
	if !a.input(w, r, &in) {
		return
	}
	if in.Yes == nil {
		a.Error(w, r, errs.Field("yes", "error.required"))
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		return nil, a.db.VotePollRecall(r.Context(), actor(r), id, *in.Yes)
	})
}

// closePollRecall closes a recall vote and applies it (the organisers).
func (a *API) closePollRecall(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		rc, err := a.db.ClosePollRecall(r.Context(), actor(r), id)
		return rc, err
	})
}
