package tally

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchBLT writes n ballots over ncand candidates with the party model of
// tools/ballotgen (smaller), so the benchmarks parse and count realistic
// rankings.
func benchBLT(n, ncand, seats int) []byte {
	r := rand.New(rand.NewPCG(2026, uint64(ncand)))
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%d %d\n", ncand, seats)
	pop := make([]float64, ncand)
	for i := range pop {
		pop[i] = 0.3 + r.Float64()/float64(1+i/4)
	}
	used := make([]bool, ncand)
	for i := 0; i < n; i++ {
		party := r.IntN(max(1, ncand/4))
		clear(used)
		buf.WriteString("1")
		for k := 0; k == 0 || (k < ncand && r.Float64() < 0.7); k++ {
			total := 0.0
			for c, p := range pop {
				if !used[c] {
					if c/4 == party {
						p *= 8
					}
					total += p
				}
			}
			x := r.Float64() * total
			c := 0
			for ; c < ncand-1; c++ {
				if used[c] {
					continue
				}
				p := pop[c]
				if c/4 == party {
					p *= 8
				}
				if x < p {
					break
				}
				x -= p
			}
			for used[c] {
				c--
			}
			used[c] = true
			buf.WriteString(" " + strconv.Itoa(c+1))
		}
		buf.WriteString(" 0\n")
	}
	buf.WriteString("0\n")
	for c := 0; c < ncand; c++ {
		fmt.Fprintf(&buf, "\"C%02d\"\n", c+1)
	}
	return buf.Bytes()
}

func BenchmarkParseBLT(b *testing.B) {
	data := benchBLT(200_000, 40, 10)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ParseBLT(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCount(b *testing.B, n, ncand, seats int, count func(*Ballots) error) {
	bl, err := ParseBLT(bytes.NewReader(benchBLT(n, ncand, seats)))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := count(bl); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(bl.Len()), "groups")
}

func BenchmarkSTV(b *testing.B) {
	benchCount(b, 200_000, 40, 10, func(bl *Ballots) error { _, err := STV(bl, 10, STVOptions{}); return err })
}

func BenchmarkMeek(b *testing.B) {
	benchCount(b, 200_000, 20, 5, func(bl *Ballots) error { _, err := Meek(bl, 5, MeekOptions{}); return err })
}

func BenchmarkIRV(b *testing.B) {
	benchCount(b, 200_000, 20, 1, func(bl *Ballots) error { _, err := IRV(bl, Options{}); return err })
}

func BenchmarkSchulze(b *testing.B) {
	benchCount(b, 200_000, 20, 1, func(bl *Ballots) error { _, err := Schulze(bl, 1, Options{}); return err })
}

func BenchmarkListPR(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	votes := make([]ListVotes, 30)
	for i := range votes {
		votes[i] = ListVotes{Name: fmt.Sprintf("L%02d", i), Votes: 1 + r.Int64N(2_000_000)}
	}
	for _, m := range ListMethods {
		b.Run(string(m), func(b *testing.B) {
			for b.Loop() {
				if _, err := ListPR(votes, 130, ListOptions{Method: m}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseListCSV(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("list,votes\n")
	for i := 0; i < 200_000; i++ {
		fmt.Fprintf(&buf, "Lista %02d,1\n", i%30)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := ParseListCSV(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
