package motions

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"asamblea/voting"
)

func TestMeetingInputClean(t *testing.T) {
	// 10:00 in Lima.
	now := time.Date(2026, 3, 15, 15, 0, 0, 0, time.UTC)
	const members = 40
	valid := func() MeetingInput {
		return MeetingInput{HeldOn: "2026-03-10", Place: "Plaza de Armas", Attendance: 25,
			Decisions: []MeetingDecision{{MotionID: 1}, {MotionID: 2}}}
	}
	tests := map[string]struct {
		edit       func(*MeetingInput)
		members    int64
		field, key string
		args       []any
	}{
		"OK":              {edit: func(*MeetingInput) {}},
		"Today":           {edit: func(in *MeetingInput) { in.HeldOn = "2026-03-15" }},
		"YearBack":        {edit: func(in *MeetingInput) { in.HeldOn = "2025-03-15" }},
		"AllPresent":      {edit: func(in *MeetingInput) { in.Attendance = members }},
		"OnePresent":      {edit: func(in *MeetingInput) { in.Attendance = 1 }},
		"OneDecision":     {edit: func(in *MeetingInput) { in.Decisions = in.Decisions[:1] }},
		"MultilineNotes":  {edit: func(in *MeetingInput) { in.Notes = "Opened at 6.\n\tClosed at 8." }},
		"DateMissing":     {edit: func(in *MeetingInput) { in.HeldOn = "" }, field: "held_on", key: "error.required"},
		"DateSlashes":     {edit: func(in *MeetingInput) { in.HeldOn = "15/03/2026" }, field: "held_on", key: "meeting.date.invalid"},
		"DateShort":       {edit: func(in *MeetingInput) { in.HeldOn = "2026-3-5" }, field: "held_on", key: "meeting.date.invalid"},
		"DateNoSuchDay":   {edit: func(in *MeetingInput) { in.HeldOn = "2026-02-30" }, field: "held_on", key: "meeting.date.invalid"},
		"DateNotLeap":     {edit: func(in *MeetingInput) { in.HeldOn = "2025-02-29" }, field: "held_on", key: "meeting.date.invalid"},
		"DateMonth13":     {edit: func(in *MeetingInput) { in.HeldOn = "2026-13-01" }, field: "held_on", key: "meeting.date.invalid"},
		"DateWithTime":    {edit: func(in *MeetingInput) { in.HeldOn = "2026-03-10T10:00:00" }, field: "held_on", key: "meeting.date.invalid"},
		"DateSpaced":      {edit: func(in *MeetingInput) { in.HeldOn = " 2026-03-10" }, field: "held_on", key: "meeting.date.invalid"},
		"DateWord":        {edit: func(in *MeetingInput) { in.HeldOn = "yesterday" }, field: "held_on", key: "meeting.date.invalid"},
		"Tomorrow":        {edit: func(in *MeetingInput) { in.HeldOn = "2026-03-16" }, field: "held_on", key: "meeting.date.future"},
		"NextYear":        {edit: func(in *MeetingInput) { in.HeldOn = "2027-03-10" }, field: "held_on", key: "meeting.date.future"},
		"TooOld":          {edit: func(in *MeetingInput) { in.HeldOn = "2025-03-14" }, field: "held_on", key: "meeting.date.too_old"},
		"MuchTooOld":      {edit: func(in *MeetingInput) { in.HeldOn = "1999-01-01" }, field: "held_on", key: "meeting.date.too_old"},
		"DateBeforePlace": {edit: func(in *MeetingInput) { in.HeldOn = "2026-03-16"; in.Place = "" }, field: "held_on", key: "meeting.date.future"},
		"PlaceMissing":    {edit: func(in *MeetingInput) { in.Place = "  " }, field: "place", key: "error.required"},
		"PlaceTooShort":   {edit: func(in *MeetingInput) { in.Place = "A" }, field: "place", key: "error.too_short", args: []any{2}},
		"PlaceTooLong":    {edit: func(in *MeetingInput) { in.Place = strings.Repeat("p", 201) }, field: "place", key: "error.too_long", args: []any{200}},
		"PlaceControl":    {edit: func(in *MeetingInput) { in.Place = "Plaza\x00" }, field: "place", key: "error.bad_characters"},
		"NotesControl":    {edit: func(in *MeetingInput) { in.Notes = "ok\x07" }, field: "notes", key: "error.bad_characters"},
		"NotesTooLong":    {edit: func(in *MeetingInput) { in.Notes = strings.Repeat("n", TextMax+1) }, field: "notes", key: "error.too_long"},
		"NobodyPresent":   {edit: func(in *MeetingInput) { in.Attendance = 0 }, field: "attendance", key: "meeting.attendance.range", args: []any{1, int64(members)}},
		"NegativePresent": {edit: func(in *MeetingInput) { in.Attendance = -3 }, field: "attendance", key: "meeting.attendance.range", args: []any{1, int64(members)}},
		"MoreThanMembers": {edit: func(in *MeetingInput) { in.Attendance = members + 1 }, field: "attendance", key: "meeting.attendance.range", args: []any{1, int64(members)}},
		"NoMembers":       {edit: func(in *MeetingInput) { in.Attendance = 1 }, members: -1, field: "attendance", key: "meeting.attendance.range"},
		"NoDecisions":     {edit: func(in *MeetingInput) { in.Decisions = nil }, field: "decisions", key: "meeting.decisions.none"},
		"EmptyDecisions":  {edit: func(in *MeetingInput) { in.Decisions = []MeetingDecision{} }, field: "decisions", key: "meeting.decisions.none"},
		"MotionTwice": {edit: func(in *MeetingInput) {
			in.Decisions = []MeetingDecision{{MotionID: 3}, {MotionID: 4}, {MotionID: 3, Hands: Hands{Yes: 1}}}
		}, field: "decisions", key: "meeting.decisions.twice"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := valid()
			tt.edit(&in)
			m := int64(members)
			if tt.members == -1 {
				m = 0
			}
			err := in.Clean(now, m)
			checkErr(t, err, tt.field, tt.key)
			if tt.args != nil {
				checkArgs(t, err, tt.args...)
			}
		})
	}
	t.Run("Normalised", func(t *testing.T) {
		in := valid()
		in.Place, in.Notes = "  Plaza   de\tArmas ", "\r\n  Opened at 6.\r\nClosed at 8.  \n"
		if err := in.Clean(now, members); err != nil {
			t.Fatal(err)
		}
		if in.Place != "Plaza de Armas" || in.Notes != "Opened at 6.\nClosed at 8." {
			t.Errorf("place %q notes %q", in.Place, in.Notes)
		}
	})
}

// The date of a meeting is a day in Lima (UTC−5): a day that has begun in
// UTC but not yet in Lima is still in the future.
func TestMeetingDateLima(t *testing.T) {
	tests := map[string]struct {
		now    time.Time
		heldOn string
		key    string
	}{
		"NewYearInUTCOnly":    {time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), "2026-01-01", "meeting.date.future"},
		"NewYearsEveInLima":   {time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), "2025-12-31", ""},
		"JustBeforeMidnight":  {time.Date(2026, 1, 1, 4, 59, 59, 0, time.UTC), "2026-01-01", "meeting.date.future"},
		"MidnightInLima":      {time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC), "2026-01-01", ""},
		"LateEveningInLima":   {time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC), "2026-01-01", ""},
		"TomorrowInLima":      {time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC), "2026-01-02", "meeting.date.future"},
		"NowInAnotherZone":    {time.Date(2026, 1, 1, 12, 0, 0, 0, time.FixedZone("JST", 9*3600)), "2026-01-01", "meeting.date.future"},
		"NowInAnotherZoneOK":  {time.Date(2026, 1, 1, 12, 0, 0, 0, time.FixedZone("JST", 9*3600)), "2025-12-31", ""},
		"NowInLimaZone":       {time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("PET", -5*3600)), "2026-01-01", ""},
		"YearAgoInLima":       {time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), "2024-12-31", ""},
		"YearAndADayInLima":   {time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC), "2024-12-30", "meeting.date.too_old"},
		"JustWithinTheYear":   {time.Date(2026, 1, 1, 5, 0, 0, 0, time.UTC), "2024-12-31", ""},
		"JustBeyondTheYear":   {time.Date(2026, 1, 1, 5, 0, 0, 1, time.UTC), "2024-12-31", "meeting.date.too_old"},
		"LeapYearStillInTime": {time.Date(2024, 12, 31, 12, 0, 0, 0, time.UTC), "2024-01-01", ""},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			in := MeetingInput{HeldOn: tt.heldOn, Place: "Local comunal", Attendance: 5, Decisions: []MeetingDecision{{MotionID: 1}}}
			checkErr(t, in.Clean(tt.now, 10), "held_on", tt.key)
		})
	}
}

func TestHandsCheck(t *testing.T) {
	const attendance = 10
	tests := map[string]struct {
		m          Motion
		h          Hands
		field, key string
		args       []any
	}{
		"YesNo":              {m: yesNoMotion, h: Hands{Yes: 6, No: 3, Abstain: 1}},
		"YesNoAll":           {m: yesNoMotion, h: Hands{Yes: 10}},
		"YesNoNone":          {m: yesNoMotion, h: Hands{}},
		"YesNoExceed":        {m: yesNoMotion, h: Hands{Yes: 6, No: 5}, field: "hands", key: "meeting.hands.exceed", args: []any{int64(attendance)}},
		"YesNoAbstainExceed": {m: yesNoMotion, h: Hands{Yes: 6, No: 3, Abstain: 2}, field: "hands", key: "meeting.hands.exceed"},
		"YesNoAboveAll":      {m: yesNoMotion, h: Hands{Yes: 11}, field: "hands", key: "meeting.hands.range", args: []any{0, int64(attendance)}},
		"YesNoNegative":      {m: yesNoMotion, h: Hands{Yes: 5, No: -1}, field: "hands", key: "meeting.hands.range"},
		"YesNoBlock":         {m: yesNoMotion, h: Hands{Yes: 5, Block: 1}, field: "hands", key: "voting.count.block_consent_only"},
		"YesNoOptions":       {m: yesNoMotion, h: Hands{Options: []int64{1, 2}}, field: "hands", key: "meeting.hands.yes_no"},
		"YesNoZeroOptions":   {m: yesNoMotion, h: Hands{Yes: 1, Options: []int64{0}}, field: "hands", key: "meeting.hands.yes_no"},
		"TwoThirds":          {m: Motion{Rule: voting.Rule{Kind: voting.TwoThirds}}, h: Hands{Yes: 7, No: 3}},

		"Consent":           {m: consentMotion, h: Hands{Yes: 7, Abstain: 1, Block: 2}},
		"ConsentNo":         {m: consentMotion, h: Hands{Yes: 7, No: 1}, field: "hands", key: "voting.count.no_under_consent"},
		"ConsentExceed":     {m: consentMotion, h: Hands{Yes: 8, Block: 3}, field: "hands", key: "meeting.hands.exceed"},
		"ConsentBlockRange": {m: consentMotion, h: Hands{Block: 11}, field: "hands", key: "meeting.hands.range"},

		"Plurality":           {m: pluralityMotion, h: Hands{Options: []int64{3, 4, 3}}},
		"PluralityFewHands":   {m: pluralityMotion, h: Hands{Options: []int64{0, 4, 0}}},
		"PluralityExceed":     {m: pluralityMotion, h: Hands{Options: []int64{3, 4, 4}}, field: "hands", key: "meeting.hands.exceed", args: []any{int64(attendance)}},
		"PluralityAboveAll":   {m: pluralityMotion, h: Hands{Options: []int64{11, 0, 0}}, field: "hands", key: "meeting.hands.range"},
		"PluralityNegative":   {m: pluralityMotion, h: Hands{Options: []int64{-1, 2, 0}}, field: "hands", key: "meeting.hands.range"},
		"PluralityTooFew":     {m: pluralityMotion, h: Hands{Options: []int64{3, 4}}, field: "hands", key: "meeting.hands.options", args: []any{3}},
		"PluralityTooMany":    {m: pluralityMotion, h: Hands{Options: []int64{1, 2, 3, 4}}, field: "hands", key: "meeting.hands.options", args: []any{3}},
		"PluralityNoCount":    {m: pluralityMotion, h: Hands{}, field: "hands", key: "meeting.hands.options"},
		"PluralityBlock":      {m: pluralityMotion, h: Hands{Block: 1, Options: []int64{1, 1, 1}}, field: "hands", key: "voting.count.block_consent_only"},
		"ApprovalSumAboveAll": {m: approvalMotion, h: Hands{Options: []int64{10, 10, 7}}},
		"ApprovalNone":        {m: approvalMotion, h: Hands{Options: []int64{0, 0, 0}}},
		"ApprovalAboveAll":    {m: approvalMotion, h: Hands{Options: []int64{11, 0, 0}}, field: "hands", key: "meeting.hands.range", args: []any{0, int64(attendance)}},
		"ApprovalNegative":    {m: approvalMotion, h: Hands{Options: []int64{3, -2, 0}}, field: "hands", key: "meeting.hands.range"},
		"ApprovalTooFew":      {m: approvalMotion, h: Hands{Options: []int64{5, 5}}, field: "hands", key: "meeting.hands.options"},
		"IRV":                 {m: irvMotion, h: Hands{Options: []int64{3, 4, 3}}, field: "hands", key: "meeting.hands.ranked"},
		"IRVEmpty":            {m: irvMotion, h: Hands{}, field: "hands", key: "meeting.hands.ranked"},
		"Schulze":             {m: schulzeMotion, h: Hands{Options: []int64{3, 4, 3}}, field: "hands", key: "meeting.hands.ranked"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := tt.h.Check(tt.m, attendance)
			checkErr(t, err, tt.field, tt.key)
			if tt.args != nil {
				checkArgs(t, err, tt.args...)
			}
		})
	}
}

func TestHandsDecideYesNo(t *testing.T) {
	half := voting.Fraction{Num: 1, Den: 2}
	majority := Motion{Rule: voting.Rule{Kind: voting.Majority}}
	quorate := Motion{Rule: voting.Rule{Kind: voting.Majority, Quorum: half}}
	tests := map[string]struct {
		m                    Motion
		h                    Hands
		attendance, entitled int64
		count                voting.Count
		result, reason       string
	}{
		"Passed": {majority, Hands{Yes: 6, No: 3}, 12, 20,
			voting.Count{Yes: 6, No: 3, Abstain: 3, Entitled: 20}, voting.Passed, voting.ReasonMajority},
		"AbstainsArePresentWithoutHands": {majority, Hands{Yes: 6, No: 3, Abstain: 1}, 12, 20,
			voting.Count{Yes: 6, No: 3, Abstain: 3, Entitled: 20}, voting.Passed, voting.ReasonMajority},
		"Rejected": {majority, Hands{Yes: 2, No: 5}, 7, 20,
			voting.Count{Yes: 2, No: 5, Entitled: 20}, voting.Rejected, voting.ReasonMajorityAgainst},
		"TieRejected": {majority, Hands{Yes: 4, No: 4}, 10, 20,
			voting.Count{Yes: 4, No: 4, Abstain: 2, Entitled: 20}, voting.Rejected, voting.ReasonMajorityTie},
		"NoHands": {majority, Hands{}, 10, 20,
			voting.Count{Abstain: 10, Entitled: 20}, voting.Rejected, voting.ReasonMajorityNoVotes},
		"QuorumCountsThosePresent": {quorate, Hands{Yes: 3, No: 1}, 10, 20,
			voting.Count{Yes: 3, No: 1, Abstain: 6, Entitled: 20}, voting.Passed, voting.ReasonMajority},
		"QuorumNotReached": {quorate, Hands{Yes: 8, No: 1}, 9, 20,
			voting.Count{Yes: 8, No: 1, Entitled: 20}, voting.NoQuorum, voting.ReasonNoQuorum},
		"AttendanceCappedAtEntitled": {majority, Hands{Yes: 6, No: 2}, 12, 10,
			voting.Count{Yes: 6, No: 2, Abstain: 2, Entitled: 10}, voting.Passed, voting.ReasonMajority},
		"AbsoluteShort": {Motion{Rule: voting.Rule{Kind: voting.Absolute}}, Hands{Yes: 10}, 15, 20,
			voting.Count{Yes: 10, Abstain: 5, Entitled: 20}, voting.Rejected, voting.ReasonAbsoluteShort},
		"Absolute": {Motion{Rule: voting.Rule{Kind: voting.Absolute}}, Hands{Yes: 11}, 15, 20,
			voting.Count{Yes: 11, Abstain: 4, Entitled: 20}, voting.Passed, voting.ReasonAbsolute},
		"TwoThirds": {Motion{Rule: voting.Rule{Kind: voting.TwoThirds}}, Hands{Yes: 6, No: 3}, 12, 20,
			voting.Count{Yes: 6, No: 3, Abstain: 3, Entitled: 20}, voting.Passed, voting.ReasonTwoThirds},
		"Consent": {Motion{Rule: voting.Rule{Kind: voting.Consent, Blocks: 2}}, Hands{Yes: 5, Block: 1}, 8, 10,
			voting.Count{Yes: 5, Abstain: 2, Block: 1, Entitled: 10}, voting.Passed, voting.ReasonConsent},
		"ConsentBlocked": {Motion{Rule: voting.Rule{Kind: voting.Consent, Blocks: 2}}, Hands{Yes: 5, Block: 2}, 8, 10,
			voting.Count{Yes: 5, Abstain: 1, Block: 2, Entitled: 10}, voting.Rejected, voting.ReasonConsentBlocked},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if err := tt.h.Check(tt.m, min(tt.attendance, tt.entitled)); err != nil {
				t.Fatalf("Check: %v", err)
			}
			d, err := tt.h.Decide(tt.m, tt.attendance, tt.entitled)
			if err != nil {
				t.Fatal(err)
			}
			if d.Count != tt.count {
				t.Errorf("count %+v, want %+v", d.Count, tt.count)
			}
			if d.Outcome == nil || d.Options != nil || d.Tallies != nil {
				t.Fatalf("decision %+v", d)
			}
			if d.Outcome.Result != tt.result || d.Outcome.Reason != tt.reason {
				t.Errorf("outcome %s (%s), want %s (%s)", d.Outcome.Result, d.Outcome.Reason, tt.result, tt.reason)
			}
			if want := min(tt.attendance, tt.entitled); d.Outcome.Participation != want {
				t.Errorf("participation %d, want %d (those present)", d.Outcome.Participation, want)
			}
			if StatusOf(d) != tt.result {
				t.Errorf("status %q, want %q", StatusOf(d), tt.result)
			}
		})
	}
}

// approvalsOf returns the votes per option of a count's first round, in
// the order of options.
func approvalsOf(t *testing.T, o *voting.OptionOutcome, options []string) []int64 {
	t.Helper()
	out := make([]int64, len(options))
	if o.Report == nil {
		return out
	}
	if len(o.Report.Rounds) == 0 {
		t.Fatalf("report without rounds: %+v", o.Report)
	}
	for _, tl := range o.Report.Rounds[0].Tallies {
		i := slices.Index(options, tl.Name)
		if i < 0 {
			t.Fatalf("tally for unknown option %q", tl.Name)
		}
		v, err := tl.Votes.Int64()
		if err != nil {
			t.Fatalf("votes %q: %v", tl.Votes, err)
		}
		out[i] = v
	}
	return out
}

func TestHandsDecideOptions(t *testing.T) {
	half := voting.Fraction{Num: 1, Den: 2}
	opts := []string{"A", "B", "C"}
	plurality := func(r voting.Rule) Motion { r.Kind = voting.Plurality; return Motion{Options: opts, Rule: r} }
	approval := func(r voting.Rule) Motion { r.Kind = voting.Approval; return Motion{Options: opts, Rule: r} }
	tests := map[string]struct {
		m                    Motion
		hands                []int64
		attendance, entitled int64
		result               string
		winners, tied        []int
		participation, blank int64
		approvals            []int64 // the first round's count per option, when not the hands
	}{
		"Plurality":                 {plurality(voting.Rule{}), []int64{2, 5, 1}, 10, 20, voting.Decided, []int{1}, nil, 10, 2, nil},
		"PluralityBlanksMakeQuorum": {plurality(voting.Rule{Quorum: half}), []int64{2, 5, 1}, 10, 20, voting.Decided, []int{1}, nil, 10, 2, nil},
		"PluralityNoQuorum":         {plurality(voting.Rule{Quorum: half}), []int64{2, 5, 1}, 9, 20, voting.NoQuorum, nil, nil, 9, 1, nil},
		"PluralityTie":              {plurality(voting.Rule{}), []int64{4, 4, 1}, 9, 20, voting.Tie, nil, []int{0, 1}, 9, 0, nil},
		"PluralityTwoWinners":       {plurality(voting.Rule{Winners: 2}), []int64{5, 3, 1}, 9, 20, voting.Decided, []int{0, 1}, nil, 9, 0, nil},
		"PluralityNoHands":          {plurality(voting.Rule{}), []int64{0, 0, 0}, 7, 20, voting.NoVotes, nil, nil, 7, 7, nil},
		"PluralityCapped":           {plurality(voting.Rule{}), []int64{1, 2, 0}, 9, 5, voting.Decided, []int{1}, nil, 5, 2, nil},
		"Approval":                  {approval(voting.Rule{}), []int64{3, 5, 0}, 6, 20, voting.Decided, []int{1}, nil, 6, 1, nil},
		"ApprovalEveryoneBoth":      {approval(voting.Rule{}), []int64{10, 9, 7}, 10, 20, voting.Decided, []int{0}, nil, 10, 0, nil},
		"ApprovalTie":               {approval(voting.Rule{}), []int64{10, 10, 7}, 10, 20, voting.Tie, nil, []int{0, 1}, 10, 0, nil},
		"ApprovalTieAll":            {approval(voting.Rule{}), []int64{4, 4, 4}, 6, 20, voting.Tie, nil, []int{0, 1, 2}, 6, 2, nil},
		"ApprovalTwoWinners":        {approval(voting.Rule{Winners: 2}), []int64{7, 2, 7}, 9, 20, voting.Decided, []int{0, 2}, nil, 9, 2, nil},
		"ApprovalQuorumTie":         {approval(voting.Rule{Quorum: half}), []int64{1, 0, 1}, 10, 20, voting.Tie, nil, []int{0, 2}, 10, 9, nil},
		"ApprovalNoQuorum":          {approval(voting.Rule{Quorum: half}), []int64{9, 9, 9}, 9, 20, voting.NoQuorum, nil, nil, 9, 0, []int64{0, 0, 0}},
		"ApprovalNoHands":           {approval(voting.Rule{}), []int64{0, 0, 0}, 5, 20, voting.NoVotes, nil, nil, 5, 5, nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h := Hands{Options: tt.hands}
			if err := h.Check(tt.m, min(tt.attendance, tt.entitled)); err != nil {
				t.Fatalf("Check: %v", err)
			}
			d, err := h.Decide(tt.m, tt.attendance, tt.entitled)
			if err != nil {
				t.Fatal(err)
			}
			if d.Options == nil || d.Outcome != nil {
				t.Fatalf("decision %+v", d)
			}
			o := d.Options
			if !slices.Equal(d.Tallies, tt.hands) {
				t.Errorf("tallies %v, want the hands %v", d.Tallies, tt.hands)
			}
			if o.Result != tt.result {
				t.Fatalf("result %s (%s), want %s", o.Result, o.Reason, tt.result)
			}
			if !slices.Equal(o.WinnerIndex, tt.winners) || !slices.Equal(o.TiedIndex, tt.tied) {
				t.Errorf("winners %v tied %v, want %v %v", o.WinnerIndex, o.TiedIndex, tt.winners, tt.tied)
			}
			if o.Participation != tt.participation || o.Blank != tt.blank {
				t.Errorf("participation %d blank %d, want %d %d", o.Participation, o.Blank, tt.participation, tt.blank)
			}
			if tt.m.Rule.Kind == voting.Approval {
				want := tt.approvals
				if want == nil {
					want = tt.hands
				}
				if got := approvalsOf(t, o, opts); !slices.Equal(got, want) {
					t.Errorf("approvals %v, want %v", got, want)
				}
			}
		})
	}
}

// Every show of hands on an approval vote of two or three options, with
// four present, is counted as exactly those approvals, with everyone
// present taking part.
func TestHandsDecideApprovalExact(t *testing.T) {
	const attendance = 4
	for _, opts := range [][]string{{"A", "B"}, {"A", "B", "C"}} {
		m := Motion{Options: opts, Rule: voting.Rule{Kind: voting.Approval}}
		hands := make([]int64, len(opts))
		var walk func(i int)
		walk = func(i int) {
			if i < len(hands) {
				for v := int64(0); v <= attendance; v++ {
					hands[i] = v
					walk(i + 1)
				}
				return
			}
			h := Hands{Options: slices.Clone(hands)}
			if err := h.Check(m, attendance); err != nil {
				t.Fatalf("Check(%v): %v", hands, err)
			}
			d, err := h.Decide(m, attendance, 10)
			if err != nil {
				t.Fatalf("Decide(%v): %v", hands, err)
			}
			o := d.Options
			if o.Participation != attendance || o.Blank != attendance-slices.Max(hands) {
				t.Fatalf("hands %v: participation %d blank %d", hands, o.Participation, o.Blank)
			}
			if got := approvalsOf(t, o, opts); !slices.Equal(got, hands) {
				t.Fatalf("hands %v counted as approvals %v", hands, got)
			}
			if slices.Max(hands) == 0 {
				if o.Result != voting.NoVotes {
					t.Fatalf("hands %v: result %s", hands, o.Result)
				}
				return
			}
			top := slices.Max(hands)
			var best []int
			for i, v := range hands {
				if v == top {
					best = append(best, i)
				}
			}
			switch {
			case len(best) == 1 && (o.Result != voting.Decided || !slices.Equal(o.WinnerIndex, best)):
				t.Fatalf("hands %v: %s %v, want %v", hands, o.Result, o.WinnerIndex, best)
			case len(best) > 1 && (o.Result != voting.Tie || !slices.Equal(o.TiedIndex, best)):
				t.Fatalf("hands %v: %s tied %v, want tie %v", hands, o.Result, o.TiedIndex, best)
			}
		}
		walk(0)
	}
}

func TestHandsDecideErrors(t *testing.T) {
	// Hands that Check refuses do not decide quietly.
	_, err := Hands{Yes: 8, No: 5}.Decide(yesNoMotion, 10, 20)
	checkErr(t, err, "abstain", "voting.count.range")
	_, err = Hands{Yes: 1}.Decide(Motion{Rule: voting.Rule{Kind: voting.Consent}}, 10, 20)
	checkErr(t, err, "blocks", "voting.blocks.range")
	_, err = Hands{Options: []int64{30, 0, 0}}.Decide(pluralityMotion, 10, 20)
	checkErr(t, err, "ballots", "voting.count.exceeds_entitled")
	_, err = Hands{Options: []int64{30, 0, 0}}.Decide(approvalMotion, 10, 20)
	checkErr(t, err, "ballots", "voting.count.exceeds_entitled")
}

// Clean leaves the counts of a meeting's decisions as they were given.
func TestMeetingInputKeepsDecisions(t *testing.T) {
	in := MeetingInput{HeldOn: "2026-03-10", Place: "Plaza", Attendance: 3,
		Decisions: []MeetingDecision{{MotionID: 7, Hands: Hands{Options: []int64{1, 2}}}}}
	if err := in.Clean(time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC), 3); err != nil {
		t.Fatal(err)
	}
	want := []MeetingDecision{{MotionID: 7, Hands: Hands{Options: []int64{1, 2}}}}
	if !reflect.DeepEqual(in.Decisions, want) {
		t.Errorf("decisions changed to %+v", in.Decisions)
	}
}
