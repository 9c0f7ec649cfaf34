package polls

import (
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"asamblea/errs"
	"asamblea/tally"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// wantErr fails unless err is an *errs.Error about field with key.
func wantErr(t *testing.T, err error, field, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted; want refusal %s on %s", key, field)
	}
	e := errs.As(err)
	if e.Field != field || e.Key != key {
		t.Fatalf("err = %v; want field %q key %q", err, field, key)
	}
}

// validInput is an election that Clean accepts at t0.
func validInput() Input {
	return Input{
		Title: "Asamblea Constituyente Plurinacional",
		Seats: 5,
		Calendar: Calendar{
			RegistrationCloses: t0.Add(24 * time.Hour),
			VotingOpens:        t0.Add(48 * time.Hour),
			VotingCloses:       t0.Add(60 * time.Hour),
		},
	}
}

func TestInputCleanDefaults(t *testing.T) {
	in := validInput()
	if err := in.Clean(t0); err != nil {
		t.Fatal(err)
	}
	if in.Scope != PublicScope {
		t.Errorf("scope = %q, want public", in.Scope)
	}
	if in.Method != string(tally.DHondt) {
		t.Errorf("method = %q, want dhondt", in.Method)
	}
	if in.RecallShare != "10" {
		t.Errorf("recall share = %q, want 10", in.RecallShare)
	}
	if want := in.VotingCloses.Add(72 * time.Hour); !in.PublishBy.Equal(want) {
		t.Errorf("publish by = %v, want %v", in.PublishBy, want)
	}
	if in.Threshold != "" || in.ThresholdRat() != nil {
		t.Errorf("threshold = %q, want none", in.Threshold)
	}
	if !in.Lists() {
		t.Error("dhondt election is not between lists")
	}
}

func TestInputCleanAccepts(t *testing.T) {
	tests := []struct {
		name  string
		mod   func(*Input)
		check func(*testing.T, Input)
	}{
		{"ThresholdPercentSign", func(in *Input) { in.Threshold = "5%" }, func(t *testing.T, in Input) {
			if in.Threshold != "5" {
				t.Errorf("threshold = %q, want 5", in.Threshold)
			}
			if r := in.ThresholdRat(); r == nil || r.Cmp(big.NewRat(1, 20)) != 0 {
				t.Errorf("threshold rat = %v, want 1/20", r)
			}
		}},
		{"ThresholdSpacedPercent", func(in *Input) { in.Threshold = " 2.5 % " }, func(t *testing.T, in Input) {
			if in.Threshold != "2.5" {
				t.Errorf("threshold = %q, want 2.5", in.Threshold)
			}
			if r := in.ThresholdRat(); r == nil || r.Cmp(big.NewRat(1, 40)) != 0 {
				t.Errorf("threshold rat = %v, want 1/40", r)
			}
		}},
		{"ThresholdZeroIsNone", func(in *Input) { in.Threshold = "0%" }, func(t *testing.T, in Input) {
			if in.Threshold != "" {
				t.Errorf("threshold = %q, want none", in.Threshold)
			}
		}},
		{"ZeroThresholdWithSTV", func(in *Input) { in.Scope, in.Method, in.Threshold = BodyScope, STV, "0" }, func(t *testing.T, in Input) {
			if in.Lists() {
				t.Error("STV election is between lists")
			}
		}},
		{"STVOnline", func(in *Input) { in.Scope, in.Method = BodyScope, STV }, nil},
		{"MeekInAssembly", func(in *Input) { in.Scope, in.Method = AssemblyScope, Meek }, nil},
		{"EveryListMethodOnPaper", func(in *Input) { in.Method = string(tally.DroopQuota) }, nil},
		{"RecallSharePercent", func(in *Input) { in.RecallShare = " 15% " }, func(t *testing.T, in Input) {
			if in.RecallShare != "15" {
				t.Errorf("recall share = %q, want 15", in.RecallShare)
			}
		}},
		{"VotingOpensWhenRegistrationCloses", func(in *Input) { in.VotingOpens = in.RegistrationCloses }, nil},
		{"PublishByGiven", func(in *Input) { in.PublishBy = in.VotingCloses }, func(t *testing.T, in Input) {
			if !in.PublishBy.Equal(in.VotingCloses) {
				t.Errorf("publish by changed to %v", in.PublishBy)
			}
		}},
		{"MaxSeats", func(in *Input) { in.Seats = SeatsMax }, nil},
		{"TitleSpacesCollapsed", func(in *Input) { in.Title = "  Junta   directiva " }, func(t *testing.T, in Input) {
			if in.Title != "Junta directiva" {
				t.Errorf("title = %q", in.Title)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.mod(&in)
			if err := in.Clean(t0); err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, in)
			}
		})
	}
}

func TestInputCleanRefuses(t *testing.T) {
	tests := []struct {
		name       string
		mod        func(*Input)
		field, key string
	}{
		{"TitleShort", func(in *Input) { in.Title = "ab" }, "title", "error.too_short"},
		{"TitleMissing", func(in *Input) { in.Title = "  " }, "title", "error.required"},
		{"UnknownScope", func(in *Input) { in.Scope = "world" }, "scope", "poll.scope.unknown"},
		{"NoSeats", func(in *Input) { in.Seats = 0 }, "seats", "poll.seats.range"},
		{"NegativeSeats", func(in *Input) { in.Seats = -3 }, "seats", "poll.seats.range"},
		{"TooManySeats", func(in *Input) { in.Seats = SeatsMax + 1 }, "seats", "poll.seats.range"},
		{"UnknownMethod", func(in *Input) { in.Method = "borda" }, "method", "poll.method.unknown"},
		{"STVOnPaper", func(in *Input) { in.Method = STV }, "method", "poll.method.paper"},
		{"MeekOnPaper", func(in *Input) { in.Scope, in.Method = PublicScope, Meek }, "method", "poll.method.paper"},
		{"ThresholdWithSTV", func(in *Input) { in.Scope, in.Method, in.Threshold = BodyScope, STV, "5" }, "threshold", "poll.threshold.lists"},
		{"ThresholdNotANumber", func(in *Input) { in.Threshold = "five" }, "threshold", "poll.threshold.bad"},
		{"ThresholdOver100", func(in *Input) { in.Threshold = "150" }, "threshold", "poll.threshold.bad"},
		{"ThresholdNegative", func(in *Input) { in.Threshold = "-1" }, "threshold", "poll.threshold.bad"},
		{"RecallShareZero", func(in *Input) { in.RecallShare = "0" }, "recall_share", "poll.recall_share.bad"},
		{"RecallShareText", func(in *Input) { in.RecallShare = "ten" }, "recall_share", "poll.recall_share.bad"},
		{"RecallShareOver100", func(in *Input) { in.RecallShare = "101%" }, "recall_share", "poll.recall_share.bad"},
		{"RegistrationMissing", func(in *Input) { in.RegistrationCloses = time.Time{} }, "registration_closes", "error.required"},
		{"VotingOpensMissing", func(in *Input) { in.VotingOpens = time.Time{} }, "voting_opens", "error.required"},
		{"VotingClosesMissing", func(in *Input) { in.VotingCloses = time.Time{} }, "voting_closes", "error.required"},
		{"RegistrationClosesNow", func(in *Input) { in.RegistrationCloses = t0 }, "registration_closes", "poll.date.past"},
		{"RegistrationClosedYesterday", func(in *Input) { in.RegistrationCloses = t0.Add(-24 * time.Hour) }, "registration_closes", "poll.date.past"},
		{"VotingOpensBeforeRegistrationCloses", func(in *Input) { in.VotingOpens = in.RegistrationCloses.Add(-time.Minute) }, "voting_opens", "poll.date.order"},
		{"VotingClosesWhenItOpens", func(in *Input) { in.VotingCloses = in.VotingOpens }, "voting_closes", "poll.date.order"},
		{"VotingClosesBeforeItOpens", func(in *Input) { in.VotingCloses = in.VotingOpens.Add(-time.Hour) }, "voting_closes", "poll.date.order"},
		{"PublishBeforeVotingCloses", func(in *Input) { in.PublishBy = in.VotingCloses.Add(-time.Second) }, "publish_by", "poll.date.order"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.mod(&in)
			wantErr(t, in.Clean(t0), tt.field, tt.key)
		})
	}
}

func TestMethods(t *testing.T) {
	for _, m := range tally.ListMethods {
		if !IsListMethod(string(m)) {
			t.Errorf("%s is not a list method", m)
		}
	}
	for _, m := range []string{STV, Meek, "", "irv"} {
		if IsListMethod(m) {
			t.Errorf("%q is a list method", m)
		}
	}
	if n := len(Methods); n != len(tally.ListMethods)+2 || Methods[n-2] != STV || Methods[n-1] != Meek {
		t.Errorf("Methods = %v", Methods)
	}
	if !PublicScope.Paper() || BodyScope.Paper() || AssemblyScope.Paper() {
		t.Error("only the public scope votes on paper")
	}
	if Scope("").Valid() || !AssemblyScope.Valid() {
		t.Error("Scope.Valid")
	}
}

func TestPhaseAt(t *testing.T) {
	c := Calendar{
		RegistrationCloses: t0.Add(time.Hour),
		VotingOpens:        t0.Add(2 * time.Hour),
		VotingCloses:       t0.Add(3 * time.Hour),
		PublishBy:          t0.Add(4 * time.Hour),
	}
	tests := []struct {
		name      string
		now       time.Time
		published bool
		want      Phase
	}{
		{"LongBefore", t0.Add(-720 * time.Hour), false, Registration},
		{"JustBeforeRegistrationCloses", c.RegistrationCloses.Add(-time.Nanosecond), false, Registration},
		{"RegistrationClosesNow", c.RegistrationCloses, false, Campaign},
		{"JustBeforeVotingOpens", c.VotingOpens.Add(-time.Nanosecond), false, Campaign},
		{"VotingOpensNow", c.VotingOpens, false, Voting},
		{"JustBeforeVotingCloses", c.VotingCloses.Add(-time.Nanosecond), false, Voting},
		{"VotingClosesNow", c.VotingCloses, false, Count},
		{"PastPublishBy", c.PublishBy.Add(time.Hour), false, Count},
		{"PublishedAfterCount", c.PublishBy, true, Published},
		{"PublishedOverridesRegistration", t0, true, Published},
		{"PublishedOverridesVoting", c.VotingOpens, true, Published},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.PhaseAt(tt.now, tt.published); got != tt.want {
				t.Errorf("PhaseAt = %s, want %s", got, tt.want)
			}
		})
	}
	// Campaign is skipped when voting opens as registration closes.
	c.VotingOpens = c.RegistrationCloses
	if got := c.PhaseAt(c.RegistrationCloses, false); got != Voting {
		t.Errorf("voting opening as registration closes: %s, want voting", got)
	}
}

func cands(spec ...string) []CandidateInput {
	var cs []CandidateInput
	for _, s := range spec {
		name, g, _ := strings.Cut(s, "/")
		cs = append(cs, CandidateInput{Name: name, Gender: g})
	}
	return cs
}

func listPoll(seats int, parity bool) Input {
	return Input{Title: "Junta", Seats: seats, Method: string(tally.DHondt), Parity: parity}
}

func TestCandidacyCleanAccepts(t *testing.T) {
	in := CandidacyInput{
		Name:         "  Frente   Obrero ",
		Organisation: "Sindicato de Construcción Civil",
		Candidates: []CandidateInput{
			{Name: "  Ana   María Quispe ", Gender: " f "},
			{},
			{Name: " ", Gender: " "},
			{Name: "Beto Huamán", Gender: "m"},
			{Name: "Alex Rojas", Gender: "x"},
			{Name: "Carla Mamani", Gender: "F"},
			{},
		},
	}
	if err := in.Clean(listPoll(4, true)); err != nil {
		t.Fatal(err)
	}
	want := cands("Ana María Quispe/F", "Beto Huamán/M", "Alex Rojas/X", "Carla Mamani/F")
	if len(in.Candidates) != len(want) {
		t.Fatalf("candidates = %v, want %v", in.Candidates, want)
	}
	for i := range want {
		if in.Candidates[i] != want[i] {
			t.Errorf("candidate %d = %+v, want %+v", i+1, in.Candidates[i], want[i])
		}
	}
	if in.Name != "Frente Obrero" {
		t.Errorf("name = %q", in.Name)
	}
	if in.Sector != "other" {
		t.Errorf("sector = %q, want other", in.Sector)
	}
}

func TestCandidacyCleanSingle(t *testing.T) {
	e := Input{Title: "Comisión", Scope: BodyScope, Seats: 3, Method: STV, Parity: true}
	in := CandidacyInput{Organisation: "Federación Campesina", Sector: "campesinos", Candidates: cands("", " Rosa  Ccori /f")}
	if err := in.Clean(e); err != nil {
		t.Fatal(err)
	}
	if in.Name != "Rosa Ccori" {
		t.Errorf("single candidacy named %q, want the candidate's name", in.Name)
	}
	named := CandidacyInput{Name: "Rosa por la tierra", Organisation: "Federación Campesina", Candidates: cands("Rosa Ccori/F")}
	if err := named.Clean(e); err != nil {
		t.Fatal(err)
	}
	if named.Name != "Rosa por la tierra" {
		t.Errorf("given name replaced by %q", named.Name)
	}
	two := CandidacyInput{Organisation: "Federación Campesina", Candidates: cands("Rosa Ccori/F", "Juan Ccori/M")}
	wantErr(t, two.Clean(e), "candidates", "poll.candidates.single")
}

func TestCandidacyCleanRefuses(t *testing.T) {
	tests := []struct {
		name       string
		in         CandidacyInput
		e          Input
		field, key string
		arg        any
	}{
		{"NoOrganisation", CandidacyInput{Name: "Lista", Candidates: cands("Ana Q/F")}, listPoll(3, false), "organisation", "error.required", nil},
		{"UnknownSector", CandidacyInput{Name: "Lista", Organisation: "Sindicato", Sector: "aliens", Candidates: cands("Ana Q/F")}, listPoll(3, false), "sector", "body.sector.unknown", nil},
		{"NoCandidates", CandidacyInput{Name: "Lista", Organisation: "Sindicato", Candidates: cands("/", "/")}, listPoll(3, false), "candidates", "poll.candidates.none", nil},
		{"NameTooShort", CandidacyInput{Name: "Lista", Organisation: "Sindicato", Candidates: cands("Ana Q/F", "B/M")}, listPoll(3, false), "candidates", "poll.candidate.name", 2},
		{"GenderMissing", CandidacyInput{Name: "Lista", Organisation: "Sindicato", Candidates: cands("Ana Q/F", "/", "Beto R/")}, listPoll(3, false), "candidates", "poll.candidate.gender", 3},
		{"UnknownGender", CandidacyInput{Name: "Lista", Organisation: "Sindicato", Candidates: cands("Ana Q/W")}, listPoll(3, false), "candidates", "poll.candidate.gender", 1},
		{"DuplicateName", CandidacyInput{Name: "Lista", Organisation: "Sindicato", Candidates: cands("Ana Quispe/F", "Beto R/M", "ANA  quispe/F")}, listPoll(3, false), "candidates", "poll.candidate.twice", "ANA quispe"},
		{"TooManyForSeats", CandidacyInput{Name: "Lista", Organisation: "Sindicato", Candidates: cands("Ana Q/F", "Beto R/M", "Carla S/F")}, listPoll(2, false), "candidates", "poll.candidates.too_many", 2},
		{"ListNameMissing", CandidacyInput{Organisation: "Sindicato", Candidates: cands("Ana Q/F")}, listPoll(3, false), "name", "error.required", nil},
		{"ParityBreak", CandidacyInput{Name: "Lista", Organisation: "Sindicato", Candidates: cands("Ana Q/F", "Carla S/F")}, listPoll(3, true), "candidates", "poll.candidates.alternation", 2},
		{"ParityBreakAfterNonBinary", CandidacyInput{Name: "Lista", Organisation: "Sindicato", Candidates: cands("Beto R/M", "Alex T/X", "Juan P/M")}, listPoll(3, true), "candidates", "poll.candidates.alternation", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Clean(tt.e)
			wantErr(t, err, tt.field, tt.key)
			if tt.arg != nil {
				if args := errs.As(err).Args; len(args) != 1 || args[0] != tt.arg {
					t.Errorf("args = %v, want [%v]", args, tt.arg)
				}
			}
		})
	}
	// Without parity the same list stands.
	in := CandidacyInput{Name: "Lista", Organisation: "Sindicato", Candidates: cands("Ana Q/F", "Carla S/F")}
	if err := in.Clean(listPoll(3, false)); err != nil {
		t.Errorf("without parity: %v", err)
	}
}

func TestAlternationBreak(t *testing.T) {
	tests := []struct {
		genders string
		want    int
	}{
		{"", 0},
		{"F", 0},
		{"F M F M", 0},
		{"M F M F", 0},
		{"F F", 2},
		{"F X M F", 0},
		{"M F M M", 4},
		{"X X", 0},
		{"X F X F", 4},
		{"F X X M", 0},
		{"M M F F", 2},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(tt.genders, " ", ""), func(t *testing.T) {
			var cs []CandidateInput
			for _, g := range strings.Fields(tt.genders) {
				cs = append(cs, CandidateInput{Name: "n", Gender: g})
			}
			if got := AlternationBreak(cs); got != tt.want {
				t.Errorf("AlternationBreak(%s) = %d, want %d", tt.genders, got, tt.want)
			}
		})
	}
}

// roster builds a list from "status gender" pairs: "E F" is an elected
// woman, "S M" a standing man, "R X" a recalled non-binary candidate.
func roster(spec ...string) []Candidate {
	status := map[byte]string{'E': Elected, 'S': Standing, 'R': Recalled}
	var l []Candidate
	for i, s := range spec {
		l = append(l, Candidate{Position: i + 1, Status: status[s[0]], Gender: s[2:]})
	}
	return l
}

func TestReplacement(t *testing.T) {
	tests := []struct {
		name     string
		list     []Candidate
		recalled int
		parity   bool
		want     int
	}{
		{"NextBelow", roster("E F", "E M", "S M", "S F"), 0, false, 2},
		{"ParityNextOfSameGender", roster("E F", "E M", "S M", "S F"), 0, true, 3},
		{"ParityNoSameGenderTakesNext", roster("E F", "E M", "S M", "S X"), 0, true, 2},
		{"ParityNonBinary", roster("E X", "S F", "S X"), 0, true, 2},
		{"SkipsElectedAndRecalled", roster("E F", "E M", "R F", "E M", "S F"), 1, false, 4},
		{"ParitySkipsRecalledOfSameGender", roster("E M", "R M", "S F", "S M"), 0, true, 3},
		{"NobodyBelowTakesAbove", roster("S F", "S M", "E F"), 2, false, 0},
		{"NobodyBelowSkipsElectedAbove", roster("E F", "S M", "E F"), 2, true, 1},
		{"OnlyElectedBelowTakesAbove", roster("E F", "S M", "E F", "E M"), 2, false, 1},
		{"NobodyLeft", roster("E F", "E M", "R F"), 1, true, -1},
		{"Alone", roster("E F"), 0, false, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Replacement(tt.list, tt.recalled, tt.parity); got != tt.want {
				t.Errorf("Replacement = %d, want %d", got, tt.want)
			}
		})
	}
}

var receiptRE = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

func TestNewReceipt(t *testing.T) {
	const n = 10_000
	seen := make(map[string]bool, n)
	chars := map[rune]int{}
	for range n {
		r := NewReceipt()
		if !receiptRE.MatchString(r) {
			t.Fatalf("receipt %q is not XXXX-XXXX-XXXX in Crockford's alphabet", r)
		}
		if seen[r] {
			t.Fatalf("receipt %q drawn twice", r)
		}
		seen[r] = true
		for _, c := range strings.ReplaceAll(r, "-", "") {
			chars[c]++
		}
		if got := CleanReceipt(r); got != r {
			t.Fatalf("CleanReceipt(%q) = %q", r, got)
		}
	}
	// 120,000 characters: every one of the 32 shows up.
	if len(chars) != 32 {
		t.Errorf("%d distinct characters drawn, want 32", len(chars))
	}
}

func TestCleanReceipt(t *testing.T) {
	tests := []struct{ in, want string }{
		{"7KQ2-M9XD-4TPA", "7KQ2-M9XD-4TPA"},
		{"7kq2-m9xd-4tpa", "7KQ2-M9XD-4TPA"},
		{"7KQ2M9XD4TPA", "7KQ2-M9XD-4TPA"},
		{" 7KQ2 M9XD 4TPA ", "7KQ2-M9XD-4TPA"},
		{"7K-Q2M-9XD4-TPA", "7KQ2-M9XD-4TPA"},
		{"OOOO-oooo-0000", "0000-0000-0000"},
		{"IIII-LLLL-il11", "1111-1111-1111"},
		{"7KQ2-M9XD-4TPU", ""},
		{"u", ""},
		{"", ""},
		{"7KQ2-M9XD-4TP", ""},
		{"7KQ2-M9XD-4TPAB", ""},
		{"7KQ2-M9XD-4TP!", ""},
		{"7KQ2_M9XD_4TPA", ""},
		{"7KQ2-M9XD-4TPÁ", ""},
		{"7KQ2-M9XD-4TP\x00", ""},
		{"7KQ2-M9XD-4TP\xff", ""},
		{"------------", ""},
	}
	for _, tt := range tests {
		if got := CleanReceipt(tt.in); got != tt.want {
			t.Errorf("CleanReceipt(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSignaturesNeeded(t *testing.T) {
	pct := func(s string) *big.Rat {
		r, err := tally.ParsePercent(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name       string
		share      *big.Rat
		electorate int64
		want       int64
	}{
		{"RoundsUp", pct("0.1"), 1200, 2},
		{"Exact", pct("10"), 1000, 100},
		{"JustOver", pct("10"), 1001, 101},
		{"Half", pct("10"), 5, 1},
		{"Everyone", pct("100"), 7, 7},
		{"AtLeastOne", pct("0.0001"), 10, 1},
		{"ZeroShare", pct("0"), 500, 1},
		{"NoElectorate", pct("10"), 0, 1},
		{"NilShare", nil, 1000, 1},
		{"Large", pct("10"), 25_000_001, 2_500_001},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SignaturesNeeded(tt.share, tt.electorate); got != tt.want {
				t.Errorf("SignaturesNeeded = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRecallPasses(t *testing.T) {
	tests := []struct {
		yes, no int64
		want    bool
	}{
		{51, 49, true},
		{50, 50, false},
		{49, 51, false},
		{1, 0, true},
		{0, 0, false},
	}
	for _, tt := range tests {
		if got := RecallPasses(tt.yes, tt.no); got != tt.want {
			t.Errorf("RecallPasses(%d, %d) = %v, want %v", tt.yes, tt.no, got, tt.want)
		}
	}
}
