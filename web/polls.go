package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/motions"
	"asamblea/places"
	"asamblea/polls"
	"asamblea/store"
	"asamblea/tally"
)

// pollRoutes lists the pages of elections of representatives: a
// constituent assembly in one national district, or a body's or an
// assembly's own, with lists, ballots, tally sheets, results and recalls.
// (Delegate elections of #4 live under /elections; these under /polls.)
// The counting pages answer /polls/{kind}/{id}, which every literal
// /polls/{id}/… here is more specific than.
func (s *Server) pollRoutes() []httpauth.Route {
	pub, in := httpauth.Public, httpauth.SignedIn
	return []httpauth.Route{
		{Method: "GET", Pattern: "/polls", Access: pub, Handler: s.publicPolls},
		{Method: "GET", Pattern: "/bodies/{id}/polls", Access: pub, Handler: s.bodyPolls},
		{Method: "GET", Pattern: "/bodies/{id}/polls/new", Access: in, Handler: s.newPoll},
		{Method: "POST", Pattern: "/bodies/{id}/polls", Access: in, Handler: s.callPoll},
		{Method: "GET", Pattern: "/polls/{id}", Access: pub, Handler: s.pollPage},
		{Method: "POST", Pattern: "/polls/{id}/advance", Access: in, Handler: s.advancePoll},
		{Method: "GET", Pattern: "/polls/{id}/candidacies/new", Access: in, Handler: s.newCandidacy},
		{Method: "POST", Pattern: "/polls/{id}/candidacies", Access: in, Handler: s.registerCandidacy},
		{Method: "POST", Pattern: "/polls/candidacies/{id}/withdraw", Access: in, Handler: s.withdrawCandidacy},
		{Method: "POST", Pattern: "/polls/{id}/ballot", Access: in, Handler: s.castPollBallot},
		{Method: "GET", Pattern: "/polls/{id}/receipts", Access: pub, Handler: s.pollReceipts},
		{Method: "POST", Pattern: "/polls/{id}/publish", Access: in, Handler: s.publishPoll},
		{Method: "GET", Pattern: "/polls/{id}/results", Access: pub, Handler: s.pollResults},
		{Method: "GET", Pattern: "/polls/{id}/results/{version}/inputs", Access: pub, Handler: s.resultInputs},
		{Method: "GET", Pattern: "/polls/{id}/results/{version}/report.json", Access: pub, Handler: s.resultReport},
		{Method: "POST", Pattern: "/polls/candidates/{id}/recall", Access: in, Handler: s.openPollRecall},
	}
}

// Limits of the pages: candidate rows the registration form offers at
// first and adds at a time, candidates a list shows before "more",
// receipt codes per page.
const (
	pollRowsFirst   = 60
	pollRowsMore    = 20
	pollListShown   = 10
	pollReceiptPage = 300
)

func pollPath(id int64) string { return "/polls/" + strconv.FormatInt(id, 10) }

// --- lists of elections ---

type pollListData struct {
	Body    bodies.Body // zero on the public list
	Polls   []polls.Poll
	CanCall bool
}

// publicPolls lists the public elections, newest first.
func (s *Server) publicPolls(w http.ResponseWriter, r *http.Request) {
	es, err := s.db.PublicPolls(r.Context())
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "polls", s.page(r, "polls.public.title", pollListData{Polls: es}))
}

// bodyPolls lists the elections a body organises.
func (s *Server) bodyPolls(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	var d pollListData
	var role bodies.Role
	d.Body, role, err = s.db.Body(r.Context(), viewer, id)
	if err == nil {
		d.Polls, err = s.db.BodyPolls(r.Context(), viewer, id)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	d.CanCall = role == bodies.Facilitator
	p := s.page(r, "", d)
	p.Title = p.L.T("polls.of", d.Body.Name)
	s.render(w, r, http.StatusOK, "polls", p)
}

// --- calling an election ---

type pollFormData struct {
	Body    bodies.Body
	Scopes  []polls.Scope
	Methods []string
}

// pollFormBody loads the body whose facilitators call elections.
func (s *Server) pollFormBody(r *http.Request) (bodies.Body, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return bodies.Body{}, err
	}
	b, role, err := s.db.Body(r.Context(), httpauth.From(r).UserID(), id)
	if err == nil && role != bodies.Facilitator {
		err = errs.New(errs.Forbidden, "error.forbidden")
	}
	return b, err
}

func (s *Server) pollForm(r *http.Request, b bodies.Body, f url.Values) *Page {
	p := s.page(r, "polls.new.title", pollFormData{Body: b, Scopes: polls.Scopes, Methods: polls.Methods})
	p.Form = f
	return p
}

// newPoll is the form that calls an election, with a calendar to start
// from: registration for a week, a week of campaign, a day of voting.
func (s *Server) newPoll(w http.ResponseWriter, r *http.Request) {
	b, err := s.pollFormBody(r)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	day := time.Now().In(store.Lima).Truncate(time.Hour).Add(time.Hour)
	f := url.Values{"scope": {string(polls.BodyScope)}, "method": {string(tally.DHondt)}, "seats": {"5"}, "recall_share": {"10"},
		"registration_closes": {day.AddDate(0, 0, 7).Format(datetimeLocal)}, "voting_opens": {day.AddDate(0, 0, 14).Format(datetimeLocal)},
		"voting_closes": {day.AddDate(0, 0, 15).Format(datetimeLocal)}, "publish_by": {day.AddDate(0, 0, 18).Format(datetimeLocal)}}
	if b.Kind == bodies.Assembly {
		f.Set("scope", string(polls.AssemblyScope))
	}
	s.render(w, r, http.StatusOK, "poll_form", s.pollForm(r, b, f))
}

// callPoll calls an election; bad input shows the form again with all
// that was written and the error beside its field.
func (s *Server) callPoll(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	b, err := s.pollFormBody(r)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	in, err := readPollForm(r.PostForm)
	var e polls.Poll
	if err == nil {
		e, err = s.db.CallPoll(r.Context(), httpauth.From(r).UserID(), b.ID, in)
	}
	if err != nil {
		shown := url.Values{}
		for _, k := range []string{"title", "description", "scope", "seats", "method", "threshold", "parity", "recall_share",
			"registration_closes", "voting_opens", "voting_closes", "publish_by"} {
			if v := r.PostForm.Get(k); v != "" {
				shown.Set(k, v)
			}
		}
		s.fail(w, r, err, "poll_form", s.pollForm(r, b, shown))
		return
	}
	redirect(w, r, pollPath(e.ID)+"?done=polls_called")
}

// readPollForm reads the call form; its own errors are about what it
// cannot read (a number, a date), the rest the service checks.
func readPollForm(f url.Values) (polls.Input, error) {
	in := polls.Input{Title: f.Get("title"), Description: f.Get("description"), Scope: polls.Scope(f.Get("scope")),
		Method: f.Get("method"), Threshold: f.Get("threshold"), Parity: f.Get("parity") != "", RecallShare: f.Get("recall_share")}
	n, err := strconv.Atoi(strings.TrimSpace(f.Get("seats")))
	if err != nil {
		return in, errs.Field("seats", "poll.seats.range", polls.SeatsMax)
	}
	in.Seats = n
	for _, d := range []struct {
		name string
		to   *time.Time
	}{{"registration_closes", &in.RegistrationCloses}, {"voting_opens", &in.VotingOpens}, {"voting_closes", &in.VotingCloses}, {"publish_by", &in.PublishBy}} {
		t, err := limaTime(f, d.name, datetimeLocal)
		if err != nil {
			return in, err
		}
		if t != nil {
			*d.to = *t
		}
	}
	return in, nil
}

// --- an election's page ---

type pollData struct {
	store.PollPage
	Text      template.HTML
	Lists     bool // seats go to lists (otherwise to single candidates)
	Paper     bool // counted from tally sheets
	Steps     []pollStep
	Advance   string // the advance button's label, "" when there is none
	Rows      []pollListRow
	Withdrawn []polls.Candidacy
	Ballot    []polls.Candidacy // what the ballot offers, in order
	Viewer    int64
	// Paper count so far.
	Progress    string
	Blank, Null int64
	Depts       []pollDeptRow
	Map         template.HTML
	// Published.
	Seats   []pollSeatRow
	Reps    []pollRepRow
	Elected []string // candidate methods: in order of election
}

// pollStep is one phase of the calendar.
type pollStep struct {
	Phase   polls.Phase
	When    string
	Current bool
	Past    bool
}

// pollListRow is a candidacy with the candidates the page shows.
type pollListRow struct {
	polls.Candidacy
	Shown       []pollCandidate
	More        int
	CanWithdraw bool
}

// pollCandidate is a candidate with who replaced them, or whom they
// replaced.
type pollCandidate struct {
	polls.Candidate
	ReplacedBy string
	Replaces   string
}

type pollDeptRow struct {
	Code, Name        string
	Counted, Stations int
	Flagged           int
	Progress          string
	Leader            string
}

type pollSeatRow struct {
	Name   string
	Votes  int64
	Share  string
	Seats  int
	Seated []tally.ListCandidate
	Below  bool // under the threshold
}

type pollRepRow struct {
	pollCandidate
	List       string
	Recallable bool
}

// permille writes a share in per mille as a percentage with one decimal.
func permille(n int) string { return fmt.Sprintf("%d.%d", n/10, n%10) }

// pollView builds an election's page; list names one candidacy to show
// in full.
func (s *Server) pollView(r *http.Request, id, list int64) (*Page, *pollData, error) {
	viewer := httpauth.From(r).UserID()
	ep, err := s.db.PollPage(r.Context(), viewer, id)
	if err != nil {
		return nil, nil, err
	}
	p := s.page(r, "", nil)
	e := ep.Poll
	d := &pollData{PollPage: ep, Text: motions.Format(e.Description), Lists: e.Lists(), Paper: e.Scope.Paper(), Viewer: viewer}
	d.Steps = pollSteps(p.L, e)
	if ep.Manage {
		d.Advance = map[polls.Phase]string{polls.Registration: "polls.advance.registration",
			polls.Campaign: "polls.advance.campaign", polls.Voting: "polls.advance.voting"}[e.Phase]
	}
	names := map[int64]string{}
	for _, c := range ep.Candidacies {
		for _, x := range c.Candidates {
			names[x.ID] = x.Name
		}
	}
	replacedBy := map[int64]string{}
	for _, c := range ep.Candidacies {
		for _, x := range c.Candidates {
			if x.Replaces != 0 {
				replacedBy[x.Replaces] = x.Name
			}
		}
	}
	candidate := func(x polls.Candidate) pollCandidate {
		return pollCandidate{Candidate: x, ReplacedBy: replacedBy[x.ID], Replaces: names[x.Replaces]}
	}
	recalling := map[int64]bool{}
	for _, rc := range ep.Recalls {
		if rc.Status == polls.Collecting || rc.Status == polls.RecallVote {
			recalling[rc.CandidateID] = true
		}
	}
	for _, c := range ep.Candidacies {
		if c.Status != polls.Registered {
			d.Withdrawn = append(d.Withdrawn, c)
			continue
		}
		if i := len(d.Ballot); d.Paper {
			// The count so far, in ballot order.
			c.Votes = 0
			if i < len(ep.National.Sheet.Votes) {
				c.Votes = ep.National.Sheet.Votes[i]
			}
		}
		d.Ballot = append(d.Ballot, c)
		row := pollListRow{Candidacy: c, CanWithdraw: e.Phase == polls.Registration && viewer != 0 && (ep.Manage || c.RegisteredBy == viewer)}
		for j, x := range c.Candidates {
			if j < pollListShown || list == c.ID || x.Status != polls.Standing || x.Replaces != 0 {
				row.Shown = append(row.Shown, candidate(x))
			}
			if x.Status == polls.Elected || x.Status == polls.Recalled {
				d.Reps = append(d.Reps, pollRepRow{pollCandidate: candidate(x), List: polls.ListLabel(c),
					Recallable: ep.TakePart && x.Status == polls.Elected && !recalling[x.ID]})
			}
		}
		row.More = len(c.Candidates) - len(row.Shown)
		d.Rows = append(d.Rows, row)
	}
	label := func(i int) string {
		if i >= 0 && i < len(d.Ballot) {
			return polls.ListLabel(d.Ballot[i])
		}
		return p.L.T("polls.leader.none")
	}
	if d.Paper {
		d.Progress = permille(ep.National.Progress())
		d.Blank, d.Null = ep.National.Sheet.Blank, ep.National.Sheet.Null
		counts := map[string]int{}
		leaders := map[string]string{}
		for _, a := range ep.Departments {
			row := pollDeptRow{Code: a.Code, Name: a.Code, Counted: a.Counted, Stations: a.Stations, Flagged: a.Flagged,
				Progress: permille(a.Progress()), Leader: label(a.Leader)}
			if pl, ok := s.places.Lookup(a.Code + "0000"); ok {
				row.Name = pl.Name
			}
			d.Depts = append(d.Depts, row)
			counts[a.Code+"0000"] = max(a.Progress()/10, min(a.Counted, 1))
			leaders[a.Code+"0000"] = row.Leader
		}
		if len(ep.Departments) > 0 {
			d.Map = trustedSVG(s.places.DepartmentMap(places.MapOptions{
				Title:  p.L.T("polls.map", e.Title),
				Counts: counts,
				Label: func(code string, n int) string {
					pl, _ := s.places.Lookup(code)
					if l, ok := leaders[code]; ok {
						return p.L.T("polls.map.department", pl.Name, l, n)
					}
					return p.L.T("polls.map.department.none", pl.Name)
				},
			}))
		}
	}
	if ep.Result != nil && ep.Result.Report != nil {
		d.Seats, d.Elected = pollSeats(ep.Result.Report)
	}
	p.Data = d
	p.Title = e.Title
	return p, d, nil
}

// pollSeats reads the seats of a report: by list, or the candidates
// elected in order.
func pollSeats(rep *tally.Report) ([]pollSeatRow, []string) {
	var rows []pollSeatRow
	for _, l := range rep.Lists {
		share := string(l.Share)
		if f, err := strconv.ParseFloat(share, 64); err == nil {
			share = strconv.FormatFloat(f, 'f', 2, 64)
		}
		rows = append(rows, pollSeatRow{Name: l.Name, Votes: l.Votes, Share: share, Seats: l.Seats, Seated: l.Seated, Below: !l.Qualified})
	}
	return rows, rep.Elected
}

// pollSteps is the calendar in words, the current phase marked.
func pollSteps(l *i18n.Localizer, e polls.Poll) []pollStep {
	published := ""
	if e.PublishedAt != nil {
		published = l.DateTime(*e.PublishedAt)
	}
	when := map[polls.Phase]string{
		polls.Registration: l.T("polls.calendar.registration", l.DateTime(e.RegistrationCloses)),
		polls.Campaign:     l.T("polls.calendar.campaign", l.DateTime(e.VotingOpens)),
		polls.Voting:       l.T("polls.calendar.voting", l.DateTime(e.VotingOpens), l.DateTime(e.VotingCloses)),
		polls.Count:        l.T("polls.calendar.count", l.DateTime(e.PublishBy)),
		polls.Published:    published,
	}
	now := slices.Index(polls.Phases, e.Phase)
	var steps []pollStep
	for i, ph := range polls.Phases {
		steps = append(steps, pollStep{Phase: ph, When: when[ph], Current: i == now, Past: i < now})
	}
	return steps
}

// pollPage shows an election.
func (s *Server) pollPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	list, err := queryID(r, "list")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, _, err := s.pollView(r, id, list)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "poll", p)
}

// pollRefused shows the election's page again with err, and the form sent.
func (s *Server) pollRefused(w http.ResponseWriter, r *http.Request, id int64, err error) {
	p, _, perr := s.pollView(r, id, 0)
	if perr != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p.Form = r.PostForm
	s.fail(w, r, err, "poll", p)
}

// pollAct runs a form of the election's page: do returns where to go.
func (s *Server) pollAct(w http.ResponseWriter, r *http.Request, do func(actor, id int64) (string, error)) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	to, err := do(httpauth.From(r).UserID(), id)
	if err != nil {
		s.pollRefused(w, r, id, err)
		return
	}
	redirect(w, r, to)
}

// advancePoll ends the current phase now.
func (s *Server) advancePoll(w http.ResponseWriter, r *http.Request) {
	s.pollAct(w, r, func(actor, id int64) (string, error) {
		_, err := s.db.Advance(r.Context(), actor, id)
		return pollPath(id) + "?done=polls_advanced", err
	})
}

// publishPoll counts and publishes the results, or a correction.
func (s *Server) publishPoll(w http.ResponseWriter, r *http.Request) {
	s.pollAct(w, r, func(actor, id int64) (string, error) {
		_, err := s.db.PublishResults(r.Context(), actor, id, r.PostForm.Get("reason"))
		return pollPath(id) + "/results?done=polls_published", err
	})
}

// pollOrigin reads the election a form of its page came from.
func pollOrigin(f url.Values) int64 {
	n, _ := strconv.ParseInt(f.Get("poll"), 10, 64)
	return n
}

// withdrawCandidacy takes a candidacy off the ballot.
func (s *Server) withdrawCandidacy(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.db.WithdrawCandidacy(r.Context(), httpauth.From(r).UserID(), id)
	}
	poll := pollOrigin(r.PostForm)
	switch {
	case err != nil && poll != 0:
		s.pollRefused(w, r, poll, err)
	case err != nil:
		s.fail(w, r, err, "", nil)
	case poll != 0:
		redirect(w, r, pollPath(poll)+"?done=polls_withdrawn")
	default:
		redirect(w, r, "/polls?done=polls_withdrawn")
	}
}

// openPollRecall opens a petition to recall a representative.
func (s *Server) openPollRecall(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	var rc polls.Recall
	if err == nil {
		rc, err = s.db.OpenPetition(r.Context(), httpauth.From(r).UserID(), id, r.PostForm.Get("reason"))
	}
	if err != nil {
		if poll := pollOrigin(r.PostForm); poll != 0 {
			s.pollRefused(w, r, poll, err)
			return
		}
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, "/polls/recalls/"+strconv.FormatInt(rc.ID, 10)+"?done=polls_recall_opened")
}

// --- voting ---

type pollReceiptData struct {
	Poll polls.Poll
	Code string
}

// readBallot reads the ballot form: a list's number ("list", 0 for
// blank), or for candidate elections a preference number per candidacy
// ("rank-N" for candidacy N), which it orders.
func readBallot(f url.Values, lists bool, options int) (polls.Ballot, error) {
	var b polls.Ballot
	if lists {
		v := f.Get("list")
		if v == "" {
			return b, errs.Field("list", "polls.ballot.choose")
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return b, errs.Field("list", "poll.ballot.unknown")
		}
		b.List = n
		return b, nil
	}
	type pref struct{ rank, option int }
	var prefs []pref
	for n := 1; n <= options; n++ {
		v := strings.TrimSpace(f.Get("rank-" + strconv.Itoa(n)))
		if v == "" {
			continue
		}
		k, err := strconv.Atoi(v)
		if err != nil || k < 1 || k > options {
			return b, errs.Field("ranking", "polls.ballot.rank_range", options)
		}
		for _, p := range prefs {
			if p.rank == k {
				return b, errs.Field("ranking", "polls.ballot.rank_twice", k)
			}
		}
		prefs = append(prefs, pref{k, n})
	}
	slices.SortFunc(prefs, func(a, b pref) int { return a.rank - b.rank })
	for _, p := range prefs {
		b.Ranking = append(b.Ranking, p.option)
	}
	return b, nil
}

// pollFromPath loads the election named by the path's {id} as the viewer
// sees it, or renders the error and reports false.
func (s *Server) pollFromPath(w http.ResponseWriter, r *http.Request) (store.PollPage, bool) {
	id, err := pathID(r, "id")
	if err == nil {
		var ep store.PollPage
		if ep, err = s.db.PollPage(r.Context(), httpauth.From(r).UserID(), id); err == nil {
			return ep, true
		}
	}
	s.fail(w, r, err, "", nil)
	return store.PollPage{}, false
}

// castPollBallot casts an online ballot and shows the receipt code, once:
// it is not in any address, so it stays out of histories and logs.
func (s *Server) castPollBallot(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	ep, ok := s.pollFromPath(w, r)
	if !ok {
		return
	}
	id, actor := ep.Poll.ID, httpauth.From(r).UserID()
	options := 0
	for _, c := range ep.Candidacies {
		if c.Status == polls.Registered {
			options++
		}
	}
	b, err := readBallot(r.PostForm, ep.Poll.Lists(), options)
	var code string
	if err == nil {
		code, err = s.db.CastPollBallot(r.Context(), actor, id, b)
	}
	if err != nil {
		s.pollRefused(w, r, id, err)
		return
	}
	p := s.page(r, "polls.receipt.title", pollReceiptData{Poll: ep.Poll, Code: code})
	s.render(w, r, http.StatusOK, "poll_receipt", p)
}

type pollReceiptsData struct {
	Poll  polls.Poll
	Code  string // the code looked up, cleaned
	Asked bool
	Found bool
	Codes []string
	Next  string
}

// pollReceipts is the published list of receipt codes, with a look-up.
func (s *Server) pollReceipts(w http.ResponseWriter, r *http.Request) {
	ep, ok := s.pollFromPath(w, r)
	if !ok {
		return
	}
	id, viewer := ep.Poll.ID, httpauth.From(r).UserID()
	q := r.URL.Query()
	d := pollReceiptsData{Poll: ep.Poll}
	p := s.page(r, "", &d)
	p.Title = p.L.T("polls.receipts.title", ep.Poll.Title)
	status := http.StatusOK
	if raw := strings.TrimSpace(q.Get("code")); raw != "" {
		p.Form.Set("code", raw)
		d.Asked = true
		if d.Code = polls.CleanReceipt(raw); d.Code == "" {
			p.Error = p.L.T("polls.receipts.bad")
			p.Errors["code"] = p.Error
			status = http.StatusUnprocessableEntity
		} else {
			found, err := s.db.Receipts(r.Context(), viewer, id, "", d.Code, 1)
			if err != nil {
				s.fail(w, r, err, "", nil)
				return
			}
			d.Found = len(found) > 0
		}
	}
	after := polls.CleanReceipt(q.Get("after"))
	codes, err := s.db.Receipts(r.Context(), viewer, id, after, "", pollReceiptPage+1)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if len(codes) > pollReceiptPage {
		codes = codes[:pollReceiptPage]
		d.Next = pollPath(id) + "/receipts?after=" + url.QueryEscape(codes[len(codes)-1])
	}
	d.Codes = codes
	s.render(w, r, status, "poll_receipts", p)
}

// --- registering a candidacy ---

type candidacyFormData struct {
	Poll    polls.Poll
	Lists   bool
	Sectors []bodies.Sector
	Genders []string
	Rows    []candidacyRow
	More    bool // the form may offer more rows
}

// candidacyRow is one candidate's line of the form.
type candidacyRow struct {
	N            int
	Name, Gender string
}

func (s *Server) candidacyForm(r *http.Request, e polls.Poll, f url.Values, rows int) *Page {
	d := candidacyFormData{Poll: e, Lists: e.Lists(), Sectors: bodies.Sectors, Genders: polls.Genders}
	if !d.Lists {
		rows = 1
	}
	names, genders := f["cand_name"], f["cand_gender"]
	rows = min(max(rows, len(names)), e.Seats)
	for i := range rows {
		row := candidacyRow{N: i + 1}
		if i < len(names) {
			row.Name = names[i]
		}
		if i < len(genders) {
			row.Gender = genders[i]
		}
		d.Rows = append(d.Rows, row)
	}
	d.More = d.Lists && rows < e.Seats
	p := s.page(r, "", d)
	p.Title = p.L.T("polls.candidacy.title", e.Title)
	p.Form = f
	return p
}

// newCandidacy is the form that registers a list, or a candidate.
func (s *Server) newCandidacy(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	ep, err := s.db.PollPage(r.Context(), httpauth.From(r).UserID(), id)
	if err == nil && !ep.Register {
		err = errs.New(errs.Conflict, "poll.registration.closed")
		if ep.Poll.Phase == polls.Registration {
			err = errs.New(errs.Forbidden, "error.forbidden")
		}
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "poll_candidacy", s.candidacyForm(r, ep.Poll, url.Values{"sector": {"other"}}, pollRowsFirst))
}

// registerCandidacy registers a list; "more" asks for more rows instead.
func (s *Server) registerCandidacy(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	ep, ok := s.pollFromPath(w, r)
	if !ok {
		return
	}
	id, actor := ep.Poll.ID, httpauth.From(r).UserID()
	f := r.PostForm
	if f.Get("more") != "" {
		s.render(w, r, http.StatusOK, "poll_candidacy", s.candidacyForm(r, ep.Poll, f, len(f["cand_name"])+pollRowsMore))
		return
	}
	in := polls.CandidacyInput{Name: f.Get("name"), Organisation: f.Get("organisation"), Sector: bodies.Sector(f.Get("sector"))}
	genders := f["cand_gender"]
	for i, n := range f["cand_name"] {
		c := polls.CandidateInput{Name: n}
		if i < len(genders) {
			c.Gender = genders[i]
		}
		in.Candidates = append(in.Candidates, c)
	}
	c, err := s.db.RegisterCandidacy(r.Context(), actor, id, in)
	if err != nil {
		s.fail(w, r, err, "poll_candidacy", s.candidacyForm(r, ep.Poll, f, len(f["cand_name"])))
		return
	}
	redirect(w, r, pollPath(id)+"?done=polls_registered#list-"+strconv.FormatInt(c.ID, 10))
}

// --- results ---

type pollResultsData struct {
	Poll     polls.Poll
	Versions []store.Result // newest first
	Shown    store.Result   // the version shown in full
	Lists    bool
	Seats    []pollSeatRow
	Elected  []string
	Steps    []pollRoundRow
	Columns  []int // rounds with tallies
	Matrix   []pollMatrixRow
	Lots     []tally.Lot // their purposes in words
}

// pollRoundRow is one round of the count in words.
type pollRoundRow struct {
	tally.Round
	Action   string
	Elected  []string
	Excluded []string
}

// pollMatrixRow is a candidate's or list's standing round by round.
type pollMatrixRow struct {
	Name  string
	Cells []pollCell
}

type pollCell struct {
	tally.Tally
	Status string // in words
	Has    bool
}

// pollWord translates a term of the count's report, or leaves it as it is.
func (s *Server) pollWord(l *i18n.Localizer, kind, term string) string {
	if term == "" {
		return ""
	}
	var parts []string
	for _, t := range strings.Split(term, "+") {
		if k := "polls.report." + kind + "." + t; s.cat.Has(l.Lang, k) {
			t = l.T(k)
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, ", ")
}

// pollResults shows every published version of the results, the latest
// (or the one asked for) in full: seats, rounds, lots.
func (s *Server) pollResults(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	ep, err := s.db.PollPage(r.Context(), viewer, id)
	var rs []store.Result
	if err == nil {
		rs, err = s.db.Results(r.Context(), viewer, id, 0)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	d := pollResultsData{Poll: ep.Poll, Versions: rs, Shown: rs[0], Lists: ep.Poll.Lists()}
	if v, err := strconv.Atoi(r.URL.Query().Get("version")); err == nil {
		for _, x := range rs {
			if x.Version == v {
				d.Shown = x
			}
		}
	}
	if rep := d.Shown.Report; rep != nil {
		d.Seats, d.Elected = pollSeats(rep)
		for _, lot := range rep.Lots {
			lot.Purpose = s.pollWord(p.L, "purpose", lot.Purpose)
			d.Lots = append(d.Lots, lot)
		}
		at := map[string]int{}
		for i, c := range rep.Candidates {
			at[c] = i
			d.Matrix = append(d.Matrix, pollMatrixRow{Name: c})
		}
		for _, rd := range rep.Rounds {
			row := pollRoundRow{Round: rd, Action: s.pollWord(p.L, "action", rd.Action)}
			for _, x := range rd.Elected {
				row.Elected = append(row.Elected, x.Name+" ("+s.pollWord(p.L, "reason", x.Reason)+")")
			}
			for _, x := range rd.Excluded {
				row.Excluded = append(row.Excluded, x.Name+" ("+s.pollWord(p.L, "reason", x.Reason)+")")
			}
			d.Steps = append(d.Steps, row)
			if len(rd.Tallies) == 0 {
				continue
			}
			d.Columns = append(d.Columns, rd.Number)
			for i := range d.Matrix {
				d.Matrix[i].Cells = append(d.Matrix[i].Cells, pollCell{})
			}
			for _, t := range rd.Tallies {
				if i, ok := at[t.Name]; ok {
					c := &d.Matrix[i].Cells[len(d.Columns)-1]
					c.Tally, c.Has, c.Status = t, true, s.pollWord(p.L, "status", t.Status)
				}
			}
		}
	}
	p.Data = d
	p.Title = p.L.T("polls.results.title", ep.Poll.Title)
	s.render(w, r, http.StatusOK, "poll_results", p)
}

// pollResult loads one published version for a download.
func (s *Server) pollResult(r *http.Request) (store.Result, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return store.Result{}, err
	}
	v, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || v < 1 {
		return store.Result{}, errs.New(errs.NotFound, "poll.result.not_found")
	}
	rs, err := s.db.Results(r.Context(), httpauth.From(r).UserID(), id, v)
	if err != nil {
		return store.Result{}, err
	}
	return rs[0], nil
}

// resultInputs serves the votes a version was counted from: CSV of lists,
// or BLT of ranked ballots, which `asamblea tally` counts again.
func (s *Server) resultInputs(w http.ResponseWriter, r *http.Request) {
	res, err := s.pollResult(r)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	name := fmt.Sprintf("poll-%s-v%d", r.PathValue("id"), res.Version)
	h := w.Header()
	if res.Report != nil && polls.IsListMethod(res.Report.Method) {
		h.Set("Content-Type", "text/csv; charset=utf-8")
		name += ".csv"
	} else {
		h.Set("Content-Type", "text/plain; charset=utf-8")
		name += ".blt"
	}
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write([]byte(res.Inputs))
}

// resultReport serves a version's report as JSON, as it was published.
func (s *Server) resultReport(w http.ResponseWriter, r *http.Request) {
	res, err := s.pollResult(r)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	b, err := json.Marshal(res.Report)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="poll-%s-v%d.json"`, r.PathValue("id"), res.Version))
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}
