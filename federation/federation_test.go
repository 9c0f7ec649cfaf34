package federation

import (
	"fmt"
	"testing"

	"asamblea/errs"
)

func TestSeatRuleValidate(t *testing.T) {
	tests := map[string]struct {
		r     SeatRule
		field string
	}{
		"Fixed":          {SeatRule{Mode: Fixed, Fixed: 2}, ""},
		"Proportional":   {SeatRule{Mode: Proportional, PerSeat: 50, Min: 1, Max: 5}, ""},
		"NoMax":          {SeatRule{Mode: Proportional, PerSeat: 50, Min: 1}, ""},
		"NoMode":         {SeatRule{}, "seat_mode"},
		"UnknownMode":    {SeatRule{Mode: "lottery"}, "seat_mode"},
		"FixedZero":      {SeatRule{Mode: Fixed}, "seat_fixed"},
		"FixedHuge":      {SeatRule{Mode: Fixed, Fixed: 101}, "seat_fixed"},
		"PerSeatZero":    {SeatRule{Mode: Proportional, Min: 1}, "seat_per"},
		"MinZero":        {SeatRule{Mode: Proportional, PerSeat: 10}, "seat_min"},
		"MaxBelowMin":    {SeatRule{Mode: Proportional, PerSeat: 10, Min: 3, Max: 2}, "seat_max"},
		"NegativePerSet": {SeatRule{Mode: Proportional, PerSeat: -1, Min: 1}, "seat_per"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.r.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if e := errs.As(err); e.Code != errs.Invalid || e.Field != tc.field {
				t.Fatalf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestSeats(t *testing.T) {
	tests := map[string]struct {
		r     SeatRule
		sizes []int
		want  []int
	}{
		"Fixed": {SeatRule{Mode: Fixed, Fixed: 2}, []int{10, 500, 3}, []int{2, 2, 2}},
		"Empty": {SeatRule{Mode: Fixed, Fixed: 2}, nil, []int{}},
		// 600 members: 6 seats; shares 3.5, 1.5, 1; the tie of remainders
		// goes to the larger body.
		"OnePerHundred": {SeatRule{Mode: Proportional, PerSeat: 100, Min: 1}, []int{350, 150, 100}, []int{4, 1, 1}},
		// 970 members: 10 seats; the small bodies' minimum comes out of
		// the large body's share.
		"MinimumForSmall": {SeatRule{Mode: Proportional, PerSeat: 100, Min: 1}, []int{950, 10, 10}, []int{8, 1, 1}},
		// 103 seats by members, capped at 3 bodies × 3.
		"MaximumForLarge":       {SeatRule{Mode: Proportional, PerSeat: 10, Min: 1, Max: 3}, []int{1000, 20, 10}, []int{3, 3, 3}},
		"AllAtMaximum":          {SeatRule{Mode: Proportional, PerSeat: 1, Min: 1, Max: 2}, []int{50, 50}, []int{2, 2}},
		"EmptyBodiesGetMinimum": {SeatRule{Mode: Proportional, PerSeat: 100, Min: 1}, []int{0, 0}, []int{1, 1}},
		// 12 seats by members, but an empty body holds only its minimum
		// and the other at most 3.
		"EmptyBodyCannotHoldMore": {SeatRule{Mode: Proportional, PerSeat: 1, Min: 1, Max: 3}, []int{12, 0}, []int{3, 1}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := tc.r.Seats(tc.sizes)
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("got %v (%v), want %v", got, err, tc.want)
			}
		})
	}
}

func TestWouldCycle(t *testing.T) {
	// 1 committee → 10 provincial → 20 regional → 30 national; 2 → 10.
	up := map[int64][]int64{1: {10}, 2: {10}, 10: {20}, 20: {30}}
	parents := func(id int64) ([]int64, error) { return up[id], nil }
	tests := map[string]struct {
		body, assembly int64
		want           bool
	}{
		"CommitteeJoinsRegional":         {1, 20, false},
		"AssemblyJoinsItself":            {10, 10, true},
		"NationalJoinsProvincial":        {30, 10, true},
		"RegionalJoinsItsOwnDescendant":  {20, 10, true},
		"ProvincialJoinsNational":        {10, 30, false},
		"CommitteeJoinsAnotherCommittee": {1, 2, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := WouldCycle(tc.body, tc.assembly, parents)
			if err != nil || got != tc.want {
				t.Fatalf("got %v (%v), want %v", got, err, tc.want)
			}
		})
	}
}

func BenchmarkSeats10000Bodies(b *testing.B) {
	sizes := make([]int, 10000)
	for i := range sizes {
		sizes[i] = 50 + (i*7919)%101
	}
	r := SeatRule{Mode: Proportional, PerSeat: 50, Min: 1, Max: 5}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Seats(sizes); err != nil {
			b.Fatal(err)
		}
	}
}
