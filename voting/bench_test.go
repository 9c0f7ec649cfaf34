package voting

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchBallots draws n ranked ballots over k options: each voter ranks a
// random number of options, favouring a few popular ones.
func benchBallots(n, k int) ([]string, []Ballot) {
	rng := rand.New(rand.NewPCG(2026, uint64(k)))
	options := make([]string, k)
	pop := make([]float64, k)
	for i := range options {
		options[i] = fmt.Sprintf("Opción %d", i+1)
		pop[i] = 0.2 + rng.Float64()
	}
	ballots := make([]Ballot, n)
	used := make([]bool, k)
	for i := range ballots {
		clear(used)
		var r []int
		for len(r) == 0 || (len(r) < k && rng.Float64() < 0.75) {
			total := 0.0
			for c, p := range pop {
				if !used[c] {
					total += p
				}
			}
			x := rng.Float64() * total
			c := 0
			for ; c < k-1; c++ {
				if used[c] {
					continue
				}
				if x < pop[c] {
					break
				}
				x -= pop[c]
			}
			for used[c] {
				c--
			}
			used[c] = true
			r = append(r, c)
		}
		ballots[i] = Ballot{Ranking: r, Weight: 1}
	}
	return options, ballots
}

// BenchmarkDecideOptions counts 100,000 ranked ballots over 10 options.
func BenchmarkDecideOptions(b *testing.B) {
	options, ballots := benchBallots(100_000, 10)
	for _, kind := range OptionKinds {
		b.Run(kind, func(b *testing.B) {
			r := Rule{Kind: kind, Quorum: Fraction{1, 3}}
			for b.Loop() {
				o, err := DecideOptions(r, options, ballots, 150_000)
				if err != nil || o.Result != Decided {
					b.Fatal(o, err)
				}
			}
		})
	}
}
