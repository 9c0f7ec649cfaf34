// Package delegates holds the rules of delegates: how a body elects the
// delegates and alternates for its seats in an assembly, how a recall is
// decided, and what happens to seats when they change. It is pure.
package delegates

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"asamblea/errs"
	"asamblea/tally"
	"asamblea/voting"
)

// Status of a delegate.
const (
	Seated    = "seated"
	Alternate = "alternate"
	Recalled  = "recalled"
	Unseated  = "unseated" // lost the seat when the body's seats shrank, or the body left
)

// Delegate is a person holding, or waiting for, a seat of a body in an
// assembly.
type Delegate struct {
	ID           int64     `json:"id"`
	BodyID       int64     `json:"body_id"`
	AssemblyID   int64     `json:"assembly_id"`
	AssemblyName string    `json:"assembly_name,omitempty"`
	UserID       int64     `json:"user_id"`
	Name         string    `json:"name"`
	Position     int       `json:"position"` // 1 = elected first; alternates follow the delegates
	Status       string    `json:"status"`
	Since        time.Time `json:"since"`
	Mandate      string    `json:"mandate,omitempty"`
	MandateAt    time.Time `json:"mandate_at,omitempty"`
	ElectionID   int64     `json:"election_id"`
}

// Election is a body's election of its delegates to one assembly.
type Election struct {
	ID           int64         `json:"id"`
	BodyID       int64         `json:"body_id"`
	AssemblyID   int64         `json:"assembly_id"`
	AssemblyName string        `json:"assembly_name,omitempty"`
	Seats        int           `json:"seats"`
	Alternates   int           `json:"alternates"`
	Status       string        `json:"status"` // open, closed
	ClosesAt     time.Time     `json:"closes_at"`
	Voters       int           `json:"voters"`
	Candidates   []Candidate   `json:"candidates"`
	Report       *tally.Report `json:"report,omitempty"`
	Voted        bool          `json:"voted,omitempty"` // whether the viewer has voted
	Alternation  bool          `json:"alternation,omitempty"`
}

// Candidate stands in an election.
type Candidate struct {
	UserID    int64  `json:"user_id"`
	Name      string `json:"name"`
	Accepted  bool   `json:"accepted"` // a nominee must accept before the vote counts them
	Statement string `json:"statement,omitempty"`
	Gender    string `json:"gender,omitempty"` // woman, man, or empty (not said)
}

// Genders a candidate may give for alternation; empty is "not said".
var Genders = []string{"woman", "man"}

// ValidGender reports whether g is a gender a candidate may give.
func ValidGender(g string) bool { return g == "" || slices.Contains(Genders, g) }

// Limits of elections and recalls.
const (
	MaxAlternates = 10
	MinVoting     = time.Hour
	MaxVoting     = 30 * 24 * time.Hour
	DefaultRecall = 48 * time.Hour
	StatementMax  = 1000
	MandateMax    = 4000
)

// ElectionInput opens an election.
type ElectionInput struct {
	Assembly    int64 `json:"assembly"`
	Alternates  int   `json:"alternates"`
	Hours       int   `json:"hours"`       // how long the vote stays open
	Alternation bool  `json:"alternation"` // fill the seats alternating women and men
}

// Clean checks an election request.
func (in ElectionInput) Clean() error {
	if in.Assembly <= 0 {
		return errs.Field("assembly", "error.required")
	}
	if in.Alternates < 0 || in.Alternates > MaxAlternates {
		return errs.Field("alternates", "election.alternates.range", 0, MaxAlternates)
	}
	if d := time.Duration(in.Hours) * time.Hour; d < MinVoting || d > MaxVoting {
		return errs.Field("hours", "election.hours.range", int(MinVoting.Hours()), int(MaxVoting.Hours()))
	}
	return nil
}

// EncodeRanking turns a ballot (candidate user ids, most preferred first)
// into its stored form, checking it: known candidates, none twice.
func EncodeRanking(ranking []int64, candidates []int64) (string, error) {
	if len(ranking) == 0 {
		return "", errs.Field("ranking", "election.ranking.empty")
	}
	seen := map[int64]bool{}
	parts := make([]string, len(ranking))
	for i, c := range ranking {
		if !slices.Contains(candidates, c) {
			return "", errs.Field("ranking", "election.ranking.unknown")
		}
		if seen[c] {
			return "", errs.Field("ranking", "election.ranking.twice")
		}
		seen[c] = true
		parts[i] = strconv.FormatInt(c, 10)
	}
	return strings.Join(parts, " "), nil
}

// Count counts an election: one seat by instant-runoff, several by Scottish
// STV. The alternates are those a count for seats+alternates elects beyond
// the delegates, in the order it elects them. rankings maps stored
// rankings to how many ballots hold them. It returns the user ids of the
// delegates and of the alternates, in order, and the report of the count
// of the delegates.
//
// With alternation, the seats and then the alternates are filled down the
// order in which a count for every candidate elects them, each place going
// to the first candidate of the other gender than the place before (when
// that one said theirs); when none is left, or the gender was not said, to
// the next in order.
func Count(cands []Candidate, rankings map[string]int64, seats, alternates int, seed uint64, alternation bool) (elected, alts []int64, report *tally.Report, err error) {
	var names []string
	index := map[int64]int{}
	for _, c := range cands {
		if c.Accepted {
			index[c.UserID] = len(names)
			names = append(names, c.Name)
		}
	}
	ids := make([]int64, len(names))
	for id, i := range index {
		ids[i] = id
	}
	if len(names) == 0 {
		return nil, nil, nil, errs.New(errs.Conflict, "election.no_candidates.err")
	}
	b, err := tally.NewBallots(names)
	if err != nil {
		return nil, nil, nil, err
	}
	keys := make([]string, 0, len(rankings))
	for k := range rankings {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the same input always gives the same count
	for _, k := range keys {
		var r []int
		for _, f := range strings.Fields(k) {
			id, _ := strconv.ParseInt(f, 10, 64)
			if i, ok := index[id]; ok {
				r = append(r, i)
			}
		}
		if len(r) > 0 {
			if err := b.Add(r, rankings[k]); err != nil {
				return nil, nil, nil, err
			}
		}
	}
	if b.Total() == 0 {
		return nil, nil, nil, errs.New(errs.Conflict, "election.no_ballots")
	}
	seats = min(seats, len(names))
	count := func(n int) (*tally.Report, error) {
		if n == 1 {
			return tally.IRV(b, tally.Options{Seed: seed})
		}
		return tally.STV(b, n, tally.STVOptions{Seed: seed})
	}
	report, err = count(seats)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, i := range report.ElectedIndex {
		elected = append(elected, ids[i])
	}
	if alternation {
		all, err := count(len(names))
		if err != nil {
			return nil, nil, nil, err
		}
		gender := map[int64]string{}
		for _, c := range cands {
			gender[c.UserID] = c.Gender
		}
		var order []int64
		for _, i := range all.ElectedIndex {
			order = append(order, ids[i])
		}
		zipped := Zip(order, gender, min(seats+alternates, len(order)))
		return zipped[:seats], zipped[seats:], report, nil
	}
	if extra := min(seats+alternates, len(names)); extra > seats {
		more, err := count(extra)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, i := range more.ElectedIndex {
			if !slices.Contains(elected, ids[i]) {
				alts = append(alts, ids[i])
			}
		}
	}
	return elected, alts, report, nil
}

// Zip fills n places down order, each with the first candidate of
// the other gender than the place before (when that one said theirs), or
// else the next in order.
func Zip(order []int64, gender map[int64]string, n int) []int64 {
	left := slices.Clone(order)
	var out []int64
	for len(out) < n && len(left) > 0 {
		pick := 0
		if k := len(out); k > 0 {
			if want := other(gender[out[k-1]]); want != "" {
				for i, c := range left {
					if gender[c] == want {
						pick = i
						break
					}
				}
			}
		}
		out = append(out, left[pick])
		left = slices.Delete(left, pick, pick+1)
	}
	return out
}

func other(g string) string {
	switch g {
	case "woman":
		return "man"
	case "man":
		return "woman"
	}
	return ""
}

// Recall settings of a body.
type RecallRule struct {
	Duration             time.Duration
	QuorumNum, QuorumDen int // share of members who must vote; default one third
}

// DefaultRecallRule: 48 hours, a third of the members.
var DefaultRecallRule = RecallRule{Duration: DefaultRecall, QuorumNum: 1, QuorumDen: 3}

// RecallOutcome decides a recall by the voting rules (package voting): a
// simple majority of the votes cast, when at least the quorum of the
// eligible voted. It returns passed, failed or no_quorum.
func (r RecallRule) RecallOutcome(yes, no, eligible int) string {
	o, err := voting.Decide(voting.Rule{Kind: voting.Majority, Quorum: voting.Fraction{Num: r.QuorumNum, Den: r.QuorumDen}},
		voting.Count{Yes: int64(yes), No: int64(no), Entitled: int64(eligible)})
	switch {
	case err != nil || o.Result == voting.NoQuorum:
		return "no_quorum"
	case o.Result == voting.Passed:
		return "passed"
	}
	return "failed"
}

// Recall is a vote to take a delegate's seat away.
type Recall struct {
	ID         int64     `json:"id"`
	DelegateID int64     `json:"delegate_id"`
	Delegate   string    `json:"delegate"`
	BodyID     int64     `json:"body_id"`
	Reason     string    `json:"reason"`
	Status     string    `json:"status"` // open, passed, failed, no_quorum
	ClosesAt   time.Time `json:"closes_at"`
	Yes        int       `json:"yes"`
	No         int       `json:"no"`
	Eligible   int       `json:"eligible"`
	Voted      bool      `json:"voted,omitempty"`
}
