// Package elections is how a body, an assembly or the whole movement elects
// representatives: a constituent assembly in one national district, a
// body's board, an assembly's commission. Lists (or single candidates)
// register with their organisation and sector; members vote online with a
// receipt code, or polling stations count paper ballots whose tally sheets
// (actas) two different people enter; the count is the tally core's; a
// representative can be recalled by petition and vote, and the next on the
// list takes the seat.
//
// The package is pure: it checks input, reconciles tally sheets, derives
// the phase from the calendar and picks replacements. The store keeps
// elections and does the writing.
package polls

import (
	"crypto/rand"
	"math/big"
	"slices"
	"strings"
	"time"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/tally"
)

// Scope is who votes.
type Scope string

// The scopes: the members of a body (committee), the delegates seated in an
// assembly — both online — or the public at polling stations on paper.
const (
	BodyScope     Scope = "body"
	AssemblyScope Scope = "assembly"
	PublicScope   Scope = "public"
)

// Scopes lists the scopes in the order forms offer them.
var Scopes = []Scope{PublicScope, BodyScope, AssemblyScope}

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return slices.Contains(Scopes, s) }

// Paper reports whether votes in scope s are counted from tally sheets.
func (s Scope) Paper() bool { return s == PublicScope }

// The candidate methods: ranked ballots for single candidates.
const (
	STV  = "stv"  // Scottish STV
	Meek = "meek" // Meek STV
)

// Methods lists every method in the order forms offer them: the list
// methods of the tally core, then the candidate methods.
var Methods = func() []string {
	var ms []string
	for _, m := range tally.ListMethods {
		ms = append(ms, string(m))
	}
	return append(ms, STV, Meek)
}()

// IsListMethod reports whether m allocates seats to lists.
func IsListMethod(m string) bool { return slices.Contains(tally.ListMethods, tally.ListMethod(m)) }

// Phase is where an election stands; it follows from the calendar.
type Phase string

// The phases, in order.
const (
	Registration Phase = "registration" // lists and candidates register
	Campaign     Phase = "campaign"     // registration closed, voting not open
	Voting       Phase = "voting"
	Count        Phase = "count" // voting closed; sheets are entered, the result not yet published
	Published    Phase = "published"
)

// Phases lists the phases in order.
var Phases = []Phase{Registration, Campaign, Voting, Count, Published}

// Calendar is an election's dates.
type Calendar struct {
	RegistrationCloses time.Time `json:"registration_closes"`
	VotingOpens        time.Time `json:"voting_opens"`
	VotingCloses       time.Time `json:"voting_closes"`
	PublishBy          time.Time `json:"publish_by"` // when results are due; publication itself is an act
}

// PhaseAt is the phase at now.
func (c Calendar) PhaseAt(now time.Time, published bool) Phase {
	switch {
	case published:
		return Published
	case now.Before(c.RegistrationCloses):
		return Registration
	case now.Before(c.VotingOpens):
		return Campaign
	case now.Before(c.VotingCloses):
		return Voting
	}
	return Count
}

// Limits.
const (
	TitleMax       = 160
	DescriptionMax = 4000
	SeatsMax       = 1000
	NameMax        = 120
	StationCodeMax = 20
	// ElectorateMax bounds one polling station's electorate: Peru's mesas
	// have up to 300 electors; a station abroad or an assembly's a few more.
	ElectorateMax = 100_000
	StationsMax   = 200_000
)

// Input is what an organiser gives to call an election.
type Input struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Scope       Scope  `json:"scope"`
	Seats       int    `json:"seats"`
	Method      string `json:"method"`
	// Threshold is the percentage of valid votes a list needs ("5", "2.5");
	// empty for none.
	Threshold string `json:"threshold"`
	// Parity: lists alternate genders, and seats are taken with parity.
	Parity bool `json:"parity"`
	// RecallShare is the percentage of the electorate whose signatures open
	// a recall vote ("10").
	RecallShare string `json:"recall_share"`
	Calendar
}

// Clean checks in against now and normalises it. Dates must come in order
// and registration must close in the future.
func (in *Input) Clean(now time.Time) error {
	var err error
	if in.Title, err = bodies.CleanText("title", in.Title, 3, TitleMax, false); err != nil {
		return err
	}
	if in.Description, err = bodies.CleanText("description", in.Description, 0, DescriptionMax, true); err != nil {
		return err
	}
	if in.Scope == "" {
		in.Scope = PublicScope
	}
	if !in.Scope.Valid() {
		return errs.Field("scope", "poll.scope.unknown")
	}
	if in.Seats < 1 || in.Seats > SeatsMax {
		return errs.Field("seats", "poll.seats.range", SeatsMax)
	}
	if in.Method == "" {
		in.Method = string(tally.DHondt)
	}
	if !slices.Contains(Methods, in.Method) {
		return errs.Field("method", "poll.method.unknown")
	}
	if in.Scope.Paper() && !IsListMethod(in.Method) {
		return errs.Field("method", "poll.method.paper")
	}
	in.Threshold = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(in.Threshold), "%"))
	if in.Threshold == "0" {
		in.Threshold = ""
	}
	if in.Threshold != "" {
		if !IsListMethod(in.Method) {
			return errs.Field("threshold", "poll.threshold.lists")
		}
		if _, err := tally.ParsePercent(in.Threshold); err != nil {
			return errs.Field("threshold", "poll.threshold.bad")
		}
	}
	in.RecallShare = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(in.RecallShare), "%"))
	if in.RecallShare == "" {
		in.RecallShare = "10"
	}
	if r, err := tally.ParsePercent(in.RecallShare); err != nil || r.Sign() <= 0 {
		return errs.Field("recall_share", "poll.recall_share.bad")
	}
	switch {
	case in.RegistrationCloses.IsZero():
		return errs.Field("registration_closes", "error.required")
	case in.VotingOpens.IsZero():
		return errs.Field("voting_opens", "error.required")
	case in.VotingCloses.IsZero():
		return errs.Field("voting_closes", "error.required")
	case !in.RegistrationCloses.After(now):
		return errs.Field("registration_closes", "poll.date.past")
	case in.VotingOpens.Before(in.RegistrationCloses):
		return errs.Field("voting_opens", "poll.date.order")
	case !in.VotingCloses.After(in.VotingOpens):
		return errs.Field("voting_closes", "poll.date.order")
	}
	if in.PublishBy.IsZero() {
		in.PublishBy = in.VotingCloses.Add(72 * time.Hour)
	}
	if in.PublishBy.Before(in.VotingCloses) {
		return errs.Field("publish_by", "poll.date.order")
	}
	return nil
}

// ThresholdRat is the threshold as a fraction, nil for none.
func (in Input) ThresholdRat() *big.Rat {
	if in.Threshold == "" {
		return nil
	}
	r, err := tally.ParsePercent(in.Threshold)
	if err != nil {
		return nil
	}
	return r
}

// Lists reports whether the election is between lists (otherwise between
// single candidates).
func (in Input) Lists() bool { return IsListMethod(in.Method) }

// Poll is an election of representatives as the store keeps it.
type Poll struct {
	ID       int64  `json:"id"`
	BodyID   int64  `json:"body_id"` // the organising body: its facilitators run the election
	BodyName string `json:"body_name"`
	Input
	Phase       Phase      `json:"phase"`
	Electorate  int64      `json:"electorate"` // members or seats (online), or the stations' electorates
	Voters      int64      `json:"voters"`     // ballots cast online
	Stations    int        `json:"stations"`
	Counted     int        `json:"counted"` // stations whose sheet counts (annulled ones included)
	Flagged     int        `json:"flagged"` // stations whose sheet awaits review
	Version     int        `json:"version"` // 0 until published; each correction adds one
	CreatedBy   int64      `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
}

// Gender codes of candidates.
const (
	Female = "F"
	Male   = "M"
	Other  = "X" // non-binary: stands anywhere on an alternating list
)

// Genders lists the gender codes.
var Genders = []string{Female, Male, Other}

// CandidateInput is one candidate of a candidacy.
type CandidateInput struct {
	Name   string `json:"name"`
	Gender string `json:"gender"`
}

// CandidacyInput is a list, or a single candidate, to register.
type CandidacyInput struct {
	Name         string           `json:"name"`         // the list's name (a single candidate: empty, their name is used)
	Organisation string           `json:"organisation"` // who registers it: a union, a campesino federation…
	Sector       bodies.Sector    `json:"sector"`
	Candidates   []CandidateInput `json:"candidates"`
}

// Clean checks a candidacy against the election's rules: a list has from
// one to as many candidates as seats, and with parity its genders
// alternate; a single candidacy (candidate methods) has exactly one.
func (in *CandidacyInput) Clean(e Input) error {
	var err error
	if in.Organisation, err = bodies.CleanText("organisation", in.Organisation, 2, NameMax, false); err != nil {
		return err
	}
	if in.Sector == "" {
		in.Sector = "other"
	}
	if !bodies.ValidSector(in.Sector) {
		return errs.Field("sector", "body.sector.unknown")
	}
	var cs []CandidateInput
	for i, c := range in.Candidates {
		// A form has spare rows: drop the empty ones.
		if strings.TrimSpace(c.Name) == "" && strings.TrimSpace(c.Gender) == "" {
			continue
		}
		if c.Name, err = bodies.CleanText("candidates", c.Name, 2, NameMax, false); err != nil {
			return errs.Field("candidates", "poll.candidate.name", i+1)
		}
		c.Gender = strings.ToUpper(strings.TrimSpace(c.Gender))
		if !slices.Contains(Genders, c.Gender) {
			return errs.Field("candidates", "poll.candidate.gender", i+1)
		}
		for _, o := range cs {
			if strings.EqualFold(o.Name, c.Name) {
				return errs.Field("candidates", "poll.candidate.twice", c.Name)
			}
		}
		cs = append(cs, c)
	}
	in.Candidates = cs
	if len(cs) == 0 {
		return errs.Field("candidates", "poll.candidates.none")
	}
	if !e.Lists() {
		if len(cs) != 1 {
			return errs.Field("candidates", "poll.candidates.single")
		}
		if strings.TrimSpace(in.Name) == "" {
			in.Name = cs[0].Name
		}
	} else if len(cs) > e.Seats {
		return errs.Field("candidates", "poll.candidates.too_many", e.Seats)
	}
	if in.Name, err = bodies.CleanText("name", in.Name, 2, NameMax, false); err != nil {
		return err
	}
	if e.Parity && e.Lists() {
		if p := AlternationBreak(cs); p > 0 {
			return errs.Field("candidates", "poll.candidates.alternation", p)
		}
	}
	return nil
}

// AlternationBreak is the first position (1-based) at which a list breaks
// alternation — a woman and a man in turn, a non-binary candidate anywhere —
// or 0 when it alternates.
func AlternationBreak(cs []CandidateInput) int {
	last := ""
	for i, c := range cs {
		if c.Gender == Other {
			continue
		}
		if c.Gender == last {
			return i + 1
		}
		last = c.Gender
	}
	return 0
}

// Candidacy statuses.
const (
	Registered = "registered"
	Withdrawn  = "withdrawn"
)

// Candidate statuses.
const (
	Standing = "standing" // on the list, not (or not yet) seated
	Elected  = "elected"  // holds a seat
	Recalled = "recalled" // lost the seat by recall
)

// Candidacy is a registered list or single candidate.
type Candidacy struct {
	ID           int64         `json:"id"`
	PollID       int64         `json:"poll_id"`
	Number       int           `json:"number"` // its number on the ballot, from 1
	Name         string        `json:"name"`
	Organisation string        `json:"organisation"`
	Sector       bodies.Sector `json:"sector"`
	Status       string        `json:"status"`
	Candidates   []Candidate   `json:"candidates"`
	Votes        int64         `json:"votes"` // counted so far (paper) or at the count
	Seats        int           `json:"seats"`
	RegisteredBy int64         `json:"registered_by"`
	CreatedAt    time.Time     `json:"created_at"`
}

// Candidate is a person on a candidacy.
type Candidate struct {
	ID          int64  `json:"id"`
	CandidacyID int64  `json:"candidacy_id"`
	Position    int    `json:"position"`
	Name        string `json:"name"`
	Gender      string `json:"gender"`
	Status      string `json:"status"`
	// Replaces is the recalled representative whose seat this one took.
	Replaces int64 `json:"replaces,omitempty"`
}

// Replacement picks who takes a recalled candidate's seat from the same
// list: the next standing candidate below them; with parity, the next of
// the same gender if there is one, so that the seats keep their balance.
// It returns -1 when nobody is left on the list.
func Replacement(list []Candidate, recalled int, parity bool) int {
	next := -1
	for i := recalled + 1; i < len(list); i++ {
		if list[i].Status != Standing {
			continue
		}
		if next < 0 {
			next = i
		}
		if !parity || list[i].Gender == list[recalled].Gender {
			return i
		}
	}
	if next < 0 {
		// Nobody below: the first standing candidate above.
		for i := 0; i < recalled; i++ {
			if list[i].Status == Standing {
				return i
			}
		}
	}
	return next
}

// NewReceipt draws a voter's receipt code: 60 random bits in Crockford's
// base 32, in three groups of four ("7KQ2-M9XD-4TPA"), easy to read aloud.
func NewReceipt() string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	var s strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			s.WriteByte('-')
		}
		s.WriteByte(alphabet[c%32])
	}
	return s.String()
}

// CleanReceipt normalises a receipt code as a voter types it: any case,
// with or without dashes or spaces, O for 0 and I or L for 1. It returns ""
// when the code cannot be one.
func CleanReceipt(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case r == 'U':
			return ""
		}
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
			return ""
		}
		if b.Len() > 0 && b.Len()%5 == 4 {
			b.WriteByte('-')
		}
		b.WriteRune(r)
	}
	if b.Len() != 14 {
		return ""
	}
	return b.String()
}

// SignaturesNeeded is how many signatures a recall petition needs: share
// (a fraction) of the electorate, rounded up, and at least one.
func SignaturesNeeded(share *big.Rat, electorate int64) int64 {
	if share == nil || electorate <= 0 {
		return 1
	}
	n := new(big.Rat).Mul(share, new(big.Rat).SetInt64(electorate))
	q := new(big.Int).Quo(n.Num(), n.Denom())
	if new(big.Rat).SetInt(q).Cmp(n) < 0 {
		q.Add(q, big.NewInt(1))
	}
	return max(q.Int64(), 1)
}

// RecallPasses reports whether a recall vote passes: a majority of the
// votes cast (blank and null ballots are not cast for either side).
func RecallPasses(yes, no int64) bool { return yes > no }
