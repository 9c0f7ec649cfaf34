package tally

import (
	"encoding/json"
	"math/big"
	"strconv"
)

// Report is the full account of a count, filled the same way by every
// method so that pages and the JSON API render any count uniformly. Codes
// (Action, Status, Reason, Purpose) are stable identifiers for a message
// catalog; numbers are exact decimals written as JSON numbers.
type Report struct {
	Method     string         `json:"method"`
	Title      string         `json:"title,omitempty"`
	SeatCount  int            `json:"seat_count"`
	Candidates []string       `json:"candidates"`              // candidates or lists, in input order
	Ballots    int64          `json:"ballots,omitempty"`       // valid ballots (candidate methods)
	Groups     int            `json:"groups,omitempty"`        // distinct rankings among them
	Empty      int64          `json:"empty_ballots,omitempty"` // ballots with no valid preference
	ValidVotes json.Number    `json:"valid_votes"`
	Quota      json.Number    `json:"quota,omitempty"`     // first quota (STV, Meek, largest remainder), or cifra repartidora
	Threshold  json.Number    `json:"threshold,omitempty"` // votes a list needed to qualify
	Seed       uint64         `json:"seed"`                // seed of the lots; --seed repeats them
	Elected    []string       `json:"elected,omitempty"`   // candidate methods, in order of election
	Seats      map[string]int `json:"seats,omitempty"`     // list methods: list → seats
	Lists      []ListSeats    `json:"lists,omitempty"`     // list methods, in input order
	Ranking    []string       `json:"ranking,omitempty"`   // full order where the method gives one (Schulze, approval, plurality)
	Rounds     []Round        `json:"rounds"`
	Lots       []Lot          `json:"lots,omitempty"`

	// ElectedIndex holds the candidate indices of Elected.
	ElectedIndex []int `json:"-"`
}

// Round is one stage of a count.
type Round struct {
	Number int `json:"number"`
	// Action: first-preferences, surplus, exclusion (STV and Meek stages);
	// count (IRV, approval, plurality); votes, seat, quota, remainder, cifra
	// (list methods); pairwise, paths (Schulze); elect-remaining.
	Action     string      `json:"action"`
	Subject    string      `json:"subject,omitempty"` // whose votes move (surplus, exclusion) or who takes a seat
	Value      json.Number `json:"value,omitempty"`   // transfer value, or the quotient that won a seat
	Quota      json.Number `json:"quota,omitempty"`   // quota, IRV majority, or cifra repartidora in force
	Tallies    []Tally     `json:"tallies,omitempty"`
	Exhausted  json.Number `json:"exhausted,omitempty"` // non-transferable votes so far
	Rounding   json.Number `json:"rounding,omitempty"`  // votes lost to truncation so far
	Elected    []Decision  `json:"elected,omitempty"`
	Excluded   []Decision  `json:"excluded,omitempty"`
	Iterations int         `json:"iterations,omitempty"` // Meek: iterations until the keep values converged
	Matrix     [][]int64   `json:"matrix,omitempty"`     // Schulze: pairwise preferences or strongest paths
}

// Tally is the standing of one candidate or list in a round.
type Tally struct {
	Name     string      `json:"name"`
	Votes    json.Number `json:"votes"`
	Change   json.Number `json:"change,omitempty"`   // votes received (or given, negative) in this round
	Keep     json.Number `json:"keep,omitempty"`     // Meek keep value
	Quotient json.Number `json:"quotient,omitempty"` // list methods: votes ÷ quota or cifra
	Seats    int         `json:"seats,omitempty"`
	// Status: hopeful, elected, excluded, withdrawn (candidates);
	// qualified, below-threshold (lists).
	Status string `json:"status"`
}

// Decision says who was elected or excluded in a round and why. Reasons:
// quota, majority, remaining-seats, last-candidate, most-votes, lowest,
// quotient, remainder, cifra, decimal-part, strongest-paths.
// A reason may be followed by "+earlier-round" or "+lot" when a tie was broken.
type Decision struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Lot records a tie broken by lot.
type Lot struct {
	Round   int      `json:"round"`
	Purpose string   `json:"purpose"` // exclude, elect, surplus-order, seat
	Among   []string `json:"among"`   // sorted by name before drawing
	Chosen  []string `json:"chosen"`
}

// ListSeats is a list's result.
type ListSeats struct {
	Name      string          `json:"name"`
	Votes     int64           `json:"votes"`
	Share     json.Number     `json:"share"` // percentage of valid votes
	Qualified bool            `json:"qualified"`
	Seats     int             `json:"seats"`
	Seated    []ListCandidate `json:"seated,omitempty"`    // who takes the seats, with parity
	ByGender  map[string]int  `json:"by_gender,omitempty"` // seats per gender
}

// fixed writes v, in units of 10^-decimals, as an exact decimal.
func fixed(v int64, decimals int) json.Number {
	if decimals == 0 {
		return json.Number(strconv.FormatInt(v, 10))
	}
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	s := strconv.FormatUint(u, 10)
	for len(s) <= decimals {
		s = "0" + s
	}
	s = s[:len(s)-decimals] + "." + s[len(s)-decimals:]
	if neg {
		s = "-" + s
	}
	return json.Number(s)
}

func integer(v int64) json.Number { return json.Number(strconv.FormatInt(v, 10)) }

// ratio writes num/den rounded to 5 decimal places (for display only).
func ratio(num, den *big.Int) json.Number {
	return json.Number(new(big.Rat).SetFrac(num, den).FloatString(5))
}

func ratio64(num, den int64) json.Number { return ratio(big.NewInt(num), big.NewInt(den)) }
