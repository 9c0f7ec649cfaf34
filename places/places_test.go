package places_test

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"asamblea/places"
)

func TestPeruCounts(t *testing.T) {
	p := places.Peru()
	for level, want := range map[places.Level]int{places.Department: 25, places.Province: 196, places.District: 1893} {
		if got := p.Count(level); got != want {
			t.Errorf("Count(%s) = %d, want %d", level, got, want)
		}
	}
	if got := p.Len(); got != 25+196+1893 {
		t.Errorf("Len() = %d, want %d", got, 25+196+1893)
	}
	if got := len(p.Departments()); got != 25 {
		t.Errorf("len(Departments()) = %d, want 25", got)
	}
	if places.Peru() != p {
		t.Error("Peru() loaded twice")
	}
}

func TestPeruLookup(t *testing.T) {
	p := places.Peru()
	tests := map[string]struct {
		code  string
		ok    bool
		want  places.Place
		label string
	}{
		"district Puno": {code: "210101", ok: true, want: places.Place{
			Code: "210101", Level: places.District, Name: "Puno", Province: "Puno", Department: "Puno",
			DepartmentCode: "210000", ProvinceCode: "210100", MacroRegion: "Sur"},
			label: "Puno — Puno, Puno"},
		"district Cusco": {code: "080101", ok: true, want: places.Place{
			Code: "080101", Level: places.District, Name: "Cusco", Province: "Cusco", Department: "Cusco",
			DepartmentCode: "080000", ProvinceCode: "080100", MacroRegion: "Sur"},
			label: "Cusco — Cusco, Cusco"},
		"district Juliaca": {code: "211101", ok: true, want: places.Place{
			Code: "211101", Level: places.District, Name: "Juliaca", Province: "San Román", Department: "Puno",
			DepartmentCode: "210000", ProvinceCode: "211100", MacroRegion: "Sur"},
			label: "Juliaca — San Román, Puno"},
		"province San Román": {code: "211100", ok: true, want: places.Place{
			Code: "211100", Level: places.Province, Name: "San Román", Province: "San Román", Department: "Puno",
			DepartmentCode: "210000", ProvinceCode: "211100", MacroRegion: "Sur"},
			label: "San Román — Puno"},
		"department Puno": {code: "210000", ok: true, want: places.Place{
			Code: "210000", Level: places.Department, Name: "Puno", Department: "Puno",
			DepartmentCode: "210000", MacroRegion: "Sur"},
			label: "Puno"},
		"department with accent": {code: "100000", ok: true, want: places.Place{
			Code: "100000", Level: places.Department, Name: "Huánuco", Department: "Huánuco",
			DepartmentCode: "100000", MacroRegion: "Centro"},
			label: "Huánuco"},
		"Lima Metropolitana": {code: "150132", ok: true, want: places.Place{
			Code: "150132", Level: places.District, Name: "San Juan de Lurigancho", Province: "Lima", Department: "Lima",
			DepartmentCode: "150000", ProvinceCode: "150100", MacroRegion: "Lima Metropolitana"},
			label: "San Juan de Lurigancho — Lima, Lima"},
		"district with Ñ": {code: "210806", ok: true, want: places.Place{
			Code: "210806", Level: places.District, Name: "Nuñoa", Province: "Melgar", Department: "Puno",
			DepartmentCode: "210000", ProvinceCode: "210800", MacroRegion: "Sur"},
			label: "Nuñoa — Melgar, Puno"},
		"no such code":     {code: "999999"},
		"letters":          {code: "abc"},
		"empty":            {code: ""},
		"too short":        {code: "21010"},
		"too long":         {code: "2101010"},
		"spaces":           {code: " 210101"},
		"no such province": {code: "219900"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, ok := p.Lookup(tt.code)
			if ok != tt.ok {
				t.Fatalf("Lookup(%q) ok = %v, want %v", tt.code, ok, tt.ok)
			}
			if v := p.Valid(tt.code); v != tt.ok {
				t.Errorf("Valid(%q) = %v, want %v", tt.code, v, tt.ok)
			}
			if !ok {
				if got != (places.Place{}) {
					t.Errorf("Lookup(%q) = %+v, want zero", tt.code, got)
				}
				return
			}
			if got.Lat == 0 || got.Lon == 0 {
				t.Errorf("Lookup(%q) has no coordinates: %+v", tt.code, got)
			}
			got.Lat, got.Lon = 0, 0
			if got != tt.want {
				t.Errorf("Lookup(%q) =\n%+v, want\n%+v", tt.code, got, tt.want)
			}
			if l := got.Label(); l != tt.label {
				t.Errorf("Label() = %q, want %q", l, tt.label)
			}
		})
	}
}

// The codes of Peru say where a place lies: DD0000, DDPP00, DDPPDD.
func TestPeruConsistent(t *testing.T) {
	p := places.Peru()
	all := p.All()
	if len(all) != p.Len() {
		t.Fatalf("len(All()) = %d, want %d", len(all), p.Len())
	}
	for i, pl := range all {
		if i > 0 && all[i-1].Code >= pl.Code {
			t.Errorf("All() not in code order at %s", pl.Code)
		}
		c := pl.Code
		if len(c) != 6 || strings.Trim(c, "0123456789") != "" {
			t.Errorf("%s: not six digits", c)
			continue
		}
		var level places.Level
		switch {
		case c[2:] == "0000":
			level = places.Department
		case c[4:] == "00":
			level = places.Province
		default:
			level = places.District
		}
		if pl.Level != level {
			t.Errorf("%s: level %s, want %s", c, pl.Level, level)
		}
		if pl.DepartmentCode != c[:2]+"0000" {
			t.Errorf("%s: department %s", c, pl.DepartmentCode)
		}
		if level != places.Department && pl.ProvinceCode != c[:4]+"00" {
			t.Errorf("%s: province %s", c, pl.ProvinceCode)
		}
		if pl.Parent() != "" && !p.Valid(pl.Parent()) {
			t.Errorf("%s: parent %s unknown", c, pl.Parent())
		}
		if pl.Lat < -18.5 || pl.Lat > 0 || pl.Lon < -81.5 || pl.Lon > -68.5 {
			t.Errorf("%s %s: (%g, %g) is not in Peru", c, pl.Name, pl.Lat, pl.Lon)
		}
		if pl.Name == "" || pl.MacroRegion == "" || pl.Department == "" {
			t.Errorf("%s: missing name or region: %+v", c, pl)
		}
		if pl.Name != strings.TrimSpace(pl.Name) || strings.Contains(pl.Name, "  ") {
			t.Errorf("%s: name %q has stray spaces", c, pl.Name)
		}
		if !p.Within(c, pl.DepartmentCode) {
			t.Errorf("Within(%s, %s) = false", c, pl.DepartmentCode)
		}
	}
	if p.Within("211101", "080000") || p.Within("211101", "999999") || p.Within("nope", "210000") {
		t.Error("Within says yes to a place outside")
	}
	if !p.Within("211101", "211100") || !p.Within("211101", "211101") {
		t.Error("Within says no to a place inside")
	}
}

func TestPeruChildren(t *testing.T) {
	p := places.Peru()
	provinces, districts := 0, 0
	for _, d := range p.Departments() {
		for _, pr := range p.Children(d.Code) {
			provinces++
			if pr.Level != places.Province || pr.DepartmentCode != d.Code {
				t.Errorf("Children(%s) has %+v", d.Code, pr)
			}
			for _, di := range p.Children(pr.Code) {
				districts++
				if di.Level != places.District || di.ProvinceCode != pr.Code {
					t.Errorf("Children(%s) has %+v", pr.Code, di)
				}
			}
		}
	}
	if provinces != 196 || districts != 1893 {
		t.Errorf("children: %d provinces, %d districts; want 196, 1893", provinces, districts)
	}

	tests := map[string]struct {
		code  string
		n     int
		first string
	}{
		"Puno's provinces":    {"210000", 13, "210100"},
		"San Román's":         {"211100", 5, "211101"},
		"Cusco's provinces":   {"080000", 13, "080100"},
		"top level":           {"", 25, "010000"},
		"a district's (none)": {"211101", 0, ""},
		"unknown code (none)": {"999999", 0, ""},
		"not a code (none)":   {"abc", 0, ""},
		"Callao's one":        {"070000", 1, "070100"},
		"Lima's 44 districts": {"150100", 44, "150101"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := p.Children(tt.code)
			if len(got) != tt.n {
				t.Fatalf("len(Children(%q)) = %d, want %d", tt.code, len(got), tt.n)
			}
			if tt.n > 0 && got[0].Code != tt.first {
				t.Errorf("Children(%q)[0] = %s, want %s", tt.code, got[0].Code, tt.first)
			}
		})
	}

	// Results are copies.
	c := p.Children("210000")
	c[0].Name = "changed"
	if got, _ := p.Lookup(c[0].Code); got.Name == "changed" {
		t.Error("Children returned the table's own places")
	}
}

func TestPeruLicences(t *testing.T) {
	for _, name := range []string{"LICENSE-ubigeo.txt", "LICENSE-geojson.txt", places.PlacesFile, places.OutlinesFile} {
		if _, err := fs.Stat(places.PeruData(), name); err != nil {
			t.Errorf("embedded data: %v", err)
		}
	}
}

func TestLevel(t *testing.T) {
	b, err := json.Marshal(places.Place{Code: "211101", Level: places.District})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"level":"district"`) {
		t.Errorf("JSON %s has no level district", b)
	}
	var back places.Place
	if err := json.Unmarshal(b, &back); err != nil || back.Level != places.District {
		t.Errorf("Unmarshal(%s) = %+v, %v", b, back, err)
	}
	if err := json.Unmarshal([]byte(`{"level":"county"}`), &back); err == nil {
		t.Error("Unmarshal accepted level county")
	}
	if _, err := json.Marshal(places.Place{}); err == nil {
		t.Error("Marshal accepted level 0")
	}
	if s := places.Level(7).String(); s != "Level(7)" {
		t.Errorf("Level(7).String() = %q", s)
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Ñuñoa":                 "nunoa",
		"  NUÑOA  ":             "nunoa",
		"San Román":             "san roman",
		"Anco-Huallo":           "anco huallo",
		"Q'eswachaka":           "qeswachaka",
		"Q’ero":                 "qero",
		"JOSÉ LUIS  BUSTAMANTE": "jose luis bustamante",
		"Áncash, Perú!":         "ancash peru",
		"n\u0303":               "n", // decomposed ñ
		"Straße":                "strasse",
		"":                      "",
		"¿?":                    "",
		"211101":                "211101",
		"Ушуайя":                "ушуаия",
	}
	for in, want := range tests {
		if got := places.Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDepartmentOf(t *testing.T) {
	for place, want := range map[string]string{"150101": "15", "0801": "08", "15": "15", "1": "", "": ""} {
		if got := places.DepartmentOf(place); got != want {
			t.Errorf("DepartmentOf(%q) = %q, want %q", place, got, want)
		}
	}
}
