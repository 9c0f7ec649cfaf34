package tally

import (
	"cmp"
	"encoding/json"
	"math/big"
	"math/bits"
	"slices"
	"strings"
)

// ListMethod names a list proportional-representation method.
type ListMethod string

// The list methods.
const (
	DHondt              ListMethod = "dhondt"            // divisors 1, 2, 3, …
	CifraRepartidora    ListMethod = "cifra-repartidora" // Peru, LOE art. 30
	SainteLague         ListMethod = "sainte-lague"      // divisors 1, 3, 5, …
	ModifiedSainteLague ListMethod = "sainte-lague-1.4"  // divisors 1.4, 3, 5, …
	HareQuota           ListMethod = "hare"              // largest remainder, quota votes ÷ seats
	DroopQuota          ListMethod = "droop"             // largest remainder, quota ⌊votes ÷ (seats+1)⌋ + 1
)

// ListMethods lists the list methods in the order the CLI documents them.
var ListMethods = []ListMethod{DHondt, CifraRepartidora, SainteLague, ModifiedSainteLague, HareQuota, DroopQuota}

// ListOptions configures ListPR.
type ListOptions struct {
	Method ListMethod
	// Threshold is the share of valid votes (the votes of all lists given)
	// that a list needs to take part in the allocation, as a fraction: 1/20
	// for 5%. nil means none. A list qualifies with votes ≥ threshold × valid.
	Threshold *big.Rat
	Seed      uint64 // seed of the lots; 0 means DefaultSeed
}

// ListPR allocates seats to lists. Quotients are compared exactly (integer
// cross-multiplication); ties for the last seats go to the list with more
// votes and then by lot, except in CifraRepartidora where the law (LOE art.
// 30 f) sends every tie to lot. Lists with candidates given cannot win more
// seats than they have candidates: such a list keeps one seat per candidate
// and the method is run again for the other lists and seats. Each list's
// seats are taken down the list in order, alternating genders where the
// list is registered with alternation (see ListVotes).
func ListPR(votes []ListVotes, seats int, opts ListOptions) (*Report, error) {
	if !slices.Contains(ListMethods, opts.Method) {
		return nil, inputErr("unknown list method %q", opts.Method)
	}
	if seats < 1 {
		return nil, inputErr("seats must be at least 1, not %d", seats)
	}
	if len(votes) == 0 {
		return nil, inputErr("no lists")
	}
	names := make([]string, len(votes))
	seen := map[string]bool{}
	var total int64
	for i, lv := range votes {
		if strings.TrimSpace(lv.Name) == "" {
			return nil, inputErr("list %d has no name", i+1)
		}
		if seen[lv.Name] {
			return nil, inputErr("list %q given twice", lv.Name)
		}
		seen[lv.Name] = true
		if lv.Votes < 0 {
			return nil, inputErr("negative vote count %d for list %q", lv.Votes, lv.Name)
		}
		if lv.Votes > MaxListVotes || total+lv.Votes > MaxListVotes {
			return nil, inputErr("more than %d votes", int64(MaxListVotes))
		}
		total += lv.Votes
		names[i] = lv.Name
	}
	if total == 0 {
		return nil, inputErr("no valid votes")
	}
	seed := seedOrDefault(opts.Seed)
	rep := &Report{Method: string(opts.Method), SeatCount: seats, Candidates: names, Seed: seed, ValidVotes: integer(total)}
	tb := newTieBreaker(seed, names)

	// Threshold.
	qualified := make([]bool, len(votes))
	var need *big.Rat
	if opts.Threshold != nil && opts.Threshold.Sign() != 0 {
		if opts.Threshold.Sign() < 0 || opts.Threshold.Cmp(big.NewRat(1, 1)) > 0 {
			return nil, inputErr("threshold must be between 0%% and 100%%")
		}
		need = new(big.Rat).Mul(opts.Threshold, new(big.Rat).SetInt64(total))
		rep.Threshold = json.Number(need.FloatString(5))
	}
	r1 := Round{Number: 1, Action: "votes"}
	nq := 0
	for i, lv := range votes {
		qualified[i] = need == nil || new(big.Rat).SetInt64(lv.Votes).Cmp(need) >= 0
		st := "qualified"
		if qualified[i] {
			nq++
		} else {
			st = "below-threshold"
			r1.Excluded = append(r1.Excluded, Decision{Name: lv.Name, Reason: "threshold"})
		}
		r1.Tallies = append(r1.Tallies, Tally{Name: lv.Name, Votes: integer(lv.Votes), Status: st})
	}
	rep.Rounds = append(rep.Rounds, r1)
	if nq == 0 {
		return nil, inputErr("no list reaches the threshold")
	}
	capOf := func(i int) int {
		if n := len(votes[i].Candidates); n > 0 {
			return n
		}
		return seats
	}
	room := 0
	for i := range votes {
		if qualified[i] {
			room += capOf(i)
		}
	}
	if room < seats {
		return nil, inputErr("the qualified lists have %d candidates for %d seats", room, seats)
	}

	// Allocation, again without full lists until none is over its length.
	won := make([]int, len(votes))
	active := []int{}
	for i := range votes {
		if qualified[i] {
			active = append(active, i)
		}
	}
	left := seats
	for {
		var sum int64
		for _, i := range active {
			sum += votes[i].Votes
		}
		if sum == 0 {
			return nil, inputErr("the lists with votes have too few candidates for %d seats", seats)
		}
		alloc := allocate(opts.Method, votes, active, left, rep, tb)
		var full, rest []int
		for _, i := range active {
			if alloc[i] > capOf(i) {
				full = append(full, i)
			} else {
				rest = append(rest, i)
			}
		}
		if len(full) == 0 {
			for _, i := range active {
				won[i] += alloc[i]
			}
			break
		}
		rd := Round{Number: len(rep.Rounds) + 1, Action: "full-list"}
		for _, i := range full {
			won[i] = capOf(i)
			left -= won[i]
			rd.Elected = append(rd.Elected, Decision{Name: votes[i].Name, Reason: "all-candidates"})
		}
		rep.Rounds = append(rep.Rounds, rd)
		active = rest
		if left == 0 {
			break
		}
	}

	// Result.
	rep.Seats = map[string]int{}
	final := Round{Number: len(rep.Rounds) + 1, Action: "result"}
	for i, lv := range votes {
		ls := ListSeats{Name: lv.Name, Votes: lv.Votes, Share: ratio64(lv.Votes*100, total), Qualified: qualified[i], Seats: won[i]}
		ls.Seated, ls.ByGender = seatList(lv, won[i])
		rep.Lists = append(rep.Lists, ls)
		rep.Seats[lv.Name] = won[i]
		st := "qualified"
		if !qualified[i] {
			st = "below-threshold"
		}
		final.Tallies = append(final.Tallies, Tally{Name: lv.Name, Votes: integer(lv.Votes), Seats: won[i], Status: st})
	}
	rep.Rounds = append(rep.Rounds, final)
	rep.Lots = tb.lots
	return rep, nil
}

// allocate runs one list method over the active lists and returns the
// seats per list index; it appends its rounds to rep.
func allocate(m ListMethod, votes []ListVotes, active []int, seats int, rep *Report, tb *tieBreaker) []int {
	switch m {
	case HareQuota, DroopQuota:
		return largestRemainder(m, votes, active, seats, rep, tb)
	case CifraRepartidora:
		return cifra(votes, active, seats, rep, tb)
	}
	return divisor(m, votes, active, seats, rep, tb)
}

// quot is votes×den/num, compared exactly.
type quot struct{ v, num, den uint64 }

func (a quot) cmp(b quot) int {
	// a.v*a.den/a.num vs b.v*b.den/b.num  ⇔  a.v*a.den*b.num vs b.v*b.den*a.num
	ah, al := mul128(a.v*a.den, b.num)
	bh, bl := mul128(b.v*b.den, a.num)
	if ah != bh {
		return cmp.Compare(ah, bh)
	}
	return cmp.Compare(al, bl)
}

func mul128(x, y uint64) (hi, lo uint64) { return bits.Mul64(x, y) }

func (a quot) number() json.Number {
	return ratio(new(big.Int).SetUint64(a.v*a.den), new(big.Int).SetUint64(a.num))
}

// divisorOf returns the k-th divisor (k ≥ 1) as num/den.
func divisorOf(m ListMethod, k int) (num, den uint64) {
	switch m {
	case SainteLague:
		return uint64(2*k - 1), 1
	case ModifiedSainteLague:
		if k == 1 {
			return 7, 5
		}
		return uint64(2*k - 1), 1
	}
	return uint64(k), 1
}

// quotient of list i after it has won w seats.
func quotient(m ListMethod, v int64, w int) quot {
	num, den := divisorOf(m, w+1)
	return quot{v: uint64(v), num: num, den: den}
}

func divisor(m ListMethod, votes []ListVotes, active []int, seats int, rep *Report, tb *tieBreaker) []int {
	won := make([]int, len(votes))
	left := seats
	for left > 0 {
		// The highest quotient, and every list that shares it.
		var best quot
		var tied []int
		for _, i := range active {
			q := quotient(m, votes[i].Votes, won[i])
			if len(tied) == 0 {
				best, tied = q, []int{i}
				continue
			}
			switch q.cmp(best) {
			case 1:
				best, tied = q, []int{i}
			case 0:
				tied = append(tied, i)
			}
		}
		order, how := rankTied(tied, votes, left, len(rep.Rounds)+1, "seat", tb)
		for j, i := range order {
			if j >= left {
				break
			}
			won[i]++
			reason := "quotient"
			if len(tied) > left {
				reason += how[j]
			}
			rep.Rounds = append(rep.Rounds, Round{Number: len(rep.Rounds) + 1, Action: "seat", Subject: votes[i].Name,
				Value: best.number(), Elected: []Decision{{Name: votes[i].Name, Reason: reason}}})
		}
		left -= min(left, len(order))
	}
	return won
}

// rankTied orders lists tied on a quotient or remainder: more votes first;
// when lists with equal votes straddle the last of the k places, lot. how[j]
// tells how the list at place j got there.
func rankTied(tied []int, votes []ListVotes, k, round int, purpose string, tb *tieBreaker) ([]int, []string) {
	order := slices.Clone(tied)
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(votes[b].Votes, votes[a].Votes); c != 0 {
			return c
		}
		return strings.Compare(votes[a].Name, votes[b].Name)
	})
	how := make([]string, len(order))
	for j := range how {
		how[j] = "+most-votes"
	}
	if k >= len(order) {
		return order, how
	}
	// Lists with the same votes as the one at place k-1.
	v := votes[order[k-1]].Votes
	lo, hi := k-1, k-1
	for lo > 0 && votes[order[lo-1]].Votes == v {
		lo--
	}
	for hi+1 < len(order) && votes[order[hi+1]].Votes == v {
		hi++
	}
	if hi >= k {
		group := slices.Clone(order[lo : hi+1])
		chosen := tb.draw(round, purpose, group, k-lo)
		rest := []int{}
		for _, x := range group {
			if !slices.Contains(chosen, x) {
				rest = append(rest, x)
			}
		}
		copy(order[lo:], chosen)
		copy(order[lo+len(chosen):], rest)
		for j := lo; j <= hi; j++ {
			how[j] = "+lot"
		}
	}
	return order, how
}

func largestRemainder(m ListMethod, votes []ListVotes, active []int, seats int, rep *Report, tb *tieBreaker) []int {
	won := make([]int, len(votes))
	var total int64
	for _, i := range active {
		total += votes[i].Votes
	}
	// quota = qn/qd
	qn, qd := big.NewInt(total), big.NewInt(int64(seats))
	if m == DroopQuota {
		qn, qd = big.NewInt(total/int64(seats+1)+1), big.NewInt(1)
	}
	quotaNum := ratio(qn, qd)
	if rep.Quota == "" {
		rep.Quota = quotaNum
	}
	// remainders r_i = v_i*qd - won_i*qn (in units of 1/qd)
	rem := make([]*big.Int, len(votes))
	r2 := Round{Number: len(rep.Rounds) + 1, Action: "quota", Quota: quotaNum}
	given := 0
	for _, i := range active {
		vq := new(big.Int).Mul(big.NewInt(votes[i].Votes), qd)
		w, r := new(big.Int).QuoRem(vq, qn, new(big.Int))
		won[i] = int(w.Int64())
		rem[i] = r
		given += won[i]
		r2.Tallies = append(r2.Tallies, Tally{Name: votes[i].Name, Votes: integer(votes[i].Votes),
			Quotient: ratio(vq, qn), Seats: won[i], Status: "qualified"})
		if won[i] > 0 {
			r2.Elected = append(r2.Elected, Decision{Name: votes[i].Name, Reason: "quota"})
		}
	}
	rep.Rounds = append(rep.Rounds, r2)
	left := seats - given
	if left <= 0 {
		return won
	}
	// Largest remainders; ties: more votes, then lot.
	order := slices.Clone(active)
	slices.SortStableFunc(order, func(a, b int) int { return rem[b].Cmp(rem[a]) })
	r3 := Round{Number: len(rep.Rounds) + 1, Action: "remainder", Quota: quotaNum}
	for left > 0 {
		take := min(left, len(order))
		// Ties across the boundary.
		last := rem[order[take-1]]
		lo, hi := take-1, take-1
		for lo > 0 && rem[order[lo-1]].Cmp(last) == 0 {
			lo--
		}
		for hi+1 < len(order) && rem[order[hi+1]].Cmp(last) == 0 {
			hi++
		}
		how := make([]string, len(order))
		if hi >= take {
			group, h := rankTied(order[lo:hi+1], votes, take-lo, r3.Number, "seat", tb)
			copy(order[lo:], group)
			copy(how[lo:], h)
		}
		for j := 0; j < take; j++ {
			won[order[j]]++
			r3.Elected = append(r3.Elected, Decision{Name: votes[order[j]].Name, Reason: "remainder" + how[j]})
		}
		left -= take
	}
	for _, i := range active {
		r3.Tallies = append(r3.Tallies, Tally{Name: votes[i].Name, Votes: integer(votes[i].Votes),
			Quotient: ratio(new(big.Int).Mul(big.NewInt(votes[i].Votes), qd), qn), Seats: won[i], Status: "qualified"})
	}
	rep.Rounds = append(rep.Rounds, r3)
	return won
}

// cifra applies Peru's cifra repartidora (Ley Orgánica de Elecciones, art.
// 30): the quotients votes÷1, votes÷2, … of all lists in decreasing order;
// the one in place "seats" is the cifra; each list gets the integer part of
// votes÷cifra; seats still unfilled go to the largest decimal parts; ties
// by lot. With exact arithmetic the integer parts never fall short; they
// exceed the seats only when quotients tie at the cifra, and then the lot
// decides which of the tied lists take the seats left.
func cifra(votes []ListVotes, active []int, seats int, rep *Report, tb *tieBreaker) []int {
	won := make([]int, len(votes))
	next := make([]int, len(votes)) // quotients taken so far per list
	count := 0
	var c quot
	for count < seats {
		var tied []int
		for _, i := range active {
			q := quotient(DHondt, votes[i].Votes, next[i])
			if len(tied) == 0 {
				c, tied = q, []int{i}
				continue
			}
			switch q.cmp(c) {
			case 1:
				c, tied = q, []int{i}
			case 0:
				tied = append(tied, i)
			}
		}
		for _, i := range tied {
			next[i]++
		}
		count += len(tied)
	}
	// c = v/k exactly; seats_i = floor(v_i*k/v), decimal part (v_i*k mod v)/v.
	cv, ck := big.NewInt(int64(c.v)), big.NewInt(int64(c.num))
	cn := ratio(cv, ck)
	rep.Quota = cn
	r := Round{Number: len(rep.Rounds) + 1, Action: "cifra", Quota: cn}
	given := 0
	frac := make([]*big.Int, len(votes))
	var exact []int
	for _, i := range active {
		x := new(big.Int).Mul(big.NewInt(votes[i].Votes), ck)
		w, m := new(big.Int).QuoRem(x, cv, new(big.Int))
		won[i] = int(w.Int64())
		frac[i] = m
		if m.Sign() == 0 && won[i] > 0 {
			exact = append(exact, i)
		}
		given += won[i]
		r.Tallies = append(r.Tallies, Tally{Name: votes[i].Name, Votes: integer(votes[i].Votes), Quotient: ratio(x, cv), Seats: won[i], Status: "qualified"})
		if won[i] > 0 {
			r.Elected = append(r.Elected, Decision{Name: votes[i].Name, Reason: "cifra"})
		}
	}
	rep.Rounds = append(rep.Rounds, r)
	switch {
	case given > seats:
		// The lists whose last quotient equals the cifra tie for the seats
		// left after those with quotients above it (art. 30 f: sorteo).
		left := seats - (given - len(exact))
		for _, i := range exact {
			won[i]--
		}
		chosen := tb.draw(len(rep.Rounds)+1, "seat", exact, left)
		rd := Round{Number: len(rep.Rounds) + 1, Action: "seat", Quota: cn, Value: cn}
		for _, i := range chosen {
			won[i]++
			rd.Elected = append(rd.Elected, Decision{Name: votes[i].Name, Reason: "cifra+lot"})
		}
		rep.Rounds = append(rep.Rounds, rd)
	case given < seats:
		// Art. 30 e: one more seat to the largest decimal parts.
		order := slices.Clone(active)
		slices.SortStableFunc(order, func(a, b int) int { return frac[b].Cmp(frac[a]) })
		left := seats - given
		last := frac[order[left-1]]
		var tied, sure []int
		for _, i := range order {
			switch frac[i].Cmp(last) {
			case 1:
				sure = append(sure, i)
			case 0:
				tied = append(tied, i)
			}
		}
		rd := Round{Number: len(rep.Rounds) + 1, Action: "remainder", Quota: cn}
		for _, i := range sure {
			won[i]++
			rd.Elected = append(rd.Elected, Decision{Name: votes[i].Name, Reason: "decimal-part"})
		}
		how := "decimal-part"
		if len(tied) > left-len(sure) {
			how += "+lot"
			tied = tb.draw(rd.Number, "seat", tied, left-len(sure))
		}
		for _, i := range tied[:left-len(sure)] {
			won[i]++
			rd.Elected = append(rd.Elected, Decision{Name: votes[i].Name, Reason: how})
		}
		rep.Rounds = append(rep.Rounds, rd)
	}
	return won
}

// seatList names who takes a list's seats: positions in order, or, for a
// list registered with alternation, each time the next candidate whose
// gender differs from the previous seat's (the next in order if none).
func seatList(lv ListVotes, n int) ([]ListCandidate, map[string]int) {
	var out []ListCandidate
	switch {
	case n == 0:
		return nil, nil
	case len(lv.Candidates) > 0:
		used := make([]bool, len(lv.Candidates))
		last := ""
		for k := 0; k < n && k < len(lv.Candidates); k++ {
			pick := -1
			for i, c := range lv.Candidates {
				if used[i] {
					continue
				}
				if pick < 0 {
					pick = i
				}
				if !lv.Alternate || k == 0 || c.Gender != last {
					pick = i
					break
				}
			}
			used[pick] = true
			last = lv.Candidates[pick].Gender
			out = append(out, lv.Candidates[pick])
		}
	case lv.Gender != "":
		for p := 1; p <= n; p++ {
			out = append(out, ListCandidate{Position: p, Gender: positionGender(lv.Gender, p)})
		}
	default:
		return nil, nil
	}
	by := map[string]int{}
	for _, c := range out {
		if c.Gender != "" {
			by[c.Gender]++
		}
	}
	if len(by) == 0 {
		by = nil
	}
	return out, by
}

// ParsePercent reads a percentage such as "5%", "5", "3.5%" or "1/3%" and
// returns it as a fraction (5% → 1/20).
func ParsePercent(s string) (*big.Rat, error) {
	t := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	r, ok := new(big.Rat).SetString(t)
	if !ok || t == "" {
		return nil, inputErr("threshold %q is not a percentage", s)
	}
	if r.Sign() < 0 || r.Cmp(big.NewRat(100, 1)) > 0 {
		return nil, inputErr("threshold %q is not between 0%% and 100%%", s)
	}
	return r.Quo(r, big.NewRat(100, 1)), nil
}
