// Command ballotgen writes the benchmark inputs of "asamblea tally" with a
// fixed seed, so every run counts the same ballots:
//
//	lists-30.csv          30 lists' vote totals (list,votes) for list PR, 130 seats
//	lists-ballots.csv     the same election as one row per ballot (list,votes with votes 1)
//	stv-40.blt            40 candidates, 10 seats (Scottish STV)
//	meek-20.blt           20 candidates, 5 seats (Meek STV)
//	irv-20.blt            20 candidates, 1 seat (IRV)
//
// Ranked ballots follow a party model: candidates belong to parties of four;
// a voter picks a party by its popularity, then ranks candidates one after
// another, each drawn in proportion to its popularity, with the voter's own
// party's candidates eight times more likely; a ballot ranks 1 + a
// geometric number of candidates (mean about 3.3), as real STV ballots do.
//
// Usage: go run ./tools/ballotgen -out /tmp/bench [-n 25000000] [-seed 2026]
// Large files: write them outside the repository.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	out := flag.String("out", "", "directory to write the files to")
	n := flag.Int("n", 25_000_000, "ballots per file")
	seed := flag.Uint64("seed", 2026, "seed")
	only := flag.String("only", "", "write only this file")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "ballotgen: -out is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "ballotgen:", err)
		os.Exit(1)
	}
	jobs := []struct {
		name string
		f    func(w *bufio.Writer, r *rand.Rand, n int)
	}{
		{"lists-30.csv", func(w *bufio.Writer, r *rand.Rand, n int) { listTotals(w, r, n) }},
		{"lists-ballots.csv", func(w *bufio.Writer, r *rand.Rand, n int) { listBallots(w, r, n) }},
		{"stv-40.blt", func(w *bufio.Writer, r *rand.Rand, n int) { ranked(w, r, n, 40, 10, "Scottish STV benchmark") }},
		{"meek-20.blt", func(w *bufio.Writer, r *rand.Rand, n int) { ranked(w, r, n, 20, 5, "Meek STV benchmark") }},
		{"irv-20.blt", func(w *bufio.Writer, r *rand.Rand, n int) { ranked(w, r, n, 20, 1, "IRV benchmark") }},
	}
	for i, j := range jobs {
		if *only != "" && *only != j.name {
			continue
		}
		path := filepath.Join(*out, j.name)
		f, err := os.Create(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ballotgen:", err)
			os.Exit(1)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		// Each file has its own stream, so -only gives the same file.
		j.f(w, rand.New(rand.NewPCG(*seed, uint64(i))), *n)
		if err := w.Flush(); err != nil {
			fmt.Fprintln(os.Stderr, "ballotgen:", err)
			os.Exit(1)
		}
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "ballotgen:", err)
			os.Exit(1)
		}
		fmt.Println(path)
	}
}

// listWeights: 30 lists with a long-tailed popularity.
func listWeights(r *rand.Rand) []float64 {
	w := make([]float64, 30)
	for i := range w {
		w[i] = math.Pow(float64(i+1), -0.9) * (0.7 + 0.6*r.Float64())
	}
	return w
}

func listName(i int) string { return fmt.Sprintf("Lista %02d", i+1) }

// listBallots writes one row per ballot.
func listBallots(w *bufio.Writer, r *rand.Rand, n int) {
	wt := listWeights(r)
	cum := cumulative(wt)
	w.WriteString("list,votes\n")
	for i := 0; i < n; i++ {
		w.WriteString(listName(pick(cum, r)))
		w.WriteString(",1\n")
	}
}

// listTotals writes the totals of the same model (drawn, not from the ballots file).
func listTotals(w *bufio.Writer, r *rand.Rand, n int) {
	wt := listWeights(r)
	cum := cumulative(wt)
	votes := make([]int64, len(wt))
	for i := 0; i < n; i++ {
		votes[pick(cum, r)]++
	}
	w.WriteString("list,votes\n")
	for i, v := range votes {
		fmt.Fprintf(w, "%s,%d\n", listName(i), v)
	}
}

func cumulative(w []float64) []float64 {
	c := make([]float64, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}

func pick(cum []float64, r *rand.Rand) int {
	x := r.Float64() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

func ranked(w *bufio.Writer, r *rand.Rand, n, ncand, seats int, title string) {
	nparty := ncand / 4
	partyW := make([]float64, nparty)
	for p := range partyW {
		partyW[p] = math.Pow(float64(p+1), -0.7) * (0.7 + 0.6*r.Float64())
	}
	partyCum := cumulative(partyW)
	candW := make([]float64, ncand)
	for c := range candW {
		candW[c] = 0.3 + r.Float64()
	}
	fmt.Fprintf(w, "%d %d\n", ncand, seats)
	used := make([]bool, ncand)
	wt := make([]float64, ncand)
	buf := make([]byte, 0, 256)
	for i := 0; i < n; i++ {
		party := pick(partyCum, r)
		length := 1
		for length < ncand && r.Float64() < 0.7 {
			length++
		}
		clear(used)
		buf = append(buf[:0], '1')
		for k := 0; k < length; k++ {
			total := 0.0
			for c := range wt {
				wt[c] = 0
				if !used[c] {
					wt[c] = candW[c]
					if c/4 == party {
						wt[c] *= 8
					}
					total += wt[c]
				}
			}
			x := r.Float64() * total
			c := 0
			for ; c < ncand-1; c++ {
				if x < wt[c] {
					break
				}
				x -= wt[c]
			}
			for used[c] { // guard against rounding at the end
				c--
			}
			used[c] = true
			buf = append(buf, ' ')
			buf = strconv.AppendInt(buf, int64(c+1), 10)
		}
		buf = append(buf, " 0\n"...)
		w.Write(buf)
	}
	w.WriteString("0\n")
	for c := 0; c < ncand; c++ {
		fmt.Fprintf(w, "\"Candidate %02d (party %d)\"\n", c+1, c/4+1)
	}
	fmt.Fprintf(w, "%q\n", title)
}
