package voting

import (
	"slices"
	"strconv"
	"strings"

	"asamblea/errs"
	"asamblea/tally"
)

// Results of a motion among options (besides NoQuorum).
const (
	Decided = "decided"
	Tie     = "tie"
	NoVotes = "no_votes" // the quorum was reached but every ballot was blank
)

// Reasons (message keys) of an OptionOutcome.
const (
	ReasonOptionsDecided = "voting.options.decided"  // the count decided every winning place
	ReasonOptionsLot     = "voting.options.lot"      // a tie was broken by lot with the rule's seed
	ReasonOptionsTie     = "voting.options.tie"      // options tied for the last places, no seed
	ReasonOptionsNoVotes = "voting.options.no_votes" // every ballot blank
	// IRV only, when following every way its lots could go would take too
	// long: the tied are the options still in the count at its first lot.
	ReasonOptionsTieUnsettled = "voting.options.tie_unsettled"
)

// Ballot is one ballot, or Weight identical ballots (a delegate's vote in
// an assembly that weights by members represented). Ranking holds option
// indices (0-based): in order of preference for irv and schulze; plurality
// counts only the first; for approval, the options approved, in any order.
// An empty Ranking is a blank ballot: an abstention, counted towards the
// quorum and for no option.
type Ballot struct {
	Ranking []int `json:"ranking"`
	Weight  int64 `json:"weight"`
}

// OptionOutcome is the decision on a motion among options.
type OptionOutcome struct {
	Result string `json:"result"` // decided, tie, no_votes, no_quorum
	Reason string `json:"reason"` // message key explaining Result
	// Winners are the options that win, best first: all of them when
	// decided; when tied, only those certain to win whatever the tie.
	Winners []string `json:"winners,omitempty"`
	// Tied (Result tie) are the options tied for the Places left.
	Tied   []string `json:"tied,omitempty"`
	Places int      `json:"places,omitempty"`
	// Participation is the weight of all ballots, blank ones included;
	// Blank the weight of blank ballots; Quorum the least participation
	// that reaches the quorum (0 when none is required).
	Participation int64 `json:"participation"`
	Blank         int64 `json:"blank"`
	Quorum        int64 `json:"quorum"`
	// Report is the tally core's count, round by round (nil when no_quorum
	// or no_votes). When Result is tie, the report's lots, drawn
	// with tally.DefaultSeed, show one way the tie could go: they decide
	// nothing.
	Report *tally.Report `json:"report,omitempty"`

	// WinnerIndex and TiedIndex hold the option indices of Winners and Tied.
	WinnerIndex []int `json:"-"`
	TiedIndex   []int `json:"-"`
}

// DecideOptions decides a motion among options under an option rule r.
// entitled is the total weight of everyone entitled to vote. It returns an
// Invalid error when the rule is not valid or not an option rule, the
// options are empty, duplicated or fewer than the winners, a ballot has a
// negative weight or names an option out of range or twice, or the ballots
// weigh more than entitled.
func DecideOptions(r Rule, options []string, ballots []Ballot, entitled int64) (OptionOutcome, error) {
	if err := r.Validate(); err != nil {
		return OptionOutcome{}, err
	}
	if !r.IsOptions() {
		return OptionOutcome{}, errs.Field("rule", "voting.rule.not_options", r.Kind)
	}
	if err := checkOptions(options, r.winners()); err != nil {
		return OptionOutcome{}, err
	}
	if entitled < 0 || entitled > MaxWeight {
		return OptionOutcome{}, errs.Field("entitled", "voting.count.range", 0, int64(MaxWeight))
	}
	var o OptionOutcome
	b, err := tally.NewBallots(options)
	if err != nil {
		return OptionOutcome{}, errs.Field("options", "voting.options.invalid")
	}
	for i, bl := range ballots {
		switch {
		case bl.Weight < 0:
			return OptionOutcome{}, errs.Field("ballots", "voting.ballot.invalid", i+1)
		case bl.Weight > entitled-o.Participation:
			return OptionOutcome{}, errs.Field("ballots", "voting.count.exceeds_entitled", entitled)
		case bl.Weight > tally.MaxBallots-o.Participation:
			return OptionOutcome{}, errs.Field("ballots", "voting.ballots.too_many", int64(tally.MaxBallots))
		}
		if err := b.Add(bl.Ranking, bl.Weight); err != nil {
			return OptionOutcome{}, errs.Field("ballots", "voting.ballot.invalid", i+1)
		}
		o.Participation += bl.Weight
	}
	o.Blank = b.Empty
	o.Quorum = r.quorumNeeded(entitled)
	if entitled == 0 {
		o.Result, o.Reason = NoQuorum, ReasonNobodyEntitled
		return o, nil
	}
	if !r.quorumMet(o.Participation, entitled) {
		o.Result, o.Reason = NoQuorum, ReasonNoQuorum
		return o, nil
	}
	k := r.winners()
	if b.Total() == 0 {
		o.Result, o.Reason = NoVotes, ReasonOptionsNoVotes
		return o, nil
	}
	opts := tally.Options{Seed: r.Seed}
	var rep *tally.Report
	switch r.Kind {
	case Plurality:
		rep, err = tally.Plurality(b, k, opts)
	case Approval:
		rep, err = tally.Approval(b, k, opts)
	case IRV:
		rep, err = tally.IRV(b, opts)
	case Schulze:
		rep, err = tally.Schulze(b, k, opts)
	}
	if err != nil {
		return OptionOutcome{}, errs.Field("ballots", "voting.ballots.invalid")
	}
	o.Report = rep
	o.Result, o.Reason = Decided, ReasonOptionsDecided
	if len(rep.Lots) == 0 {
		o.WinnerIndex = rep.ElectedIndex
		o.name(options)
		return o, nil
	}
	// The count drew lots. With a seed they decide; without one, find
	// whether the winners depend on them.
	var certain, tied []int
	unsure := false // too many ties to follow: a seed decides
	switch r.Kind {
	case Plurality:
		certain, tied = boundaryTie(rep.ElectedIndex, rep.Ranking, b.Candidates, firstChoices(b), k)
	case Approval:
		certain, tied = boundaryTie(rep.ElectedIndex, rep.Ranking, b.Candidates, approvals(b), k)
	case Schulze:
		certain, tied = boundaryTie(rep.ElectedIndex, rep.Ranking, b.Candidates, schulzeWins(rep), k)
	case IRV:
		possible, ok := irvPossibleWinners(b)
		switch {
		case !ok && r.Seed == 0:
			o.Result, o.Reason, o.Places, o.TiedIndex = Tie, ReasonOptionsTieUnsettled, 1, possible
			o.name(options)
			return o, nil
		case !ok:
			unsure = true
		case len(possible) > 1:
			tied = possible
		}
	}
	switch {
	case len(tied) == 0 && !unsure:
		o.WinnerIndex = rep.ElectedIndex
	case r.Seed != 0:
		o.Reason = ReasonOptionsLot
		o.WinnerIndex = rep.ElectedIndex
	default:
		o.Result, o.Reason = Tie, ReasonOptionsTie
		o.WinnerIndex, o.TiedIndex, o.Places = certain, tied, k-len(certain)
	}
	o.name(options)
	return o, nil
}

// name fills Winners and Tied from their indices.
func (o *OptionOutcome) name(options []string) {
	o.Winners, o.Tied = nil, nil
	for _, i := range o.WinnerIndex {
		o.Winners = append(o.Winners, options[i])
	}
	for _, i := range o.TiedIndex {
		o.Tied = append(o.Tied, options[i])
	}
}

// checkOptions validates the options of a motion.
func checkOptions(options []string, winners int) error {
	if len(options) == 0 {
		return errs.Field("options", "voting.options.none")
	}
	if len(options) > MaxOptions {
		return errs.Field("options", "voting.options.too_many", MaxOptions)
	}
	seen := make(map[string]bool, len(options))
	for _, name := range options {
		name = strings.TrimSpace(name)
		if name == "" {
			return errs.Field("options", "voting.options.empty")
		}
		if seen[name] {
			return errs.Field("options", "voting.options.duplicate", name)
		}
		seen[name] = true
	}
	if winners > len(options) {
		return errs.Field("winners", "voting.winners.range", 1, len(options))
	}
	return nil
}

// boundaryTie splits the first k places of a count by votes into the
// options certain to win and those tied for the last places: tied is empty
// when no option outside the winners has as many votes as the last winner.
// Certain winners keep the order of ranking (names as in names); tied
// options are in input order.
func boundaryTie(elected []int, ranking, names []string, votes []int64, k int) (certain, tied []int) {
	last := votes[elected[len(elected)-1]]
	above := 0
	for _, v := range votes {
		if v > last {
			above++
		}
	}
	for i, v := range votes {
		if v == last {
			tied = append(tied, i)
		}
	}
	if above+len(tied) <= k {
		return nil, nil // everyone with the last winner's votes wins
	}
	for _, name := range ranking {
		if i := slices.Index(names, name); votes[i] > last {
			certain = append(certain, i)
		}
	}
	return certain, tied
}

// firstChoices returns each option's first-choice votes.
func firstChoices(b *tally.Ballots) []int64 {
	votes := make([]int64, len(b.Candidates))
	for g := range b.Len() {
		x := b.Ballot(g)
		votes[x.Ranking[0]] += x.Weight
	}
	return votes
}

// approvals returns each option's approvals.
func approvals(b *tally.Ballots) []int64 {
	votes := make([]int64, len(b.Candidates))
	for g := range b.Len() {
		x := b.Ballot(g)
		for _, c := range x.Ranking {
			votes[c] += x.Weight
		}
	}
	return votes
}

// schulzeWins returns, per option, how many options it beats by the
// strongest paths of a Schulze report: the order the tally ranks by.
func schulzeWins(rep *tally.Report) []int64 {
	var p [][]int64
	for _, r := range rep.Rounds {
		if r.Action == "paths" {
			p = r.Matrix
		}
	}
	wins := make([]int64, len(p))
	for i := range p {
		for j := range p {
			if i != j && p[i][j] > p[j][i] {
				wins[i]++
			}
		}
	}
	return wins
}

// irvWork bounds the work of irvPossibleWinners (ballot groups read and
// history compared): about a second at most.
const irvWork = 20_000_000

// irvPossibleWinners returns, in input order, every option that IRV as the
// tally core counts it could elect for some outcome of its lots: it follows
// every branch where a tie for exclusion is left unsettled by earlier
// rounds. When that would take more than irvWork, ok is false and possible
// holds the options still in the count at the first such tie: every count
// passes there, so the winner is always one of them.
func irvPossibleWinners(b *tally.Ballots) (possible []int, ok bool) {
	e := &irvExplorer{n: len(b.Candidates), seen: map[string]bool{}, win: make([]bool, len(b.Candidates))}
	for g := range b.Len() {
		x := b.Ballot(g)
		e.groups = append(e.groups, x.Ranking)
		e.weights = append(e.weights, x.Weight)
	}
	cont := make([]bool, e.n)
	for i := range cont {
		cont[i] = !b.Withdrawn[i]
	}
	ok = e.run(cont, nil)
	if !ok {
		e.win = e.first
	}
	for i, w := range e.win {
		if w {
			possible = append(possible, i)
		}
	}
	return possible, ok
}

type irvExplorer struct {
	n       int
	groups  [][]int
	weights []int64
	seen    map[string]bool // states explored: continuing options and what of history matters
	win     []bool
	first   []bool // the options in the count at the first unsettled tie
	work    int
}

// run counts the round where the cont options continue, history holding
// the votes of earlier rounds; it returns false when out of work.
func (e *irvExplorer) run(cont []bool, history [][]int64) bool {
	// The winner is one of cont: when all are known possible winners,
	// this branch can add none.
	news := false
	for c, in := range cont {
		if in && !e.win[c] {
			news = true
			break
		}
	}
	if !news {
		return true
	}
	if e.first != nil { // the path to the first unsettled tie is the tally's own
		e.work += len(e.groups) + e.n*(len(history)+1)
		if e.work > irvWork {
			return false
		}
	}
	votes := make([]int64, e.n)
	var continuing int64
	for g, r := range e.groups {
		for _, c := range r {
			if cont[c] {
				votes[c] += e.weights[g]
				continuing += e.weights[g]
				break
			}
		}
	}
	var tied []int
	left := 0
	for c, in := range cont {
		if !in {
			continue
		}
		left++
		if 2*votes[c] > continuing {
			e.win[c] = true
			return true
		}
		if len(tied) == 0 || votes[c] < votes[tied[0]] {
			tied = []int{c}
		} else if votes[c] == votes[tied[0]] {
			tied = append(tied, c)
		}
	}
	if left == 1 {
		e.win[tied[0]] = true
		return true
	}
	// The most recent earlier round with unequal votes settles a tie.
	for i := len(history) - 1; i >= 0 && len(tied) > 1; i-- {
		h := history[i]
		low := h[tied[0]]
		for _, c := range tied {
			low = min(low, h[c])
		}
		tied = slices.DeleteFunc(tied, func(c int) bool { return h[c] != low })
	}
	if e.first == nil && len(tied) > 1 {
		e.first = slices.Clone(cont)
	}
	history = append(history[:len(history):len(history)], votes)
	for _, x := range tied {
		next := slices.Clone(cont)
		next[x] = false
		key := stateKey(next, history)
		if e.seen[key] {
			continue
		}
		e.seen[key] = true
		if !e.run(next, history) {
			return false
		}
	}
	return true
}

// stateKey identifies what decides the rest of a count: the continuing
// options and their votes in earlier rounds (a round that repeats the one
// after it, for them, settles no tie the other does not).
func stateKey(cont []bool, history [][]int64) string {
	var sb strings.Builder
	for _, in := range cont {
		if in {
			sb.WriteByte('1')
		} else {
			sb.WriteByte('0')
		}
	}
	var prev []int64
	for _, h := range history {
		row := make([]int64, 0, len(cont))
		for c, in := range cont {
			if in {
				row = append(row, h[c])
			}
		}
		if slices.Equal(row, prev) {
			continue
		}
		prev = row
		sb.WriteByte('|')
		for _, v := range row {
			sb.WriteString(strconv.FormatInt(v, 10))
			sb.WriteByte(',')
		}
	}
	return sb.String()
}
