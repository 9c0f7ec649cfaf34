package web

import (
	"bytes"
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"asamblea/errs"
	"asamblea/feeds"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/motions"
)

// Communiqués shown in the list and the feeds.
const communiquesShown = 30

// communiqueItem is a published decision in a list.
type communiqueItem struct {
	M       motions.Motion
	Excerpt string
	Result  string
}

type communiquesData struct {
	Items  []communiqueItem
	BodyID int64  // the list of one body, or 0 for all
	Body   string // its name
	Feed   string
}

// communiques is the public list of published decisions: of all bodies, or
// of one with ?body=.
func (s *Server) communiques(w http.ResponseWriter, r *http.Request) {
	body, err := queryID(r, "body")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	list, err := s.db.Communiques(r.Context(), body, communiquesShown)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "communiques.title", nil)
	d := communiquesData{Feed: "/communiques.atom"}
	if body > 0 {
		d.BodyID, d.Feed = body, "/bodies/"+strconv.FormatInt(body, 10)+"/communiques.atom"
		if len(list) > 0 {
			d.Body = list[0].BodyName
			p.Title = p.L.T("communiques.of", d.Body)
		}
	}
	for _, m := range list {
		d.Items = append(d.Items, communiqueItem{M: m, Excerpt: motions.Excerpt(m.Text, excerptRunes), Result: resultLine(p.L, m)})
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "communiques", p)
}

// resultLine says in one line what a published decision decided.
func resultLine(l *i18n.Localizer, m motions.Motion) string {
	s := l.T("motion.status." + m.Status)
	if m.IsOptions() && m.Decision != nil && m.Decision.Options != nil && len(m.Decision.Options.Winners) > 0 {
		s += ": " + strings.Join(m.Decision.Options.Winners, ", ")
	}
	return s
}

type communiqueData struct {
	M        motions.Motion
	Text     template.HTML
	Rule     string
	Quorum   string
	Decision *decisionView
}

// communique is a published decision's public page.
func (s *Server) communique(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	m, err := s.db.Communique(r.Context(), id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	p.Data = communiqueData{M: m, Text: motions.Format(m.Text), Rule: ruleText(p.L, m), Quorum: quorumText(p.L, m.Rule), Decision: decision(p.L, m)}
	p.Title = m.Title
	s.render(w, r, http.StatusOK, "communique", p)
}

// communiquesFeed is the Atom feed of the published decisions: of all
// bodies, or of body {id}.
func (s *Server) communiquesFeed(w http.ResponseWriter, r *http.Request) {
	var body int64
	if r.PathValue("id") != "" {
		var err error
		if body, err = pathID(r, "id"); err != nil {
			s.fail(w, r, err, "", nil)
			return
		}
	}
	list, err := s.db.Communiques(r.Context(), body, communiquesShown)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	l := s.cat.Localizer(httpauth.From(r).Lang)
	scheme := "http"
	if s.auth.IsSecure(r) {
		scheme = "https"
	}
	base := scheme + "://" + r.Host
	f := feeds.Feed{Title: l.T("communiques.title"), Link: base + "/communiques", SelfLink: base + "/communiques.atom", Lang: l.Lang}
	if body != 0 {
		name := ""
		if len(list) > 0 {
			name = list[0].BodyName
		} else if b, _, err := s.db.Body(r.Context(), 0, body); err == nil {
			name = b.Name
		} else if errs.Is(err, errs.NotFound) {
			s.fail(w, r, err, "", nil)
			return
		}
		id := strconv.FormatInt(body, 10)
		if name != "" {
			f.Title = l.T("communiques.of", name)
		}
		f.Link, f.SelfLink = base+"/communiques?body="+id, base+"/bodies/"+id+"/communiques.atom"
	}
	for _, m := range list {
		path := "/communiques/" + strconv.FormatInt(m.ID, 10)
		content := string(motions.Format(m.Text)) + "\n<p><strong>" + html.EscapeString(resultLine(l, m)) + "</strong> " +
			html.EscapeString(decision(l, m).When) + "</p>"
		f.Entries = append(f.Entries, feeds.Entry{
			ID:        feeds.TagURI(r.Host, m.PublishedAt, "communique/"+strconv.FormatInt(m.ID, 10)),
			Title:     m.Title,
			Link:      base + path,
			Summary:   motions.Excerpt(m.Text, excerptRunes),
			Content:   content,
			Author:    m.BodyName,
			Published: m.PublishedAt,
			Updated:   m.PublishedAt,
		})
	}
	s.serveAtom(w, r, f)
}

// serveAtom writes a public Atom feed, whole or not at all.
func (s *Server) serveAtom(w http.ResponseWriter, r *http.Request, f feeds.Feed) {
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/atom+xml; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=300")
	w.Write(buf.Bytes())
}
