package motions

import (
	"slices"
	"time"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/voting"
)

// States of a meeting record.
const (
	MeetingPending   = "pending"   // recorded, waiting for a second member
	MeetingConfirmed = "confirmed" // its decisions have taken effect
)

// Meeting is a physical meeting of a body (in a plaza, a community hall, at
// a roadblock) and the decisions taken there by a show of hands.
type Meeting struct {
	ID          int64             `json:"id"`
	BodyID      int64             `json:"body_id"`
	HeldOn      string            `json:"held_on"` // YYYY-MM-DD
	Place       string            `json:"place"`
	Attendance  int64             `json:"attendance"`
	Notes       string            `json:"notes,omitempty"`
	Status      string            `json:"status"`
	RecordedBy  int64             `json:"recorded_by"`
	Recorder    string            `json:"recorder"`
	ConfirmedBy int64             `json:"confirmed_by,omitempty"`
	Confirmer   string            `json:"confirmer,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	ConfirmedAt time.Time         `json:"confirmed_at,omitzero"`
	Decisions   []MeetingDecision `json:"decisions"`
}

// MeetingDecision is the count by show of hands on one motion.
type MeetingDecision struct {
	MotionID int64  `json:"motion_id"`
	Title    string `json:"title,omitempty"`
	Hands    Hands  `json:"hands"`
}

// Hands is a count by show of hands: yes, no, abstain (and block under
// consent), or hands per option (plurality and approval; ranked rules
// cannot be decided by a show of hands).
type Hands struct {
	Yes     int64   `json:"yes"`
	No      int64   `json:"no"`
	Abstain int64   `json:"abstain"`
	Block   int64   `json:"block,omitempty"`
	Options []int64 `json:"options,omitempty"`
}

// MeetingInput records a meeting.
type MeetingInput struct {
	HeldOn     string            `json:"held_on"`
	Place      string            `json:"place"`
	Attendance int64             `json:"attendance"`
	Notes      string            `json:"notes"`
	Decisions  []MeetingDecision `json:"decisions"`
}

// Clean checks a meeting record: a real date not in the future (in Lima)
// and not more than a year back, a place, an attendance between 1 and the
// body's members, and at least one decision, each motion once.
func (in *MeetingInput) Clean(now time.Time, members int64) error {
	var err error
	lima := time.FixedZone("PET", -5*3600)
	day, perr := time.ParseInLocation("2006-01-02", in.HeldOn, lima)
	switch {
	case in.HeldOn == "":
		return errs.Field("held_on", "error.required")
	case perr != nil:
		return errs.Field("held_on", "meeting.date.invalid")
	case day.After(now.In(lima)):
		return errs.Field("held_on", "meeting.date.future")
	case now.Sub(day) > 366*24*time.Hour:
		return errs.Field("held_on", "meeting.date.too_old")
	}
	if in.Place, err = bodies.CleanText("place", in.Place, 2, 200, false); err != nil {
		return err
	}
	if in.Notes, err = bodies.CleanText("notes", in.Notes, 0, TextMax, true); err != nil {
		return err
	}
	if in.Attendance < 1 || in.Attendance > members {
		return errs.Field("attendance", "meeting.attendance.range", 1, members)
	}
	if len(in.Decisions) == 0 {
		return errs.Field("decisions", "meeting.decisions.none")
	}
	seen := map[int64]bool{}
	for _, d := range in.Decisions {
		if seen[d.MotionID] {
			return errs.Field("decisions", "meeting.decisions.twice")
		}
		seen[d.MotionID] = true
	}
	return nil
}

// Check checks a show of hands on motion m against the attendance.
func (h Hands) Check(m Motion, attendance int64) error {
	vals := []int64{h.Yes, h.No, h.Abstain, h.Block}
	vals = append(vals, h.Options...)
	var sum int64
	for _, v := range vals {
		if v < 0 || v > attendance {
			return errs.Field("hands", "meeting.hands.range", 0, attendance)
		}
		sum += v
	}
	switch {
	case m.IsOptions() && (m.Rule.Kind == voting.IRV || m.Rule.Kind == voting.Schulze):
		return errs.Field("hands", "meeting.hands.ranked")
	case m.IsOptions() && len(h.Options) != len(m.Options):
		return errs.Field("hands", "meeting.hands.options", len(m.Options))
	case !m.IsOptions() && len(h.Options) > 0:
		return errs.Field("hands", "meeting.hands.yes_no")
	case m.Rule.Kind == voting.Consent && h.No != 0:
		return errs.Field("hands", "voting.count.no_under_consent")
	case m.Rule.Kind != voting.Consent && h.Block != 0:
		return errs.Field("hands", "voting.count.block_consent_only")
	}
	if m.Rule.Kind == voting.Approval {
		// Each person may raise a hand for several options; no one raises
		// more than once for one.
		for _, v := range h.Options {
			if v > attendance {
				return errs.Field("hands", "meeting.hands.range", 0, attendance)
			}
		}
		return nil
	}
	if sum > attendance {
		return errs.Field("hands", "meeting.hands.exceed", attendance)
	}
	return nil
}

// Decide decides a motion by a show of hands. The quorum counts those
// present (attendance) against those entitled; abstentions count towards
// the quorum, not the majority.
func (h Hands) Decide(m Motion, attendance, entitled int64) (Decision, error) {
	if attendance > entitled {
		attendance = entitled
	}
	if !m.IsOptions() {
		c := voting.Count{Yes: h.Yes, No: h.No, Block: h.Block, Entitled: entitled}
		// Those present who did not raise a hand abstained.
		c.Abstain = attendance - h.Yes - h.No - h.Block
		o, err := voting.Decide(m.Rule, c)
		if err != nil {
			return Decision{}, err
		}
		return Decision{Count: c, Outcome: &o}, nil
	}
	if m.Rule.Kind == voting.Approval {
		return decideApprovalHands(m, h, attendance, entitled)
	}
	var ballots []voting.Ballot
	var raised int64
	for i, v := range h.Options {
		if v > 0 {
			ballots = append(ballots, voting.Ballot{Ranking: []int{i}, Weight: v})
		}
		raised += v
	}
	// Those present who raised no hand cast a blank ballot.
	if blank := attendance - raised; blank > 0 {
		ballots = append(ballots, voting.Ballot{Weight: blank})
	}
	o, err := voting.DecideOptions(m.Rule, m.Options, ballots, entitled)
	if err != nil {
		return Decision{}, err
	}
	return Decision{Tallies: h.Options, Options: &o}, nil
}

// decideApprovalHands decides an approval vote by hands: the hands per
// option are approvals; the quorum is met by attendance.
func decideApprovalHands(m Motion, h Hands, attendance, entitled int64) (Decision, error) {
	// Build attendance ballots that reproduce the approvals per option:
	// ballot k approves every option with more than k hands. The counts per
	// option are then exactly h.Options, with attendance ballots in all.
	var top int64
	for _, v := range h.Options {
		top = max(top, v)
	}
	var steps []int64
	for _, v := range h.Options {
		if v > 0 {
			steps = append(steps, v)
		}
	}
	slices.Sort(steps)
	steps = slices.Compact(steps)
	var ballots []voting.Ballot
	prev := int64(0)
	for _, v := range steps {
		var approve []int
		for i, n := range h.Options {
			if n >= v {
				approve = append(approve, i)
			}
		}
		ballots = append(ballots, voting.Ballot{Ranking: approve, Weight: v - prev})
		prev = v
	}
	if blank := attendance - top; blank > 0 {
		ballots = append(ballots, voting.Ballot{Weight: blank})
	}
	o, err := voting.DecideOptions(m.Rule, m.Options, ballots, entitled)
	if err != nil {
		return Decision{}, err
	}
	return Decision{Tallies: h.Options, Options: &o}, nil
}
