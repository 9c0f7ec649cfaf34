package web

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"asamblea/voting"
)

// Fuzz targets for the decoders of the page forms: each reads url.Values
// made from any query string, must not panic, and hands what it read to the
// domain's Clean, as the handlers do.

var fuzzNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func fuzzValues(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add("")
	f.Add("a=%zz&=&&b")
}

// FuzzLocalNext: the page after a form ("next") is always a path on this
// site, also as a browser reads it: browsers drop tabs and newlines from a
// URL, and take a backslash for a slash.
func FuzzLocalNext(f *testing.F) {
	for _, s := range []string{"/", "/bodies/1", "//evil.example", "/\\evil.example", "https://evil.example", "/\t/evil.example", "/\n/evil.example", "\t//evil.example", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localNext(next, "/")
		seen := strings.NewReplacer("\t", "", "\n", "", "\r", "", "\\", "/").Replace(got)
		if !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") {
			t.Fatalf("localNext(%q) = %q, which a browser reads as %q", next, got, seen)
		}
	})
}

// FuzzMeetingForm reads the record of a meeting.
func FuzzMeetingForm(f *testing.F) {
	fuzzValues(f, "held_on=2026-04-30&place=Plaza&attendance=40&motion=3&m3_yes=20&m3_no=5&m3_abstain=1",
		"motion=1&motion=1&m1_0=3&m1_1=-2&m1_block=x&attendance=9223372036854775807",
		"motion=2&m2_99999999999999999999=1&held_on=2026-13-40")
	f.Fuzz(func(t *testing.T, q string) {
		v, _ := url.ParseQuery(q)
		in, err := meetingForm(v)
		if err != nil {
			return
		}
		_ = in.Clean(fuzzNow, 50)
	})
}

// FuzzMotionInput reads the motion form.
func FuzzMotionInput(f *testing.F) {
	fuzzValues(f, "title=Huelga&text=Que+se+vote&rule=majority&options=S%C3%AD%0ANo",
		"title=x&rule=ranked&options=%0A%0A%0A&draft=on", "rule=supermajority&options=a%0Aa")
	f.Fuzz(func(t *testing.T, q string) {
		v, _ := url.ParseQuery(q)
		in := motionInput(v)
		_, _ = in.Clean(voting.Fraction{Num: 1, Den: 2})
	})
}

// FuzzReadPollForm reads the call of a poll.
func FuzzReadPollForm(f *testing.F) {
	fuzzValues(f, "title=Delegados&scope=body&method=stv&seats=3&threshold=5%25&registration_closes=2026-05-02T10:00&voting_opens=2026-05-03T08:00&voting_closes=2026-05-03T18:00",
		"seats=-1&method=dhondt&parity=on&recall_share=1%2F3", "seats=99999999999999999999&voting_opens=2026-02-30T25:61")
	f.Fuzz(func(t *testing.T, q string) {
		v, _ := url.ParseQuery(q)
		in, err := readPollForm(v)
		if err != nil {
			return
		}
		_ = in.Clean(fuzzNow)
	})
}

// FuzzReadBallot reads a ballot: a list's number, or ranks of candidacies.
func FuzzReadBallot(f *testing.F) {
	f.Add("list=2", true, 3)
	f.Add("rank-1=2&rank-2=1&rank-3=", false, 3)
	f.Add("rank-1=1&rank-2=1", false, 2)
	f.Add("rank-1=-5&rank-9=99999999999", false, 1000)
	f.Fuzz(func(t *testing.T, q string, lists bool, options int) {
		if options > 1000 || options < -1 {
			return // a ballot shows the candidacies of one election
		}
		v, _ := url.ParseQuery(q)
		_, _ = readBallot(v, lists, options)
	})
}

// FuzzReadSheetStations reads the text declaring polling stations.
func FuzzReadSheetStations(f *testing.F) {
	for _, s := range []string{"M-001, 210101, 300\nM-002;210101;250\n", "M-1\t210101\t0\n\n", "a,b,c,d\n", ",,\nM,1,-1\nM,1,1\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		ins, err := readSheetStations(text, func(code string) bool { return code == "210101" })
		if err != nil {
			return
		}
		for i := range ins {
			_ = ins[i].Clean(func(code string) bool { return code == "210101" })
		}
	})
}

// FuzzReadSheetContest reads a contest number; it is never negative.
func FuzzReadSheetContest(f *testing.F) {
	for _, s := range []string{"", "0", " 12 ", "-1", "9223372036854775808", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if n, err := readSheetContest(s); err == nil && n < 0 {
			t.Fatalf("readSheetContest(%q) = %d", s, n)
		}
	})
}

// FuzzReadPersonForm reads the form of a detained person.
func FuzzReadPersonForm(f *testing.F) {
	fuzzValues(f, "name=Juan&age=23&status=detained&held=Comisar%C3%ADa&next_hearing=2026-05-04&incident_id=3",
		"age=-1&incident_id=x", "age=999999999999999999999&status=released&next_hearing=2026-02-30")
	f.Fuzz(func(t *testing.T, q string) {
		v, _ := url.ParseQuery(q)
		in, err := readPersonForm(v)
		if err != nil {
			return
		}
		_ = in.Clean(fuzzNow)
	})
}

// FuzzCoordFilter reads the coordinating view's filter from a query.
func FuzzCoordFilter(f *testing.F) {
	fuzzValues(f, "kind=march&department=210000&status=all&from=2026-05-01&to=2026-05-31",
		"status=ended&from=2026-02-30", "status=nonsense&kind=%00")
	f.Fuzz(func(t *testing.T, q string) {
		v, _ := url.ParseQuery(q)
		_, _ = coordFilter(v)
	})
}
