// Package federation holds the rules by which bodies link up into
// assemblies: assembly levels, the seat rule that gives each affiliated
// body its delegate seats, and the check that keeps affiliations free of
// cycles. It is pure: no I/O.
package federation

import (
	"asamblea/errs"
	"asamblea/tally"
)

// Level of an assembly.
type Level string

// Levels, from the smallest territory up.
var Levels = []Level{"provincial", "regional", "macroregional", "sectoral", "national", "other"}

// ValidLevel reports whether l is a known level.
func ValidLevel(l Level) bool {
	for _, x := range Levels {
		if x == l {
			return true
		}
	}
	return false
}

// Seat rule modes.
const (
	Fixed        = "fixed"        // the same number of seats for every body
	Proportional = "proportional" // seats in proportion to members represented
)

// Limits of a seat rule.
const (
	MaxSeatsPerBody = 100
	MaxPerSeat      = 1000000
)

// SeatRule says how many delegate seats each affiliated body has.
//
// Fixed gives every body Fixed seats. Proportional gives the assembly one
// seat per PerSeat members represented by all its bodies together (a part
// counts as one), never fewer than Min nor, when Max > 0, more than Max per
// body, and divides those seats among the bodies in proportion to their
// members by largest remainder (tally.Apportion).
type SeatRule struct {
	Mode    string `json:"mode"`
	Fixed   int    `json:"fixed,omitempty"`
	PerSeat int    `json:"per_seat,omitempty"`
	Min     int    `json:"min,omitempty"`
	Max     int    `json:"max,omitempty"`
}

// Validate checks the rule, naming the field at fault.
func (r SeatRule) Validate() error {
	switch r.Mode {
	case Fixed:
		if r.Fixed < 1 || r.Fixed > MaxSeatsPerBody {
			return errs.Field("seat_fixed", "assembly.seats.range", 1, MaxSeatsPerBody)
		}
	case Proportional:
		if r.PerSeat < 1 || r.PerSeat > MaxPerSeat {
			return errs.Field("seat_per", "assembly.per_seat.range", 1, MaxPerSeat)
		}
		if r.Min < 1 || r.Min > MaxSeatsPerBody {
			return errs.Field("seat_min", "assembly.seats.range", 1, MaxSeatsPerBody)
		}
		if r.Max != 0 && (r.Max < r.Min || r.Max > MaxSeatsPerBody) {
			return errs.Field("seat_max", "assembly.seat_max.range", r.Min, MaxSeatsPerBody)
		}
	case "":
		return errs.Field("seat_mode", "error.required")
	default:
		return errs.Field("seat_mode", "assembly.seat_mode.unknown")
	}
	return nil
}

// Seats gives each body its seats; sizes are the members each represents.
func (r SeatRule) Seats(sizes []int) ([]int, error) {
	out := make([]int, len(sizes))
	if len(sizes) == 0 {
		return out, nil
	}
	if r.Mode == Fixed {
		for i := range out {
			out[i] = r.Fixed
		}
		return out, nil
	}
	total, empty := 0, 0
	for _, s := range sizes {
		total += s
		if s == 0 {
			empty++
		}
	}
	n := len(sizes)
	seats := tally.SeatsForMembers(total, r.PerSeat, n*r.Min, 0)
	if r.Max > 0 {
		// No more seats than the bodies can hold: at most Max each, and a
		// body with no members only its minimum.
		holdable := n * r.Max
		if empty > 0 && empty < n {
			holdable = empty*r.Min + (n-empty)*r.Max
		}
		seats = min(seats, holdable)
	}
	return tally.Apportion(sizes, seats, r.Min, r.Max)
}

// WouldCycle reports whether affiliating body to assembly would make a
// cycle: that is, whether body is assembly itself or one of its ancestors.
// parents returns the assemblies a body belongs to.
func WouldCycle(body, assembly int64, parents func(int64) ([]int64, error)) (bool, error) {
	seen := map[int64]bool{}
	queue := []int64{assembly}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		if id == body {
			return true, nil
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		ps, err := parents(id)
		if err != nil {
			return false, err
		}
		queue = append(queue, ps...)
	}
	return false, nil
}
