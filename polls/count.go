package polls

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"asamblea/errs"
	"asamblea/tally"
)

// Ballot is an online ballot: a list's number (0 for a blank ballot) in a
// list election, or candidacies' numbers in order of preference in a
// candidate election (empty for blank).
type Ballot struct {
	List    int   `json:"list,omitempty"`
	Ranking []int `json:"ranking,omitempty"`
}

// Encode checks b against an election with options candidacies and
// returns its key: "0" blank, "3" list 3, or "2,1,4" a ranking. Ballots
// are stored only as counts per key, with no voter and no time.
func (b Ballot) Encode(lists bool, options int) (string, error) {
	if lists {
		if len(b.Ranking) > 0 {
			return "", errs.Field("list", "poll.ballot.ranking")
		}
		if b.List < 0 || b.List > options {
			return "", errs.Field("list", "poll.ballot.unknown")
		}
		return strconv.Itoa(b.List), nil
	}
	if b.List != 0 {
		return "", errs.Field("ranking", "poll.ballot.list")
	}
	if len(b.Ranking) == 0 {
		return "0", nil
	}
	seen := make([]bool, options+1)
	parts := make([]string, len(b.Ranking))
	for i, n := range b.Ranking {
		if n < 1 || n > options {
			return "", errs.Field("ranking", "poll.ballot.unknown")
		}
		if seen[n] {
			return "", errs.Field("ranking", "poll.ballot.twice")
		}
		seen[n] = true
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ","), nil
}

// DecodeKey reads a ballot key back: the numbers in it (none for blank).
func DecodeKey(key string) ([]int, error) {
	if key == "0" || key == "" {
		return nil, nil
	}
	var ns []int
	for _, p := range strings.Split(key, ",") {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad ballot key %q", key)
		}
		ns = append(ns, n)
	}
	return ns, nil
}

// ListVotes builds the tally core's input from the registered lists (in
// ballot order) and their votes.
func ListVotes(e Input, lists []Candidacy, votes []int64) []tally.ListVotes {
	lv := make([]tally.ListVotes, len(lists))
	for i, l := range lists {
		lv[i] = tally.ListVotes{Name: ListLabel(l), Alternate: e.Parity}
		if i < len(votes) {
			lv[i].Votes = votes[i]
		}
		for _, c := range l.Candidates {
			lv[i].Candidates = append(lv[i].Candidates, tally.ListCandidate{Position: c.Position, Name: c.Name, Gender: c.Gender})
		}
	}
	return lv
}

// ListLabel is how a candidacy is named in counts: its number and name,
// which is unique even when two lists share a name.
func ListLabel(c Candidacy) string { return strconv.Itoa(c.Number) + ". " + c.Name }

// CountLists allocates the seats of a list election.
func CountLists(e Input, lists []Candidacy, votes []int64, seed uint64) (*tally.Report, error) {
	rep, err := tally.ListPR(ListVotes(e, lists, votes), e.Seats, tally.ListOptions{
		Method: tally.ListMethod(e.Method), Threshold: e.ThresholdRat(), Seed: seed})
	if err != nil {
		return nil, err
	}
	rep.Title = e.Title
	return rep, nil
}

// Rankings builds the tally core's ballots of a candidate election from
// ballot keys and their counts.
func Rankings(cands []Candidacy, keys map[string]int64) (*tally.Ballots, error) {
	names := make([]string, len(cands))
	for i, c := range cands {
		names[i] = ListLabel(c)
	}
	b, err := tally.NewBallots(names)
	if err != nil {
		return nil, err
	}
	err = eachBallot(keys, func(ns []int, weight int64) error {
		r := make([]int, len(ns))
		for i, n := range ns {
			r[i] = n - 1
		}
		return b.Add(r, weight)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// eachBallot calls fn with each distinct ballot's numbers and its count,
// in the order of the keys, so that what is made from them never depends
// on a map's order.
func eachBallot(keys map[string]int64, fn func(ns []int, weight int64) error) error {
	ks := make([]string, 0, len(keys))
	for k := range keys {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	for _, k := range ks {
		ns, err := DecodeKey(k)
		if err != nil {
			return err
		}
		if err := fn(ns, keys[k]); err != nil {
			return err
		}
	}
	return nil
}

// CountRanked counts a candidate election, leaving out the candidacies in
// withdrawn (indices): the recalled, when a seat is filled again.
func CountRanked(e Input, cands []Candidacy, keys map[string]int64, seed uint64, withdrawn ...int) (*tally.Report, error) {
	b, err := Rankings(cands, keys)
	if err != nil {
		return nil, err
	}
	for _, w := range withdrawn {
		if err := b.Withdraw(w); err != nil {
			return nil, err
		}
	}
	var rep *tally.Report
	if e.Method == Meek {
		rep, err = tally.Meek(b, e.Seats, tally.MeekOptions{Seed: seed})
	} else {
		rep, err = tally.STV(b, e.Seats, tally.STVOptions{Seed: seed})
	}
	if err != nil {
		return nil, err
	}
	rep.Title = e.Title
	return rep, nil
}

// WriteListCSV writes the list votes in the form `asamblea tally` reads
// (tally.ParseListCSV): list, votes, gender, candidates, alternate.
func WriteListCSV(w io.Writer, e Input, lists []Candidacy, votes []int64) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"list", "votes", "gender", "candidates", "alternate"})
	for _, lv := range ListVotes(e, lists, votes) {
		var gs, ns []string
		for _, c := range lv.Candidates {
			gs = append(gs, c.Gender)
			ns = append(ns, strings.ReplaceAll(c.Name, "|", "/"))
		}
		alt := "no"
		if lv.Alternate {
			alt = "yes"
		}
		cw.Write([]string{lv.Name, strconv.FormatInt(lv.Votes, 10), strings.Join(gs, " "), strings.Join(ns, "|"), alt})
	}
	cw.Flush()
	return cw.Error()
}

// WriteBLT writes a candidate election's ballots in BLT, which `asamblea
// tally` and other STV counters read.
func WriteBLT(w io.Writer, e Input, cands []Candidacy, keys map[string]int64) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%d %d\n", len(cands), e.Seats)
	err := eachBallot(keys, func(ns []int, weight int64) error {
		fmt.Fprintf(bw, "%d", weight)
		for _, n := range ns {
			fmt.Fprintf(bw, " %d", n)
		}
		_, err := fmt.Fprint(bw, " 0\n")
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprint(bw, "0\n")
	for _, c := range cands {
		fmt.Fprintf(bw, "%s\n", bltQuote(ListLabel(c)))
	}
	fmt.Fprintf(bw, "%s\n", bltQuote(e.Title))
	return bw.Flush()
}

// bltQuote puts s in double quotes as BLT has it. BLT has no escapes
// (strconv.Quote's backslashes would be read as part of the name, and a
// quoted double quote refused), so double quotes inside become single ones
// and line breaks spaces.
func bltQuote(s string) string {
	return `"` + strings.NewReplacer(`"`, "'", "\r", " ", "\n", " ").Replace(s) + `"`
}

// Recall statuses.
const (
	Collecting = "collecting" // the petition gathers signatures
	RecallVote = "voting"     // enough signatures: the electorate votes
	RecallPass = "passed"
	RecallFail = "failed"
)

// RecallDays is how long a recall vote stays open once the petition has
// its signatures.
const RecallDays = 7

// Recall is a petition to recall a representative, and then its vote.
type Recall struct {
	ID            int64      `json:"id"`
	PollID        int64      `json:"poll_id"`
	CandidateID   int64      `json:"candidate_id"`
	CandidateName string     `json:"candidate_name"`
	CandidacyID   int64      `json:"candidacy_id"`
	ListName      string     `json:"list_name"`
	Reason        string     `json:"reason"`
	Status        string     `json:"status"`
	Signatures    int64      `json:"signatures"`
	Needed        int64      `json:"needed"`
	Yes           int64      `json:"yes"`
	No            int64      `json:"no"`
	Voters        int64      `json:"voters"` // online ballots
	Stations      int        `json:"stations"`
	Counted       int        `json:"counted"`
	Flagged       int        `json:"flagged"`
	VotingCloses  *time.Time `json:"voting_closes,omitempty"`
	ReplacementID int64      `json:"replacement_id,omitempty"`
	Replacement   string     `json:"replacement,omitempty"`
	OpenedBy      int64      `json:"opened_by"`
	CreatedAt     time.Time  `json:"created_at"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
}

// RecallOptions are the options of a recall's tally sheets.
var RecallOptions = []string{"yes", "no"}

// ReasonMax bounds a recall petition's reason.
const ReasonMax = 2000
