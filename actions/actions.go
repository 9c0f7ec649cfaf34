// Package actions is what a movement does in the street: strikes,
// roadblocks, marches, caravans, occupations, vigils, public assemblies and
// solidarity actions, called by a body, joined by others, followed through
// short situation reports, and supplied through needs and offers.
//
// The package is pure: it checks input and decides what may change; the
// store keeps actions and the coordinating views of the assemblies above
// them.
package actions

import (
	"math"
	"slices"
	"strings"
	"time"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/places"
)

// Kind is what sort of action it is.
type Kind string

// The kinds of action.
const (
	Strike      Kind = "strike"
	Roadblock   Kind = "roadblock"
	March       Kind = "march"
	Caravan     Kind = "caravan"
	Occupation  Kind = "occupation"
	Vigil       Kind = "vigil"
	Assembly    Kind = "assembly" // a public assembly in a plaza
	Solidarity  Kind = "solidarity"
	defaultKind      = Strike
)

// Kinds lists the kinds in the order forms offer them.
var Kinds = []Kind{Strike, Roadblock, March, Caravan, Occupation, Vigil, Assembly, Solidarity}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Moves reports whether actions of kind k may follow a route.
func (k Kind) Moves() bool { return k == March || k == Caravan }

// Status is where an action stands.
type Status string

// The statuses: an action is called, becomes ongoing, may be suspended and
// resumed, and ends.
const (
	Called    Status = "called"
	Ongoing   Status = "ongoing"
	Suspended Status = "suspended"
	Ended     Status = "ended"
)

// Statuses lists the statuses in order.
var Statuses = []Status{Called, Ongoing, Suspended, Ended}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Active reports whether an action in status s is still on (not ended).
func (s Status) Active() bool { return s != Ended && s != "" }

// CanMove reports whether an action may go from status from to status to.
// An ended action stays ended: a new call is a new action.
func CanMove(from, to Status) bool {
	switch from {
	case Called:
		return to == Ongoing || to == Suspended || to == Ended
	case Ongoing:
		return to == Suspended || to == Ended
	case Suspended:
		return to == Ongoing || to == Ended
	}
	return false
}

// Visibility is who sees an action.
type Visibility string

// The visibilities: the calling body's members only; everyone in the
// federations the body belongs to (every body under the same assemblies);
// or anyone, on public pages and feeds.
const (
	BodyOnly   Visibility = "body"
	Federation Visibility = "federation"
	Public     Visibility = "public"
)

// Visibilities lists them from the narrowest.
var Visibilities = []Visibility{BodyOnly, Federation, Public}

// Valid reports whether v is known.
func (v Visibility) Valid() bool { return slices.Contains(Visibilities, v) }

// Limits of an action's fields.
const (
	TitleMax       = 140
	DescriptionMax = 4000
	RouteMax       = 40 // places on a route
	ReportMax      = 500
	// How far from now an action may start: past actions may be recorded
	// afterwards, future ones called well ahead.
	StartWindow = 400 * 24 * time.Hour
	// The longest an action with an end may last; an indefinite strike has
	// no end at all.
	MaxLength = 400 * 24 * time.Hour
)

// Peru's extent, with a margin: coordinates outside it are a mistake.
const (
	minLat, maxLat = -18.6, 0.2
	minLon, maxLon = -81.6, -68.4
)

// Action is a strike, a roadblock, a march... as people see it.
type Action struct {
	ID          int64      `json:"id"`
	BodyID      int64      `json:"body_id"`
	BodyName    string     `json:"body_name"`
	Kind        Kind       `json:"kind"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Place       string     `json:"place"` // UBIGEO; the route's start when it has one
	Lat         *float64   `json:"lat,omitempty"`
	Lon         *float64   `json:"lon,omitempty"`
	Route       []string   `json:"route,omitempty"`
	Start       time.Time  `json:"start"`
	End         *time.Time `json:"end,omitempty"` // nil: open (an indefinite strike)
	MotionID    int64      `json:"motion_id,omitempty"`
	Visibility  Visibility `json:"visibility"`
	Status      Status     `json:"status"`
	Repressed   bool       `json:"repressed"`
	RepressedAt *time.Time `json:"repressed_at,omitempty"`
	Adherents   int        `json:"adherents"` // bodies that joined, the caller not counted
	Mobilised   int64      `json:"mobilised"` // members of the caller and the adherents
	CreatedBy   int64      `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	EndedAt     *time.Time `json:"ended_at,omitempty"`
}

// Department returns the code of the department the action is in (the
// route's start for one that moves).
func (a Action) Department() string { return places.DepartmentOf(a.Place) }

// Input is what a body fills in to call an action, or to correct one.
type Input struct {
	Kind        Kind       `json:"kind"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Place       string     `json:"place"`
	Lat         *float64   `json:"lat,omitempty"`
	Lon         *float64   `json:"lon,omitempty"`
	Route       []string   `json:"route,omitempty"`
	Start       time.Time  `json:"start"`
	End         *time.Time `json:"end,omitempty"`
	MotionID    int64      `json:"motion_id,omitempty"`
	Visibility  Visibility `json:"visibility"`
}

// Clean checks and normalises in: valid reports whether a UBIGEO code is a
// known place; now is the time of the call. For a correction, start is
// checked against the window only when it changed (was is the old start, or
// the zero time for a new action).
func (in *Input) Clean(valid func(string) bool, now, was time.Time) error {
	var err error
	if in.Kind == "" {
		in.Kind = defaultKind
	}
	if !in.Kind.Valid() {
		return errs.Field("kind", "action.kind.unknown")
	}
	if in.Title, err = bodies.CleanText("title", in.Title, 3, TitleMax, false); err != nil {
		return err
	}
	if in.Description, err = bodies.CleanText("description", in.Description, 0, DescriptionMax, true); err != nil {
		return err
	}
	if in.Visibility == "" {
		in.Visibility = Federation
	}
	if !in.Visibility.Valid() {
		return errs.Field("visibility", "action.visibility.unknown")
	}
	// A route: drop empty stops (a form has spare fields), then at least two
	// known places, no place twice in a row.
	var route []string
	for _, p := range in.Route {
		if p = strings.TrimSpace(p); p != "" {
			route = append(route, p)
		}
	}
	in.Route = route
	in.Place = strings.TrimSpace(in.Place)
	switch {
	case len(route) > 0 && !in.Kind.Moves():
		return errs.Field("route", "action.route.kind")
	case len(route) == 1:
		return errs.Field("route", "action.route.too_short")
	case len(route) > RouteMax:
		return errs.Field("route", "action.route.too_long", RouteMax)
	}
	for i, p := range route {
		if !valid(p) {
			return errs.Field("route", "action.route.unknown", p)
		}
		if i > 0 && route[i-1] == p {
			return errs.Field("route", "action.route.repeated", p)
		}
	}
	if len(route) > 0 {
		if in.Place != "" && in.Place != route[0] {
			return errs.Field("place", "action.place.route")
		}
		in.Place = route[0]
	}
	switch {
	case in.Place == "":
		return errs.Field("place", "error.required")
	case !valid(in.Place):
		return errs.Field("place", "action.place.unknown", in.Place)
	}
	if (in.Lat == nil) != (in.Lon == nil) {
		return errs.Field("lat", "action.coords.both")
	}
	if in.Lat != nil {
		lat, lon := *in.Lat, *in.Lon
		if math.IsNaN(lat) || math.IsNaN(lon) || lat < minLat || lat > maxLat || lon < minLon || lon > maxLon {
			return errs.Field("lat", "action.coords.outside")
		}
		// Five decimals is about a metre: enough for a roadblock's bend.
		lat, lon = math.Round(lat*1e5)/1e5, math.Round(lon*1e5)/1e5
		in.Lat, in.Lon = &lat, &lon
	}
	if in.Start.IsZero() {
		return errs.Field("start", "error.required")
	}
	in.Start = in.Start.UTC().Truncate(time.Minute)
	if !in.Start.Equal(was) && (in.Start.Before(now.Add(-StartWindow)) || in.Start.After(now.Add(StartWindow))) {
		return errs.Field("start", "action.start.window", int(StartWindow.Hours()/24))
	}
	if in.End != nil {
		end := in.End.UTC().Truncate(time.Minute)
		switch {
		case !end.After(in.Start):
			return errs.Field("end", "action.end.before_start")
		case end.Sub(in.Start) > MaxLength:
			return errs.Field("end", "action.end.too_long", int(MaxLength.Hours()/24))
		}
		in.End = &end
	}
	if in.MotionID < 0 {
		return errs.Field("motion_id", "action.motion.not_found")
	}
	return nil
}

// Report is a short, dated account of what is happening at an action, by a
// member of a body that called or joined it.
type Report struct {
	ID         int64     `json:"id"`
	ActionID   int64     `json:"action_id"`
	BodyID     int64     `json:"body_id"`
	BodyName   string    `json:"body_name"`
	Text       string    `json:"text"`
	PhotoID    int64     `json:"photo_id,omitempty"` // 0: no photo
	PhotoW     int       `json:"photo_width,omitempty"`
	PhotoH     int       `json:"photo_height,omitempty"`
	AuthorID   int64     `json:"-"`
	AuthorName string    `json:"author,omitempty"` // shown to members of the reporting body only
	CreatedAt  time.Time `json:"created_at"`
}

// CleanReport checks a report's text.
func CleanReport(text string) (string, error) {
	return bodies.CleanText("text", text, 1, ReportMax, true)
}

// Adhesion is a body that joined an action.
type Adhesion struct {
	BodyID   int64     `json:"body_id"`
	BodyName string    `json:"body_name"`
	Place    string    `json:"place"`
	Members  int64     `json:"members"`
	JoinedAt time.Time `json:"joined_at"`
}

// Filter narrows a coordinating view.
type Filter struct {
	Kind       Kind      `json:"kind,omitempty"`
	Status     Status    `json:"status,omitempty"` // "" with Active: every status but ended
	Active     bool      `json:"active,omitempty"`
	Department string    `json:"department,omitempty"`
	From       time.Time `json:"from,omitzero"` // actions starting on or after
	To         time.Time `json:"to,omitzero"`   // actions starting before
	Before     int64     `json:"-"`             // timeline page: actions with a smaller sort key
}

// Clean checks a filter.
func (f *Filter) Clean() error {
	if f.Kind != "" && !f.Kind.Valid() {
		return errs.Field("kind", "action.kind.unknown")
	}
	if f.Status != "" && !f.Status.Valid() {
		return errs.Field("status", "action.status.unknown")
	}
	if f.Department != "" && (len(f.Department) != 2 || strings.Trim(f.Department, "0123456789") != "") {
		return errs.Field("department", "action.department.unknown")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.To.After(f.From) {
		return errs.Field("to", "action.filter.dates")
	}
	return nil
}

// Match reports whether an action's indexed fields pass the filter's kind,
// status and department (dates are for the store's index).
func (f Filter) Match(dept string, k Kind, s Status) bool {
	switch {
	case f.Kind != "" && k != f.Kind:
		return false
	case f.Status != "" && s != f.Status:
		return false
	case f.Status == "" && f.Active && !s.Active():
		return false
	case f.Department != "" && dept != f.Department:
		return false
	}
	return true
}

// Count is how many actions of one kind and status a department has: the
// rows the coordinating view is summed from.
type Count struct {
	Department string `json:"department"`
	Kind       Kind   `json:"kind"`
	Status     Status `json:"status"`
	N          int    `json:"n"`
}

// Summary is the coordinating view's figures under a filter.
type Summary struct {
	Total        int            `json:"total"`
	ByKind       map[Kind]int   `json:"by_kind"`
	ByStatus     map[Status]int `json:"by_status"`
	ByDepartment map[string]int `json:"by_department"`
}

// Sum adds up the counts that pass f.
func Sum(counts []Count, f Filter) Summary {
	s := Summary{ByKind: map[Kind]int{}, ByStatus: map[Status]int{}, ByDepartment: map[string]int{}}
	for _, c := range counts {
		if !f.Match(c.Department, c.Kind, c.Status) {
			continue
		}
		s.Total += c.N
		s.ByKind[c.Kind] += c.N
		s.ByStatus[c.Status] += c.N
		s.ByDepartment[c.Department] += c.N
	}
	return s
}
