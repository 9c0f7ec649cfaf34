package voting

import (
	"math/big"
	"slices"
	"testing"

	"asamblea/errs"
)

// reference decides a valid count by the definitions, in arbitrary
// precision: the oracle of FuzzDecide.
func reference(r Rule, c Count) string {
	b := func(v int64) *big.Int { return big.NewInt(v) }
	mul := func(x, y *big.Int) *big.Int { return new(big.Int).Mul(x, y) }
	add := func(x ...*big.Int) *big.Int {
		s := new(big.Int)
		for _, v := range x {
			s.Add(s, v)
		}
		return s
	}
	part := add(b(c.Yes), b(c.No), b(c.Abstain), b(c.Block))
	lhs, rhs := mul(part, b(int64(r.Quorum.Den))), mul(b(c.Entitled), b(int64(r.Quorum.Num)))
	if c.Entitled == 0 || lhs.Cmp(rhs) < 0 || r.QuorumStrict && lhs.Cmp(rhs) == 0 {
		return NoQuorum
	}
	pass := false
	switch r.Kind {
	case Majority:
		pass = c.Yes > c.No
	case Absolute:
		pass = mul(b(c.Yes), b(2)).Cmp(b(c.Entitled)) > 0
	case TwoThirds:
		pass = c.Yes > 0 && mul(b(c.Yes), b(3)).Cmp(mul(add(b(c.Yes), b(c.No)), b(2))) >= 0
	case Consent:
		pass = c.Block < r.Blocks && c.Yes > 0
	}
	if pass {
		return Passed
	}
	return Rejected
}

// FuzzDecide checks that Decide never panics, that it returns one of the
// three results or an Invalid error, and that its result is the one the
// definitions give in arbitrary precision.
func FuzzDecide(f *testing.F) {
	f.Add(uint8(0), 1, 3, false, int64(0), int64(6), int64(3), int64(1), int64(0), int64(10))
	f.Add(uint8(1), 1, 2, true, int64(0), int64(5), int64(0), int64(0), int64(0), int64(11))
	f.Add(uint8(2), 0, 0, false, int64(0), int64(20), int64(10), int64(5), int64(0), int64(40))
	f.Add(uint8(3), 1, 2, false, int64(2), int64(5), int64(0), int64(1), int64(1), int64(10))
	f.Add(uint8(3), 0, 0, false, int64(1), int64(0), int64(0), int64(0), int64(0), int64(0))
	f.Add(uint8(0), 999, 1000, false, int64(0), int64(MaxWeight/2), int64(MaxWeight/2), int64(0), int64(0), int64(MaxWeight))
	f.Add(uint8(1), -1, 3, false, int64(0), int64(-5), int64(3), int64(1), int64(0), int64(-10))
	f.Add(uint8(4), 1, 3, false, int64(0), int64(1), int64(1), int64(1), int64(0), int64(10))
	f.Fuzz(func(t *testing.T, kind uint8, num, den int, strict bool, blocks, yes, no, abstain, block, entitled int64) {
		kinds := append(slices.Clone(YesNoKinds), OptionKinds...)
		r := Rule{Kind: kinds[int(kind)%len(kinds)], Quorum: Fraction{num, den}, QuorumStrict: strict, Blocks: blocks}
		c := Count{Yes: yes, No: no, Abstain: abstain, Block: block, Entitled: entitled}
		o, err := Decide(r, c)
		if err != nil {
			if e := errs.As(err); e.Code != errs.Invalid || e.Key == "" {
				t.Fatalf("%+v %+v: error %v is not an Invalid error", r, c, err)
			}
			if o != (Outcome{}) {
				t.Fatalf("outcome %+v with error", o)
			}
			return
		}
		switch o.Result {
		case Passed, Rejected, NoQuorum:
		default:
			t.Fatalf("%+v %+v: result %q", r, c, o.Result)
		}
		if want := reference(r, c); o.Result != want {
			t.Fatalf("%+v %+v: %s, the definitions say %s", r, c, o.Result, want)
		}
		if o.Reason == "" || !slices.Contains(MessageKeys, o.Reason) {
			t.Fatalf("reason %q", o.Reason)
		}
	})
}

// FuzzDecideOptions checks that DecideOptions never panics and always
// returns a well-formed outcome or an Invalid error. Each byte of data is
// a ballot mark: 0xff ends a ballot, anything else names option b % 6
// (so rankings may repeat or overflow the options).
func FuzzDecideOptions(f *testing.F) {
	f.Add(uint8(0), uint8(1), uint8(4), uint64(0), int64(20), []byte{0, 1, 0xff, 1, 0, 0xff, 2, 0xff})
	f.Add(uint8(2), uint8(1), uint8(3), uint64(0), int64(20), []byte{0, 0xff, 1, 0xff, 2, 0})
	f.Add(uint8(3), uint8(2), uint8(3), uint64(7), int64(5), []byte{0, 1, 2, 0xff, 1, 2, 0, 0xff, 2, 0, 1})
	f.Add(uint8(1), uint8(0), uint8(6), uint64(0), int64(3), []byte{0xff, 0xff, 5})
	f.Fuzz(func(t *testing.T, kind, winners, nopt uint8, seed uint64, entitled int64, data []byte) {
		r := Rule{Kind: OptionKinds[int(kind)%len(OptionKinds)], Winners: int(winners % 4), Seed: seed, Quorum: Fraction{1, 4}}
		options := []string{"A", "B", "C", "D", "E", "F"}[:nopt%7]
		var ballots []Ballot
		cur := Ballot{Weight: 1}
		for _, x := range data {
			if x == 0xff {
				ballots = append(ballots, cur)
				cur = Ballot{Weight: 1 + int64(len(ballots)%3)}
				continue
			}
			cur.Ranking = append(cur.Ranking, int(x%6))
		}
		ballots = append(ballots, cur)
		o, err := DecideOptions(r, options, ballots, entitled)
		if err != nil {
			if e := errs.As(err); e.Code != errs.Invalid || e.Key == "" {
				t.Fatalf("error %v is not an Invalid error", err)
			}
			return
		}
		checkOutcome(t, r, options, o)
		if !slices.Contains(MessageKeys, o.Reason) {
			t.Fatalf("reason %q", o.Reason)
		}
	})
}
