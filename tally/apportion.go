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
// seats < len(sizes)×min, or max > 0 and seats > len(sizes)×max, or more
// seats than the bodies of size 0 (which hold min) and the others (at most
// max each) can hold.
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
	zeros := 0
	for i, s := range sizes {
		if s < 0 {
			return nil, inputErr("body %d has negative size %d", i+1, s)
		}
		if s == 0 {
			zeros++
		}
	}
	// A body of size 0 has no share to grow: it holds min, so the others
	// must be able to hold the rest.
	if max > 0 && zeros > 0 && zeros < n && seats > zeros*min+(n-zeros)*max {
		return nil, inputErr("%d seats cannot be given: %d bodies of size 0 hold %d each and the others at most %d", seats, zeros, min, max)
	}
	if fastEnough(sizes, seats, min, max) {
		return apportionInt(sizes, seats, min, max), nil
	}
	return apportionRat(sizes, seats, min, max), nil
}

// fastEnough reports whether every product apportionInt forms fits in an
// int64 (it always does for member counts and seats of real bodies).
func fastEnough(sizes []int, seats, min, max int) bool {
	var total, biggest int64
	for _, s := range sizes {
		total += int64(s)
		biggest = int64(maxInt(int(biggest), s))
	}
	bound := int64(maxInt(maxInt(seats, max), maxInt(min, 1)))
	const limit = 1 << 60
	return total < limit/(bound+1) && biggest < limit/(bound+1) && total+int64(len(sizes)) < limit/(bound+1)
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// apportionInt is Apportion in exact integer arithmetic. The shares are
// clamp(λ×size, min, max); λ lies between two consecutive breakpoints
// min/size or max/size, found by binary search on where the sum of shares
// passes seats; then each free share is size×rest/free, compared by its
// integer remainder, so no fraction is ever formed.
func apportionInt(sizes []int, seats, min, max int) []int {
	n := len(sizes)
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
	lo, hi := int64(min), int64(max)
	type point struct{ p, q int64 } // λ = p/q
	points := []point{{0, 1}}
	for _, s := range sz {
		if s > 0 {
			points = append(points, point{lo, s})
			if max > 0 {
				points = append(points, point{hi, s})
			}
		}
	}
	cmp := func(a, b point) int { // a.p/a.q vs b.p/b.q
		x, y := a.p*b.q, b.p*a.q
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	slices.SortFunc(points, cmp)
	points = slices.CompactFunc(points, func(a, b point) bool { return cmp(a, b) == 0 })
	// sumAt compares the sum of shares at λ = p/q with seats (×q, exactly).
	sumAt := func(pt point) int {
		var t int64
		for _, s := range sz {
			x := s * pt.p
			switch {
			case x < lo*pt.q:
				t += lo * pt.q
			case max > 0 && x > hi*pt.q:
				t += hi * pt.q
			default:
				t += x
			}
		}
		switch target := int64(seats) * pt.q; {
		case t < target:
			return -1
		case t > target:
			return 1
		}
		return 0
	}
	k := sort.Search(len(points), func(j int) bool { return sumAt(points[j]) > 0 }) - 1
	pt := points[k]
	// λ = num/den; at a breakpoint the classification is that of the
	// point, between breakpoints that of just above points[k].
	const (
		free = iota
		atMin
		atMax
	)
	class := make([]int, n)
	num, den := pt.p, pt.q
	if sumAt(pt) == 0 {
		for i, s := range sz {
			x := s * pt.p
			if x < lo*pt.q {
				class[i] = atMin
			} else if max > 0 && x > hi*pt.q {
				class[i] = atMax
			}
		}
	} else {
		rest, freeSize := int64(seats), int64(0)
		for i, s := range sz {
			x := s * pt.p
			switch {
			case lo*pt.q > x: // min/s > λ: still below min just above λ
				class[i] = atMin
				rest -= lo
			case max > 0 && hi*pt.q <= x: // max/s ≤ λ: above max just above λ
				class[i] = atMax
				rest -= hi
			default:
				freeSize += s
			}
		}
		num, den = rest, freeSize
	}
	out := make([]int, n)
	rem := make([]int64, n)
	given := 0
	for i, s := range sz {
		switch class[i] {
		case atMin:
			out[i] = min
		case atMax:
			out[i] = max
		default:
			out[i] = int(s * num / den)
			rem[i] = s * num % den
		}
		given += out[i]
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if rem[a] != rem[b] {
			if rem[a] > rem[b] {
				return -1
			}
			return 1
		}
		return sizes[b] - sizes[a]
	})
	for j := 0; j < seats-given; j++ {
		out[order[j]]++
	}
	return out
}

// apportionRat is Apportion in big.Rat, for sizes too large for int64.
func apportionRat(sizes []int, seats, min, max int) []int {
	n := len(sizes)
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
	return out
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
