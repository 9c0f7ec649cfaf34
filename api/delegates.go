package api

import (
	"net/http"

	"asamblea/delegates"
	"asamblea/errs"
)

func (a *API) delegatesOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.Delegates(r.Context(), actor(r), body)
		return map[string]any{"delegates": nonNil(list)}, err
	})
}

func (a *API) electionsOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.Elections(r.Context(), actor(r), body)
		return map[string]any{"elections": nonNil(list)}, err
	})
}

func (a *API) openElection(w http.ResponseWriter, r *http.Request) {
	var in delegates.ElectionInput
	if !a.decode(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		e, err := a.db.OpenElection(r.Context(), actor(r), body, in)
		return e, err
	})
}

func (a *API) getElection(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		e, err := a.db.Election(r.Context(), actor(r), id)
		return e, err
	})
}

func (a *API) stand(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Statement string `json:"statement"`
		Gender    string `json:"gender"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		return nil, a.db.Stand(r.Context(), actor(r), id, in.Statement, in.Gender)
	})
}

func (a *API) nominate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		User int64 `json:"user"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) { return nil, a.db.Nominate(r.Context(), actor(r), id, in.User) })
}

func (a *API) castBallot(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Ranking []int64 `json:"ranking"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) { return nil, a.db.CastRanking(r.Context(), actor(r), id, in.Ranking) })
}

func (a *API) setMandate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Mandate string `json:"mandate"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) { return nil, a.db.SetMandate(r.Context(), actor(r), id, in.Mandate) })
}

func (a *API) openRecall(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Reason string `json:"reason"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		rc, err := a.db.OpenRecall(r.Context(), actor(r), id, in.Reason)
		return rc, err
	})
}

func (a *API) recallsOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.Recalls(r.Context(), actor(r), body)
		return map[string]any{"recalls": nonNil(list)}, err
	})
}

func (a *API) getRecall(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		rc, err := a.db.Recall(r.Context(), actor(r), id)
		return rc, err
	})
}

func (a *API) voteRecall(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Yes *bool `json:"yes"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	if in.Yes == nil {
		a.Error(w, r, errs.Field("yes", "error.required"))
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) { return nil, a.db.VoteRecall(r.Context(), actor(r), id, *in.Yes) })
}
