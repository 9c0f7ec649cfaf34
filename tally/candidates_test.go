package tally

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Wikipedia, "Single transferable vote", section "Example" (the food
// election): 20 voters, 3 seats, Droop quota 6. Chocolate is elected with
// 12 and its surplus of 6 moves at 0.5; Pear is excluded and Orange elected;
// Sweets is excluded and Strawberry takes the last seat.
func foodElection(t testing.TB) *Ballots {
	return ballots(t, nil,
		"4 Orange",
		"2 Pear Orange",
		"8 Chocolate Strawberry",
		"4 Chocolate Sweets",
		"1 Strawberry",
		"1 Sweets",
	)
}

func TestSTVFoodElection(t *testing.T) {
	rep, err := STV(foodElection(t), 3, STVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Chocolate", "Orange", "Strawberry"}; !slices.Equal(rep.Elected, want) {
		t.Fatalf("elected %v, want %v", rep.Elected, want)
	}
	if rep.Quota != "6.00000" {
		t.Errorf("quota %s", rep.Quota)
	}
	// Stage 2: Chocolate's surplus at 0.5: Strawberry 1+4, Sweets 1+2.
	r2 := rep.Rounds[1]
	if r2.Action != "surplus" || r2.Subject != "Chocolate" || r2.Value != "0.50000" {
		t.Errorf("stage 2: %+v", r2)
	}
	if v := tallyOf(t, rep, 2, "Strawberry"); v.Votes != "5.00000" || v.Change != "4.00000" {
		t.Errorf("Strawberry at stage 2: %+v", v)
	}
	if v := tallyOf(t, rep, 2, "Sweets"); v.Votes != "3.00000" {
		t.Errorf("Sweets at stage 2: %+v", v)
	}
	r3 := rep.Rounds[2]
	if r3.Action != "exclusion" || r3.Subject != "Pear" || r3.Elected[0].Name != "Orange" {
		t.Errorf("stage 3: %+v", r3)
	}
	r4 := rep.Rounds[3]
	if r4.Subject != "Sweets" || r4.Exhausted != "3.00000" || r4.Elected[0] != (Decision{"Strawberry", "remaining-seats"}) {
		t.Errorf("stage 4: %+v", r4)
	}
}

// Worked by hand from rules 46 and 48 of the Scottish order: quota
// ⌊11 ÷ 3⌋ + 1 = 4; A's surplus 3 of 7 moves at 3/7 = 0.42857 (truncated
// to five places); 0.00001 is lost to truncation.
func TestSTVTruncatesToFiveDecimals(t *testing.T) {
	b := ballots(t, nil, "4 A B", "3 A C", "2 B", "2 C")
	rep, err := STV(b, 2, STVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r2 := rep.Rounds[1]
	if r2.Value != "0.42857" || r2.Rounding != "0.00001" {
		t.Errorf("stage 2: value %s rounding %s", r2.Value, r2.Rounding)
	}
	if v := tallyOf(t, rep, 2, "B").Votes; v != "3.71428" {
		t.Errorf("B = %s, want 3.71428", v)
	}
	if v := tallyOf(t, rep, 2, "C").Votes; v != "3.28571" {
		t.Errorf("C = %s, want 3.28571", v)
	}
	if !slices.Equal(rep.Elected, []string{"A", "B"}) {
		t.Errorf("elected %v", rep.Elected)
	}
	if rep.Rounds[2].Exhausted != "3.28571" {
		t.Errorf("exhausted after C's exclusion: %s", rep.Rounds[2].Exhausted)
	}
}

// In every stage, candidates' votes + non-transferable + rounding = valid.
func TestSTVConservesVotes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for trial := 0; trial < 100; trial++ {
		b := randomBallots(t, r, 3+r.IntN(8), 1+r.IntN(60))
		seats := 1 + r.IntN(len(b.Candidates))
		for _, q := range []Quota{Droop, Hare} {
			rep, err := STV(b, seats, STVOptions{Quota: q})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Elected) != seats {
				t.Fatalf("elected %d of %d", len(rep.Elected), seats)
			}
			for _, rd := range rep.Rounds {
				var sum float64
				for _, x := range rd.Tallies {
					v, _ := x.Votes.Float64()
					sum += v
				}
				e, _ := rd.Exhausted.Float64()
				l, _ := rd.Rounding.Float64()
				if math.Abs(sum+e+l-float64(b.Total())) > 1e-6 {
					t.Fatalf("round %d: %v + %v + %v != %d", rd.Number, sum, e, l, b.Total())
				}
			}
		}
	}
}

func randomBallots(t testing.TB, r *rand.Rand, ncand, nballots int) *Ballots {
	names := make([]string, ncand)
	for i := range names {
		names[i] = string(rune('A' + i))
	}
	b, err := NewBallots(names)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < nballots; i++ {
		perm := r.Perm(ncand)[:1+r.IntN(ncand)]
		if err := b.Add(perm, 1+r.Int64N(50)); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func tied(rep *Report) bool {
	if len(rep.Lots) > 0 {
		return true
	}
	for _, rd := range rep.Rounds {
		for _, d := range append(slices.Clone(rd.Elected), rd.Excluded...) {
			if strings.Contains(d.Reason, "+") {
				return true
			}
		}
	}
	return false
}

// Property: with one seat, Scottish STV and Meek elect the IRV winner.
func TestSTVOneSeatEqualsIRV(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	compared := 0
	for trial := 0; trial < 300; trial++ {
		b := randomBallots(t, r, 2+r.IntN(7), 1+r.IntN(40))
		irv, err := IRV(b, Options{})
		if err != nil {
			t.Fatal(err)
		}
		stv, err := STV(b, 1, STVOptions{})
		if err != nil {
			t.Fatal(err)
		}
		meek, err := Meek(b, 1, MeekOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if tied(irv) || tied(stv) || tied(meek) {
			continue
		}
		compared++
		if stv.Elected[0] != irv.Elected[0] || meek.Elected[0] != irv.Elected[0] {
			t.Fatalf("irv %v, stv %v, meek %v", irv.Elected, stv.Elected, meek.Elected)
		}
	}
	if compared < 200 {
		t.Errorf("only %d elections without ties", compared)
	}
}

// Wikipedia, "Instant-runoff voting", example of Tennessee's capital:
// Memphis 42%, Nashville 26%, Chattanooga 15%, Knoxville 17%. IRV excludes
// Chattanooga, then Nashville, and Knoxville wins with 58%. Nashville is the
// Condorcet winner (Wikipedia, "Condorcet method", same example), so
// Schulze elects it; plurality elects Memphis.
func tennessee(t testing.TB) *Ballots {
	return ballots(t, nil,
		"42 Memphis Nashville Chattanooga Knoxville",
		"26 Nashville Chattanooga Knoxville Memphis",
		"15 Chattanooga Knoxville Nashville Memphis",
		"17 Knoxville Chattanooga Nashville Memphis",
	)
}

func TestIRVTennessee(t *testing.T) {
	rep, err := IRV(tennessee(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Elected, []string{"Knoxville"}) {
		t.Fatalf("elected %v", rep.Elected)
	}
	if len(rep.Rounds) != 3 || rep.Rounds[1].Subject != "Chattanooga" || rep.Rounds[2].Subject != "Nashville" {
		t.Errorf("rounds %+v", rep.Rounds)
	}
	if v := tallyOf(t, rep, 3, "Knoxville"); v.Votes != "58" || v.Status != "elected" {
		t.Errorf("Knoxville %+v", v)
	}
	if rep.Rounds[2].Quota != "51" {
		t.Errorf("majority %s", rep.Rounds[2].Quota)
	}
}

// The majority is counted over continuing ballots, so a count with many
// exhausted ballots still ends with a winner.
func TestIRVMajorityOfContinuingBallots(t *testing.T) {
	b := ballots(t, nil, "40 A", "35 B", "25 C")
	rep, err := IRV(b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// C is excluded, its 25 ballots exhaust, and A has 40 of the 75 continuing.
	if !slices.Equal(rep.Elected, []string{"A"}) || rep.Rounds[1].Exhausted != "25" || rep.Rounds[1].Quota != "38" {
		t.Fatalf("%v %+v", rep.Elected, rep.Rounds[1])
	}
}

func TestSingleRoundMethodsTennessee(t *testing.T) {
	b := tennessee(t)
	s, err := Schulze(b, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Elected[0] != "Nashville" {
		t.Errorf("schulze %v", s.Elected)
	}
	p, err := Plurality(b, 1, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Elected[0] != "Memphis" {
		t.Errorf("plurality %v", p.Elected)
	}
}

// Wikipedia, "Schulze method", section "Example": 45 voters, 5 candidates;
// the Schulze ranking is E > A > C > B > D.
func TestSchulzeWikipedia(t *testing.T) {
	b := ballots(t, []string{"A", "B", "C", "D", "E"},
		"5 A C B E D", "5 A D E C B", "8 B E D A C", "3 C A B E D",
		"7 C A E B D", "2 C B A D E", "7 D C E B A", "8 E B A D C")
	rep, err := Schulze(b, 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"E", "A", "C", "B", "D"}; !slices.Equal(rep.Ranking, want) {
		t.Fatalf("ranking %v, want %v", rep.Ranking, want)
	}
	if !slices.Equal(rep.Elected, []string{"E", "A"}) {
		t.Errorf("elected %v", rep.Elected)
	}
	// The pairwise matrix of the article: d[A][B] = 20, d[B][A] = 25, d[E][D] = 31 …
	d := rep.Rounds[0].Matrix
	if d[0][1] != 20 || d[1][0] != 25 || d[4][3] != 31 || d[2][1] != 29 {
		t.Errorf("pairwise %v", d)
	}
	// … and the strongest paths: p[A][B] = 28, p[E][A] = 25.
	p := rep.Rounds[1].Matrix
	if p[0][1] != 28 || p[4][0] != 25 {
		t.Errorf("paths %v", p)
	}
}

// Property: Schulze elects the Condorcet winner whenever there is one.
func TestSchulzeCondorcetWinner(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 11))
	found := 0
	for trial := 0; trial < 300; trial++ {
		b := randomBallots(t, r, 2+r.IntN(6), 1+r.IntN(30))
		n := len(b.Candidates)
		d := make([][]int64, n)
		for i := range d {
			d[i] = make([]int64, n)
		}
		for g := 0; g < b.Len(); g++ {
			bl := b.Ballot(g)
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					pi, pj := slices.Index(bl.Ranking, i), slices.Index(bl.Ranking, j)
					if pi >= 0 && (pj < 0 || pi < pj) {
						d[i][j] += bl.Weight
					}
				}
			}
		}
		cw := -1
		for i := 0; i < n && cw < 0; i++ {
			wins := true
			for j := 0; j < n; j++ {
				if j != i && d[i][j] <= d[j][i] {
					wins = false
				}
			}
			if wins {
				cw = i
			}
		}
		if cw < 0 {
			continue
		}
		found++
		rep, err := Schulze(b, 1, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if rep.ElectedIndex[0] != cw {
			t.Fatalf("schulze elected %v, Condorcet winner %s", rep.Elected, b.Candidates[cw])
		}
	}
	if found < 100 {
		t.Errorf("only %d elections with a Condorcet winner", found)
	}
}

func TestApproval(t *testing.T) {
	// Each ballot approves the candidates it names.
	b := ballots(t, nil, "10 A B", "6 C", "5 B C", "3 D")
	rep, err := Approval(b, 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A 10, B 15, C 11, D 3.
	if !slices.Equal(rep.Elected, []string{"B", "C"}) || !slices.Equal(rep.Ranking, []string{"B", "C", "A", "D"}) {
		t.Errorf("elected %v ranking %v", rep.Elected, rep.Ranking)
	}
}

func TestPluralityTieByLot(t *testing.T) {
	b := ballots(t, nil, "5 A", "5 B", "2 C")
	seen := map[string]bool{}
	for seed := uint64(1); seed <= 16; seed++ {
		rep, err := Plurality(b, 1, Options{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Lots) != 1 || rep.Seed != seed || !strings.HasSuffix(rep.Rounds[0].Elected[0].Reason, "+lot") {
			t.Fatalf("seed %d: %+v", seed, rep)
		}
		seen[rep.Elected[0]] = true
	}
	if !seen["A"] || !seen["B"] || seen["C"] {
		t.Errorf("winners over seeds: %v", seen)
	}
}

// Hand-worked from the definition in Hill, Wichmann and Woodall (1987):
// 100 ballots, 2 seats. Quota 100/3 = 33.333333334. A (40) is elected and
// keeps 33.333333334/40 of each vote, passing 6.666666666 to B (26.66…).
// Nobody else reaches the quota; D is excluded and its 15 ballots are
// exhausted, so the quota falls to 85/3 = 28.333333334; A's keep value falls
// to 28.33…/40 and B, with 20 + 11.666666666, is elected. (Scottish STV, with
// a fixed quota of 34, elects B only after excluding C.)
func TestMeekHandWorked(t *testing.T) {
	b := ballots(t, nil, "40 A B", "20 B", "25 C", "15 D")
	rep, err := Meek(b, 2, MeekOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Elected, []string{"A", "B"}) {
		t.Fatalf("elected %v", rep.Elected)
	}
	if len(rep.Rounds) != 3 {
		t.Fatalf("%d rounds: %+v", len(rep.Rounds), rep.Rounds)
	}
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 2e-5 {
			t.Errorf("%s = %v, want %v", what, got, want)
		}
	}
	q1, _ := rep.Rounds[0].Quota.Float64()
	near("quota 1", q1, 100.0/3)
	near("B after A's surplus", votesIn(t, rep, 2, "B"), 20+40-100.0/3)
	if rep.Rounds[2].Subject != "D" || rep.Rounds[2].Excluded[0].Name != "D" {
		t.Errorf("round 3: %+v", rep.Rounds[2])
	}
	q3, _ := rep.Rounds[2].Quota.Float64()
	near("quota 3", q3, 85.0/3)
	near("B after D's exclusion", votesIn(t, rep, 3, "B"), 20+40-85.0/3)
	keep, _ := tallyOf(t, rep, 3, "A").Keep.Float64()
	near("A's keep value", keep, (85.0/3)/40)

	stv, err := STV(b, 2, STVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stv.Elected, []string{"A", "B"}) || len(stv.Rounds) != 4 {
		t.Errorf("scottish: %v in %d stages", stv.Elected, len(stv.Rounds))
	}
}

func TestMeekFoodElection(t *testing.T) {
	rep, err := Meek(foodElection(t), 3, MeekOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Meek's quota is 20/4 = 5.000000001, not 6: Strawberry (1 + 8×7/12)
	// reaches it on Chocolate's surplus, before Orange does.
	if want := []string{"Chocolate", "Strawberry", "Orange"}; !slices.Equal(rep.Elected, want) {
		t.Fatalf("elected %v, want %v", rep.Elected, want)
	}
}

// Grouping and order: the same ballots, one by one and shuffled, give the
// same report (but for the group count).
func TestCountsIgnoreGroupingAndOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for trial := 0; trial < 30; trial++ {
		b := randomBallots(t, r, 3+r.IntN(6), 1+r.IntN(20))
		var single []Ballot
		for g := 0; g < b.Len(); g++ {
			bl := b.Ballot(g)
			for k := int64(0); k < bl.Weight; k++ {
				single = append(single, Ballot{Ranking: bl.Ranking, Weight: 1})
			}
		}
		r.Shuffle(len(single), func(i, j int) { single[i], single[j] = single[j], single[i] })
		b2, _ := NewBallots(b.Candidates)
		for _, bl := range single {
			if err := b2.Add(bl.Ranking, 1); err != nil {
				t.Fatal(err)
			}
		}
		seats := 1 + r.IntN(len(b.Candidates))
		run := []func(*Ballots) (*Report, error){
			func(b *Ballots) (*Report, error) { return STV(b, seats, STVOptions{}) },
			func(b *Ballots) (*Report, error) { return Meek(b, seats, MeekOptions{}) },
			func(b *Ballots) (*Report, error) { return IRV(b, Options{}) },
			func(b *Ballots) (*Report, error) { return Schulze(b, seats, Options{}) },
			func(b *Ballots) (*Report, error) { return Approval(b, seats, Options{}) },
		}
		for i, f := range run {
			x, err := f(b)
			if err != nil {
				t.Fatal(err)
			}
			y, err := f(b2)
			if err != nil {
				t.Fatal(err)
			}
			x.Groups, y.Groups = 0, 0
			if a, c := mustJSON(t, x), mustJSON(t, y); a != c {
				t.Fatalf("method %d differs:\n%s\n%s", i, a, c)
			}
		}
	}
}

func TestCandidateMethodErrors(t *testing.T) {
	b := ballots(t, nil, "3 A B", "2 B")
	empty, _ := NewBallots([]string{"A", "B"})
	tests := []struct {
		name string
		run  func() error
	}{
		{"STVMoreSeatsThanCandidates", func() error { _, err := STV(b, 3, STVOptions{}); return err }},
		{"MeekZeroSeats", func() error { _, err := Meek(b, 0, MeekOptions{}); return err }},
		{"IRVNoBallots", func() error { _, err := IRV(empty, Options{}); return err }},
		{"SchulzeNoBallots", func() error { _, err := Schulze(empty, 1, Options{}); return err }},
		{"STVUnknownQuota", func() error { _, err := STV(b, 1, STVOptions{Quota: "imperiali"}); return err }},
		{"AddOutOfRange", func() error { return b.Add([]int{5}, 1) }},
		{"AddTwice", func() error { return b.Add([]int{0, 0}, 1) }},
		{"AddNegative", func() error { return b.Add([]int{0}, -1) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("error %T %v", err, err)
			}
		})
	}
}

func TestWithdrawnCandidates(t *testing.T) {
	b, _ := NewBallots([]string{"A", "B", "C"})
	if err := b.Withdraw(1); err != nil {
		t.Fatal(err)
	}
	_ = b.Add([]int{1, 2}, 5)
	_ = b.Add([]int{0}, 4)
	for _, f := range []func() (*Report, error){
		func() (*Report, error) { return STV(b, 1, STVOptions{}) },
		func() (*Report, error) { return Meek(b, 1, MeekOptions{}) },
		func() (*Report, error) { return IRV(b, Options{}) },
		func() (*Report, error) { return Schulze(b, 1, Options{}) },
		func() (*Report, error) { return Plurality(b, 1, Options{}) },
	} {
		rep, err := f()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rep.Elected, []string{"C"}) {
			t.Errorf("%s elected %v", rep.Method, rep.Elected)
		}
	}
	if _, err := STV(b, 3, STVOptions{}); err == nil {
		t.Error("3 seats for 2 standing candidates")
	}
}
