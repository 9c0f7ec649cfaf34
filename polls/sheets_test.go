package polls

import (
	"slices"
	"strings"
	"testing"

	"asamblea/errs"
)

var districts = map[string]bool{"080101": true, "150101": true, "250101": true}

func knownDistrict(code string) bool { return districts[code] }

func TestStationInputClean(t *testing.T) {
	ok := []struct {
		name string
		in   StationInput
		want StationInput
	}{
		{"Plain", StationInput{Code: "000123", Place: "080101", Electorate: 300}, StationInput{Code: "000123", Place: "080101", Electorate: 300}},
		{"Trimmed", StationInput{Code: "  000123 ", Place: " 150101\t", Electorate: 1}, StationInput{Code: "000123", Place: "150101", Electorate: 1}},
		{"LettersAndDash", StationInput{Code: "Mesa-12b", Place: "250101", Electorate: ElectorateMax}, StationInput{Code: "Mesa-12b", Place: "250101", Electorate: ElectorateMax}},
		{"LongestCode", StationInput{Code: strings.Repeat("9", StationCodeMax), Place: "080101", Electorate: 10}, StationInput{Code: strings.Repeat("9", StationCodeMax), Place: "080101", Electorate: 10}},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if err := in.Clean(knownDistrict); err != nil {
				t.Fatal(err)
			}
			if in != tt.want {
				t.Errorf("cleaned = %+v, want %+v", in, tt.want)
			}
		})
	}
	bad := []struct {
		name       string
		in         StationInput
		field, key string
	}{
		{"NoCode", StationInput{Code: "  ", Place: "080101", Electorate: 300}, "code", "error.required"},
		{"CodeTooLong", StationInput{Code: strings.Repeat("9", StationCodeMax+1), Place: "080101", Electorate: 300}, "code", "poll.station.code"},
		{"CodeWithSpace", StationInput{Code: "12 3", Place: "080101", Electorate: 300}, "code", "poll.station.code"},
		{"CodeWithAccent", StationInput{Code: "Ñ12", Place: "080101", Electorate: 300}, "code", "poll.station.code"},
		{"CodeWithSlash", StationInput{Code: "12/3", Place: "080101", Electorate: 300}, "code", "poll.station.code"},
		{"NoPlace", StationInput{Code: "1", Electorate: 300}, "place", "poll.station.district"},
		{"DepartmentNotDistrict", StationInput{Code: "1", Place: "08", Electorate: 300}, "place", "poll.station.district"},
		{"PlaceTooLong", StationInput{Code: "1", Place: "0801011", Electorate: 300}, "place", "poll.station.district"},
		{"UnknownDistrict", StationInput{Code: "1", Place: "080199", Electorate: 300}, "place", "poll.station.district"},
		{"NoElectorate", StationInput{Code: "1", Place: "080101"}, "electorate", "poll.station.electorate"},
		{"NegativeElectorate", StationInput{Code: "1", Place: "080101", Electorate: -5}, "electorate", "poll.station.electorate"},
		{"ElectorateTooLarge", StationInput{Code: "1", Place: "080101", Electorate: ElectorateMax + 1}, "electorate", "poll.station.electorate"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			wantErr(t, in.Clean(knownDistrict), tt.field, tt.key)
		})
	}
}

func TestSheetClean(t *testing.T) {
	tests := []struct {
		name       string
		s          Sheet
		options    int
		field, key string
	}{
		{"Valid", Sheet{Votes: []int64{120, 80, 0}, Blank: 5, Null: 3}, 3, "", ""},
		{"AllZero", Sheet{Votes: []int64{0, 0}}, 2, "", ""},
		{"MaxVotes", Sheet{Votes: []int64{ElectorateMax}}, 1, "", ""},
		{"TooFewOptions", Sheet{Votes: []int64{1, 2}}, 3, "votes", "poll.sheet.options"},
		{"TooManyOptions", Sheet{Votes: []int64{1, 2, 3}}, 2, "votes", "poll.sheet.options"},
		{"NoVotesGiven", Sheet{}, 2, "votes", "poll.sheet.options"},
		{"NegativeVotes", Sheet{Votes: []int64{1, -1}}, 2, "votes", "poll.sheet.negative"},
		{"NegativeBlank", Sheet{Votes: []int64{1, 1}, Blank: -1}, 2, "votes", "poll.sheet.negative"},
		{"NegativeNull", Sheet{Votes: []int64{1, 1}, Null: -2}, 2, "votes", "poll.sheet.negative"},
		{"TooManyVotes", Sheet{Votes: []int64{ElectorateMax + 1, 0}}, 2, "votes", "poll.sheet.too_many"},
		{"TooManyBlank", Sheet{Votes: []int64{0}, Blank: ElectorateMax + 1}, 1, "votes", "poll.sheet.too_many"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Clean(tt.options)
			if tt.key == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantErr(t, err, tt.field, tt.key)
		})
	}
	// Checking a sheet does not write into the spare capacity of its votes.
	backing := []int64{1, 2, 77, 77}
	s := Sheet{Votes: backing[:2], Blank: 3, Null: 4}
	if err := s.Clean(2); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(backing, []int64{1, 2, 77, 77}) {
		t.Errorf("Clean wrote into the votes' backing array: %v", backing)
	}
}

func TestSheetFigures(t *testing.T) {
	s := Sheet{Votes: []int64{120, 80, 0}, Blank: 5, Null: 3}
	if got := s.Total(); got != 208 {
		t.Errorf("Total = %d, want 208", got)
	}
	if got := s.Valid(); got != 200 {
		t.Errorf("Valid = %d, want 200", got)
	}
	if got := (Sheet{}).Total(); got != 0 {
		t.Errorf("empty Total = %d", got)
	}
	eq := []struct {
		name string
		o    Sheet
		want bool
	}{
		{"Same", Sheet{Votes: []int64{120, 80, 0}, Blank: 5, Null: 3}, true},
		{"VotesDiffer", Sheet{Votes: []int64{80, 120, 0}, Blank: 5, Null: 3}, false},
		{"BlankDiffers", Sheet{Votes: []int64{120, 80, 0}, Blank: 3, Null: 5}, false},
		{"NullDiffers", Sheet{Votes: []int64{120, 80, 0}, Blank: 5, Null: 4}, false},
		{"FewerOptions", Sheet{Votes: []int64{120, 80}, Blank: 5, Null: 3}, false},
	}
	for _, tt := range eq {
		if got := s.Equal(tt.o); got != tt.want {
			t.Errorf("%s: Equal = %v, want %v", tt.name, got, tt.want)
		}
		if got := tt.o.Equal(s); got != tt.want {
			t.Errorf("%s: Equal is not symmetric", tt.name)
		}
	}
}

// entry is one user's entry of the figures yes, no, blank.
func entry(user int64, yes, no, blank int64) Entry {
	return Entry{UserID: user, Sheet: Sheet{Votes: []int64{yes, no}, Blank: blank}}
}

func TestReconcile(t *testing.T) {
	a := Sheet{Votes: []int64{150, 90}, Blank: 10}
	b := Sheet{Votes: []int64{150, 99}, Blank: 10}
	tests := []struct {
		name       string
		entries    []Entry
		electorate int64
		status     string
		sheet      *Sheet
	}{
		{"NoEntries", nil, 300, Awaiting, nil},
		{"One", []Entry{entry(1, 150, 90, 10)}, 300, FirstEntered, nil},
		{"TwoAgree", []Entry{entry(1, 150, 90, 10), entry(2, 150, 90, 10)}, 300, CountedSheet, &a},
		{"TwoAgreeBySamePerson", []Entry{entry(1, 150, 90, 10), entry(1, 150, 90, 10)}, 300, Mismatch, nil},
		{"TwoDisagree", []Entry{entry(1, 150, 90, 10), entry(2, 150, 99, 10)}, 300, Mismatch, nil},
		{"BlankDisagrees", []Entry{entry(1, 150, 90, 10), entry(2, 150, 90, 11)}, 300, Mismatch, nil},
		{"ThirdAgreesWithFirst", []Entry{entry(1, 150, 90, 10), entry(2, 150, 99, 10), entry(3, 150, 90, 10)}, 300, CountedSheet, &a},
		{"ThirdAgreesWithSecond", []Entry{entry(1, 150, 90, 10), entry(2, 150, 99, 10), entry(3, 150, 99, 10)}, 300, CountedSheet, &b},
		{"ThirdByFirstAuthorAgreesWithSecond", []Entry{entry(1, 150, 90, 10), entry(2, 150, 99, 10), entry(1, 150, 99, 10)}, 300, CountedSheet, &b},
		{"ThirdBySameAuthorAgreesWithOwn", []Entry{entry(1, 150, 90, 10), entry(2, 150, 99, 10), entry(2, 150, 99, 10)}, 300, Mismatch, nil},
		{"ThreeDisagree", []Entry{entry(1, 150, 90, 10), entry(2, 150, 99, 10), entry(3, 151, 90, 10)}, 300, Mismatch, nil},
		{"FourthResolves", []Entry{entry(1, 1, 2, 0), entry(2, 2, 1, 0), entry(3, 3, 0, 0), entry(4, 2, 1, 0)}, 300, CountedSheet, &Sheet{Votes: []int64{2, 1}}},
		{"AtElectorate", []Entry{entry(1, 150, 90, 10), entry(2, 150, 90, 10)}, 250, CountedSheet, &a},
		{"OverElectorate", []Entry{entry(1, 150, 90, 10), entry(2, 150, 90, 10)}, 249, OverElectorate, &a},
		// A sheet flagged over its electorate is reviewed: two new entries
		// that agree on other figures settle it; one alone does not.
		{"ReviewOfOverOneEntry", []Entry{entry(1, 150, 90, 10), entry(2, 150, 90, 10), entry(3, 140, 90, 10)}, 249, OverElectorate, &a},
		{"ReviewOfOverSettles", []Entry{entry(1, 150, 90, 10), entry(2, 150, 90, 10), entry(3, 140, 90, 10), entry(4, 140, 90, 10)}, 249, CountedSheet,
			&Sheet{Votes: []int64{140, 90}, Blank: 10}},
		{"NullCountsTowardsElectorate", []Entry{
			{UserID: 1, Sheet: Sheet{Votes: []int64{100, 100}, Null: 51}},
			{UserID: 2, Sheet: Sheet{Votes: []int64{100, 100}, Null: 51}},
		}, 250, OverElectorate, &Sheet{Votes: []int64{100, 100}, Null: 51}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, sheet := Reconcile(tt.entries, tt.electorate)
			if status != tt.status {
				t.Errorf("status = %s, want %s", status, tt.status)
			}
			switch {
			case tt.sheet == nil && sheet != nil:
				t.Errorf("sheet = %+v, want none", *sheet)
			case tt.sheet != nil && (sheet == nil || !sheet.Equal(*tt.sheet)):
				t.Errorf("sheet = %v, want %+v", sheet, *tt.sheet)
			}
		})
	}
}

func TestReconcileOrderIndependent(t *testing.T) {
	// Whatever the order the entries come in, the pair that agrees decides.
	entries := []Entry{entry(1, 150, 90, 10), entry(2, 150, 99, 10), entry(3, 150, 90, 10)}
	perms := [][]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	for _, p := range perms {
		es := []Entry{entries[p[0]], entries[p[1]], entries[p[2]]}
		status, sheet := Reconcile(es, 300)
		if status != CountedSheet || sheet == nil || !sheet.Equal(entries[0].Sheet) {
			t.Errorf("order %v: %s %v, want counted %v", p, status, sheet, entries[0].Sheet)
		}
	}
}

func TestReconcileDoesNotAlias(t *testing.T) {
	es := []Entry{entry(1, 10, 20, 0), entry(2, 10, 20, 0)}
	_, sheet := Reconcile(es, 100)
	sheet.Blank = 99
	if es[0].Sheet.Blank != 0 || es[1].Sheet.Blank != 0 {
		t.Error("the counted sheet shares its blank count with an entry")
	}
}

func TestCheckEntrant(t *testing.T) {
	entries := []Entry{entry(7, 1, 2, 3)}
	if err := CheckEntrant(nil, 7); err != nil {
		t.Errorf("first entry refused: %v", err)
	}
	if err := CheckEntrant(entries, 8); err != nil {
		t.Errorf("another person refused: %v", err)
	}
	err := CheckEntrant(entries, 7)
	if !errs.Is(err, errs.Conflict) || errs.As(err).Key != "poll.sheet.same_person" {
		t.Errorf("same person: %v, want conflict poll.sheet.same_person", err)
	}
}

func TestStatusPredicates(t *testing.T) {
	for _, s := range StationStatuses {
		wantFlagged := s == Mismatch || s == OverElectorate
		wantDone := s == CountedSheet || s == Annulled
		if Flagged(s) != wantFlagged {
			t.Errorf("Flagged(%s) = %v", s, !wantFlagged)
		}
		if Done(s) != wantDone {
			t.Errorf("Done(%s) = %v", s, !wantDone)
		}
	}
}

func TestAreaAdd(t *testing.T) {
	var a Area
	s1 := Sheet{Votes: []int64{10, 20}, Blank: 1, Null: 2}
	s2 := Sheet{Votes: []int64{5, 5, 7}, Blank: 3}
	a.Add(s1, 1)
	a.Add(s2, 1)
	if want := (Sheet{Votes: []int64{15, 25, 7}, Blank: 4, Null: 2}); !a.Sheet.Equal(want) {
		t.Fatalf("sum = %+v, want %+v", a.Sheet, want)
	}
	a.Add(s1, -1)
	if want := (Sheet{Votes: []int64{5, 5, 7}, Blank: 3}); !a.Sheet.Equal(want) {
		t.Fatalf("after removing = %+v, want %+v", a.Sheet, want)
	}
	a.Add(s2, -1)
	if want := (Sheet{Votes: []int64{0, 0, 0}}); !a.Sheet.Equal(want) {
		t.Fatalf("after removing all = %+v, want %+v", a.Sheet, want)
	}
	if s1.Votes[0] != 10 || s2.Votes[0] != 5 {
		t.Error("Add changed the sheets added")
	}
}

func TestAreaLead(t *testing.T) {
	tests := []struct {
		name  string
		votes []int64
		want  int
	}{
		{"None", nil, -1},
		{"AllZero", []int64{0, 0, 0}, -1},
		{"First", []int64{30, 20, 10}, 0},
		{"Last", []int64{10, 20, 30}, 2},
		{"TiedFirst", []int64{30, 30, 10}, -1},
		{"TiedBehindLeader", []int64{30, 10, 10}, 0},
		{"TieBrokenLater", []int64{20, 20, 25}, 2},
		{"TiedAtEnd", []int64{10, 25, 25}, -1},
		{"OnlyOne", []int64{0, 1}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Area{Leader: 99, Sheet: Sheet{Votes: tt.votes}}
			a.Lead()
			if a.Leader != tt.want {
				t.Errorf("Leader = %d, want %d", a.Leader, tt.want)
			}
		})
	}
}

func TestAreaProgress(t *testing.T) {
	tests := []struct{ stations, counted, want int }{
		{0, 0, 0},
		{4, 0, 0},
		{4, 1, 250},
		{3, 1, 333},
		{3, 2, 666},
		{7, 7, 1000},
	}
	for _, tt := range tests {
		if got := (Area{Stations: tt.stations, Counted: tt.counted}).Progress(); got != tt.want {
			t.Errorf("Progress(%d of %d) = %d, want %d", tt.counted, tt.stations, got, tt.want)
		}
	}
}

func TestAreas(t *testing.T) {
	if got, want := Areas("080101"), []string{"", "08", "080101"}; !slices.Equal(got, want) {
		t.Errorf("Areas = %q, want %q", got, want)
	}
	if got, want := Areas("150132"), []string{"", "15", "150132"}; !slices.Equal(got, want) {
		t.Errorf("Areas = %q, want %q", got, want)
	}
}
