// Package feeds writes Atom 1.0 feeds (RFC 4287), so that people can follow
// an assembly's motions, decisions and comments in a feed reader.
//
// It only writes: a Feed is filled by the caller and written with WriteTo.
// Text is never trusted: characters XML 1.0 forbids (most control characters)
// are dropped and everything else is escaped by encoding/xml, so any string a
// member typed gives a well-formed document. Times are written in UTC as
// RFC 3339. Entry and feed IDs should be stable tag: URIs made with TagURI.
package feeds

import (
	"encoding/xml"
	"io"
	"strings"
	"time"
)

// Namespace is the Atom 1.0 XML namespace.
const Namespace = "http://www.w3.org/2005/Atom"

// Feed is an Atom feed.
//
// ID is the feed's permanent identifier (a tag: URI from TagURI); when empty,
// SelfLink or else Link is used. Link is the page the feed follows (written as
// rel="alternate"), SelfLink the feed's own URL (rel="self"). Lang is the
// language of the text (xml:lang), such as "es".
//
// Updated is the time the feed last changed; when zero, the latest time of
// its entries is used, and the Unix epoch for a feed without entries, so that
// the element required by RFC 4287 is always there.
//
// RFC 4287 wants an author for the feed unless every entry has one; when an
// entry has no Author the feed is given one named after its Title.
type Feed struct {
	ID, Title, Link, SelfLink string
	Updated                   time.Time
	Lang                      string
	Entries                   []Entry
}

// Entry is one entry of a feed.
//
// ID is the entry's permanent identifier (a tag: URI from TagURI); when empty,
// Link is used. Link is the entry's page (rel="alternate"). Summary is plain
// text. Content is HTML, written escaped with type="html" for the reader to
// render; it should come from a trusted renderer such as motions.Format.
// Empty Summary, Content, Author and Published are left out.
//
// Updated is the time the entry last changed in a significant way; when zero,
// Published is used, and when that is zero too, the feed's Updated.
type Entry struct {
	ID, Title, Link, Summary, Content string
	Author                            string
	Published, Updated                time.Time
}

// WriteTo writes f as an Atom document, XML declaration included, to w. It
// returns the number of bytes written.
func (f Feed) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	if _, err := io.WriteString(cw, xml.Header); err != nil {
		return cw.n, err
	}
	enc := xml.NewEncoder(cw)
	enc.Indent("", "  ")
	if err := enc.Encode(f.doc()); err != nil {
		return cw.n, err
	}
	_, err := io.WriteString(cw, "\n")
	return cw.n, err
}

// doc builds the document written by WriteTo.
func (f Feed) doc() atomFeed {
	updated := f.Updated
	if updated.IsZero() {
		for _, e := range f.Entries {
			for _, t := range []time.Time{e.Updated, e.Published} {
				if t.After(updated) {
					updated = t
				}
			}
		}
	}
	if updated.IsZero() {
		updated = time.Unix(0, 0)
	}
	doc := atomFeed{
		Lang:    clean(f.Lang),
		ID:      clean(first(f.ID, f.SelfLink, f.Link)),
		Title:   clean(f.Title),
		Updated: stamp(updated),
		Links:   links(f.Link, "alternate", "text/html"),
	}
	doc.Links = append(doc.Links, links(f.SelfLink, "self", "application/atom+xml")...)
	for _, e := range f.Entries {
		if e.Author == "" && doc.Author == nil {
			doc.Author = &atomPerson{Name: clean(f.Title)}
		}
		entryUpdated := e.Updated
		if entryUpdated.IsZero() {
			entryUpdated = e.Published
		}
		if entryUpdated.IsZero() {
			entryUpdated = updated
		}
		ae := atomEntry{
			ID:      clean(first(e.ID, e.Link)),
			Title:   clean(e.Title),
			Links:   links(e.Link, "alternate", "text/html"),
			Updated: stamp(entryUpdated),
			Summary: clean(e.Summary),
		}
		if !e.Published.IsZero() {
			ae.Published = stamp(e.Published)
		}
		if e.Author != "" {
			ae.Author = &atomPerson{Name: clean(e.Author)}
		}
		if e.Content != "" {
			ae.Content = &atomContent{Type: "html", Body: clean(e.Content)}
		}
		doc.Entries = append(doc.Entries, ae)
	}
	return doc
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr,omitempty"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  *atomPerson `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID        string       `xml:"id"`
	Title     string       `xml:"title"`
	Links     []atomLink   `xml:"link"`
	Published string       `xml:"published,omitempty"`
	Updated   string       `xml:"updated"`
	Author    *atomPerson  `xml:"author"`
	Summary   string       `xml:"summary,omitempty"`
	Content   *atomContent `xml:"content"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomContent struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

// links returns a link to href, or none when href is empty.
func links(href, rel, typ string) []atomLink {
	if href == "" {
		return nil
	}
	return []atomLink{{Rel: rel, Type: typ, Href: clean(href)}}
}

// stamp formats t as RFC 3339 in UTC.
func stamp(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// first returns the first of ss that is not empty.
func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// clean drops what may not appear in an XML 1.0 document: invalid UTF-8,
// control characters other than tab, newline and carriage return, surrogates,
// U+FFFE and U+FFFF. DEL and the C1 controls, which XML 1.0 discourages, go
// too.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, 0x7F <= r && r <= 0x9F, r == 0xFFFE, r == 0xFFFF:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// TagURI returns a tag: URI (RFC 4151) "tag:host,2006-01-02:path", a
// permanent ID that does not change when the site moves. host is the site's
// domain name (lower-cased, any port dropped), date a day when the site owned
// it, taken in UTC, and path names the thing within the site, such as
// "motion/42". Characters of path not allowed in a tag URI are
// percent-encoded.
func TagURI(host string, date time.Time, path string) string {
	host = strings.ToLower(host)
	if h, port, ok := strings.Cut(host, ":"); ok && strings.Trim(port, "0123456789") == "" {
		host = h
	}
	var b strings.Builder
	b.WriteString("tag:")
	b.WriteString(tagEscape(host, false))
	b.WriteByte(',')
	b.WriteString(date.UTC().Format("2006-01-02"))
	b.WriteByte(':')
	b.WriteString(tagEscape(path, true))
	return b.String()
}

// tagEscape percent-encodes the bytes of s that are not allowed in the
// specific part of a tag URI (pchar, "/" and "?"), or in its authority name
// when specific is false. A "%" already starting an escape is kept.
func tagEscape(s string, specific bool) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '@'
		if specific {
			ok = ok || strings.IndexByte("!$&'()*+,;=:/?", c) >= 0 ||
				c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2])
		}
		if ok {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
