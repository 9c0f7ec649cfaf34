package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/federation"
	"asamblea/httpauth"
	"asamblea/places"
	"asamblea/store"
)

type assemblyFormData struct {
	Levels   []federation.Level
	Sectors  []bodies.Sector
	Founders []bodies.Membership // bodies the person facilitates

	Candidates []places.Place // places the name typed could be
}

// facilitated lists the bodies the person facilitates: those in whose name
// an assembly can be founded.
func (s *Server) facilitated(r *http.Request) ([]bodies.Membership, error) {
	ms, err := s.db.Memberships(r.Context(), httpauth.From(r).UserID())
	var out []bodies.Membership
	for _, m := range ms {
		if m.Role == bodies.Facilitator {
			out = append(out, m)
		}
	}
	return out, err
}

func (s *Server) newAssembly(w http.ResponseWriter, r *http.Request) {
	fs, err := s.facilitated(r)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "assembly.new.title", assemblyFormData{Levels: federation.Levels, Sectors: bodies.Sectors, Founders: fs})
	p.Form = url.Values{"public": {"on"}, "seat_mode": {federation.Proportional}, "seat_per": {"50"}, "seat_min": {"1"}, "seat_max": {"5"}, "seat_fixed": {"2"}, "sector": {"other"}}
	if from := r.URL.Query().Get("from"); from != "" {
		p.Form["founders"] = []string{from}
	}
	s.render(w, r, http.StatusOK, "assembly_form", p)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

func (s *Server) createAssembly(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	fs, err := s.facilitated(r)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	f := r.PostForm
	d := &assemblyFormData{Levels: federation.Levels, Sectors: bodies.Sectors, Founders: fs}
	p := s.page(r, "assembly.new.title", d)
	p.Form = f
	in, ok := s.bodyInput(w, r, p, &d.Candidates, "assembly_form")
	if !ok {
		return
	}
	p.Form = f
	ai := store.AssemblyInput{Input: in, Level: federation.Level(f.Get("level")),
		SeatRule: federation.SeatRule{Mode: f.Get("seat_mode"), Fixed: atoi(f.Get("seat_fixed")), PerSeat: atoi(f.Get("seat_per")), Min: atoi(f.Get("seat_min")), Max: atoi(f.Get("seat_max"))},
		Weighted: f.Get("weighted") != "", InitiativeThreshold: atoi(f.Get("initiative_threshold"))}
	if ai.SeatRule.Mode == federation.Fixed {
		ai.SeatRule.PerSeat, ai.SeatRule.Min, ai.SeatRule.Max = 0, 0, 0
	} else {
		ai.SeatRule.Fixed = 0
	}
	for _, v := range f["founders"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			ai.Founders = append(ai.Founders, id)
		}
	}
	b, err := s.db.CreateAssembly(r.Context(), httpauth.From(r).UserID(), ai, s.places.Valid)
	if err != nil {
		s.fail(w, r, err, "assembly_form", p)
		return
	}
	redirect(w, r, "/bodies/"+strconv.FormatInt(b.ID, 10)+"?done=assembly_created")
}

type affiliateData struct {
	Body       bodies.Body
	Query      string
	Assemblies []bodies.Body
}

// affiliate is where a facilitator finds an assembly for their body to join.
func (s *Server) affiliate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	d := affiliateData{Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	var role bodies.Role
	d.Body, role, err = s.db.Body(r.Context(), httpauth.From(r).UserID(), id)
	if err == nil && role != bodies.Facilitator {
		err = errs.New(errs.Forbidden, "error.forbidden")
	}
	if err == nil {
		d.Assemblies, err = s.db.PublicBodies(r.Context(), store.BodyFilter{Query: d.Query, Kind: bodies.Assembly, Limit: 50})
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "affiliate", s.page(r, "affiliation.title", d))
}

func (s *Server) requestAffiliation(w http.ResponseWriter, r *http.Request) {
	s.bodyAction(w, r, func(actor, body int64) (string, error) {
		assembly, err := strconv.ParseInt(r.PostForm.Get("assembly"), 10, 64)
		if err != nil {
			return "", errs.Field("assembly", "affiliation.not_assembly")
		}
		_, err = s.db.RequestAffiliation(r.Context(), actor, body, assembly, r.PostForm.Get("message"))
		return "/bodies/" + r.PathValue("id") + "?done=affiliation_requested", err
	})
}

func (s *Server) decideAffiliation(w http.ResponseWriter, r *http.Request) {
	s.bodyAction(w, r, func(actor, assembly int64) (string, error) {
		aff, err := pathID(r, "aff")
		if err != nil {
			return "", err
		}
		accept := r.PostForm.Get("decision") == "accept"
		return "/bodies/" + r.PathValue("id") + "?done=decided", s.db.DecideAffiliation(r.Context(), actor, assembly, aff, accept, r.PostForm.Get("reason"))
	})
}

func (s *Server) endAffiliation(w http.ResponseWriter, r *http.Request) {
	s.bodyAction(w, r, func(actor, body int64) (string, error) {
		aff, err := pathID(r, "aff")
		if err != nil {
			return "", err
		}
		return "/bodies/" + r.PathValue("id") + "?done=affiliation_ended", s.db.EndAffiliation(r.Context(), actor, aff, r.PostForm.Get("reason"))
	})
}

type federationData struct {
	Body bodies.Body
	store.Federation
	Map any
}

// federationPage shows the chain of assemblies above a body, the tree of
// bodies below it, and a map of Peru with the committees below by
// department.
func (s *Server) federationPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	f, err := s.db.Federation(r.Context(), viewer, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	d := federationData{Body: f.Down.Body, Federation: f}
	if d.Body.Kind == bodies.Assembly {
		d.Map = trustedSVG(s.places.DepartmentMap(places.MapOptions{
			Title:  p.L.T("federation.map", d.Body.Name),
			Counts: f.Departments,
			Label: func(code string, n int) string {
				pl, _ := s.places.Lookup(code)
				return p.L.N("federation.map.department", n, pl.Name)
			},
		}))
	}
	p.Data = d
	p.Title = p.L.T("federation.title", d.Body.Name)
	s.render(w, r, http.StatusOK, "federation", p)
}
