package tally

import (
	"math/bits"
	"slices"
)

// stvScale is the fixed point of Scottish STV: values in units of 0.00001.
const stvScale = 100_000

// STVOptions configures STV.
type STVOptions struct {
	Quota Quota  // Droop (default) or Hare
	Seed  uint64 // seed of the lots; 0 means DefaultSeed
}

// STV counts by the rules of the Scottish Local Governments Elections Order
// 2007 (SSI 2007/42, schedule 1, rules 45–52), the weighted inclusive
// Gregory method:
//
//   - quota ⌊valid ballots ÷ (seats+1)⌋ + 1 (Hare: valid ÷ seats, truncated
//     to 5 decimals); a candidate with votes ≥ quota is elected;
//   - the largest surplus is transferred first; all the candidate's ballot
//     papers move to their next continuing preference, each at the value
//     surplus × its value ÷ the candidate's votes, truncated to 5 decimal
//     places; papers with no further preference are non-transferable;
//   - when no surplus is left, the candidate with fewest votes is excluded
//     and its papers move at the value they carry;
//   - when the continuing candidates are as many as the seats left, they
//     are elected;
//   - equal surpluses or lowest votes are decided by the earliest stage at
//     which the candidates had unequal votes, then by lot.
//
// Arithmetic is exact fixed point in units of 0.00001; what truncation
// loses is reported as rounding, so that candidates' votes + non-transferable
// + rounding always equal the valid ballots.
func STV(b *Ballots, seats int, opts STVOptions) (*Report, error) {
	if err := checkCount(b, seats); err != nil {
		return nil, err
	}
	if opts.Quota != "" && opts.Quota != Droop && opts.Quota != Hare {
		return nil, inputErr("unknown quota %q", opts.Quota)
	}
	seed := seedOrDefault(opts.Seed)
	n := len(b.Candidates)
	c := &transferCount{
		b: b, st: initialStates(b), votes: make([]int64, n), piles: make([][]uint32, n),
		value: make([]int64, b.Len()), pos: make([]uint16, b.Len()),
	}
	rep := newReport("stv", b, seats, seed)
	tb := newTieBreaker(seed, b.Candidates)

	// Stage 1: first preferences.
	var dead int64
	for g := range b.weights {
		c.value[g] = stvScale
		if !c.place(g, 0) {
			dead += b.weights[g]
		}
	}
	valid := b.Total() - dead
	if valid == 0 {
		return nil, inputErr("no valid ballots")
	}
	rep.Ballots = valid
	rep.ValidVotes = integer(valid)
	var quota int64
	if opts.Quota == Hare {
		quota = valid * stvScale / int64(seats)
	} else {
		quota = (valid/int64(seats+1) + 1) * stvScale
	}
	rep.Quota = fixed(quota, 5)
	prev := make([]int64, n)
	var history [][]int64
	record := func(action, subject string, value int64) *Round {
		r := Round{Number: len(rep.Rounds) + 1, Action: action, Subject: subject, Quota: rep.Quota,
			Exhausted: fixed(c.exhausted, 5), Rounding: fixed(c.rounding, 5)}
		if value >= 0 {
			r.Value = fixed(value, 5)
		}
		for i, name := range b.Candidates {
			t := Tally{Name: name, Votes: fixed(c.votes[i], 5), Status: c.st[i].String()}
			if d := c.votes[i] - prev[i]; d != 0 && action != "first-preferences" {
				t.Change = fixed(d, 5)
			}
			r.Tallies = append(r.Tallies, t)
		}
		copy(prev, c.votes)
		history = append(history, slices.Clone(c.votes))
		rep.Rounds = append(rep.Rounds, r)
		return &rep.Rounds[len(rep.Rounds)-1]
	}
	c.exhausted = dead * stvScale
	record("first-preferences", "", -1)

	var pending []int // elected candidates whose surplus is not yet transferred
	for {
		round := &rep.Rounds[len(rep.Rounds)-1]
		// Elect everyone at or above the quota, highest first.
		var reached []int
		for i, s := range c.st {
			if s == hopeful && c.votes[i] >= quota {
				reached = append(reached, i)
			}
		}
		order, how := orderByVotes(reached, c.votes, round.Number, "elect", history, true, tb)
		for j, i := range order {
			if count(c.st, elected) == seats {
				break
			}
			c.st[i] = elected
			round.Tallies[i].Status = "elected"
			rep.elect(i, b.Candidates)
			round.Elected = append(round.Elected, Decision{Name: b.Candidates[i], Reason: "quota" + how[j]})
			pending = append(pending, i)
		}
		ne := count(c.st, elected)
		if ne == seats {
			break
		}
		if nh := count(c.st, hopeful); nh+ne <= seats {
			var rest []int
			for i, s := range c.st {
				if s == hopeful {
					rest = append(rest, i)
				}
			}
			order, how := orderByVotes(rest, c.votes, round.Number, "elect", history, true, tb)
			for j, i := range order {
				c.st[i] = elected
				round.Tallies[i].Status = "elected"
				rep.elect(i, b.Candidates)
				round.Elected = append(round.Elected, Decision{Name: b.Candidates[i], Reason: "remaining-seats" + how[j]})
			}
			break
		}
		// Transfer the largest surplus, if any.
		surplus := make([]int64, n)
		var withSurplus []int
		for _, i := range pending {
			if surplus[i] = c.votes[i] - quota; surplus[i] > 0 {
				withSurplus = append(withSurplus, i)
			}
		}
		if len(withSurplus) > 0 {
			order, _ := orderByVotes(withSurplus, surplus, len(rep.Rounds)+1, "surplus-order", history, true, tb)
			i := order[0]
			pending = slices.DeleteFunc(pending, func(x int) bool { return x == i })
			tv := surplus[i] * stvScale / c.votes[i]
			c.transferSurplus(i, surplus[i])
			record("surplus", b.Candidates[i], tv)
			continue
		}
		pending = pending[:0]
		// Exclude the lowest.
		i, tie := lowest(c.st, c.votes, len(rep.Rounds)+1, history, true, tb)
		c.st[i] = excluded
		c.transferAll(i)
		r := record("exclusion", b.Candidates[i], -1)
		r.Excluded = append(r.Excluded, Decision{Name: b.Candidates[i], Reason: "lowest" + tie})
	}
	rep.Lots = tb.lots
	return rep, nil
}

// transferCount holds ballot papers in piles, for Scottish STV and IRV.
type transferCount struct {
	b         *Ballots
	st        []cstate
	votes     []int64    // in units (of 0.00001 for STV, of 1 for IRV)
	piles     [][]uint32 // groups held by each candidate
	value     []int64    // value of one paper of each group, in units
	pos       []uint16   // index in the ranking of the candidate holding the group
	exhausted int64
	rounding  int64
}

// place gives group g to its first continuing preference at or after index
// from, and reports whether there was one.
func (c *transferCount) place(g, from int) bool {
	r := c.b.ranking(g)
	for j := from; j < len(r); j++ {
		k := r[j]
		if c.st[k] == hopeful {
			c.pos[g] = uint16(j)
			c.piles[k] = appendDoubling(c.piles[k], uint32(g))
			c.votes[k] += c.b.weights[g] * c.value[g]
			return true
		}
	}
	return false
}

// transferSurplus moves all papers of elected candidate i at the value
// surplus × value ÷ votes, truncated to the unit.
func (c *transferCount) transferSurplus(i int, surplus int64) {
	total := c.votes[i]
	var moved int64
	for _, g32 := range c.piles[i] {
		g := int(g32)
		hi, lo := bits.Mul64(uint64(surplus), uint64(c.value[g]))
		nv, _ := bits.Div64(hi, lo, uint64(total)) // hi < total since value ≤ total
		c.value[g] = int64(nv)
		w := c.b.weights[g]
		moved += w * c.value[g]
		if !c.place(g, int(c.pos[g])+1) {
			c.exhausted += w * c.value[g]
		}
	}
	c.rounding += surplus - moved
	c.piles[i] = nil
	c.votes[i] = total - surplus
}

// transferAll moves all papers of excluded candidate i at their value.
func (c *transferCount) transferAll(i int) {
	for _, g32 := range c.piles[i] {
		g := int(g32)
		if !c.place(g, int(c.pos[g])+1) {
			c.exhausted += c.b.weights[g] * c.value[g]
		}
	}
	c.piles[i] = nil
	c.votes[i] = 0
}
