package motions

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"asamblea/errs"
	"asamblea/voting"
)

// checkErr fails unless err is an Invalid error about field with message
// key; an empty key asks for no error.
func checkErr(t *testing.T, err error, field, key string) {
	t.Helper()
	if key == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want %s (%s)", key, field)
	}
	e := errs.As(err)
	if e.Code != errs.Invalid || e.Key != key || e.Field != field {
		t.Fatalf("error %v, want invalid: %s (%s)", err, key, field)
	}
}

// checkArgs fails unless err carries the message arguments want.
func checkArgs(t *testing.T, err error, want ...any) {
	t.Helper()
	if got := errs.As(err).Args; !reflect.DeepEqual(got, want) {
		t.Fatalf("error args %#v, want %#v", got, want)
	}
}

// Motions of every kind the tests put ballots to.
var (
	yesNoMotion     = Motion{Rule: voting.Rule{Kind: voting.Majority}}
	consentMotion   = Motion{Rule: voting.Rule{Kind: voting.Consent, Blocks: 1}}
	threeOptions    = []string{"Norte", "Sur", "Centro"}
	pluralityMotion = Motion{Options: threeOptions, Rule: voting.Rule{Kind: voting.Plurality}}
	approvalMotion  = Motion{Options: threeOptions, Rule: voting.Rule{Kind: voting.Approval}}
	irvMotion       = Motion{Options: threeOptions, Rule: voting.Rule{Kind: voting.IRV}}
	schulzeMotion   = Motion{Options: threeOptions, Rule: voting.Rule{Kind: voting.Schulze}}
)

// optionNames returns n distinct option names.
func optionNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Option %d", i+1)
	}
	return out
}

func TestInputClean(t *testing.T) {
	half := voting.Fraction{Num: 1, Den: 2}
	tests := map[string]struct {
		in     Input
		quorum voting.Fraction
		// On success: the rule and the normalised input.
		rule    voting.Rule
		title   string
		text    string
		options []string
		kind    string
		// On failure.
		field, key string
		args       []any
	}{
		"DefaultMajority": {
			in:     Input{Title: "Buy a kettle", Text: "For the community kitchen."},
			quorum: half,
			rule:   voting.Rule{Kind: voting.Majority, Quorum: half},
			title:  "Buy a kettle", text: "For the community kitchen.", kind: voting.Majority,
		},
		"DefaultPluralityWithOptions": {
			in:    Input{Title: "Where to meet", Text: "Pick one.", Options: []string{"Plaza", "Local"}},
			rule:  voting.Rule{Kind: voting.Plurality},
			title: "Where to meet", text: "Pick one.", options: []string{"Plaza", "Local"}, kind: voting.Plurality,
		},
		"BlankOptionsDoNotMakeOptions": {
			in:    Input{Title: "Buy a kettle", Text: "Yes or no.", Options: []string{"", "  ", "\t"}},
			rule:  voting.Rule{Kind: voting.Majority},
			title: "Buy a kettle", text: "Yes or no.", kind: voting.Majority,
		},
		"Normalised": {
			in: Input{Title: "  Buy   a\nkettle \t", Text: "  line one\r\nline\ttwo\n\n",
				Options: []string{"  Red  ", "", "Dark   blue", " "}},
			rule:  voting.Rule{Kind: voting.Plurality},
			title: "Buy a kettle", text: "line one\nline\ttwo", options: []string{"Red", "Dark blue"}, kind: voting.Plurality,
		},
		"NFC": {
			in:    Input{Title: "Cafe\u0301 for all", Text: "x"},
			rule:  voting.Rule{Kind: voting.Majority},
			title: "Café for all", text: "x", kind: voting.Majority,
		},
		"TitleNELIsSpace": {
			in:    Input{Title: "Buy a\u0085kettle", Text: "x"},
			rule:  voting.Rule{Kind: voting.Majority},
			title: "Buy a kettle", text: "x", kind: voting.Majority,
		},
		"TitleMinimum": {
			in:    Input{Title: "abc", Text: "x"},
			rule:  voting.Rule{Kind: voting.Majority},
			title: "abc", text: "x", kind: voting.Majority,
		},
		"TitleMaximumInRunes": {
			in:    Input{Title: strings.Repeat("ñ", TitleMax), Text: "x"},
			rule:  voting.Rule{Kind: voting.Majority},
			title: strings.Repeat("ñ", TitleMax), text: "x", kind: voting.Majority,
		},
		"TwoThirds": {
			in:    Input{Title: "Strike", Text: "x", Rule: voting.TwoThirds},
			rule:  voting.Rule{Kind: voting.TwoThirds},
			title: "Strike", text: "x", kind: voting.TwoThirds,
		},
		"Absolute": {
			in:    Input{Title: "Strike", Text: "x", Rule: voting.Absolute},
			rule:  voting.Rule{Kind: voting.Absolute},
			title: "Strike", text: "x", kind: voting.Absolute,
		},
		"ConsentWithBlocks": {
			in:    Input{Title: "Strike", Text: "x", Rule: voting.Consent, Blocks: 2},
			rule:  voting.Rule{Kind: voting.Consent, Blocks: 2},
			title: "Strike", text: "x", kind: voting.Consent,
		},
		"ApprovalTwoWinnersOfThree": {
			in:    Input{Title: "Delegates", Text: "x", Rule: voting.Approval, Options: []string{"A", "B", "C"}, Winners: 2},
			rule:  voting.Rule{Kind: voting.Approval, Winners: 2},
			title: "Delegates", text: "x", options: []string{"A", "B", "C"}, kind: voting.Approval,
		},
		"IRV": {
			in:    Input{Title: "Delegates", Text: "x", Rule: voting.IRV, Options: []string{"A", "B"}},
			rule:  voting.Rule{Kind: voting.IRV},
			title: "Delegates", text: "x", options: []string{"A", "B"}, kind: voting.IRV,
		},
		"Schulze": {
			in:    Input{Title: "Delegates", Text: "x", Rule: voting.Schulze, Options: []string{"A", "B"}, Winners: 1},
			rule:  voting.Rule{Kind: voting.Schulze, Winners: 1},
			title: "Delegates", text: "x", options: []string{"A", "B"}, kind: voting.Schulze,
		},
		"MaxOptions": {
			in:    Input{Title: "Many", Text: "x", Options: optionNames(MaxOptions)},
			rule:  voting.Rule{Kind: voting.Plurality},
			title: "Many", text: "x", options: optionNames(MaxOptions), kind: voting.Plurality,
		},
		"OptionMaximum": {
			in:    Input{Title: "Long", Text: "x", Options: []string{strings.Repeat("é", OptionMax), "B"}},
			rule:  voting.Rule{Kind: voting.Plurality},
			title: "Long", text: "x", options: []string{strings.Repeat("é", OptionMax), "B"}, kind: voting.Plurality,
		},

		"TitleMissing":      {in: Input{Text: "x"}, field: "title", key: "error.required"},
		"TitleOnlySpaces":   {in: Input{Title: "  \t ", Text: "x"}, field: "title", key: "error.required"},
		"TitleTooShort":     {in: Input{Title: "ab", Text: "x"}, field: "title", key: "error.too_short", args: []any{3}},
		"TitleShortSpaced":  {in: Input{Title: "  a  ", Text: "x"}, field: "title", key: "error.too_short", args: []any{3}},
		"TitleTooLong":      {in: Input{Title: strings.Repeat("a", TitleMax+1), Text: "x"}, field: "title", key: "error.too_long", args: []any{TitleMax}},
		"TitleBell":         {in: Input{Title: "Buy\x07 a kettle", Text: "x"}, field: "title", key: "error.bad_characters"},
		"TitleNUL":          {in: Input{Title: "Buy a\x00kettle", Text: "x"}, field: "title", key: "error.bad_characters"},
		"TextNEL":           {in: Input{Title: "Buy a kettle", Text: "one\u0085two"}, field: "text", key: "error.bad_characters"},
		"TitleInvalidUTF8":  {in: Input{Title: "Buy a \xff kettle", Text: "x"}, field: "title", key: "error.bad_characters"},
		"TitleBeforeText":   {in: Input{Title: "ab"}, field: "title", key: "error.too_short", args: []any{3}},
		"TextMissing":       {in: Input{Title: "Buy a kettle", Text: " \n "}, field: "text", key: "error.required"},
		"TextControl":       {in: Input{Title: "Buy a kettle", Text: "one\x00two"}, field: "text", key: "error.bad_characters"},
		"TextEscape":        {in: Input{Title: "Buy a kettle", Text: "one\x1b[31mtwo"}, field: "text", key: "error.bad_characters"},
		"TextTooLong":       {in: Input{Title: "Buy a kettle", Text: strings.Repeat("a", TextMax+1)}, field: "text", key: "error.too_long", args: []any{TextMax}},
		"OptionTooLong":     {in: Input{Title: "Long", Text: "x", Options: []string{strings.Repeat("a", OptionMax+1), "B"}}, field: "options", key: "error.too_long", args: []any{OptionMax}},
		"OptionControl":     {in: Input{Title: "Ctrl", Text: "x", Options: []string{"A", "B\x07"}}, field: "options", key: "error.bad_characters"},
		"OptionsCollapsed":  {in: Input{Title: "Ctrl", Text: "x", Options: []string{"A\nB", "a b"}}, field: "options", key: "motion.options.twice", args: []any{"a b"}},
		"DuplicateOptions":  {in: Input{Title: "Twice", Text: "x", Options: []string{"Red", "Blue", "red"}}, field: "options", key: "motion.options.twice", args: []any{"red"}},
		"DuplicateUpper":    {in: Input{Title: "Twice", Text: "x", Options: []string{"SÍ", "sí"}}, field: "options", key: "motion.options.twice", args: []any{"sí"}},
		"DuplicateSpaces":   {in: Input{Title: "Twice", Text: "x", Options: []string{"Dark blue", " DARK   BLUE "}}, field: "options", key: "motion.options.twice", args: []any{"DARK BLUE"}},
		"DuplicateNFC":      {in: Input{Title: "Twice", Text: "x", Options: []string{"Café", "Cafe\u0301"}}, field: "options", key: "motion.options.twice", args: []any{"Café"}},
		"TooManyOptions":    {in: Input{Title: "Many", Text: "x", Options: optionNames(MaxOptions + 1)}, field: "options", key: "motion.options.too_many", args: []any{MaxOptions}},
		"MajorityOptions":   {in: Input{Title: "Mixed", Text: "x", Rule: voting.Majority, Options: []string{"A", "B"}}, field: "options", key: "motion.options.yes_no"},
		"ConsentOptions":    {in: Input{Title: "Mixed", Text: "x", Rule: voting.Consent, Blocks: 1, Options: []string{"A", "B"}}, field: "options", key: "motion.options.yes_no"},
		"TwoThirdsOneOpt":   {in: Input{Title: "Mixed", Text: "x", Rule: voting.TwoThirds, Options: []string{"A"}}, field: "options", key: "motion.options.yes_no"},
		"PluralityOneOpt":   {in: Input{Title: "Few", Text: "x", Rule: voting.Plurality, Options: []string{"A"}}, field: "options", key: "motion.options.too_few"},
		"DefaultOneOpt":     {in: Input{Title: "Few", Text: "x", Options: []string{"A"}}, field: "options", key: "motion.options.too_few"},
		"ApprovalNoOptions": {in: Input{Title: "Few", Text: "x", Rule: voting.Approval}, field: "options", key: "motion.options.too_few"},
		"IRVBlankOptions":   {in: Input{Title: "Few", Text: "x", Rule: voting.IRV, Options: []string{"A", " ", ""}}, field: "options", key: "motion.options.too_few"},
		"WinnersEqual":      {in: Input{Title: "Seats", Text: "x", Rule: voting.Approval, Options: []string{"A", "B", "C"}, Winners: 3}, field: "winners", key: "voting.winners.range", args: []any{1, 2}},
		"WinnersAbove":      {in: Input{Title: "Seats", Text: "x", Rule: voting.Schulze, Options: []string{"A", "B"}, Winners: 5}, field: "winners", key: "voting.winners.range", args: []any{1, 1}},
		"WinnersNegative":   {in: Input{Title: "Seats", Text: "x", Rule: voting.Plurality, Options: []string{"A", "B"}, Winners: -1}, field: "winners", key: "voting.winners.range"},
		"WinnersIRV":        {in: Input{Title: "Seats", Text: "x", Rule: voting.IRV, Options: []string{"A", "B", "C"}, Winners: 2}, field: "winners", key: "voting.winners.irv_single"},
		"WinnersYesNo":      {in: Input{Title: "Seats", Text: "x", Winners: 1}, field: "winners", key: "voting.winners.options_only"},
		"ConsentNoBlocks":   {in: Input{Title: "Agree", Text: "x", Rule: voting.Consent}, field: "blocks", key: "voting.blocks.range"},
		"BlocksNotConsent":  {in: Input{Title: "Agree", Text: "x", Blocks: 1}, field: "blocks", key: "voting.blocks.consent_only"},
		"UnknownRule":       {in: Input{Title: "Agree", Text: "x", Rule: "unanimity"}, field: "rule", key: "voting.rule.unknown", args: []any{"unanimity"}},
		"QuorumAboveAll":    {in: Input{Title: "Agree", Text: "x"}, quorum: voting.Fraction{Num: 3, Den: 2}, field: "quorum", key: "voting.quorum.range"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := tt.in
			in.Options = slices.Clone(tt.in.Options)
			r, err := in.Clean(tt.quorum)
			checkErr(t, err, tt.field, tt.key)
			if tt.key != "" {
				if tt.args != nil {
					checkArgs(t, err, tt.args...)
				}
				return
			}
			if !reflect.DeepEqual(r, tt.rule) {
				t.Errorf("rule %+v, want %+v", r, tt.rule)
			}
			if in.Title != tt.title || in.Text != tt.text || in.Rule != tt.kind {
				t.Errorf("cleaned to title %q text %q rule %q, want %q %q %q", in.Title, in.Text, in.Rule, tt.title, tt.text, tt.kind)
			}
			if !slices.Equal(in.Options, tt.options) {
				t.Errorf("options %q, want %q", in.Options, tt.options)
			}
			if err := r.Validate(); err != nil {
				t.Errorf("returned rule does not validate: %v", err)
			}
		})
	}
}

func TestVotingHours(t *testing.T) {
	tests := map[string]struct {
		hours int
		want  time.Duration
		ok    bool
	}{
		"Zero":     {0, 0, false},
		"Negative": {-1, 0, false},
		"Minimum":  {1, time.Hour, true},
		"Default":  {48, DefaultVoting, true},
		"Maximum":  {720, MaxVoting, true},
		"Above":    {721, 0, false},
		"Huge":     {1 << 40, 0, false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			d, err := VotingHours(tt.hours)
			if !tt.ok {
				checkErr(t, err, "hours", "motion.hours.range")
				checkArgs(t, err, 1, 720)
				if d != 0 {
					t.Errorf("duration %v with an error", d)
				}
				return
			}
			checkErr(t, err, "", "")
			if d != tt.want {
				t.Errorf("VotingHours(%d) = %v, want %v", tt.hours, d, tt.want)
			}
		})
	}
}

// An hour count whose product with time.Hour wraps around 64 bits back
// into the allowed range is accepted as that short duration.
func TestVotingHoursOverflow(t *testing.T) {
	if strconv.IntSize < 64 {
		t.Skip("needs 64-bit int")
	}
	for _, h := range []int{1<<51 + 24, -(1 << 51) + 24, 1<<51 + 1} {
		d, err := VotingHours(h)
		if err == nil {
			t.Errorf("VotingHours(%d) = %v, want motion.hours.range", h, d)
		}
	}
}

// allStates lists every status a motion may have, and an unknown one.
var allStates = []string{Draft, Discussion, Voting, Recorded, Passed, Rejected, NoQuorum, Decided, Tie, Withdrawn, "", "archived"}

func TestCanMove(t *testing.T) {
	allowed := map[[2]string]bool{
		{Draft, Discussion}:     true,
		{Draft, Voting}:         true,
		{Discussion, Voting}:    true,
		{Draft, Withdrawn}:      true,
		{Discussion, Withdrawn}: true,
		{Voting, Withdrawn}:     true,
	}
	for _, from := range allStates {
		for _, to := range allStates {
			t.Run(from+"→"+to, func(t *testing.T) {
				err := CanMove(from, to)
				if allowed[[2]string{from, to}] {
					if err != nil {
						t.Fatalf("refused: %v", err)
					}
					return
				}
				if err == nil {
					t.Fatal("allowed")
				}
				e := errs.As(err)
				if e.Code != errs.Conflict || e.Key != "motion.move.refused" || e.Field != "" {
					t.Fatalf("error %v, want conflict motion.move.refused", err)
				}
				checkArgs(t, err, from, to)
			})
		}
	}
}

func TestClosedOpen(t *testing.T) {
	closed := []string{Passed, Rejected, NoQuorum, Decided, Tie, Withdrawn}
	open := []string{Draft, Discussion, Voting}
	for _, s := range allStates {
		if got, want := Closed(s), slices.Contains(closed, s); got != want {
			t.Errorf("Closed(%q) = %v, want %v", s, got, want)
		}
		if got, want := Open(s), slices.Contains(open, s); got != want {
			t.Errorf("Open(%q) = %v, want %v", s, got, want)
		}
	}
	// A meeting's decision waiting for confirmation is neither.
	if Closed(Recorded) || Open(Recorded) {
		t.Error("recorded is open or closed")
	}
}

func TestChoices(t *testing.T) {
	tests := map[string]struct {
		kind string
		want []string
	}{
		"Majority":  {voting.Majority, []string{"yes", "no", "abstain"}},
		"Absolute":  {voting.Absolute, []string{"yes", "no", "abstain"}},
		"TwoThirds": {voting.TwoThirds, []string{"yes", "no", "abstain"}},
		"Consent":   {voting.Consent, []string{"yes", "abstain", "block"}},
	}
	for name, tt := range tests {
		if got := Choices(voting.Rule{Kind: tt.kind}); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %q, want %q", name, got, tt.want)
		}
	}
}

func TestBallotEncode(t *testing.T) {
	tests := map[string]struct {
		m          Motion
		b          Ballot
		want       string
		field, key string
	}{
		"Yes":            {m: yesNoMotion, b: Ballot{Choice: "yes"}, want: "yes"},
		"No":             {m: yesNoMotion, b: Ballot{Choice: "no"}, want: "no"},
		"Abstain":        {m: yesNoMotion, b: Ballot{Choice: "abstain"}, want: "abstain"},
		"TwoThirdsNo":    {m: Motion{Rule: voting.Rule{Kind: voting.TwoThirds}}, b: Ballot{Choice: "no"}, want: "no"},
		"AbsoluteYes":    {m: Motion{Rule: voting.Rule{Kind: voting.Absolute}}, b: Ballot{Choice: "yes"}, want: "yes"},
		"BlockNoConsent": {m: yesNoMotion, b: Ballot{Choice: "block"}, field: "choice", key: "motion.ballot.choice"},
		"BlankYesNo":     {m: yesNoMotion, b: Ballot{}, field: "choice", key: "motion.ballot.choice"},
		"UpperYes":       {m: yesNoMotion, b: Ballot{Choice: "YES"}, field: "choice", key: "motion.ballot.choice"},
		"SpacedYes":      {m: yesNoMotion, b: Ballot{Choice: " yes"}, field: "choice", key: "motion.ballot.choice"},
		"OptionIndex":    {m: yesNoMotion, b: Ballot{Choice: "0"}, field: "choice", key: "motion.ballot.choice"},
		"RankingYesNo":   {m: yesNoMotion, b: Ballot{Ranking: []int{0}}, field: "ranking", key: "motion.ballot.no_ranking"},
		"RankingAndYes":  {m: yesNoMotion, b: Ballot{Choice: "yes", Ranking: []int{0}}, field: "ranking", key: "motion.ballot.no_ranking"},
		"YesNoOptions":   {m: Motion{Options: threeOptions, Rule: voting.Rule{Kind: voting.Majority}}, b: Ballot{Ranking: []int{1}}, field: "ranking", key: "motion.ballot.no_ranking"},

		"Consent":        {m: consentMotion, b: Ballot{Choice: "yes"}, want: "yes"},
		"StandAside":     {m: consentMotion, b: Ballot{Choice: "abstain"}, want: "abstain"},
		"Block":          {m: consentMotion, b: Ballot{Choice: "block"}, want: "block"},
		"NoUnderConsent": {m: consentMotion, b: Ballot{Choice: "no"}, field: "choice", key: "motion.ballot.choice"},
		"RankingConsent": {m: consentMotion, b: Ballot{Ranking: []int{0}}, field: "ranking", key: "motion.ballot.no_ranking"},

		"PluralityOne":        {m: pluralityMotion, b: Ballot{Ranking: []int{1}}, want: "1"},
		"PluralityFirstOnly":  {m: pluralityMotion, b: Ballot{Ranking: []int{2, 0, 1}}, want: "2"},
		"PluralityBlank":      {m: pluralityMotion, b: Ballot{}, want: ""},
		"PluralityEmpty":      {m: pluralityMotion, b: Ballot{Ranking: []int{}}, want: ""},
		"PluralityTwiceLater": {m: pluralityMotion, b: Ballot{Ranking: []int{0, 1, 1}}, field: "ranking", key: "motion.ballot.twice"},
		"PluralityBadLater":   {m: pluralityMotion, b: Ballot{Ranking: []int{0, 3}}, field: "ranking", key: "motion.ballot.unknown_option"},
		"PluralityChoice":     {m: pluralityMotion, b: Ballot{Choice: "yes"}, field: "choice", key: "motion.ballot.rank_options"},
		"PluralityIndexText":  {m: pluralityMotion, b: Ballot{Choice: "1"}, field: "choice", key: "motion.ballot.rank_options"},

		"ApprovalSorted":   {m: approvalMotion, b: Ballot{Ranking: []int{2, 0}}, want: "0,2"},
		"ApprovalAll":      {m: approvalMotion, b: Ballot{Ranking: []int{2, 1, 0}}, want: "0,1,2"},
		"ApprovalOne":      {m: approvalMotion, b: Ballot{Ranking: []int{1}}, want: "1"},
		"ApprovalBlank":    {m: approvalMotion, b: Ballot{}, want: ""},
		"ApprovalTwice":    {m: approvalMotion, b: Ballot{Ranking: []int{1, 2, 1}}, field: "ranking", key: "motion.ballot.twice"},
		"ApprovalNegative": {m: approvalMotion, b: Ballot{Ranking: []int{-1}}, field: "ranking", key: "motion.ballot.unknown_option"},
		"ApprovalChoice":   {m: approvalMotion, b: Ballot{Choice: "block"}, field: "choice", key: "motion.ballot.rank_options"},

		"IRVOrderKept":   {m: irvMotion, b: Ballot{Ranking: []int{2, 0, 1}}, want: "2,0,1"},
		"IRVPartial":     {m: irvMotion, b: Ballot{Ranking: []int{1}}, want: "1"},
		"IRVBlank":       {m: irvMotion, b: Ballot{}, want: ""},
		"IRVOutOfRange":  {m: irvMotion, b: Ballot{Ranking: []int{0, 3}}, field: "ranking", key: "motion.ballot.unknown_option"},
		"IRVTwice":       {m: irvMotion, b: Ballot{Ranking: []int{0, 0}}, field: "ranking", key: "motion.ballot.twice"},
		"SchulzeOrder":   {m: schulzeMotion, b: Ballot{Ranking: []int{1, 2}}, want: "1,2"},
		"SchulzeHuge":    {m: schulzeMotion, b: Ballot{Ranking: []int{1 << 40}}, field: "ranking", key: "motion.ballot.unknown_option"},
		"SchulzeTwice":   {m: schulzeMotion, b: Ballot{Ranking: []int{2, 1, 2}}, field: "ranking", key: "motion.ballot.twice"},
		"SchulzeChoice":  {m: schulzeMotion, b: Ballot{Choice: "no", Ranking: []int{0}}, field: "choice", key: "motion.ballot.rank_options"},
		"OptionsNoneYet": {m: Motion{Rule: voting.Rule{Kind: voting.Plurality}}, b: Ballot{Ranking: []int{0}}, field: "ranking", key: "motion.ballot.unknown_option"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			before := slices.Clone(tt.b.Ranking)
			got, err := tt.b.Encode(tt.m)
			checkErr(t, err, tt.field, tt.key)
			if !slices.Equal(tt.b.Ranking, before) {
				t.Errorf("Encode changed the ballot's ranking to %v", tt.b.Ranking)
			}
			if tt.key != "" {
				if got != "" {
					t.Errorf("encoded %q with an error", got)
				}
				return
			}
			if got != tt.want {
				t.Fatalf("encoded %q, want %q", got, tt.want)
			}
			if !tt.m.IsOptions() {
				return
			}
			// What is stored reads back.
			r, err := DecodeRanking(got)
			if err != nil {
				t.Fatalf("DecodeRanking(%q): %v", got, err)
			}
			parts := make([]string, len(r))
			for i, v := range r {
				parts[i] = strconv.Itoa(v)
			}
			if back := strings.Join(parts, ","); back != got {
				t.Errorf("decoded %v from %q, which reads as %q", r, got, back)
			}
		})
	}
}

func TestDecodeRanking(t *testing.T) {
	ok := map[string][]int{
		"":            nil,
		"0":           {0},
		"2":           {2},
		"2,0,1":       {2, 0, 1},
		"10,3":        {10, 3},
		"49,0,17,100": {49, 0, 17, 100},
	}
	for s, want := range ok {
		got, err := DecodeRanking(s)
		if err != nil || !slices.Equal(got, want) || (want == nil) != (got == nil) {
			t.Errorf("DecodeRanking(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"a", "1,", ",1", ",", "1,,2", "-1", "0,-3", " 1", "1 ", "1;2", "1.5", "0x1", "yes", "99999999999999999999999"} {
		got, err := DecodeRanking(s)
		if got != nil {
			t.Errorf("DecodeRanking(%q) = %v with an error", s, got)
		}
		checkErr(t, err, "ranking", "motion.ballot.unknown_option")
	}
}

func TestDeviates(t *testing.T) {
	majority := voting.Rule{Kind: voting.Majority}
	consent := voting.Rule{Kind: voting.Consent, Blocks: 1}
	plurality := voting.Rule{Kind: voting.Plurality}
	approval := voting.Rule{Kind: voting.Approval}
	irv := voting.Rule{Kind: voting.IRV}
	schulze := voting.Rule{Kind: voting.Schulze}
	tests := map[string]struct {
		r                   voting.Rule
		instruction, choice string
		want                bool
	}{
		"NoInstructionYesNo":    {majority, "", "no", false},
		"NoInstructionAbstain":  {majority, "", "abstain", false},
		"NoInstructionOptions":  {plurality, "", "2", false},
		"NoInstructionBlank":    {approval, "", "", false},
		"NoInstructionGarbage":  {irv, "", "x,,", false},
		"YesFollowed":           {majority, "yes", "yes", false},
		"NoFollowed":            {majority, "no", "no", false},
		"YesVotedNo":            {majority, "yes", "no", true},
		"NoVotedYes":            {majority, "no", "yes", true},
		"AbstainingDeviates":    {majority, "yes", "abstain", true},
		"AbstainingDeviatesNo":  {majority, "no", "abstain", true},
		"ConsentFollowed":       {consent, "yes", "yes", false},
		"ConsentBlockDeviates":  {consent, "yes", "block", true},
		"ConsentAsideDeviates":  {consent, "yes", "abstain", true},
		"PluralityFollowed":     {plurality, "1", "1", false},
		"PluralityOther":        {plurality, "1", "0", true},
		"PluralityBlank":        {plurality, "1", "", true},
		"PluralityMalformed":    {plurality, "1", "one", true},
		"PluralityEmptyPart":    {plurality, "1", "1,,2", true},
		"PluralityNegative":     {plurality, "1", "-1", true},
		"InstructionMalformed":  {plurality, "x", "1", true},
		"IRVFirstChoice":        {irv, "1", "1,0,2", false},
		"IRVSecondChoice":       {irv, "1", "0,1,2", true},
		"IRVOnlyChoice":         {irv, "2", "2", false},
		"IRVBlank":              {irv, "2", "", true},
		"SchulzeFirstChoice":    {schulze, "0", "0,2", false},
		"SchulzeLaterChoice":    {schulze, "0", "2,0", true},
		"ApprovalOnlyApproved":  {approval, "1", "1", false},
		"ApprovalAmongApproved": {approval, "1", "0,1,2", false},
		"ApprovalLastApproved":  {approval, "2", "0,1,2", false},
		"ApprovalNotApproved":   {approval, "1", "0,2", true},
		"ApprovalBlank":         {approval, "1", "", true},
		"ApprovalMalformed":     {approval, "1", "0,a,1", true},
		"ApprovalBadInstr":      {approval, "yes", "0,1", true},
	}
	for name, tt := range tests {
		if got := Deviates(tt.r, tt.instruction, tt.choice); got != tt.want {
			t.Errorf("%s: Deviates(%s, %q, %q) = %v, want %v", name, tt.r.Kind, tt.instruction, tt.choice, got, tt.want)
		}
	}
}

func TestPrefill(t *testing.T) {
	tests := map[string]struct {
		m           Motion
		instruction string
		want        Ballot
	}{
		"NoInstruction":        {yesNoMotion, "", Ballot{}},
		"Yes":                  {yesNoMotion, "yes", Ballot{Choice: "yes"}},
		"No":                   {yesNoMotion, "no", Ballot{Choice: "no"}},
		"ConsentYes":           {consentMotion, "yes", Ballot{Choice: "yes"}},
		"OptionsNoInstruction": {pluralityMotion, "", Ballot{}},
		"Option":               {pluralityMotion, "2", Ballot{Ranking: []int{2}}},
		"OptionFirst":          {irvMotion, "0", Ballot{Ranking: []int{0}}},
		"ApprovalOption":       {approvalMotion, "1", Ballot{Ranking: []int{1}}},
		"OutOfRange":           {pluralityMotion, "3", Ballot{}},
		"Negative":             {schulzeMotion, "-1", Ballot{}},
		"Malformed":            {approvalMotion, "yes", Ballot{}},
		"Ranking":              {irvMotion, "1,2", Ballot{}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got := Prefill(tt.m, tt.instruction)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Prefill(%q) = %+v, want %+v", tt.instruction, got, tt.want)
			}
			if reflect.DeepEqual(got, Ballot{}) {
				return
			}
			// The ballot offered is one the delegate may cast, and casting
			// it follows the instruction.
			enc, err := got.Encode(tt.m)
			if err != nil {
				t.Fatalf("prefilled ballot refused: %v", err)
			}
			if Deviates(tt.m.Rule, tt.instruction, enc) {
				t.Errorf("prefilled ballot %q deviates from %q", enc, tt.instruction)
			}
		})
	}
}

// followable checks that every result a base's copy of m can reach, as an
// instruction, is one a delegate can follow: Prefill offers a ballot that
// encodes and does not deviate.
func followable(t *testing.T, m Motion, decisions map[string]Decision) {
	t.Helper()
	for name, d := range decisions {
		instr := ResultOf(d)
		if instr == "" {
			continue
		}
		b := Prefill(m, instr)
		enc, err := b.Encode(m)
		if err != nil {
			t.Errorf("%s: instruction %q: prefilled ballot %+v refused: %v", name, instr, b, err)
			continue
		}
		if Deviates(m.Rule, instr, enc) {
			t.Errorf("%s: instruction %q: prefilled ballot %q deviates", name, instr, enc)
		}
	}
}

// yesNoDecisions decides counts under rule r, keyed by a name.
func yesNoDecisions(t *testing.T, r voting.Rule, counts map[string]voting.Count) map[string]Decision {
	t.Helper()
	out := map[string]Decision{}
	for name, c := range counts {
		o, err := voting.Decide(r, c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = Decision{Count: c, Outcome: &o}
	}
	return out
}

func TestInstructionsFollowable(t *testing.T) {
	for _, kind := range []string{voting.Majority, voting.Absolute, voting.TwoThirds} {
		m := Motion{Rule: voting.Rule{Kind: kind}}
		followable(t, m, yesNoDecisions(t, m.Rule, map[string]voting.Count{
			"Passed":   {Yes: 8, No: 1, Entitled: 10},
			"Rejected": {Yes: 1, No: 8, Entitled: 10},
		}))
	}
	for _, m := range []Motion{pluralityMotion, approvalMotion, irvMotion, schulzeMotion} {
		for i := range m.Options {
			o, err := voting.DecideOptions(m.Rule, m.Options, []voting.Ballot{{Ranking: []int{i}, Weight: 3}}, 5)
			if err != nil {
				t.Fatal(err)
			}
			followable(t, m, map[string]Decision{m.Rule.Kind + strconv.Itoa(i): {Options: &o}})
		}
	}
}

// A base's copy of a consent motion that is rejected (blocked, or nobody
// consented) instructs "no"; no ballot under consent can follow it.
func TestInstructionsFollowableConsent(t *testing.T) {
	m := consentMotion
	followable(t, m, yesNoDecisions(t, m.Rule, map[string]voting.Count{
		"Consented": {Yes: 5, Entitled: 10},
		"Blocked":   {Yes: 5, Block: 1, Entitled: 10},
		"NoConsent": {Abstain: 5, Entitled: 10},
	}))
	followed := false
	for _, c := range Choices(m.Rule) {
		if !Deviates(m.Rule, voting.No, c) {
			followed = true
		}
	}
	if !followed {
		t.Error("no choice under consent follows a \"no\" instruction")
	}
}

func TestResultOfStatusOf(t *testing.T) {
	outcome := func(result string) *voting.Outcome { return &voting.Outcome{Result: result} }
	tests := map[string]struct {
		d              Decision
		result, status string
	}{
		"Passed":          {Decision{Outcome: outcome(voting.Passed)}, "yes", Passed},
		"Rejected":        {Decision{Outcome: outcome(voting.Rejected)}, "no", Rejected},
		"NoQuorum":        {Decision{Outcome: outcome(voting.NoQuorum)}, "", NoQuorum},
		"Decided":         {Decision{Options: &voting.OptionOutcome{Result: voting.Decided, WinnerIndex: []int{2}}}, "2", Decided},
		"DecidedFirst":    {Decision{Options: &voting.OptionOutcome{Result: voting.Decided, WinnerIndex: []int{1, 0}}}, "1", Decided},
		"DecidedZero":     {Decision{Options: &voting.OptionOutcome{Result: voting.Decided, WinnerIndex: []int{0}}}, "0", Decided},
		"DecidedNoWinner": {Decision{Options: &voting.OptionOutcome{Result: voting.Decided}}, "", Decided},
		"Tie":             {Decision{Options: &voting.OptionOutcome{Result: voting.Tie, TiedIndex: []int{0, 1}, Places: 1}}, "", Tie},
		"TieCertain":      {Decision{Options: &voting.OptionOutcome{Result: voting.Tie, WinnerIndex: []int{2}, TiedIndex: []int{0, 1}, Places: 1}}, "", Tie},
		"OptionsNoQuorum": {Decision{Options: &voting.OptionOutcome{Result: voting.NoQuorum}}, "", NoQuorum},
		"NoVotes":         {Decision{Options: &voting.OptionOutcome{Result: voting.NoVotes}}, "", NoQuorum},
		"Nothing":         {Decision{}, "", NoQuorum},
	}
	for name, tt := range tests {
		if got := ResultOf(tt.d); got != tt.result {
			t.Errorf("%s: ResultOf = %q, want %q", name, got, tt.result)
		}
		if got := StatusOf(tt.d); got != tt.status {
			t.Errorf("%s: StatusOf = %q, want %q", name, got, tt.status)
		}
	}
}

// ResultOf and StatusOf on what the voting rules actually decide.
func TestResultOfDecided(t *testing.T) {
	half := voting.Fraction{Num: 1, Den: 2}
	yesNo := map[string]struct {
		r              voting.Rule
		c              voting.Count
		result, status string
	}{
		"Majority":       {voting.Rule{Kind: voting.Majority}, voting.Count{Yes: 3, No: 2, Entitled: 9}, "yes", Passed},
		"MajorityTie":    {voting.Rule{Kind: voting.Majority}, voting.Count{Yes: 2, No: 2, Entitled: 9}, "no", Rejected},
		"MajorityNone":   {voting.Rule{Kind: voting.Majority}, voting.Count{Abstain: 4, Entitled: 9}, "no", Rejected},
		"NoQuorum":       {voting.Rule{Kind: voting.Majority, Quorum: half}, voting.Count{Yes: 3, Entitled: 9}, "", NoQuorum},
		"NobodyEntitled": {voting.Rule{Kind: voting.Majority}, voting.Count{}, "", NoQuorum},
		"ConsentBlocked": {voting.Rule{Kind: voting.Consent, Blocks: 1}, voting.Count{Yes: 5, Block: 1, Entitled: 9}, "no", Rejected},
	}
	for name, tt := range yesNo {
		o, err := voting.Decide(tt.r, tt.c)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d := Decision{Count: tt.c, Outcome: &o}
		if got := ResultOf(d); got != tt.result {
			t.Errorf("%s: ResultOf = %q, want %q", name, got, tt.result)
		}
		if got := StatusOf(d); got != tt.status {
			t.Errorf("%s: StatusOf = %q, want %q", name, got, tt.status)
		}
	}
	options := map[string]struct {
		r              voting.Rule
		ballots        []voting.Ballot
		entitled       int64
		result, status string
	}{
		"Decided":  {voting.Rule{Kind: voting.Plurality}, []voting.Ballot{{Ranking: []int{2}, Weight: 3}, {Ranking: []int{0}, Weight: 1}}, 9, "2", Decided},
		"Tie":      {voting.Rule{Kind: voting.Plurality}, []voting.Ballot{{Ranking: []int{2}, Weight: 3}, {Ranking: []int{0}, Weight: 3}}, 9, "", Tie},
		"Lot":      {voting.Rule{Kind: voting.Plurality, Seed: 7}, []voting.Ballot{{Ranking: []int{2}, Weight: 3}, {Ranking: []int{0}, Weight: 3}}, 9, "", Decided},
		"NoVotes":  {voting.Rule{Kind: voting.Approval}, []voting.Ballot{{Weight: 5}}, 9, "", NoQuorum},
		"NoQuorum": {voting.Rule{Kind: voting.IRV, Quorum: half}, []voting.Ballot{{Ranking: []int{1}, Weight: 4}}, 9, "", NoQuorum},
	}
	for name, tt := range options {
		o, err := voting.DecideOptions(tt.r, threeOptions, tt.ballots, tt.entitled)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d := Decision{Options: &o}
		got := ResultOf(d)
		if name == "Lot" {
			// The lot chose one of the two tied.
			if got != "0" && got != "2" {
				t.Errorf("%s: ResultOf = %q, want 0 or 2", name, got)
			}
		} else if got != tt.result {
			t.Errorf("%s: ResultOf = %q, want %q", name, got, tt.result)
		}
		if got := StatusOf(d); got != tt.status {
			t.Errorf("%s: StatusOf = %q, want %q", name, got, tt.status)
		}
	}
}

func TestSeatWeights(t *testing.T) {
	tests := map[string]struct {
		represented int64
		seats       int
		want        []int64
	}{
		"Even":             {9, 3, []int64{3, 3, 3}},
		"RemainderOne":     {10, 3, []int64{4, 3, 3}},
		"RemainderTwo":     {11, 3, []int64{4, 4, 3}},
		"RemainderToFirst": {7, 5, []int64{2, 2, 1, 1, 1}},
		"OneSeat":          {120, 1, []int64{120}},
		"FewerThanSeats":   {2, 3, []int64{1, 1, 1}},
		"AlmostEnough":     {4, 5, []int64{1, 1, 1, 1, 1}},
		"NoneRepresented":  {0, 2, []int64{1, 1}},
		"Negative":         {-5, 2, []int64{1, 1}},
		"ZeroSeats":        {10, 0, nil},
		"NegativeSeats":    {10, -1, nil},
		"Large":            {1_000_000_000_001, 2, []int64{500_000_000_001, 500_000_000_000}},
	}
	for name, tt := range tests {
		got := SeatWeights(tt.represented, tt.seats)
		if !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("%s: SeatWeights(%d, %d) = %v, want %v", name, tt.represented, tt.seats, got, tt.want)
		}
	}
	// The weights add up to the members represented whenever every seat
	// has at least one, and never differ by more than one.
	for rep := int64(0); rep <= 40; rep++ {
		for seats := 1; seats <= 12; seats++ {
			w := SeatWeights(rep, seats)
			var sum int64
			for i, v := range w {
				sum += v
				if v < 1 || v > w[0] || (i > 0 && v > w[i-1]) || w[0]-v > 1 {
					t.Fatalf("SeatWeights(%d, %d) = %v", rep, seats, w)
				}
			}
			if len(w) != seats || (rep >= int64(seats) && sum != rep) || (rep < int64(seats) && sum != int64(seats)) {
				t.Fatalf("SeatWeights(%d, %d) = %v (sum %d)", rep, seats, w, sum)
			}
		}
	}
}

func TestAmendmentDecision(t *testing.T) {
	tests := []struct {
		yes, no int64
		want    string
	}{
		{3, 2, AmendAdopted},
		{1, 0, AmendAdopted},
		{2, 2, AmendRejected},
		{0, 0, AmendRejected},
		{1, 2, AmendRejected},
		{0, 1, AmendRejected},
	}
	for _, tt := range tests {
		if got := AmendmentDecision(tt.yes, tt.no); got != tt.want {
			t.Errorf("AmendmentDecision(%d, %d) = %q, want %q", tt.yes, tt.no, got, tt.want)
		}
	}
}

func TestResultLabel(t *testing.T) {
	tests := map[string]struct {
		m            Motion
		result, want string
	}{
		"Yes":          {yesNoMotion, "yes", "yes"},
		"No":           {yesNoMotion, "no", "no"},
		"Empty":        {yesNoMotion, "", ""},
		"Option":       {pluralityMotion, "1", "Sur"},
		"FirstOption":  {approvalMotion, "0", "Norte"},
		"OutOfRange":   {pluralityMotion, "3", "3"},
		"Negative":     {pluralityMotion, "-1", "-1"},
		"NoDecision":   {irvMotion, "", ""},
		"YesNoOptions": {Motion{Options: threeOptions, Rule: voting.Rule{Kind: voting.Majority}}, "1", "1"},
	}
	for name, tt := range tests {
		if got := tt.m.ResultLabel(tt.result); got != tt.want {
			t.Errorf("%s: ResultLabel(%q) = %q, want %q", name, tt.result, got, tt.want)
		}
	}
}

func TestAggregate(t *testing.T) {
	ref := Referral{ID: 4, MotionID: 9, Committees: 12, Members: 300}
	t.Run("YesNo", func(t *testing.T) {
		rows := []TallyRow{
			{Choice: "yes", Department: "15", Committees: 3, Members: 120},
			{Choice: "no", Department: "15", Committees: 1, Members: 30},
			{Choice: "", Department: "08", Committees: 1, Members: 10},
			{Choice: "abstain", Department: "08", Committees: 2, Members: 5}, // not a result: no decision
			{Choice: "yes", Department: "08", Committees: 2, Members: 50},
			{Choice: "yes", Department: "", Committees: 1, Members: 7},
		}
		a := Aggregate(ref, yesNoMotion, rows)
		if a.Referral != ref {
			t.Errorf("referral %+v", a.Referral)
		}
		wantChoices := []ChoiceTotal{
			{Choice: "yes", Label: "yes", Committees: 6, Members: 177},
			{Choice: "no", Label: "no", Committees: 1, Members: 30},
			{Choice: "", Label: "", Committees: 3, Members: 15},
		}
		if !reflect.DeepEqual(a.Choices, wantChoices) {
			t.Errorf("choices %+v, want %+v", a.Choices, wantChoices)
		}
		wantDepts := []DepartmentTotal{
			{Department: "", Committees: []int64{1, 0, 0}, Members: []int64{7, 0, 0}},
			{Department: "08", Committees: []int64{2, 0, 3}, Members: []int64{50, 0, 15}},
			{Department: "15", Committees: []int64{3, 1, 0}, Members: []int64{120, 30, 0}},
		}
		if !reflect.DeepEqual(a.Departments, wantDepts) {
			t.Errorf("departments %+v, want %+v", a.Departments, wantDepts)
		}
		if a.Decided != 10 || a.Pending != 2 || a.PendingMembers != 78 {
			t.Errorf("decided %d pending %d pending members %d, want 10, 2, 78", a.Decided, a.Pending, a.PendingMembers)
		}
	})
	t.Run("Options", func(t *testing.T) {
		rows := []TallyRow{
			{Choice: "2", Department: "15", Committees: 2, Members: 40},
			{Choice: "0", Department: "04", Committees: 1, Members: 25},
			{Choice: "7", Department: "04", Committees: 1, Members: 3},   // out of range
			{Choice: "yes", Department: "15", Committees: 1, Members: 4}, // not an option
			{Choice: "", Department: "15", Committees: 1, Members: 6},
			{Choice: "2", Department: "04", Committees: 1, Members: 11},
		}
		a := Aggregate(ref, pluralityMotion, rows)
		wantChoices := []ChoiceTotal{
			{Choice: "0", Label: "Norte", Committees: 1, Members: 25},
			{Choice: "1", Label: "Sur"},
			{Choice: "2", Label: "Centro", Committees: 3, Members: 51},
			{Choice: "", Label: "", Committees: 3, Members: 13},
		}
		if !reflect.DeepEqual(a.Choices, wantChoices) {
			t.Errorf("choices %+v, want %+v", a.Choices, wantChoices)
		}
		wantDepts := []DepartmentTotal{
			{Department: "04", Committees: []int64{1, 0, 1, 1}, Members: []int64{25, 0, 11, 3}},
			{Department: "15", Committees: []int64{0, 0, 2, 2}, Members: []int64{0, 0, 40, 10}},
		}
		if !reflect.DeepEqual(a.Departments, wantDepts) {
			t.Errorf("departments %+v, want %+v", a.Departments, wantDepts)
		}
		if a.Decided != 7 || a.Pending != 5 || a.PendingMembers != 300-89 {
			t.Errorf("decided %d pending %d pending members %d, want 7, 5, 211", a.Decided, a.Pending, a.PendingMembers)
		}
	})
	t.Run("ConsentChoices", func(t *testing.T) {
		a := Aggregate(ref, consentMotion, nil)
		var got []string
		for _, c := range a.Choices {
			got = append(got, c.Choice)
		}
		if !slices.Equal(got, []string{"yes", "no", ""}) {
			t.Errorf("choices %q", got)
		}
	})
	t.Run("NoRows", func(t *testing.T) {
		a := Aggregate(ref, approvalMotion, nil)
		if len(a.Choices) != 4 || len(a.Departments) != 0 {
			t.Fatalf("aggregation %+v", a)
		}
		for _, c := range a.Choices {
			if c.Committees != 0 || c.Members != 0 {
				t.Errorf("choice %+v not zero", c)
			}
		}
		if a.Decided != 0 || a.Pending != 12 || a.PendingMembers != 300 {
			t.Errorf("decided %d pending %d pending members %d, want 0, 12, 300", a.Decided, a.Pending, a.PendingMembers)
		}
	})
	t.Run("PendingNeverNegative", func(t *testing.T) {
		small := Referral{Committees: 2, Members: 10}
		rows := []TallyRow{{Choice: "yes", Committees: 3, Members: 30}, {Choice: "no", Committees: 2, Members: 10}}
		a := Aggregate(small, yesNoMotion, rows)
		if a.Decided != 5 || a.Pending != 0 || a.PendingMembers != 0 {
			t.Errorf("decided %d pending %d pending members %d, want 5, 0, 0", a.Decided, a.Pending, a.PendingMembers)
		}
	})
}

func TestRate(t *testing.T) {
	tests := []struct{ followed, instructed, want int }{
		{0, 0, -1},
		{3, 0, -1},
		{0, -1, -1},
		{0, 4, 0},
		{1, 3, 33},
		{2, 3, 66},
		{199, 200, 99},
		{3, 3, 100},
	}
	for _, tt := range tests {
		if got := Rate(tt.followed, tt.instructed); got != tt.want {
			t.Errorf("Rate(%d, %d) = %d, want %d", tt.followed, tt.instructed, got, tt.want)
		}
	}
}
