package tally

import (
	"math/big"
	"testing"
)

// FuzzParsePercent: a threshold typed on the poll form is refused or read
// as a fraction from 0 to 1.
func FuzzParsePercent(f *testing.F) {
	for _, s := range []string{"5%", "5", " 3.5 % ", "1/3%", "100", "100.0001", "-0", "1e2", "1e999999", "1/0", "", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParsePercent(s)
		if err != nil {
			return
		}
		if r.Sign() < 0 || r.Cmp(big.NewRat(1, 1)) > 0 {
			t.Fatalf("ParsePercent(%q) = %v", s, r)
		}
	})
}
