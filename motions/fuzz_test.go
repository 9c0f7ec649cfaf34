package motions

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"asamblea/errs"
	"asamblea/voting"
)

// canonicalRanking matches the rankings Encode writes: indices in decimal
// without sign or leading zeros, short enough to fit an int, joined by
// commas.
var canonicalRanking = func() *regexp.Regexp {
	digits := "17"
	if strconv.IntSize < 64 {
		digits = "8"
	}
	n := `(0|[1-9][0-9]{0,` + digits + `})`
	return regexp.MustCompile(`^` + n + `(,` + n + `)*$`)
}()

// encodeRanking writes a ranking as Encode stores it.
func encodeRanking(r []int) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}

func FuzzDecodeRanking(f *testing.F) {
	for _, s := range []string{"", "0", "2,0,1", "10,3", "1,", ",1", "-1", "+1", "01", "-0", "1,,2", " 1", "99999999999999999999", "0,1,2,3,4,5,6,7,8,9,10,11,12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := DecodeRanking(s)
		if err != nil {
			if r != nil {
				t.Fatalf("DecodeRanking(%q) = %v with an error", s, r)
			}
			if e := errs.As(err); e.Field != "ranking" || e.Key != "motion.ballot.unknown_option" {
				t.Fatalf("DecodeRanking(%q): error %v", s, err)
			}
			if canonicalRanking.MatchString(s) {
				t.Fatalf("DecodeRanking(%q) refused a canonical ranking: %v", s, err)
			}
			return
		}
		if (s == "") != (r == nil) {
			t.Fatalf("DecodeRanking(%q) = %#v", s, r)
		}
		for _, v := range r {
			if v < 0 {
				t.Fatalf("DecodeRanking(%q) = %v: negative index", s, r)
			}
		}
		back := encodeRanking(r)
		if canonicalRanking.MatchString(s) && back != s {
			t.Fatalf("DecodeRanking(%q) = %v, which encodes as %q", s, r, back)
		}
		// Whatever decodes, its canonical form decodes to the same.
		again, err := DecodeRanking(back)
		if err != nil || !slices.Equal(again, r) {
			t.Fatalf("DecodeRanking(%q) = %v; its form %q reads as %v, %v", s, r, back, again, err)
		}
	})
}

// ballotKinds lists every rule kind a motion may have.
var ballotKinds = append(slices.Clone(voting.YesNoKinds), voting.OptionKinds...)

// ballotKeys are the errors Encode may return, by field.
var ballotKeys = map[string][]string{
	"choice":  {"motion.ballot.choice", "motion.ballot.rank_options"},
	"ranking": {"motion.ballot.no_ranking", "motion.ballot.unknown_option", "motion.ballot.twice"},
}

func FuzzBallotEncode(f *testing.F) {
	f.Add(uint8(3), uint8(0), "yes", []byte{}, int64(0))
	f.Add(uint8(0), uint8(3), "block", []byte{}, int64(0))
	f.Add(uint8(3), uint8(3), "no", []byte{}, int64(0))
	f.Add(uint8(3), uint8(4), "", []byte{2, 0, 1}, int64(0))
	f.Add(uint8(3), uint8(5), "", []byte{2, 0}, int64(0))
	f.Add(uint8(3), uint8(6), "", []byte{2, 0, 1}, int64(0))
	f.Add(uint8(3), uint8(7), "", []byte{1, 1}, int64(0))
	f.Add(uint8(2), uint8(4), "", []byte{0xff}, int64(0))
	f.Add(uint8(5), uint8(5), "", []byte{4, 3}, int64(1)<<40)
	f.Add(uint8(1), uint8(0), "yes", []byte{0}, int64(0))
	f.Fuzz(func(t *testing.T, n, kind uint8, choice string, raw []byte, far int64) {
		k := ballotKinds[int(kind)%len(ballotKinds)]
		m := Motion{Rule: voting.Rule{Kind: k}}
		if k == voting.Consent {
			m.Rule.Blocks = 1
		}
		if m.IsOptions() {
			m.Options = optionNames(int(n) % 13)
		}
		var ranking []int
		for _, c := range raw {
			ranking = append(ranking, int(int8(c)))
		}
		if far != 0 {
			ranking = append(ranking, int(far))
		}
		b := Ballot{Choice: choice, Ranking: ranking}
		before := slices.Clone(ranking)
		out, err := b.Encode(m)
		if !slices.Equal(b.Ranking, before) {
			t.Fatalf("Encode changed the ranking %v to %v", before, b.Ranking)
		}
		// Neither comparing with an instruction nor prefilling panics.
		Deviates(m.Rule, choice, out)
		Prefill(m, choice)
		if err != nil {
			e := errs.As(err)
			if out != "" || e.Code != errs.Invalid || !slices.Contains(ballotKeys[e.Field], e.Key) {
				t.Fatalf("Encode(%+v) on %s/%d = %q, %v", b, k, len(m.Options), out, err)
			}
			return
		}
		if !m.IsOptions() {
			if len(ranking) > 0 || out != choice || !slices.Contains(Choices(m.Rule), out) {
				t.Fatalf("Encode(%+v) on %s = %q", b, k, out)
			}
			if Deviates(m.Rule, out, out) {
				t.Fatalf("choice %q deviates from itself", out)
			}
			return
		}
		if choice != "" {
			t.Fatalf("Encode accepted choice %q on %s", choice, k)
		}
		r, err := DecodeRanking(out)
		if err != nil {
			t.Fatalf("Encode(%+v) on %s/%d = %q, which does not decode: %v", b, k, len(m.Options), out, err)
		}
		seen := map[int]bool{}
		for _, i := range r {
			if i < 0 || i >= len(m.Options) || seen[i] {
				t.Fatalf("Encode(%+v) on %s/%d = %q: index %d out of range or repeated", b, k, len(m.Options), out, i)
			}
			seen[i] = true
		}
		switch k {
		case voting.Plurality:
			if len(r) > 1 || (len(ranking) > 0 && r[0] != ranking[0]) || (len(ranking) == 0) != (len(r) == 0) {
				t.Fatalf("plurality %v encoded as %q", ranking, out)
			}
		case voting.Approval:
			if !slices.IsSorted(r) || len(r) != len(ranking) {
				t.Fatalf("approval %v encoded as %q", ranking, out)
			}
			for _, i := range ranking {
				if !slices.Contains(r, i) {
					t.Fatalf("approval %v encoded as %q", ranking, out)
				}
			}
		default:
			if !slices.Equal(r, ranking) {
				t.Fatalf("%s %v encoded as %q", k, ranking, out)
			}
		}
		// A ballot whose first choice (or an approved option) is the
		// instruction follows it.
		if len(r) > 0 {
			if instr := strconv.Itoa(r[0]); Deviates(m.Rule, instr, out) {
				t.Fatalf("%s ballot %q deviates from its first choice %s", k, out, instr)
			}
			if p := Prefill(m, strconv.Itoa(r[0])); len(p.Ranking) != 1 || p.Ranking[0] != r[0] {
				t.Fatalf("Prefill(%d) = %+v", r[0], p)
			}
		} else if !Deviates(m.Rule, "0", out) {
			t.Fatalf("blank %s ballot follows an instruction", k)
		}
	})
}

// meetingKeys are the errors MeetingInput.Clean may return, by field.
var meetingKeys = map[string][]string{
	"held_on":    {"error.required", "meeting.date.invalid", "meeting.date.future", "meeting.date.too_old"},
	"place":      {"error.required", "error.too_short", "error.too_long", "error.bad_characters"},
	"notes":      {"error.too_long", "error.bad_characters"},
	"attendance": {"meeting.attendance.range"},
	"decisions":  {"meeting.decisions.none", "meeting.decisions.twice"},
}

func FuzzMeetingInput(f *testing.F) {
	now := time.Date(2026, 3, 15, 15, 0, 0, 0, time.UTC).Unix()
	f.Add("2026-03-10", "Plaza de Armas", "", int64(25), int64(40), now, []byte{1, 2})
	f.Add("2026-01-01", "Local", "notes\n", int64(1), int64(1), time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC).Unix(), []byte{1})
	f.Add("2026-02-30", "x", "\x00", int64(0), int64(0), int64(0), []byte{})
	f.Add("", "  ", "", int64(-1), int64(-1), int64(-1)<<62, []byte{1, 1})
	f.Add("9999-12-31", "Plaza", "", int64(1)<<62, int64(1)<<62, int64(1)<<62, []byte{0})
	f.Add("0000-01-01", "Plaza", "", int64(1), int64(2), now, []byte{7})
	f.Fuzz(func(t *testing.T, heldOn, place, notes string, attendance, members, unix int64, ids []byte) {
		// Long strings add nothing here (the limits are tested apart) but
		// keep the fuzzer minimising them for the whole run: past a few
		// hundred bytes only the tail is cut.
		heldOn, place, notes = cut(heldOn, 64), cut(place, 256), cut(notes, 256)
		if len(ids) > 64 {
			ids = ids[:64]
		}
		in := MeetingInput{HeldOn: heldOn, Place: place, Notes: notes, Attendance: attendance}
		for _, id := range ids {
			in.Decisions = append(in.Decisions, MeetingDecision{MotionID: int64(id)})
		}
		now := time.Unix(unix, 0)
		err := in.Clean(now, members)
		if err != nil {
			e := errs.As(err)
			if e.Code != errs.Invalid || !slices.Contains(meetingKeys[e.Field], e.Key) {
				t.Fatalf("Clean: unexpected error %v", err)
			}
			return
		}
		lima := time.FixedZone("PET", -5*3600)
		day, perr := time.ParseInLocation("2006-01-02", in.HeldOn, lima)
		switch {
		case perr != nil:
			t.Fatalf("accepted date %q: %v", in.HeldOn, perr)
		case day.After(now):
			t.Fatalf("accepted date %q after %v", in.HeldOn, now)
		case in.Attendance < 1 || in.Attendance > members:
			t.Fatalf("accepted attendance %d of %d", in.Attendance, members)
		case utf8.RuneCountInString(in.Place) < 2 || utf8.RuneCountInString(in.Place) > 200 || strings.TrimSpace(in.Place) != in.Place:
			t.Fatalf("accepted place %q", in.Place)
		case len(in.Decisions) == 0:
			t.Fatal("accepted no decisions")
		}
		seen := map[int64]bool{}
		for _, d := range in.Decisions {
			if seen[d.MotionID] {
				t.Fatalf("accepted motion %d twice", d.MotionID)
			}
			seen[d.MotionID] = true
		}
		// Cleaning again changes nothing.
		again := in
		if err := again.Clean(now, members); err != nil || again.Place != in.Place || again.Notes != in.Notes {
			t.Fatalf("cleaning again: %+v, %v", again, err)
		}
	})
}

// cut returns s cut to at most n bytes.
func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
