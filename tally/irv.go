package tally

import "slices"

// IRV elects one candidate by instant-runoff: in each round every ballot
// counts for its highest continuing preference; a candidate with more than
// half of the continuing ballots (ballots not yet exhausted) wins; otherwise
// the candidate with fewest votes is excluded and its ballots move on.
// Because the majority is counted over continuing ballots, the count always
// ends: at worst one candidate is left. Ties for exclusion are broken by the
// most recent earlier round in which the tied candidates had unequal votes,
// then by lot.
func IRV(b *Ballots, opts Options) (*Report, error) {
	if err := checkCount(b, 1); err != nil {
		return nil, err
	}
	seed := seedOrDefault(opts.Seed)
	n := len(b.Candidates)
	c := &transferCount{
		b: b, st: initialStates(b), votes: make([]int64, n), piles: make([][]uint32, n),
		value: make([]int64, b.Len()), pos: make([]uint16, b.Len()),
	}
	rep := newReport("irv", b, 1, seed)
	tb := newTieBreaker(seed, b.Candidates)
	for g := range b.weights {
		c.value[g] = 1
		if !c.place(g, 0) {
			c.exhausted += b.weights[g]
		}
	}
	if b.Total() == c.exhausted {
		return nil, inputErr("no valid ballots")
	}
	prev := make([]int64, n)
	var history [][]int64
	action, subject := "first-preferences", ""
	var excludedDecision []Decision
	for {
		continuing := b.Total() - c.exhausted
		r := Round{Number: len(rep.Rounds) + 1, Action: action, Subject: subject,
			Quota: integer(continuing/2 + 1), Exhausted: integer(c.exhausted), Excluded: excludedDecision}
		for i, name := range b.Candidates {
			t := Tally{Name: name, Votes: integer(c.votes[i]), Status: c.st[i].String()}
			if d := c.votes[i] - prev[i]; d != 0 && action != "first-preferences" {
				t.Change = integer(d)
			}
			r.Tallies = append(r.Tallies, t)
		}
		copy(prev, c.votes)
		history = append(history, slices.Clone(c.votes))
		winner, reason := -1, ""
		for i, s := range c.st {
			if s == hopeful && 2*c.votes[i] > continuing {
				winner, reason = i, "majority"
			}
		}
		if winner < 0 && count(c.st, hopeful) == 1 {
			winner, reason = slices.Index(c.st, hopeful), "last-candidate"
		}
		if winner >= 0 {
			c.st[winner] = elected
			r.Tallies[winner].Status = "elected"
			r.Elected = []Decision{{Name: b.Candidates[winner], Reason: reason}}
			rep.elect(winner, b.Candidates)
			rep.Rounds = append(rep.Rounds, r)
			break
		}
		rep.Rounds = append(rep.Rounds, r)
		// history excludes the current round for the backward look-up of
		// earlier rounds; the current round is where they are tied.
		i, tie := lowest(c.st, c.votes, r.Number+1, history[:len(history)-1], false, tb)
		c.st[i] = excluded
		c.transferAll(i)
		action, subject = "exclusion", b.Candidates[i]
		excludedDecision = []Decision{{Name: b.Candidates[i], Reason: "lowest" + tie}}
	}
	rep.Lots = tb.lots
	return rep, nil
}
