package tally

import "strings"

// MaxCandidates is the largest number of candidates one count can hold.
const MaxCandidates = 65535

// MaxBallots bounds the total weight of a ballot set (four thousand million
// ballots), so that the fixed-point arithmetic of every method stays within
// 64 bits.
const MaxBallots = 4_000_000_000

// Ballot is one ranking with the number of ballots that carry it.
type Ballot struct {
	Ranking []int `json:"ranking"` // 0-based candidate indices, most preferred first
	Weight  int64 `json:"weight"`
}

// Ballots is a set of ranked (or, for approval, marked) ballots grouped by
// identical ranking: 25 million ballots become as many groups as there are
// distinct rankings. Groups keep the order in which their ranking first
// appeared. The zero value is not usable; call NewBallots.
type Ballots struct {
	Title      string   // election title (BLT) or ""
	Candidates []string // names, unique
	Withdrawn  []bool   // per candidate; withdrawn candidates are skipped on every ballot
	Seats      int      // seats named by the input (BLT header), 0 if none
	Empty      int64    // ballots with no preference: counted, not valid

	prefs   []uint16 // all rankings, concatenated
	offs    []uint32 // ranking i is prefs[offs[i]:offs[i+1]]
	weights []int64
	table   []uint64 // open addressing: high 32 bits of the hash | group index+1; 0 = empty
	total   int64    // sum of weights (valid ballots)

	seen    []uint32 // duplicate check: seen[c] == stamp when c is already on the ballot
	stamp   uint32
	scratch []uint16
}

// NewBallots returns an empty ballot set for the named candidates.
func NewBallots(candidates []string) (*Ballots, error) {
	b := &Ballots{offs: []uint32{0}}
	for _, name := range candidates {
		if _, err := b.addCandidate(name); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func (b *Ballots) addCandidate(name string) (int, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return 0, inputErr("empty candidate name")
	}
	if len(b.Candidates) >= MaxCandidates {
		return 0, inputErr("more than %d candidates", MaxCandidates)
	}
	for _, n := range b.Candidates {
		if n == name {
			return 0, inputErr("candidate %q named twice", name)
		}
	}
	b.Candidates = append(b.Candidates, name)
	b.Withdrawn = append(b.Withdrawn, false)
	b.seen = append(b.seen, 0)
	return len(b.Candidates) - 1, nil
}

// Withdraw marks candidate c as withdrawn: no method elects it and its
// preferences are skipped.
func (b *Ballots) Withdraw(c int) error {
	if c < 0 || c >= len(b.Candidates) {
		return inputErr("candidate %d out of range", c+1)
	}
	b.Withdrawn[c] = true
	return nil
}

// Add adds weight ballots with the given ranking (0-based candidate indices).
// Withdrawn candidates are dropped from the ranking; a ranking left empty
// counts as an empty ballot.
func (b *Ballots) Add(ranking []int, weight int64) error {
	if weight < 0 {
		return inputErr("negative ballot weight %d", weight)
	}
	b.bumpStamp()
	r := b.scratch[:0]
	for _, c := range ranking {
		if c < 0 || c >= len(b.Candidates) {
			return inputErr("candidate %d out of range 1..%d", c+1, len(b.Candidates))
		}
		if b.seen[c] == b.stamp {
			return inputErr("candidate %q ranked twice on one ballot", b.Candidates[c])
		}
		b.seen[c] = b.stamp
		if !b.Withdrawn[c] {
			r = append(r, uint16(c))
		}
	}
	b.scratch = r
	return b.add16(r, weight)
}

func (b *Ballots) bumpStamp() {
	b.stamp++
	if b.stamp == 0 {
		clear(b.seen)
		b.stamp = 1
	}
}

// add16 adds a validated ranking.
func (b *Ballots) add16(r []uint16, weight int64) error {
	if weight == 0 {
		return nil
	}
	if weight > MaxBallots || b.total+b.Empty+weight > MaxBallots {
		return inputErr("more than %d ballots", int64(MaxBallots))
	}
	if len(r) == 0 {
		b.Empty += weight
		return nil
	}
	b.total += weight
	if len(b.table) == 0 || 10*(len(b.weights)+1) > 7*len(b.table) {
		b.grow()
	}
	mask := uint64(len(b.table) - 1)
	fp := hashRanking(r) &^ (1<<32 - 1)
	for i := fp >> 32 & mask; ; i = (i + 1) & mask {
		e := b.table[i]
		if e == 0 {
			if uint64(len(b.prefs))+uint64(len(r)) > 1<<32-1 || len(b.weights) >= 1<<32-2 {
				return inputErr("too many distinct rankings")
			}
			b.prefs = appendDoubling(b.prefs, r...)
			b.offs = appendDoubling(b.offs, uint32(len(b.prefs)))
			b.weights = appendDoubling(b.weights, weight)
			b.table[i] = fp | uint64(len(b.weights))
			return nil
		}
		if e&^(1<<32-1) == fp {
			if g := int(e&(1<<32-1)) - 1; equal16(b.ranking(g), r) {
				b.weights[g] += weight
				return nil
			}
		}
	}
}

// appendDoubling appends like append but doubles the capacity of large
// slices (append grows them by a quarter), so that building a set of many
// millions of groups copies less.
func appendDoubling[T any](s []T, v ...T) []T {
	if len(s)+len(v) > cap(s) {
		n := make([]T, len(s), 2*cap(s)+len(v)+16)
		copy(n, s)
		s = n
	}
	return append(s, v...)
}

// grow doubles the index (or builds it), placing entries by the hash bits
// they keep, without reading the rankings again.
func (b *Ballots) grow() {
	n := 1024
	for n < 2*(len(b.weights)+1) {
		n *= 2
	}
	old := b.table
	b.table = make([]uint64, n)
	mask := uint64(n - 1)
	place := func(e uint64) {
		for i := e >> 32 & mask; ; i = (i + 1) & mask {
			if b.table[i] == 0 {
				b.table[i] = e
				return
			}
		}
	}
	if old != nil {
		for _, e := range old {
			if e != 0 {
				place(e)
			}
		}
		return
	}
	for g := range b.weights { // after Compact: rebuild from the rankings
		place(hashRanking(b.ranking(g))&^(1<<32-1) | uint64(g+1))
	}
}

func hashRanking(r []uint16) uint64 {
	h := uint64(len(r))*0x9E3779B97F4A7C15 + 1
	for _, x := range r {
		h ^= uint64(x)
		h *= 0xff51afd7ed558ccd
	}
	return h ^ h>>29
}

func equal16(a, b []uint16) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (b *Ballots) ranking(g int) []uint16 { return b.prefs[b.offs[g]:b.offs[g+1]] }

// Len returns the number of groups (distinct rankings).
func (b *Ballots) Len() int { return len(b.weights) }

// Total returns the number of valid (non-empty) ballots.
func (b *Ballots) Total() int64 { return b.total }

// Ballot returns group i.
func (b *Ballots) Ballot(i int) Ballot {
	r := b.ranking(i)
	out := Ballot{Ranking: make([]int, len(r)), Weight: b.weights[i]}
	for j, c := range r {
		out.Ranking[j] = int(c)
	}
	return out
}

// Compact releases the memory used to group ballots while adding them.
// Ballots can still be added afterwards (the index is rebuilt).
func (b *Ballots) Compact() {
	b.table = nil
	if cap(b.prefs) > len(b.prefs)+len(b.prefs)/8 {
		b.prefs = append([]uint16(nil), b.prefs...)
	}
	if cap(b.offs) > len(b.offs)+len(b.offs)/8 {
		b.offs = append([]uint32(nil), b.offs...)
	}
	if cap(b.weights) > len(b.weights)+len(b.weights)/8 {
		b.weights = append([]int64(nil), b.weights...)
	}
}

// standing returns the number of candidates not withdrawn.
func (b *Ballots) standing() int {
	n := 0
	for _, w := range b.Withdrawn {
		if !w {
			n++
		}
	}
	return n
}
