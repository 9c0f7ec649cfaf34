// Package bodies holds the rules of asamblea's bodies — committees,
// assemblies and commissions — and of their membership: who belongs, with
// which role, and how people join (invitations and requests).
package bodies

import (
	"crypto/rand"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"asamblea/errs"
	"asamblea/federation"
)

// Kind of body.
type Kind string

// The kinds of body.
const (
	Committee  Kind = "committee"  // a base organ; its voters are its members
	Assembly   Kind = "assembly"   // its voters are the delegates seated in it
	Commission Kind = "commission" // a working group of a body
)

// Sector of a body.
type Sector string

// Sectors, in the order forms show them.
var Sectors = []Sector{"workers", "campesinos", "indigenous", "students", "neighbourhood", "women", "lgbtq", "other"}

// ValidSector reports whether s is a known sector.
func ValidSector(s Sector) bool {
	for _, x := range Sectors {
		if x == s {
			return true
		}
	}
	return false
}

// Role of a member in a body.
type Role string

// Roles. A member votes and speaks; a secretary also records meetings and
// in-person counts; a facilitator also convenes, opens motions, invites and
// decides on join requests.
const (
	None        Role = ""
	Member      Role = "member"
	Secretary   Role = "secretary"
	Facilitator Role = "facilitator"
)

// Roles lists the roles in order of rank.
var Roles = []Role{Member, Secretary, Facilitator}

// ValidRole reports whether r is a role a member can hold.
func ValidRole(r Role) bool { return r == Member || r == Secretary || r == Facilitator }

// Body is a committee, assembly or commission.
type Body struct {
	ID          int64     `json:"id"`
	Kind        Kind      `json:"kind"`
	Name        string    `json:"name"`
	Sector      Sector    `json:"sector"`
	Place       string    `json:"place"`
	Description string    `json:"description,omitempty"`
	Public      bool      `json:"public"`
	ParentID    int64     `json:"parent_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	Members     int       `json:"members"`

	// Of an assembly: its level, its seat rule, and the members its
	// affiliated bodies stand for (for a committee, its own members).
	Level       federation.Level     `json:"level,omitempty"`
	SeatRule    *federation.SeatRule `json:"seat_rule,omitempty"`
	Represented int                  `json:"represented"`
}

// Limits of a body's fields.
const (
	NameMax        = 120
	DescriptionMax = 4000
	ReasonMax      = 500
	LabelMax       = 80
)

// Input is what a person gives to create or edit a body.
type Input struct {
	Name        string `json:"name"`
	Sector      Sector `json:"sector"`
	Place       string `json:"place"`
	Description string `json:"description"`
	Public      bool   `json:"public"`
}

// Clean normalises and validates in; validPlace checks the UBIGEO code.
func (in *Input) Clean(validPlace func(string) bool) error {
	var err error
	if in.Name, err = CleanText("name", in.Name, 2, NameMax, false); err != nil {
		return err
	}
	if in.Description, err = CleanText("description", in.Description, 0, DescriptionMax, true); err != nil {
		return err
	}
	if in.Sector == "" {
		return errs.Field("sector", "error.required")
	}
	if !ValidSector(in.Sector) {
		return errs.Field("sector", "body.sector.unknown")
	}
	in.Place = strings.TrimSpace(in.Place)
	if in.Place == "" {
		return errs.Field("place", "error.required")
	}
	if !validPlace(in.Place) {
		return errs.Field("place", "body.place.unknown", in.Place)
	}
	return nil
}

// CleanText normalises a person's text (NFC, trimmed; single line unless
// multiline) and checks its length in characters.
func CleanText(field, s string, min, max int, multiline bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", errs.Field(field, "error.bad_characters")
	}
	s = norm.NFC.String(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")))
	if !multiline {
		s = strings.Join(strings.Fields(s), " ")
	}
	for _, r := range s {
		if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t')) {
			return "", errs.Field(field, "error.bad_characters")
		}
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && min > 0:
		return "", errs.Field(field, "error.required")
	case n < min:
		return "", errs.Field(field, "error.too_short", min)
	case n > max:
		return "", errs.Field(field, "error.too_long", max)
	}
	return s, nil
}

// Person is a member as others in the body see them.
type Person struct {
	UserID   int64     `json:"user_id"`
	Name     string    `json:"name"`
	Role     Role      `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

// Membership is one of a person's bodies with their role in it.
type Membership struct {
	Body Body `json:"body"`
	Role Role `json:"role"`
}

// CheckRoleChange enforces that a body always keeps at least one
// facilitator: facilitators is how many it has now, from the role being
// changed, to the new role (None when the person leaves or is removed).
func CheckRoleChange(facilitators int, from, to Role) error {
	if from == Facilitator && to != Facilitator && facilitators <= 1 {
		return errs.New(errs.Conflict, "body.last_facilitator")
	}
	return nil
}

// Invitation lets people join a body with a code.
type Invitation struct {
	ID        int64     `json:"id"`
	BodyID    int64     `json:"body_id"`
	Label     string    `json:"label,omitempty"`
	MaxUses   int       `json:"max_uses"`
	Uses      int       `json:"uses"`
	ExpiresAt time.Time `json:"expires_at"`
	RevokedAt time.Time `json:"revoked_at,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Code      string    `json:"code,omitempty"` // only when just created
}

// Limits of invitations.
const (
	InviteMaxUses  = 1000
	InviteMaxValid = 90 * 24 * time.Hour
)

// InvitationInput is what a facilitator gives to create an invitation.
type InvitationInput struct {
	Label    string        `json:"label"`
	MaxUses  int           `json:"max_uses"`
	ValidFor time.Duration `json:"-"`
	Days     int           `json:"days"`
}

// Clean validates an invitation request.
func (in *InvitationInput) Clean() error {
	var err error
	if in.Label, err = CleanText("label", in.Label, 0, LabelMax, false); err != nil {
		return err
	}
	if in.MaxUses < 1 || in.MaxUses > InviteMaxUses {
		return errs.Field("max_uses", "invitation.max_uses.range", 1, InviteMaxUses)
	}
	if in.ValidFor == 0 {
		in.ValidFor = time.Duration(in.Days) * 24 * time.Hour
	}
	if in.ValidFor <= 0 || in.ValidFor > InviteMaxValid {
		return errs.Field("days", "invitation.days.range", 1, int(InviteMaxValid.Hours()/24))
	}
	return nil
}

// Status of an invitation at a time: "" when usable, else a message key.
func (inv Invitation) Status(now time.Time) string {
	switch {
	case !inv.RevokedAt.IsZero():
		return "invitation.revoked"
	case !now.Before(inv.ExpiresAt):
		return "invitation.expired"
	case inv.Uses >= inv.MaxUses:
		return "invitation.used"
	}
	return ""
}

// codeAlphabet has no letters that are confused when read aloud or written
// by hand (no I, L, O, U, 0, 1).
const codeAlphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"

// NewCode returns a fresh invitation code such as "KX7M-2QPA-9RTD": twelve
// characters (about 59 bits), in groups of four to read aloud.
func NewCode() string {
	b := make([]byte, 12)
	rand.Read(b)
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return s.String()
}

// NormalizeCode turns what a person typed into the canonical code: upper
// case, spaces and dashes ignored, regrouped by four. A letter or digit that
// no code holds (O, 0, I, 1, L, U, Ñ…) becomes "?", so that the code cannot
// match and the person sees that it is wrong rather than some other code.
func NormalizeCode(s string) string {
	var raw []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r < 128 && strings.IndexByte(codeAlphabet, byte(r)) >= 0:
			raw = append(raw, byte(r))
		case r == '?' || unicode.IsLetter(r) || unicode.IsDigit(r):
			raw = append(raw, '?')
		}
	}
	var out strings.Builder
	for i, c := range raw {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(c)
	}
	return out.String()
}

// JoinRequest is a person's request to join a body.
type JoinRequest struct {
	ID        int64     `json:"id"`
	BodyID    int64     `json:"body_id"`
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"`
	Message   string    `json:"message,omitempty"`
	Status    string    `json:"status"` // pending, approved, refused
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}
