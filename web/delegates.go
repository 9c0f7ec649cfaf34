package web

import (
	"net/http"
	"strconv"
	"strings"

	"asamblea/bodies"
	"asamblea/delegates"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/store"
	"asamblea/tally"
)

type delegationData struct {
	Body       bodies.Body
	Role       bodies.Role
	Assemblies []store.Affiliation
	Delegates  []delegates.Delegate
	Elections  []delegates.Election
	Recalls    []delegates.Recall
}

// CanOpen reports whether the viewer may open elections.
func (d delegationData) CanOpen() bool { return d.Role == bodies.Facilitator }

// CanRecord reports whether the viewer may record mandates.
func (d delegationData) CanRecord() bool {
	return d.Role == bodies.Facilitator || d.Role == bodies.Secretary
}

// delegation is a body's page of delegates, elections and recalls.
func (s *Server) delegation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	var d delegationData
	d.Body, d.Role, err = s.db.Body(r.Context(), viewer, id)
	if err == nil {
		d.Delegates, err = s.db.Delegates(r.Context(), viewer, id)
	}
	if err == nil {
		d.Elections, err = s.db.Elections(r.Context(), viewer, id)
	}
	if err == nil {
		d.Recalls, err = s.db.Recalls(r.Context(), viewer, id)
	}
	if err == nil {
		d.Assemblies, err = s.db.Assemblies(r.Context(), viewer, id)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", d)
	p.Title = p.L.T("delegates.title", d.Body.Name)
	p.Form.Set("hours", "48")
	p.Form.Set("alternates", "1")
	s.render(w, r, http.StatusOK, "delegates", p)
}

func (s *Server) openElection(w http.ResponseWriter, r *http.Request) {
	s.bodyAction(w, r, func(actor, body int64) (string, error) {
		in := delegates.ElectionInput{Alternates: atoi(r.PostForm.Get("alternates")), Hours: atoi(r.PostForm.Get("hours")), Alternation: r.PostForm.Get("alternation") == "on"}
		in.Assembly, _ = strconv.ParseInt(r.PostForm.Get("assembly"), 10, 64)
		e, err := s.db.OpenElection(r.Context(), actor, body, in)
		return "/elections/" + strconv.FormatInt(e.ID, 10) + "?done=election_opened", err
	})
}

type electionData struct {
	Election delegates.Election
	Body     bodies.Body
	Standing []delegates.Candidate
	Slots    []int
	Rounds   []roundView
	Elected  []string
	Alts     []string
}

// Me returns the viewer's candidacy, if any.
func (d electionData) Me(id int64) *delegates.Candidate {
	for i, c := range d.Election.Candidates {
		if c.UserID == id {
			return &d.Election.Candidates[i]
		}
	}
	return nil
}

func (s *Server) election(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.renderElection(w, r, id, nil)
}

func (s *Server) renderElection(w http.ResponseWriter, r *http.Request, id int64, formErr error) {
	viewer := httpauth.From(r).UserID()
	e, err := s.db.Election(r.Context(), viewer, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	d := electionData{Election: e}
	if d.Body, _, err = s.db.Body(r.Context(), viewer, e.BodyID); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	for _, c := range e.Candidates {
		if c.Accepted {
			d.Standing = append(d.Standing, c)
		}
	}
	for i := range d.Standing {
		d.Slots = append(d.Slots, i+1)
	}
	p := s.page(r, "", nil)
	if e.Report != nil {
		d.Rounds = roundViews(p.L, e.Report)
		d.Elected = e.Report.Elected
	}
	if e.Status == "closed" {
		if ds, err := s.db.Delegates(r.Context(), viewer, e.BodyID); err == nil {
			for _, x := range ds {
				if x.ElectionID == e.ID && x.Status == delegates.Alternate {
					d.Alts = append(d.Alts, x.Name)
				}
			}
		}
	}
	p.Data = d
	p.Title = p.L.T("election.title", e.AssemblyName)
	if formErr != nil {
		p.Form = r.PostForm
		s.fail(w, r, formErr, "election", p)
		return
	}
	s.render(w, r, http.StatusOK, "election", p)
}

// electionAction runs fn for a posted form about election {id}; an invalid
// form shows the election page again with the error.
func (s *Server) electionAction(w http.ResponseWriter, r *http.Request, fn func(actor, election int64) error, done string) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if err := fn(httpauth.From(r).UserID(), id); err != nil {
		if e := errs.As(err); e.Code == errs.Invalid || e.Code == errs.Conflict {
			s.renderElection(w, r, id, err)
			return
		}
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, "/elections/"+r.PathValue("id")+"?done="+done)
}

func (s *Server) stand(w http.ResponseWriter, r *http.Request) {
	s.electionAction(w, r, func(actor, election int64) error {
		return s.db.Stand(r.Context(), actor, election, r.PostForm.Get("statement"), r.PostForm.Get("gender"))
	}, "candidacy")
}

func (s *Server) nominate(w http.ResponseWriter, r *http.Request) {
	s.electionAction(w, r, func(actor, election int64) error {
		u, err := s.db.UserByName(r.Context(), r.PostForm.Get("name"))
		if err != nil {
			return errs.Field("name", "body.member.not_found")
		}
		return s.db.Nominate(r.Context(), actor, election, u.ID)
	}, "nominated")
}

func (s *Server) ballot(w http.ResponseWriter, r *http.Request) {
	s.electionAction(w, r, func(actor, election int64) error {
		var ranking []int64
		for i := 1; i <= 50; i++ {
			v := r.PostForm.Get("pref" + strconv.Itoa(i))
			if v == "" {
				continue
			}
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errs.Field("ranking", "election.ranking.unknown")
			}
			ranking = append(ranking, id)
		}
		return s.db.CastRanking(r.Context(), actor, election, ranking)
	}, "voted")
}

func (s *Server) setMandate(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.db.SetMandate(r.Context(), httpauth.From(r).UserID(), id, r.PostForm.Get("mandate"))
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, localNext(r.PostForm.Get("next"), "/")+"?done=mandate")
}

func (s *Server) openRecall(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	var rc delegates.Recall
	if err == nil {
		rc, err = s.db.OpenRecall(r.Context(), httpauth.From(r).UserID(), id, r.PostForm.Get("reason"))
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, "/recalls/"+strconv.FormatInt(rc.ID, 10)+"?done=recall_opened")
}

type recallData struct {
	Recall delegates.Recall
	Body   bodies.Body
}

func (s *Server) recall(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	var d recallData
	if d.Recall, err = s.db.Recall(r.Context(), viewer, id); err == nil {
		d.Body, _, err = s.db.Body(r.Context(), viewer, d.Recall.BodyID)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", d)
	p.Title = p.L.T("recall.title", d.Recall.Delegate)
	s.render(w, r, http.StatusOK, "recall", p)
}

func (s *Server) voteRecall(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.db.VoteRecall(r.Context(), httpauth.From(r).UserID(), id, r.PostForm.Get("vote") == "yes")
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, "/recalls/"+r.PathValue("id")+"?done=voted")
}

// roundView is one round of a count as the page shows it.
type roundView struct {
	Title    string
	Quota    string
	Rows     []tally.Tally
	Statuses map[string]string
	Decided  []string
}

// roundViews renders a tally report's rounds in the reader's language; a
// code the catalog lacks shows as itself.
func roundViews(l *i18n.Localizer, rep *tally.Report) []roundView {
	code := func(prefix, c string) string {
		key := prefix + strings.SplitN(strings.SplitN(c, " ", 2)[0], ",", 2)[0]
		if t := l.T(key); t != key {
			return t
		}
		return c
	}
	var out []roundView
	for _, rd := range rep.Rounds {
		v := roundView{Title: l.T("tally.round", rd.Number, code("tally.action.", rd.Action)), Rows: rd.Tallies, Statuses: map[string]string{}}
		if rd.Subject != "" {
			v.Title += " · " + rd.Subject
		}
		if rd.Quota != "" {
			v.Quota = l.T("tally.quota", string(rd.Quota))
		}
		for _, t := range rd.Tallies {
			v.Statuses[t.Status] = code("tally.status.", t.Status)
		}
		for _, dc := range rd.Elected {
			v.Decided = append(v.Decided, l.T("tally.elected", dc.Name, code("tally.reason.", dc.Reason)))
		}
		for _, dc := range rd.Excluded {
			v.Decided = append(v.Decided, l.T("tally.excluded", dc.Name, code("tally.reason.", dc.Reason)))
		}
		out = append(out, v)
	}
	return out
}
