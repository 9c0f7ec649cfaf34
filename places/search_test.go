package places_test

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"asamblea/places"
)

func codes(ps []places.Place) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Code
	}
	return out
}

func TestSearch(t *testing.T) {
	p := places.Peru()
	tests := map[string]struct {
		query string
		limit int
		first []string // the results start with these, in this order
		has   []string // the results include these
		none  bool     // no results
	}{
		"district":                       {query: "juliaca", first: []string{"211101"}},
		"district in capitals":           {query: "JULIACA", first: []string{"211101"}},
		"department, province, district": {query: "cusco", first: []string{"080000", "080100", "080101"}},
		"accents and ñ":                  {query: "ñuñoa", first: []string{"210806"}},
		"ñ in capitals":                  {query: "NUÑOA", first: []string{"210806"}},
		"without ñ":                      {query: "nunoa", first: []string{"210806"}},
		"capital Ñ alone":                {query: "Ñ", limit: 5, has: nil},
		"prefix":                         {query: "juli", first: []string{"210401", "211101"}},
		"accent in the data":             {query: "san roman", first: []string{"211100"}, has: []string{"211101"}},
		"accent in the query":            {query: "San Román", first: []string{"211100"}},
		"word prefix":                    {query: "roman", first: []string{"211100"}},
		"substring":                      {query: "liaca", has: []string{"211101"}},
		"name and department":            {query: "juliaca puno", first: []string{"211101"}},
		"name and province":              {query: "san miguel san roman", first: []string{"211105"}},
		"department by accent":           {query: "apurimac", first: []string{"030000"}},
		"code":                           {query: "211101", first: []string{"211101"}},
		"code prefix":                    {query: "2111", limit: 10, first: []string{"211100"}, has: []string{"211101", "211105"}},
		"hyphen":                         {query: "anco huallo", first: []string{"030602"}},
		"hyphen typed":                   {query: "Anco-Huallo", first: []string{"030602"}},
		"punctuation around":             {query: "  ¡Juliaca!  ", first: []string{"211101"}},
		"lima":                           {query: "lima", first: []string{"150000", "150100", "150101"}},
		"empty":                          {query: "", none: true},
		"spaces":                         {query: "   ", none: true},
		"punctuation only":               {query: "¿?-'", none: true},
		"nothing matches":                {query: "xyzzyq", none: true},
		"digits of no code":              {query: "99", none: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := p.Search(tt.query, tt.limit)
			limit := tt.limit
			if limit <= 0 {
				limit = places.DefaultLimit
			}
			if len(got) > limit {
				t.Errorf("Search(%q, %d) returned %d results", tt.query, tt.limit, len(got))
			}
			if tt.none {
				if len(got) != 0 {
					t.Errorf("Search(%q) = %v, want none", tt.query, codes(got))
				}
				return
			}
			if len(got) == 0 {
				t.Fatalf("Search(%q) found nothing", tt.query)
			}
			c := codes(got)
			if len(c) < len(tt.first) || !slices.Equal(c[:len(tt.first)], tt.first) {
				t.Errorf("Search(%q) = %v, want it to start with %v", tt.query, c, tt.first)
			}
			for _, h := range tt.has {
				if !slices.Contains(c, h) {
					t.Errorf("Search(%q) = %v, want it to include %s", tt.query, c, h)
				}
			}
		})
	}
}

// A prefix of a word ranks before a substring.
func TestSearchRanking(t *testing.T) {
	p := places.Peru()
	got := p.Search("juli", 50)
	c := codes(got)
	juliaca := slices.Index(c, "211101")
	if juliaca < 0 {
		t.Fatalf("Search(juli) = %v: no Juliaca", c)
	}
	// "Nueve de Julio" (a word starting with juli) before any name that
	// only contains juli.
	word := -1
	for i, pl := range got {
		if strings.HasPrefix(places.Fold(pl.Name), "nueve de julio") {
			word = i
		}
	}
	if word < 0 || word < juliaca {
		t.Errorf("Search(juli): word prefix at %d, Juliaca at %d", word, juliaca)
	}
	for i, pl := range got {
		f := " " + places.Fold(pl.Name)
		if !strings.Contains(f, " juli") {
			for _, later := range got[i:] {
				if strings.Contains(" "+places.Fold(later.Name), " juli") {
					t.Errorf("Search(juli): %s (substring) before %s (word prefix)", pl.Name, later.Name)
				}
			}
			break
		}
	}
	// Departments before provinces before districts among equal names.
	for _, q := range []string{"cusco", "lima", "puno", "tacna"} {
		got := p.Search(q, 3)
		if len(got) != 3 || got[0].Level != places.Department || got[1].Level != places.Province || got[2].Level != places.District {
			t.Errorf("Search(%q) = %v, want department, province, district", q, codes(got))
		}
	}
}

func TestSearchLimit(t *testing.T) {
	p := places.Peru()
	if got := len(p.Search("a", 0)); got != places.DefaultLimit {
		t.Errorf("Search(a, 0): %d results, want %d", got, places.DefaultLimit)
	}
	if got := len(p.Search("a", 3)); got != 3 {
		t.Errorf("Search(a, 3): %d results, want 3", got)
	}
	all := p.Search("a", p.Len())
	if len(all) < 1000 {
		t.Errorf("Search(a, Len()): %d results", len(all))
	}
	seen := map[string]bool{}
	for _, pl := range all {
		if seen[pl.Code] {
			t.Errorf("Search(a) returns %s twice", pl.Code)
		}
		seen[pl.Code] = true
	}
	// Long queries are cut, not refused.
	if got := p.Search("juliaca"+strings.Repeat(" ", 500)+"x", 5); len(got) != 1 || got[0].Code != "211101" {
		t.Errorf("long query: %v", codes(got))
	}
	if got := p.Search(strings.Repeat("ñ", 1000), 5); got != nil {
		t.Errorf("long query: %v", codes(got))
	}
}

func FuzzSearch(f *testing.F) {
	for _, s := range []string{"", "juliaca", "ÑUÑOA", "cusco cusco", "2111", "juli", "a b c d", "\xff\xfe", "ǅ", "'''", "-- -", "İstanbul"} {
		f.Add(s, 10)
	}
	p := places.Peru()
	f.Fuzz(func(t *testing.T, q string, limit int) {
		got := p.Search(q, limit)
		if limit <= 0 {
			limit = places.DefaultLimit
		}
		if len(got) > limit {
			t.Fatalf("Search(%q, %d): %d results", q, limit, len(got))
		}
		for _, pl := range got {
			if !p.Valid(pl.Code) {
				t.Fatalf("Search(%q) returned unknown %q", q, pl.Code)
			}
		}
		if places.Fold(q) == "" && len(got) > 0 {
			t.Fatalf("Search(%q) found %d places for an empty query", q, len(got))
		}
		f := places.Fold(q)
		if !utf8.ValidString(f) && utf8.ValidString(q) {
			t.Fatalf("Fold(%q) = %q is not UTF-8", q, f)
		}
		if ff := places.Fold(f); ff != f {
			t.Fatalf("Fold(Fold(%q)) = %q, want %q", q, ff, f)
		}
	})
}

var sink []places.Place

func BenchmarkSearch(b *testing.B) {
	p := places.Peru()
	for _, q := range []string{"j", "juli", "juliaca", "san", "ñuñoa", "cusco", "juliaca puno", "xyz"} {
		b.Run(q, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = p.Search(q, 10)
			}
		})
	}
}

// The autocomplete types one letter at a time.
func BenchmarkSearchKeystrokes(b *testing.B) {
	p := places.Peru()
	word := "san juan de lurigancho"
	b.ReportAllocs()
	for b.Loop() {
		for i := 1; i <= len(word); i++ {
			sink = p.Search(word[:i], 10)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(word)), "ns/keystroke")
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := places.Load(places.PeruData()); err != nil {
			b.Fatal(err)
		}
	}
}
