package api

import (
	"net/http"
	"strconv"
	"strings"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/store"
)

func (a *API) myBodies(w http.ResponseWriter, r *http.Request) {
	ms, err := a.db.Memberships(r.Context(), actor(r))
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"memberships": nonNil(ms)})
}

func (a *API) listBodies(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.BodyFilter{Query: strings.TrimSpace(q.Get("q")), Place: q.Get("place"), Kind: bodies.Kind(q.Get("kind"))}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	if f.Offset < 0 {
		f.Offset = 0
	}
	list, err := a.db.PublicBodies(r.Context(), f)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"bodies": nonNil(list)})
}

func (a *API) createBody(w http.ResponseWriter, r *http.Request) {
	var in bodies.Input
	if !a.decode(w, r, &in) {
		return
	}
	b, err := a.db.CreateCommittee(r.Context(), actor(r), in, a.places.Valid)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/bodies/"+strconv.FormatInt(b.ID, 10))
	writeJSON(w, http.StatusCreated, b)
}

type bodyView struct {
	bodies.Body
	Role bodies.Role `json:"role,omitempty"`
}

func (a *API) getBody(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	b, role, err := a.db.Body(r.Context(), actor(r), id)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, bodyView{Body: b, Role: role})
}

func (a *API) updateBody(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	var in bodies.Input
	if !a.decode(w, r, &in) {
		return
	}
	b, err := a.db.UpdateBody(r.Context(), actor(r), id, in, a.places.Valid)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

func (a *API) members(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	limit, err := queryCount(r, "limit")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	offset, err := queryCount(r, "offset")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	list, counts, err := a.db.Members(r.Context(), actor(r), id, int(min(limit, 1<<20)), int(min(offset, 1<<30)))
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"members": nonNil(list), "counts": counts})
}

// change runs fn on the {id} of the path (a body, an election, a recall…)
// and writes its result, or 204 when it has none.
func (a *API) change(w http.ResponseWriter, r *http.Request, status int, fn func(body int64) (any, error)) {
	id, err := pathID(r, "id")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	v, err := fn(id)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	if v == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, status, v)
}

func (a *API) setRole(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Role bodies.Role `json:"role"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	a.change(w, r, 0, func(body int64) (any, error) {
		user, err := pathID(r, "user")
		if err != nil {
			return nil, err
		}
		return nil, a.db.SetRole(r.Context(), actor(r), body, user, in.Role)
	})
}

func (a *API) removeMember(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	a.change(w, r, 0, func(body int64) (any, error) {
		user, err := pathID(r, "user")
		if err != nil {
			return nil, err
		}
		return nil, a.db.RemoveMember(r.Context(), actor(r), body, user, in.Reason)
	})
}

func (a *API) leave(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, 0, func(body int64) (any, error) {
		return nil, a.db.Leave(r.Context(), actor(r), body)
	})
}

func (a *API) invitations(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.Invitations(r.Context(), actor(r), body)
		return map[string]any{"invitations": nonNil(list)}, err
	})
}

func (a *API) createInvitation(w http.ResponseWriter, r *http.Request) {
	var in bodies.InvitationInput
	if !a.decode(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		inv, err := a.db.CreateInvitation(r.Context(), actor(r), body, in)
		return inv, err
	})
}

func (a *API) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, 0, func(body int64) (any, error) {
		inv, err := pathID(r, "inv")
		if err != nil {
			return nil, err
		}
		return nil, a.db.RevokeInvitation(r.Context(), actor(r), body, inv)
	})
}

func (a *API) requests(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.JoinRequests(r.Context(), actor(r), body)
		return map[string]any{"requests": nonNil(list)}, err
	})
}

func (a *API) requestToJoin(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Message string `json:"message"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		req, err := a.db.RequestToJoin(r.Context(), actor(r), body, in.Message)
		return req, err
	})
}

func (a *API) decideRequest(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Approve *bool  `json:"approve"`
		Reason  string `json:"reason"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	if in.Approve == nil {
		a.Error(w, r, errs.Field("approve", "error.required"))
		return
	}
	a.change(w, r, 0, func(body int64) (any, error) {
		req, err := pathID(r, "req")
		if err != nil {
			return nil, err
		}
		return nil, a.db.DecideRequest(r.Context(), actor(r), body, req, *in.Approve, in.Reason)
	})
}

func (a *API) journal(w http.ResponseWriter, r *http.Request) {
	after, err := queryCount(r, "after")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	limit, err := queryCount(r, "limit")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		es, err := a.db.BodyJournal(r.Context(), actor(r), body, after, int(min(limit, 1<<20)))
		return map[string]any{"entries": nonNil(es)}, err
	})
}

func (a *API) join(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Code string `json:"code"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	b, err := a.db.Join(r.Context(), actor(r), in.Code)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// invitationBody shows which body an invitation code leads to, before
// joining; a private body shows only its name and kind.
func (a *API) invitationBody(w http.ResponseWriter, r *http.Request) {
	b, err := a.db.InvitationBody(r.Context(), r.PathValue("code"))
	if err != nil {
		a.Error(w, r, err)
		return
	}
	if !b.Public {
		b = bodies.Body{ID: b.ID, Kind: b.Kind, Name: b.Name}
	}
	writeJSON(w, http.StatusOK, b)
}

func (a *API) searchPlaces(w http.ResponseWriter, r *http.Request) {
	n, err := queryCount(r, "limit")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	limit := int(n)
	if limit <= 0 || limit > 50 {
		limit = 20
	}
	type place struct {
		Code  string `json:"code"`
		Label string `json:"label"`
		Level string `json:"level"`
	}
	out := []place{}
	for _, p := range a.places.Search(r.URL.Query().Get("q"), limit) {
		out = append(out, place{Code: p.Code, Label: p.Label(), Level: p.Level.String()})
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, http.StatusOK, map[string]any{"places": out})
}

func (a *API) getPlace(w http.ResponseWriter, r *http.Request) {
	p, ok := a.places.Lookup(r.PathValue("code"))
	if !ok {
		a.Error(w, r, errs.New(errs.NotFound, "body.place.unknown", r.PathValue("code")))
		return
	}
	writeJSON(w, http.StatusOK, p)
}
