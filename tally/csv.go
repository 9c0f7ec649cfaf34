package tally

import (
	"bufio"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

func newCSVReader(r io.Reader) *csv.Reader {
	br := bufio.NewReaderSize(r, 1<<20)
	if p, _ := br.Peek(3); len(p) == 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	return cr
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return parseErr(pe.Line, "%s", pe.Err.Error())
	}
	return err
}

// ParseRankedCSV reads ranked ballots as CSV: one ballot per row, candidate
// names in order of preference. When the first field of the first row is
// "count", that row is a header and every row starts with the number of
// ballots it stands for; otherwise each row is one ballot. Trailing empty
// fields are ignored; an empty field between two names is an error.
// Candidates are numbered in order of first appearance. Any error is a
// *ParseError naming the line.
func ParseRankedCSV(r io.Reader) (*Ballots, error) {
	cr := newCSVReader(r)
	b := &Ballots{offs: []uint32{0}}
	index := map[string]int{}
	first := true
	hasCount := false
	rows := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		if first {
			first = false
			if strings.EqualFold(strings.TrimSpace(rec[0]), "count") {
				hasCount = true
				continue
			}
		}
		rows++
		w := int64(1)
		if hasCount {
			f := strings.TrimSpace(rec[0])
			v, err := strconv.ParseInt(f, 10, 64)
			if err != nil || v > MaxBallots {
				return nil, parseErr(line, "count %q is not a whole number of ballots", f)
			}
			if v < 0 {
				return nil, parseErr(line, "negative count %d", v)
			}
			w = v
			rec = rec[1:]
		}
		// Drop trailing empty fields.
		n := len(rec)
		for n > 0 && strings.TrimSpace(rec[n-1]) == "" {
			n--
		}
		b.bumpStamp()
		ranking := b.scratch[:0]
		for i, f := range rec[:n] {
			name := strings.TrimSpace(f)
			if name == "" {
				return nil, parseErr(line, "empty preference %d between two names", i+1)
			}
			c, ok := index[name]
			if !ok {
				if !utf8.ValidString(name) {
					return nil, parseErr(line, "candidate name is not valid UTF-8")
				}
				var err error
				c, err = b.addCandidate(name)
				if err != nil {
					return nil, parseErr(line, "%s", err.Error())
				}
				index[name] = c
			}
			if b.seen[c] == b.stamp {
				return nil, parseErr(line, "candidate %q ranked twice on one ballot", name)
			}
			b.seen[c] = b.stamp
			ranking = append(ranking, uint16(c))
		}
		b.scratch = ranking
		if err := b.add16(ranking, w); err != nil {
			return nil, parseErr(line, "%s", err.Error())
		}
	}
	if rows == 0 {
		return nil, parseErr(0, "no ballots")
	}
	b.Compact()
	return b, nil
}

// ListVotes is one party list's vote for list proportional representation.
type ListVotes struct {
	Name  string `json:"name"`
	Votes int64  `json:"votes"`
	// Candidates in list order, when known; a list cannot win more seats
	// than it has candidates. Empty means positions 1, 2, 3… without limit.
	Candidates []ListCandidate `json:"candidates,omitempty"`
	// Gender of the first candidate when Candidates is empty and the list
	// alternates genders (F, M): positions then alternate F, M, F… or M, F, M….
	Gender string `json:"gender,omitempty"`
	// Alternate: the list is registered with alternation; with parity on,
	// each seat goes to the next candidate down the list whose gender differs
	// from the previous seat's (the next in order when none is left).
	Alternate bool `json:"alternate,omitempty"`
}

// ListCandidate is a position on a list.
type ListCandidate struct {
	Position int    `json:"position"`
	Name     string `json:"name,omitempty"`
	Gender   string `json:"gender,omitempty"`
}

// MaxListVotes bounds the votes of one list.
const MaxListVotes = 1_000_000_000_000_000

// ParseListCSV reads list votes as CSV with a header naming the columns
// "list" and "votes" (any order, any case). Optional columns:
//
//   - gender: the list's gender pattern for parity: one code (F or M) for the
//     gender of the first candidate of a list that alternates, or the genders
//     of all candidates in order, separated by spaces ("F M M F");
//   - candidates: the candidates' names in order, separated by "|";
//   - alternate: yes/no (default yes when gender is given).
//
// Other columns are ignored and returned in ignored. A list named on several
// rows (one row per polling station, or one per ballot) gets the sum of its
// votes. Any error is a *ParseError naming the line.
func ParseListCSV(r io.Reader) (lists []ListVotes, ignored []string, err error) {
	cr := newCSVReader(r)
	head, err := cr.Read()
	if err == io.EOF {
		return nil, nil, parseErr(0, "empty file")
	}
	if err != nil {
		return nil, nil, csvErr(err)
	}
	col := map[string]int{"list": -1, "votes": -1, "gender": -1, "candidates": -1, "alternate": -1}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(h))
		if j, ok := col[h]; ok {
			if j >= 0 {
				return nil, nil, parseErr(1, "column %q appears twice", h)
			}
			col[h] = i
		} else {
			ignored = append(ignored, strings.TrimSpace(head[i]))
		}
	}
	if col["list"] < 0 || col["votes"] < 0 {
		return nil, nil, parseErr(1, "the header must name the columns list and votes")
	}
	field := func(rec []string, name string) string {
		i := col[name]
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	index := map[string]int{}
	type pattern struct{ gender, candidates, alternate string }
	var pats []pattern
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		name := field(rec, "list")
		if name == "" {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			return nil, nil, parseErr(line, "empty list name")
		}
		vs := field(rec, "votes")
		v, perr := strconv.ParseInt(vs, 10, 64)
		if perr != nil || v > MaxListVotes {
			return nil, nil, parseErr(line, "votes %q is not a whole number", vs)
		}
		if v < 0 {
			return nil, nil, parseErr(line, "negative vote count %d for %q", v, name)
		}
		p := pattern{field(rec, "gender"), field(rec, "candidates"), strings.ToLower(field(rec, "alternate"))}
		i, ok := index[name]
		if !ok {
			if !utf8.ValidString(name) {
				return nil, nil, parseErr(line, "list name is not valid UTF-8")
			}
			lv := ListVotes{Name: name}
			if err := lv.setPattern(p.gender, p.candidates, p.alternate); err != nil {
				return nil, nil, parseErr(line, "%s", err.Error())
			}
			index[name] = len(lists)
			lists = append(lists, lv)
			pats = append(pats, p)
			i = len(lists) - 1
		} else if pats[i] != p && (p.gender != "" || p.candidates != "" || p.alternate != "") {
			return nil, nil, parseErr(line, "list %q was given another gender, candidates or alternate value on an earlier row", name)
		}
		if lists[i].Votes+v > MaxListVotes {
			return nil, nil, parseErr(line, "list %q has more than %d votes", name, int64(MaxListVotes))
		}
		lists[i].Votes += v
	}
	if len(lists) == 0 {
		return nil, nil, parseErr(0, "no lists")
	}
	return lists, ignored, nil
}

func (lv *ListVotes) setPattern(gender, candidates, alternate string) error {
	var names []string
	if candidates != "" {
		for _, n := range strings.Split(candidates, "|") {
			n = strings.TrimSpace(n)
			if n == "" {
				return inputErr("empty candidate name in list %q", lv.Name)
			}
			names = append(names, n)
		}
	}
	genders := strings.Fields(gender)
	for i, g := range genders {
		genders[i] = strings.ToUpper(g)
	}
	if len(genders) == 1 && len(names) != 1 {
		g := genders[0]
		if g != "F" && g != "M" {
			return inputErr("gender %q of list %q: a single code gives the first candidate of an alternating list and must be F or M (or give one code per candidate)", gender, lv.Name)
		}
		if len(names) == 0 {
			lv.Gender = g
			genders = nil
		} else {
			for i := 1; i < len(names); i++ {
				genders = append(genders, otherGender(genders[i-1]))
			}
		}
	}
	if len(genders) > 1 && len(names) > 0 && len(names) != len(genders) {
		return inputErr("list %q has %d candidates but %d genders", lv.Name, len(names), len(genders))
	}
	for i := 0; i < max(len(names), len(genders)); i++ {
		c := ListCandidate{Position: i + 1}
		if i < len(names) {
			c.Name = names[i]
		}
		if i < len(genders) {
			c.Gender = genders[i]
		}
		lv.Candidates = append(lv.Candidates, c)
	}
	switch alternate {
	case "":
		lv.Alternate = gender != ""
	case "yes", "y", "si", "sí", "true", "1":
		lv.Alternate = true
	case "no", "n", "false", "0":
		lv.Alternate = false
	default:
		return inputErr("alternate %q of list %q is not yes or no", alternate, lv.Name)
	}
	return nil
}

func otherGender(g string) string {
	if g == "F" {
		return "M"
	}
	return "F"
}

// positionGender is the gender at position p (1-based) of a list that
// alternates starting with first.
func positionGender(first string, p int) string {
	if p%2 == 1 {
		return first
	}
	return otherGender(first)
}
