package web

import (
	"html"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/places"
	"asamblea/store"
)

type directoryData struct {
	Bodies []bodies.Body
	Query  string
}

func (s *Server) directory(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, err := s.db.PublicBodies(r.Context(), store.BodyFilter{Query: q, Place: r.URL.Query().Get("place"), Limit: 100})
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "bodies", s.page(r, "bodies.title", directoryData{Bodies: list, Query: q}))
}

type bodyFormData struct {
	Sectors    []bodies.Sector
	Candidates []places.Place // places matching the search, when there is no single match
	Action     string
	Edit       bool
}

func (s *Server) newBody(w http.ResponseWriter, r *http.Request) {
	p := s.page(r, "body.new.title", bodyFormData{Sectors: bodies.Sectors, Action: "/bodies"})
	p.Form.Set("public", "on")
	s.render(w, r, http.StatusOK, "body_form", p)
}

// placeFromForm resolves the place field: a code chosen from the list, a
// label picked from the autocomplete (ending in "(210101)"), or words to
// search. It returns the code, or the candidates to choose from.
func (s *Server) placeFromForm(f url.Values) (string, []places.Place) {
	if c := f.Get("place"); c != "" && s.places.Valid(c) {
		return c, nil
	}
	q := strings.TrimSpace(f.Get("place_q"))
	if i := strings.LastIndex(q, "("); i >= 0 && strings.HasSuffix(q, ")") {
		if c := q[i+1 : len(q)-1]; s.places.Valid(c) {
			return c, nil
		}
	}
	if s.places.Valid(q) {
		return q, nil
	}
	if q == "" {
		return "", nil
	}
	found := s.places.Search(q, 20)
	if len(found) == 1 {
		return found[0].Code, nil
	}
	return "", found
}

// bodyInput reads a body's profile from the form; on a place it cannot
// settle it offers candidates and renders tmpl with the error.
func (s *Server) bodyInput(w http.ResponseWriter, r *http.Request, p *Page, candidates *[]places.Place, tmpl string) (bodies.Input, bool) {
	f := r.PostForm
	if p.Form == nil {
		p.Form = url.Values{}
	}
	for _, k := range []string{"name", "sector", "description", "place_q", "public"} {
		p.Form.Set(k, f.Get(k))
	}
	code, found := s.placeFromForm(f)
	in := bodies.Input{Name: f.Get("name"), Sector: bodies.Sector(f.Get("sector")), Place: code, Description: f.Get("description"), Public: f.Get("public") == "on"}
	if code == "" {
		*candidates = found
		key := "body.place.choose"
		if len(found) == 0 {
			key = "body.place.none"
			if strings.TrimSpace(f.Get("place_q")) == "" {
				key = "error.required"
			}
		}
		s.fail(w, r, errs.Field("place", key), tmpl, p)
		return in, false
	}
	p.Form.Set("place_q", p.PlaceLabel(code)+" ("+code+")")
	return in, true
}

func (s *Server) createBody(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	d := &bodyFormData{Sectors: bodies.Sectors, Action: "/bodies"}
	p := s.page(r, "body.new.title", d)
	in, ok := s.bodyInput(w, r, p, &d.Candidates, "body_form")
	if !ok {
		return
	}
	b, err := s.db.CreateCommittee(r.Context(), httpauth.From(r).UserID(), in, s.places.Valid)
	if err != nil {
		s.fail(w, r, err, "body_form", p)
		return
	}
	redirect(w, r, "/bodies/"+strconv.FormatInt(b.ID, 10)+"?done=created")
}

func (s *Server) editBody(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	b, role, err := s.db.Body(r.Context(), httpauth.From(r).UserID(), id)
	if err == nil && role != bodies.Facilitator {
		err = errs.New(errs.Forbidden, "error.forbidden")
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "body.edit.title", bodyFormData{Sectors: bodies.Sectors, Action: "/bodies/" + r.PathValue("id") + "/edit", Edit: true})
	p.Form = url.Values{"name": {b.Name}, "sector": {string(b.Sector)}, "description": {b.Description}, "place_q": {p.PlaceLabel(b.Place) + " (" + b.Place + ")"}}
	if b.Public {
		p.Form.Set("public", "on")
	}
	s.render(w, r, http.StatusOK, "body_form", p)
}

func (s *Server) updateBody(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	d := &bodyFormData{Sectors: bodies.Sectors, Action: "/bodies/" + r.PathValue("id") + "/edit", Edit: true}
	p := s.page(r, "body.edit.title", d)
	in, ok := s.bodyInput(w, r, p, &d.Candidates, "body_form")
	if !ok {
		return
	}
	if _, err := s.db.UpdateBody(r.Context(), httpauth.From(r).UserID(), id, in, s.places.Valid); err != nil {
		s.fail(w, r, err, "body_form", p)
		return
	}
	redirect(w, r, "/bodies/"+r.PathValue("id")+"?done=saved")
}

// membersPerPage bounds the member list of a body page, affiliatesShown
// the list of an assembly's bodies (the federation page has them all).
const (
	membersPerPage  = 100
	affiliatesShown = 100
)

type bodyData struct {
	Body    bodies.Body
	Role    bodies.Role
	Members []bodies.Person
	Counts  store.RoleCounts
	Roles   []bodies.Role
	Rows    template.HTML // the member table's rows, see memberRows

	Assemblies     []store.Affiliation // the assemblies the body belongs to or asked to join
	Affiliates     []store.Affiliation // of an assembly: its bodies and requests
	MoreAffiliates int
	Page           int
	Pages          int
	PrevPage       int
	NextPage       int
}

// IsFacilitator reports whether the viewer facilitates the body.
func (d bodyData) IsFacilitator() bool { return d.Role == bodies.Facilitator }

// IsMember reports whether the viewer belongs to the body.
func (d bodyData) IsMember() bool { return d.Role != bodies.None }

func (s *Server) showBody(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	b, role, err := s.db.Body(r.Context(), viewer, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	d := bodyData{Body: b, Role: role, Roles: bodies.Roles, Page: 1}
	if role != bodies.None {
		if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 {
			d.Page = n
		}
		d.Members, d.Counts, err = s.db.Members(r.Context(), viewer, id, membersPerPage, (d.Page-1)*membersPerPage)
		if err != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		d.Pages = (b.Members + membersPerPage - 1) / membersPerPage
		if d.Page > 1 {
			d.PrevPage = d.Page - 1
		}
		if d.Page < d.Pages {
			d.NextPage = d.Page + 1
		}
	}
	if b.Public || role != bodies.None {
		if d.Assemblies, err = s.db.Assemblies(r.Context(), viewer, id); err != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		if b.Kind == bodies.Assembly {
			if d.Affiliates, err = s.db.Affiliates(r.Context(), viewer, id); err != nil {
				s.fail(w, r, err, "", nil)
				return
			}
			if len(d.Affiliates) > affiliatesShown {
				d.MoreAffiliates = len(d.Affiliates) - affiliatesShown
				d.Affiliates = d.Affiliates[:affiliatesShown]
			}
		}
	}
	p := s.page(r, "", nil)
	d.Rows = memberRows(p.L, b.ID, d.Members, d.IsFacilitator())
	p.Data = d
	p.Title = b.Name
	s.render(w, r, http.StatusOK, "body", p)
}

func (s *Server) bodyAction(w http.ResponseWriter, r *http.Request, fn func(actor, body int64) (string, error)) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	to, err := fn(httpauth.From(r).UserID(), id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, to)
}

type memberData struct {
	Body   bodies.Body
	Member bodies.Person
	Roles  []bodies.Role
}

func (s *Server) member(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	user, err := pathID(r, "user")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	actor := httpauth.From(r).UserID()
	d := memberData{Roles: bodies.Roles}
	if d.Member, err = s.db.Member(r.Context(), actor, id, user); err == nil {
		d.Body, _, err = s.db.Body(r.Context(), actor, id)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", d)
	p.Title = d.Member.Name
	s.render(w, r, http.StatusOK, "member", p)
}

func (s *Server) setRole(w http.ResponseWriter, r *http.Request) {
	s.bodyAction(w, r, func(actor, body int64) (string, error) {
		user, err := pathID(r, "user")
		if err != nil {
			return "", err
		}
		return "/bodies/" + r.PathValue("id") + "?done=role_changed", s.db.SetRole(r.Context(), actor, body, user, bodies.Role(r.PostForm.Get("role")))
	})
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	s.bodyAction(w, r, func(actor, body int64) (string, error) {
		user, err := pathID(r, "user")
		if err != nil {
			return "", err
		}
		return "/bodies/" + r.PathValue("id") + "?done=member_removed", s.db.RemoveMember(r.Context(), actor, body, user, r.PostForm.Get("reason"))
	})
}

func (s *Server) leave(w http.ResponseWriter, r *http.Request) {
	s.bodyAction(w, r, func(actor, body int64) (string, error) {
		return "/?done=left", s.db.Leave(r.Context(), actor, body)
	})
}

type invitationsData struct {
	Body        bodies.Body
	Invitations []bodies.Invitation
	New         *bodies.Invitation
	Link        string
}

func (s *Server) invitations(w http.ResponseWriter, r *http.Request) {
	s.renderInvitations(w, r, nil, http.StatusOK, nil)
}

func (s *Server) renderInvitations(w http.ResponseWriter, r *http.Request, inv *bodies.Invitation, status int, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	actor := httpauth.From(r).UserID()
	d := invitationsData{New: inv}
	if d.Body, _, err = s.db.Body(r.Context(), actor, id); err == nil {
		d.Invitations, err = s.db.Invitations(r.Context(), actor, id)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if inv != nil {
		scheme := "http"
		if httpauth.From(r).Secure {
			scheme = "https"
		}
		d.Link = scheme + "://" + r.Host + "/join/" + inv.Code
	}
	p := s.page(r, "invitations.title", d)
	p.Form.Set("max_uses", "1")
	p.Form.Set("days", "7")
	if formErr != nil {
		p.Form = r.PostForm
		s.fail(w, r, formErr, "invitations", p)
		return
	}
	s.render(w, r, status, "invitations", p)
}

func (s *Server) createInvitation(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	in := bodies.InvitationInput{Label: r.PostForm.Get("label")}
	in.MaxUses, _ = strconv.Atoi(r.PostForm.Get("max_uses"))
	in.Days, _ = strconv.Atoi(r.PostForm.Get("days"))
	inv, err := s.db.CreateInvitation(r.Context(), httpauth.From(r).UserID(), id, in)
	if err != nil {
		if errs.Is(err, errs.Invalid) {
			s.renderInvitations(w, r, nil, 0, err)
			return
		}
		s.fail(w, r, err, "", nil)
		return
	}
	s.renderInvitations(w, r, &inv, http.StatusCreated, nil)
}

func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	s.bodyAction(w, r, func(actor, body int64) (string, error) {
		inv, err := pathID(r, "inv")
		if err != nil {
			return "", err
		}
		return "/bodies/" + r.PathValue("id") + "/invitations?done=invitation_revoked", s.db.RevokeInvitation(r.Context(), actor, body, inv)
	})
}

type requestsData struct {
	Body     bodies.Body
	Requests []bodies.JoinRequest
}

func (s *Server) requests(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	actor := httpauth.From(r).UserID()
	var d requestsData
	if d.Body, _, err = s.db.Body(r.Context(), actor, id); err == nil {
		d.Requests, err = s.db.JoinRequests(r.Context(), actor, id)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "requests", s.page(r, "requests.title", d))
}

func (s *Server) requestToJoin(w http.ResponseWriter, r *http.Request) {
	s.bodyAction(w, r, func(actor, body int64) (string, error) {
		_, err := s.db.RequestToJoin(r.Context(), actor, body, r.PostForm.Get("message"))
		return "/bodies/" + r.PathValue("id") + "?done=requested", err
	})
}

func (s *Server) decideRequest(w http.ResponseWriter, r *http.Request) {
	s.bodyAction(w, r, func(actor, body int64) (string, error) {
		req, err := pathID(r, "req")
		if err != nil {
			return "", err
		}
		approve := r.PostForm.Get("decision") == "approve"
		return "/bodies/" + r.PathValue("id") + "/requests?done=decided", s.db.DecideRequest(r.Context(), actor, body, req, approve, r.PostForm.Get("reason"))
	})
}

type joinData struct {
	Body *bodies.Body
	Code string
}

func (s *Server) joinForm(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if code == "" {
		code = r.URL.Query().Get("code")
	}
	d := joinData{Code: bodies.NormalizeCode(code)}
	p := s.page(r, "join.title", &d)
	p.Form.Set("code", d.Code)
	if code != "" {
		b, err := s.db.InvitationBody(r.Context(), code)
		if err != nil {
			s.fail(w, r, err, "join", p)
			return
		}
		d.Body = &b
	}
	s.render(w, r, http.StatusOK, "join", p)
}

func (s *Server) join(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	code := r.PostForm.Get("code")
	d := joinData{Code: code}
	p := s.page(r, "join.title", &d)
	p.Form.Set("code", code)
	b, err := s.db.Join(r.Context(), httpauth.From(r).UserID(), code)
	if err != nil {
		s.fail(w, r, err, "join", p)
		return
	}
	redirect(w, r, "/bodies/"+strconv.FormatInt(b.ID, 10)+"?done=joined")
}

// memberRows renders the rows of a body's member table. It is the one place
// where HTML is written in Go rather than in a template: through
// html/template's reflection a hundred rows cost a millisecond, and this is
// the page large bodies open most. Every value is escaped here; the words
// come from the catalog like everywhere else.
func memberRows(l *i18n.Localizer, body int64, ms []bodies.Person, manage bool) template.HTML {
	labels := map[bodies.Role]string{}
	for _, r := range bodies.Roles {
		labels[r] = html.EscapeString(l.T("role." + string(r)))
	}
	link := html.EscapeString(l.T("body.manage"))
	prefix := "/bodies/" + strconv.FormatInt(body, 10) + "/members/"
	var b strings.Builder
	b.Grow(len(ms) * 96)
	for _, m := range ms {
		b.WriteString("<tr><td>")
		b.WriteString(html.EscapeString(m.Name))
		b.WriteString("</td><td>")
		b.WriteString(labels[m.Role])
		b.WriteString("</td>")
		if manage {
			b.WriteString(`<td><a href="`)
			b.WriteString(prefix)
			b.WriteString(strconv.FormatInt(m.UserID, 10))
			b.WriteString(`">`)
			b.WriteString(link)
			b.WriteString("</a></td>")
		}
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String()) // #nosec G203 -- every part escaped above
}
