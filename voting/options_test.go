package voting

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"asamblea/errs"
	"asamblea/tally"
)

// ballotsOf builds ballots from lines "weight A B …" over options named by
// single letters; "3 -" is three blank ballots.
func ballotsOf(t testing.TB, options []string, lines ...string) []Ballot {
	t.Helper()
	var out []Ballot
	for _, l := range lines {
		f := strings.Fields(l)
		w, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			t.Fatalf("bad weight in %q", l)
		}
		b := Ballot{Weight: w, Ranking: []int{}}
		for _, name := range f[1:] {
			if name == "-" {
				continue
			}
			i := slices.IndexFunc(options, func(o string) bool { return strings.TrimSpace(o) == name })
			if i < 0 {
				t.Fatalf("unknown option %q", name)
			}
			b.Ranking = append(b.Ranking, i)
		}
		out = append(out, b)
	}
	return out
}

var abcd = []string{"A", "B", "C", "D"}

func TestDecideOptions(t *testing.T) {
	abcde := []string{"A", "B", "C", "D", "E"}
	tests := map[string]struct {
		r        Rule
		options  []string // default abcd
		ballots  []string
		entitled int64
		result   string
		reason   string
		winners  string // names joined by spaces
		tied     string
		places   int
		lots     bool // the report drew lots
	}{
		// Plurality.
		"Plurality/MostFirstChoices": {Rule{Kind: Plurality}, nil, []string{"4 A", "3 B", "2 C"}, 10, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"Plurality/OnlyFirstCounts":  {Rule{Kind: Plurality}, nil, []string{"4 A", "3 B A", "2 C A"}, 10, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"Plurality/NoMajorityNeeded": {Rule{Kind: Plurality}, nil, []string{"3 A", "2 B", "2 C", "2 D"}, 10, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"Plurality/TieForFirst":      {Rule{Kind: Plurality}, nil, []string{"3 A", "3 B", "1 C"}, 10, Tie, ReasonOptionsTie, "", "A B", 1, true},
		"Plurality/TieDrawnWithSeed": {Rule{Kind: Plurality, Seed: 42}, nil, []string{"3 A", "3 B", "1 C"}, 10, Decided, ReasonOptionsLot, "?", "", 0, true},
		"Plurality/TwoWinners":       {Rule{Kind: Plurality, Winners: 2}, nil, []string{"3 A", "5 B", "1 C"}, 10, Decided, ReasonOptionsDecided, "B A", "", 0, false},
		"Plurality/SpacedNames":      {Rule{Kind: Plurality, Winners: 2}, []string{" A", "B ", "C"}, []string{"3 A", "2 B", "2 C"}, 10, Tie, ReasonOptionsTie, " A", "B  C", 1, true},
		"Plurality/TieForSecond":     {Rule{Kind: Plurality, Winners: 2}, nil, []string{"5 A", "2 B", "2 C", "1 D"}, 10, Tie, ReasonOptionsTie, "A", "B C", 1, true},
		"Plurality/TieWithinWinners": {Rule{Kind: Plurality, Winners: 2}, nil, []string{"4 A", "4 B", "1 C"}, 10, Decided, ReasonOptionsDecided, "A B", "", 0, false},
		"Plurality/TieBelowWinners":  {Rule{Kind: Plurality}, nil, []string{"5 A", "2 B", "2 C"}, 10, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"Plurality/ZeroVotesTied":    {Rule{Kind: Plurality, Winners: 2}, []string{"A", "B", "C"}, []string{"5 A"}, 10, Tie, ReasonOptionsTie, "A", "B C", 1, true},
		"Plurality/AllWin":           {Rule{Kind: Plurality, Winners: 3}, []string{"A", "B", "C"}, []string{"5 A"}, 10, Decided, ReasonOptionsDecided, "A B C", "", 0, false},
		"Plurality/BlanksNotVotes":   {Rule{Kind: Plurality}, nil, []string{"2 A", "1 B", "6 -"}, 10, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"Plurality/WeightedAssembly": {Rule{Kind: Plurality}, nil, []string{"120 A", "80 A", "300 B", "60 -"}, 700, Decided, ReasonOptionsDecided, "B", "", 0, false},
		"Plurality/OnePerSeat":       {Rule{Kind: Plurality}, nil, []string{"1 A", "1 A", "1 B", "1 -"}, 7, Decided, ReasonOptionsDecided, "A", "", 0, false},

		// Approval.
		"Approval/MostApproved":    {Rule{Kind: Approval}, nil, []string{"3 A B", "2 B C", "2 C"}, 10, Decided, ReasonOptionsDecided, "B", "", 0, false},
		"Approval/OrderIrrelevant": {Rule{Kind: Approval}, nil, []string{"3 B A", "2 C B", "2 C"}, 10, Decided, ReasonOptionsDecided, "B", "", 0, false},
		"Approval/TwoWinners":      {Rule{Kind: Approval, Winners: 2}, nil, []string{"3 A B", "2 B C", "2 C"}, 10, Decided, ReasonOptionsDecided, "B C", "", 0, false},
		"Approval/Tie":             {Rule{Kind: Approval}, nil, []string{"2 A B", "1 C", "1 D"}, 10, Tie, ReasonOptionsTie, "", "A B", 1, true},
		"Approval/ThreeTiedForTwo": {Rule{Kind: Approval, Winners: 3}, nil, []string{"3 A", "1 B C D"}, 10, Tie, ReasonOptionsTie, "A", "B C D", 2, true},
		"Approval/SeedDraws":       {Rule{Kind: Approval, Winners: 3, Seed: 9}, nil, []string{"3 A", "1 B C D"}, 10, Decided, ReasonOptionsLot, "?", "", 0, true},
		"Approval/NothingApproved": {Rule{Kind: Approval}, nil, []string{"4 -"}, 4, NoVotes, ReasonOptionsNoVotes, "", "", 0, false},

		// IRV.
		"IRV/FirstRoundMajority":  {Rule{Kind: IRV}, nil, []string{"6 A", "4 B"}, 10, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"IRV/Transfers":           {Rule{Kind: IRV}, nil, []string{"4 A", "3 B", "2 C B"}, 10, Decided, ReasonOptionsDecided, "B", "", 0, false},
		"IRV/BlanksNotInMajority": {Rule{Kind: IRV}, nil, []string{"4 A", "3 B", "5 -"}, 12, Decided, ReasonOptionsDecided, "A", "", 0, false},
		// Round 2: A 5, B 4, C 4; round 1 had B 4, C 3, so C goes, and
		// its ballots elect B. Had B gone, C would have won.
		"IRV/TieSettledByEarlierRound": {Rule{Kind: IRV}, nil, []string{"5 A", "4 B C", "3 C B", "1 D C"}, 13, Decided, ReasonOptionsDecided, "B", "", 0, false},
		// C and D tie with no earlier round: a lot; either way B reaches
		// 8 against A's 8 and goes out on the earlier round (7 < 8).
		"IRV/LotThatDoesNotMatter": {Rule{Kind: IRV}, nil, []string{"8 A", "6 B", "1 C B", "1 D B"}, 16, Decided, ReasonOptionsDecided, "A", "", 0, true},
		// A and B tie in every round: who wins depends on the lot.
		"IRV/LotThatMatters":   {Rule{Kind: IRV}, nil, []string{"3 A", "3 B", "2 C"}, 10, Tie, ReasonOptionsTie, "", "A B", 1, true},
		"IRV/LotWithSeed":      {Rule{Kind: IRV, Seed: 5}, nil, []string{"3 A", "3 B", "2 C"}, 10, Decided, ReasonOptionsLot, "?", "", 0, true},
		"IRV/TwoOfTwoTied":     {Rule{Kind: IRV}, []string{"A", "B"}, []string{"1 A B", "1 B A"}, 2, Tie, ReasonOptionsTie, "", "A B", 1, true},
		"IRV/ManyZeroOptions":  {Rule{Kind: IRV}, []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"}, []string{"3 A", "2 B"}, 10, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"IRV/ZeroOptionsTies":  {Rule{Kind: IRV}, []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L"}, []string{"2 A", "2 B", "1 C A"}, 10, Decided, ReasonOptionsDecided, "A", "", 0, true},
		"IRV/WeightedAssembly": {Rule{Kind: IRV}, nil, []string{"300 A", "250 B", "100 C B"}, 700, Decided, ReasonOptionsDecided, "B", "", 0, false},

		// Schulze (the example of Schulze's paper and of Wikipedia: 45
		// voters, E > A > C > B > D).
		"Schulze/Wikipedia": {Rule{Kind: Schulze}, abcde, []string{"5 A C B E D", "5 A D E C B", "8 B E D A C", "3 C A B E D",
			"7 C A E B D", "2 C B A D E", "7 D C E B A", "8 E B A D C"}, 45, Decided, ReasonOptionsDecided, "E", "", 0, false},
		"Schulze/TwoWinners": {Rule{Kind: Schulze, Winners: 2}, abcde, []string{"5 A C B E D", "5 A D E C B", "8 B E D A C", "3 C A B E D",
			"7 C A E B D", "2 C B A D E", "7 D C E B A", "8 E B A D C"}, 45, Decided, ReasonOptionsDecided, "E A", "", 0, false},
		"Schulze/CondorcetWinner":  {Rule{Kind: Schulze}, nil, []string{"4 A B C", "3 B C A", "2 C B A"}, 10, Decided, ReasonOptionsDecided, "B", "", 0, false},
		"Schulze/Tie":              {Rule{Kind: Schulze}, []string{"A", "B", "C"}, []string{"2 A B C", "2 B A C"}, 4, Tie, ReasonOptionsTie, "", "A B", 1, true},
		"Schulze/TieForSecond":     {Rule{Kind: Schulze, Winners: 2}, []string{"A", "B", "C"}, []string{"3 A B C", "2 C B A", "1 B C A"}, 6, Tie, ReasonOptionsTie, "B", "A C", 1, true},
		"Schulze/TieBelowWinner":   {Rule{Kind: Schulze}, []string{"A", "B", "C"}, []string{"3 A", "1 B", "1 C"}, 5, Decided, ReasonOptionsDecided, "A", "", 0, true},
		"Schulze/SeedDraws":        {Rule{Kind: Schulze, Seed: 3}, []string{"A", "B", "C"}, []string{"2 A B C", "2 B A C"}, 4, Decided, ReasonOptionsLot, "?", "", 0, true},
		"Schulze/CycleResolved":    {Rule{Kind: Schulze}, []string{"A", "B", "C"}, []string{"4 A B C", "3 B C A", "2 C A B"}, 9, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"Schulze/PerfectCycleTies": {Rule{Kind: Schulze}, []string{"A", "B", "C"}, []string{"1 A B C", "1 B C A", "1 C A B"}, 3, Tie, ReasonOptionsTie, "", "A B C", 1, true},

		// Quorum, for every option rule.
		"Quorum/Exactly":             {Rule{Kind: Plurality, Quorum: Fraction{1, 3}}, nil, []string{"2 A", "1 B"}, 9, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"Quorum/OneShort":            {Rule{Kind: Plurality, Quorum: Fraction{1, 3}}, nil, []string{"2 A"}, 9, NoQuorum, ReasonNoQuorum, "", "", 0, false},
		"Quorum/BlanksCount":         {Rule{Kind: Approval, Quorum: Fraction{1, 2}}, nil, []string{"1 A", "4 -"}, 10, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"Quorum/BlanksOneShort":      {Rule{Kind: Approval, Quorum: Fraction{1, 2}}, nil, []string{"1 A", "3 -"}, 10, NoQuorum, ReasonNoQuorum, "", "", 0, false},
		"Quorum/HalfPlusOne":         {Rule{Kind: IRV, Quorum: Fraction{1, 2}, QuorumStrict: true}, nil, []string{"3 A", "2 B"}, 10, NoQuorum, ReasonNoQuorum, "", "", 0, false},
		"Quorum/HalfPlusOneMet":      {Rule{Kind: IRV, Quorum: Fraction{1, 2}, QuorumStrict: true}, nil, []string{"3 A", "2 B", "1 -"}, 10, Decided, ReasonOptionsDecided, "A", "", 0, false},
		"Quorum/SchulzeShort":        {Rule{Kind: Schulze, Quorum: Fraction{2, 3}}, nil, []string{"3 A", "2 B"}, 8, NoQuorum, ReasonNoQuorum, "", "", 0, false},
		"Quorum/WeightedShort":       {Rule{Kind: Plurality, Quorum: Fraction{1, 2}}, nil, []string{"120 A", "200 B"}, 700, NoQuorum, ReasonNoQuorum, "", "", 0, false},
		"Quorum/NobodyEntitled":      {Rule{Kind: Plurality}, nil, nil, 0, NoQuorum, ReasonNobodyEntitled, "", "", 0, false},
		"Quorum/NoBallots":           {Rule{Kind: IRV, Quorum: Fraction{1, 10}}, nil, nil, 10, NoQuorum, ReasonNoQuorum, "", "", 0, false},
		"NoVotes/NoQuorumRequired":   {Rule{Kind: IRV}, nil, nil, 10, NoVotes, ReasonOptionsNoVotes, "", "", 0, false},
		"NoVotes/AllBlank":           {Rule{Kind: Schulze, Winners: 2}, nil, []string{"3 -"}, 10, NoVotes, ReasonOptionsNoVotes, "", "", 0, false},
		"NoVotes/ZeroWeightBallots":  {Rule{Kind: Plurality}, nil, []string{"0 A"}, 10, NoVotes, ReasonOptionsNoVotes, "", "", 0, false},
		"SingleOption":               {Rule{Kind: IRV}, []string{"Sí"}, []string{"2 Sí", "1 -"}, 3, Decided, ReasonOptionsDecided, "Sí", "", 0, false},
		"SingleOptionPluralityBlank": {Rule{Kind: Plurality}, []string{"X"}, []string{"1 -"}, 3, NoVotes, ReasonOptionsNoVotes, "", "", 0, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			options := tc.options
			if options == nil {
				options = abcd
			}
			o, err := DecideOptions(tc.r, options, ballotsOf(t, options, tc.ballots...), tc.entitled)
			if err != nil {
				t.Fatal(err)
			}
			winners, tied := strings.Join(o.Winners, " "), strings.Join(o.Tied, " ")
			if tc.winners == "?" { // drawn by lot: any one of the tied
				if len(o.Winners) != tc.r.winners() {
					t.Fatalf("winners %v, want %d", o.Winners, tc.r.winners())
				}
				tc.winners = winners
			}
			if o.Result != tc.result || o.Reason != tc.reason || winners != tc.winners || tied != tc.tied || o.Places != tc.places {
				t.Fatalf("got %s %s winners %q tied %q places %d, want %s %s %q %q %d",
					o.Result, o.Reason, winners, tied, o.Places, tc.result, tc.reason, tc.winners, tc.tied, tc.places)
			}
			if got := o.Report != nil && len(o.Report.Lots) > 0; got != tc.lots {
				t.Fatalf("lots %v, want %v", got, tc.lots)
			}
			checkOutcome(t, tc.r, options, o)
			var part, blank int64
			for _, b := range ballotsOf(t, options, tc.ballots...) {
				part += b.Weight
				if len(b.Ranking) == 0 {
					blank += b.Weight
				}
			}
			if o.Participation != part || o.Blank != blank {
				t.Fatalf("participation %d blank %d, want %d %d", o.Participation, o.Blank, part, blank)
			}
		})
	}
}

// checkOutcome checks what holds of every outcome.
func checkOutcome(t testing.TB, r Rule, options []string, o OptionOutcome) {
	t.Helper()
	if len(o.Winners) != len(o.WinnerIndex) || len(o.Tied) != len(o.TiedIndex) {
		t.Fatalf("names and indices differ: %+v", o)
	}
	for i, w := range o.WinnerIndex {
		if options[w] != o.Winners[i] || slices.Contains(o.TiedIndex, w) {
			t.Fatalf("winner %d: %+v", w, o)
		}
	}
	switch o.Result {
	case Decided:
		if len(o.Winners) != r.winners() || len(o.Tied) != 0 || o.Places != 0 || o.Report == nil {
			t.Fatalf("decided: %+v", o)
		}
		if !slices.Equal(o.WinnerIndex, o.Report.ElectedIndex) {
			t.Fatalf("winners %v, report elected %v", o.WinnerIndex, o.Report.ElectedIndex)
		}
	case Tie:
		if o.Places < 1 || len(o.Tied) <= o.Places || len(o.Winners)+o.Places != r.winners() {
			t.Fatalf("tie: %+v", o)
		}
		if o.Reason == ReasonOptionsTie && r.Seed != 0 {
			t.Fatalf("a seed must break ties: %+v", o)
		}
	case NoQuorum, NoVotes:
		if len(o.Winners)+len(o.Tied) != 0 || o.Places != 0 || o.Report != nil {
			t.Fatalf("%s: %+v", o.Result, o)
		}
	default:
		t.Fatalf("result %q", o.Result)
	}
}

func TestDecideOptionsErrors(t *testing.T) {
	one := func(r ...int) []Ballot { return []Ballot{{Ranking: r, Weight: 1}} }
	tests := map[string]struct {
		r        Rule
		options  []string
		ballots  []Ballot
		entitled int64
		field    string
		key      string
	}{
		"InvalidRule":      {Rule{Kind: IRV, Winners: 2}, abcd, one(0), 5, "winners", "voting.winners.irv_single"},
		"YesNoRule":        {Rule{Kind: Majority}, abcd, one(0), 5, "rule", "voting.rule.not_options"},
		"NoOptions":        {Rule{Kind: Plurality}, nil, nil, 5, "options", "voting.options.none"},
		"EmptyOption":      {Rule{Kind: Plurality}, []string{"A", " "}, one(0), 5, "options", "voting.options.empty"},
		"DuplicateOption":  {Rule{Kind: Plurality}, []string{"A", "B", "A"}, one(0), 5, "options", "voting.options.duplicate"},
		"TooManyOptions":   {Rule{Kind: Plurality}, make([]string, MaxOptions+1), nil, 5, "options", "voting.options.too_many"},
		"MoreWinners":      {Rule{Kind: Approval, Winners: 5}, abcd, one(0), 5, "winners", "voting.winners.range"},
		"OutOfRange":       {Rule{Kind: Approval}, abcd, one(4), 5, "ballots", "voting.ballot.invalid"},
		"NegativeIndex":    {Rule{Kind: Schulze}, abcd, one(-1), 5, "ballots", "voting.ballot.invalid"},
		"RankedTwice":      {Rule{Kind: IRV}, abcd, one(1, 2, 1), 5, "ballots", "voting.ballot.invalid"},
		"NegativeWeight":   {Rule{Kind: Plurality}, abcd, []Ballot{{Ranking: []int{0}, Weight: -1}}, 5, "ballots", "voting.ballot.invalid"},
		"MoreThanEntitled": {Rule{Kind: Plurality}, abcd, []Ballot{{Ranking: []int{0}, Weight: 3}, {Weight: 3}}, 5, "ballots", "voting.count.exceeds_entitled"},
		"HugeWeight":       {Rule{Kind: Plurality}, abcd, []Ballot{{Ranking: []int{0}, Weight: 1 << 62}}, 5, "ballots", "voting.count.exceeds_entitled"},
		"TallyLimit":       {Rule{Kind: Plurality}, abcd, []Ballot{{Ranking: []int{0}, Weight: tally.MaxBallots}, {Weight: 1}}, MaxWeight, "ballots", "voting.ballots.too_many"},
		"NegativeEntitled": {Rule{Kind: Plurality}, abcd, nil, -1, "entitled", "voting.count.range"},
		"HugeEntitled":     {Rule{Kind: Plurality}, abcd, nil, MaxWeight + 1, "entitled", "voting.count.range"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, err := DecideOptions(tc.r, tc.options, tc.ballots, tc.entitled)
			e := errs.As(err)
			if err == nil || e.Code != errs.Invalid || e.Field != tc.field || e.Key != tc.key {
				t.Fatalf("got %+v, %v; want invalid %s %s", o, err, tc.field, tc.key)
			}
		})
	}
}

// TestDecideOptionsReport checks that the ranked methods hand back the
// tally core's rounds.
func TestDecideOptionsReport(t *testing.T) {
	o, err := DecideOptions(Rule{Kind: IRV}, abcd, ballotsOf(t, abcd, "4 A", "3 B", "2 C B", "1 -"), 10)
	if err != nil {
		t.Fatal(err)
	}
	rep := o.Report
	// D (no votes) goes, then C, whose ballots elect B.
	if rep.Method != "irv" || len(rep.Rounds) != 3 || rep.Ballots != 9 || rep.Empty != 1 || len(rep.Lots) != 0 {
		t.Fatalf("report %+v", rep)
	}
	if ex := rep.Rounds[1].Excluded; len(ex) != 1 || ex[0].Name != "D" {
		t.Fatalf("round 2 excluded %+v", ex)
	}
	if ex, el := rep.Rounds[2].Excluded, rep.Rounds[2].Elected; len(ex) != 1 || ex[0].Name != "C" || len(el) != 1 || el[0].Name != "B" {
		t.Fatalf("round 3 excluded %+v, elected %+v", ex, el)
	}
	o, err = DecideOptions(Rule{Kind: Schulze}, abcd, ballotsOf(t, abcd, "4 A B C D", "3 B C D A"), 7)
	if err != nil {
		t.Fatal(err)
	}
	if o.Report.Method != "schulze" || o.Report.Rounds[0].Action != "pairwise" || strings.Join(o.Report.Ranking, "") != "ABCD" {
		t.Fatalf("report %+v", o.Report)
	}
}

// randomElection draws a small election with many ties.
func randomElection(rng *rand.Rand) ([]string, []Ballot) {
	options := abcd[:2+rng.IntN(3)]
	var ballots []Ballot
	for range 1 + rng.IntN(7) {
		perm := rng.Perm(len(options))
		ballots = append(ballots, Ballot{Ranking: perm[:rng.IntN(len(perm)+1)], Weight: 1 + rng.Int64N(3)})
	}
	return options, ballots
}

// TestTiesAgainstLots checks the tie analysis against the tally core's
// lots: without a seed, a decided outcome is what every seed gives, and a
// tie names exactly the options some seed elects.
func TestTiesAgainstLots(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	n := 2000
	if testing.Short() {
		n = 200
	}
	for range n {
		options, ballots := randomElection(rng)
		kind := OptionKinds[rng.IntN(len(OptionKinds))]
		r := Rule{Kind: kind}
		if kind != IRV {
			r.Winners = 1 + rng.IntN(len(options))
		}
		o, err := DecideOptions(r, options, ballots, 30)
		if err != nil {
			t.Fatal(err)
		}
		checkOutcome(t, r, options, o)
		counts[kind+" "+o.Result]++
		if o.Result == Decided && len(o.Report.Lots) > 0 {
			counts[kind+" decided after lots"]++
		}
		if o.Result == NoVotes {
			continue
		}
		seen := map[string]bool{}
		for seed := uint64(1); seed <= 100; seed++ {
			r.Seed = seed
			s, err := DecideOptions(r, options, ballots, 30)
			if err != nil {
				t.Fatal(err)
			}
			checkOutcome(t, r, options, s)
			if s.Result != Decided {
				t.Fatalf("seed %d: %+v", seed, s)
			}
			// The order of winners tied among themselves may differ.
			if o.Result == Decided && !slices.Equal(slices.Sorted(slices.Values(s.Winners)), slices.Sorted(slices.Values(o.Winners))) {
				t.Fatalf("%s %v %v: decided %v, seed %d elects %v", kind, options, ballots, o.Winners, seed, s.Winners)
			}
			for _, w := range s.Winners {
				if !slices.Contains(o.Winners, w) {
					if !slices.Contains(o.Tied, w) {
						t.Fatalf("%s %v %v: %v tied %v, seed %d elects %v", kind, options, ballots, o.Winners, o.Tied, seed, s.Winners)
					}
					seen[w] = true
				}
			}
			for _, w := range o.Winners {
				if !slices.Contains(s.Winners, w) {
					t.Fatalf("%s: certain winner %s not elected with seed %d", kind, w, seed)
				}
			}
		}
		if o.Result == Tie && len(seen) != len(o.Tied) {
			t.Fatalf("%s %v %v: tied %v, but lots only ever elect %v", kind, options, ballots, o.Tied, seen)
		}
	}
	for _, k := range OptionKinds {
		if counts[k+" "+Tie] == 0 || counts[k+" "+Decided] == 0 || counts[k+" decided after lots"] == 0 && k != Plurality && k != Approval {
			t.Fatalf("too few cases: %v", counts)
		}
	}
	t.Log(counts)
}

// TestIRVManyLots follows the lots of symmetric elections: n options, one
// ballot each, ranking every option in a rotation, so that every round is
// a tie. Up to a dozen options every way the lots could go is followed;
// beyond, the tie is reported among the options in the count at the first
// lot.
func TestIRVManyLots(t *testing.T) {
	tests := map[string]struct {
		n      int
		reason string
	}{
		"Eight":    {8, ReasonOptionsTie},
		"Fourteen": {14, ReasonOptionsTieUnsettled},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var options []string
			var ballots []Ballot
			for i := range tc.n {
				options = append(options, fmt.Sprint("O", i))
				var r []int
				for j := range tc.n {
					if c := (i + j*3) % tc.n; !slices.Contains(r, c) {
						r = append(r, c)
					}
				}
				ballots = append(ballots, Ballot{Ranking: r, Weight: 1})
			}
			o, err := DecideOptions(Rule{Kind: IRV}, options, ballots, int64(tc.n))
			if err != nil {
				t.Fatal(err)
			}
			if o.Result != Tie || o.Reason != tc.reason || !slices.Equal(o.Tied, options) || o.Places != 1 {
				t.Fatalf("got %+v", o)
			}
			checkOutcome(t, Rule{Kind: IRV}, options, o)
			o, err = DecideOptions(Rule{Kind: IRV, Seed: 11}, options, ballots, int64(tc.n))
			if err != nil || o.Result != Decided || o.Reason != ReasonOptionsLot {
				t.Fatalf("with a seed: %+v %v", o, err)
			}
		})
	}
}

func TestMessageKeys(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range MessageKeys {
		if seen[k] || !strings.HasPrefix(k, "voting.") {
			t.Fatalf("key %q duplicated or outside voting.", k)
		}
		seen[k] = true
	}
	for _, k := range []string{ReasonNobodyEntitled, ReasonNoQuorum, ReasonMajority, ReasonMajorityTie, ReasonMajorityNoVotes,
		ReasonMajorityAgainst, ReasonAbsolute, ReasonAbsoluteShort, ReasonTwoThirds, ReasonTwoThirdsShort, ReasonTwoThirdsNoVotes,
		ReasonConsent, ReasonConsentBlocked, ReasonConsentNone, ReasonOptionsDecided, ReasonOptionsLot, ReasonOptionsTie, ReasonOptionsNoVotes, ReasonOptionsTieUnsettled} {
		if !seen[k] {
			t.Errorf("reason %q missing from MessageKeys", k)
		}
	}
}

func ExampleDecide() {
	// A committee of 12 with a quorum of half plus one decides by simple
	// majority: 5 yes, 4 no, 2 abstain.
	r := Rule{Kind: Majority, Quorum: Fraction{1, 2}, QuorumStrict: true}
	o, _ := Decide(r, Count{Yes: 5, No: 4, Abstain: 2, Entitled: 12})
	fmt.Println(o.Result, o.Reason, o.Quorum, o.Participation)
	// Output: passed voting.majority.reached 7 11
}
