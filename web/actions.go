package web

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"asamblea/actions"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/feeds"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/ical"
	"asamblea/motions"
	"asamblea/photos"
	"asamblea/places"
	"asamblea/store"
)

// actionRoutes lists the pages of coordinated actions: a body's actions and
// the form that calls one, an action's page with its reports and photos, an
// assembly's coordinating view and daily summary, and the public feeds.
func (s *Server) actionRoutes() []httpauth.Route {
	pub, in := httpauth.Public, httpauth.SignedIn
	return []httpauth.Route{
		{Method: "GET", Pattern: "/actions", Access: pub, Handler: s.publicActions},
		{Method: "GET", Pattern: "/actions.ics", Access: pub, Handler: s.actionsCalendar},
		{Method: "GET", Pattern: "/actions.atom", Access: pub, Handler: s.actionsFeed},
		{Method: "GET", Pattern: "/bodies/{id}/actions", Access: pub, Handler: s.bodyActions},
		{Method: "GET", Pattern: "/bodies/{id}/actions.ics", Access: pub, Handler: s.actionsCalendar},
		{Method: "GET", Pattern: "/bodies/{id}/actions.atom", Access: pub, Handler: s.actionsFeed},
		{Method: "GET", Pattern: "/bodies/{id}/actions/new", Access: in, Handler: s.newAction},
		{Method: "POST", Pattern: "/bodies/{id}/actions", Access: in, Handler: s.callAction},
		{Method: "GET", Pattern: "/bodies/{id}/coordination", Access: pub, Handler: s.coordination},
		{Method: "GET", Pattern: "/bodies/{id}/coordination/daily", Access: pub, Handler: s.dailySummary},
		{Method: "GET", Pattern: "/actions/{id}", Access: pub, Handler: s.actionPage},
		{Method: "GET", Pattern: "/actions/{id}/edit", Access: in, Handler: s.editAction},
		{Method: "POST", Pattern: "/actions/{id}", Access: in, Handler: s.updateAction},
		{Method: "POST", Pattern: "/actions/{id}/status", Access: in, Handler: s.setActionStatus},
		{Method: "POST", Pattern: "/actions/{id}/adhere", Access: in, Handler: s.adhere},
		{Method: "POST", Pattern: "/actions/{id}/leave", Access: in, Handler: s.leaveAction},
		{Method: "POST", Pattern: "/actions/{id}/repressed", Access: in, Handler: s.markRepressed},
		{Method: "POST", Pattern: "/actions/{id}/reports", Access: in, Handler: s.postReport},
		{Method: "GET", Pattern: "/photos/{id}", Access: pub, Handler: s.photo},
	}
}

// How many actions the lists and feeds show, and how many stops the call
// form offers for a route at first.
const (
	actionsShown = 50
	feedActions  = 100
	routeFields  = 6
)

// The form's date and time fields, read and written in Peru's time.
const (
	datetimeLocal = "2006-01-02T15:04"
	dateOnly      = time.DateOnly
)

// --- a body's actions and the public list ---

type actionListData struct {
	Body     bodies.Body // zero on the public list
	Actions  []actions.Action
	CanCall  bool
	Calendar string // feed addresses, empty where there is none
	Feed     string
}

// bodyActions lists the actions a body called or joined.
func (s *Server) bodyActions(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	var d actionListData
	var role bodies.Role
	if d.Body, role, err = s.db.Body(r.Context(), viewer, id); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if d.Actions, err = s.db.BodyActions(r.Context(), viewer, id, actionsShown); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	d.CanCall = role == bodies.Secretary || role == bodies.Facilitator
	if d.Body.Public {
		d.Calendar, d.Feed = "/bodies/"+r.PathValue("id")+"/actions.ics", "/bodies/"+r.PathValue("id")+"/actions.atom"
	}
	p := s.page(r, "", d)
	p.Title = p.L.T("actions.of", d.Body.Name)
	s.render(w, r, http.StatusOK, "actions", p)
}

// publicActions lists the public actions of every body: the movement's
// public calendar.
func (s *Server) publicActions(w http.ResponseWriter, r *http.Request) {
	list, err := s.db.PublicActions(r.Context(), 0, actionsShown)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "actions", s.page(r, "actions.public.title", actionListData{Actions: list, Calendar: "/actions.ics", Feed: "/actions.atom"}))
}

// --- the form that calls an action or corrects it ---

type actionFormData struct {
	Body         bodies.Body
	Post         string // where the form goes
	ActionID     int64  // when correcting one
	Kinds        []actions.Kind
	Visibilities []actions.Visibility
	Decisions    []motions.Motion // the body's decisions an action may carry out
	Candidates   []places.Place   // places matching the search, when there is no single match
	Route        []routeStop      // the route's fields, filled or empty
}

// routeStop is one field of a route: its number and what it holds.
type routeStop struct {
	N     int
	Value string
}

// actionForm builds the call form's page for body, showing the values f.
func (s *Server) actionForm(r *http.Request, b bodies.Body, f url.Values, action int64) (*Page, *actionFormData, error) {
	d := &actionFormData{Body: b, Post: "/bodies/" + strconv.FormatInt(b.ID, 10) + "/actions", ActionID: action,
		Kinds: actions.Kinds, Visibilities: actions.Visibilities}
	if action != 0 {
		d.Post = "/actions/" + strconv.FormatInt(action, 10)
	}
	ms, err := s.db.Motions(r.Context(), httpauth.From(r).UserID(), b.ID, store.MotionFilter{Closed: true, Limit: 100})
	if err != nil && !errs.Is(err, errs.Forbidden) {
		return nil, nil, err
	}
	for _, m := range ms {
		if m.Status == motions.Passed || m.Status == motions.Decided {
			d.Decisions = append(d.Decisions, m)
		}
	}
	n := min(max(routeFields, len(f["route"])+2), actions.RouteMax)
	for i := range n {
		stop := routeStop{N: i + 1}
		if i < len(f["route"]) {
			stop.Value = f["route"][i]
		}
		d.Route = append(d.Route, stop)
	}
	p := s.page(r, "action.new.title", d)
	if action != 0 {
		p.Title = p.L.T("action.edit.title")
	}
	p.Form = f
	return p, d, nil
}

// newAction is the form that calls an action in a body's name.
func (s *Server) newAction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	b, role, err := s.db.Body(r.Context(), httpauth.From(r).UserID(), id)
	if err == nil && role != bodies.Secretary && role != bodies.Facilitator {
		err = errs.New(errs.Forbidden, "error.forbidden")
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	f := url.Values{"kind": {string(actions.Strike)}, "visibility": {string(actions.Federation)}}
	if k := actions.Kind(r.URL.Query().Get("kind")); k.Valid() {
		f.Set("kind", string(k))
	}
	p, _, err := s.actionForm(r, b, f, 0)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "action_form", p)
}

// callAction calls an action; bad input shows the form again with all
// that was written and the error beside its field.
func (s *Server) callAction(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	actor := httpauth.From(r).UserID()
	b, _, err := s.db.Body(r.Context(), actor, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	in, shown, candidates, err := s.readActionForm(r.PostForm)
	var a actions.Action
	if err == nil {
		a, err = s.db.CallAction(r.Context(), actor, id, in, s.places.Valid)
	}
	if err != nil {
		s.actionFormFailed(w, r, err, b, shown, candidates, 0)
		return
	}
	redirect(w, r, "/actions/"+strconv.FormatInt(a.ID, 10)+"?done=action_called")
}

// actionFormFailed shows the call form again with err.
func (s *Server) actionFormFailed(w http.ResponseWriter, r *http.Request, err error, b bodies.Body, shown url.Values, candidates []places.Place, action int64) {
	p, d, perr := s.actionForm(r, b, shown, action)
	if perr != nil {
		s.fail(w, r, perr, "", nil)
		return
	}
	d.Candidates = candidates
	s.fail(w, r, err, "action_form", p)
}

// editAction is the call form filled with an action, to correct it.
func (s *Server) editAction(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	ap, err := s.db.Action(r.Context(), viewer, id, 0)
	if err == nil && !ap.Manage {
		err = errs.New(errs.Forbidden, "error.forbidden")
	}
	var b bodies.Body
	if err == nil {
		b, _, err = s.db.Body(r.Context(), viewer, ap.Action.BodyID)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, _, err := s.actionForm(r, b, s.actionValues(ap.Action), id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "action_form", p)
}

// updateAction saves a corrected action.
func (s *Server) updateAction(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	actor := httpauth.From(r).UserID()
	ap, err := s.db.Action(r.Context(), actor, id, 0)
	var b bodies.Body
	if err == nil {
		b, _, err = s.db.Body(r.Context(), actor, ap.Action.BodyID)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	in, shown, candidates, err := s.readActionForm(r.PostForm)
	if err == nil {
		_, err = s.db.EditAction(r.Context(), actor, id, in, s.places.Valid)
	}
	if err != nil {
		s.actionFormFailed(w, r, err, b, shown, candidates, id)
		return
	}
	redirect(w, r, "/actions/"+r.PathValue("id")+"?done=action_saved")
}

// actionValues are the form's values of an action.
func (s *Server) actionValues(a actions.Action) url.Values {
	f := url.Values{"kind": {string(a.Kind)}, "title": {a.Title}, "description": {a.Description}, "visibility": {string(a.Visibility)},
		"start": {a.Start.In(store.Lima).Format(datetimeLocal)}}
	if len(a.Route) == 0 {
		f.Set("place_q", s.placeText(a.Place))
	}
	for _, c := range a.Route {
		f.Add("route", s.placeText(c))
	}
	if a.Lat != nil && a.Lon != nil {
		f.Set("lat", strconv.FormatFloat(*a.Lat, 'f', -1, 64))
		f.Set("lon", strconv.FormatFloat(*a.Lon, 'f', -1, 64))
	}
	if a.End != nil {
		f.Set("end", a.End.In(store.Lima).Format(datetimeLocal))
	}
	if a.MotionID != 0 {
		f.Set("motion_id", strconv.FormatInt(a.MotionID, 10))
	}
	return f
}

// placeText is how a place is written back in a place field: its label and
// code, which the form reads again as that place.
func (s *Server) placeText(code string) string {
	if pl, ok := s.places.Lookup(code); ok {
		return pl.Label() + " (" + code + ")"
	}
	return code
}

// readActionForm reads the call form into an input. It returns, beside the
// input, the values to show again (places as their labels) and, when the
// place's words match several places, the candidates. Its own errors are
// about fields it cannot read (a date, a number, a place); the rest is
// checked by the service.
func (s *Server) readActionForm(f url.Values) (actions.Input, url.Values, []places.Place, error) {
	in := actions.Input{Kind: actions.Kind(f.Get("kind")), Title: f.Get("title"), Description: f.Get("description"), Visibility: actions.Visibility(f.Get("visibility"))}
	shown := url.Values{}
	for _, k := range []string{"kind", "title", "description", "visibility", "place_q", "lat", "lon", "start", "end", "motion_id"} {
		if v := f.Get(k); v != "" {
			shown.Set(k, v)
		}
	}
	var route []string
	var err error
	for _, q := range f["route"] {
		if q = strings.TrimSpace(q); q == "" || len(route) > actions.RouteMax {
			continue
		}
		code, _ := s.placeFromForm(url.Values{"place_q": {q}})
		if code == "" {
			shown.Add("route", q)
			if err == nil {
				err = errs.Field("route", "action.form.route_place", q)
			}
			continue
		}
		shown.Add("route", s.placeText(code))
		route = append(route, code)
	}
	in.Route = route
	code, candidates := s.placeFromForm(f)
	if code != "" {
		shown.Set("place_q", s.placeText(code))
	} else if strings.TrimSpace(f.Get("place_q")) != "" && err == nil {
		key := "body.place.choose"
		if len(candidates) == 0 {
			key = "body.place.none"
		}
		err = errs.Field("place", key)
	}
	in.Place = code
	if err != nil {
		return in, shown, candidates, err
	}
	if in.Lat, err = optFloat(f, "lat"); err != nil {
		return in, shown, nil, err
	}
	if in.Lon, err = optFloat(f, "lon"); err != nil {
		return in, shown, nil, errs.Field("lat", "action.form.number")
	}
	start, err := limaTime(f, "start", datetimeLocal)
	if err != nil {
		return in, shown, nil, err
	}
	if start != nil {
		in.Start = *start
	}
	if in.End, err = limaTime(f, "end", datetimeLocal); err != nil {
		return in, shown, nil, err
	}
	if v := strings.TrimSpace(f.Get("motion_id")); v != "" {
		if in.MotionID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return in, shown, nil, errs.Field("motion_id", "action.motion.not_found")
		}
	}
	return in, shown, nil, nil
}

// optFloat reads an optional decimal number; a comma is read as the
// decimal point.
func optFloat(f url.Values, name string) (*float64, error) {
	v := strings.ReplaceAll(strings.TrimSpace(f.Get(name)), ",", ".")
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil, errs.Field("lat", "action.form.number")
	}
	return &n, nil
}

// limaTime reads an optional date (and time) in Peru's time, as a form's
// date and datetime-local fields send them (seconds are allowed).
func limaTime(f url.Values, name, layout string) (*time.Time, error) {
	v := strings.TrimSpace(f.Get(name))
	if v == "" {
		return nil, nil
	}
	t, err := time.ParseInLocation(layout, v, store.Lima)
	if err != nil && layout == datetimeLocal {
		t, err = time.ParseInLocation(datetimeLocal+":05", v, store.Lima)
	}
	if err != nil {
		key := "action.form.datetime"
		if layout == dateOnly {
			key = "action.form.date"
		}
		return nil, errs.Field(name, key)
	}
	return &t, nil
}

// --- an action's page ---

type actionData struct {
	store.ActionPage
	Start, End string
	Coords     string
	Text       template.HTML    // the description
	Moves      []actions.Status // the statuses it may go to
	Decision   *motions.Motion  // the decision that called it, if the viewer may see it
	Rows       []reportRow
	Needs      []actions.Need // the needs posted for it that the viewer may see
}

// reportRow is a report with the size its photo is shown at: small enough
// for a phone's screen, the full photo one tap away.
type reportRow struct {
	actions.Report
	W, H int
}

// Largest size a report's photo is shown at in the list.
const shownW, shownH = 320, 400

func newReportRow(rp actions.Report) reportRow {
	row := reportRow{Report: rp, W: rp.PhotoW, H: rp.PhotoH}
	if row.W > shownW {
		row.W, row.H = shownW, max(1, row.H*shownW/row.W)
	}
	if row.H > shownH {
		row.W, row.H = max(1, row.W*shownH/row.H), shownH
	}
	return row
}

// actionPage shows an action: what, where, when, who called and joined it,
// its reports, and the forms of what the viewer may do.
func (s *Server) actionPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	before, err := queryID(r, "before")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.actionView(r, id, before)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "action", p)
}

func (s *Server) actionView(r *http.Request, id, before int64) (*Page, error) {
	viewer := httpauth.From(r).UserID()
	ap, err := s.db.Action(r.Context(), viewer, id, before)
	if err != nil {
		return nil, err
	}
	p := s.page(r, "", nil)
	a := ap.Action
	d := actionData{ActionPage: ap, Start: p.L.DateTime(a.Start), End: p.L.T("action.open_end")}
	if a.End != nil {
		d.End = p.L.DateTime(*a.End)
	}
	if ap.Manage {
		for _, to := range actions.Statuses {
			if actions.CanMove(a.Status, to) {
				d.Moves = append(d.Moves, to)
			}
		}
	}
	if a.MotionID != 0 {
		m, err := s.db.Motion(r.Context(), viewer, a.MotionID)
		switch errs.CodeOf(err) {
		case "":
			d.Decision = &m
		case errs.NotFound, errs.Forbidden, errs.Unauthorized:
		default:
			return nil, err
		}
	}
	if a.Lat != nil && a.Lon != nil {
		d.Coords = strconv.FormatFloat(*a.Lat, 'f', -1, 64) + ", " + strconv.FormatFloat(*a.Lon, 'f', -1, 64)
	}
	d.Text = motions.Format(a.Description)
	for _, rp := range ap.Reports {
		d.Rows = append(d.Rows, newReportRow(rp))
	}
	if ap.Access == store.CircleAccess {
		if d.Needs, err = s.db.ActionNeeds(r.Context(), viewer, a.ID); err != nil {
			return nil, err
		}
	}
	p.Data = d
	p.Title = a.Title
	return p, nil
}

// actionPost runs a form of the action's page: do returns the flash to
// show. A refusal the person can act on is shown on the action's page.
func (s *Server) actionPost(w http.ResponseWriter, r *http.Request, do func(actor, id int64) (string, error)) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	done, err := do(httpauth.From(r).UserID(), id)
	if err != nil {
		p, perr := s.actionView(r, id, 0)
		if perr != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		if e := errs.As(err); e.Key == "action.status.cannot" {
			// The statuses, in words.
			c := *e
			c.Args = nil
			for _, a := range e.Args {
				c.Args = append(c.Args, p.L.T(fmt.Sprint("action.status.", a)))
			}
			err = &c
		}
		p.Form = r.PostForm
		s.fail(w, r, err, "action", p)
		return
	}
	redirect(w, r, "/actions/"+strconv.FormatInt(id, 10)+"?done="+done)
}

// formBody reads the body in whose name a form acts.
func formBody(f url.Values) int64 {
	n, _ := strconv.ParseInt(f.Get("body"), 10, 64)
	return n
}

func (s *Server) setActionStatus(w http.ResponseWriter, r *http.Request) {
	s.actionPost(w, r, func(actor, id int64) (string, error) {
		return "action_status", s.db.SetActionStatus(r.Context(), actor, id, actions.Status(r.PostForm.Get("status")))
	})
}

func (s *Server) adhere(w http.ResponseWriter, r *http.Request) {
	s.actionPost(w, r, func(actor, id int64) (string, error) {
		return "action_adhered", s.db.Adhere(r.Context(), actor, id, formBody(r.PostForm))
	})
}

func (s *Server) leaveAction(w http.ResponseWriter, r *http.Request) {
	s.actionPost(w, r, func(actor, id int64) (string, error) {
		return "action_left", s.db.LeaveAction(r.Context(), actor, id, formBody(r.PostForm))
	})
}

func (s *Server) markRepressed(w http.ResponseWriter, r *http.Request) {
	s.actionPost(w, r, func(actor, id int64) (string, error) {
		on := r.PostForm.Get("repressed") != "0"
		done := "action_repressed"
		if !on {
			done = "action_unrepressed"
		}
		return done, s.db.MarkRepressed(r.Context(), actor, id, formBody(r.PostForm), on)
	})
}

// --- situation reports and their photos ---

// reportFormMax bounds the fields of a report beside its photo: a body, a
// text of at most 500 characters and the CSRF token.
const reportFormMax = 64 << 10

var errCSRF = errs.New(errs.Forbidden, "error.csrf")

// readReport reads the report form as it streams in. The form sends its
// CSRF token first and the photo last, so the token is checked before the
// photo is decoded, and the photo is cleaned of its metadata as it is read:
// the original bytes are never written anywhere, not even to a temporary
// file. It returns the fields, the cleaned photo if one was sent, and
// photoErr when the photo cannot be taken (too large, not an image), with
// the fields read so far kept. err is a form that cannot be read, or a bad
// CSRF token.
func (s *Server) readReport(r *http.Request) (f url.Values, photo *store.Photo, photoErr, err error) {
	f = url.Values{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		// A report without a photo from a client that sends a plain form.
		if err := r.ParseForm(); err != nil {
			return f, nil, nil, errs.New(errs.Invalid, "error.bad_form")
		}
		if !httpauth.CheckCSRF(r, r.PostForm.Get("csrf")) {
			return f, nil, nil, errCSRF
		}
		return r.PostForm, nil, nil, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return f, nil, nil, errs.New(errs.Invalid, "error.bad_form")
	}
	tooLarge := errs.Field("photo", "photo.too_large", photos.MaxBytes>>20)
	for fields := 0; ; fields++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			photoErr = tooLarge
			break
		}
		if err != nil || fields > 20 {
			return f, nil, nil, errs.New(errs.Invalid, "error.bad_form")
		}
		name := part.FormName()
		if name != "photo" {
			b, err := io.ReadAll(io.LimitReader(part, reportFormMax))
			if errors.As(err, &mb) {
				photoErr = tooLarge
				break
			}
			if err != nil {
				return f, nil, nil, errs.New(errs.Invalid, "error.bad_form")
			}
			f.Add(name, string(b))
			continue
		}
		if photo != nil || photoErr != nil {
			continue // one photo per report
		}
		if !httpauth.CheckCSRF(r, f.Get("csrf")) {
			return f, nil, nil, errCSRF
		}
		ph, err := photos.Clean(part) // at most two at once, photos sees to it
		switch {
		case err == nil:
			photo = &store.Photo{Data: ph.Data, Width: ph.Width, Height: ph.Height, SHA256: ph.SHA256}
		case errors.As(err, &mb):
			photoErr = tooLarge
		case errs.As(err).Key == "photo.empty" && part.FileName() == "":
			// The file field was left empty.
		case errs.As(err).Field == "photo":
			photoErr = err
		default:
			// The upload broke off.
			return f, nil, nil, errs.New(errs.Invalid, "error.bad_form")
		}
	}
	if !httpauth.CheckCSRF(r, f.Get("csrf")) {
		return f, nil, nil, errCSRF
	}
	return f, photo, photoErr, nil
}

// postReport posts a situation report, with a photo or without. A photo
// that cannot be taken shows the page again with the text kept.
func (s *Server) postReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, photos.MaxBytes+reportFormMax)
	f, photo, err, ferr := s.readReport(r)
	if ferr != nil {
		s.fail(w, r, ferr, "", nil)
		return
	}
	if err == nil {
		_, err = s.db.PostReport(r.Context(), httpauth.From(r).UserID(), id, formBody(f), f.Get("text"), photo)
	}
	if err != nil {
		p, perr := s.actionView(r, id, 0)
		if perr != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		p.Form = f
		s.fail(w, r, err, "action", p)
		return
	}
	redirect(w, r, "/actions/"+r.PathValue("id")+"?done=action_reported#reports")
}

// photo serves a report's photo to those who may see its action.
func (s *Server) photo(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	data, err := s.db.ReportPhoto(r.Context(), httpauth.From(r).UserID(), id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("Cache-Control", "private, no-store") // a phone may be seized: photos of actions are not kept in its cache
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(data) // #nosec G705 -- a photo re-encoded by photos.Clean, served with its image type and nosniff
}

// --- the coordinating view ---

// countRow is one line of the coordinating view's totals.
type countRow struct {
	Label string
	N     int
}

type coordData struct {
	store.Coordination
	Map         template.HTML
	Kinds       []actions.Kind
	Statuses    []actions.Status
	Departments []places.Place
	ByKind      []countRow
	ByStatus    []countRow
	NextPage    string // the next page's address
	Daily       string
	Calendar    string
	Feed        string
}

// coordFilter reads the coordinating view's filter from a query. The
// status is "active" (every status but ended) when not given, "all" for
// every one.
func coordFilter(q url.Values) (actions.Filter, error) {
	f := actions.Filter{Kind: actions.Kind(q.Get("kind")), Department: q.Get("department")}
	switch st := q.Get("status"); st {
	case "", "active":
		f.Active = true
	case "all":
	default:
		f.Status = actions.Status(st)
	}
	from, err := limaTime(q, "from", dateOnly)
	if err != nil {
		return f, err
	}
	if from != nil {
		f.From = *from
	}
	to, err := limaTime(q, "to", dateOnly)
	if err != nil {
		return f, err
	}
	if to != nil {
		f.To = to.AddDate(0, 0, 1) // the last day counts whole
	}
	return f, nil
}

// coordination is an assembly's coordinating view: the actions of every
// body under it, counted by kind, status and department on a map, and
// listed in time order.
func (s *Server) coordination(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	q := r.URL.Query()
	p := s.page(r, "", nil)
	status := http.StatusOK
	f, err := coordFilter(q)
	var c store.Coordination
	if err == nil {
		c, err = s.db.Coordinate(r.Context(), viewer, id, f, q.Get("cursor"))
	}
	if errs.Is(err, errs.Invalid) {
		// A filter that cannot be read: say so, and show the active
		// actions.
		e := errs.As(err)
		p.Error = p.L.T(e.Key, e.Args...)
		p.Errors[e.Field] = p.Error
		status = errs.Status(e.Code)
		q = url.Values{}
		f = actions.Filter{Active: true}
		c, err = s.db.Coordinate(r.Context(), viewer, id, f, "")
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	base := "/bodies/" + strconv.FormatInt(id, 10)
	d := coordData{Coordination: c, Kinds: actions.Kinds, Statuses: actions.Statuses, Departments: s.places.Departments(), Daily: base + "/coordination/daily"}
	if c.Body.Public {
		d.Calendar, d.Feed = base+"/actions.ics", base+"/actions.atom"
	}
	for _, k := range actions.Kinds {
		if n := c.Summary.ByKind[k]; n > 0 {
			d.ByKind = append(d.ByKind, countRow{Label: p.L.T("action.kind." + string(k)), N: n})
		}
	}
	for _, st := range actions.Statuses {
		if n := c.Summary.ByStatus[st]; n > 0 {
			d.ByStatus = append(d.ByStatus, countRow{Label: p.L.T("action.status." + string(st)), N: n})
		}
	}
	// The filter as the form and the links carry it.
	kept := url.Values{}
	for _, k := range []string{"kind", "status", "department", "from", "to"} {
		if v := q.Get(k); v != "" {
			kept.Set(k, v)
		}
	}
	p.Form = kept
	if c.Next != "" {
		next := url.Values{"cursor": {c.Next}}
		for k, v := range kept {
			next[k] = v
		}
		d.NextPage = base + "/coordination?" + next.Encode()
	}
	counts := map[string]int{}
	for dept, n := range c.Summary.ByDepartment {
		counts[dept+"0000"] = n
	}
	var marks []places.Mark
	for _, a := range c.Timeline {
		if a.Lat != nil && a.Lon != nil {
			marks = append(marks, places.Mark{Lat: *a.Lat, Lon: *a.Lon, Label: a.Title})
		}
	}
	d.Map = trustedSVG(s.places.DepartmentMap(places.MapOptions{
		Title:  p.L.T("coord.map", c.Body.Name),
		Counts: counts,
		Label: func(code string, n int) string {
			pl, _ := s.places.Lookup(code)
			return p.L.N("coord.map.department", n, pl.Name)
		},
		Href: func(code string) string {
			v := url.Values{"department": {code[:2]}}
			for _, k := range []string{"kind", "status", "from", "to"} {
				if x := kept.Get(k); x != "" {
					v.Set(k, x)
				}
			}
			return base + "/coordination?" + v.Encode()
		},
		Marks: marks,
	}))
	p.Data = d
	p.Title = p.L.T("coord.title", c.Body.Name)
	s.render(w, r, status, "coordination", p)
}

type dailyData struct {
	store.Daily
	Date       string // the day, in words
	Prev, Next string // the days before and after
	Lists      []dailyList
	Needs      []actions.Need // the needs still open under the body, for its federation
	MoreNeeds  int
}

// Open needs the daily summary lists.
const dailyNeeds = 20

// dailyList is one list of the daily summary.
type dailyList struct {
	Title   string
	Actions []actions.Action
	More    int    // actions of the day beyond the list
	MoreURL string // where they all are, if anywhere
}

// dailySummary is what started, ended and was repressed on one day (Peru
// time) among the actions under a body.
func (s *Server) dailySummary(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	day := time.Now().In(store.Lima)
	if t, err := limaTime(r.URL.Query(), "day", dateOnly); err != nil {
		s.fail(w, r, err, "", nil)
		return
	} else if t != nil {
		day = *t
	}
	dd, err := s.db.DailySummary(r.Context(), httpauth.From(r).UserID(), id, day)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	from, _ := time.ParseInLocation(dateOnly, dd.Day, store.Lima)
	p := s.page(r, "", nil)
	d := dailyData{Daily: dd, Date: p.L.Date(from.Add(12 * time.Hour)),
		Prev: from.AddDate(0, 0, -1).Format(dateOnly), Next: from.AddDate(0, 0, 1).Format(dateOnly)}
	d.Lists = []dailyList{
		{Title: p.L.N("daily.started", dd.StartedN), Actions: dd.Started, More: dd.StartedN - len(dd.Started),
			// Every action that started that day is in the coordinating view.
			MoreURL: fmt.Sprintf("/bodies/%d/coordination?status=&from=%s&to=%s", dd.Body.ID, dd.Day, from.AddDate(0, 0, 1).Format(dateOnly))},
		{Title: p.L.N("daily.ended", dd.EndedN), Actions: dd.Ended, More: dd.EndedN - len(dd.Ended)},
		{Title: p.L.N("daily.repressed", dd.RepressedN), Actions: dd.Repressed, More: dd.RepressedN - len(dd.Repressed)},
	}
	// The needs are for the federation's eyes: others see the actions only.
	needs, total, err := s.db.OpenNeeds(r.Context(), httpauth.From(r).UserID(), id, dailyNeeds)
	switch errs.CodeOf(err) {
	case "":
		d.Needs, d.MoreNeeds = needs, total-len(needs)
	case errs.Unauthorized, errs.Forbidden, errs.NotFound:
	default:
		s.fail(w, r, err, "", nil)
		return
	}
	p.Data = d
	p.Title = p.L.T("daily.title", dd.Body.Name, d.Date)
	s.render(w, r, http.StatusOK, "daily", p)
}

// --- public feeds ---

// feedSource loads the public actions of a feed: of body {id} and the
// bodies under it, or of every body. It returns the feed's title and the
// page it follows.
func (s *Server) feedSource(r *http.Request, l *i18n.Localizer) ([]actions.Action, string, string, error) {
	var body int64
	if r.PathValue("id") != "" {
		var err error
		if body, err = pathID(r, "id"); err != nil {
			return nil, "", "", err
		}
	}
	list, err := s.db.PublicActions(r.Context(), body, feedActions)
	if err != nil {
		return nil, "", "", err
	}
	if body == 0 {
		return list, l.T("actions.public.title"), "/actions", nil
	}
	b, _, err := s.db.Body(r.Context(), 0, body)
	if err != nil {
		return nil, "", "", err
	}
	return list, l.T("actions.feed.of", b.Name), "/bodies/" + r.PathValue("id") + "/coordination", nil
}

// siteBase is this site's address as the request reached it.
func (s *Server) siteBase(r *http.Request) string {
	if s.auth.IsSecure(r) {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// actionSummary is an action's title with its kind, and its status when
// it is not going ahead as called.
func actionSummary(l *i18n.Localizer, a actions.Action) string {
	t := l.T("action.kind."+string(a.Kind)) + ": " + a.Title
	if a.Status == actions.Suspended || a.Status == actions.Ended {
		t += " (" + l.T("action.status."+string(a.Status)) + ")"
	}
	return t
}

// actionWhere is where an action takes place, in words: its place, or its
// route from start to end.
func (s *Server) actionWhere(a actions.Action) string {
	if len(a.Route) == 0 {
		return s.placeLabel(a.Place)
	}
	labels := make([]string, len(a.Route))
	for i, c := range a.Route {
		labels[i] = s.placeLabel(c)
	}
	return strings.Join(labels, " → ")
}

func (s *Server) placeLabel(code string) string {
	if pl, ok := s.places.Lookup(code); ok {
		return pl.Label()
	}
	return code
}

// actionWhen is an action's dates in words.
func actionWhen(l *i18n.Localizer, a actions.Action) string {
	end := l.T("action.open_end")
	if a.End != nil {
		end = l.DateTime(*a.End)
	}
	return l.T("action.when", l.DateTime(a.Start), end)
}

// actionsCalendar is the iCalendar feed of public actions, for phone
// calendars.
func (s *Server) actionsCalendar(w http.ResponseWriter, r *http.Request) {
	l := s.cat.Localizer(httpauth.From(r).Lang)
	list, title, _, err := s.feedSource(r, l)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	base := s.siteBase(r)
	c := ical.Calendar{Name: title}
	for _, a := range list {
		link := base + "/actions/" + strconv.FormatInt(a.ID, 10)
		desc := []string{l.T("action.called_by", a.BodyName), actionWhen(l, a)}
		if a.Description != "" {
			desc = append(desc, a.Description)
		}
		desc = append(desc, link)
		e := ical.Event{
			UID:         "action-" + strconv.FormatInt(a.ID, 10) + "@" + r.Host,
			Summary:     actionSummary(l, a),
			Description: strings.Join(desc, "\n\n"),
			Location:    s.actionWhere(a),
			URL:         link,
			Categories:  []string{l.T("action.kind." + string(a.Kind))},
			Status:      "CONFIRMED",
			Start:       a.Start,
			Updated:     a.UpdatedAt,
		}
		if a.Status == actions.Suspended {
			e.Status = "TENTATIVE"
		}
		if a.End != nil {
			e.End = *a.End
		}
		if a.Lat != nil && a.Lon != nil {
			e.Lat, e.Lon, e.HasGeo = *a.Lat, *a.Lon, true
		}
		c.Events = append(c.Events, e)
	}
	var buf bytes.Buffer
	if err := c.Write(&buf); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ical.ContentType)
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(buf.Bytes())
}

// actionsFeed is the Atom feed of public actions.
func (s *Server) actionsFeed(w http.ResponseWriter, r *http.Request) {
	l := s.cat.Localizer(httpauth.From(r).Lang)
	list, title, page, err := s.feedSource(r, l)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	base := s.siteBase(r)
	f := feeds.Feed{Title: title, Link: base + page, SelfLink: base + r.URL.Path, Lang: l.Lang}
	for _, a := range list {
		when := actionWhen(l, a)
		where := s.actionWhere(a)
		content := "<p><strong>" + html.EscapeString(when) + "</strong><br>" + html.EscapeString(where) + "<br>" +
			html.EscapeString(l.T("action.called_by", a.BodyName)) + "</p>"
		if a.Description != "" {
			content += "\n" + string(motions.Format(a.Description))
		}
		f.Entries = append(f.Entries, feeds.Entry{
			ID:        feeds.TagURI(r.Host, a.CreatedAt, "action/"+strconv.FormatInt(a.ID, 10)),
			Title:     actionSummary(l, a),
			Link:      base + "/actions/" + strconv.FormatInt(a.ID, 10),
			Summary:   when + " · " + where,
			Content:   content,
			Author:    a.BodyName,
			Published: a.CreatedAt,
			Updated:   a.UpdatedAt,
		})
	}
	s.serveAtom(w, r, f)
}
