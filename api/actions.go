package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"asamblea/actions"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/photos"
	"asamblea/store"
)

// actionRoutes lists the routes of coordinated actions: strikes, roadblocks,
// marches… called by a body, joined by others, followed through situation
// reports with photos, and seen together in an assembly's coordinating view.
//
// What a visitor may read is decided by the store from the action's
// visibility, so the reading routes are open to anyone: an outsider gets the
// public actions and a 404 for the rest.
func (a *API) actionRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	pub, in := httpauth.Public, httpauth.SignedIn
	return []httpauth.Route{
		rt("GET", "/actions", pub, a.publicActions),
		rt("GET", "/bodies/{id}/actions", pub, a.actionsOf),
		rt("POST", "/bodies/{id}/actions", in, a.callAction),
		rt("GET", "/actions/{id}", pub, a.getAction),
		rt("PUT", "/actions/{id}", in, a.editAction),
		rt("POST", "/actions/{id}/status", in, a.setActionStatus),
		rt("POST", "/actions/{id}/adhesions", in, a.adhere),
		rt("DELETE", "/actions/{id}/adhesions/{body}", in, a.leaveAction),
		rt("POST", "/actions/{id}/repressed", in, a.markRepressed),
		rt("POST", "/actions/{id}/reports", in, a.postReport),
		rt("GET", "/photos/{id}", pub, a.photo),
		rt("GET", "/bodies/{id}/coordination", pub, a.coordination),
		rt("GET", "/bodies/{id}/coordination/daily", pub, a.dailySummary),
	}
}

// Page sizes of the action lists.
const (
	actionsDefault = 50
	actionsMax     = 200
)

// listLimit reads ?limit= for a list of actions.
func listLimit(r *http.Request) (int, error) {
	n, err := queryNumber(r, "limit", 1, actionsMax)
	if n == 0 {
		n = actionsDefault
	}
	return int(n), err
}

// publicActions lists public actions, of every body or (with ?body=) of a
// public body and every body under it: what feeds and solidarity sites read.
func (a *API) publicActions(w http.ResponseWriter, r *http.Request) {
	body, err := queryNumber(r, "body", 1, math.MaxInt64)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	limit, err := listLimit(r)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	list, err := a.db.PublicActions(r.Context(), body, limit)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"actions": nonNil(list)})
}

// actionsOf lists the actions a body called or joined that the caller may
// see, latest start first.
func (a *API) actionsOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		limit, err := listLimit(r)
		if err != nil {
			return nil, err
		}
		list, err := a.db.BodyActions(r.Context(), actor(r), body, limit)
		return map[string]any{"actions": nonNil(list)}, err
	})
}

// actionInput reads an action's fields as actions.Input, with start and end
// in RFC 3339: a time that does not parse is refused with its field named.
func (a *API) actionInput(w http.ResponseWriter, r *http.Request) (actions.Input, bool) {
	var in struct {
		actions.Input
		// These shadow Input's own, so that a bad time names its field.
		Start json.RawMessage `json:"start"`
		End   json.RawMessage `json:"end"`
	}
	if !a.input(w, r, &in) {
		return in.Input, false
	}
	start, err := jsonTime("start", in.Start)
	if err != nil {
		a.Error(w, r, err)
		return in.Input, false
	}
	end, err := jsonTime("end", in.End)
	if err != nil {
		a.Error(w, r, err)
		return in.Input, false
	}
	in.Input.Start = start
	if !end.IsZero() {
		in.Input.End = &end
	}
	return in.Input, true
}

// jsonTime reads an RFC 3339 time; absent or null is the zero time.
func jsonTime(field string, raw json.RawMessage) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, nil
	}
	var s string
	var t time.Time
	err := json.Unmarshal(raw, &s)
	if err == nil {
		t, err = time.Parse(time.RFC3339, s)
	}
	if err != nil {
		e := errs.New(errs.Invalid, "error.bad_json", fmt.Sprintf("field %q must be a time in RFC 3339, such as 2026-01-04T08:00:00-05:00", field))
		e.Field = field
		return t, e
	}
	return t, nil
}

// callAction calls an action in a body's name.
func (a *API) callAction(w http.ResponseWriter, r *http.Request) {
	in, ok := a.actionInput(w, r)
	if !ok {
		return
	}
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		act, err := a.db.CallAction(r.Context(), actor(r), body, in, a.places.Valid)
		if err == nil {
			w.Header().Set("Location", Prefix+"/actions/"+strconv.FormatInt(act.ID, 10))
		}
		return act, err
	})
}

// getAction answers with an action's page: the action, the bodies that
// joined it, a page of reports (older ones with ?before=), and the
// caller's bodies that may report, join, leave or mark it repressed.
func (a *API) getAction(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		before, err := queryNumber(r, "before", 1, math.MaxInt64)
		if err != nil {
			return nil, err
		}
		p, err := a.db.Action(r.Context(), actor(r), id, before)
		p.Adhesions, p.Reports = nonNil(p.Adhesions), nonNil(p.Reports)
		return p, err
	})
}

// editAction corrects an action: the whole of its fields, as when it was
// called.
func (a *API) editAction(w http.ResponseWriter, r *http.Request) {
	in, ok := a.actionInput(w, r)
	if !ok {
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		act, err := a.db.EditAction(r.Context(), actor(r), id, in, a.places.Valid)
		return act, err
	})
}

// actionNow answers a change with the action as it now stands.
func (a *API) actionNow(r *http.Request, id int64) (any, error) {
	p, err := a.db.Action(r.Context(), actor(r), id, 0)
	return p.Action, err
}

// setActionStatus moves an action on: ongoing, suspended, ended.
func (a *API) setActionStatus(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Status actions.Status `json:"status"`
	}
	if !a.input(w, r, &in) {
		return
	}
	switch {
	case in.Status == "":
		a.Error(w, r, errs.Field("status", "error.required"))
		return
	case !in.Status.Valid():
		a.Error(w, r, errs.Field("status", "action.status.unknown"))
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		if err := a.db.SetActionStatus(r.Context(), actor(r), id, in.Status); err != nil {
			return nil, err
		}
		return a.actionNow(r, id)
	})
}

// adhere joins an action in a body's name.
func (a *API) adhere(w http.ResponseWriter, r *http.Request) {
	var in struct {
		BodyID int64 `json:"body_id"`
	}
	if !a.input(w, r, &in) {
		return
	}
	if in.BodyID <= 0 {
		a.Error(w, r, errs.Field("body_id", "error.required"))
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		if err := a.db.Adhere(r.Context(), actor(r), id, in.BodyID); err != nil {
			return nil, err
		}
		return a.actionNow(r, id)
	})
}

// leaveAction takes a body's adhesion back. The answer is 204: the caller
// may no longer see the action once the body has left.
func (a *API) leaveAction(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		body, err := pathID(r, "body")
		if err != nil {
			return nil, err
		}
		return nil, a.db.LeaveAction(r.Context(), actor(r), id, body)
	})
}

// markRepressed marks an action as repressed, or takes the mark away.
func (a *API) markRepressed(w http.ResponseWriter, r *http.Request) {
	var in struct {
		BodyID    int64 `json:"body_id"`
		Repressed *bool `json:"repressed"`
	}
	if !a.input(w, r, &in) {
		return
	}
	switch {
	case in.BodyID <= 0:
		a.Error(w, r, errs.Field("body_id", "error.required"))
		return
	case in.Repressed == nil:
		a.Error(w, r, errs.Field("repressed", "error.required"))
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		if err := a.db.MarkRepressed(r.Context(), actor(r), id, in.BodyID, *in.Repressed); err != nil {
			return nil, err
		}
		return a.actionNow(r, id)
	})
}

// reportInput is a situation report as a client sends it.
type reportInput struct {
	BodyID int64  `json:"body_id"`
	Text   string `json:"text"`
}

// Limits of a report sent as multipart/form-data.
const (
	// formSlack is what a report's form may carry beside its photo.
	formSlack = 64 << 10
	// formValueMax is the most a text field is read.
	formValueMax = 16 << 10
)

// postReport posts a situation report in the name of a body that called or
// joined the action: JSON {"body_id", "text"}, or multipart/form-data with
// the fields body_id and text and, optionally, the file photo. The photo is
// re-encoded with nothing but its pixels before anything is stored.
func (a *API) postReport(w http.ResponseWriter, r *http.Request) {
	if _, err := pathID(r, "id"); err != nil {
		a.Error(w, r, err)
		return
	}
	var in reportInput
	var upload []byte // the photo as sent; nil without one
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		if !a.input(w, r, &in) {
			return
		}
	case "multipart/form-data":
		if !a.csrf(w, r) {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, photos.MaxBytes+formSlack)
		var err error
		if in, upload, err = readReportForm(r); err != nil {
			a.Error(w, r, err)
			return
		}
	default:
		a.Error(w, r, errs.New(errs.Invalid, "error.bad_json", "Content-Type must be application/json or multipart/form-data"))
		return
	}
	// Check what is cheap to check before decoding a photo.
	if in.BodyID <= 0 {
		a.Error(w, r, errs.Field("body_id", "error.required"))
		return
	}
	if _, err := actions.CleanReport(in.Text); err != nil {
		a.Error(w, r, err)
		return
	}
	var photo *store.Photo
	if upload != nil {
		p, err := cleanPhoto(r.Context(), upload)
		if err != nil {
			a.Error(w, r, err)
			return
		}
		photo = &store.Photo{Data: p.Data, Width: p.Width, Height: p.Height, SHA256: p.SHA256}
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		rep, err := a.db.PostReport(r.Context(), actor(r), id, in.BodyID, in.Text, photo)
		return rep, err
	})
}

// readReportForm reads a report sent as multipart/form-data, streaming: no
// part is written to disk. An unknown or repeated field is refused.
func readReportForm(r *http.Request) (reportInput, []byte, error) {
	var in reportInput
	var upload []byte
	mr, err := r.MultipartReader()
	if err != nil {
		return in, nil, errs.New(errs.Invalid, "error.bad_form")
	}
	seen := map[string]bool{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return in, nil, formError(err, "")
		}
		name := part.FormName()
		if seen[name] {
			return in, nil, errs.Field(name, "error.bad_form")
		}
		seen[name] = true
		switch name {
		case "body_id":
			s, err := formValue(part, name, 32)
			if err != nil {
				return in, nil, err
			}
			if s = strings.TrimSpace(s); s != "" {
				if in.BodyID, err = strconv.ParseInt(s, 10, 64); err != nil || in.BodyID <= 0 {
					return in, nil, errs.Field(name, "error.bad_form")
				}
			}
		case "text":
			if in.Text, err = formValue(part, name, formValueMax); err != nil {
				return in, nil, err
			}
		case "photo":
			br := bufio.NewReader(part)
			if _, err := br.Peek(1); err == io.EOF {
				// A form's file field with no file chosen.
				if part.FileName() != "" {
					return in, nil, errs.Field(name, "photo.empty")
				}
				continue
			}
			if upload, err = io.ReadAll(io.LimitReader(br, photos.MaxBytes+1)); err != nil {
				return in, nil, formError(err, name)
			}
			if len(upload) > photos.MaxBytes {
				return in, nil, errs.Field(name, "photo.too_large", photos.MaxBytes>>20)
			}
		default:
			return in, nil, errs.Field(name, "error.bad_form")
		}
	}
	return in, upload, nil
}

// formValue reads a text field of at most max bytes.
func formValue(part io.Reader, name string, max int64) (string, error) {
	b, err := io.ReadAll(io.LimitReader(part, max+1))
	switch {
	case err != nil:
		return "", formError(err, name)
	case int64(len(b)) > max && name == "text":
		return "", errs.Field(name, "error.too_long", actions.ReportMax)
	case int64(len(b)) > max:
		return "", errs.Field(name, "error.bad_form")
	}
	return string(b), nil
}

// formError says what went wrong reading a form: a body over the limit is
// a photo too large, anything else a broken form.
func formError(err error, field string) error {
	var big *http.MaxBytesError
	if errors.As(err, &big) {
		return errs.Field("photo", "photo.too_large", photos.MaxBytes>>20)
	}
	e := errs.New(errs.Invalid, "error.bad_form")
	e.Field = field
	return e
}

// photoSlots bounds how many photos are decoded at once: decoding one of
// photos.MaxPixels takes some hundred megabytes.
var photoSlots = make(chan struct{}, 2)

// cleanPhoto re-encodes an upload with nothing but its pixels.
func cleanPhoto(ctx context.Context, upload []byte) (photos.Photo, error) {
	select {
	case photoSlots <- struct{}{}:
	case <-ctx.Done():
		return photos.Photo{}, ctx.Err()
	}
	defer func() { <-photoSlots }()
	return photos.Clean(bytes.NewReader(upload))
}

// photo serves a report's photo to those who may see its action.
func (a *API) photo(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	data, err := a.db.ReportPhoto(r.Context(), actor(r), id)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "image/jpeg")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	// Who may see it depends on the viewer, and a phone may be seized:
	// nothing is kept in caches.
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(data)
}

// coordination answers with a body's coordinating view: the figures of
// the actions under it by kind, status and department, and a page of the
// timeline, under the filter of the query string.
func (a *API) coordination(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		q := r.URL.Query()
		f, err := actionFilter(q)
		if err != nil {
			return nil, err
		}
		cursor := q.Get("cursor")
		if _, _, err := store.ParseCursor(cursor); err != nil {
			return nil, errs.Field("cursor", "action.cursor.bad")
		}
		c, err := a.db.Coordinate(r.Context(), actor(r), body, f, cursor)
		c.Timeline = nonNil(c.Timeline)
		return c, err
	})
}

// actionFilter reads a coordinating view's filter from a query string:
// kind, status, active (a boolean), department (two digits), from and to
// (a date, taken at midnight in Peru, or an RFC 3339 time).
func actionFilter(q url.Values) (actions.Filter, error) {
	f := actions.Filter{
		Kind:       actions.Kind(q.Get("kind")),
		Status:     actions.Status(q.Get("status")),
		Department: q.Get("department"),
	}
	if s := q.Get("active"); s != "" {
		var err error
		if f.Active, err = strconv.ParseBool(s); err != nil {
			return f, errs.Field("active", "voting.choice.unknown", s)
		}
	}
	var err error
	if f.From, err = queryTime(q, "from"); err != nil {
		return f, err
	}
	if f.To, err = queryTime(q, "to"); err != nil {
		return f, err
	}
	return f, f.Clean()
}

// queryTime reads a date (midnight in Peru) or an RFC 3339 time from the
// query string; the zero time when absent.
func queryTime(q url.Values, name string) (time.Time, error) {
	s := q.Get(name)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, store.Lima); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, errs.Field(name, "meeting.date.invalid")
}

// dailySummary answers with what started, ended and was repressed on a
// day (?day=YYYY-MM-DD, Peru time; today by default) under a body.
func (a *API) dailySummary(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		day := time.Now().In(store.Lima)
		if s := r.URL.Query().Get("day"); s != "" {
			var err error
			if day, err = time.ParseInLocation(time.DateOnly, s, store.Lima); err != nil {
				return nil, errs.Field("day", "meeting.date.invalid")
			}
		}
		d, err := a.db.DailySummary(r.Context(), actor(r), body, day)
		d.Started, d.Ended, d.Repressed = nonNil(d.Started), nonNil(d.Ended), nonNil(d.Repressed)
		return d, err
	})
}
