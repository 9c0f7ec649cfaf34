package actions

import (
	"testing"
	"time"

	"asamblea/errs"
)

func known(code string) bool {
	return map[string]bool{"211101": true, "210101": true, "150101": true, "080101": true, "040101": true}[code]
}

func ptr[T any](v T) *T { return &v }

func TestInputClean(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	start := now.Add(3 * time.Hour)
	base := func() Input {
		return Input{Kind: Roadblock, Title: "Bloqueo  del puente\tMaravillas", Place: " 211101 ", Start: start}
	}
	tests := []struct {
		name  string
		edit  func(*Input)
		field string
		key   string
	}{
		{"ok", func(*Input) {}, "", ""},
		{"unknown kind", func(in *Input) { in.Kind = "riot" }, "kind", "action.kind.unknown"},
		{"short title", func(in *Input) { in.Title = "ab" }, "title", "error.too_short"},
		{"control character", func(in *Input) { in.Description = "a\x00b" }, "description", "error.bad_characters"},
		{"no place", func(in *Input) { in.Place = "" }, "place", "error.required"},
		{"unknown place", func(in *Input) { in.Place = "999999" }, "place", "action.place.unknown"},
		{"route on a strike", func(in *Input) { in.Route = []string{"211101", "150101"} }, "route", "action.route.kind"},
		{"route of one place", func(in *Input) { in.Kind, in.Route = Caravan, []string{"211101", " "} }, "route", "action.route.too_short"},
		{"route with unknown place", func(in *Input) { in.Kind, in.Route = March, []string{"211101", "000000"} }, "route", "action.route.unknown"},
		{"route repeats", func(in *Input) { in.Kind, in.Route = March, []string{"211101", "211101"} }, "route", "action.route.repeated"},
		{"place off the route", func(in *Input) { in.Kind, in.Route = March, []string{"210101", "150101"} }, "place", "action.place.route"},
		{"lat without lon", func(in *Input) { in.Lat = ptr(-15.5) }, "lat", "action.coords.both"},
		{"coordinates in Chile", func(in *Input) { in.Lat, in.Lon = ptr(-33.45), ptr(-70.66) }, "lat", "action.coords.outside"},
		{"no start", func(in *Input) { in.Start = time.Time{} }, "start", "error.required"},
		{"start two years ago", func(in *Input) { in.Start = now.AddDate(-2, 0, 0) }, "start", "action.start.window"},
		{"end before start", func(in *Input) { in.End = ptr(start.Add(-time.Minute)) }, "end", "action.end.before_start"},
		{"end at start", func(in *Input) { in.End = ptr(start) }, "end", "action.end.before_start"},
		{"end far away", func(in *Input) { in.End = ptr(start.Add(MaxLength + time.Hour)) }, "end", "action.end.too_long"},
		{"bad visibility", func(in *Input) { in.Visibility = "secret" }, "visibility", "action.visibility.unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := base()
			tc.edit(&in)
			err := in.Clean(known, now, time.Time{})
			if tc.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := errs.As(err)
			if err == nil || e.Field != tc.field || e.Key != tc.key {
				t.Fatalf("got %v, want %s on %s", err, tc.key, tc.field)
			}
		})
	}
}

func TestInputCleanNormalises(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	in := Input{Kind: Caravan, Title: "  Marcha de los\n cuatro suyos ", Route: []string{"", "211101", " 040101 ", "", "150101"},
		Start: now.Add(90*time.Second + 7*time.Second), Lat: ptr(-15.4951234), Lon: ptr(-70.1340167)}
	if err := in.Clean(known, now, time.Time{}); err != nil {
		t.Fatal(err)
	}
	if in.Title != "Marcha de los cuatro suyos" || in.Place != "211101" || len(in.Route) != 3 || in.Route[1] != "040101" {
		t.Fatalf("%+v", in)
	}
	if in.Visibility != Federation || in.Start.Second() != 0 || *in.Lat != -15.49512 || *in.Lon != -70.13402 {
		t.Fatalf("%+v %v %v", in, *in.Lat, *in.Lon)
	}
	// A correction may keep a start that has since left the window.
	old := now.AddDate(-2, 0, 0)
	in = Input{Kind: Strike, Title: "Paro", Place: "211101", Start: old}
	if err := in.Clean(known, now, old); err != nil {
		t.Fatal(err)
	}
	// An open end is kept open.
	if in.End != nil {
		t.Fatal("an open end got an end")
	}
}

func TestCanMove(t *testing.T) {
	allowed := map[[2]Status]bool{
		{Called, Ongoing}: true, {Called, Suspended}: true, {Called, Ended}: true,
		{Ongoing, Suspended}: true, {Ongoing, Ended}: true,
		{Suspended, Ongoing}: true, {Suspended, Ended}: true,
	}
	for _, from := range Statuses {
		for _, to := range append(Statuses, "", "repressed") {
			if got := CanMove(from, to); got != allowed[[2]Status{from, to}] {
				t.Errorf("%s → %s: %v", from, to, got)
			}
		}
	}
}

func TestSum(t *testing.T) {
	counts := []Count{
		{"21", Roadblock, Ongoing, 5}, {"21", Strike, Ended, 2}, {"15", March, Called, 3}, {"04", Roadblock, Suspended, 1},
	}
	s := Sum(counts, Filter{})
	if s.Total != 11 || s.ByDepartment["21"] != 7 || s.ByKind[Roadblock] != 6 || s.ByStatus[Ended] != 2 {
		t.Fatalf("all: %+v", s)
	}
	s = Sum(counts, Filter{Active: true})
	if s.Total != 9 || s.ByDepartment["21"] != 5 {
		t.Fatalf("active: %+v", s)
	}
	s = Sum(counts, Filter{Kind: Roadblock, Department: "04"})
	if s.Total != 1 {
		t.Fatalf("roadblocks in Arequipa: %+v", s)
	}
	s = Sum(counts, Filter{Status: Ended, Active: true}) // a status chosen wins over "active"
	if s.Total != 2 {
		t.Fatalf("ended: %+v", s)
	}
}

func TestFilterClean(t *testing.T) {
	day := time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		f     Filter
		field string
	}{
		{Filter{Kind: "riot"}, "kind"},
		{Filter{Status: "repressed"}, "status"},
		{Filter{Department: "2"}, "department"},
		{Filter{Department: "2a"}, "department"},
		{Filter{From: day, To: day}, "to"},
		{Filter{Kind: Strike, Status: Ongoing, Department: "21", From: day, To: day.AddDate(0, 0, 1)}, ""},
	} {
		err := tc.f.Clean()
		if got := errs.As(err).Field; (err == nil) != (tc.field == "") || err != nil && got != tc.field {
			t.Errorf("%+v: %v", tc.f, err)
		}
	}
}
