package feeds

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The document as a reader sees it, decoded independently of the writer's
// own types.
type readFeed struct {
	XMLName xml.Name     `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string       `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      string       `xml:"id"`
	Title   string       `xml:"title"`
	Updated string       `xml:"updated"`
	Authors []readPerson `xml:"author"`
	Links   []readLink   `xml:"link"`
	Entries []readEntry  `xml:"entry"`
}

type readEntry struct {
	ID        string       `xml:"id"`
	Title     string       `xml:"title"`
	Links     []readLink   `xml:"link"`
	Published string       `xml:"published"`
	Updated   string       `xml:"updated"`
	Authors   []readPerson `xml:"author"`
	Summary   string       `xml:"summary"`
	Content   *struct {
		Type string `xml:"type,attr"`
		Body string `xml:",chardata"`
	} `xml:"content"`
}

type readLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type readPerson struct {
	Name string `xml:"name"`
}

// write writes f and checks that the result is well-formed, strict XML.
func write(t *testing.T, f Feed) (string, readFeed) {
	t.Helper()
	var buf bytes.Buffer
	n, err := f.WriteTo(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo returned %d, wrote %d bytes", n, buf.Len())
	}
	out := buf.String()
	if !strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Fatalf("no XML declaration:\n%s", out)
	}
	dec := xml.NewDecoder(strings.NewReader(out))
	for {
		_, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, out)
		}
	}
	var got readFeed
	if err := xml.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return out, got
}

var (
	day1 = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	day2 = time.Date(2026, 3, 2, 18, 0, 0, 0, time.FixedZone("PET", -5*3600))
)

func TestWriteTo(t *testing.T) {
	f := Feed{
		ID:       "tag:asamblea.example,2026-01-01:body/7",
		Title:    "Asamblea de Pampa Alta",
		Link:     "https://asamblea.example/bodies/7",
		SelfLink: "https://asamblea.example/bodies/7/feed.atom",
		Updated:  day2,
		Lang:     "es",
		Entries: []Entry{{
			ID:        "tag:asamblea.example,2026-01-01:motion/1",
			Title:     "Arreglar el canal",
			Link:      "https://asamblea.example/motions/1",
			Summary:   "Que se arregle el canal antes de las lluvias.",
			Content:   "<p>Que se arregle el canal <strong>antes</strong> de las lluvias.</p>",
			Author:    "Rosa Quispe",
			Published: day1,
			Updated:   day2,
		}, {
			ID:        "tag:asamblea.example,2026-01-01:motion/2",
			Title:     "Faena del sábado",
			Link:      "https://asamblea.example/motions/2",
			Author:    "Juan Mamani",
			Published: day1,
		}},
	}
	out, got := write(t, f)
	if !strings.Contains(out, `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="es">`) {
		t.Errorf("root element:\n%s", out)
	}

	want := readFeed{
		XMLName: xml.Name{Space: Namespace, Local: "feed"},
		Lang:    "es",
		ID:      f.ID,
		Title:   f.Title,
		Updated: "2026-03-02T23:00:00Z",
		Links: []readLink{
			{"alternate", "text/html", f.Link},
			{"self", "application/atom+xml", f.SelfLink},
		},
		Entries: []readEntry{{
			ID:        f.Entries[0].ID,
			Title:     f.Entries[0].Title,
			Links:     []readLink{{"alternate", "text/html", f.Entries[0].Link}},
			Published: "2026-03-01T09:30:00Z",
			Updated:   "2026-03-02T23:00:00Z",
			Authors:   []readPerson{{"Rosa Quispe"}},
			Summary:   f.Entries[0].Summary,
		}, {
			ID:        f.Entries[1].ID,
			Title:     f.Entries[1].Title,
			Links:     []readLink{{"alternate", "text/html", f.Entries[1].Link}},
			Published: "2026-03-01T09:30:00Z",
			Updated:   "2026-03-01T09:30:00Z", // Published stands in
			Authors:   []readPerson{{"Juan Mamani"}},
		}},
	}
	if c := got.Entries[0].Content; c == nil || c.Type != "html" || c.Body != f.Entries[0].Content {
		t.Errorf("content = %+v, want type html and %q", c, f.Entries[0].Content)
	}
	if !strings.Contains(out, "&lt;strong&gt;antes&lt;/strong&gt;") {
		t.Errorf("HTML content not escaped:\n%s", out)
	}
	if got.Entries[1].Content != nil {
		t.Errorf("empty content written: %+v", got.Entries[1].Content)
	}
	got.Entries[0].Content = nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v\n%s", got, want, out)
	}
}

func TestWriteToEmpty(t *testing.T) {
	tests := map[string]struct {
		feed        Feed
		wantUpdated string
	}{
		"Zero":        {Feed{ID: "tag:a.example,2026-01-01:feed", Title: "Nada"}, "1970-01-01T00:00:00Z"},
		"WithUpdated": {Feed{ID: "tag:a.example,2026-01-01:feed", Title: "Nada", Updated: day1}, "2026-03-01T09:30:00Z"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, got := write(t, tc.feed)
			if got.Updated != tc.wantUpdated {
				t.Fatalf("updated = %q, want %q\n%s", got.Updated, tc.wantUpdated, out)
			}
			if got.ID != tc.feed.ID || got.Title != "Nada" || len(got.Entries) != 0 || len(got.Links) != 0 {
				t.Fatalf("got %+v\n%s", got, out)
			}
			if strings.Contains(out, "xml:lang") {
				t.Fatalf("empty xml:lang written:\n%s", out)
			}
		})
	}
}

func TestWriteToDefaults(t *testing.T) {
	f := Feed{
		Title:    "Pampa Alta",
		SelfLink: "https://a.example/feed.atom",
		Entries: []Entry{
			{Link: "https://a.example/m/1", Title: "Sin autor ni fechas"},
			{ID: "tag:a.example,2026-01-01:m/2", Title: "Con fecha", Author: "Ana", Updated: day2},
		},
	}
	out, got := write(t, f)
	if got.ID != f.SelfLink {
		t.Errorf("feed id = %q, want the self link", got.ID)
	}
	if got.Updated != "2026-03-02T23:00:00Z" {
		t.Errorf("feed updated = %q, want the latest entry's", got.Updated)
	}
	if !reflect.DeepEqual(got.Authors, []readPerson{{"Pampa Alta"}}) {
		t.Errorf("feed authors = %+v, want the title as author", got.Authors)
	}
	e := got.Entries[0]
	if e.ID != "https://a.example/m/1" || e.Updated != got.Updated || e.Published != "" || e.Summary != "" || len(e.Authors) != 0 {
		t.Errorf("entry = %+v\n%s", e, out)
	}
	if strings.Contains(out, "<published>") || strings.Contains(out, "<summary>") {
		t.Errorf("empty elements written:\n%s", out)
	}

	// When every entry has an author, the feed needs none.
	f.Entries = f.Entries[1:]
	if _, got := write(t, f); len(got.Authors) != 0 {
		t.Errorf("feed authors = %+v, want none", got.Authors)
	}
}

func TestWriteToHostile(t *testing.T) {
	hostile := []string{
		"]]>",
		"<![CDATA[x]]>",
		"</title><script>alert(1)</script>",
		"a < b && c > d",
		`"quoted" 'single'`,
		"&amp; &lt; &#0; &#x1;",
		"bell\a nul\x00 esc\x1b del\x7f c1\u0085 ff\f vt\v",
		"invalid \xff\xfe utf-8",
		"non-characters \uFFFE\uFFFF",
		"tab\tnewline\ncarriage\r\nend",
		"ñandú 🦙 中文",
	}
	want := []string{
		"]]>",
		"<![CDATA[x]]>",
		"</title><script>alert(1)</script>",
		"a < b && c > d",
		`"quoted" 'single'`,
		"&amp; &lt; &#0; &#x1;",
		"bell nul esc del c1 ff vt",
		"invalid  utf-8",
		"non-characters ",
		"tab\tnewline\ncarriage\r\nend",
		"ñandú 🦙 中文",
	}
	for i, s := range hostile {
		f := Feed{
			ID: s, Title: s, Link: s, SelfLink: s, Lang: s, Updated: day1,
			Entries: []Entry{{ID: s, Title: s, Link: s, Summary: s, Content: s, Author: s, Published: day1}},
		}
		_, got := write(t, f)
		e := got.Entries[0]
		for _, v := range []string{got.ID, got.Title, got.Lang, got.Links[0].Href, got.Links[1].Href,
			e.ID, e.Title, e.Links[0].Href, e.Summary, e.Content.Body, e.Authors[0].Name} {
			if v != want[i] {
				t.Errorf("%q: read back %q, want %q", s, v, want[i])
			}
		}
	}
}

// errWriter fails after accepting limit bytes.
type errWriter struct{ limit int }

func (w *errWriter) Write(p []byte) (int, error) {
	if len(p) > w.limit {
		n := w.limit
		w.limit = 0
		return n, errors.New("disk full")
	}
	w.limit -= len(p)
	return len(p), nil
}

func TestWriteToError(t *testing.T) {
	f := Feed{ID: "x", Title: "y", Entries: []Entry{{ID: "z", Title: strings.Repeat("t", 10000)}}}
	for _, limit := range []int{0, 10, 100, 5000} {
		n, err := f.WriteTo(&errWriter{limit: limit})
		if err == nil {
			t.Fatalf("limit %d: no error", limit)
		}
		if n != int64(limit) {
			t.Errorf("limit %d: WriteTo returned %d", limit, n)
		}
	}
}

func TestTagURI(t *testing.T) {
	date := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC)
	tests := map[string]struct {
		host string
		date time.Time
		path string
		want string
	}{
		"Plain":      {"asamblea.example", date, "motion/42", "tag:asamblea.example,2026-01-02:motion/42"},
		"Slash":      {"asamblea.example", date, "/motions/42", "tag:asamblea.example,2026-01-02:/motions/42"},
		"Query":      {"asamblea.example", date, "feed?body=7&x=1", "tag:asamblea.example,2026-01-02:feed?body=7&x=1"},
		"Upper":      {"Asamblea.EXAMPLE", date, "Motion/1", "tag:asamblea.example,2026-01-02:Motion/1"},
		"Port":       {"localhost:8080", date, "m/1", "tag:localhost,2026-01-02:m/1"},
		"UTC":        {"a.example", time.Date(2026, 1, 1, 22, 0, 0, 0, time.FixedZone("PET", -5*3600)), "m", "tag:a.example,2026-01-02:m"},
		"Escaped":    {"a.example", date, "año 2026#<x>", "tag:a.example,2026-01-02:a%C3%B1o%202026%23%3Cx%3E"},
		"Percent":    {"a.example", date, "a%20b%zz%", "tag:a.example,2026-01-02:a%20b%25zz%25"},
		"Email":      {"actas@a.example", date, "m/1", "tag:actas@a.example,2026-01-02:m/1"},
		"EmptyPath":  {"a.example", date, "", "tag:a.example,2026-01-02:"},
		"HostileHst": {"a.example/x,y", date, "m", "tag:a.example%2Fx%2Cy,2026-01-02:m"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := TagURI(tc.host, tc.date, tc.path); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
