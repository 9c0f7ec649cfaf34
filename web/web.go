// Package web serves asamblea's pages: server-rendered HTML that works with
// JavaScript off, in the reader's language. Handlers only translate HTTP:
// they read forms, call the store's services and render templates.
package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"asamblea/accounts"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/places"
	"asamblea/store"
)

//go:embed templates/*.html
var templatesFS embed.FS

//go:embed static
var staticFS embed.FS

// Server renders the pages.
type Server struct {
	db     *store.DB
	cat    *i18n.Catalogs
	places *places.Table
	auth   *httpauth.Auth
	hasher accounts.Hasher
	log    *slog.Logger
	pages  map[string]*template.Template
}

// New parses the templates and returns the page server.
func New(db *store.DB, cat *i18n.Catalogs, pl *places.Table, auth *httpauth.Auth, hasher accounts.Hasher, log *slog.Logger) (*Server, error) {
	s := &Server{db: db, cat: cat, places: pl, auth: auth, hasher: hasher, log: log, pages: map[string]*template.Template{}}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templatesFS, "templates/layout.html", "templates/initiative_send.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(templatesFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(templatesFS, n)
		if err != nil {
			return nil, err
		}
		s.pages[name] = t
	}
	return s, nil
}

// TemplatesFS exposes the templates to tests that check them for literals.
func TemplatesFS() fs.FS { return templatesFS }

// Page is what every template receives.
type Page struct {
	L      *i18n.Localizer
	ID     *httpauth.Identity
	Title  string
	Path   string
	Flash  string
	Error  string            // a message about the whole form
	Errors map[string]string // messages by field
	Form   url.Values
	Data   any
	Unread int // the signed-in person's unread notices

	places *places.Table
}

// PlaceLabel renders a UBIGEO code as "Juliaca — San Román, Puno".
func (p *Page) PlaceLabel(code string) string {
	if pl, ok := p.places.Lookup(code); ok {
		return pl.Label()
	}
	return code
}

// Langs lists the languages of the switch.
func (p *Page) Langs() []Lang {
	var ls []Lang
	for _, l := range p.L.Offered() {
		ls = append(ls, Lang{Code: l, Name: i18n.LanguageNames[l], Current: l == p.L.Lang})
	}
	return ls
}

// Lang is one entry of the language switch.
type Lang struct {
	Code, Name string
	Current    bool
}

func (s *Server) page(r *http.Request, titleKey string, data any) *Page {
	id := httpauth.From(r)
	l := s.cat.Localizer(id.Lang)
	p := &Page{L: l, ID: id, Path: pathWithout(r.URL, "done"), Data: data, Form: url.Values{}, Errors: map[string]string{}, places: s.places}
	if titleKey != "" {
		p.Title = l.T(titleKey)
	}
	if id.User != nil {
		p.Unread, _ = s.db.UnreadNotices(r.Context(), id.User.ID)
	}
	if done := r.URL.Query().Get("done"); done != "" && s.cat.Has(l.Lang, "flash."+done) {
		p.Flash = l.T("flash." + done)
	}
	return p
}

// render writes a page. Templates render into a buffer first so that a
// template error becomes a clean 500, never half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("unknown template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("render", "template", name, "err", err)
		http.Error(w, p.L.T("error.internal"), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", p.L.Lang)
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows err: field errors on the form page given, anything else on the
// error page. Internal errors are logged and shown only as "internal error".
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error, formPage string, p *Page) {
	e := errs.As(err)
	if e.Code == errs.Internal {
		s.log.Error("request failed", "route", r.Pattern, "err", err)
	}
	if p == nil {
		p = s.page(r, "", nil)
	}
	msg := p.L.T(e.Key, e.Args...)
	if e.Code == errs.Unauthorized && formPage == "" {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if formPage != "" && (e.Code == errs.Invalid || e.Code == errs.Conflict || e.Code == errs.Unauthorized || e.Code == errs.TooMany || e.Code == errs.NotFound && e.Field != "") {
		if e.Field != "" {
			p.Errors[e.Field] = msg
		}
		p.Error = msg
		s.render(w, r, errs.Status(e.Code), formPage, p)
		return
	}
	p.Title = p.L.T("error.title")
	p.Error = msg
	s.render(w, r, errs.Status(e.Code), "error", p)
}

// form parses a posted form and checks its CSRF token. A bad token is a 403
// with nothing done.
func (s *Server) form(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errs.New(errs.Invalid, "error.bad_form"), "", nil)
		return false
	}
	if !httpauth.CheckCSRF(r, r.PostForm.Get("csrf")) {
		s.fail(w, r, errs.New(errs.Forbidden, "error.csrf"), "", nil)
		return false
	}
	return true
}

// pathID reads a numeric path value.
func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.New(errs.NotFound, "error.not_found")
	}
	return n, nil
}

// queryID reads an optional positive number (an id, a page's ?before=)
// from the query string: 0 when absent, a clear error when it is not one,
// rather than the page of something else.
func queryID(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.Field(name, "error.bad_number")
	}
	return n, nil
}

// localNext returns next if it is a path on this site, else fallback. A
// control character is refused anywhere: browsers drop tabs and newlines
// from a Location, so "/\t/evil.example" would lead off the site.
func localNext(next, fallback string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") && !strings.ContainsFunc(next, unicode.IsControl) {
		return next
	}
	return fallback
}

func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther) // #nosec G710 -- to is an internal path or passed localNext, which keeps it on this site (FuzzLocalNext)
}

// Routes lists the pages.
func (s *Server) Routes() []httpauth.Route {
	pub, in := httpauth.Public, httpauth.SignedIn
	routes := []httpauth.Route{
		{Method: "GET", Pattern: "/{$}", Access: pub, Handler: s.home},
		{Method: "GET", Pattern: "/signup", Access: pub, Handler: s.signupForm},
		{Method: "POST", Pattern: "/signup", Access: pub, Handler: s.signup},
		{Method: "GET", Pattern: "/login", Access: pub, Handler: s.loginForm},
		{Method: "POST", Pattern: "/login", Access: pub, Handler: s.login},
		{Method: "POST", Pattern: "/logout", Access: in, Handler: s.logout},
		{Method: "POST", Pattern: "/lang", Access: pub, Handler: s.setLang},
		{Method: "GET", Pattern: "/account", Access: in, Handler: s.account},
		{Method: "POST", Pattern: "/account/sessions/{id}/end", Access: in, Handler: s.endSession},
		{Method: "POST", Pattern: "/account/password", Access: in, Handler: s.changePassword},
		{Method: "POST", Pattern: "/account/tokens", Access: in, Handler: s.createToken},
		{Method: "POST", Pattern: "/account/tokens/{id}/revoke", Access: in, Handler: s.revokeToken},
		{Method: "GET", Pattern: "/account/export", Access: in, Handler: s.exportAccount},
		{Method: "POST", Pattern: "/account/delete", Access: in, Handler: s.deleteAccount},
		{Method: "POST", Pattern: "/account/journal/{seq}/erase", Access: in, Handler: s.eraseWords},
		{Method: "GET", Pattern: "/bodies", Access: pub, Handler: s.directory},
		{Method: "GET", Pattern: "/bodies/new", Access: in, Handler: s.newBody},
		{Method: "POST", Pattern: "/bodies", Access: in, Handler: s.createBody},
		{Method: "GET", Pattern: "/bodies/{id}", Access: pub, Handler: s.showBody},
		{Method: "GET", Pattern: "/bodies/{id}/edit", Access: in, Handler: s.editBody},
		{Method: "POST", Pattern: "/bodies/{id}/edit", Access: in, Handler: s.updateBody},
		{Method: "GET", Pattern: "/bodies/{id}/members/{user}", Access: in, Handler: s.member},
		{Method: "POST", Pattern: "/bodies/{id}/members/{user}/role", Access: in, Handler: s.setRole},
		{Method: "POST", Pattern: "/bodies/{id}/members/{user}/remove", Access: in, Handler: s.removeMember},
		{Method: "POST", Pattern: "/bodies/{id}/leave", Access: in, Handler: s.leave},
		{Method: "GET", Pattern: "/bodies/{id}/invitations", Access: in, Handler: s.invitations},
		{Method: "POST", Pattern: "/bodies/{id}/invitations", Access: in, Handler: s.createInvitation},
		{Method: "POST", Pattern: "/bodies/{id}/invitations/{inv}/revoke", Access: in, Handler: s.revokeInvitation},
		{Method: "GET", Pattern: "/bodies/{id}/requests", Access: in, Handler: s.requests},
		{Method: "POST", Pattern: "/bodies/{id}/requests", Access: in, Handler: s.requestToJoin},
		{Method: "POST", Pattern: "/bodies/{id}/requests/{req}/decide", Access: in, Handler: s.decideRequest},
		{Method: "GET", Pattern: "/join", Access: pub, Handler: s.joinForm},
		{Method: "GET", Pattern: "/join/{code}", Access: pub, Handler: s.joinForm},
		{Method: "POST", Pattern: "/join", Access: in, Handler: s.join},
		{Method: "GET", Pattern: "/assemblies/new", Access: in, Handler: s.newAssembly},
		{Method: "POST", Pattern: "/assemblies", Access: in, Handler: s.createAssembly},
		{Method: "GET", Pattern: "/bodies/{id}/federation", Access: pub, Handler: s.federationPage},
		{Method: "GET", Pattern: "/bodies/{id}/affiliate", Access: in, Handler: s.affiliate},
		{Method: "POST", Pattern: "/bodies/{id}/affiliations", Access: in, Handler: s.requestAffiliation},
		{Method: "POST", Pattern: "/bodies/{id}/affiliations/{aff}/decide", Access: in, Handler: s.decideAffiliation},
		{Method: "POST", Pattern: "/bodies/{id}/affiliations/{aff}/end", Access: in, Handler: s.endAffiliation},
		{Method: "GET", Pattern: "/bodies/{id}/delegates", Access: in, Handler: s.delegation},
		{Method: "POST", Pattern: "/bodies/{id}/elections", Access: in, Handler: s.openElection},
		{Method: "GET", Pattern: "/elections/{id}", Access: in, Handler: s.election},
		{Method: "POST", Pattern: "/elections/{id}/stand", Access: in, Handler: s.stand},
		{Method: "POST", Pattern: "/elections/{id}/nominate", Access: in, Handler: s.nominate},
		{Method: "POST", Pattern: "/elections/{id}/ballot", Access: in, Handler: s.ballot},
		{Method: "POST", Pattern: "/delegates/{id}/mandate", Access: in, Handler: s.setMandate},
		{Method: "POST", Pattern: "/delegates/{id}/recall", Access: in, Handler: s.openRecall},
		{Method: "GET", Pattern: "/recalls/{id}", Access: in, Handler: s.recall},
		{Method: "POST", Pattern: "/recalls/{id}/vote", Access: in, Handler: s.voteRecall},
		{Method: "GET", Pattern: "/notices", Access: in, Handler: s.notices},
		{Method: "GET", Pattern: "/static/{file}", Access: pub, Handler: s.static},
	}
	routes = append(routes, s.motionRoutes()...)
	routes = append(routes, s.meetingRoutes()...)
	routes = append(routes, s.actionRoutes()...)
	routes = append(routes, s.pollRoutes()...)
	routes = append(routes, s.sheetRoutes()...)
	routes = append(routes, s.rightsRoutes()...)
	return append(routes, s.needRoutes()...)
}

// static serves the embedded stylesheet and script, cached for a day.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(staticFS, "static/"+name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Write(b) // #nosec G705 -- an embedded static file of the program, not request data
}

// NotFound renders the not-found page for paths no route matches.
func (s *Server) NotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, errs.New(errs.NotFound, "error.not_found"), "", nil)
}

// pathWithout is the request's path and query less one parameter (so that
// switching language does not show a notice again).
func pathWithout(u *url.URL, param string) string {
	q := u.Query()
	if !q.Has(param) {
		return u.RequestURI()
	}
	q.Del(param)
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Encode()
}

// trustedSVG marks as safe the SVG that package places draws: it escapes
// every text it writes and holds no script or inline style.
func trustedSVG(svg string) template.HTML {
	return template.HTML(svg) // #nosec G203 -- places.DepartmentMap escapes all text
}

// funcs are the few functions templates need beyond the page's methods.
var funcs = template.FuncMap{
	// treeOf pairs a federation node with the localizer, for the recursive
	// "tree" template.
	"treeOf": func(l *i18n.Localizer, n *store.FederationNode) treeData {
		return treeData{L: l, FederationNode: n}
	},
	// upRoot makes a list of nodes the children of an empty root.
	"upRoot": func(ns []*store.FederationNode) *store.FederationNode {
		return &store.FederationNode{Children: ns}
	},
}

type treeData struct {
	L *i18n.Localizer
	*store.FederationNode
}
