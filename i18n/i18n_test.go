package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestPlural(t *testing.T) {
	c := MustLoad()
	tests := map[string]struct {
		lang string
		n    int
		want string
	}{
		"EsOne":     {"es", 1, "1 miembro"},
		"EsZero":    {"es", 0, "0 miembros"},
		"EsMany":    {"es", 2, "2 miembros"},
		"EsMillion": {"es", 1000000, "1000000 de miembros"},
		"EnOne":     {"en", 1, "1 member"},
		"EnMany":    {"en", 5, "5 members"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := c.Localizer(tc.lang).N("body.members", tc.n); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	c := MustLoad()
	tests := map[string]struct{ choice, accept, want string }{
		"Default":         {"", "", "es"},
		"Choice":          {"en", "es", "en"},
		"UnknownChoice":   {"xx", "en-GB", "en"},
		"Accept":          {"", "en-GB,en;q=0.9", "en"},
		"Unsupported":     {"", "de-DE", "es"},
		"GarbageHeader":   {"", ";;;q=zz,", "es"},
		"RegionalSpanish": {"", "es-419", "es"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := c.Match(tc.choice, tc.accept); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMissingKeyShowsKey(t *testing.T) {
	if got := MustLoad().Localizer("en").T("no.such.key"); got != "no.such.key" {
		t.Fatal(got)
	}
}

func FuzzMatch(f *testing.F) {
	c := MustLoad()
	for _, s := range []string{"es-PE,es;q=0.9,en;q=0.8", "en", "*", "qu;q=abc", ""} {
		f.Add("", s)
	}
	f.Fuzz(func(t *testing.T, choice, accept string) {
		got := c.Match(choice, accept)
		if !c.Has(got, "lang.name") {
			t.Fatalf("Match(%q, %q) = %q, not a supported language", choice, accept, got)
		}
	})
}

func TestCatalogParts(t *testing.T) {
	fsys := fstest.MapFS{
		"l/es.json":         {Data: []byte(`{"a": "uno"}`)},
		"l/es.motions.json": {Data: []byte(`{"b": "dos"}`)},
		"l/en.json":         {Data: []byte(`{"a": "one", "b": "two"}`)},
	}
	c, err := LoadFS(fsys, "l")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Has("es", "a") || !c.Has("es", "b") || c.Has("en", "c") {
		t.Fatalf("parts not merged: %v", c.Keys("es"))
	}
	fsys["l/es.more.json"] = &fstest.MapFile{Data: []byte(`{"b": "otra vez"}`)}
	if _, err := LoadFS(fsys, "l"); err == nil || !strings.Contains(err.Error(), `"b"`) {
		t.Fatalf("a key in two files must be refused, got %v", err)
	}
}
