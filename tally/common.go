package tally

import (
	"cmp"
	"slices"
)

// Options configures the single-round and Condorcet methods and IRV.
type Options struct {
	Seed uint64 // seed of the lots; 0 means DefaultSeed
}

// Quota names the quota of an STV count.
type Quota string

// STV quotas.
const (
	Droop Quota = "droop" // Scottish STV: ⌊valid ÷ (seats+1)⌋ + 1; Meek: active votes ÷ (seats+1), plus 10^-9
	Hare  Quota = "hare"  // valid (or active) votes ÷ seats
)

type cstate uint8

const (
	hopeful cstate = iota
	elected
	excluded
	withdrawn
)

func (s cstate) String() string {
	return [...]string{"hopeful", "elected", "excluded", "withdrawn"}[s]
}

// checkCount validates the seats against the ballots.
func checkCount(b *Ballots, seats int) error {
	if b == nil || len(b.Candidates) == 0 {
		return inputErr("no candidates")
	}
	if seats < 1 {
		return inputErr("seats must be at least 1, not %d", seats)
	}
	if n := b.standing(); seats > n {
		return inputErr("more seats (%d) than candidates (%d)", seats, n)
	}
	if b.Total() == 0 {
		return inputErr("no valid ballots")
	}
	return nil
}

func newReport(method string, b *Ballots, seats int, seed uint64) *Report {
	return &Report{Method: method, Title: b.Title, SeatCount: seats, Candidates: b.Candidates,
		Ballots: b.Total(), Groups: b.Len(), Empty: b.Empty, ValidVotes: integer(b.Total()), Seed: seed}
}

func initialStates(b *Ballots) []cstate {
	st := make([]cstate, len(b.Candidates))
	for c, w := range b.Withdrawn {
		if w {
			st[c] = withdrawn
		}
	}
	return st
}

func count(st []cstate, s cstate) int {
	n := 0
	for _, x := range st {
		if x == s {
			n++
		}
	}
	return n
}

// orderByVotes sorts cands by votes, highest first; candidates with equal
// votes are ordered by the tie rule (earlier rounds, then lot). It returns
// the order and, per place, how a tie was broken ("" when none).
func orderByVotes(cands []int, votes []int64, round int, purpose string, history [][]int64, forward bool, tb *tieBreaker) ([]int, []string) {
	rest := slices.Clone(cands)
	slices.SortStableFunc(rest, func(a, b int) int { return cmp.Compare(votes[b], votes[a]) })
	var out []int
	var how []string
	for len(rest) > 0 {
		j := 1
		for j < len(rest) && votes[rest[j]] == votes[rest[0]] {
			j++
		}
		if j == 1 {
			out = append(out, rest[0])
			how = append(how, "")
			rest = rest[1:]
			continue
		}
		c, h := tb.pick(round, purpose, rest[:j], history, forward, false)
		out = append(out, c)
		how = append(how, h)
		k := slices.Index(rest, c)
		rest = slices.Delete(rest, k, k+1)
	}
	return out, how
}

// lowest returns the hopeful with the fewest votes, ties broken by the tie rule.
func lowest(st []cstate, votes []int64, round int, history [][]int64, forward bool, tb *tieBreaker) (int, string) {
	var tied []int
	for c, s := range st {
		if s != hopeful {
			continue
		}
		if len(tied) == 0 || votes[c] < votes[tied[0]] {
			tied = []int{c}
		} else if votes[c] == votes[tied[0]] {
			tied = append(tied, c)
		}
	}
	return tb.pick(round, "exclude", tied, history, forward, true)
}

func (r *Report) elect(c int, names []string) {
	r.Elected = append(r.Elected, names[c])
	r.ElectedIndex = append(r.ElectedIndex, c)
}
