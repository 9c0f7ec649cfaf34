// Package motions holds the rules of deliberation: what a motion is, the
// states it goes through, what a ballot on it may say, how a delegate's vote
// compares with the instruction of their base, how a meeting's show of hands
// is checked, and how a referral's results add up. It is pure: the store
// keeps motions and calls these rules.
//
// A motion goes draft → discussion → voting → passed, rejected or
// no_quorum (yes/no rules) or decided, tie or no_quorum (option rules); it
// may be withdrawn before it is decided. A motion decided in a physical
// meeting is recorded (waiting for a second member to confirm) before it
// takes its result.
//
// Ties: a yes/no vote with as many yes as no is rejected (what was asked
// for did not get a majority; the status quo stands). A vote among options
// whose winners tie is closed as a tie, with nothing chosen: the body votes
// again, or its rule names a seed and the tally core breaks the tie by lot.
package motions

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/voting"
)

// States of a motion.
const (
	Draft      = "draft"
	Discussion = "discussion"
	Voting     = "voting"
	Recorded   = "recorded" // decided in a meeting, waiting for confirmation
	Passed     = voting.Passed
	Rejected   = voting.Rejected
	NoQuorum   = voting.NoQuorum
	Decided    = voting.Decided
	Tie        = voting.Tie
	Withdrawn  = "withdrawn"
)

// Closed reports whether a motion in status s is decided (or withdrawn).
func Closed(s string) bool {
	switch s {
	case Passed, Rejected, NoQuorum, Decided, Tie, Withdrawn:
		return true
	}
	return false
}

// Open reports whether a motion in status s may still be changed, discussed
// or voted on.
func Open(s string) bool { return s == Draft || s == Discussion || s == Voting }

// Modes in which a motion is decided.
const (
	Online    = "online"
	InMeeting = "meeting"
)

// Limits.
const (
	TitleMax      = 200
	TextMax       = 20000
	CommentMax    = 4000
	ReasonMax     = 1000
	OptionMax     = 200
	MaxOptions    = 50
	MinVoting     = time.Hour
	MaxVoting     = 30 * 24 * time.Hour
	DefaultVoting = 48 * time.Hour
)

// Motion is a proposal a body decides.
type Motion struct {
	ID         int64       `json:"id"`
	BodyID     int64       `json:"body_id"`
	BodyName   string      `json:"body_name,omitempty"`
	BodyKind   bodies.Kind `json:"body_kind,omitempty"`
	Title      string      `json:"title"`
	Text       string      `json:"text"`
	Options    []string    `json:"options,omitempty"` // empty: a yes/no motion
	Rule       voting.Rule `json:"rule"`
	ProposerID int64       `json:"proposer_id"`
	Proposer   string      `json:"proposer,omitempty"`
	Status     string      `json:"status"`
	ClosesAt   time.Time   `json:"closes_at,omitzero"`
	VotingAt   time.Time   `json:"voting_at,omitzero"`
	ClosedAt   time.Time   `json:"closed_at,omitzero"`
	// Voters is how many have voted so far (members, or seats in an
	// assembly); how they voted is shown only once the vote is closed.
	Voters   int       `json:"voters"`
	Decision *Decision `json:"decision,omitempty"`
	// Result is what was decided, in the form of a ballot choice: yes or no,
	// or the index of the winning option; empty when nothing was decided.
	Result       string    `json:"result,omitempty"`
	Mode         string    `json:"mode"`
	MeetingID    int64     `json:"meeting_id,omitempty"`
	DecidedOn    string    `json:"decided_on,omitempty"`
	ReferralID   int64     `json:"referral_id,omitempty"`
	InitiativeID int64     `json:"initiative_id,omitempty"`
	PublishedAt  time.Time `json:"published_at,omitzero"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`

	// For the viewer.
	Voted       bool   `json:"voted,omitempty"`
	Instruction string `json:"instruction,omitempty"` // what the viewer's base instructs, as a delegate
}

// IsOptions reports whether the motion is decided among options.
func (m Motion) IsOptions() bool { return m.Rule.IsOptions() }

// ResultLabel returns the option name of an options result, or the result
// itself (yes, no) for a yes/no motion.
func (m Motion) ResultLabel(result string) string {
	if i, err := strconv.Atoi(result); err == nil && i >= 0 && i < len(m.Options) && m.IsOptions() {
		return m.Options[i]
	}
	return result
}

// Decision is the record of a closed vote: the count and the outcome under
// the rule.
type Decision struct {
	Count   voting.Count          `json:"count"`             // yes/no rules
	Tallies []int64               `json:"tallies,omitempty"` // option rules: first choices (approvals) per option
	Outcome *voting.Outcome       `json:"outcome,omitempty"`
	Options *voting.OptionOutcome `json:"options,omitempty"`
}

// Input creates or edits a motion.
type Input struct {
	Title   string   `json:"title"`
	Text    string   `json:"text"`
	Options []string `json:"options,omitempty"`
	Rule    string   `json:"rule"`              // a voting rule kind; default majority (plurality with options)
	Winners int      `json:"winners,omitempty"` // option rules
	Blocks  int64    `json:"blocks,omitempty"`  // consent
	// Draft keeps a new motion as a draft, seen only by its proposer
	// until it is put to discussion.
	Draft bool `json:"draft,omitempty"`
}

// Clean checks and normalises a motion, returning its rule with the body's
// quorum.
func (in *Input) Clean(quorum voting.Fraction) (voting.Rule, error) {
	var err error
	if in.Title, err = bodies.CleanText("title", in.Title, 3, TitleMax, false); err != nil {
		return voting.Rule{}, err
	}
	if in.Text, err = bodies.CleanText("text", in.Text, 1, TextMax, true); err != nil {
		return voting.Rule{}, err
	}
	var opts []string
	for _, o := range in.Options {
		o, err := bodies.CleanText("options", o, 0, OptionMax, false)
		if err != nil {
			return voting.Rule{}, err
		}
		if o == "" {
			continue
		}
		if slices.ContainsFunc(opts, func(p string) bool { return strings.EqualFold(p, o) }) {
			return voting.Rule{}, errs.Field("options", "motion.options.twice", o)
		}
		opts = append(opts, o)
	}
	in.Options = opts
	if len(opts) > MaxOptions {
		return voting.Rule{}, errs.Field("options", "motion.options.too_many", MaxOptions)
	}
	if in.Rule == "" {
		in.Rule = voting.Majority
		if len(opts) > 0 {
			in.Rule = voting.Plurality
		}
	}
	r := voting.Rule{Kind: in.Rule, Quorum: quorum, Winners: in.Winners, Blocks: in.Blocks}
	if err := r.Validate(); err != nil {
		return r, err
	}
	switch {
	case r.IsOptions() && len(opts) < 2:
		return r, errs.Field("options", "motion.options.too_few")
	case !r.IsOptions() && len(opts) > 0:
		return r, errs.Field("options", "motion.options.yes_no")
	case r.IsOptions() && r.Winners >= len(opts):
		return r, errs.Field("winners", "voting.winners.range", 1, len(opts)-1)
	}
	return r, nil
}

// VotingHours checks how long a vote stays open.
func VotingHours(hours int) (time.Duration, error) {
	if hours < int(MinVoting/time.Hour) || hours > int(MaxVoting/time.Hour) {
		// Checked before multiplying: a huge count must not wrap around.
		return 0, errs.Field("hours", "motion.hours.range", int(MinVoting.Hours()), int(MaxVoting.Hours()))
	}
	d := time.Duration(hours) * time.Hour
	if d < MinVoting || d > MaxVoting {
		return 0, errs.Field("hours", "motion.hours.range", int(MinVoting.Hours()), int(MaxVoting.Hours()))
	}
	return d, nil
}

// CanMove reports whether a motion may go from status from to status to by
// a person's act (closing a vote is not one: see the store).
func CanMove(from, to string) error {
	ok := false
	switch to {
	case Discussion:
		ok = from == Draft
	case Voting:
		ok = from == Draft || from == Discussion
	case Withdrawn:
		ok = from == Draft || from == Discussion || from == Voting
	}
	if !ok {
		return errs.New(errs.Conflict, "motion.move.refused", from, to)
	}
	return nil
}

// Choices a yes/no ballot may hold under rule r: under consent, consent
// (yes), stand aside (abstain) or block; otherwise yes, no or abstain.
func Choices(r voting.Rule) []string {
	if r.Kind == voting.Consent {
		return []string{voting.Yes, voting.Abstain, voting.Block}
	}
	return []string{voting.Yes, voting.No, voting.Abstain}
}

// Ballot is what a person or a delegate puts in: Choice for a yes/no rule,
// Ranking (option indices, preferred first; approval: those approved) for
// an option rule. An empty Ranking is a blank ballot.
type Ballot struct {
	Choice  string `json:"choice,omitempty"`
	Ranking []int  `json:"ranking,omitempty"`
}

// Encode checks a ballot against the motion and returns its stored form:
// the choice, or the ranking as comma-separated indices (approval: sorted;
// plurality: the first choice only). A blank option ballot encodes as "".
func (b Ballot) Encode(m Motion) (string, error) {
	if !m.IsOptions() {
		if len(b.Ranking) > 0 {
			return "", errs.Field("ranking", "motion.ballot.no_ranking")
		}
		if !slices.Contains(Choices(m.Rule), b.Choice) {
			return "", errs.Field("choice", "motion.ballot.choice")
		}
		return b.Choice, nil
	}
	if b.Choice != "" {
		return "", errs.Field("choice", "motion.ballot.rank_options")
	}
	r := slices.Clone(b.Ranking)
	seen := make(map[int]bool, len(r))
	for _, i := range r {
		if i < 0 || i >= len(m.Options) {
			return "", errs.Field("ranking", "motion.ballot.unknown_option")
		}
		if seen[i] {
			return "", errs.Field("ranking", "motion.ballot.twice")
		}
		seen[i] = true
	}
	switch m.Rule.Kind {
	case voting.Approval:
		slices.Sort(r)
	case voting.Plurality:
		if len(r) > 1 {
			r = r[:1]
		}
	}
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ","), nil
}

// DecodeRanking reads a stored ranking.
func DecodeRanking(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return nil, errs.Field("ranking", "motion.ballot.unknown_option")
		}
		out[i] = v
	}
	return out, nil
}

// Deviates reports whether a delegate's stored choice departs from their
// base's instruction. There is no deviation without an instruction. On a
// yes/no motion any other choice deviates (abstaining too); among
// options, a ranking deviates unless the instructed option is its first
// choice (approval: one of those approved).
func Deviates(r voting.Rule, instruction, choice string) bool {
	if instruction == "" {
		return false
	}
	if !r.IsOptions() {
		return choice != followed(r, instruction)
	}
	ranking, _ := DecodeRanking(choice)
	want, err := strconv.Atoi(instruction)
	if err != nil || len(ranking) == 0 {
		return true
	}
	if r.Kind == voting.Approval {
		return !slices.Contains(ranking, want)
	}
	return ranking[0] != want
}

// followed is the yes/no ballot choice that follows an instruction: the
// instruction itself, except under consent, where a base that stopped the
// motion (no) instructs its delegates to block it.
func followed(r voting.Rule, instruction string) string {
	if r.Kind == voting.Consent && instruction == voting.No {
		return voting.Block
	}
	return instruction
}

// Prefill returns the ballot a delegate is offered under an instruction:
// the instructed choice, or the instructed option first.
func Prefill(m Motion, instruction string) Ballot {
	if instruction == "" {
		return Ballot{}
	}
	if !m.IsOptions() {
		return Ballot{Choice: followed(m.Rule, instruction)}
	}
	i, err := strconv.Atoi(instruction)
	if err != nil || i < 0 || i >= len(m.Options) {
		return Ballot{}
	}
	return Ballot{Ranking: []int{i}}
}

// ResultOf returns what a decision decided, as a ballot choice: yes when a
// yes/no motion passed, no when it was rejected, the index of the first
// winning option when decided; "" when nothing was decided (no quorum, a
// tie).
func ResultOf(d Decision) string {
	switch {
	case d.Outcome != nil:
		switch d.Outcome.Result {
		case voting.Passed:
			return voting.Yes
		case voting.Rejected:
			return voting.No
		}
	case d.Options != nil:
		if d.Options.Result == voting.Decided && len(d.Options.WinnerIndex) > 0 {
			return strconv.Itoa(d.Options.WinnerIndex[0])
		}
	}
	return ""
}

// StatusOf returns the status a decision closes a motion with.
func StatusOf(d Decision) string {
	if d.Outcome != nil {
		return d.Outcome.Result
	}
	if d.Options != nil {
		switch d.Options.Result {
		case voting.NoQuorum:
			return NoQuorum
		case voting.Tie:
			return Tie
		case voting.NoVotes:
			return NoQuorum
		}
		return Decided
	}
	return NoQuorum
}

// SeatWeights splits the members a body represents among its seats, when
// an assembly weights its votes by members represented: each seat gets an
// equal share, the remainder one each to the first seats (by position).
// Every seat weighs at least 1.
func SeatWeights(represented int64, seats int) []int64 {
	if seats <= 0 {
		return nil
	}
	w := make([]int64, seats)
	base, rem := represented/int64(seats), represented%int64(seats)
	for i := range w {
		w[i] = base
		if int64(i) < rem {
			w[i]++
		}
		if w[i] < 1 {
			w[i] = 1
		}
	}
	return w
}

// Comment is a contribution to a motion's discussion.
type Comment struct {
	ID        int64     `json:"id"`
	MotionID  int64     `json:"motion_id"`
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// States of an amendment.
const (
	AmendOpen       = "open"       // proposed
	AmendVoting     = "voting"     // put to a vote before the main vote
	AmendAccepted   = "accepted"   // taken by the proposer of the motion
	AmendAdopted    = "adopted"    // passed its vote
	AmendRejected   = "rejected"   // failed its vote
	AmendWithdrawn  = "withdrawn"  // withdrawn by whoever proposed it
	AmendSuperseded = "superseded" // the text it changed was changed by another first
)

// Amendment is a proposed change of a motion's text: the whole text as it
// would read. An accepted or adopted amendment becomes the motion's text;
// the other amendments still pending were written against the old text and
// are superseded (they stay visible; their authors may propose them anew).
// An amendment put to a vote is decided by a simple majority of votes cast
// (a tie rejects it) when its vote is closed, at the latest when the main
// vote opens.
type Amendment struct {
	ID         int64        `json:"id"`
	MotionID   int64        `json:"motion_id"`
	ProposerID int64        `json:"proposer_id"`
	Proposer   string       `json:"proposer"`
	Text       string       `json:"text"`
	Reason     string       `json:"reason,omitempty"`
	Status     string       `json:"status"`
	Count      voting.Count `json:"count"` // shown once decided; while voting, Count.Yes holds the votes cast
	CreatedAt  time.Time    `json:"created_at"`
	DecidedAt  time.Time    `json:"decided_at,omitzero"`
	Voted      bool         `json:"voted,omitempty"`
}

// AmendmentDecision decides an amendment's vote: a simple majority of the
// votes cast.
func AmendmentDecision(yes, no int64) string {
	if yes > no {
		return AmendAdopted
	}
	return AmendRejected
}
