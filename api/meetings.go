package api

import (
	"net/http"
	"strconv"

	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/motions"
)

// meetingRoutes lists the routes of physical meetings, initiatives sent up
// to an assembly, and what awaits the caller.
func (a *API) meetingRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	in := httpauth.SignedIn
	return []httpauth.Route{
		rt("GET", "/bodies/{id}/meetings", in, a.meetingsOf),
		rt("POST", "/bodies/{id}/meetings", in, a.recordMeeting),
		rt("GET", "/meetings/{id}", in, a.getMeeting),
		rt("POST", "/meetings/{id}/confirmation", in, a.confirmMeeting),
		rt("POST", "/motions/{id}/initiatives", in, a.sendInitiative),
		rt("GET", "/bodies/{id}/initiatives", in, a.initiativesOf),
		rt("POST", "/initiatives/{id}/endorsements", in, a.endorseInitiative),
		rt("GET", "/me/awaiting", in, a.awaiting),
	}
}

func (a *API) meetingsOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.Meetings(r.Context(), actor(r), body)
		return map[string]any{"meetings": nonNil(list)}, err
	})
}

// recordMeeting records a meeting and the counts of its show of hands; its
// decisions wait for a second member to confirm the record.
func (a *API) recordMeeting(w http.ResponseWriter, r *http.Request) {
	var in motions.MeetingInput
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		g, err := a.db.RecordMeeting(r.Context(), actor(r), body, in)
		if err == nil {
			w.Header().Set("Location", Prefix+"/meetings/"+strconv.FormatInt(g.ID, 10))
		}
		return g, err
	})
}

func (a *API) getMeeting(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		g, err := a.db.Meeting(r.Context(), actor(r), id)
		return g, err
	})
}

// confirmMeeting confirms a meeting record, which puts its decisions into
// effect, and answers with the record.
func (a *API) confirmMeeting(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		if err := a.db.ConfirmMeeting(r.Context(), actor(r), id); err != nil {
			return nil, err
		}
		g, err := a.db.Meeting(r.Context(), actor(r), id)
		return g, err
	})
}

// sendInitiative sends a body's decided motion up to an assembly.
func (a *API) sendInitiative(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Assembly int64 `json:"assembly"`
	}
	if !a.input(w, r, &in) {
		return
	}
	if in.Assembly <= 0 {
		a.Error(w, r, errs.Field("assembly", "error.required"))
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		ini, err := a.db.SendInitiative(r.Context(), actor(r), id, in.Assembly)
		return ini, err
	})
}

// initiativesOf lists the initiatives sent to an assembly.
func (a *API) initiativesOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(assembly int64) (any, error) {
		list, err := a.db.Initiatives(r.Context(), actor(r), assembly)
		return map[string]any{"initiatives": nonNil(list)}, err
	})
}

// endorseInitiative endorses an initiative in the name of a body of the
// assembly.
func (a *API) endorseInitiative(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body int64 `json:"body"`
	}
	if !a.input(w, r, &in) {
		return
	}
	if in.Body <= 0 {
		a.Error(w, r, errs.Field("body", "error.required"))
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		return nil, a.db.EndorseInitiative(r.Context(), actor(r), id, in.Body)
	})
}

func (a *API) awaiting(w http.ResponseWriter, r *http.Request) {
	list, err := a.db.Awaiting(r.Context(), actor(r))
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"awaiting": nonNil(list)})
}
