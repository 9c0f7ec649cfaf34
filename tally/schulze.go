package tally

import "slices"

// MaxSchulzeCandidates bounds the candidates of a Schulze count.
const MaxSchulzeCandidates = 2000

// Schulze ranks the candidates by the Schulze method (M. Schulze, "A new
// monotonic, clone-independent, reversal symmetric, and Condorcet-consistent
// single-winner election method", Social Choice and Welfare 36, 2011) and
// elects the first seats of that ranking. d[i][j] counts the ballots that
// rank i above j (a ranked candidate is above every unranked one; unranked
// candidates are equal); the strength of a path is its weakest link
// d[x][y] (winning votes); p[i][j] is the strongest path from i to j;
// i ranks above j when p[i][j] > p[j][i]. Candidates the relation leaves
// equal are ordered by lot. A Condorcet winner is always first.
func Schulze(b *Ballots, seats int, opts Options) (*Report, error) {
	if err := checkCount(b, seats); err != nil {
		return nil, err
	}
	if len(b.Candidates) > MaxSchulzeCandidates {
		return nil, inputErr("Schulze counts at most %d candidates (the pairwise matrices grow with the square)", MaxSchulzeCandidates)
	}
	seed := seedOrDefault(opts.Seed)
	n := len(b.Candidates)
	rep := newReport("schulze", b, seats, seed)
	tb := newTieBreaker(seed, b.Candidates)
	st := initialStates(b)

	// d[i][j] = Σ weight over ballots with i ranked above j.
	// For a ballot ranking r: every ranked i beats every candidate not yet
	// passed; add w to row i for all j, then take back the columns of
	// candidates ranked at or above i.
	row := make([]int64, n) // ranked i beats all: row[i] += w
	d := make([][]int64, n)
	for i := range d {
		d[i] = make([]int64, n)
	}
	for g, w := range b.weights {
		r := b.ranking(g)
		for p, i := range r {
			row[i] += w
			for _, k := range r[:p+1] {
				d[i][k] -= w
			}
		}
	}
	for i := range d {
		for j := range d[i] {
			d[i][j] += row[i]
		}
		d[i][i] = 0
	}
	for i := range d {
		for j := range d[i] {
			if st[i] == withdrawn || st[j] == withdrawn {
				d[i][j] = 0
			}
		}
	}
	// Strongest paths (Floyd–Warshall on widest paths).
	p := make([][]int64, n)
	for i := range p {
		p[i] = make([]int64, n)
		for j := range p[i] {
			if i != j && d[i][j] > d[j][i] {
				p[i][j] = d[i][j]
			}
		}
	}
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			if i == k || p[i][k] == 0 {
				continue
			}
			for j := 0; j < n; j++ {
				if j != i && j != k {
					if s := min(p[i][k], p[k][j]); s > p[i][j] {
						p[i][j] = s
					}
				}
			}
		}
	}
	wins := make([]int64, n)
	var cands []int
	for i := 0; i < n; i++ {
		if st[i] == withdrawn {
			continue
		}
		cands = append(cands, i)
		for j := 0; j < n; j++ {
			if j != i && st[j] != withdrawn && p[i][j] > p[j][i] {
				wins[i]++
			}
		}
	}
	rep.Rounds = append(rep.Rounds, Round{Number: 1, Action: "pairwise", Matrix: d})
	r := Round{Number: 2, Action: "paths", Matrix: p}
	// The Schulze relation is a strict weak order, so ordering by the number
	// of candidates beaten gives its ranking; equal candidates by lot.
	order, how := orderByVotes(cands, wins, 2, "rank", nil, false, tb)
	for j, i := range order {
		rep.Ranking = append(rep.Ranking, b.Candidates[i])
		status := "hopeful"
		if j < seats {
			status = "elected"
			rep.elect(i, b.Candidates)
			r.Elected = append(r.Elected, Decision{Name: b.Candidates[i], Reason: "strongest-paths" + how[j]})
		}
		r.Tallies = append(r.Tallies, Tally{Name: b.Candidates[i], Votes: integer(wins[i]), Status: status})
	}
	rep.Rounds = append(rep.Rounds, r)
	rep.Lots = tb.lots
	return rep, nil
}

// Approval elects the seats candidates marked on most ballots. Each ballot
// approves every candidate it names (the order does not matter). Ties at
// the last seat are broken by lot.
func Approval(b *Ballots, seats int, opts Options) (*Report, error) {
	return single("approval", b, seats, opts, func(r []uint16, w int64, votes []int64) {
		for _, c := range r {
			votes[c] += w
		}
	})
}

// Plurality elects the seats candidates with most first preferences (with
// more than one seat, each ballot still counts only for its first choice).
// Ties at the last seat are broken by lot.
func Plurality(b *Ballots, seats int, opts Options) (*Report, error) {
	return single("plurality", b, seats, opts, func(r []uint16, w int64, votes []int64) {
		votes[r[0]] += w
	})
}

func single(method string, b *Ballots, seats int, opts Options, mark func([]uint16, int64, []int64)) (*Report, error) {
	if err := checkCount(b, seats); err != nil {
		return nil, err
	}
	seed := seedOrDefault(opts.Seed)
	rep := newReport(method, b, seats, seed)
	tb := newTieBreaker(seed, b.Candidates)
	st := initialStates(b)
	votes := make([]int64, len(b.Candidates))
	for g, w := range b.weights {
		mark(b.ranking(g), w, votes)
	}
	var cands []int
	for i, s := range st {
		if s != withdrawn {
			cands = append(cands, i)
		}
	}
	r := Round{Number: 1, Action: "count"}
	// Lots only where they decide a seat: order equal candidates by name
	// unless they straddle the last seat.
	order := slices.Clone(cands)
	slices.SortStableFunc(order, func(a, c int) int {
		if votes[a] != votes[c] {
			if votes[a] > votes[c] {
				return -1
			}
			return 1
		}
		return 0
	})
	how := make([]string, len(order))
	if seats < len(order) && votes[order[seats-1]] == votes[order[seats]] {
		v := votes[order[seats-1]]
		lo, hi := seats-1, seats
		for lo > 0 && votes[order[lo-1]] == v {
			lo--
		}
		for hi+1 < len(order) && votes[order[hi+1]] == v {
			hi++
		}
		group := slices.Clone(order[lo : hi+1])
		chosen := tb.draw(1, "elect", group, seats-lo)
		rest := slices.DeleteFunc(slices.Clone(group), func(x int) bool { return slices.Contains(chosen, x) })
		copy(order[lo:], chosen)
		copy(order[lo+len(chosen):], rest)
		for j := lo; j < seats; j++ {
			how[j] = "+lot"
		}
	}
	for j, i := range order {
		rep.Ranking = append(rep.Ranking, b.Candidates[i])
		if j < seats {
			st[i] = elected
			rep.elect(i, b.Candidates)
			r.Elected = append(r.Elected, Decision{Name: b.Candidates[i], Reason: "most-votes" + how[j]})
		}
	}
	for i, name := range b.Candidates {
		r.Tallies = append(r.Tallies, Tally{Name: name, Votes: integer(votes[i]), Status: st[i].String()})
	}
	rep.Rounds = append(rep.Rounds, r)
	rep.Lots = tb.lots
	return rep, nil
}
