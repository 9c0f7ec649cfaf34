package tally

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const foodBLT = `5 3
4 1 0
2 2 1 0
8 3 4 0
4 3 5 0
1 4 0
1 5 0
0
"Orange"
"Pear"
"Chocolate"
"Strawberry"
"Sweets"
"Food election (Wikipedia, Single transferable vote)"
`

func TestParseBLT(t *testing.T) {
	b, err := ParseBLT(strings.NewReader(foodBLT))
	if err != nil {
		t.Fatal(err)
	}
	if b.Seats != 3 || len(b.Candidates) != 5 || b.Total() != 20 || b.Len() != 6 || b.Title == "" {
		t.Fatalf("%+v", b)
	}
	rep, err := STV(b, b.Seats, STVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rep.Elected, ","); got != "Chocolate,Orange,Strawberry" {
		t.Errorf("elected %s", got)
	}
}

func TestParseBLTWithdrawnAndGrouping(t *testing.T) {
	in := "3 1\n-2\n1 2 3 0\n1 1 0\n(b7) 1 2 3 0\n\n2 3 0\n0\n\"A\"\n\"B\"\n\"C\"\n"
	b, err := ParseBLT(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	// B is withdrawn: "2 3" becomes "3", grouped with the later "3".
	if !b.Withdrawn[1] || b.Len() != 2 || b.Total() != 5 || b.Title != "" {
		t.Fatalf("withdrawn %v groups %d total %d", b.Withdrawn, b.Len(), b.Total())
	}
	if bl := b.Ballot(0); len(bl.Ranking) != 1 || bl.Ranking[0] != 2 || bl.Weight != 4 {
		t.Errorf("group 0: %+v", bl)
	}
}

func TestParseBLTErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"Empty", "", 0, "empty file"},
		{"Blank", "\n \n", 0, "empty file"},
		{"BadHeader", "3\n", 1, "two numbers"},
		{"ZeroSeats", "3 0\n", 1, "seats"},
		{"MoreSeatsThanCandidates", "2 3\n", 1, "3 seats for only 2 candidates"},
		{"OutOfRange", "2 1\n1 1 3 0\n0\n\"A\"\n\"B\"\n", 2, "candidate 3 out of range 1..2"},
		{"NoTerminator", "2 1\n1 1 2\n0\n\"A\"\n\"B\"\n", 2, "does not end with 0"},
		{"MissingEndOfBallots", "2 1\n1 1 2 0\n", 3, "must end with a line holding 0"},
		{"RankedTwice", "2 1\n1 1 2 0\n3 2 2 0\n0\n\"A\"\n\"B\"\n", 3, "ranked twice"},
		{"NegativeWeight", "2 1\n1 1 0\n-3 1 0\n0\n\"A\"\n\"B\"\n", 3, "negative ballot weight"},
		{"FractionalWeight", "2 1\n1.5 1 0\n0\n\"A\"\n\"B\"\n", 2, "whole number"},
		{"EqualPreferences", "2 1\n1 1=2 0\n0\n\"A\"\n\"B\"\n", 2, "equal preferences"},
		{"TooFewNames", "3 1\n1 1 0\n0\n\"A\"\n\"B\"\n", 6, "expected 3 candidate names, found 2"},
		{"TooManyNames", "2 1\n1 1 0\n0\n\"A\"\n\"B\"\n\"C\"\n\"T\"\n", 7, "unexpected content"},
		{"UnquotedName", "2 1\n1 1 0\n0\nA\n\"B\"\n", 4, "double quotes"},
		{"DuplicateName", "2 1\n1 1 0\n0\n\"A\"\n\"A\"\n", 5, "appears twice"},
		{"WithdrawnOutOfRange", "2 1\n-3\n1 1 0\n0\n\"A\"\n\"B\"\n", 2, "withdrawn candidate 3"},
		{"ZeroInside", "2 1\n1 1 0 2 0\n0\n\"A\"\n\"B\"\n", 2, "0 before the end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBLT(strings.NewReader(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v, want *ParseError", err, err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got line %d %q, want line %d %q", pe.Line, pe.Msg, tc.line, tc.msg)
			}
		})
	}
}

func TestParseRankedCSV(t *testing.T) {
	tests := []struct {
		name          string
		in            string
		cands         string
		total, groups int64
		empty         int64
	}{
		{"Plain", "A,B,C\nB\nA,B,C\n", "A,B,C", 3, 2, 0},
		{"CountColumn", "count,1,2,3\n10,Ana,Beto\n5, Beto ,Ana,\n3,,\n", "Ana,Beto", 15, 2, 3},
		{"QuotedAndBOM", "\xEF\xBB\xBF\"Pérez, Ana\",Luis\nLuis\n", "Pérez, Ana,Luis", 2, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ParseRankedCSV(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(b.Candidates, ","); got != tc.cands || b.Total() != tc.total || int64(b.Len()) != tc.groups || b.Empty != tc.empty {
				t.Errorf("candidates %q total %d groups %d empty %d", got, b.Total(), b.Len(), b.Empty)
			}
		})
	}
}

func TestParseRankedCSVErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"Empty", "", 0, "no ballots"},
		{"HeaderOnly", "count,1\n", 0, "no ballots"},
		{"Twice", "A,B\nB,A,B\n", 2, "ranked twice"},
		{"Gap", "A,,B\n", 1, "empty preference 2"},
		{"NegativeCount", "count\n2,A\n-1,B\n", 3, "negative count"},
		{"BadCount", "count\nx,A\n", 2, "not a whole number"},
		{"BadQuote", "A,\"B\nC\n", 2, "quoted-field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseRankedCSV(strings.NewReader(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v", err, err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got line %d %q, want line %d %q", pe.Line, pe.Msg, tc.line, tc.msg)
			}
		})
	}
}

func TestParseListCSV(t *testing.T) {
	in := "Votes,List,Gender,candidates,mesa\n" +
		"100,Frente,F,,1\n" +
		"50,Unión,F M M,Ana|Beto|Ciro,1\n" +
		"25,Frente,,,2\n" +
		"7,Otra,,,2\n"
	l, ignored, err := ParseListCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(l) != 3 || l[0].Votes != 125 || l[0].Gender != "F" || !l[0].Alternate {
		t.Fatalf("%+v", l)
	}
	if len(l[1].Candidates) != 3 || l[1].Candidates[2] != (ListCandidate{3, "Ciro", "M"}) || !l[1].Alternate {
		t.Errorf("Unión %+v", l[1])
	}
	if l[2].Alternate || len(l[2].Candidates) != 0 {
		t.Errorf("Otra %+v", l[2])
	}
	if len(ignored) != 1 || ignored[0] != "mesa" {
		t.Errorf("ignored %v", ignored)
	}
}

func TestParseListCSVErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"Empty", "", 0, "empty file"},
		{"NoHeader", "A,10\n", 1, "list and votes"},
		{"NoRows", "list,votes\n", 0, "no lists"},
		{"Negative", "list,votes\nA,10\nB,-3\n", 3, "negative vote count"},
		{"NotANumber", "list,votes\nA,diez\n", 2, "not a whole number"},
		{"EmptyName", "list,votes\n,3\n", 2, "empty list name"},
		{"BadGender", "list,votes,gender\nA,3,X\n", 2, "must be F or M"},
		{"GenderCount", "list,votes,gender,candidates\nA,3,F M,a|b|c\n", 2, "3 candidates but 2 genders"},
		{"Conflict", "list,votes,gender\nA,3,F\nA,3,M\n", 3, "another gender"},
		{"DuplicateColumn", "list,votes,list\n", 1, "appears twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseListCSV(strings.NewReader(tc.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v", err, err)
			}
			if pe.Line != tc.line || !strings.Contains(pe.Msg, tc.msg) {
				t.Errorf("got line %d %q, want line %d %q", pe.Line, pe.Msg, tc.line, tc.msg)
			}
		})
	}
}

// checkParse is what every fuzz target asserts: a result or a *ParseError,
// never a panic; and a parsed ballot set can be counted without a panic.
func checkParse(t *testing.T, b *Ballots, err error) {
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %T %v is not a *ParseError", err, err)
		}
		return
	}
	if len(b.Candidates) == 0 || b.Len() > 10000 {
		return
	}
	seats := max(b.Seats, 1)
	_, _ = STV(b, seats, STVOptions{})
	_, _ = Meek(b, seats, MeekOptions{})
	_, _ = IRV(b, Options{})
	_, _ = Schulze(b, seats, Options{})
	_, _ = Approval(b, seats, Options{})
}

func FuzzParseBLT(f *testing.F) {
	f.Add([]byte(foodBLT))
	f.Add([]byte("3 1\n-2\n1 2 3 0\n(x) 2 1 0\n0\n\"A\"\n\"B\"\n\"C\"\n\"T\"\n"))
	f.Add([]byte("2 1\n1 1 2\n0\n"))
	f.Add([]byte("2 1\n4000000000 1 0\n1 2 0\n0\n\"A\"\n\"B\"\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := ParseBLT(bytes.NewReader(in))
		checkParse(t, b, err)
	})
}

func FuzzParseRankedCSV(f *testing.F) {
	f.Add([]byte("A,B,C\nB\nA,B,C\n"))
	f.Add([]byte("count,1,2\n10,Ana,Beto\n5,Beto,Ana,\n3,,\n"))
	f.Add([]byte("\"x,y\",z\n,\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		b, err := ParseRankedCSV(bytes.NewReader(in))
		checkParse(t, b, err)
	})
}

func FuzzParseListCSV(f *testing.F) {
	f.Add([]byte("list,votes\nA,100\nB,50\n"))
	f.Add([]byte("list,votes,gender,candidates,alternate\nA,100,F,,yes\nB,50,F M,x|y,no\nA,3,F,,yes\n"))
	f.Add([]byte("votes,list,seats_2021\n1,Perú Libre,37\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		l, _, err := ParseListCSV(bytes.NewReader(in))
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *ParseError", err, err)
			}
			return
		}
		if len(l) > 1000 {
			return
		}
		for _, m := range ListMethods {
			if rep, err := ListPR(l, 7, ListOptions{Method: m}); err == nil {
				n := 0
				for _, s := range rep.Seats {
					n += s
				}
				if n != 7 {
					t.Fatalf("%s: %d seats of 7", m, n)
				}
			}
		}
	})
}
