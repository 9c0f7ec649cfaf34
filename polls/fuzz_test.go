package polls

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"asamblea/bodies"
	"asamblea/tally"
)

func FuzzCleanReceipt(f *testing.F) {
	for _, s := range []string{"7KQ2-M9XD-4TPA", "7kq2 m9xd 4tpa", "OIL0-1111-ZZZZ", "U", "", "----", "ſ", "ı", "7KQ2-M9XD-4TPAX", NewReceipt()} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := CleanReceipt(s)
		if out == "" {
			return
		}
		if !receiptRE.MatchString(out) {
			t.Fatalf("CleanReceipt(%q) = %q, not a canonical code", s, out)
		}
		if again := CleanReceipt(out); again != out {
			t.Fatalf("CleanReceipt(%q) = %q, which cleans to %q", s, out, again)
		}
		if lower := CleanReceipt(strings.ToLower(out)); lower != out {
			t.Fatalf("lower case of %q cleans to %q", out, lower)
		}
	})
}

// fuzzEntries reads entries of a two-option sheet from data, four bytes
// each: the user (one of three), the two votes and the blank ballots, in
// small ranges so that entries often agree.
func fuzzEntries(data []byte) []Entry {
	var es []Entry
	for i := 0; i+4 <= len(data) && len(es) < 8; i += 4 {
		es = append(es, Entry{
			N:      len(es) + 1,
			UserID: int64(data[i] % 3),
			Sheet:  Sheet{Votes: []int64{int64(data[i+1] % 4), int64(data[i+2] % 4)}, Blank: int64(data[i+3] % 3)},
		})
	}
	return es
}

func FuzzReconcile(f *testing.F) {
	f.Add([]byte{}, int64(10))
	f.Add([]byte{0, 1, 2, 0, 1, 1, 2, 0}, int64(10))
	f.Add([]byte{0, 1, 2, 0, 0, 1, 2, 0}, int64(10))
	f.Add([]byte{0, 3, 3, 2, 1, 3, 3, 2}, int64(5))
	f.Add([]byte{0, 1, 2, 0, 1, 2, 2, 0, 2, 1, 2, 0}, int64(3))
	f.Fuzz(func(t *testing.T, data []byte, electorate int64) {
		es := fuzzEntries(data)
		status, sheet := Reconcile(es, electorate)
		agree := func(s Sheet) bool {
			for j := range es {
				for i := range j {
					if es[i].UserID != es[j].UserID && es[i].Sheet.Equal(es[j].Sheet) && es[i].Sheet.Equal(s) {
						return true
					}
				}
			}
			return false
		}
		anyPair := false
		for _, e := range es {
			anyPair = anyPair || agree(e.Sheet)
		}
		switch status {
		case CountedSheet, OverElectorate:
			if sheet == nil {
				t.Fatalf("%s without a sheet", status)
			}
			if !agree(*sheet) {
				t.Fatalf("%s with %+v, which no two people entered", status, *sheet)
			}
			if (status == CountedSheet) != (sheet.Total() <= electorate) {
				t.Fatalf("%s with %d ballots for %d electors", status, sheet.Total(), electorate)
			}
		case Awaiting, FirstEntered, Mismatch:
			if sheet != nil {
				t.Fatalf("%s with a sheet", status)
			}
			if anyPair {
				t.Fatalf("%s although two people agree", status)
			}
			want := map[int]string{0: Awaiting, 1: FirstEntered}[len(es)]
			if want == "" {
				want = Mismatch
			}
			if status != want {
				t.Fatalf("%d entries: %s, want %s", len(es), status, want)
			}
		default:
			t.Fatalf("unknown status %q", status)
		}
	})
}

func FuzzDecodeKey(f *testing.F) {
	for _, k := range []string{"0", "", "3", "2,1,4", "1,1", "+1", "01", "1,0", "-1", ",", "1,,2", "9999999999999999999999"} {
		f.Add(k, true, uint8(4))
		f.Add(k, false, uint8(4))
	}
	f.Fuzz(func(t *testing.T, key string, lists bool, options uint8) {
		ns, err := DecodeKey(key)
		if err != nil {
			return
		}
		for _, n := range ns {
			if n < 1 {
				t.Fatalf("DecodeKey(%q) = %v: not a candidacy number", key, ns)
			}
		}
		var b Ballot
		switch {
		case !lists:
			b.Ranking = ns
		case len(ns) > 1:
			return
		case len(ns) == 1:
			b.List = ns[0]
		}
		enc, err := b.Encode(lists, int(options))
		if err != nil {
			return
		}
		back, err := DecodeKey(enc)
		if err != nil {
			t.Fatalf("key %q of %+v does not decode: %v", enc, b, err)
		}
		if !slices.Equal(back, ns) {
			t.Fatalf("key %q: %v, encoded %q, decoded %v", key, ns, enc, back)
		}
		// An encoded key is canonical: encoding what it decodes to gives it back.
		if again, err := b.Encode(lists, int(options)); err != nil || again != enc {
			t.Fatalf("encoding %+v twice: %q then %q, %v", b, enc, again, err)
		}
		if len(ns) > 0 && (enc == key) != (strings.Trim(key, "0123456789,") == "" && !strings.Contains(","+key, ",0")) {
			t.Fatalf("key %q decodes to %v but encodes back as %q", key, ns, enc)
		}
	})
}

func FuzzCandidacyClean(f *testing.F) {
	f.Add("Frente Obrero", "Sindicato", "workers", "Ana Quispe/F\nBeto Huamán/M\n/\nAlex/X", uint8(4), true, true)
	f.Add("", "Federación", "", " Rosa  Ccori /f", uint8(3), false, false)
	f.Add("Lista", "Sindicato", "other", "ana/F\nANA/M", uint8(4), false, true)
	f.Add("Lista", "Sindicato", "other", "Ana Q/F\nCarla S/F", uint8(4), true, true)
	f.Add("Lista", "Sindicato", "other", "Ana Q/F\nBeto R/M\nCarla S/F", uint8(2), false, true)
	f.Fuzz(func(t *testing.T, name, org, sector, spec string, seats uint8, parity, lists bool) {
		e := Input{Title: "Junta", Seats: int(seats), Parity: parity, Method: STV}
		if lists {
			e.Method = string(tally.DHondt)
		}
		in := CandidacyInput{Name: name, Organisation: org, Sector: bodies.Sector(sector)}
		for _, row := range strings.Split(spec, "\n") {
			n, g, _ := strings.Cut(row, "/")
			in.Candidates = append(in.Candidates, CandidateInput{Name: n, Gender: g})
		}
		if err := in.Clean(e); err != nil {
			return
		}
		cs := in.Candidates
		switch {
		case len(cs) == 0:
			t.Fatal("accepted without candidates")
		case !lists && len(cs) != 1:
			t.Fatalf("single candidacy with %d candidates", len(cs))
		case lists && len(cs) > e.Seats:
			t.Fatalf("%d candidates for %d seats", len(cs), e.Seats)
		case lists && parity && AlternationBreak(cs) != 0:
			t.Fatalf("parity list breaks alternation: %+v", cs)
		}
		if !utf8.ValidString(in.Name) || in.Name != strings.Join(strings.Fields(in.Name), " ") || utf8.RuneCountInString(in.Name) < 2 {
			t.Fatalf("name %q not clean", in.Name)
		}
		for i, c := range cs {
			if !slices.Contains(Genders, c.Gender) {
				t.Fatalf("candidate %d gender %q", i+1, c.Gender)
			}
			if c.Name != strings.Join(strings.Fields(c.Name), " ") || utf8.RuneCountInString(c.Name) < 2 {
				t.Fatalf("candidate %d name %q not clean", i+1, c.Name)
			}
			for _, o := range cs[:i] {
				if strings.EqualFold(o.Name, c.Name) {
					t.Fatalf("%q and %q both stand", o.Name, c.Name)
				}
			}
		}
		// Cleaning is idempotent.
		again := in
		again.Candidates = slices.Clone(in.Candidates)
		if err := again.Clean(e); err != nil {
			t.Fatalf("cleaned candidacy refused: %v", err)
		}
		if again.Name != in.Name || again.Organisation != in.Organisation || again.Sector != in.Sector || !slices.Equal(again.Candidates, in.Candidates) {
			t.Fatalf("cleaning twice: %+v then %+v", in, again)
		}
	})
}
