package ical_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"

	"asamblea/ical"
)

// write writes c, checks the lines as RFC 5545 3.1 wants them, and parses
// the result with an independent decoder, which must find one calendar and
// nothing after it.
func write(t testing.TB, c ical.Calendar) (string, *goical.Calendar) {
	t.Helper()
	var buf bytes.Buffer
	if err := c.Write(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	checkLines(t, out)
	dec := goical.NewDecoder(strings.NewReader(out))
	cal, err := dec.Decode()
	if err != nil {
		t.Fatalf("decode: %v\n%s", err, out)
	}
	if _, err := dec.Decode(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the calendar: %v, want EOF\n%s", err, out)
	}
	return out, cal
}

// checkLines checks that every line ends in CRLF, holds no other CR or LF, is
// at most 75 octets long and is valid UTF-8 on its own, so that no fold split
// a rune, and that no fold split an escape such as "\;".
func checkLines(t testing.TB, out string) {
	t.Helper()
	if !strings.HasSuffix(out, "\r\n") {
		t.Fatalf("output does not end in CRLF: %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	for i, l := range lines {
		switch {
		case strings.ContainsAny(l, "\r\n"):
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, l)
		case len(l) > 75:
			t.Fatalf("line %d is %d octets long: %q", i+1, len(l), l)
		case !utf8.ValidString(l):
			t.Fatalf("line %d is not valid UTF-8 (a fold split a rune?): %q", i+1, l)
		case l == "":
			t.Fatalf("line %d is empty", i+1)
		case i+1 < len(lines) && strings.HasPrefix(lines[i+1], " ") &&
			(len(l)-len(strings.TrimRight(l, `\`)))%2 == 1:
			t.Fatalf("line %d is folded within an escape: %q", i+1, l)
		}
	}
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Fatalf("not one VCALENDAR:\n%s", out)
	}
}

// props is an event as the decoder reads it, with text unescaped.
type props struct {
	UID, Summary, Description, Location, URL, Status string
	Categories                                       []string
	Start, End, Stamp, Modified                      string
	Sequence                                         int
	Geo                                              string
	OpenEnd                                          string
}

func readEvent(t testing.TB, e goical.Event) props {
	t.Helper()
	text := func(name string) string {
		p := e.Props.Get(name)
		if p == nil {
			return ""
		}
		s, err := p.Text()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return s
	}
	raw := func(name string) string {
		if p := e.Props.Get(name); p != nil {
			return p.Value
		}
		return ""
	}
	for name, ps := range e.Props {
		if len(ps) > 1 {
			t.Errorf("%s appears %d times", name, len(ps))
		}
	}
	p := props{
		UID:         text(goical.PropUID),
		Summary:     text(goical.PropSummary),
		Description: text(goical.PropDescription),
		Location:    text(goical.PropLocation),
		URL:         raw(goical.PropURL),
		Status:      text(goical.PropStatus),
		Start:       raw(goical.PropDateTimeStart),
		End:         raw(goical.PropDateTimeEnd),
		Stamp:       raw(goical.PropDateTimeStamp),
		Modified:    raw(goical.PropLastModified),
		Geo:         raw(goical.PropGeo),
		OpenEnd:     raw(ical.OpenEndProp),
	}
	if c := e.Props.Get(goical.PropCategories); c != nil {
		cats, err := c.TextList()
		if err != nil {
			t.Fatal(err)
		}
		p.Categories = cats
	}
	if s := e.Props.Get(goical.PropSequence); s != nil {
		n, err := s.Int()
		if err != nil {
			t.Fatal(err)
		}
		p.Sequence = n
	}
	if u := e.Props.Get(goical.PropURL); u != nil {
		if _, err := u.URI(); err != nil {
			t.Errorf("URL: %v", err)
		}
	}
	if p.Stamp == "" {
		t.Error("no DTSTAMP")
	}
	if _, err := e.DateTimeStart(nil); err != nil {
		t.Errorf("DTSTART: %v", err)
	}
	if _, err := e.DateTimeEnd(nil); err != nil {
		t.Errorf("DTEND: %v", err)
	}
	return p
}

var lima = time.FixedZone("PET", -5*3600)

func TestWriteRoundTrip(t *testing.T) {
	long := strings.Repeat("Convocamos al paro indefinido de las comunidades aimaras y quechuas; "+
		"¡todas y todos a la plaza! Llevar agua, coca y ponchos, y avisar al comité de lucha. ", 6)
	c := ical.Calendar{
		Name: "Frente de Defensa de Puno, acciones; paros",
		Events: []ical.Event{{
			UID:         "action-42@asamblea",
			Summary:     "Paro en Juliaca — Ñuñoa; ¡huelga!",
			Description: "Punto de encuentro: puente Maravillas, 6 a.m.\nTraer banderas, wiphalas; C:\\ruta\\mapa\r\nHasta las 18:00.",
			Location:    "Puente Maravillas, Juliaca, Puno",
			URL:         "https://asamblea.example/acciones/42?body=puno&x=1,2;3",
			Categories:  []string{"paro", "bloqueo de vías", "Puno, Perú", ""},
			Status:      "confirmed",
			Start:       time.Date(2026, 3, 10, 8, 0, 0, 0, lima),
			End:         time.Date(2026, 3, 10, 18, 30, 15, 999, lima),
			Updated:     time.Date(2026, 3, 1, 22, 5, 0, 0, time.UTC),
			Sequence:    3,
			Lat:         -15.4997, Lon: -70.1333,
			HasGeo: true,
		}, {
			UID:         "action-43@asamblea",
			Summary:     "Huelga indefinida de maestros",
			Description: long,
			Location:    "Plaza de Armas, Cusco",
			Categories:  []string{"huelga"},
			Status:      "TENTATIVE",
			Start:       time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC),
		}, {
			UID:     "action-44@asamblea",
			Summary: "Marcha cancelada",
			Status:  "CANCELLED",
			Start:   time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC),
			End:     time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC),
			Updated: time.Date(2026, 3, 30, 0, 0, 0, 0, time.UTC),
			Lat:     0, Lon: 0, HasGeo: true,
		}},
	}
	out, cal := write(t, c)

	if got, _ := cal.Props.Text("X-WR-CALNAME"); got != c.Name {
		t.Errorf("X-WR-CALNAME = %q, want %q", got, c.Name)
	}
	if got, _ := cal.Props.Text("NAME"); got != c.Name {
		t.Errorf("NAME = %q, want %q", got, c.Name)
	}
	if got, _ := cal.Props.Text(goical.PropProductID); got != ical.DefaultProdID {
		t.Errorf("PRODID = %q", got)
	}
	if got, _ := cal.Props.Text(goical.PropVersion); got != "2.0" {
		t.Errorf("VERSION = %q", got)
	}
	if !strings.Contains(out, "\r\nDESCRIPTION:Convocamos") || strings.Count(out, "\r\n ") < 10 {
		t.Errorf("the long description was not folded:\n%s", out)
	}

	events := cal.Events()
	want := []props{{
		UID:         "action-42@asamblea",
		Summary:     "Paro en Juliaca — Ñuñoa; ¡huelga!",
		Description: "Punto de encuentro: puente Maravillas, 6 a.m.\nTraer banderas, wiphalas; C:\\ruta\\mapa\nHasta las 18:00.",
		Location:    "Puente Maravillas, Juliaca, Puno",
		URL:         "https://asamblea.example/acciones/42?body=puno&x=1,2;3",
		Categories:  []string{"paro", "bloqueo de vías", "Puno, Perú"},
		Status:      "CONFIRMED",
		Start:       "20260310T130000Z",
		End:         "20260310T233015Z",
		Stamp:       "20260301T220500Z",
		Modified:    "20260301T220500Z",
		Sequence:    3,
		Geo:         "-15.499700;-70.133300",
	}, {
		UID:         "action-43@asamblea",
		Summary:     "Huelga indefinida de maestros",
		Description: long,
		Location:    "Plaza de Armas, Cusco",
		Categories:  []string{"huelga"},
		Status:      "TENTATIVE",
		Start:       "20260401T000000Z",
		Stamp:       "19700101T000000Z",
		OpenEnd:     "TRUE",
	}, {
		UID:      "action-44@asamblea",
		Summary:  "Marcha cancelada",
		Status:   "CANCELLED",
		Start:    "20260402T090000Z",
		Stamp:    "20260330T000000Z",
		Modified: "20260330T000000Z",
		Geo:      "0.000000;0.000000",
	}}
	if len(events) != len(want) {
		t.Fatalf("%d events, want %d\n%s", len(events), len(want), out)
	}
	for i, e := range events {
		if got := readEvent(t, e); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("event %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}

	// The event times as the decoder reads them.
	start, _ := events[0].DateTimeStart(nil)
	end, _ := events[0].DateTimeEnd(nil)
	if !start.Equal(c.Events[0].Start) || !end.Equal(c.Events[0].End.Truncate(time.Second)) {
		t.Errorf("times = %v–%v, want %v–%v", start, end, c.Events[0].Start, c.Events[0].End)
	}
	geo := strings.Split(want[0].Geo, ";")
	lat, _ := strconv.ParseFloat(geo[0], 64)
	lon, _ := strconv.ParseFloat(geo[1], 64)
	if math.Abs(lat-c.Events[0].Lat) > 1e-6 || math.Abs(lon-c.Events[0].Lon) > 1e-6 {
		t.Errorf("GEO = %v;%v", lat, lon)
	}
	// An open end takes no time, as RFC 5545 says of a DTSTART alone.
	start, _ = events[1].DateTimeStart(nil)
	end, _ = events[1].DateTimeEnd(nil)
	if !end.Equal(start) {
		t.Errorf("open end: DateTimeEnd = %v, want %v", end, start)
	}
}

func TestWriteEmpty(t *testing.T) {
	out, cal := write(t, ical.Calendar{})
	if n := len(cal.Children); n != 0 {
		t.Errorf("%d components in an empty calendar", n)
	}
	for _, name := range []string{goical.PropVersion, goical.PropProductID} {
		if cal.Props.Get(name) == nil {
			t.Errorf("no %s:\n%s", name, out)
		}
	}
	if cal.Props.Get("X-WR-CALNAME") != nil {
		t.Errorf("X-WR-CALNAME written for an unnamed calendar:\n%s", out)
	}
	want := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//asamblea//asamblea//ES\r\nCALSCALE:GREGORIAN\r\nEND:VCALENDAR\r\n"
	if out != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
}

func TestWriteFold(t *testing.T) {
	// Runes of 1 to 4 octets after every prefix length, so that the fold
	// falls at every offset within a rune.
	for _, r := range []string{"a", "ñ", "—", "✊", "🏽", "\\", ","} {
		for pre := range 8 {
			text := strings.Repeat("x", pre) + strings.Repeat(r, 200)
			c := ical.Calendar{
				Name:   text,
				ProdID: text,
				Events: []ical.Event{{
					UID:         text,
					Summary:     text,
					Description: text,
					Location:    text,
					URL:         "https://asamblea.example/" + text,
					Categories:  []string{text, text},
					Start:       time.Unix(1e9, 0),
				}},
			}
			_, cal := write(t, c)
			got := readEvent(t, cal.Events()[0])
			if got.UID != text || got.Summary != text || got.Description != text || got.Location != text ||
				got.URL != c.Events[0].URL || !reflect.DeepEqual(got.Categories, c.Events[0].Categories) {
				t.Errorf("%q after %d: round trip gave %+v", r, pre, got)
			}
			if got, _ := cal.Props.Text(goical.PropProductID); got != text {
				t.Errorf("%q after %d: PRODID = %q", r, pre, got)
			}
		}
	}
}

// A caller's text cannot start a property or a component of its own.
func TestWriteInjection(t *testing.T) {
	inject := "fin\r\nBEGIN:VEVENT\r\nUID:evil\r\nDTSTART:20260101T000000Z\r\nEND:VEVENT\r\nX-EVIL:1"
	c := ical.Calendar{
		Name:   "Asamblea\r\nX-WR-CALNAME:otra",
		ProdID: "-//x//x//ES\nMETHOD:CANCEL",
		Events: []ical.Event{{
			UID:         "action-1@asamblea\r\nUID:evil",
			Summary:     "Marcha\nEND:VCALENDAR",
			Description: inject,
			Location:    "\rSTATUS:CANCELLED",
			URL:         "https://asamblea.example/1\r\nX-EVIL:1",
			Categories:  []string{"a\r\nX-EVIL:1"},
			Start:       time.Unix(1e9, 0),
		}},
	}
	out, cal := write(t, c)
	if n := len(cal.Events()); n != 1 {
		t.Fatalf("%d events, want 1:\n%s", n, out)
	}
	begins := 0
	for _, l := range strings.Split(out, "\r\n") {
		if l == "BEGIN:VEVENT" {
			begins++
		}
		for _, bad := range []string{"X-EVIL", "METHOD", "STATUS", "UID:evil", "DTSTART:2026"} {
			if strings.HasPrefix(l, bad) {
				t.Errorf("injected line %q:\n%s", l, out)
			}
		}
	}
	if begins != 1 {
		t.Errorf("%d BEGIN:VEVENT lines:\n%s", begins, out)
	}
	for _, name := range []string{"X-EVIL", goical.PropMethod, goical.PropStatus} {
		if cal.Props.Get(name) != nil || cal.Events()[0].Props.Get(name) != nil {
			t.Errorf("%s injected:\n%s", name, out)
		}
	}
	got := readEvent(t, cal.Events()[0])
	if want := strings.ReplaceAll(inject, "\r\n", "\n"); got.Description != want {
		t.Errorf("DESCRIPTION = %q, want %q", got.Description, want)
	}
	if got.UID != "action-1@asamblea\nUID:evil" || got.Summary != "Marcha\nEND:VCALENDAR" ||
		got.Location != "\nSTATUS:CANCELLED" || got.URL != "https://asamblea.example/1X-EVIL:1" {
		t.Errorf("got %+v", got)
	}
	if name, _ := cal.Props.Text("X-WR-CALNAME"); name != "Asamblea\nX-WR-CALNAME:otra" {
		t.Errorf("X-WR-CALNAME = %q", name)
	}
}

func TestWriteCleansText(t *testing.T) {
	for name, tc := range map[string]struct{ in, want string }{
		"NUL and BEL":      {"a\x00b\x07c", "abc"},
		"DEL and C1":       {"a\x7fb\u0085c\u009fd", "abcd"},
		"escape":           {"\x1b[31mrojo", "[31mrojo"},
		"CRLF":             {"a\r\nb", "a\nb"},
		"CR alone":         {"a\rb\r", "a\nb\n"},
		"CR CR LF":         {"a\r\r\nb", "a\n\nb"},
		"tab kept":         {"a\tb", "a\tb"},
		"invalid UTF-8":    {"Ñu\xffñoa\xc3", "Ñuñoa"},
		"escapes":          {`\n is not a newline; a, b`, `\n is not a newline; a, b`},
		"non-characters":   {"a\uFFFDb", "a\uFFFDb"},
		"only controls":    {"\x00\x01", ""},
		"leading newlines": {"\n\nx", "\n\nx"},
	} {
		t.Run(name, func(t *testing.T) {
			_, cal := write(t, ical.Calendar{Events: []ical.Event{{
				UID: "a@b", Summary: tc.in, Start: time.Unix(1e9, 0),
			}}})
			if got := readEvent(t, cal.Events()[0]).Summary; got != tc.want {
				t.Errorf("SUMMARY = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestWriteInvalid(t *testing.T) {
	start := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC)
	ok := ical.Event{UID: "a@asamblea", Start: start}
	for name, e := range map[string]ical.Event{
		"no UID":           {Start: start},
		"UID of controls":  {UID: "\x00\x01", Start: start},
		"no Start":         {UID: "a@asamblea"},
		"End before Start": {UID: "a@asamblea", Start: start, End: start.Add(-time.Second)},
		"unknown Status":   {UID: "a@asamblea", Start: start, Status: "POSTPONED"},
		"negative Seq":     {UID: "a@asamblea", Start: start, Sequence: -1},
		"latitude":         {UID: "a@asamblea", Start: start, HasGeo: true, Lat: 90.5},
		"longitude":        {UID: "a@asamblea", Start: start, HasGeo: true, Lon: -180.1},
		"NaN":              {UID: "a@asamblea", Start: start, HasGeo: true, Lat: math.NaN()},
		"year 10000":       {UID: "a@asamblea", Start: start, End: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		"negative year":    {UID: "a@asamblea", Start: time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)},
		"repeated UID":     {UID: "a@asamblea", Start: start.Add(time.Hour)},
	} {
		t.Run(name, func(t *testing.T) {
			var buf bytes.Buffer
			err := ical.Calendar{Events: []ical.Event{ok, e}}.Write(&buf)
			if err == nil {
				t.Fatalf("no error; wrote\n%s", buf.String())
			}
			if !strings.Contains(err.Error(), "event 1") {
				t.Errorf("error %q does not name the event", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes along with the error", buf.Len())
			}
		})
	}
	// An invalid coordinate does not matter without HasGeo.
	if err := (ical.Calendar{Events: []ical.Event{{UID: "a", Start: start, Lat: 1000}}}).Write(io.Discard); err != nil {
		t.Error(err)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n < len(p) {
		n := w.n
		w.n = 0
		return n, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	c := ical.Calendar{Events: events(100)}
	for _, n := range []int{0, 10, 4096, 10000} {
		if err := c.Write(&failWriter{n: n}); err == nil || err.Error() != "disk full" {
			t.Errorf("after %d bytes: error %v, want disk full", n, err)
		}
	}
}

// clean is what the decoder should read back from a TEXT value: the text
// with invalid UTF-8 dropped, CRLF and CR read as LF, and the other control
// characters but tab dropped.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' || 0x7F <= r && r <= 0x9F {
			return -1
		}
		return r
	}, s)
}

func FuzzWrite(f *testing.F) {
	f.Add("Paro en Juliaca — Ñuñoa; ¡huelga!", "Traer agua,\r\ncoca y ponchos\\")
	f.Add("x\r\nBEGIN:VEVENT", "fin\r\nEND:VCALENDAR\r\n")
	f.Add("\\n\\;\\,", strings.Repeat("✊🏽ñ—", 60))
	f.Add("\x00\x7f\u0085\r\r\n", "\xff\xfe\t")
	f.Fuzz(func(t *testing.T, summary, description string) {
		c := ical.Calendar{Name: summary, Events: []ical.Event{{
			UID:         "action-1@asamblea",
			Summary:     summary,
			Description: description,
			Categories:  []string{summary, description},
			Start:       time.Unix(1e9, 0),
		}}}
		_, cal := write(t, c)
		events := cal.Events()
		if len(events) != 1 {
			t.Fatalf("%d events", len(events))
		}
		got := readEvent(t, events[0])
		if got.Summary != clean(summary) || got.Description != clean(description) {
			t.Errorf("got %q, %q; want %q, %q", got.Summary, got.Description, clean(summary), clean(description))
		}
		var cats []string
		for _, s := range []string{summary, description} {
			if clean(s) != "" {
				cats = append(cats, clean(s))
			}
		}
		if !reflect.DeepEqual(got.Categories, cats) {
			t.Errorf("CATEGORIES = %q, want %q", got.Categories, cats)
		}
		if name, _ := cal.Props.Text("X-WR-CALNAME"); name != clean(summary) {
			t.Errorf("X-WR-CALNAME = %q, want %q", name, clean(summary))
		}
	})
}

// events returns n events like those of a busy body.
func events(n int) []ical.Event {
	es := make([]ical.Event, n)
	start := time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC)
	for i := range es {
		es[i] = ical.Event{
			UID:     fmt.Sprintf("action-%d@asamblea", i),
			Summary: fmt.Sprintf("Paro regional %d — Juliaca, Puno; ¡huelga!", i),
			Description: "Convocamos a todas las bases, comunidades campesinas y gremios al paro, " +
				"con bloqueo de vías en los puntos acordados por la asamblea.\nLlevar agua y coca.",
			Location:   "Puente Maravillas, Juliaca",
			URL:        fmt.Sprintf("https://asamblea.example/acciones/%d", i),
			Categories: []string{"paro", "bloqueo"},
			Status:     "CONFIRMED",
			Start:      start.Add(time.Duration(i) * 24 * time.Hour),
			End:        start.Add(time.Duration(i)*24*time.Hour + 10*time.Hour),
			Updated:    start.Add(-time.Hour),
			Sequence:   i % 3,
			Lat:        -15.4997, Lon: -70.1333, HasGeo: true,
		}
	}
	return es
}

func BenchmarkWrite500(b *testing.B) {
	c := ical.Calendar{Name: "Frente de Defensa de Puno", Events: events(500)}
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := c.Write(&buf); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
