package tally

import (
	"encoding/json"
	"math/big"
	"slices"
	"strings"
	"testing"
)

// ballots builds a ballot set from lines "weight name name …" (names are
// single words); candidates are numbered in order of first appearance
// unless cands is given.
func ballots(t testing.TB, cands []string, lines ...string) *Ballots {
	t.Helper()
	b, err := NewBallots(cands)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		w, ok := new(big.Int).SetString(f[0], 10)
		if !ok {
			t.Fatalf("bad weight in %q", l)
		}
		var r []int
		for _, name := range f[1:] {
			i := slices.Index(b.Candidates, name)
			if i < 0 {
				if i, err = b.addCandidate(name); err != nil {
					t.Fatal(err)
				}
			}
			r = append(r, i)
		}
		if err := b.Add(r, w.Int64()); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tally returns the votes of name in round r (1-based) as a float, for
// checks to a tolerance.
func votesIn(t testing.TB, rep *Report, r int, name string) float64 {
	t.Helper()
	for _, x := range rep.Rounds[r-1].Tallies {
		if x.Name == name {
			f, err := x.Votes.Float64()
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	t.Fatalf("no %s in round %d", name, r)
	return 0
}

func tallyOf(t testing.TB, rep *Report, r int, name string) Tally {
	t.Helper()
	for _, x := range rep.Rounds[r-1].Tallies {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no %s in round %d", name, r)
	return Tally{}
}
