package delegates

import (
	"fmt"
	"testing"

	"asamblea/errs"
)

func TestEncodeRanking(t *testing.T) {
	cands := []int64{3, 5, 9}
	tests := map[string]struct {
		r    []int64
		want string
		key  string
	}{
		"OK":      {[]int64{5, 3}, "5 3", ""},
		"Empty":   {nil, "", "election.ranking.empty"},
		"Unknown": {[]int64{5, 4}, "", "election.ranking.unknown"},
		"Twice":   {[]int64{5, 3, 5}, "", "election.ranking.twice"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := EncodeRanking(tc.r, cands)
			if tc.key != "" {
				if errs.As(err).Key != tc.key {
					t.Fatalf("got %v, want %s", err, tc.key)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

func TestCount(t *testing.T) {
	cands := []Candidate{{UserID: 1, Name: "Rosa", Accepted: true}, {UserID: 2, Name: "Juan", Accepted: true},
		{UserID: 3, Name: "Ana", Accepted: true}, {UserID: 4, Name: "Nominada", Accepted: false}}
	// 9 voters: Rosa 4 first, Juan 3 first, Ana 2 first (transferring to Juan).
	rankings := map[string]int64{"1 3": 4, "2 1": 3, "3 2": 2}
	tests := map[string]struct {
		seats, alternates int
		elected, alts     string
	}{
		"OneSeatIRV":            {1, 1, "[2]", "[1]"}, // Ana's ballots carry Juan past Rosa
		"TwoSeatsSTV":           {2, 1, "[1 2]", "[3]"},
		"MoreSeatsThanStanding": {5, 2, "[1 2 3]", "[]"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			el, alts, rep, err := Count(cands, rankings, tc.seats, tc.alternates, 1, false)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(el) != tc.elected || fmt.Sprint(nonNil(alts)) != tc.alts || len(rep.Rounds) == 0 {
				t.Fatalf("elected %v alternates %v", el, alts)
			}
		})
	}
	if _, _, _, err := Count(cands, map[string]int64{}, 1, 0, 1, false); errs.As(err).Key != "election.no_ballots" {
		t.Fatalf("no ballots: %v", err)
	}
	if _, _, _, err := Count(cands[3:], rankings, 1, 0, 1, false); errs.As(err).Key != "election.no_candidates.err" {
		t.Fatalf("no accepted candidates: %v", err)
	}
}

func nonNil(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

func TestRecallOutcome(t *testing.T) {
	r := DefaultRecallRule
	tests := map[string]struct {
		yes, no, eligible int
		want              string
	}{
		"Passes":           {4, 2, 18, "passed"},
		"ExactlyAThird":    {3, 3, 18, "failed"},
		"TieFails":         {5, 5, 12, "failed"},
		"NoQuorum":         {3, 2, 18, "no_quorum"},
		"UnanimousButFew":  {1, 0, 4, "no_quorum"},
		"AllVoteYes":       {4, 0, 4, "passed"},
		"AbstainersAbsent": {7, 6, 39, "passed"},
		"OneShortOfQuorum": {6, 6, 39, "no_quorum"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := r.RecallOutcome(tc.yes, tc.no, tc.eligible); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestZip(t *testing.T) {
	g := map[int64]string{1: "man", 2: "man", 3: "woman", 4: "man", 5: "woman", 6: ""}
	tests := map[string]struct {
		order []int64
		n     int
		want  string
	}{
		"Alternates":        {[]int64{1, 2, 3, 4, 5}, 4, "[1 3 2 5]"},
		"RunsOutOfWomen":    {[]int64{1, 2, 4, 3}, 4, "[1 3 2 4]"},
		"UnsaidBreaksChain": {[]int64{6, 1, 2, 3}, 3, "[6 1 3]"},
		"FewerThanPlaces":   {[]int64{3}, 2, "[3]"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := fmt.Sprint(Zip(tc.order, g, tc.n)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCountWithAlternation(t *testing.T) {
	cands := []Candidate{{UserID: 1, Name: "Juan", Accepted: true, Gender: "man"}, {UserID: 2, Name: "Pedro", Accepted: true, Gender: "man"},
		{UserID: 3, Name: "Rosa", Accepted: true, Gender: "woman"}}
	// Juan and Pedro lead; with alternation Rosa takes the second seat.
	rankings := map[string]int64{"1 2 3": 5, "2 1 3": 4, "3": 2}
	el, alts, _, err := Count(cands, rankings, 2, 1, 1, false)
	if err != nil || fmt.Sprint(el) != "[1 2]" {
		t.Fatalf("without alternation: %v %v %v", el, alts, err)
	}
	el, alts, _, err = Count(cands, rankings, 2, 1, 1, true)
	if err != nil || fmt.Sprint(el) != "[1 3]" || fmt.Sprint(alts) != "[2]" {
		t.Fatalf("with alternation: elected %v alternates %v (%v)", el, alts, err)
	}
}
