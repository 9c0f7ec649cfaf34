package incidents

import (
	"cmp"
	"slices"
	"time"
)

// Fewer is the smallest count the public figures show as a number. A count
// below it, in one department and week, is shown as "fewer than 3": a
// figure of one or two in a small place and week can name the person.
const Fewer = 3

// Count is a number for the public: exact, or only "fewer than 3".
type Count struct {
	N     int  `json:"n,omitempty"` // zero when Fewer is set
	Fewer bool `json:"fewer_than_3,omitempty"`
	// More is set on a total one of whose cells is hidden: the total
	// is "more than N" (the exact total would give the hidden cell away).
	More bool `json:"more_than,omitempty"`
}

// Hide returns n as the public may see it: below Fewer, only "fewer than 3".
func Hide(n int) Count { return count(n) }

func count(n int) Count {
	if n > 0 && n < Fewer {
		return Count{Fewer: true}
	}
	return Count{N: n}
}

// Row is what the store counts of verified incidents: one kind, in one
// department, in one week.
type Row struct {
	Kind       Kind
	Department string // UBIGEO department code
	Week       time.Time
	Incidents  int
	People     int
}

// Cell is a Row as the public sees it.
type Cell struct {
	Kind       Kind   `json:"kind"`
	Department string `json:"department"`
	Week       string `json:"week"` // its Monday, 2006-01-02
	Incidents  Count  `json:"incidents"`
	People     Count  `json:"people"`
}

// Total is a kind's national figure.
type Total struct {
	Kind      Kind  `json:"kind"`
	Incidents Count `json:"incidents"`
	People    Count `json:"people"`
}

// Figures are the public figures of verified incidents.
type Figures struct {
	Totals []Total `json:"totals"`
	Cells  []Cell  `json:"cells"` // newest week first, then department, then kind
}

// Aggregate makes the public figures from rows. Every count below Fewer in a
// department and week is hidden. A national total is exact unless exactly
// one of its kind's cells is hidden: then the total less the cells shown
// would give that cell away, and the total is shown as "more than" the sum
// of the cells shown.
func Aggregate(rows []Row) Figures {
	rows = merge(rows)
	var f Figures
	type acc struct {
		incidents, people       int
		shownInc, shownPeople   int
		hiddenInc, hiddenPeople int
	}
	totals := map[Kind]*acc{}
	for _, r := range rows {
		a := totals[r.Kind]
		if a == nil {
			a = &acc{}
			totals[r.Kind] = a
		}
		c := Cell{Kind: r.Kind, Department: r.Department, Week: r.Week.Format(time.DateOnly), Incidents: count(r.Incidents), People: count(r.People)}
		a.incidents += r.Incidents
		a.people += r.People
		if c.Incidents.Fewer {
			a.hiddenInc++
		} else {
			a.shownInc += r.Incidents
		}
		if c.People.Fewer {
			a.hiddenPeople++
		} else {
			a.shownPeople += r.People
		}
		f.Cells = append(f.Cells, c)
	}
	total := func(n, shown, hidden int) Count {
		switch {
		case hidden == 1 && shown == 0:
			return count(n) // the hidden cell is the whole total
		case hidden == 1:
			return Count{N: shown, More: true}
		}
		return Count{N: n}
	}
	for _, k := range Kinds {
		a := totals[k]
		if a == nil {
			continue
		}
		f.Totals = append(f.Totals, Total{Kind: k, Incidents: total(a.incidents, a.shownInc, a.hiddenInc), People: total(a.people, a.shownPeople, a.hiddenPeople)})
	}
	return f
}

// merge sums rows of the same kind, department and week and sorts them.
func merge(rows []Row) []Row {
	out := slices.Clone(rows)
	slices.SortFunc(out, func(a, b Row) int {
		return cmp.Or(b.Week.Compare(a.Week), cmp.Compare(a.Department, b.Department), cmp.Compare(slices.Index(Kinds, a.Kind), slices.Index(Kinds, b.Kind)))
	})
	n := 0
	for _, r := range out {
		if n > 0 && out[n-1].Kind == r.Kind && out[n-1].Department == r.Department && out[n-1].Week.Equal(r.Week) {
			out[n-1].Incidents += r.Incidents
			out[n-1].People += r.People
			continue
		}
		out[n] = r
		n++
	}
	return out[:n]
}

// WeekOf returns the Monday (at midnight, in t's zone) of t's week.
func WeekOf(t time.Time) time.Time {
	d := (int(t.Weekday()) + 6) % 7
	y, m, day := t.Date()
	return time.Date(y, m, day-d, 0, 0, 0, 0, t.Location())
}
