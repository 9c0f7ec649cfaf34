package polls

import (
	"bytes"
	"reflect"
	"slices"
	"strings"
	"testing"

	"asamblea/tally"
)

func TestBallotEncode(t *testing.T) {
	tests := []struct {
		name    string
		b       Ballot
		lists   bool
		options int
		key     string
		field   string
		errKey  string
	}{
		{"ListBlank", Ballot{}, true, 3, "0", "", ""},
		{"List", Ballot{List: 3}, true, 3, "3", "", ""},
		{"FirstList", Ballot{List: 1}, true, 3, "1", "", ""},
		{"ListOutOfRange", Ballot{List: 4}, true, 3, "", "list", "poll.ballot.unknown"},
		{"ListNegative", Ballot{List: -1}, true, 3, "", "list", "poll.ballot.unknown"},
		{"RankingInListElection", Ballot{Ranking: []int{1}}, true, 3, "", "list", "poll.ballot.ranking"},
		{"RankingBlank", Ballot{}, false, 3, "0", "", ""},
		{"RankingEmptySlice", Ballot{Ranking: []int{}}, false, 3, "0", "", ""},
		{"Ranking", Ballot{Ranking: []int{2, 1, 4}}, false, 4, "2,1,4", "", ""},
		{"RankingOne", Ballot{Ranking: []int{3}}, false, 4, "3", "", ""},
		{"RankingFull", Ballot{Ranking: []int{4, 3, 2, 1}}, false, 4, "4,3,2,1", "", ""},
		{"RankingTwice", Ballot{Ranking: []int{2, 1, 2}}, false, 4, "", "ranking", "poll.ballot.twice"},
		{"RankingOutOfRange", Ballot{Ranking: []int{1, 5}}, false, 4, "", "ranking", "poll.ballot.unknown"},
		{"RankingZero", Ballot{Ranking: []int{0}}, false, 4, "", "ranking", "poll.ballot.unknown"},
		{"RankingNegative", Ballot{Ranking: []int{-2}}, false, 4, "", "ranking", "poll.ballot.unknown"},
		{"RankingNoOptions", Ballot{Ranking: []int{1}}, false, 0, "", "ranking", "poll.ballot.unknown"},
		{"ListInCandidateElection", Ballot{List: 2}, false, 4, "", "ranking", "poll.ballot.list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := tt.b.Encode(tt.lists, tt.options)
			if tt.errKey != "" {
				wantErr(t, err, tt.field, tt.errKey)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if key != tt.key {
				t.Errorf("key = %q, want %q", key, tt.key)
			}
			ns, err := DecodeKey(key)
			if err != nil {
				t.Fatalf("DecodeKey(%q): %v", key, err)
			}
			want := tt.b.Ranking
			if tt.lists && tt.b.List > 0 {
				want = []int{tt.b.List}
			}
			if len(want) == 0 {
				want = nil
			}
			if !slices.Equal(ns, want) {
				t.Errorf("DecodeKey(%q) = %v, want %v", key, ns, want)
			}
		})
	}
}

func TestDecodeKey(t *testing.T) {
	tests := []struct {
		key  string
		want []int
		bad  bool
	}{
		{"0", nil, false},
		{"", nil, false},
		{"3", []int{3}, false},
		{"2,1,4", []int{2, 1, 4}, false},
		{"1,0", nil, true},
		{"-1", nil, true},
		{"1,,2", nil, true},
		{"1,", nil, true},
		{",", nil, true},
		{"a", nil, true},
		{"1;2", nil, true},
		{"1, 2", nil, true},
		{"99999999999999999999", nil, true},
	}
	for _, tt := range tests {
		ns, err := DecodeKey(tt.key)
		if tt.bad {
			if err == nil {
				t.Errorf("DecodeKey(%q) = %v, want an error", tt.key, ns)
			}
			continue
		}
		if err != nil || !slices.Equal(ns, tt.want) {
			t.Errorf("DecodeKey(%q) = %v, %v; want %v", tt.key, ns, err, tt.want)
		}
	}
}

// candidacy is a registered list numbered n with candidates "Name/G".
func candidacy(n int, name string, spec ...string) Candidacy {
	c := Candidacy{ID: int64(100 + n), Number: n, Name: name, Status: Registered}
	for i, s := range spec {
		cn, g, _ := strings.Cut(s, "/")
		c.Candidates = append(c.Candidates, Candidate{Position: i + 1, Name: cn, Gender: g, Status: Standing})
	}
	return c
}

func parityLists() []Candidacy {
	return []Candidacy{
		// Not alternating, as an old list might be: parity still seats in turn.
		candidacy(1, "Frente Obrero", "Ana Quispe/F", "Carla Mamani/F", "Beto Huamán/M", "Juan Rojas/M", "Rosa Ccori/F"),
		candidacy(2, `Tierra y Libertad, "TyL"`, "Pedro Soto/M", "Alex Ríos/X", "Lucía Paz/F", "Mario Díaz/M"),
		candidacy(3, "Unidad Vecinal", "Elena Cruz/F", "Raúl Vega/M"),
		candidacy(4, "Lista sin votos", "Nora Gil/F"),
	}
}

var parityVotes = []int64{610, 290, 100, 0}

func TestCountListsParity(t *testing.T) {
	e := Input{Title: "Junta Directiva", Seats: 5, Method: string(tally.DHondt), Parity: true}
	rep, err := CountLists(e, parityLists(), parityVotes, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Title != e.Title {
		t.Errorf("title = %q", rep.Title)
	}
	want := map[string]int{"1. Frente Obrero": 4, `2. Tierra y Libertad, "TyL"`: 1}
	sum := 0
	for _, l := range rep.Lists {
		sum += l.Seats
		if l.Seats != want[l.Name] {
			t.Errorf("%s: %d seats, want %d", l.Name, l.Seats, want[l.Name])
		}
		if len(l.Seated) != l.Seats {
			t.Errorf("%s: %d seated for %d seats", l.Name, len(l.Seated), l.Seats)
		}
		for i := 1; i < len(l.Seated); i++ {
			if l.Seated[i].Gender == l.Seated[i-1].Gender {
				t.Errorf("%s: seats %d and %d both go to %s", l.Name, i, i+1, l.Seated[i].Gender)
			}
		}
	}
	if sum != e.Seats {
		t.Errorf("%d seats allocated, want %d", sum, e.Seats)
	}
	var seated []string
	for _, c := range rep.Lists[0].Seated {
		seated = append(seated, c.Name)
	}
	if w := []string{"Ana Quispe", "Beto Huamán", "Carla Mamani", "Juan Rojas"}; !slices.Equal(seated, w) {
		t.Errorf("seated = %q, want %q", seated, w)
	}

	// Without parity the seats go down the list in order.
	e.Parity = false
	rep, err = CountLists(e, parityLists(), parityVotes, 1)
	if err != nil {
		t.Fatal(err)
	}
	seated = nil
	for _, c := range rep.Lists[0].Seated {
		seated = append(seated, c.Name)
	}
	if w := []string{"Ana Quispe", "Carla Mamani", "Beto Huamán", "Juan Rojas"}; !slices.Equal(seated, w) {
		t.Errorf("without parity seated = %q, want %q", seated, w)
	}
}

func TestCountListsThreshold(t *testing.T) {
	e := Input{Title: "Junta", Seats: 5, Method: string(tally.SainteLague)}
	seatsOf := func(e Input) []int {
		rep, err := CountLists(e, parityLists(), parityVotes, 1)
		if err != nil {
			t.Fatal(err)
		}
		var s []int
		for _, l := range rep.Lists {
			s = append(s, l.Seats)
		}
		return s
	}
	if got, want := seatsOf(e), []int{3, 1, 1, 0}; !slices.Equal(got, want) {
		t.Errorf("without threshold: seats %v, want %v", got, want)
	}
	e.Threshold = "15"
	if got, want := seatsOf(e), []int{3, 2, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("with a 15%% threshold: seats %v, want %v", got, want)
	}
}

func TestCountListsMissingVotes(t *testing.T) {
	// Lists registered after the votes were read count with none.
	e := Input{Title: "Junta", Seats: 3, Method: string(tally.DHondt)}
	rep, err := CountLists(e, parityLists(), []int64{10, 5}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Lists[2].Votes != 0 || rep.Lists[3].Votes != 0 {
		t.Errorf("lists without votes: %d, %d", rep.Lists[2].Votes, rep.Lists[3].Votes)
	}
	if _, err := CountLists(e, nil, nil, 1); err == nil {
		t.Error("counted an election without lists")
	}
}

func TestWriteListCSVRecounts(t *testing.T) {
	for _, method := range tally.ListMethods {
		for _, parity := range []bool{true, false} {
			e := Input{Title: "Junta", Seats: 5, Method: string(method), Parity: parity, Threshold: "4"}
			name := string(method)
			if parity {
				name += "/parity"
			}
			t.Run(name, func(t *testing.T) {
				lists := parityLists()
				direct, err := CountLists(e, lists, parityVotes, 7)
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := WriteListCSV(&buf, e, lists, parityVotes); err != nil {
					t.Fatal(err)
				}
				parsed, ignored, err := tally.ParseListCSV(&buf)
				if err != nil {
					t.Fatalf("ParseListCSV: %v\n%s", err, buf.String())
				}
				if len(ignored) > 0 {
					t.Errorf("columns ignored: %v", ignored)
				}
				again, err := tally.ListPR(parsed, e.Seats, tally.ListOptions{Method: method, Threshold: e.ThresholdRat(), Seed: 7})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(direct.Seats, again.Seats) {
					t.Errorf("seats: counted %v, from CSV %v", direct.Seats, again.Seats)
				}
				if len(direct.Lists) != len(again.Lists) {
					t.Fatalf("%d lists counted, %d from CSV", len(direct.Lists), len(again.Lists))
				}
				for i := range direct.Lists {
					d, a := direct.Lists[i], again.Lists[i]
					if d.Name != a.Name || d.Votes != a.Votes || !reflect.DeepEqual(d.Seated, a.Seated) || !reflect.DeepEqual(d.ByGender, a.ByGender) {
						t.Errorf("list %d: counted %+v, from CSV %+v", i+1, d, a)
					}
				}
			})
		}
	}
}

func TestWriteListCSVFormat(t *testing.T) {
	e := Input{Title: "Junta", Seats: 3, Method: string(tally.DHondt), Parity: true}
	lists := []Candidacy{candidacy(1, "Frente", "Ana | Quispe/F", "Beto/M"), candidacy(2, "Otra, lista", "Alex/X")}
	var buf bytes.Buffer
	if err := WriteListCSV(&buf, e, lists, []int64{12, 3}); err != nil {
		t.Fatal(err)
	}
	want := "list,votes,gender,candidates,alternate\n" +
		"1. Frente,12,F M,Ana / Quispe|Beto,yes\n" +
		"\"2. Otra, lista\",3,X,Alex,yes\n"
	if buf.String() != want {
		t.Errorf("CSV =\n%s\nwant\n%s", buf.String(), want)
	}
}

// rankedCands are four single candidacies; the election below elects Ana
// on first preferences and Dario on Carla's transfers.
func rankedCands() []Candidacy {
	return []Candidacy{
		candidacy(1, "Ana", "Ana/F"),
		candidacy(2, "Beto", "Beto/M"),
		candidacy(3, "Carla", "Carla/F"),
		candidacy(4, "Dario", "Dario/M"),
	}
}

var rankedKeys = map[string]int64{"1,3": 40, "2": 25, "3,4": 10, "4,2": 20}

func TestCountRanked(t *testing.T) {
	for _, method := range []string{STV, Meek} {
		e := Input{Title: "Comisión de Ética", Scope: BodyScope, Seats: 2, Method: method}
		t.Run(method, func(t *testing.T) {
			rep, err := CountRanked(e, rankedCands(), rankedKeys, 1)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Title != e.Title {
				t.Errorf("title = %q", rep.Title)
			}
			if want := []string{"1. Ana", "4. Dario"}; !slices.Equal(rep.Elected, want) {
				t.Errorf("elected %q, want %q", rep.Elected, want)
			}
			if !slices.Equal(rep.ElectedIndex, []int{0, 3}) {
				t.Errorf("elected index %v", rep.ElectedIndex)
			}
			// Ana recalled: the count is run again without her, and her
			// voters' next preference, Carla, takes a seat.
			rep, err = CountRanked(e, rankedCands(), rankedKeys, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			if want := []string{"3. Carla", "2. Beto"}; !slices.Equal(rep.Elected, want) {
				t.Errorf("without Ana elected %q, want %q", rep.Elected, want)
			}
		})
	}
}

func TestCountRankedRefuses(t *testing.T) {
	e := Input{Title: "Comisión", Scope: BodyScope, Seats: 1, Method: STV}
	bad := []struct {
		name      string
		keys      map[string]int64
		withdrawn []int
	}{
		{"BadKey", map[string]int64{"1,x": 3}, nil},
		{"UnknownCandidacy", map[string]int64{"5": 3}, nil},
		{"RankedTwice", map[string]int64{"1,2,1": 3}, nil},
		{"NegativeCount", map[string]int64{"1": -3}, nil},
		{"WithdrawnOutOfRange", map[string]int64{"1": 3}, []int{4}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := CountRanked(e, rankedCands(), tt.keys, 1, tt.withdrawn...); err == nil {
				t.Error("counted")
			}
		})
	}
}

func TestRankings(t *testing.T) {
	b, err := Rankings(rankedCands(), map[string]int64{"0": 4, "2,1": 3, "1": 5})
	if err != nil {
		t.Fatal(err)
	}
	if b.Total() != 8 || b.Empty != 4 {
		t.Errorf("total %d, empty %d; want 8 and 4", b.Total(), b.Empty)
	}
	if want := []string{"1. Ana", "2. Beto", "3. Carla", "4. Dario"}; !slices.Equal(b.Candidates, want) {
		t.Errorf("candidates %q", b.Candidates)
	}
	var got []tally.Ballot
	for i := range b.Len() {
		got = append(got, b.Ballot(i))
	}
	// Keys are read in sorted order: "1" before "2,1".
	want := []tally.Ballot{{Ranking: []int{0}, Weight: 5}, {Ranking: []int{1, 0}, Weight: 3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ballots %+v, want %+v", got, want)
	}
}

func TestWriteBLTRecounts(t *testing.T) {
	cands := rankedCands()
	// Names a BLT file cannot hold as they are: quotes, a backslash, a
	// format character that strconv.Quote would escape.
	cands[1].Name = `Beto "El Profe" Huamán`
	cands[2].Name = `Carla C\ Mamani` + "\u00ad"
	e := Input{Title: `Comisión "de Ética"`, Scope: BodyScope, Seats: 2, Method: STV}
	for _, seats := range []int{1, 2, 3} {
		e.Seats = seats
		direct, err := CountRanked(e, cands, rankedKeys, 1)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WriteBLT(&buf, e, cands, rankedKeys); err != nil {
			t.Fatal(err)
		}
		b, err := tally.ParseBLT(&buf)
		if err != nil {
			t.Fatalf("ParseBLT: %v\n%s", err, buf.String())
		}
		if b.Seats != seats || len(b.Candidates) != len(cands) || b.Total() != 95 {
			t.Errorf("BLT read back: seats %d, candidates %q, ballots %d", b.Seats, b.Candidates, b.Total())
		}
		if b.Title != `Comisión 'de Ética'` {
			t.Errorf("title %q", b.Title)
		}
		again, err := tally.STV(b, b.Seats, tally.STVOptions{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(direct.ElectedIndex, again.ElectedIndex) {
			t.Errorf("%d seats: elected %q, from BLT %q", seats, direct.Elected, again.Elected)
		}
		for i, name := range again.Candidates {
			if want := direct.Candidates[i]; name != strings.ReplaceAll(want, `"`, "'") {
				t.Errorf("candidate %d: %q in BLT, %q counted", i+1, name, want)
			}
		}
	}
}

func TestWriteBLTFormat(t *testing.T) {
	e := Input{Title: "Comisión", Seats: 2, Method: STV}
	var buf bytes.Buffer
	if err := WriteBLT(&buf, e, rankedCands(), map[string]int64{"4,2": 20, "0": 2, "1,3": 40}); err != nil {
		t.Fatal(err)
	}
	want := "4 2\n2 0\n40 1 3 0\n20 4 2 0\n0\n\"1. Ana\"\n\"2. Beto\"\n\"3. Carla\"\n\"4. Dario\"\n\"Comisión\"\n"
	if buf.String() != want {
		t.Errorf("BLT =\n%s\nwant\n%s", buf.String(), want)
	}
	if err := WriteBLT(&bytes.Buffer{}, e, rankedCands(), map[string]int64{"x": 1}); err == nil {
		t.Error("bad key written")
	}
}
