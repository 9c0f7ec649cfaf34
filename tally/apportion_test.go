package tally

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestApportion(t *testing.T) {
	tests := []struct {
		name     string
		sizes    []int
		seats    int
		min, max int
		want     []int
	}{
		// Hare shares 30×(500,300,200)/1000 = 15, 9, 6.
		{"Exact", []int{500, 300, 200}, 30, 0, 0, []int{15, 9, 6}},
		// Shares 5.26, 2.63, 1.58, 0.53: the smallest gets its minimum 1;
		// the 9 seats left give 5, 2.5, 1.5; the equal remainders go to the
		// larger body.
		{"Minimum", []int{100, 50, 30, 10}, 10, 1, 5, []int{5, 3, 1, 1}},
		// Shares 8.33, 1.67: the maximum 6 holds the first; 4 go to the other.
		{"Maximum", []int{1000, 200}, 10, 0, 6, []int{6, 4}},
		// Both bounds: 20 × (900, 50, 30, 20)/1000 = 18, 1, 0.6, 0.4. The
		// first is held at 8; at λ = 12/100 the others' shares are 6, 3.6,
		// 2.4 (all ≥ 2), summing to 12: remainders give 6, 4, 2.
		{"BothBounds", []int{900, 50, 30, 20}, 20, 2, 8, []int{8, 6, 4, 2}},
		{"EmptyBodies", []int{0, 0, 0}, 4, 1, 0, []int{2, 1, 1}},
		{"ZeroSeats", []int{3, 4}, 0, 0, 0, []int{0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Apportion(tc.sizes, tc.seats, tc.min, tc.max)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestApportionErrors(t *testing.T) {
	tests := []struct {
		name            string
		sizes           []int
		seats, min, max int
	}{
		{"NoBodies", nil, 3, 0, 0},
		{"BelowMinimum", []int{1, 2, 3}, 5, 2, 0},
		{"AboveMaximum", []int{1, 2}, 9, 0, 4},
		{"MinAboveMax", []int{1, 2}, 4, 3, 2},
		{"NegativeSize", []int{1, -2}, 4, 0, 0},
		{"NegativeSeats", []int{1}, -1, 0, 0},
		// Found by TestApportionIntMatchesRat: the empty body holds only
		// its minimum (0), so 2 seats cannot fit under a maximum of 1 (this
		// once divided by zero).
		{"EmptyBodyCannotGrow", []int{5, 0}, 2, 0, 1},
		{"EmptyBodiesCannotHoldTheRest", []int{10, 0, 0}, 5, 1, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Apportion(tc.sizes, tc.seats, tc.min, tc.max); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

// Property: the result sums to the seats and respects the bounds.
func TestApportionProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 13))
	for trial := 0; trial < 2000; trial++ {
		n := 1 + r.IntN(12)
		sizes := make([]int, n)
		for i := range sizes {
			sizes[i] = r.IntN(5000)
		}
		min, max := r.IntN(3), 0
		if r.IntN(2) == 0 {
			max = min + 1 + r.IntN(10)
		}
		seats := n*min + r.IntN(40)
		if max > 0 && seats > n*max {
			seats = n * max
		}
		got, err := Apportion(sizes, seats, min, max)
		if err != nil {
			t.Fatalf("%v %d %d %d: %v", sizes, seats, min, max, err)
		}
		sum := 0
		for _, s := range got {
			sum += s
			if s < min || (max > 0 && s > max) {
				t.Fatalf("%v %d [%d,%d] → %v out of bounds", sizes, seats, min, max, got)
			}
		}
		if sum != seats {
			t.Fatalf("%v %d → %v sums to %d", sizes, seats, got, sum)
		}
	}
}

func TestSeatsForMembers(t *testing.T) {
	for _, tc := range []struct{ members, per, min, max, want int }{
		{0, 50, 1, 5, 1}, {50, 50, 1, 5, 1}, {51, 50, 1, 5, 2}, {1000, 50, 1, 5, 5}, {1000, 50, 1, 0, 20},
	} {
		if got := SeatsForMembers(tc.members, tc.per, tc.min, tc.max); got != tc.want {
			t.Errorf("%+v: got %d", tc, got)
		}
	}
}

// TestApportionIntMatchesRat: the integer implementation gives exactly the
// result of the big.Rat one on random bodies, bounds and seats.
func TestApportionIntMatchesRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := 0; i < 3000; i++ {
		n := 1 + rng.IntN(40)
		sizes := make([]int, n)
		for j := range sizes {
			switch rng.IntN(6) {
			case 0:
				sizes[j] = 0
			case 1:
				sizes[j] = 100 // equal sizes make equal remainders
			default:
				sizes[j] = rng.IntN(5000)
			}
		}
		min := rng.IntN(3)
		max := 0
		if rng.IntN(2) == 0 {
			max = min + rng.IntN(6)
			if max == 0 {
				max = 1
			}
		}
		lowest, highest := n*min, 1000
		if max > 0 {
			highest = n * max
		}
		if highest < lowest {
			continue
		}
		seats := lowest + rng.IntN(highest-lowest+1)
		if _, err := Apportion(sizes, seats, min, max); err != nil {
			continue // bounds that cannot hold: refused before either runs
		}
		want := apportionRat(sizes, seats, min, max)
		got := apportionInt(sizes, seats, min, max)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("sizes %v seats %d min %d max %d: int %v, rat %v", sizes, seats, min, max, got, want)
		}
	}
}

func BenchmarkApportion10000(b *testing.B) {
	sizes := make([]int, 10000)
	for i := range sizes {
		sizes[i] = 50 + (i*7919)%101
	}
	seats := 0
	for _, s := range sizes {
		seats += s
	}
	seats = (seats + 49) / 50
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Apportion(sizes, seats, 1, 5); err != nil {
			b.Fatal(err)
		}
	}
}
