package feeds

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

// FuzzWriteTo: whatever members typed, the feed is a well-formed XML
// document whose title reads back as the text typed, less what XML cannot
// carry; and tag URIs made from any host and path are printable ASCII
// without spaces.
func FuzzWriteTo(f *testing.F) {
	f.Add("Asamblea <Juliaca>", "Moción & acuerdo", "<p>hola</p>", "es", "example.org:8080", "motion/42", int64(1700000000))
	f.Add("\x00\x01\ufffe\uffff\x7f\u0085", "]]>", "\xff\xfe", "\"'", "EXAMPLE.org:x", "a b%2", int64(-62135596800))
	f.Add("\r\n\t", "&#0;", "<![CDATA[x]]>", "", "", "%zz%4", int64(253402300799))
	f.Fuzz(func(t *testing.T, title, entryTitle, content, lang, host, path string, unix int64) {
		at := time.Unix(unix, 0)
		feed := Feed{
			ID: TagURI(host, at, path), Title: title, Link: "https://" + host + "/" + path, Lang: lang, Updated: at,
			Entries: []Entry{{ID: TagURI(host, at, path+"/1"), Title: entryTitle, Summary: entryTitle, Content: content, Author: title, Published: at}},
		}
		for _, id := range []string{feed.ID, feed.Entries[0].ID} {
			for _, r := range id {
				if r <= ' ' || r > '~' {
					t.Fatalf("TagURI gave %q", id)
				}
			}
		}
		var b bytes.Buffer
		n, err := feed.WriteTo(&b)
		if err != nil {
			return // a time outside what RFC 3339 can write
		}
		if n != int64(b.Len()) {
			t.Fatalf("WriteTo returned %d, wrote %d", n, b.Len())
		}
		dec := xml.NewDecoder(&b)
		var texts []string
		inTitle := false
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("not well-formed: %v", err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				inTitle = tok.Name.Local == "title"
			case xml.EndElement:
				inTitle = false
			case xml.CharData:
				if inTitle {
					texts = append(texts, string(tok))
				}
			}
		}
		want := strings.TrimSpace(clean(title))
		if want != "" && (len(texts) == 0 || strings.TrimSpace(texts[0]) != want) {
			t.Fatalf("title %q reads back as %q", want, texts)
		}
	})
}
