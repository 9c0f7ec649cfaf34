package api

import (
	"net/http"
	"strconv"

	"asamblea/errs"
	"asamblea/store"
)

func (a *API) createAssembly(w http.ResponseWriter, r *http.Request) {
	var in store.AssemblyInput
	if !a.decode(w, r, &in) {
		return
	}
	b, err := a.db.CreateAssembly(r.Context(), actor(r), in, a.places.Valid)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	w.Header().Set("Location", Prefix+"/bodies/"+strconv.FormatInt(b.ID, 10))
	writeJSON(w, http.StatusCreated, b)
}

func (a *API) affiliates(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.Affiliates(r.Context(), actor(r), body)
		return map[string]any{"affiliations": nonNil(list)}, err
	})
}

func (a *API) assemblies(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.Assemblies(r.Context(), actor(r), body)
		return map[string]any{"affiliations": nonNil(list)}, err
	})
}

func (a *API) requestAffiliation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Assembly int64  `json:"assembly"`
		Message  string `json:"message"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	if in.Assembly <= 0 {
		a.Error(w, r, errs.Field("assembly", "error.required"))
		return
	}
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		f, err := a.db.RequestAffiliation(r.Context(), actor(r), body, in.Assembly, in.Message)
		return f, err
	})
}

func (a *API) decideAffiliation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Accept *bool  `json:"accept"`
		Reason string `json:"reason"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	if in.Accept == nil {
		a.Error(w, r, errs.Field("accept", "error.required"))
		return
	}
	a.change(w, r, 0, func(assembly int64) (any, error) {
		aff, err := pathID(r, "aff")
		if err != nil {
			return nil, err
		}
		return nil, a.db.DecideAffiliation(r.Context(), actor(r), assembly, aff, *in.Accept, in.Reason)
	})
}

func (a *API) endAffiliation(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	aff, err := pathID(r, "aff")
	if err == nil {
		err = a.db.EndAffiliation(r.Context(), actor(r), aff, in.Reason)
	}
	if err != nil {
		a.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) federation(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		f, err := a.db.Federation(r.Context(), actor(r), body)
		return f, err
	})
}
