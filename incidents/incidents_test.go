package incidents

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"

	"asamblea/errs"
)

var lima = time.FixedZone("PET", -5*3600)

func known(code string) bool { return code == "210101" || code == "080101" }

func wantKey(t *testing.T, err error, field, key string) {
	t.Helper()
	e := errs.As(err)
	if e == nil || e.Key != key || (field != "" && e.Field != field) {
		t.Fatalf("want %s on %s, got %v", key, field, err)
	}
}

func ptr(x float64) *float64 { return &x }

func TestInputClean(t *testing.T) {
	now := time.Date(2023, 1, 10, 12, 0, 0, 0, lima)
	good := func() Input {
		return Input{Kind: Detained, At: time.Date(2023, 1, 9, 15, 30, 0, 0, lima), Place: " 210101 ", Lat: ptr(-15.49127), Lon: ptr(-70.13518), Affected: 2,
			Description: "  Detenido en la marcha\r\nal aeropuerto  "}
	}
	in := good()
	if err := in.Clean(now, known, false); err != nil {
		t.Fatal(err)
	}
	if in.Place != "210101" || *in.Lat != -15.49 || *in.Lon != -70.14 || in.Force != UnknownForce || in.Description != "Detenido en la marcha\nal aeropuerto" {
		t.Fatalf("cleaned: %+v", in)
	}
	in = good()
	if err := in.Clean(now, known, true); err != nil || *in.Lat != -15.49127 {
		t.Fatalf("exact coordinates changed: %v", *in.Lat)
	}
	for _, c := range []struct {
		mutate     func(*Input)
		field, key string
	}{
		{func(i *Input) { i.Kind = "" }, "kind", "error.required"},
		{func(i *Input) { i.Kind = "arrested" }, "kind", "incident.kind.unknown"},
		{func(i *Input) { i.At = time.Time{} }, "at", "error.required"},
		{func(i *Input) { i.At = now.Add(25 * time.Hour) }, "at", "incident.when.future"},
		{func(i *Input) { i.At = time.Date(1979, 12, 31, 0, 0, 0, 0, lima) }, "at", "incident.when.too_old"},
		{func(i *Input) { i.Place = "" }, "place", "error.required"},
		{func(i *Input) { i.Place = "150101" }, "place", "body.place.unknown"},
		{func(i *Input) { i.Lat = nil }, "lat", "incident.coords.both"},
		{func(i *Input) { i.Lat = ptr(91) }, "lat", "incident.coords.range"},
		{func(i *Input) { i.Lon = ptr(-181) }, "lon", "incident.coords.range"},
		{func(i *Input) { i.Lat = ptr(math.NaN()) }, "lat", "incident.coords.range"},
		{func(i *Input) { i.Force = "navy" }, "force", "incident.force.unknown"},
		{func(i *Input) { i.Affected = -1 }, "affected", "incident.affected.range"},
		{func(i *Input) { i.Affected = AffectedMax + 1 }, "affected", "incident.affected.range"},
		{func(i *Input) { i.ActionID = -4 }, "action_id", "incident.action.unknown"},
		{func(i *Input) { i.Description = strings.Repeat("a", DescriptionMax+1) }, "description", "error.too_long"},
		{func(i *Input) { i.Description = "a\x00b" }, "description", "error.bad_characters"},
	} {
		in := good()
		c.mutate(&in)
		wantKey(t, in.Clean(now, known, false), c.field, c.key)
	}
}

func TestParseWhen(t *testing.T) {
	got, err := ParseWhen("at", " 2023-01-09 ", "15:30", lima)
	if err != nil || !got.Equal(time.Date(2023, 1, 9, 15, 30, 0, 0, lima)) {
		t.Fatalf("ParseWhen = %v, %v", got, err)
	}
	if got, _ := ParseWhen("at", "2023-01-09", "", lima); !got.Equal(time.Date(2023, 1, 9, 0, 0, 0, 0, lima)) {
		t.Errorf("a date alone is its midnight: %v", got)
	}
	wantKey(t, func() error { _, err := ParseWhen("at", "", "10:00", lima); return err }(), "at", "error.required")
	for _, bad := range [][2]string{{"2023-02-30", ""}, {"2023-13-01", ""}, {"09/01/2023", ""}, {"2023-01-09", "25:00"}, {"2023-01-09", "3pm"}} {
		_, err := ParseWhen("at", bad[0], bad[1], lima)
		wantKey(t, err, "at", "incident.when.bad")
	}
}

func TestParseCoord(t *testing.T) {
	for in, want := range map[string]float64{"-15.49": -15.49, " -70,13 ": -70.13, "0": 0} {
		got, err := ParseCoord("lat", in)
		if err != nil || *got != want {
			t.Errorf("ParseCoord(%q) = %v, %v", in, got, err)
		}
	}
	if got, err := ParseCoord("lat", "  "); got != nil || err != nil {
		t.Error("an empty coordinate is none")
	}
	for _, bad := range []string{"abc", "NaN", "Inf", "1e999", "12.5.3"} {
		_, err := ParseCoord("lon", bad)
		wantKey(t, err, "lon", "incident.coords.number")
	}
}

func TestPersonClean(t *testing.T) {
	now := time.Date(2023, 1, 10, 0, 0, 0, 0, time.UTC)
	p := PersonInput{Status: Charged, PersonSet: PersonSet{Name: "  Rosa   Quispe ", Age: 34, Lawyer: "Dra. Apaza", NextHearing: "2023-02-15"}}
	if err := p.Clean(now); err != nil || p.Name != "Rosa Quispe" {
		t.Fatalf("clean: %+v %v", p, err)
	}
	for _, c := range []struct {
		mutate     func(*PersonInput)
		field, key string
	}{
		{func(p *PersonInput) { p.Name = " " }, "name", "error.required"},
		{func(p *PersonInput) { p.Age = 121 }, "age", "incident.age.range"},
		{func(p *PersonInput) { p.Status = "missing" }, "status", "incident.status.unknown"},
		{func(p *PersonInput) { p.NextHearing = "2023-02-30" }, "next_hearing", "incident.when.bad"},
		{func(p *PersonInput) { p.NextHearing = "2099-01-01" }, "next_hearing", "incident.hearing.range"},
		{func(p *PersonInput) { p.Held = strings.Repeat("x", FieldMax+1) }, "held", "error.too_long"},
	} {
		q := PersonInput{Status: StillDetained, PersonSet: PersonSet{Name: "Ana"}}
		c.mutate(&q)
		wantKey(t, q.Clean(now), c.field, c.key)
	}
	if !StillDetained.Prisoner() || !Charged.Prisoner() || !Convicted.Prisoner() || Released.Prisoner() || NotHeld.Prisoner() {
		t.Error("who is a prisoner")
	}
}

func TestAggregate(t *testing.T) {
	w1 := time.Date(2023, 1, 9, 0, 0, 0, 0, lima)
	w0 := time.Date(2022, 12, 12, 0, 0, 0, 0, lima)
	f := Aggregate([]Row{
		{Kind: Killed, Department: "21", Week: w1, Incidents: 10, People: 18},
		{Kind: Killed, Department: "05", Week: w0, Incidents: 2, People: 2},
		{Kind: Wounded, Department: "21", Week: w1, Incidents: 1, People: 40},
		{Kind: Wounded, Department: "21", Week: w1, Incidents: 3, People: 1}, // the same cell, merged
		{Kind: Detained, Department: "15", Week: w1, Incidents: 1, People: 1},
		{Kind: Detained, Department: "21", Week: w1, Incidents: 2, People: 2},
	})
	want := []Cell{
		{Kind: Detained, Department: "15", Week: "2023-01-09", Incidents: Count{Fewer: true}, People: Count{Fewer: true}},
		{Kind: Killed, Department: "21", Week: "2023-01-09", Incidents: Count{N: 10}, People: Count{N: 18}},
		{Kind: Wounded, Department: "21", Week: "2023-01-09", Incidents: Count{N: 4}, People: Count{N: 41}},
		{Kind: Detained, Department: "21", Week: "2023-01-09", Incidents: Count{Fewer: true}, People: Count{Fewer: true}},
		{Kind: Killed, Department: "05", Week: "2022-12-12", Incidents: Count{Fewer: true}, People: Count{Fewer: true}},
	}
	if len(f.Cells) != len(want) {
		t.Fatalf("cells: %+v", f.Cells)
	}
	for i := range want {
		if f.Cells[i] != want[i] {
			t.Errorf("cell %d = %+v, want %+v", i, f.Cells[i], want[i])
		}
	}
	// Killed: one hidden cell, so the total is "more than 10", not 12
	// (12 − 10 would give the hidden cell away). Detained: two hidden, so
	// the total can be exact. Wounded: none hidden.
	wantTotals := []Total{
		{Kind: Killed, Incidents: Count{N: 10, More: true}, People: Count{N: 18, More: true}},
		{Kind: Wounded, Incidents: Count{N: 4}, People: Count{N: 41}},
		{Kind: Detained, Incidents: Count{N: 3}, People: Count{N: 3}},
	}
	if len(f.Totals) != len(wantTotals) {
		t.Fatalf("totals: %+v", f.Totals)
	}
	for i := range wantTotals {
		if f.Totals[i] != wantTotals[i] {
			t.Errorf("total %d = %+v, want %+v", i, f.Totals[i], wantTotals[i])
		}
	}
	if f := Aggregate([]Row{{Kind: Raid, Department: "15", Week: w1, Incidents: 1, People: 12}}); f.Totals[0].Incidents != (Count{Fewer: true}) || f.Totals[0].People != (Count{N: 12}) {
		t.Errorf("a total made of one hidden cell: %+v", f.Totals)
	}
	if h := Hide(0); h.Fewer || h.N != 0 {
		t.Error("zero is shown as zero")
	}
	if h := Hide(2); !h.Fewer || h.N != 0 {
		t.Error("two is hidden")
	}
	if h := Hide(3); h.Fewer || h.N != 3 {
		t.Error("three is shown")
	}
}

func TestWeekOf(t *testing.T) {
	for day, monday := range map[string]string{"2023-01-09": "2023-01-09", "2023-01-15": "2023-01-09", "2023-01-01": "2022-12-26", "2024-03-01": "2024-02-26"} {
		d, _ := time.ParseInLocation(time.DateOnly, day, lima)
		if got := WeekOf(d.Add(23 * time.Hour)).Format(time.DateOnly); got != monday {
			t.Errorf("WeekOf(%s) = %s, want %s", day, got, monday)
		}
	}
}

func TestCleanEvidence(t *testing.T) {
	var pngb, jpgb bytes.Buffer
	png.Encode(&pngb, image.NewGray(image.Rect(0, 0, 3, 2)))
	jpeg.Encode(&jpgb, image.NewGray(image.Rect(0, 0, 3, 2)), nil)
	jpgWithExif := append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x0E, 'E', 'x', 'i', 'f', 0, 0, 'G', 'P', 'S', '!', '!', '!'}, jpgb.Bytes()[2:]...)

	e, err := CleanEvidence("../../etc/fotos/marcha.png", pngb.Bytes(), false)
	if err != nil || e.Type != "image/jpeg" || e.Name != "marcha.png" || e.SHA256 == e.Original || !bytes.HasPrefix(e.Data, []byte{0xFF, 0xD8}) {
		t.Fatalf("png: %+v %v", e, err)
	}
	e, err = CleanEvidence("a.jpg", jpgWithExif, false)
	if err != nil || bytes.Contains(e.Data, []byte("GPS!!!")) {
		t.Fatalf("the metadata stayed: %v", err)
	}
	e, err = CleanEvidence("a.jpg", jpgWithExif, true)
	if err != nil || !bytes.Equal(e.Data, jpgWithExif) || e.SHA256 != e.Original || e.Type != "image/jpeg" {
		t.Fatalf("the commission keeps originals: %v", err)
	}
	pdf := []byte("%PDF-1.4\n...")
	if e, err := CleanEvidence("acta <fiscal>.pdf", pdf, false); err != nil || e.Type != "application/pdf" || !bytes.Equal(e.Data, pdf) || e.Name != "acta fiscal.pdf" {
		t.Fatalf("pdf: %+v %v", e, err)
	}
	_, err = CleanEvidence("x", nil, false)
	wantKey(t, err, "file", "incident.evidence.empty")
	_, err = CleanEvidence("x.exe", []byte("MZ\x90\x00"), false)
	wantKey(t, err, "file", "incident.evidence.type")
	_, err = CleanEvidence("x.pdf", append([]byte("%PDF-"), make([]byte, EvidenceMax)...), false)
	wantKey(t, err, "file", "incident.evidence.too_large")
	_, err = CleanEvidence("broken.png", []byte("\x89PNG\r\n\x1a\nbroken"), false)
	wantKey(t, err, "file", "incident.evidence.type")
	if e, _ := CleanEvidence("\x00\x01", pdf, false); e.Name != "evidencia" {
		t.Errorf("a name with nothing printable: %q", e.Name)
	}
}

func TestExportCSV(t *testing.T) {
	lat, lon := -15.49, -70.13
	x := Export{Commission: "Comisión", Records: []Record{{
		Incident: Incident{ID: 7, Kind: Detained, At: time.Date(2023, 1, 9, 15, 30, 0, 0, lima), Place: "210101", Force: Police, Affected: 1, State: Verified,
			Secret: &Secret{Description: "=HYPERLINK(\"http://x\")", Lat: &lat, Lon: &lon}},
		People:   []Person{{ID: 3, Status: Charged, Secret: &PersonSet{Name: "Rosa", Age: 34, Lawyer: "@abogada"}}},
		Evidence: []Evidence{{SHA256: "ab"}, {SHA256: "cd"}},
	}, {Incident: Incident{ID: 8, Kind: Raid, At: time.Date(2023, 1, 10, 0, 0, 0, 0, lima), Place: "080101", State: Reported}}},
		Detainees: []Person{{ID: 4, Status: StillDetained, Secret: &PersonSet{Name: "Juan"}}}}
	var b bytes.Buffer
	if err := WriteCSV(&b, x, lima); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		strings.Join(CSVHeader, ","),
		`7,detained,2023-01-09 15:30,210101,police,1,verified,,"'=HYPERLINK(""http://x"")",-15.49,-70.13,3,Rosa,34,charged,,,'@abogada,,ab cd`,
		`8,raid,2023-01-10 00:00,080101,,0,reported,,,,,,,,,,,,,`,
		`,,,,,,,,,,,4,Juan,,detained,,,,,`, ""}, "\n")
	if b.String() != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := WriteJSON(&b, x); err != nil || !strings.Contains(b.String(), `"lawyer": "@abogada"`) {
		t.Errorf("JSON: %v\n%s", err, b.String())
	}
}

func FuzzParseWhen(f *testing.F) {
	f.Add("2023-01-09", "15:30")
	f.Add("2023-02-30", "")
	f.Fuzz(func(t *testing.T, date, clock string) {
		got, err := ParseWhen("at", date, clock, lima)
		if err == nil {
			if got.Location() != lima {
				t.Fatal("not in the zone asked")
			}
			if CheckWhen("at", got, got) != nil && got.Year() >= earliestYear {
				t.Fatal("a parsed time fails its own check")
			}
		} else if errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("an error people cannot read: %v", err)
		}
	})
}

func FuzzParseCoord(f *testing.F) {
	f.Add("-15,49")
	f.Add("1e400")
	f.Fuzz(func(t *testing.T, s string) {
		x, err := ParseCoord("lat", s)
		if err == nil && x != nil && (math.IsNaN(*x) || math.IsInf(*x, 0)) {
			t.Fatalf("ParseCoord(%q) = %v", s, *x)
		}
		if err != nil && errs.CodeOf(err) != errs.Invalid {
			t.Fatalf("an error people cannot read: %v", err)
		}
	})
}

func FuzzCleanEvidence(f *testing.F) {
	var pngb bytes.Buffer
	png.Encode(&pngb, image.NewGray(image.Rect(0, 0, 3, 2)))
	f.Add("a.png", pngb.Bytes())
	f.Add("a.pdf", []byte("%PDF-1.7"))
	f.Add("a.gif", []byte("GIF89a\x01\x00"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		e, err := CleanEvidence(name, data, false)
		if err != nil {
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("an error people cannot read: %v", err)
			}
			return
		}
		if e.Type != "application/pdf" && e.Type != "image/jpeg" {
			t.Fatalf("kept a %s", e.Type)
		}
		if strings.ContainsAny(e.Name, "/\\<>\"\x00") {
			t.Fatalf("name %q", e.Name)
		}
	})
}
