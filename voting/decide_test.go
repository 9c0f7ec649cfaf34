package voting

import (
	"math/rand/v2"
	"testing"

	"asamblea/errs"
)

func TestRuleValidate(t *testing.T) {
	tests := map[string]struct {
		r     Rule
		field string
	}{
		"Majority":               {Rule{Kind: Majority}, ""},
		"MajorityThird":          {Rule{Kind: Majority, Quorum: Fraction{1, 3}}, ""},
		"ZeroOverDen":            {Rule{Kind: Majority, Quorum: Fraction{0, 5}}, ""},
		"HalfPlusOne":            {Rule{Kind: Absolute, Quorum: Fraction{1, 2}, QuorumStrict: true}, ""},
		"AtLeastOneVote":         {Rule{Kind: TwoThirds, Quorum: Fraction{0, 1}, QuorumStrict: true}, ""},
		"Everyone":               {Rule{Kind: Majority, Quorum: Fraction{1, 1}}, ""},
		"PerMille":               {Rule{Kind: Majority, Quorum: Fraction{333, 1000}}, ""},
		"Consent":                {Rule{Kind: Consent, Blocks: 1}, ""},
		"ConsentThreeBlocks":     {Rule{Kind: Consent, Blocks: 3, Quorum: Fraction{1, 2}}, ""},
		"Plurality":              {Rule{Kind: Plurality}, ""},
		"ApprovalThree":          {Rule{Kind: Approval, Winners: 3}, ""},
		"IRVOne":                 {Rule{Kind: IRV, Winners: 1, Seed: 7}, ""},
		"SchulzeTwo":             {Rule{Kind: Schulze, Winners: 2}, ""},
		"NoKind":                 {Rule{}, "rule"},
		"UnknownKind":            {Rule{Kind: "lottery"}, "rule"},
		"CaseMatters":            {Rule{Kind: "Majority"}, "rule"},
		"NegativeNum":            {Rule{Kind: Majority, Quorum: Fraction{-1, 3}}, "quorum"},
		"NegativeDen":            {Rule{Kind: Majority, Quorum: Fraction{1, -3}}, "quorum"},
		"ZeroDen":                {Rule{Kind: Majority, Quorum: Fraction{1, 0}}, "quorum"},
		"MoreThanAll":            {Rule{Kind: Majority, Quorum: Fraction{4, 3}}, "quorum"},
		"HugeDen":                {Rule{Kind: Majority, Quorum: Fraction{1, MaxDen + 1}}, "quorum"},
		"StrictAll":              {Rule{Kind: Majority, Quorum: Fraction{2, 2}, QuorumStrict: true}, "quorum"},
		"StrictNothing":          {Rule{Kind: Majority, QuorumStrict: true}, "quorum"},
		"ConsentNoBlocks":        {Rule{Kind: Consent}, "blocks"},
		"ConsentNegativeBlocks":  {Rule{Kind: Consent, Blocks: -1}, "blocks"},
		"ConsentHugeBlocks":      {Rule{Kind: Consent, Blocks: MaxWeight + 1}, "blocks"},
		"BlocksOutsideConsent":   {Rule{Kind: Majority, Blocks: 2}, "blocks"},
		"WinnersOnYesNo":         {Rule{Kind: Majority, Winners: 1}, "winners"},
		"SeedOnYesNo":            {Rule{Kind: TwoThirds, Seed: 3}, "seed"},
		"NegativeWinners":        {Rule{Kind: Plurality, Winners: -1}, "winners"},
		"TooManyWinners":         {Rule{Kind: Approval, Winners: MaxOptions + 1}, "winners"},
		"IRVTwoWinners":          {Rule{Kind: IRV, Winners: 2}, "winners"},
		"BlocksOnOptions":        {Rule{Kind: Schulze, Blocks: 1}, "blocks"},
		"QuorumCheckedBeforeAll": {Rule{Kind: Consent, Quorum: Fraction{2, 1}}, "quorum"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.r.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if e := errs.As(err); e.Code != errs.Invalid || e.Field != tc.field {
				t.Fatalf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	maj := Rule{Kind: Majority}
	abs := Rule{Kind: Absolute}
	two := Rule{Kind: TwoThirds}
	third := Fraction{1, 3}
	half := Fraction{1, 2}
	withQ := func(r Rule, q Fraction, strict bool) Rule { r.Quorum, r.QuorumStrict = q, strict; return r }
	consent := func(blocks int64) Rule { return Rule{Kind: Consent, Blocks: blocks} }
	tests := map[string]struct {
		r      Rule
		c      Count
		result string
		reason string
		quorum int64 // Outcome.Quorum
		needed int64 // Outcome.Needed
	}{
		// Simple majority of votes cast.
		"Majority/Passes":                   {maj, Count{Yes: 6, No: 3, Abstain: 1, Entitled: 10}, Passed, ReasonMajority, 0, 4},
		"Majority/ByOne":                    {maj, Count{Yes: 5, No: 4, Entitled: 10}, Passed, ReasonMajority, 0, 5},
		"Majority/TieRejects":               {maj, Count{Yes: 4, No: 4, Abstain: 2, Entitled: 10}, Rejected, ReasonMajorityTie, 0, 5},
		"Majority/Against":                  {maj, Count{Yes: 2, No: 3, Entitled: 10}, Rejected, ReasonMajorityAgainst, 0, 4},
		"Majority/ZeroVotes":                {maj, Count{Entitled: 10}, Rejected, ReasonMajorityNoVotes, 0, 1},
		"Majority/OnlyAbstentions":          {maj, Count{Abstain: 7, Entitled: 10}, Rejected, ReasonMajorityNoVotes, 0, 1},
		"Majority/AbstentionsNotAgainst":    {maj, Count{Yes: 3, No: 2, Abstain: 5, Entitled: 10}, Passed, ReasonMajority, 0, 3},
		"Majority/OneVoteOfOne":             {maj, Count{Yes: 1, Entitled: 1}, Passed, ReasonMajority, 0, 1},
		"Majority/QuorumExactly":            {withQ(maj, third, false), Count{Yes: 2, No: 1, Entitled: 9}, Passed, ReasonMajority, 3, 2},
		"Majority/QuorumOneShort":           {withQ(maj, third, false), Count{Yes: 2, Entitled: 9}, NoQuorum, ReasonNoQuorum, 3, 0},
		"Majority/QuorumRoundsUpShort":      {withQ(maj, third, false), Count{Yes: 3, Entitled: 10}, NoQuorum, ReasonNoQuorum, 4, 0},
		"Majority/QuorumRoundsUpMet":        {withQ(maj, third, false), Count{Yes: 3, No: 1, Entitled: 10}, Passed, ReasonMajority, 4, 2},
		"Majority/AbstentionsMakeQuorum":    {withQ(maj, half, false), Count{Yes: 1, Abstain: 4, Entitled: 10}, Passed, ReasonMajority, 5, 1},
		"Majority/WithoutAbstentionsShort":  {withQ(maj, half, false), Count{Yes: 1, Abstain: 3, Entitled: 10}, NoQuorum, ReasonNoQuorum, 5, 0},
		"Majority/HalfPlusOneEvenShort":     {withQ(maj, half, true), Count{Yes: 5, Entitled: 10}, NoQuorum, ReasonNoQuorum, 6, 0},
		"Majority/HalfPlusOneEvenMet":       {withQ(maj, half, true), Count{Yes: 5, No: 1, Entitled: 10}, Passed, ReasonMajority, 6, 2},
		"Majority/HalfPlusOneOddShort":      {withQ(maj, half, true), Count{Yes: 5, Entitled: 11}, NoQuorum, ReasonNoQuorum, 6, 0},
		"Majority/HalfPlusOneOddMet":        {withQ(maj, half, true), Count{Yes: 5, No: 1, Entitled: 11}, Passed, ReasonMajority, 6, 2},
		"Majority/AtLeastOneVoteNone":       {withQ(maj, Fraction{0, 1}, true), Count{Entitled: 10}, NoQuorum, ReasonNoQuorum, 1, 0},
		"Majority/AtLeastOneVoteAbstention": {withQ(maj, Fraction{0, 1}, true), Count{Abstain: 1, Entitled: 10}, Rejected, ReasonMajorityNoVotes, 1, 1},
		"Majority/EveryoneShort":            {withQ(maj, Fraction{1, 1}, false), Count{Yes: 4, Entitled: 5}, NoQuorum, ReasonNoQuorum, 5, 0},
		"Majority/EveryoneMet":              {withQ(maj, Fraction{1, 1}, false), Count{Yes: 4, Abstain: 1, Entitled: 5}, Passed, ReasonMajority, 5, 1},
		"Majority/PerMille":                 {withQ(maj, Fraction{501, 1000}, false), Count{Yes: 500, Entitled: 1000}, NoQuorum, ReasonNoQuorum, 501, 0},
		"Majority/BigWeights":               {withQ(maj, Fraction{999, 1000}, false), Count{Yes: MaxWeight/2 - MaxWeight/2000, No: MaxWeight/2 - MaxWeight/2000, Abstain: MaxWeight / 1000, Entitled: MaxWeight}, Rejected, ReasonMajorityTie, MaxWeight / 1000 * 999, MaxWeight/2 - MaxWeight/2000 + 1},
		"NobodyEntitled":                    {maj, Count{}, NoQuorum, ReasonNobodyEntitled, 0, 0},
		"NobodyEntitledWithQuorum":          {withQ(maj, third, false), Count{}, NoQuorum, ReasonNobodyEntitled, 0, 0},
		"NobodyEntitledConsent":             {consent(1), Count{}, NoQuorum, ReasonNobodyEntitled, 0, 0},

		// Absolute majority of those entitled.
		"Absolute/MoreThanHalf":            {abs, Count{Yes: 6, Entitled: 11}, Passed, ReasonAbsolute, 0, 6},
		"Absolute/ExactlyHalfRejects":      {abs, Count{Yes: 5, Entitled: 10}, Rejected, ReasonAbsoluteShort, 0, 6},
		"Absolute/HalfPlusOne":             {abs, Count{Yes: 6, No: 4, Entitled: 10}, Passed, ReasonAbsolute, 0, 6},
		"Absolute/AbstentionsCountAgainst": {abs, Count{Yes: 5, No: 1, Abstain: 4, Entitled: 10}, Rejected, ReasonAbsoluteShort, 0, 6},
		"Absolute/AbsenceCountsAgainst":    {abs, Count{Yes: 5, Entitled: 11}, Rejected, ReasonAbsoluteShort, 0, 6},
		"Absolute/OddEntitled":             {abs, Count{Yes: 4, No: 3, Entitled: 7}, Passed, ReasonAbsolute, 0, 4},
		"Absolute/Zero":                    {abs, Count{Entitled: 3}, Rejected, ReasonAbsoluteShort, 0, 2},
		"Absolute/QuorumFirst":             {withQ(abs, Fraction{2, 3}, false), Count{Yes: 6, Entitled: 10}, NoQuorum, ReasonNoQuorum, 7, 0},
		"Absolute/QuorumThenMajority":      {withQ(abs, Fraction{2, 3}, false), Count{Yes: 6, Abstain: 1, Entitled: 10}, Passed, ReasonAbsolute, 7, 6},

		// Two thirds of votes cast.
		"TwoThirds/Exactly":             {two, Count{Yes: 20, No: 10, Abstain: 5, Entitled: 40}, Passed, ReasonTwoThirds, 0, 20},
		"TwoThirds/OneShort":            {two, Count{Yes: 19, No: 10, Entitled: 40}, Rejected, ReasonTwoThirdsShort, 0, 20},
		"TwoThirds/OneOver":             {two, Count{Yes: 21, No: 10, Entitled: 40}, Passed, ReasonTwoThirds, 0, 20},
		"TwoThirds/Unanimous":           {two, Count{Yes: 1, Entitled: 9}, Passed, ReasonTwoThirds, 0, 1},
		"TwoThirds/ZeroVotes":           {two, Count{Abstain: 3, Entitled: 3}, Rejected, ReasonTwoThirdsNoVotes, 0, 1},
		"TwoThirds/OnlyNo":              {two, Count{No: 1, Entitled: 3}, Rejected, ReasonTwoThirdsShort, 0, 2},
		"TwoThirds/AbstentionsIgnored":  {two, Count{Yes: 2, No: 1, Abstain: 7, Entitled: 10}, Passed, ReasonTwoThirds, 0, 2},
		"TwoThirds/HalfIsNotEnough":     {two, Count{Yes: 5, No: 5, Entitled: 10}, Rejected, ReasonTwoThirdsShort, 0, 10},
		"TwoThirds/QuorumOneShort":      {withQ(two, half, false), Count{Yes: 4, Entitled: 9}, NoQuorum, ReasonNoQuorum, 5, 0},
		"TwoThirds/QuorumExactlyByAbst": {withQ(two, half, false), Count{Yes: 4, Abstain: 1, Entitled: 9}, Passed, ReasonTwoThirds, 5, 1},

		// Consent.
		"Consent/NoBlocks":              {consent(1), Count{Yes: 5, Abstain: 2, Entitled: 10}, Passed, ReasonConsent, 0, 1},
		"Consent/OneBlockStops":         {consent(1), Count{Yes: 9, Block: 1, Entitled: 10}, Rejected, ReasonConsentBlocked, 0, 1},
		"Consent/BelowBlocks":           {consent(3), Count{Yes: 5, Block: 2, Entitled: 10}, Passed, ReasonConsent, 0, 1},
		"Consent/AtBlocks":              {consent(3), Count{Yes: 5, Block: 3, Entitled: 10}, Rejected, ReasonConsentBlocked, 0, 1},
		"Consent/AboveBlocks":           {consent(3), Count{Yes: 1, Block: 4, Entitled: 10}, Rejected, ReasonConsentBlocked, 0, 1},
		"Consent/StandAsideAllowed":     {consent(1), Count{Yes: 1, Abstain: 8, Entitled: 10}, Passed, ReasonConsent, 0, 1},
		"Consent/EveryoneStandsAside":   {consent(1), Count{Abstain: 5, Entitled: 5}, Rejected, ReasonConsentNone, 0, 1},
		"Consent/ZeroVotes":             {consent(1), Count{Entitled: 5}, Rejected, ReasonConsentNone, 0, 1},
		"Consent/BlockedBeatsNoConsent": {consent(1), Count{Block: 1, Entitled: 5}, Rejected, ReasonConsentBlocked, 0, 1},
		"Consent/BlocksMakeQuorum":      {withQ(consent(5), half, false), Count{Yes: 1, Abstain: 1, Block: 3, Entitled: 10}, Passed, ReasonConsent, 5, 1},
		"Consent/QuorumOneShort":        {withQ(consent(5), half, false), Count{Yes: 1, Abstain: 1, Block: 2, Entitled: 10}, NoQuorum, ReasonNoQuorum, 5, 0},
		"Consent/WeightedBlocks":        {consent(100), Count{Yes: 400, Block: 99, Entitled: 600}, Passed, ReasonConsent, 0, 1},
		"Consent/WeightedBlocksStop":    {consent(100), Count{Yes: 400, Block: 100, Entitled: 600}, Rejected, ReasonConsentBlocked, 0, 1},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, err := Decide(tc.r, tc.c)
			if err != nil {
				t.Fatal(err)
			}
			if o.Result != tc.result || o.Reason != tc.reason || o.Quorum != tc.quorum || o.Needed != tc.needed {
				t.Fatalf("got %+v, want %s %s quorum %d needed %d", o, tc.result, tc.reason, tc.quorum, tc.needed)
			}
			if o.Participation != tc.c.Participation() {
				t.Fatalf("participation %d, want %d", o.Participation, tc.c.Participation())
			}
			if tc.r.Kind == Consent && o.BlocksToStop != tc.r.Blocks {
				t.Fatalf("blocks to stop %d, want %d", o.BlocksToStop, tc.r.Blocks)
			}
		})
	}
}

func TestDecideErrors(t *testing.T) {
	maj := Rule{Kind: Majority}
	tests := map[string]struct {
		r     Rule
		c     Count
		field string
		key   string
	}{
		"InvalidRule":       {Rule{Kind: "lottery"}, Count{Entitled: 1}, "rule", "voting.rule.unknown"},
		"OptionRule":        {Rule{Kind: Plurality}, Count{Entitled: 1}, "rule", "voting.rule.not_yes_no"},
		"NegativeYes":       {maj, Count{Yes: -1, Entitled: 1}, "yes", "voting.count.range"},
		"NegativeNo":        {maj, Count{No: -1, Entitled: 1}, "no", "voting.count.range"},
		"NegativeAbstain":   {maj, Count{Abstain: -1, Entitled: 1}, "abstain", "voting.count.range"},
		"NegativeBlock":     {Rule{Kind: Consent, Blocks: 1}, Count{Block: -1, Entitled: 1}, "block", "voting.count.range"},
		"NegativeEntitled":  {maj, Count{Entitled: -1}, "entitled", "voting.count.range"},
		"HugeEntitled":      {maj, Count{Entitled: MaxWeight + 1}, "entitled", "voting.count.range"},
		"HugeYes":           {maj, Count{Yes: 1 << 62, Entitled: MaxWeight}, "yes", "voting.count.range"},
		"MoreVotesThanSeat": {maj, Count{Yes: 3, No: 2, Abstain: 1, Entitled: 5}, "entitled", "voting.count.exceeds_entitled"},
		"BlockInMajority":   {maj, Count{Yes: 3, Block: 1, Entitled: 5}, "block", "voting.count.block_consent_only"},
		"BlockInAbsolute":   {Rule{Kind: Absolute}, Count{Block: 1, Entitled: 5}, "block", "voting.count.block_consent_only"},
		"NoUnderConsent":    {Rule{Kind: Consent, Blocks: 1}, Count{Yes: 3, No: 1, Entitled: 5}, "no", "voting.count.no_under_consent"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			o, err := Decide(tc.r, tc.c)
			e := errs.As(err)
			if err == nil || e.Code != errs.Invalid || e.Field != tc.field || e.Key != tc.key {
				t.Fatalf("got %+v, %v; want invalid %s %s", o, err, tc.field, tc.key)
			}
		})
	}
}

func TestCountAdd(t *testing.T) {
	// An assembly of six delegates weighted by the members they represent:
	// three delegates of 120, 80 and 50 members vote yes, two of 300 and 40
	// vote no, one of 60 abstains; 150 members' delegates are absent.
	votes := []struct {
		choice string
		weight int64
	}{{Yes, 120}, {Yes, 80}, {Yes, 50}, {No, 300}, {No, 40}, {Abstain, 60}}
	weighted := Count{Entitled: 800}
	perSeat := Count{Entitled: 7}
	for _, v := range votes {
		if err := weighted.Add(v.choice, v.weight); err != nil {
			t.Fatal(err)
		}
		if err := perSeat.Add(v.choice, 1); err != nil {
			t.Fatal(err)
		}
	}
	if want := (Count{Yes: 250, No: 340, Abstain: 60, Entitled: 800}); weighted != want {
		t.Fatalf("weighted %+v, want %+v", weighted, want)
	}
	r := Rule{Kind: Majority, Quorum: Fraction{1, 2}}
	// One vote per seat: 3 yes against 2 no passes.
	if o, err := Decide(r, perSeat); err != nil || o.Result != Passed {
		t.Fatalf("per seat: %+v %v", o, err)
	}
	// Weighted by members: 250 yes against 340 no rejects; the 650 members
	// who took part reach the quorum of 400.
	if o, err := Decide(r, weighted); err != nil || o.Result != Rejected || o.Quorum != 400 || o.Participation != 650 {
		t.Fatalf("weighted: %+v %v", o, err)
	}

	tests := map[string]struct {
		start  Count
		choice string
		weight int64
		field  string
	}{
		"Block":          {Count{}, Block, 2, ""},
		"UnknownChoice":  {Count{}, "maybe", 1, "choice"},
		"ZeroWeight":     {Count{}, Yes, 0, "weight"},
		"NegativeWeight": {Count{}, No, -3, "weight"},
		"HugeWeight":     {Count{}, Yes, MaxWeight + 1, "weight"},
		"Overflow":       {Count{Yes: MaxWeight}, Yes, 1, "yes"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := tc.start
			err := c.Add(tc.choice, tc.weight)
			if tc.field == "" {
				if err != nil || c.Block != tc.weight {
					t.Fatalf("%+v %v", c, err)
				}
				return
			}
			if e := errs.As(err); err == nil || e.Field != tc.field || c != tc.start {
				t.Fatalf("got %+v %v, want error on %s and no change", c, err, tc.field)
			}
		})
	}
}

// randomCount draws a valid count for r with room for one more vote.
func randomCount(rng *rand.Rand, r Rule) Count {
	e := 1 + rng.Int64N(30)
	if rng.IntN(4) == 0 {
		e = 1 + rng.Int64N(MaxWeight/2)
	}
	var c Count
	c.Entitled = e
	left := e - 1
	take := func() int64 {
		if left <= 0 {
			return 0
		}
		v := rng.Int64N(left + 1)
		if rng.IntN(3) == 0 {
			v = 0
		}
		left -= v
		return v
	}
	c.Yes = take()
	if r.Kind == Consent {
		c.Block = take()
	} else {
		c.No = take()
	}
	c.Abstain = take()
	return c
}

func randomRule(rng *rand.Rand) Rule {
	r := Rule{Kind: YesNoKinds[rng.IntN(len(YesNoKinds))]}
	if r.Kind == Consent {
		r.Blocks = 1 + rng.Int64N(4)
	}
	if rng.IntN(4) > 0 {
		r.Quorum.Den = 1 + rng.IntN(MaxDen)
		r.Quorum.Num = rng.IntN(r.Quorum.Den + 1)
		r.QuorumStrict = r.Quorum.Num < r.Quorum.Den && rng.IntN(3) == 0
	}
	return r
}

func mustDecide(t *testing.T, r Rule, c Count) Outcome {
	t.Helper()
	o, err := Decide(r, c)
	if err != nil {
		t.Fatalf("%+v %+v: %v", r, c, err)
	}
	return o
}

// TestDecideProperties checks, over many random rules and counts, that
// one more vote moves the outcome only in its own direction.
func TestDecideProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 7))
	for range 200_000 {
		r := randomRule(rng)
		c := randomCount(rng, r)
		before := mustDecide(t, r, c)
		w := 1 + rng.Int64N(c.Entitled-c.Participation())

		// Quorum is monotonic in turnout: any further vote keeps it.
		choices := []string{Yes, No, Abstain}
		if r.Kind == Consent {
			choices = []string{Yes, Block, Abstain}
		}
		for _, choice := range choices {
			d := c
			if err := d.Add(choice, w); err != nil {
				t.Fatal(err)
			}
			after := mustDecide(t, r, d)
			if before.Result != NoQuorum && after.Result == NoQuorum {
				t.Fatalf("%+v: %+v had quorum, %s %d lost it", r, c, choice, w)
			}
			if before.Quorum != after.Quorum {
				t.Fatalf("%+v: quorum moved without a change of entitled", r)
			}
			if after.Result == NoQuorum {
				continue
			}
			switch choice {
			case Yes: // a yes never turns passed into rejected
				if before.Result == Passed && after.Result != Passed {
					t.Fatalf("%+v: %+v passed; with %d more yes: %+v", r, c, w, after)
				}
			case No, Block: // a no or a block never turns rejected into passed
				if before.Result == Rejected && after.Result == Passed {
					t.Fatalf("%+v: %+v rejected; with %d more %s: %+v", r, c, w, choice, after)
				}
			case Abstain: // an abstention never changes passed or rejected
				if before.Result != NoQuorum && after.Result != before.Result {
					t.Fatalf("%+v: %+v %s; with %d more abstentions: %+v", r, c, before.Result, w, after)
				}
			}
		}
		// Quorum is the least turnout that reaches it.
		if before.Result == NoQuorum && c.Entitled > 0 && before.Participation >= before.Quorum {
			t.Fatalf("%+v %+v: participation %d ≥ quorum %d but no quorum", r, c, before.Participation, before.Quorum)
		}
		if before.Result != NoQuorum && before.Participation < before.Quorum {
			t.Fatalf("%+v %+v: participation %d < quorum %d but quorum", r, c, before.Participation, before.Quorum)
		}
		// Needed yes votes pass, one fewer does not (given the other votes).
		if before.Result != NoQuorum && r.Kind != Consent && before.Needed <= c.Entitled-c.No-c.Abstain {
			d := c
			d.Yes = before.Needed
			if o := mustDecide(t, r, d); o.Result == Rejected {
				t.Fatalf("%+v %+v: %d yes should pass: %+v", r, c, before.Needed, o)
			}
			d.Yes--
			if d.Yes >= 0 {
				if o := mustDecide(t, r, d); o.Result == Passed {
					t.Fatalf("%+v %+v: %d yes should not pass: %+v", r, c, d.Yes, o)
				}
			}
		}
	}
}
