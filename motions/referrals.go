package motions

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Referral is an assembly's motion put to every body below it, down to the
// committees ("consulta a las bases"). Each base decides its own copy of
// the motion; its result instructs its delegates in the assembly above,
// and each assembly's own result instructs its delegates further up.
type Referral struct {
	ID           int64     `json:"id"`
	MotionID     int64     `json:"motion_id"`
	AssemblyID   int64     `json:"assembly_id"`
	AssemblyName string    `json:"assembly_name,omitempty"`
	ClosesAt     time.Time `json:"closes_at"`
	Committees   int64     `json:"committees"` // committees consulted
	Members      int64     `json:"members"`    // the members they had
	CreatedAt    time.Time `json:"created_at"`
}

// TallyRow is one cell of a referral's aggregation: the committees that
// decided Choice (a ballot choice, or "" for no decision), and the members
// they represent, in one department (UBIGEO code, "" when unknown).
type TallyRow struct {
	Choice     string `json:"choice"`
	Department string `json:"department"`
	Committees int64  `json:"committees"`
	Members    int64  `json:"members"`
}

// Aggregation is a referral's live result.
type Aggregation struct {
	Referral Referral `json:"referral"`
	// Choices are the totals per choice, in the motion's order (yes, no,
	// or the options), then "" (no decision: no quorum or a tie).
	Choices []ChoiceTotal `json:"choices"`
	// Departments holds the totals per department, by department code.
	Departments []DepartmentTotal `json:"departments"`
	// Decided and Pending count the committees that have decided and those
	// still to decide; PendingMembers the members of the latter.
	Decided        int64 `json:"decided"`
	Pending        int64 `json:"pending"`
	PendingMembers int64 `json:"pending_members"`
}

// ChoiceTotal is the committees and members behind one choice.
type ChoiceTotal struct {
	Choice     string `json:"choice"`
	Label      string `json:"label"`
	Committees int64  `json:"committees"`
	Members    int64  `json:"members"`
}

// DepartmentTotal is one department's totals, per choice in the order of
// Aggregation.Choices.
type DepartmentTotal struct {
	Department string  `json:"department"`
	Name       string  `json:"name,omitempty"`
	Committees []int64 `json:"committees"`
	Members    []int64 `json:"members"`
}

// Aggregate adds up a referral's tally rows for motion m.
func Aggregate(ref Referral, m Motion, rows []TallyRow) Aggregation {
	var choices []string
	if m.IsOptions() {
		for i := range m.Options {
			choices = append(choices, strconv.Itoa(i))
		}
	} else {
		choices = []string{"yes", "no"}
	}
	choices = append(choices, "")
	a := Aggregation{Referral: ref}
	idx := map[string]int{}
	for i, c := range choices {
		idx[c] = i
		a.Choices = append(a.Choices, ChoiceTotal{Choice: c, Label: m.ResultLabel(c)})
	}
	depts := map[string]*DepartmentTotal{}
	for _, r := range rows {
		i, ok := idx[r.Choice]
		if !ok {
			i = len(choices) - 1
		}
		a.Choices[i].Committees += r.Committees
		a.Choices[i].Members += r.Members
		a.Decided += r.Committees
		d := depts[r.Department]
		if d == nil {
			d = &DepartmentTotal{Department: r.Department, Committees: make([]int64, len(choices)), Members: make([]int64, len(choices))}
			depts[r.Department] = d
		}
		d.Committees[i] += r.Committees
		d.Members[i] += r.Members
	}
	var decidedMembers int64
	for _, c := range a.Choices {
		decidedMembers += c.Members
	}
	a.Pending = max(ref.Committees-a.Decided, 0)
	a.PendingMembers = max(ref.Members-decidedMembers, 0)
	for _, d := range depts {
		a.Departments = append(a.Departments, *d)
	}
	slices.SortFunc(a.Departments, func(x, y DepartmentTotal) int { return strings.Compare(x.Department, y.Department) })
	return a
}

// Instruction is what a base decided on a motion of an assembly it sends
// delegates to.
type Instruction struct {
	BodyID     int64  `json:"body_id"`
	BodyName   string `json:"body_name,omitempty"`
	MotionID   int64  `json:"motion_id"` // the assembly's motion
	Title      string `json:"title,omitempty"`
	AssemblyID int64  `json:"assembly_id,omitempty"`
	Choice     string `json:"choice"`
	Label      string `json:"label,omitempty"`
	SourceID   int64  `json:"source_id"` // the base's own motion that decided it
	// Status (in a list of bases' results) is the status of the base's
	// own motion: still open, or how it was decided.
	Status    string    `json:"status,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// DelegateVote is a delegate's public vote on an assembly motion, for one
// seat of their base, with the base's instruction and whether the vote
// departs from it.
type DelegateVote struct {
	MotionID     int64     `json:"motion_id"`
	Title        string    `json:"title"`
	MotionStatus string    `json:"motion_status"`
	AssemblyID   int64     `json:"assembly_id"`
	AssemblyName string    `json:"assembly_name"`
	DelegateID   int64     `json:"delegate_id"`
	UserID       int64     `json:"user_id"`
	Name         string    `json:"name"`
	BodyID       int64     `json:"body_id"`
	Choice       string    `json:"choice"`
	Label        string    `json:"label"`
	Weight       int64     `json:"weight"`
	Instruction  string    `json:"instruction,omitempty"`
	InstrLabel   string    `json:"instruction_label,omitempty"`
	Deviates     bool      `json:"deviates"`
	Withdrawn    bool      `json:"withdrawn"`
	CastAt       time.Time `json:"cast_at"`
	// RecallOpen is set when a recall of this delegate is open.
	RecallOpen bool `json:"recall_open,omitempty"`
}

// Compliance is a delegate's record against their base's instructions.
type Compliance struct {
	DelegateID int64  `json:"delegate_id"`
	UserID     int64  `json:"user_id"`
	Name       string `json:"name"`
	AssemblyID int64  `json:"assembly_id"`
	Assembly   string `json:"assembly"`
	Status     string `json:"status"`     // the delegate's status
	Votes      int    `json:"votes"`      // closed votes cast
	Instructed int    `json:"instructed"` // of them, with an instruction
	Followed   int    `json:"followed"`   // of those, as instructed
	// Rate is Followed/Instructed in per cent, rounded down; -1 with no
	// instructed vote yet.
	Rate int `json:"rate"`
}

// Rate computes a compliance rate in whole per cent, rounded down; -1 when
// there is nothing to measure.
func Rate(followed, instructed int) int {
	if instructed <= 0 {
		return -1
	}
	return followed * 100 / instructed
}

// States of an initiative.
const (
	InitiativeOpen     = "open"
	InitiativeAdmitted = "admitted" // on the assembly's agenda
)

// Initiative is a body's passed motion sent up to an assembly it belongs
// to. Bodies of the assembly endorse it; when its supporters (the sender
// included) reach the assembly's threshold it enters the assembly's agenda
// by itself, as a motion in discussion.
type Initiative struct {
	ID           int64     `json:"id"`
	MotionID     int64     `json:"motion_id"`
	Title        string    `json:"title"`
	BodyID       int64     `json:"body_id"`
	BodyName     string    `json:"body_name"`
	AssemblyID   int64     `json:"assembly_id"`
	AssemblyName string    `json:"assembly_name"`
	Status       string    `json:"status"`
	Supporters   int       `json:"supporters"`
	Threshold    int       `json:"threshold"`
	AgendaID     int64     `json:"agenda_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	AdmittedAt   time.Time `json:"admitted_at,omitzero"`
	Endorsers    []string  `json:"endorsers,omitempty"`
}

// Kinds of what awaits a person.
const (
	AwaitVote         = "vote"         // an open motion vote (a referral's copy too)
	AwaitAmendment    = "amendment"    // an amendment put to a vote
	AwaitElection     = "election"     // an open delegate election
	AwaitRecall       = "recall"       // an open recall
	AwaitConfirmation = "confirmation" // a meeting record to confirm
	AwaitReferral     = "referral"     // a referral to the viewer's body
)

// Awaiting is something that waits for a person's act.
type Awaiting struct {
	Kind     string    `json:"kind"`
	ID       int64     `json:"id"`
	BodyID   int64     `json:"body_id"`
	BodyName string    `json:"body_name"`
	Title    string    `json:"title"`
	Link     string    `json:"link"`
	Since    time.Time `json:"since"`
	Deadline time.Time `json:"deadline,omitzero"`
}
