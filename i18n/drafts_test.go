package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestVarietiesMatch: the tags phones send for the Quechua and Aymara
// varieties of the southern Andes pick those catalogs, in the choice (cookie
// or ?lang=) and in Accept-Language.
func TestVarietiesMatch(t *testing.T) {
	c := MustLoad()
	tests := map[string]struct{ choice, accept, want string }{
		"qu":            {"qu", "", "qu"},
		"CuscoChoice":   {"quz", "", "qu"},
		"ChankaChoice":  {"quy", "", "qu"},
		"PeruChoice":    {"qu-PE", "", "qu"},
		"AymaraChoice":  {"ay", "", "ay"},
		"CentralAymara": {"ayr", "", "ay"},
		"AymaraPeru":    {"ay-PE", "", "ay"},
		"AcceptCusco":   {"", "quz-PE,es;q=0.8", "qu"},
		"AcceptChanka":  {"", "quy", "qu"},
		"AcceptAymara":  {"", "ayr-PE;q=0.9,es;q=0.5", "ay"},
		"SpanishFirst":  {"", "es-PE,quz;q=0.5", "es"},
		"AcceptAyPE":    {"", "ay-PE", "ay"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := c.Match(tc.choice, tc.accept); got != tc.want {
				t.Fatalf("Match(%q, %q) = %q, want %q", tc.choice, tc.accept, got, tc.want)
			}
		})
	}
}

func draftFixture() fstest.MapFS {
	return fstest.MapFS{
		"l/es.json":        {Data: []byte(`{"a": "uno", "b": "dos %d", "c": "tres %s", "p": {"one": "%d voto", "other": "%d votos"}, "lang.name": "Español"}`)},
		"l/en.json":        {Data: []byte(`{"a": "one", "b": "two %d", "c": "three %s", "p": {"one": "%d vote", "other": "%d votes"}, "lang.name": "English"}`)},
		"l/qu.json":        {Data: []byte(`{"a": "huk", "b": "iskay", "lang.name": "Runasimi", "zz": "mana kanchu"}`)},
		"review/qu.json":   {Data: []byte(`{"a": "reviewed", "b": "reviewed", "zz": "reviewed"}`)},
		"l/ay.json":        {Data: []byte(`{"a": "maya", "c": "kimsa %s", "p": {"one": "%d chhijllawi", "other": "%d chhijllawi"}, "lang.name": "Aymar aru"}`)},
		"l/ay.extra.json":  {Data: []byte(`{}`)},
		"review/ay.json":   {Data: []byte(`{}`)},
		"l/fr.json":        {Data: []byte(`{"a": "un"}`)},
		"review/none.json": {Data: []byte(`{}`)},
	}
}

// TestDraftFallsBackToSpanish: a message missing in a draft language, or
// whose verbs differ from the source, is shown in Spanish — never as its key
// and never in English — and is counted.
func TestDraftFallsBackToSpanish(t *testing.T) {
	c, err := LoadFS(draftFixture(), "l")
	if err != nil {
		t.Fatal(err)
	}
	qu := c.Localizer("qu")
	if got := qu.T("a"); got != "huk" {
		t.Errorf("translated message: %q", got)
	}
	if got := qu.T("b", 2); got != "dos 2" {
		t.Errorf("a translation that lost its %%d must fall back to Spanish, got %q", got)
	}
	if got := qu.T("c", "x"); got != "tres x" {
		t.Errorf("a missing message must be Spanish, got %q", got)
	}
	if got := qu.N("p", 3); got != "3 votos" {
		t.Errorf("a missing plural must be Spanish, got %q", got)
	}
	if got := c.Localizer("ay").N("p", 1); got != "1 chhijllawi" {
		t.Errorf("plural in ay: %q", got)
	}
	if c.Has("qu", "zz") {
		t.Error("a key the Spanish source lacks must be dropped")
	}
	byLang := map[string]Status{}
	for _, st := range c.Status() {
		byLang[st.Lang] = st
	}
	if q := byLang["qu"]; q.Keys != 5 || q.Translated != 2 || q.Reviewed != 1 || q.Fallback != 3 || strings.Join(q.Refused, ",") != "b,zz" {
		t.Errorf("qu status: %+v", q)
	}
	if a := byLang["ay"]; a.Translated != 4 || a.Reviewed != 0 || a.Fallback != 1 {
		t.Errorf("ay status: %+v", a)
	}
	if _, ok := byLang["fr"]; ok {
		t.Error("a catalog of a language not listed is not offered")
	}
	if !qu.Draft() || c.Localizer("es").Draft() {
		t.Error("qu is a draft, es is not")
	}
	if !c.Reviewed("qu", "a") || c.Reviewed("ay", "a") || !c.Reviewed("en", "a") {
		t.Error("review states")
	}
}

// TestDraftLanguageMayBeAbsent: a build without a draft catalog still loads
// and offers the complete languages only.
func TestDraftLanguageMayBeAbsent(t *testing.T) {
	fsys := draftFixture()
	delete(fsys, "l/qu.json")
	c, err := LoadFS(fsys, "l")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Offered(), ","); got != "es,en,ay" {
		t.Fatalf("offered %s", got)
	}
	if got := c.Match("qu", ""); got != "es" {
		t.Fatalf("qu without a catalog must not be chosen, got %s", got)
	}
}

func TestVerbs(t *testing.T) {
	tests := map[string]struct {
		a, b string
		same bool
	}{
		"Same":      {"%d de %s", "%d %s", true},
		"Indexed":   {"%d de %s", "%[2]s %[1]d", true},
		"Lost":      {"%d de %s", "%s", false},
		"Changed":   {"%d", "%s", false},
		"Percent":   {"50%% de %d", "%d 50%%", true},
		"NoVerbs":   {"hola", "napaykullayki", true},
		"ExtraVerb": {"hola", "%s", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := SameVerbs(tc.a, tc.b); got != tc.same {
				t.Fatalf("SameVerbs(%q, %q) = %v", tc.a, tc.b, got)
			}
		})
	}
}

// TestEmbeddedDrafts: the shipped qu and ay catalogs load, every message
// they hold has the Spanish verbs, and no draft is marked reviewed by anyone
// but a speaker (the review files start empty).
func TestEmbeddedDrafts(t *testing.T) {
	c := MustLoad()
	for _, st := range c.Status() {
		if len(st.Refused) > 0 {
			t.Errorf("%s: messages whose verbs differ from the Spanish or whose key is unknown: %v", st.Lang, st.Refused)
		}
		if IsDraft(st.Lang) && st.Translated == 0 {
			t.Errorf("%s: offered with no message of its own", st.Lang)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
