package polls

import (
	"slices"
	"strings"
	"time"

	"asamblea/errs"
	"asamblea/places"
)

// A polling station (mesa) counts paper ballots and writes the figures on
// a tally sheet (acta). Two different people enter each sheet; it counts
// only when two entries by different people agree and its votes do not
// exceed the station's electorate. A mismatch, or more votes than electors,
// is flagged for review: a third entry that agrees with one of the others
// (by someone other than that one's author) resolves it, or the organisers
// annul the sheet, with a reason, for all to see.

// StationInput is a polling station as the organisers declare it.
type StationInput struct {
	Code       string `json:"code"`       // the station's number, "000123"
	Place      string `json:"place"`      // the district's UBIGEO code
	Electorate int64  `json:"electorate"` // electors on its roll
}

// Clean checks a station; valid tells a known district.
func (in *StationInput) Clean(valid func(string) bool) error {
	in.Code = strings.TrimSpace(in.Code)
	if in.Code == "" {
		return errs.Field("code", "error.required")
	}
	if len(in.Code) > StationCodeMax || strings.ContainsFunc(in.Code, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r == '-')
	}) {
		return errs.Field("code", "poll.station.code")
	}
	in.Place = strings.TrimSpace(in.Place)
	if len(in.Place) != 6 || !valid(in.Place) {
		return errs.Field("place", "poll.station.district")
	}
	if in.Electorate < 1 || in.Electorate > ElectorateMax {
		return errs.Field("electorate", "poll.station.electorate", ElectorateMax)
	}
	return nil
}

// Station statuses.
const (
	Awaiting       = "awaiting" // no entry yet
	FirstEntered   = "entered"  // one entry, awaiting the second
	CountedSheet   = "counted"  // two entries agree: it counts
	Mismatch       = "mismatch" // entries disagree: flagged
	OverElectorate = "over"     // entries agree on more votes than electors: flagged
	Annulled       = "annulled" // the organisers annulled it: counted as no votes
)

// StationStatuses lists the statuses in the order pages show them.
var StationStatuses = []string{Awaiting, FirstEntered, Mismatch, OverElectorate, CountedSheet, Annulled}

// Flagged reports whether a station's sheet awaits review.
func Flagged(status string) bool { return status == Mismatch || status == OverElectorate }

// Done reports whether a station's sheet is settled (counts, or annulled).
func Done(status string) bool { return status == CountedSheet || status == Annulled }

// Station is a polling station with where its sheet stands.
type Station struct {
	ID         int64     `json:"id"`
	PollID     int64     `json:"poll_id"`
	Code       string    `json:"code"`
	Place      string    `json:"place"`
	Department string    `json:"department"`
	Electorate int64     `json:"electorate"`
	Status     string    `json:"status"`
	Sheet      *Sheet    `json:"sheet,omitempty"` // the figures that count, once they do
	Entries    []Entry   `json:"entries,omitempty"`
	Note       string    `json:"note,omitempty"` // why it was annulled
	UpdatedAt  time.Time `json:"updated_at"`
}

// Sheet is the figures of a tally sheet: votes per option in ballot order
// (the lists, or yes and no in a recall), blank and null ballots.
type Sheet struct {
	Votes []int64 `json:"votes"`
	Blank int64   `json:"blank"`
	Null  int64   `json:"null"`
}

// Clean checks a sheet with options options.
func (s Sheet) Clean(options int) error {
	if len(s.Votes) != options {
		return errs.Field("votes", "poll.sheet.options", options)
	}
	for _, v := range append(slices.Clip(s.Votes), s.Blank, s.Null) {
		if v < 0 {
			return errs.Field("votes", "poll.sheet.negative")
		}
		if v > ElectorateMax {
			return errs.Field("votes", "poll.sheet.too_many", ElectorateMax)
		}
	}
	return nil
}

// Total is the ballots the sheet accounts for.
func (s Sheet) Total() int64 {
	t := s.Blank + s.Null
	for _, v := range s.Votes {
		t += v
	}
	return t
}

// Valid is the votes for options.
func (s Sheet) Valid() int64 { return s.Total() - s.Blank - s.Null }

// Equal reports whether two sheets carry the same figures.
func (s Sheet) Equal(o Sheet) bool {
	return s.Blank == o.Blank && s.Null == o.Null && slices.Equal(s.Votes, o.Votes)
}

// Entry is one person's entry of a sheet.
type Entry struct {
	N         int       `json:"n"` // 1, 2, 3… in the order entered
	UserID    int64     `json:"user_id"`
	UserName  string    `json:"user_name,omitempty"`
	Sheet     Sheet     `json:"sheet"`
	CreatedAt time.Time `json:"created_at"`
}

// Reconcile decides a station's status from its entries, in the order
// entered: the latest pair of agreeing entries by different people settles
// the sheet (counted, or flagged over the electorate), so that a review of
// a sheet flagged over its electorate can settle it with two new agreeing
// entries; otherwise one entry awaits a second and more disagreeing entries
// are a mismatch. It returns the figures that count when the sheet does.
func Reconcile(entries []Entry, electorate int64) (string, *Sheet) {
	for j := len(entries) - 1; j >= 1; j-- {
		for i := 0; i < j; i++ {
			if entries[i].UserID != entries[j].UserID && entries[i].Sheet.Equal(entries[j].Sheet) {
				s := entries[j].Sheet
				if s.Total() > electorate {
					return OverElectorate, &s
				}
				return CountedSheet, &s
			}
		}
	}
	switch len(entries) {
	case 0:
		return Awaiting, nil
	case 1:
		return FirstEntered, nil
	}
	return Mismatch, nil
}

// CheckEntrant refuses a person's entry of a sheet they already entered
// and that awaits someone else.
func CheckEntrant(entries []Entry, user int64) error {
	for _, e := range entries {
		if e.UserID == user {
			return errs.New(errs.Conflict, "poll.sheet.same_person")
		}
	}
	return nil
}

// Area is the count in a district, a department or the whole country:
// Code "" for the country, two digits for a department, six for a district.
type Area struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Stations   int    `json:"stations"`
	Counted    int    `json:"counted"`
	Flagged    int    `json:"flagged"`
	Electorate int64  `json:"electorate"`
	Sheet      Sheet  `json:"sheet"`  // the counted figures so far
	Leader     int    `json:"leader"` // index of the option with most votes, -1 for none
}

// Areas lists the areas a station counts in: the country, its department,
// its district.
func Areas(place string) []string {
	return []string{"", places.DepartmentOf(place), place}
}

// Add adds a counted sheet to an area.
func (a *Area) Add(s Sheet, sign int64) {
	if len(a.Sheet.Votes) < len(s.Votes) {
		a.Sheet.Votes = append(a.Sheet.Votes, make([]int64, len(s.Votes)-len(a.Sheet.Votes))...)
	}
	for i, v := range s.Votes {
		a.Sheet.Votes[i] += sign * v
	}
	a.Sheet.Blank += sign * s.Blank
	a.Sheet.Null += sign * s.Null
}

// Lead sets Leader: the option with most votes, -1 when none has any or
// the first two are tied.
func (a *Area) Lead() {
	a.Leader = -1
	var best int64
	for i, v := range a.Sheet.Votes {
		switch {
		case v > best:
			best, a.Leader = v, i
		case v == best && v > 0:
			a.Leader = -1
		}
	}
}

// Progress is the share of stations settled, in per mille.
func (a Area) Progress() int {
	if a.Stations == 0 {
		return 0
	}
	return a.Counted * 1000 / a.Stations
}
