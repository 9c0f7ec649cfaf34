package tally

import (
	"math/rand/v2"
	"slices"
	"strings"
)

// DefaultSeed is the seed of the lots when none is given (a seed of 0 also
// selects it), so that the same input always gives the same result.
const DefaultSeed = 1

// pcgStream is the second PCG parameter ("asamblea" in ASCII).
const pcgStream = 0x6173616d626c6561

func seedOrDefault(s uint64) uint64 {
	if s == 0 {
		return DefaultSeed
	}
	return s
}

// tieBreaker breaks ties: by the votes of earlier rounds where the method
// has rounds, then by lot with a PCG generator seeded with the report's seed.
// Candidates tied are sorted by name before a lot, so the draw does not
// depend on the order of the input.
type tieBreaker struct {
	rng   *rand.Rand
	names []string
	lots  []Lot
}

func newTieBreaker(seed uint64, names []string) *tieBreaker {
	return &tieBreaker{rng: rand.New(rand.NewPCG(seed, pcgStream)), names: names} // #nosec G404 -- deterministic on purpose: the same seed must break ties the same way in every recount
}

// draw chooses k of cands by lot, and records the lot.
func (t *tieBreaker) draw(round int, purpose string, cands []int, k int) []int {
	c := slices.Clone(cands)
	slices.SortFunc(c, func(a, b int) int {
		if r := strings.Compare(t.names[a], t.names[b]); r != 0 {
			return r
		}
		return a - b
	})
	among := make([]string, len(c))
	for i, x := range c {
		among[i] = t.names[x]
	}
	for i := 0; i < k; i++ { // partial Fisher–Yates
		j := i + t.rng.IntN(len(c)-i)
		c[i], c[j] = c[j], c[i]
	}
	chosen := c[:k]
	names := make([]string, k)
	for i, x := range chosen {
		names[i] = t.names[x]
	}
	t.lots = append(t.lots, Lot{Round: round, Purpose: purpose, Among: among, Chosen: names})
	return chosen
}

// pick chooses one of cands, tied in the current round. It looks at the
// earlier rounds in history (history[r][c] = votes of c after round r+1):
// forward from the first round (the Scottish rule: "the earliest stage at
// which they had unequal votes") or backward from the latest; at each round
// it keeps the candidates with the lowest (lowest=true) or highest votes,
// until one is left. If still tied, it draws a lot. how is "" when history
// decided, "+earlier-round", or "+lot".
func (t *tieBreaker) pick(round int, purpose string, cands []int, history [][]int64, forward, lowest bool) (int, string) {
	if len(cands) == 1 {
		return cands[0], ""
	}
	c := slices.Clone(cands)
	n := len(history)
	for i := 0; i < n && len(c) > 1; i++ {
		r := i
		if !forward {
			r = n - 1 - i
		}
		h := history[r]
		best := h[c[0]]
		for _, x := range c[1:] {
			if (lowest && h[x] < best) || (!lowest && h[x] > best) {
				best = h[x]
			}
		}
		kept := c[:0:0]
		for _, x := range c {
			if h[x] == best {
				kept = append(kept, x)
			}
		}
		c = kept
	}
	if len(c) == 1 {
		return c[0], "+earlier-round"
	}
	return t.draw(round, purpose, c, 1)[0], "+lot"
}
