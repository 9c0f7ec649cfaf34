package tally

import (
	"maps"
	"math/big"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"testing"
)

func lists(kv ...any) []ListVotes {
	var out []ListVotes
	for i := 0; i < len(kv); i += 2 {
		out = append(out, ListVotes{Name: kv[i].(string), Votes: int64(kv[i+1].(int))})
	}
	return out
}

func TestListPRPublishedExamples(t *testing.T) {
	// Wikipedia, "D'Hondt method", Example; and "Sainte-Laguë method",
	// Example (same parties: 100,000, 80,000, 30,000, 20,000 votes; 8 seats).
	abcd := lists("A", 100000, "B", 80000, "C", 30000, "D", 20000)
	// Wikipedia, "Largest remainder method", Examples (100,000 votes, 10 seats).
	colours := lists("Yellows", 47000, "Whites", 16000, "Reds", 15800, "Greens", 12000, "Blues", 6100, "Pinks", 3100)
	tests := []struct {
		name   string
		votes  []ListVotes
		seats  int
		method ListMethod
		want   map[string]int
		quota  string
	}{
		{"DHondt", abcd, 8, DHondt, map[string]int{"A": 4, "B": 3, "C": 1, "D": 0}, ""},
		{"CifraRepartidora", abcd, 8, CifraRepartidora, map[string]int{"A": 4, "B": 3, "C": 1, "D": 0}, "25000.00000"},
		{"SainteLague", abcd, 8, SainteLague, map[string]int{"A": 3, "B": 3, "C": 1, "D": 1}, ""},
		// Worked by hand: the 8th seat ties between A's 100000/7 and D's
		// 20000/1.4 (both 14285.714…); the list with more votes takes it.
		{"ModifiedSainteLagueTie", abcd, 8, ModifiedSainteLague, map[string]int{"A": 4, "B": 3, "C": 1, "D": 0}, ""},
		{"Hare", colours, 10, HareQuota, map[string]int{"Yellows": 5, "Whites": 2, "Reds": 1, "Greens": 1, "Blues": 1, "Pinks": 0}, "10000.00000"},
		{"Droop", colours, 10, DroopQuota, map[string]int{"Yellows": 5, "Whites": 2, "Reds": 2, "Greens": 1, "Blues": 0, "Pinks": 0}, "9091.00000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := ListPR(tc.votes, tc.seats, ListOptions{Method: tc.method})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(rep.Seats, tc.want) {
				t.Errorf("seats = %v, want %v", rep.Seats, tc.want)
			}
			if tc.quota != "" && string(rep.Quota) != tc.quota {
				t.Errorf("quota = %s, want %s", rep.Quota, tc.quota)
			}
			if len(rep.Lots) != 0 {
				t.Errorf("unexpected lots %v", rep.Lots)
			}
		})
	}
}

func TestModifiedSainteLagueTieReason(t *testing.T) {
	rep, err := ListPR(lists("A", 100000, "B", 80000, "C", 30000, "D", 20000), 8, ListOptions{Method: ModifiedSainteLague})
	if err != nil {
		t.Fatal(err)
	}
	last := rep.Rounds[len(rep.Rounds)-2] // the 8th seat, before the result
	if last.Action != "seat" || last.Subject != "A" || last.Elected[0].Reason != "quotient+most-votes" {
		t.Errorf("8th seat: %+v", last)
	}
}

// Peru's cifra repartidora equals D'Hondt when no quotients tie at the
// cifra, and differs in how a tie is broken: the law draws lots, D'Hondt
// (as in Spain's LOREG art. 163) prefers the list with more votes.
func TestCifraRepartidoraAgainstDHondt(t *testing.T) {
	t.Run("EqualWithoutTies", func(t *testing.T) {
		peru := peruLists(t)
		for s := 1; s <= 130; s++ {
			a, err := ListPR(peru, s, ListOptions{Method: DHondt})
			if err != nil {
				t.Fatal(err)
			}
			b, err := ListPR(peru, s, ListOptions{Method: CifraRepartidora})
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(a.Seats, b.Seats) {
				t.Fatalf("%d seats: dhondt %v, cifra %v", s, a.Seats, b.Seats)
			}
		}
	})
	t.Run("TieAtTheCifra", func(t *testing.T) {
		// Quotients 200, 100 (A) and 100 (B): the cifra for 2 seats is 100;
		// integer parts give A 2 and B 1, one too many.
		votes := lists("A", 200, "B", 100)
		d, err := ListPR(votes, 2, ListOptions{Method: DHondt})
		if err != nil {
			t.Fatal(err)
		}
		if d.Seats["A"] != 2 || len(d.Lots) != 0 {
			t.Errorf("dhondt: %v lots %v", d.Seats, d.Lots)
		}
		outcomes := map[int]bool{}
		for seed := uint64(1); seed <= 20; seed++ {
			c, err := ListPR(votes, 2, ListOptions{Method: CifraRepartidora, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			if c.Seats["A"]+c.Seats["B"] != 2 || c.Seats["A"] < 1 {
				t.Fatalf("seed %d: %v", seed, c.Seats)
			}
			if len(c.Lots) != 1 || !slices.Equal(c.Lots[0].Among, []string{"A", "B"}) {
				t.Fatalf("seed %d: lots %+v", seed, c.Lots)
			}
			outcomes[c.Seats["A"]] = true
			again, _ := ListPR(votes, 2, ListOptions{Method: CifraRepartidora, Seed: seed})
			if !maps.Equal(again.Seats, c.Seats) {
				t.Fatalf("seed %d does not repeat", seed)
			}
		}
		if !outcomes[1] || !outcomes[2] {
			t.Errorf("the lot should go both ways over 20 seeds: %v", outcomes)
		}
	})
	t.Run("EqualVotesBothDrawLots", func(t *testing.T) {
		votes := lists("A", 100, "B", 100, "C", 10)
		for _, m := range []ListMethod{DHondt, CifraRepartidora} {
			rep, err := ListPR(votes, 1, ListOptions{Method: m})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Lots) != 1 || rep.Seats["A"]+rep.Seats["B"] != 1 {
				t.Errorf("%s: %v %v", m, rep.Seats, rep.Lots)
			}
		}
	})
}

func peruLists(t testing.TB) []ListVotes {
	t.Helper()
	f, err := os.Open("testdata/congreso-2021-nacional.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	l, ignored, err := ParseListCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ignored, []string{"seats_2021"}) {
		t.Fatalf("ignored %v", ignored)
	}
	return l
}

// naiveDivisor allocates seat by seat with float quotients: an independent
// check for inputs without ties.
func naiveDivisor(votes []ListVotes, seats int, div func(k int) float64) map[string]int {
	won := map[string]int{}
	for s := 0; s < seats; s++ {
		best, bi := -1.0, 0
		for i, l := range votes {
			if q := float64(l.Votes) / div(won[l.Name]+1); q > best {
				best, bi = q, i
			}
		}
		won[votes[bi].Name]++
	}
	for _, l := range votes {
		won[l.Name] += 0
	}
	return won
}

// naiveLR: largest remainder with float quota.
func naiveLR(votes []ListVotes, seats int, quota float64) map[string]int {
	won := map[string]int{}
	type r struct {
		name string
		rem  float64
	}
	var rs []r
	given := 0
	for _, l := range votes {
		q := float64(l.Votes) / quota
		won[l.Name] = int(q)
		given += int(q)
		rs = append(rs, r{l.Name, q - float64(int(q))})
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].rem > rs[j].rem })
	for i := 0; i < seats-given; i++ {
		won[rs[i].name]++
	}
	return won
}

// A constituent assembly of 130 seats elected in one national district from
// the valid votes of the ten lists that passed the threshold in Peru's 2021
// Congress election (JNE Resolution 0602-2021-JNE).
func TestPeru2021SingleNationalDistrict(t *testing.T) {
	peru := peruLists(t)
	var total int64
	for _, l := range peru {
		total += l.Votes
	}
	if total != 10563656 {
		t.Fatalf("total %d", total)
	}
	names := []string{"Perú Libre", "Fuerza Popular", "Renovación Popular", "Acción Popular", "Alianza para el Progreso",
		"Avanza País", "Juntos por el Perú", "Somos Perú", "Podemos Perú", "Partido Morado"}
	want := map[ListMethod][]int{
		DHondt:              {22, 18, 15, 14, 12, 12, 10, 10, 9, 8},
		CifraRepartidora:    {22, 18, 15, 14, 12, 12, 10, 10, 9, 8},
		SainteLague:         {21, 18, 15, 14, 12, 12, 10, 10, 9, 9},
		ModifiedSainteLague: {21, 18, 15, 14, 12, 12, 10, 10, 9, 9},
		HareQuota:           {21, 18, 15, 14, 12, 12, 10, 10, 9, 9},
		DroopQuota:          {21, 18, 15, 14, 12, 12, 10, 10, 9, 9},
	}
	naive := map[ListMethod]map[string]int{
		DHondt:              naiveDivisor(peru, 130, func(k int) float64 { return float64(k) }),
		CifraRepartidora:    naiveDivisor(peru, 130, func(k int) float64 { return float64(k) }),
		SainteLague:         naiveDivisor(peru, 130, func(k int) float64 { return float64(2*k - 1) }),
		ModifiedSainteLague: naiveDivisor(peru, 130, func(k int) float64 { return map[bool]float64{true: 1.4, false: float64(2*k - 1)}[k == 1] }),
		HareQuota:           naiveLR(peru, 130, float64(total)/130),
		DroopQuota:          naiveLR(peru, 130, float64(total/131+1)),
	}
	for _, m := range ListMethods {
		t.Run(string(m), func(t *testing.T) {
			rep, err := ListPR(peru, 130, ListOptions{Method: m, Threshold: big.NewRat(5, 100)})
			if err != nil {
				t.Fatal(err)
			}
			got := make([]int, len(names))
			sum := 0
			for i, n := range names {
				got[i] = rep.Seats[n]
				sum += got[i]
			}
			if sum != 130 {
				t.Errorf("sum %d", sum)
			}
			if !maps.Equal(rep.Seats, naive[m]) {
				t.Errorf("seats %v differ from the float check %v", rep.Seats, naive[m])
			}
			if !slices.Equal(got, want[m]) {
				t.Errorf("seats %v, want %v", got, want[m])
			}
			if len(rep.Lots) != 0 {
				t.Errorf("lots: %v", rep.Lots)
			}
		})
	}
}

func TestListPRThresholdAndParity(t *testing.T) {
	votes := []ListVotes{
		{Name: "Frente", Votes: 5000, Candidates: []ListCandidate{
			{Position: 1, Name: "Ana", Gender: "F"}, {Position: 2, Name: "Beto", Gender: "M"},
			{Position: 3, Name: "Carlos", Gender: "M"}, {Position: 4, Name: "Dina", Gender: "F"}}, Alternate: true},
		{Name: "Unión", Votes: 3000, Gender: "M", Alternate: true},
		{Name: "Ronda", Votes: 1500, Candidates: []ListCandidate{
			{Position: 1, Name: "Eva", Gender: "F"}, {Position: 2, Name: "Flor", Gender: "F"}, {Position: 3, Name: "Gil", Gender: "M"}}},
		{Name: "Chica", Votes: 400},
	}
	rep, err := ListPR(votes, 9, ListOptions{Method: DHondt, Threshold: big.NewRat(5, 100)})
	if err != nil {
		t.Fatal(err)
	}
	// 5% of 9,900 = 495: Chica (400) is out. D'Hondt on 5000/3000/1500 for 9
	// seats would give Frente 5, but Frente has 4 candidates: it keeps 4,
	// and D'Hondt shares the 5 others between Unión and Ronda: quotients
	// 3000, 1500 (twice), 1000, then 750 (twice) where Unión's larger vote
	// takes the 5th.
	want := map[string]int{"Frente": 4, "Unión": 4, "Ronda": 1, "Chica": 0}
	if !maps.Equal(rep.Seats, want) {
		t.Fatalf("seats %v, want %v", rep.Seats, want)
	}
	seated := func(i int) (out []string) {
		for _, c := range rep.Lists[i].Seated {
			out = append(out, c.Name+c.Gender)
		}
		return out
	}
	// Alternation: Ana F, then the next M (Beto), then the next F (Dina), then Carlos.
	if got := seated(0); !slices.Equal(got, []string{"AnaF", "BetoM", "DinaF", "CarlosM"}) {
		t.Errorf("Frente seated %v", got)
	}
	if got := seated(1); !slices.Equal(got, []string{"M", "F", "M", "F"}) {
		t.Errorf("Unión seated %v", got)
	}
	// Ronda is not registered with alternation: in list order.
	if got := seated(2); !slices.Equal(got, []string{"EvaF"}) {
		t.Errorf("Ronda seated %v", got)
	}
	if rep.Lists[3].Qualified || rep.Rounds[0].Excluded[0].Name != "Chica" {
		t.Errorf("Chica should be below the threshold: %+v", rep.Lists[3])
	}
}

func TestListPRErrors(t *testing.T) {
	tests := []struct {
		name  string
		votes []ListVotes
		seats int
		opts  ListOptions
	}{
		{"UnknownMethod", lists("A", 1), 1, ListOptions{Method: "borda"}},
		{"NoSeats", lists("A", 1), 0, ListOptions{Method: DHondt}},
		{"NoLists", nil, 1, ListOptions{Method: DHondt}},
		{"NoVotes", lists("A", 0, "B", 0), 1, ListOptions{Method: DHondt}},
		{"Negative", lists("A", -1, "B", 3), 1, ListOptions{Method: DHondt}},
		{"Duplicate", lists("A", 1, "A", 3), 1, ListOptions{Method: DHondt}},
		{"NobodyQualifies", lists("A", 1, "B", 1, "C", 1), 1, ListOptions{Method: DHondt, Threshold: big.NewRat(1, 2)}},
		{"TooFewCandidates", []ListVotes{{Name: "A", Votes: 3, Candidates: []ListCandidate{{Position: 1}}}}, 2, ListOptions{Method: HareQuota}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ListPR(tc.votes, tc.seats, tc.opts); err == nil {
				t.Fatal("no error")
			} else if _, ok := err.(*InputError); !ok {
				t.Fatalf("error %T %v", err, err)
			}
		})
	}
}

func randomLists(r *rand.Rand) []ListVotes {
	n := 2 + r.IntN(12)
	var out []ListVotes
	for i := 0; i < n; i++ {
		out = append(out, ListVotes{Name: string(rune('A' + i)), Votes: 1 + r.Int64N(1_000_000)})
	}
	return out
}

// Properties: D'Hondt (and every divisor method) never takes a seat from a
// list when the house grows; largest remainder always fills the seats.
func TestListPRProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 200; trial++ {
		votes := randomLists(r)
		seats := 1 + r.IntN(60)
		for _, m := range []ListMethod{DHondt, SainteLague, ModifiedSainteLague, CifraRepartidora} {
			a, err := ListPR(votes, seats, ListOptions{Method: m})
			if err != nil {
				t.Fatal(err)
			}
			b, err := ListPR(votes, seats+1, ListOptions{Method: m})
			if err != nil {
				t.Fatal(err)
			}
			if len(a.Lots)+len(b.Lots) > 0 {
				continue
			}
			for name, s := range a.Seats {
				if b.Seats[name] < s {
					t.Fatalf("%s: %s has %d seats of %d but %d of %d (%v)", m, name, s, seats, b.Seats[name], seats+1, votes)
				}
			}
		}
		for _, m := range ListMethods {
			rep, err := ListPR(votes, seats, ListOptions{Method: m, Threshold: big.NewRat(int64(r.IntN(5)), 100)})
			if err != nil {
				t.Fatal(err)
			}
			sum := 0
			for _, s := range rep.Seats {
				sum += s
			}
			if sum != seats {
				t.Fatalf("%s: %d seats of %d (%v)", m, sum, seats, votes)
			}
		}
	}
}

func TestParsePercent(t *testing.T) {
	for in, want := range map[string]*big.Rat{"5%": big.NewRat(1, 20), "5": big.NewRat(1, 20), " 3.5 % ": big.NewRat(7, 200), "0": new(big.Rat)} {
		got, err := ParsePercent(in)
		if err != nil || got.Cmp(want) != 0 {
			t.Errorf("%q: %v %v", in, got, err)
		}
	}
	for _, in := range []string{"", "%", "abc", "-1%", "101%"} {
		if _, err := ParsePercent(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
