package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/motions"
	"asamblea/store"
)

// motionRoutes lists the routes of motions, votes, referrals, meetings,
// initiatives, communiqués and what awaits a person.
func (a *API) motionRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	pub, in := httpauth.Public, httpauth.SignedIn
	routes := []httpauth.Route{
		rt("GET", "/bodies/{id}/motions", in, a.motionsOf),
		rt("POST", "/bodies/{id}/motions", in, a.createMotion),
		rt("GET", "/motions/{id}", in, a.getMotion),
		rt("PUT", "/motions/{id}", in, a.editMotion),
		rt("POST", "/motions/{id}/status", in, a.moveMotion),
		rt("POST", "/motions/{id}/close", in, a.closeVote),
		rt("POST", "/motions/{id}/ballot", in, a.voteMotion),
		rt("GET", "/motions/{id}/seats", in, a.seats),
		rt("GET", "/motions/{id}/comments", in, a.comments),
		rt("POST", "/motions/{id}/comments", in, a.addComment),
		rt("GET", "/motions/{id}/amendments", in, a.amendments),
		rt("POST", "/motions/{id}/amendments", in, a.proposeAmendment),
		rt("POST", "/amendments/{id}/decision", in, a.decideAmendment),
		rt("POST", "/amendments/{id}/ballot", in, a.voteAmendment),
		rt("POST", "/motions/{id}/publication", in, a.publish),
		rt("GET", "/communiques", pub, a.communiques),
		rt("GET", "/bodies/{id}/communiques", pub, a.communiquesOf),
		rt("GET", "/communiques/{id}", pub, a.communique),
		rt("POST", "/motions/{id}/referral", in, a.refer),
		rt("GET", "/motions/{id}/referral", in, a.referralOf),
		rt("GET", "/referrals/{id}", in, a.aggregation),
		rt("GET", "/motions/{id}/bases", in, a.baseResults),
		rt("GET", "/motions/{id}/votes", in, a.motionVotes),
		rt("GET", "/bodies/{id}/instructions", in, a.instructions),
		rt("GET", "/bodies/{id}/record", in, a.votingRecord),
		rt("GET", "/bodies/{id}/compliance", in, a.compliance),
	}
	routes = append(routes, a.meetingRoutes(rt)...)
	routes = append(routes, a.actionRoutes(rt)...)
	routes = append(routes, a.pollRoutes(rt)...)
	routes = append(routes, a.rightsRoutes(rt)...)
	return append(routes, a.needRoutes(rt)...)
}

// input reads a JSON body as decode does (CSRF, media type, size, one
// object) and then fills v strictly, naming the field at fault when a value
// has the wrong type or a field is unknown.
func (a *API) input(w http.ResponseWriter, r *http.Request, v any) bool {
	return a.inputMax(w, r, v, bodyMax)
}

// inputMax is input for a body of at most max bytes.
func (a *API) inputMax(w http.ResponseWriter, r *http.Request, v any, max int64) bool {
	var raw json.RawMessage
	if !a.csrf(w, r) || !a.parse(w, r, &raw, max) {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		problem, field := inputProblem(err)
		e := errs.New(errs.Invalid, "error.bad_json", problem)
		e.Field = field
		a.Error(w, r, e)
		return false
	}
	return true
}

// inputProblem says what is wrong with a JSON body that parsed as JSON but
// does not fit the request, and in which field.
func inputProblem(err error) (problem, field string) {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		if typ.Field == "" {
			return "the body must be a JSON object", ""
		}
		f := jsonField(typ.Field)
		return fmt.Sprintf("field %q must be %s", f, kindName(typ.Type)), f
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, uerr := strconv.Unquote(name); uerr == nil {
			name = n
		}
		return fmt.Sprintf("unknown field %q", name), name
	}
	return jsonProblem(err), ""
}

// jsonField drops from a field's path the names of embedded Go types
// ("Input.seats" is "seats"): JSON names here are all in lower case.
func jsonField(path string) string {
	var keep []string
	for _, seg := range strings.Split(path, ".") {
		if seg != "" && !unicode.IsUpper(rune(seg[0])) {
			keep = append(keep, seg)
		}
	}
	return strings.Join(keep, ".")
}

// kindName names the JSON value a Go type expects.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// queryNumber reads an optional whole number from the query string, between
// lo and hi; 0 when absent.
func queryNumber(r *http.Request, name string, lo, hi int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, errs.Field(name, "voting.count.range", lo, hi)
	}
	return n, nil
}

// queryCount reads an optional number of 0 or more from the query string
// (a limit, an offset, an ?after=); 0 when absent.
func queryCount(r *http.Request, name string) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.Field(name, "error.bad_number")
	}
	return n, nil
}

// motionsPage is one page of a body's motions; Next, when set, is the
// ?before= of the next page.
type motionsPage struct {
	Motions []motions.Motion `json:"motions"`
	Next    int64            `json:"next_before,omitempty"`
}

func (a *API) motionsOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		var f store.MotionFilter
		switch s := r.URL.Query().Get("status"); s {
		case "":
		case "open":
			f.Open = true
		case "closed":
			f.Closed = true
		default:
			return nil, errs.Field("status", "voting.choice.unknown", s)
		}
		var err error
		if f.Before, err = queryNumber(r, "before", 1, math.MaxInt64); err != nil {
			return nil, err
		}
		limit, err := queryNumber(r, "limit", 1, 200)
		if err != nil {
			return nil, err
		}
		if limit == 0 {
			limit = 50
		}
		f.Limit = int(limit)
		list, err := a.db.Motions(r.Context(), actor(r), body, f)
		if err != nil {
			return nil, err
		}
		page := motionsPage{Motions: nonNil(list)}
		if len(list) == f.Limit {
			page.Next = list[len(list)-1].ID
		}
		return page, nil
	})
}

func (a *API) createMotion(w http.ResponseWriter, r *http.Request) {
	var in motions.Input
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		m, err := a.db.CreateMotion(r.Context(), actor(r), body, in)
		if err == nil {
			w.Header().Set("Location", Prefix+"/motions/"+strconv.FormatInt(m.ID, 10))
		}
		return m, err
	})
}

func (a *API) getMotion(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		m, err := a.db.Motion(r.Context(), actor(r), id)
		return m, err
	})
}

func (a *API) editMotion(w http.ResponseWriter, r *http.Request) {
	var in motions.Input
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		m, err := a.db.EditMotion(r.Context(), actor(r), id, in)
		return m, err
	})
}

// moveMotion puts a motion to discussion, to a vote for some hours, or
// withdraws it.
func (a *API) moveMotion(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status string `json:"status"`
		Hours  int    `json:"hours"`
	}
	if !a.input(w, r, &in) {
		return
	}
	switch in.Status {
	case motions.Discussion, motions.Voting, motions.Withdrawn:
	case "":
		a.Error(w, r, errs.Field("status", "error.required"))
		return
	default:
		a.Error(w, r, errs.Field("status", "voting.choice.unknown", in.Status))
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		m, err := a.db.MoveMotion(r.Context(), actor(r), id, in.Status, in.Hours)
		return m, err
	})
}

func (a *API) closeVote(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		m, err := a.db.CloseVote(r.Context(), actor(r), id)
		return m, err
	})
}

// voteMotion casts a ballot. The answer is 204 with no body: nothing in it
// ties the voter to the choice.
func (a *API) voteMotion(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Choice  string `json:"choice"`
		Ranking []int  `json:"ranking"`
		Seat    int64  `json:"seat"` // a delegate's seat (delegate id) when they hold several
	}
	if !a.input(w, r, &in) {
		return
	}
	if in.Seat < 0 {
		a.Error(w, r, errs.Field("seat", "motion.vote.not_your_seat"))
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		return nil, a.db.Vote(r.Context(), actor(r), id, in.Seat, motions.Ballot{Choice: in.Choice, Ranking: in.Ranking})
	})
}

func (a *API) seats(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		list, err := a.db.Seats(r.Context(), actor(r), id)
		return map[string]any{"seats": nonNil(list)}, err
	})
}

func (a *API) comments(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		list, err := a.db.Comments(r.Context(), actor(r), id)
		return map[string]any{"comments": nonNil(list)}, err
	})
}

func (a *API) addComment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text string `json:"text"`
	}
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		c, err := a.db.AddComment(r.Context(), actor(r), id, in.Text)
		return c, err
	})
}

func (a *API) amendments(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		list, err := a.db.Amendments(r.Context(), actor(r), id)
		return map[string]any{"amendments": nonNil(list)}, err
	})
}

func (a *API) proposeAmendment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text   string `json:"text"`
		Reason string `json:"reason"`
	}
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		am, err := a.db.ProposeAmendment(r.Context(), actor(r), id, in.Text, in.Reason)
		return am, err
	})
}

// decideAmendment accepts an amendment, puts it to a vote, closes its vote
// or withdraws it.
func (a *API) decideAmendment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Action string `json:"action"`
	}
	if !a.input(w, r, &in) {
		return
	}
	if in.Action == "" {
		a.Error(w, r, errs.Field("action", "error.required"))
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		return nil, a.db.DecideAmendment(r.Context(), actor(r), id, in.Action)
	})
}

func (a *API) voteAmendment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Choice string `json:"choice"`
	}
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		return nil, a.db.VoteAmendment(r.Context(), actor(r), id, in.Choice)
	})
}

// publish makes a decided motion a public communiqué of its body and
// answers with the communiqué.
func (a *API) publish(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		if err := a.db.Publish(r.Context(), actor(r), id); err != nil {
			return nil, err
		}
		m, err := a.db.Communique(r.Context(), id)
		if err != nil {
			return nil, err
		}
		w.Header().Set("Location", Prefix+"/communiques/"+strconv.FormatInt(id, 10))
		return communique(m), nil
	})
}

// communiqueView is a published decision as anyone reads it: the body
// speaks, not the person who proposed the motion, so the shadowing fields
// (always empty) leave the proposer out.
type communiqueView struct {
	motions.Motion
	ProposerID int64  `json:"proposer_id,omitempty"`
	Proposer   string `json:"proposer,omitempty"`
}

func communique(m motions.Motion) communiqueView {
	m.Voted, m.Instruction = false, ""
	return communiqueView{Motion: m}
}

func communiqueList(list []motions.Motion) []communiqueView {
	out := make([]communiqueView, len(list))
	for i, m := range list {
		out[i] = communique(m)
	}
	return out
}

func (a *API) communiques(w http.ResponseWriter, r *http.Request) {
	limit, err := queryNumber(r, "limit", 1, 100)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	list, err := a.db.Communiques(r.Context(), 0, int(limit))
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"communiques": communiqueList(list)})
}

func (a *API) communiquesOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		limit, err := queryNumber(r, "limit", 1, 100)
		if err != nil {
			return nil, err
		}
		list, err := a.db.Communiques(r.Context(), body, int(limit))
		return map[string]any{"communiques": communiqueList(list)}, err
	})
}

func (a *API) communique(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		m, err := a.db.Communique(r.Context(), id)
		return communique(m), err
	})
}
