package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"asamblea/bodies"
	"asamblea/i18n"
	"asamblea/incidents"
	"asamblea/motions"
	"asamblea/polls"
)

// fuzzAPI has what the decoders need (the catalogs for error messages) and
// no database: decoding never reaches it.
func fuzzAPI() *API {
	return &API{cat: i18n.MustLoad(), log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

// FuzzInput: a JSON body of any content, for the main inputs, is read or
// refused with a JSON error of status 4xx (422 for what is not JSON or does
// not fit); never a 500 or a panic.
func FuzzInput(f *testing.F) {
	for _, s := range []string{
		`{"title":"Huelga","text":"x","rule":"majority","options":["a","b"]}`,
		`{"held_on":"2026-04-30","attendance":40,"motions":[{"motion":1,"yes":3}]}`,
		`{"title":"x","seats":3,"method":"stv","voting_opens":"2026-05-03T08:00:00-05:00"}`,
		`{"name":"Comité","sector":"student","place":"210101","public":true}`,
		`{"kind":"march","title":"x","start":"2026-05-01T10:00:00Z","end":null}`,
		`{"start":"yesterday"}`, `{"title":1}`, `{"unknown":true}`, `{}{}`, `[]`, `null`, `{"a":`,
	} {
		for kind := range byte(6) {
			f.Add([]byte(s), kind)
		}
	}
	a := fuzzAPI()
	f.Fuzz(func(t *testing.T, body []byte, kind byte) {
		r := httptest.NewRequest("POST", "/api/v1/x", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		var ok bool
		switch kind % 6 {
		case 0:
			var in motions.Input
			ok = a.input(w, r, &in)
		case 1:
			var in motions.MeetingInput
			ok = a.input(w, r, &in)
		case 2:
			var in polls.Input
			ok = a.input(w, r, &in)
		case 3:
			var in bodies.Input
			ok = a.decode(w, r, &in)
		case 4:
			var in incidents.Input
			ok = a.input(w, r, &in)
		case 5:
			_, ok = a.actionInput(w, r)
		}
		if ok {
			return
		}
		if w.Code < 400 || w.Code > 499 {
			t.Fatalf("refused with %d: %s", w.Code, w.Body)
		}
		if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("error is not JSON: %q", w.Body)
		}
	})
}

// FuzzReadReportForm: a report sent as multipart/form-data of any content
// is read or refused, and what is read stays within the limits.
func FuzzReadReportForm(f *testing.F) {
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"body_id\"\r\n\r\n3\r\n--B\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nHay heridos\r\n--B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n\xff\xd8\xff\r\n--B--\r\n"))
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\na\r\n--B\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nb\r\n--B--\r\n"))
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"\"\r\n\r\n\r\n--B--\r\n"))
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"body_id\"\r\n\r\n-1\r\n--B"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest("POST", "/api/v1/reports", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary=B")
		in, upload, err := readReportForm(r)
		if err != nil {
			return
		}
		if in.BodyID < 0 || len(in.Text) > formValueMax || len(upload) > len(body) {
			t.Fatalf("read %+v and %d bytes of photo from %d bytes", in, len(upload), len(body))
		}
	})
}

// FuzzActionFilter reads a coordinating view's filter, and a list of
// stations' status, from a query string.
func FuzzActionFilter(f *testing.F) {
	for _, s := range []string{"kind=march&status=planned&active=true&department=21&from=2026-05-01&to=2026-05-02T10:00:00-05:00",
		"active=maybe", "from=2026-02-30", "to=" + url.QueryEscape(time.Time{}.Format(time.RFC3339)), "department=%00", "a=%zz&&="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		v, _ := url.ParseQuery(q)
		_, _ = actionFilter(v)
		if s, err := stationStatus(v.Get("status")); err == nil && s != v.Get("status") {
			t.Fatalf("stationStatus(%q) = %q", v.Get("status"), s)
		}
	})
}
