package api

import (
	"net/http"
	"strconv"

	"asamblea/errs"
)

// refer puts an assembly's motion to its bases for some hours.
func (a *API) refer(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Hours int `json:"hours"`
	}
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		ref, err := a.db.Refer(r.Context(), actor(r), id, in.Hours)
		if err == nil {
			w.Header().Set("Location", Prefix+"/referrals/"+strconv.FormatInt(ref.ID, 10))
		}
		return ref, err
	})
}

func (a *API) referralOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		ref, err := a.db.ReferralOf(r.Context(), actor(r), id)
		return ref, err
	})
}

// aggregation is a referral's live result.
func (a *API) aggregation(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		agg, err := a.db.Aggregation(r.Context(), actor(r), id)
		return agg, err
	})
}

// baseResults is how the bodies right below an assembly decided on its
// referred motion, and which are still deciding.
func (a *API) baseResults(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		list, err := a.db.BaseResults(r.Context(), actor(r), id)
		return map[string]any{"bases": nonNil(list)}, err
	})
}

// motionVotes lists the delegates' public votes on an assembly motion.
func (a *API) motionVotes(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		list, err := a.db.MotionVotes(r.Context(), actor(r), id)
		return map[string]any{"votes": nonNil(list)}, err
	})
}

func (a *API) instructions(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.Instructions(r.Context(), actor(r), body)
		return map[string]any{"instructions": nonNil(list)}, err
	})
}

// votingRecord lists the votes of a base's delegates; with ?deviations=1
// only those against the base's instruction.
func (a *API) votingRecord(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		var deviations bool
		if s := r.URL.Query().Get("deviations"); s != "" {
			var err error
			if deviations, err = strconv.ParseBool(s); err != nil {
				return nil, errs.Field("deviations", "voting.choice.unknown", s)
			}
		}
		list, err := a.db.VotingRecord(r.Context(), actor(r), body, deviations)
		return map[string]any{"votes": nonNil(list)}, err
	})
}

// compliance lists a base's delegates with how often they followed its
// instructions.
func (a *API) compliance(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.Compliance(r.Context(), actor(r), body)
		return map[string]any{"compliance": nonNil(list)}, err
	})
}
