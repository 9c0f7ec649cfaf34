package tally

import (
	"math/big"
	"slices"
	"sort"
)

// Apportion divides seats among bodies in proportion to their sizes (for
// an assembly: the members of each affiliated body) by largest remainder
// (Hare quota), with at least min and, when max > 0, at most max seats per
// body. A body whose proportional share falls below min gets min, one above
// max gets max, and the seats left are divided again among the other bodies
// in proportion to their sizes, until every share is within bounds; the
// result always sums to seats. It is an error when the bounds cannot hold:
// seats < len(sizes)×min, or max > 0 and seats > len(sizes)×max.
// Equal remainders go to the larger body, then to the earlier in sizes.
// Bodies of size 0 get min (all of size 0: equal shares).
func Apportion(sizes []int, seats int, min, max int) ([]int, error) {
	n := len(sizes)
	switch {
	case n == 0:
		return nil, inputErr("no bodies")
	case seats < 0:
		return nil, inputErr("negative number of seats %d", seats)
	case min < 0 || max < 0:
		return nil, inputErr("negative minimum or maximum")
	case max > 0 && min > max:
		return nil, inputErr("minimum %d above maximum %d", min, max)
	case seats < n*min:
		return nil, inputErr("%d seats cannot give %d bodies at least %d each", seats, n, min)
	case max > 0 && seats > n*max:
		return nil, inputErr("%d seats cannot be given to %d bodies with at most %d each", seats, n, max)
	}
	for i, s := range sizes {
		if s < 0 {
			return nil, inputErr("body %d has negative size %d", i+1, s)
		}
	}
	// Shares clamp(λ×size, min, max) summing to seats: the sum grows with
	// λ, so find λ between the points where bodies hit a bound.
	sz := make([]int64, n)
	allZero := true
	for i, s := range sizes {
		sz[i] = int64(s)
		allZero = allZero && s == 0
	}
	if allZero {
		for i := range sz {
			sz[i] = 1
		}
	}
	lo, hi := big.NewRat(int64(min), 1), big.NewRat(int64(max), 1)
	clamp := func(lambda *big.Rat, i int) *big.Rat {
		x := new(big.Rat).Mul(lambda, big.NewRat(sz[i], 1))
		if x.Cmp(lo) < 0 {
			return lo
		}
		if max > 0 && x.Cmp(hi) > 0 {
			return hi
		}
		return x
	}
	sumAt := func(lambda *big.Rat) *big.Rat {
		t := new(big.Rat)
		for i := range sz {
			t.Add(t, clamp(lambda, i))
		}
		return t
	}
	points := []*big.Rat{new(big.Rat)}
	for _, s := range sz {
		if s > 0 {
			points = append(points, big.NewRat(int64(min), s))
			if max > 0 {
				points = append(points, big.NewRat(int64(max), s))
			}
		}
	}
	slices.SortFunc(points, func(a, b *big.Rat) int { return a.Cmp(b) })
	points = slices.CompactFunc(points, func(a, b *big.Rat) bool { return a.Cmp(b) == 0 })
	target := big.NewRat(int64(seats), 1)
	// k: the last point where the sum is ≤ seats (the sum at 0 is n×min ≤ seats).
	k := sort.Search(len(points), func(j int) bool { return sumAt(points[j]).Cmp(target) > 0 }) - 1
	lambda := points[k]
	if sumAt(lambda).Cmp(target) != 0 {
		mid := new(big.Rat).Add(points[k], big.NewRat(1, 1))
		if k+1 < len(points) {
			mid = new(big.Rat).Add(points[k], points[k+1])
			mid.Quo(mid, big.NewRat(2, 1))
		}
		rest := new(big.Rat).Set(target)
		var free int64
		for i := range sz {
			x := clamp(mid, i)
			if x == lo || x == hi {
				rest.Sub(rest, x)
			} else {
				free += sz[i]
			}
		}
		lambda = rest.Quo(rest, big.NewRat(free, 1))
	}
	out := make([]int, n)
	rem := make([]*big.Rat, n)
	given := 0
	for i := range sz {
		share := clamp(lambda, i)
		whole := new(big.Int).Quo(share.Num(), share.Denom())
		out[i] = int(whole.Int64())
		given += out[i]
		rem[i] = new(big.Rat).Sub(share, new(big.Rat).SetInt(whole))
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := rem[b].Cmp(rem[a]); c != 0 {
			return c
		}
		return sizes[b] - sizes[a]
	})
	for j := 0; j < seats-given; j++ {
		out[order[j]]++
	}
	return out, nil
}

// SeatsForMembers is the seat rule "one seat per perSeat members (a part
// counts as one), at least min and, when max > 0, at most max".
func SeatsForMembers(members, perSeat, min, max int) int {
	s := 0
	if perSeat > 0 && members > 0 {
		s = (members + perSeat - 1) / perSeat
	}
	if s < min {
		s = min
	}
	if max > 0 && s > max {
		s = max
	}
	return s
}
