package tally

import (
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// ParseBLT reads a ballot file in BLT format, as written by OpenSTV, Droop
// and Loomio:
//
//	4 2            number of candidates, number of seats
//	-2             optional: withdrawn candidates, as negative numbers
//	3 1 3 4 0      weight, then candidate numbers in order of preference, then 0
//	4 1 3 2 0
//	0              end of ballots
//	"Adam"         one quoted name per candidate, in number order
//	"Basil"
//	"Charlotte"
//	"Donald"
//	"Title"        optional title
//
// Blank lines are ignored. The file is read as a stream; identical rankings
// are grouped as they are read. Any error is a *ParseError naming the line.
func ParseBLT(r io.Reader) (*Ballots, error) {
	lr := newLineReader(r)
	b := &Ballots{offs: []uint32{0}}
	var toks [][]byte
	nextNonBlank := func() ([]byte, bool) {
		for {
			line, ok := lr.next()
			if !ok {
				return nil, false
			}
			if len(bytes.TrimSpace(line)) > 0 {
				return line, true
			}
		}
	}
	readErr := func(what string) error {
		if lr.err != nil {
			return lr.err
		}
		return parseErr(lr.line+1, "unexpected end of file: %s", what)
	}

	// Header.
	line, ok := nextNonBlank()
	if !ok {
		if lr.err != nil {
			return nil, lr.err
		}
		return nil, parseErr(0, "empty file")
	}
	toks = fields(toks, line)
	if len(toks) != 2 {
		return nil, parseErr(lr.line, "the first line must hold two numbers: candidates and seats")
	}
	nc, ok1 := parseInt(toks[0], MaxCandidates)
	ns, ok2 := parseInt(toks[1], MaxCandidates)
	if !ok1 || nc < 1 {
		return nil, parseErr(lr.line, "number of candidates %q is not between 1 and %d", toks[0], MaxCandidates)
	}
	if !ok2 || ns < 1 {
		return nil, parseErr(lr.line, "number of seats %q is not a positive whole number", toks[1])
	}
	if ns > nc {
		return nil, parseErr(lr.line, "%d seats for only %d candidates", ns, nc)
	}
	b.Seats = int(ns)
	b.Candidates = make([]string, nc)
	b.Withdrawn = make([]bool, nc)
	b.seen = make([]uint32, nc)

	// Withdrawn candidates and ballots.
	first := true
	for {
		line, ok = nextNonBlank()
		if !ok {
			return nil, readErr("the ballots must end with a line holding 0")
		}
		toks = fields(toks, line)
		if first && len(toks) > 0 && toks[0][0] == '-' {
			first = false
			for _, t := range toks {
				v, ok := parseInt(t, MaxCandidates)
				if !ok || v >= 0 {
					return nil, parseErr(lr.line, "withdrawn candidates must be negative numbers, found %q", t)
				}
				if -v > nc {
					return nil, parseErr(lr.line, "withdrawn candidate %d out of range 1..%d", -v, nc)
				}
				b.Withdrawn[-v-1] = true
			}
			continue
		}
		first = false
		if len(toks) == 1 && string(toks[0]) == "0" {
			break
		}
		if err := b.bltBallot(toks, lr.line, int(nc)); err != nil {
			return nil, err
		}
	}

	// Candidate names, then the title.
	for i := 0; i < int(nc); i++ {
		line, ok = nextNonBlank()
		if !ok {
			if lr.err != nil {
				return nil, lr.err
			}
			return nil, parseErr(lr.line+1, "expected %d candidate names, found %d", nc, i)
		}
		name, err := quoted(line, lr.line)
		if err != nil {
			return nil, err
		}
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, parseErr(lr.line, "empty candidate name")
		}
		for j := 0; j < i; j++ {
			if b.Candidates[j] == name {
				return nil, parseErr(lr.line, "candidate name %q appears twice", name)
			}
		}
		b.Candidates[i] = name
	}
	if line, ok = nextNonBlank(); ok {
		title, err := quoted(line, lr.line)
		if err != nil {
			return nil, err
		}
		b.Title = title
		if _, ok = nextNonBlank(); ok {
			return nil, parseErr(lr.line, "unexpected content after the title (are there more names than the %d candidates of the first line?)", nc)
		}
	}
	if lr.err != nil {
		return nil, lr.err
	}
	b.Compact()
	return b, nil
}

// bltBallot parses one ballot line: weight, preferences, 0.
func (b *Ballots) bltBallot(toks [][]byte, line, nc int) error {
	t0 := toks[0]
	if t0[0] == '(' { // optional ballot id: "(id) weight prefs 0"
		if t0[len(t0)-1] != ')' {
			return parseErr(line, "ballot id %q is not closed", t0)
		}
		toks = toks[1:]
		if len(toks) == 0 {
			return parseErr(line, "ballot id without a ballot")
		}
	}
	w, ok := parseInt(toks[0], MaxBallots)
	if !ok {
		if len(toks[0]) > 0 && toks[0][0] == '-' {
			return parseErr(line, "negative ballot weight %q", toks[0])
		}
		return parseErr(line, "ballot weight %q is not a whole number of ballots", toks[0])
	}
	if w < 0 {
		return parseErr(line, "negative ballot weight %d", w)
	}
	if last := toks[len(toks)-1]; len(toks) < 2 || string(last) != "0" {
		return parseErr(line, "ballot does not end with 0")
	}
	b.bumpStamp()
	r := b.scratch[:0]
	for _, t := range toks[1 : len(toks)-1] {
		v, ok := parseInt(t, MaxCandidates)
		if !ok {
			if bytes.ContainsAny(t, "=") {
				return parseErr(line, "equal preferences (%q) are not supported", t)
			}
			return parseErr(line, "preference %q is not a candidate number", t)
		}
		if v < 1 || v > int64(nc) {
			if v == 0 {
				return parseErr(line, "0 before the end of the ballot")
			}
			return parseErr(line, "candidate %d out of range 1..%d", v, nc)
		}
		c := int(v - 1)
		if b.seen[c] == b.stamp {
			return parseErr(line, "candidate %d ranked twice on one ballot", v)
		}
		b.seen[c] = b.stamp
		if !b.Withdrawn[c] {
			r = append(r, uint16(c))
		}
	}
	b.scratch = r
	if err := b.add16(r, w); err != nil {
		return parseErr(line, "%s", err.Error())
	}
	return nil
}

// quoted returns the text of a line holding one double-quoted string.
func quoted(line []byte, n int) (string, error) {
	s := bytes.TrimSpace(line)
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", parseErr(n, "expected a name in double quotes, found %q", truncate(s))
	}
	inner := s[1 : len(s)-1]
	if bytes.IndexByte(inner, '"') >= 0 {
		return "", parseErr(n, "expected one name in double quotes, found %q", truncate(s))
	}
	if !utf8.Valid(inner) {
		return "", parseErr(n, "name is not valid UTF-8")
	}
	return string(inner), nil
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:40]) + "…"
	}
	return string(b)
}
