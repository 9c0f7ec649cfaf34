// Package incidents holds the rules of the repression records a body's legal
// and human-rights commission keeps: incidents (killings, woundings,
// detentions, disappearances, raids, threats), the people affected and the
// detained, their evidence, and the public figures made from them.
//
// A record has two halves. What the public figures need (kind, place, date,
// force, how many people, verification) is stored in the clear; everything
// that identifies someone (names, ages, descriptions, exact coordinates,
// evidence, who reported) is the Secret, sealed to the commission's key
// (package vault) before it reaches the database. This package is pure: it
// checks, cleans and counts, and never reads or writes anything.
package incidents

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"asamblea/bodies"
	"asamblea/errs"
)

// Kind of incident.
type Kind string

// The kinds of incident, in the order forms and figures show them.
const (
	Killed      Kind = "killed"
	Wounded     Kind = "wounded"
	Detained    Kind = "detained"
	Disappeared Kind = "disappeared"
	Raid        Kind = "raid"
	Threat      Kind = "threat"
	Other       Kind = "other"
)

// Kinds lists the kinds in order.
var Kinds = []Kind{Killed, Wounded, Detained, Disappeared, Raid, Threat, Other}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Force responsible for an incident.
type Force string

// The forces.
const (
	Police       Force = "police"
	Army         Force = "army"
	OtherForce   Force = "other"
	UnknownForce Force = "unknown"
)

// Forces lists the forces in order.
var Forces = []Force{Police, Army, OtherForce, UnknownForce}

// Valid reports whether f is a known force.
func (f Force) Valid() bool { return slices.Contains(Forces, f) }

// State of an incident's verification.
type State string

// The states: every report starts as reported; the commission verifies or
// rejects it.
const (
	Reported State = "reported"
	Verified State = "verified"
	Rejected State = "rejected"
)

// Status of a person affected.
type Status string

// The statuses. A person who was never held has none.
const (
	NotHeld       Status = ""
	StillDetained Status = "detained"
	Released      Status = "released"
	Charged       Status = "charged"
	Convicted     Status = "convicted"
)

// Statuses lists the statuses a form offers, in order.
var Statuses = []Status{NotHeld, StillDetained, Released, Charged, Convicted}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Prisoner reports whether a person with status s is still deprived of
// liberty, and so on the political-prisoners list.
func (s Status) Prisoner() bool { return s == StillDetained || s == Charged || s == Convicted }

// Limits.
const (
	DescriptionMax = 8000
	NameMax        = 200
	FieldMax       = 500  // where held, lawyer
	ChargesMax     = 2000 // charges, notes
	AffectedMax    = 100000
	AgeMax         = 120
	// Earliest is the earliest date a record may have.
	earliestYear = 1980
)

// Incident is a record as the commission sees it: the clear half and, when
// the commission's key opened it, the secret half.
type Incident struct {
	ID           int64     `json:"id"`
	CommissionID int64     `json:"commission_id"`
	Kind         Kind      `json:"kind"`
	At           time.Time `json:"at"`
	Place        string    `json:"place"`
	Force        Force     `json:"force"`
	Affected     int       `json:"affected"`
	ActionID     int64     `json:"action_id,omitempty"`
	State        State     `json:"state"`
	CheckedBy    int64     `json:"checked_by,omitempty"`
	CheckedAt    time.Time `json:"checked_at,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Evidence     int       `json:"evidence"`
	Secret       *Secret   `json:"secret,omitempty"`
}

// Secret is the sealed half of an incident.
type Secret struct {
	Description string   `json:"description"`
	Lat         *float64 `json:"lat,omitempty"`
	Lon         *float64 `json:"lon,omitempty"`
	Reporter    int64    `json:"reporter"`              // the account that reported
	ReporterAs  string   `json:"reporter_name"`         // its display name then
	ReportedAt  string   `json:"reported_at,omitempty"` // the exact time, RFC 3339: the row keeps only the day
	CheckedNote string   `json:"checked_note,omitempty"`
}

// Input is what a person reports, or the commission corrects.
type Input struct {
	Kind        Kind      `json:"kind"`
	At          time.Time `json:"at"`
	Place       string    `json:"place"`
	Lat         *float64  `json:"lat"`
	Lon         *float64  `json:"lon"`
	Force       Force     `json:"force"`
	Affected    int       `json:"affected"`
	Description string    `json:"description"`
	ActionID    int64     `json:"action_id"`
}

// Clean checks in against now and the place table. Coordinates are rounded
// to two decimals (about a kilometre) unless exact is set.
func (in *Input) Clean(now time.Time, validPlace func(string) bool, exact bool) error {
	if in.Kind == "" {
		return errs.Field("kind", "error.required")
	}
	if !in.Kind.Valid() {
		return errs.Field("kind", "incident.kind.unknown")
	}
	if err := CheckWhen("at", in.At, now); err != nil {
		return err
	}
	in.Place = strings.TrimSpace(in.Place)
	if in.Place == "" {
		return errs.Field("place", "error.required")
	}
	if !validPlace(in.Place) {
		return errs.Field("place", "body.place.unknown", in.Place)
	}
	if (in.Lat == nil) != (in.Lon == nil) {
		return errs.Field("lat", "incident.coords.both")
	}
	if in.Lat != nil {
		if math.IsNaN(*in.Lat) || *in.Lat < -90 || *in.Lat > 90 {
			return errs.Field("lat", "incident.coords.range")
		}
		if math.IsNaN(*in.Lon) || *in.Lon < -180 || *in.Lon > 180 {
			return errs.Field("lon", "incident.coords.range")
		}
		if !exact {
			lat, lon := Round2(*in.Lat), Round2(*in.Lon)
			in.Lat, in.Lon = &lat, &lon
		}
	}
	if in.Force == "" {
		in.Force = UnknownForce
	}
	if !in.Force.Valid() {
		return errs.Field("force", "incident.force.unknown")
	}
	if in.Affected < 0 || in.Affected > AffectedMax {
		return errs.Field("affected", "incident.affected.range", AffectedMax)
	}
	if in.ActionID < 0 {
		return errs.Field("action_id", "incident.action.unknown")
	}
	var err error
	in.Description, err = bodies.CleanText("description", in.Description, 0, DescriptionMax, true)
	return err
}

// CheckWhen refuses a time that cannot be a record's: before 1980 or more
// than a day in the future (a day allows for clocks and zones).
func CheckWhen(field string, t, now time.Time) error {
	switch {
	case t.IsZero():
		return errs.Field(field, "error.required")
	case t.Year() < earliestYear:
		return errs.Field(field, "incident.when.too_old", earliestYear)
	case t.After(now.Add(24 * time.Hour)):
		return errs.Field(field, "incident.when.future")
	}
	return nil
}

// Round2 rounds a coordinate to two decimals.
func Round2(x float64) float64 { return math.Round(x*100) / 100 }

// ParseCoord reads a coordinate as a person types it: "-12.05", "-12,05".
// An empty string is no coordinate.
func ParseCoord(field, s string) (*float64, error) {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", "."))
	if s == "" {
		return nil, nil
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return nil, errs.Field(field, "incident.coords.number")
	}
	return &x, nil
}

// ParseWhen reads a date ("2006-01-02") and an optional time of day
// ("15:04") in zone. A date that does not exist (31 February) is refused.
func ParseWhen(field, date, clock string, zone *time.Location) (time.Time, error) {
	date, clock = strings.TrimSpace(date), strings.TrimSpace(clock)
	if date == "" {
		return time.Time{}, errs.Field(field, "error.required")
	}
	if clock == "" {
		clock = "00:00"
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", date+" "+clock, zone)
	if err != nil {
		return time.Time{}, errs.Field(field, "incident.when.bad")
	}
	return t, nil
}

// Person is someone affected by an incident, or detained, as the commission
// sees them. Only the status is kept in the clear (the prisoners count
// needs it); everything else is sealed.
type Person struct {
	ID           int64      `json:"id"`
	CommissionID int64      `json:"commission_id"`
	IncidentID   int64      `json:"incident_id,omitempty"`
	Status       Status     `json:"status"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Secret       *PersonSet `json:"secret,omitempty"`
}

// PersonSet is the sealed half of a person's record.
type PersonSet struct {
	Name        string `json:"name"` // name or alias
	Age         int    `json:"age,omitempty"`
	Held        string `json:"held,omitempty"` // where held
	Charges     string `json:"charges,omitempty"`
	Lawyer      string `json:"lawyer,omitempty"`
	NextHearing string `json:"next_hearing,omitempty"` // 2006-01-02
	Notes       string `json:"notes,omitempty"`
}

// PersonInput is what the commission records of a person.
type PersonInput struct {
	IncidentID int64  `json:"incident_id"`
	Status     Status `json:"status"`
	PersonSet
}

// Clean checks in. now bounds the next hearing: a hearing more than a year
// past is a typing error.
func (in *PersonInput) Clean(now time.Time) error {
	var err error
	if in.Name, err = bodies.CleanText("name", in.Name, 1, NameMax, false); err != nil {
		return err
	}
	if in.Age < 0 || in.Age > AgeMax {
		return errs.Field("age", "incident.age.range", AgeMax)
	}
	if !in.Status.Valid() {
		return errs.Field("status", "incident.status.unknown")
	}
	if in.Held, err = bodies.CleanText("held", in.Held, 0, FieldMax, false); err != nil {
		return err
	}
	if in.Lawyer, err = bodies.CleanText("lawyer", in.Lawyer, 0, FieldMax, false); err != nil {
		return err
	}
	if in.Charges, err = bodies.CleanText("charges", in.Charges, 0, ChargesMax, true); err != nil {
		return err
	}
	if in.Notes, err = bodies.CleanText("notes", in.Notes, 0, ChargesMax, true); err != nil {
		return err
	}
	in.NextHearing = strings.TrimSpace(in.NextHearing)
	if in.NextHearing != "" {
		d, err := time.Parse(time.DateOnly, in.NextHearing)
		if err != nil {
			return errs.Field("next_hearing", "incident.when.bad")
		}
		if d.Year() < earliestYear || d.After(now.AddDate(10, 0, 0)) {
			return errs.Field("next_hearing", "incident.hearing.range")
		}
	}
	if in.IncidentID < 0 {
		return errs.Field("incident_id", "incident.not_found")
	}
	return nil
}

// Settings of a commission's records.
type Settings struct {
	ExactCoords    bool `json:"exact_coords"`    // keep coordinates as given
	OriginalImages bool `json:"original_images"` // keep evidence images as uploaded, metadata and all
}

// Check is the commission's verdict on a report.
type Check struct {
	State State  `json:"state"` // verified or rejected
	Note  string `json:"note"`
}

// Clean checks c.
func (c *Check) Clean() error {
	if c.State != Verified && c.State != Rejected {
		return errs.Field("state", "incident.state.unknown")
	}
	var err error
	c.Note, err = bodies.CleanText("note", c.Note, 0, ChargesMax, true)
	return err
}
