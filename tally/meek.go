package tally

import (
	"math/bits"
	"slices"
)

// meekScale is Meek's fixed point: values in units of 10^-9.
const meekScale = 1_000_000_000

// MeekTolerance is the total surplus (in votes) below which the keep
// values are taken to have converged: 0.00001.
const MeekTolerance = 0.00001

const meekTol = 10_000 // MeekTolerance in units of 10^-9

// MeekOptions configures Meek.
type MeekOptions struct {
	Quota Quota  // Droop (default) or Hare
	Seed  uint64 // seed of the lots; 0 means DefaultSeed
}

// Meek counts by Meek's method as in Hill, Wichmann and Woodall,
// "Algorithm 123: Single transferable vote by Meek's method", The Computer
// Journal 30(3), 1987. Each candidate has a keep value: 1 while hopeful, 0
// when excluded, and for the elected the share of each vote reaching them
// that they keep. Every ballot gives each candidate in turn its keep value
// of what is left of the ballot and passes on the rest, so votes reach
// later preferences through elected candidates and skip excluded ones.
// The quota is the votes not exhausted ÷ (seats+1) (Hare: ÷ seats),
// recomputed at every iteration; keep values are updated to
// keep × quota ÷ votes until the elected candidates' total surplus is below
// MeekTolerance (or stops decreasing). A hopeful candidate reaching the
// quota is elected at once; when nobody is, the hopeful with fewest votes
// is excluded (ties: the most recent earlier round in which the tied had
// unequal votes, then lot).
//
// Arithmetic is fixed point with 9 decimal places, as in the New Zealand
// rules that implement Algorithm 123: what a candidate keeps of a ballot
// is rounded up, the quota and votes are rounded down, keep values are
// rounded up; every ballot is computed alone (a group's votes are its
// weight times one ballot's), so grouping does not change a result.
func Meek(b *Ballots, seats int, opts MeekOptions) (*Report, error) {
	if err := checkCount(b, seats); err != nil {
		return nil, err
	}
	if opts.Quota != "" && opts.Quota != Droop && opts.Quota != Hare {
		return nil, inputErr("unknown quota %q", opts.Quota)
	}
	seed := seedOrDefault(opts.Seed)
	n := len(b.Candidates)
	st := initialStates(b)
	keep := make([]int64, n)
	for i := range keep {
		if st[i] == hopeful {
			keep[i] = meekScale
		}
	}
	rep := newReport("meek", b, seats, seed)
	tb := newTieBreaker(seed, b.Candidates)
	votes := make([]int64, n)
	prev := make([]int64, n)
	var history [][]int64
	divisor := int64(seats + 1)
	if opts.Quota == Hare {
		divisor = int64(seats)
	}
	total := b.Total() * meekScale

	action, subject := "first-preferences", ""
	var excl []Decision
	for {
		red, dead := meekReduce(b, st)
		if dead == b.Total() {
			if len(rep.Rounds) == 0 {
				return nil, inputErr("no valid ballots")
			}
		}
		// Iterate to convergence or until someone reaches the quota.
		var quota, exhausted int64
		iters := 0
		lastSurplus := int64(-1)
		var reached []int
		for {
			iters++
			exhausted = meekCount(red, st, keep, votes) + dead*meekScale
			quota = (total-exhausted)/divisor + 1
			if opts.Quota == Hare {
				quota = (total - exhausted) / divisor
			}
			reached = reached[:0]
			for i, s := range st {
				if s == hopeful && votes[i] >= quota {
					reached = append(reached, i)
				}
			}
			if len(reached) > 0 {
				break
			}
			var surplus int64
			for i, s := range st {
				if s == elected && votes[i] > quota {
					surplus += votes[i] - quota
				}
			}
			if surplus < meekTol || (lastSurplus >= 0 && surplus >= lastSurplus) {
				break
			}
			lastSurplus = surplus
			changed := false
			for i, s := range st {
				if s == elected && votes[i] > 0 {
					k := mulDivUp(keep[i], quota, votes[i])
					if k > meekScale {
						k = meekScale
					}
					if k != keep[i] {
						keep[i], changed = k, true
					}
				}
			}
			if !changed {
				break
			}
		}
		if len(rep.Rounds) == 0 {
			rep.Quota = fixed(quota, 9)
		}
		r := Round{Number: len(rep.Rounds) + 1, Action: action, Subject: subject, Quota: fixed(quota, 9),
			Exhausted: fixed(exhausted, 9), Iterations: iters, Excluded: excl}
		for i, name := range b.Candidates {
			t := Tally{Name: name, Votes: fixed(votes[i], 9), Status: st[i].String(), Keep: fixed(keep[i], 9)}
			if d := votes[i] - prev[i]; d != 0 && action != "first-preferences" {
				t.Change = fixed(d, 9)
			}
			r.Tallies = append(r.Tallies, t)
		}
		copy(prev, votes)
		history = append(history, slices.Clone(votes))
		excl = nil

		// Elect those who reached the quota, highest first.
		var newly []string
		order, how := orderByVotes(reached, votes, r.Number, "elect", history, false, tb)
		for j, i := range order {
			if count(st, elected) == seats {
				break
			}
			st[i] = elected
			r.Tallies[i].Status = "elected"
			rep.elect(i, b.Candidates)
			r.Elected = append(r.Elected, Decision{Name: b.Candidates[i], Reason: "quota" + how[j]})
			newly = append(newly, b.Candidates[i])
		}
		done := false
		ne := count(st, elected)
		if ne == seats {
			done = true
		} else if nh := count(st, hopeful); nh+ne <= seats {
			var rest []int
			for i, s := range st {
				if s == hopeful {
					rest = append(rest, i)
				}
			}
			order, how := orderByVotes(rest, votes, r.Number, "elect", history, false, tb)
			for j, i := range order {
				st[i] = elected
				r.Tallies[i].Status = "elected"
				rep.elect(i, b.Candidates)
				r.Elected = append(r.Elected, Decision{Name: b.Candidates[i], Reason: "remaining-seats" + how[j]})
			}
			done = true
		}
		rep.Rounds = append(rep.Rounds, r)
		if done {
			break
		}
		if len(newly) > 0 {
			action, subject = "surplus", joinNames(newly)
			continue
		}
		i, tie := lowest(st, votes, r.Number+1, history[:len(history)-1], false, tb)
		st[i] = excluded
		keep[i] = 0
		action, subject = "exclusion", b.Candidates[i]
		excl = []Decision{{Name: b.Candidates[i], Reason: "lowest" + tie}}
	}
	rep.Lots = tb.lots
	return rep, nil
}

func joinNames(names []string) string {
	s := ""
	for i, n := range names {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// meekReduce groups the ballots as Meek's count sees them in the current
// state: excluded and withdrawn candidates dropped, and every ranking cut
// after its first hopeful candidate (who keeps all of what reaches it).
// Rankings left empty are dead: wholly exhausted.
func meekReduce(b *Ballots, st []cstate) (*Ballots, int64) {
	red := &Ballots{offs: []uint32{0}}
	var dead int64
	buf := make([]uint16, 0, 64)
	for g, w := range b.weights {
		buf = buf[:0]
		for _, c := range b.ranking(g) {
			switch st[c] {
			case elected:
				buf = append(buf, c)
				continue
			case hopeful:
				buf = append(buf, c)
			default:
				continue
			}
			break
		}
		if len(buf) == 0 {
			dead += w
			continue
		}
		_ = red.add16(buf, w)
	}
	return red, dead
}

// meekCount computes every candidate's votes (units of 10^-9) from the
// reduced ballots and returns the exhausted votes.
func meekCount(red *Ballots, st []cstate, keep, votes []int64) int64 {
	clear(votes)
	var exhausted int64
	for g, w := range red.weights {
		left := int64(meekScale)
		for _, c := range red.ranking(g) {
			k := keep[c]
			var kept int64
			if k >= meekScale {
				kept = left
			} else {
				kept = mulDivUp(left, k, meekScale)
			}
			votes[c] += w * kept
			left -= kept
			if left == 0 {
				break
			}
		}
		exhausted += w * left
	}
	return exhausted
}

// mulDivUp returns ⌈a×b÷c⌉ for non-negative a, b and positive c, with a
// 128-bit intermediate product.
func mulDivUp(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return 1<<63 - 1
	}
	q, r := bits.Div64(hi, lo, uint64(c))
	if r != 0 {
		q++
	}
	return int64(q)
}
