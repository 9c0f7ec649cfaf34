package api

import (
	"net/http"
	"strconv"

	"asamblea/actions"
	"asamblea/errs"
	"asamblea/httpauth"
)

// needRoutes lists the routes of needs, offers and pledges.
func (a *API) needRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	in := httpauth.SignedIn
	return []httpauth.Route{
		rt("GET", "/bodies/{id}/needs", in, a.needsOf),
		rt("POST", "/bodies/{id}/needs", in, a.postNeed),
		rt("POST", "/bodies/{id}/offers", in, a.postOffer),
		rt("GET", "/bodies/{id}/open-needs", in, a.openNeeds),
		rt("GET", "/needs/{id}", in, a.getNeed),
		rt("DELETE", "/needs/{id}", in, a.cancelNeed),
		rt("GET", "/needs/{id}/matches", in, a.needMatches),
		rt("GET", "/offers/{id}", in, a.getOffer),
		rt("DELETE", "/offers/{id}", in, a.withdrawOffer),
		rt("POST", "/offers/{id}/pledges", in, a.pledgeOffer),
		rt("POST", "/pledges/{id}/arrived", in, a.confirmArrival),
		rt("DELETE", "/pledges/{id}", in, a.cancelPledge),
	}
}

// supplyCoords gives a place's coordinates to the matching of offers.
func (a *API) supplyCoords(code string) (float64, float64, bool) {
	p, ok := a.places.Lookup(code)
	return p.Lat, p.Lon, ok
}

// needsOf lists a body's needs and offers, the open ones first.
func (a *API) needsOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		s, err := a.db.BodyNeeds(r.Context(), actor(r), body)
		return s, err
	})
}

// postNeed posts a need in a body's name.
func (a *API) postNeed(w http.ResponseWriter, r *http.Request) {
	var in actions.NeedInput
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		n, err := a.db.PostNeed(r.Context(), actor(r), body, in, a.places.Valid)
		if err == nil {
			w.Header().Set("Location", Prefix+"/needs/"+strconv.FormatInt(n.ID, 10))
		}
		return n, err
	})
}

// postOffer posts an offer in a body's name.
func (a *API) postOffer(w http.ResponseWriter, r *http.Request) {
	var in actions.OfferInput
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		o, err := a.db.PostOffer(r.Context(), actor(r), body, in, a.places.Valid)
		if err == nil {
			w.Header().Set("Location", Prefix+"/offers/"+strconv.FormatInt(o.ID, 10))
		}
		return o, err
	})
}

// openNeedsMax bounds the open needs one request lists.
const openNeedsMax = 500

// openNeeds lists the open needs of every body under an assembly, newest
// first: ?kind= narrows to one kind of resource, ?limit= (1 to 500, 100 by
// default) bounds the list; total counts them all.
func (a *API) openNeeds(w http.ResponseWriter, r *http.Request) {
	limit := 100
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > openNeedsMax {
			a.Error(w, r, errs.Field("limit", "need.limit", openNeedsMax))
			return
		}
		limit = n
	}
	kind := actions.Resource(r.URL.Query().Get("kind"))
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, total, err := a.db.OpenNeedsOfKind(r.Context(), actor(r), body, kind, limit)
		return map[string]any{"needs": list, "total": total}, err
	})
}

// getNeed answers a need with its pledges.
func (a *API) getNeed(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		n, err := a.db.Need(r.Context(), actor(r), id)
		return n, err
	})
}

// cancelNeed cancels a need, and the pledges to it still on their way.
func (a *API) cancelNeed(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		return nil, a.db.CancelNeed(r.Context(), actor(r), id)
	})
}

// needMatches proposes offers for a need, nearest first.
func (a *API) needMatches(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		ms, err := a.db.Matches(r.Context(), actor(r), id, a.supplyCoords)
		return map[string]any{"matches": ms}, err
	})
}

// getOffer answers an offer with its pledges.
func (a *API) getOffer(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		o, err := a.db.Offer(r.Context(), actor(r), id)
		return o, err
	})
}

// withdrawOffer withdraws an offer, and cancels its pledges still on their
// way.
func (a *API) withdrawOffer(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		return nil, a.db.WithdrawOffer(r.Context(), actor(r), id)
	})
}

// pledgeOffer pledges part of an offer to a need.
func (a *API) pledgeOffer(w http.ResponseWriter, r *http.Request) {
	var in struct {
		NeedID   int64 `json:"need_id"`
		Quantity int64 `json:"quantity"`
	}
	if !a.input(w, r, &in) {
		return
	}
	if in.NeedID <= 0 {
		a.Error(w, r, errs.Field("need_id", "error.required"))
		return
	}
	a.change(w, r, http.StatusCreated, func(offer int64) (any, error) {
		p, err := a.db.PledgeOffer(r.Context(), actor(r), offer, in.NeedID, in.Quantity)
		return p, err
	})
}

// confirmArrival records that a pledge arrived, and answers with its need
// (met once everything arrived).
func (a *API) confirmArrival(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		p, err := a.db.ConfirmArrival(r.Context(), actor(r), id)
		if err != nil {
			return nil, err
		}
		n, err := a.db.Need(r.Context(), actor(r), p.NeedID)
		return n, err
	})
}

// cancelPledge cancels a pledge still on its way.
func (a *API) cancelPledge(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, 0, func(id int64) (any, error) {
		return nil, a.db.CancelPledge(r.Context(), actor(r), id)
	})
}
