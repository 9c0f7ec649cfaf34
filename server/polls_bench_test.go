package server_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"asamblea/accounts"
	"asamblea/places"
	"asamblea/polls"
	"asamblea/server"
	"asamblea/store"
)

// BenchmarkNationalCount is a national election counted on paper at full
// speed: 86,000 polling stations (about Peru's number of mesas) with
// 25,000,000 electors in all, 10 lists for 130 seats. Every tally sheet is
// entered twice, by two different clerks, through the JSON API over HTTP
// on loopback, by 32 clients at once; then the results are published.
// It reports the sheets reconciled per second, the time to enter them all,
// and the time from the last sheet to published results.
//
// ASAMBLEA_BENCH_STATIONS sets the number of stations (default 86,000; the
// electorate scales with it), ASAMBLEA_BENCH_POSTGRES=1 runs on the
// PostgreSQL of ASAMBLEA_TEST_POSTGRES. Run it once:
//
//	go test ./server -run '^$' -bench NationalCount -benchtime 1x -timeout 60m
func BenchmarkNationalCount(b *testing.B) {
	stations := 86_000
	if s := os.Getenv("ASAMBLEA_BENCH_STATIONS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			b.Fatalf("ASAMBLEA_BENCH_STATIONS=%q", s)
		}
		stations = n
	}
	electorate := int64(25_000_000) * int64(stations) / 86_000
	const clients, lists, seats = 32, 10, 130
	ctx := context.Background()

	for range b.N {
		b.StopTimer()
		db := benchDB(b)
		loaded, err := db.BulkLoad(ctx, "x", []store.BulkCommittee{{Name: "Jurado Electoral Nacional", Sector: "other", Place: "150101", Public: true,
			Members: []string{"Presidencia del jurado", "Digitadora A", "Digitador B"}}})
		if err != nil {
			b.Fatal(err)
		}
		org, clerkA, clerkB := loaded[0].Facilitator, loaded[0].Facilitator+1, loaded[0].Facilitator+2
		now := time.Now()
		e, err := db.CallPoll(ctx, org, loaded[0].Body, polls.Input{Title: "Asamblea Constituyente", Scope: polls.PublicScope, Seats: seats,
			Method: "dhondt", Threshold: "5", Parity: true, Calendar: polls.Calendar{RegistrationCloses: now.Add(time.Hour),
				VotingOpens: now.Add(2 * time.Hour), VotingCloses: now.Add(3 * time.Hour)}})
		if err != nil {
			b.Fatal(err)
		}
		for l := range lists {
			var cs []polls.CandidateInput
			for i := range seats {
				g := []string{"F", "M"}[(i+l)%2]
				cs = append(cs, polls.CandidateInput{Name: fmt.Sprintf("Candidatura %d-%d", l+1, i+1), Gender: g})
			}
			if _, err := db.RegisterCandidacy(ctx, org, e.ID, polls.CandidacyInput{Name: fmt.Sprintf("Lista %d", l+1),
				Organisation: fmt.Sprintf("Organización %d", l+1), Candidates: cs}); err != nil {
				b.Fatal(err)
			}
		}
		// Stations spread over every district, electorates summing exactly.
		districts := places.Peru().Children("")
		var codes []string
		for _, d := range districts {
			for _, p := range places.Peru().Children(d.Code) {
				for _, x := range places.Peru().Children(p.Code) {
					codes = append(codes, x.Code)
				}
			}
		}
		in := make([]polls.StationInput, stations)
		sizes := make([]int64, stations)
		for i := range in {
			sizes[i] = electorate / int64(stations)
			if int64(i) < electorate%int64(stations) {
				sizes[i]++
			}
			in[i] = polls.StationInput{Code: fmt.Sprintf("%06d", i+1), Place: codes[i%len(codes)], Electorate: sizes[i]}
		}
		for start := 0; start < len(in); start += store.StationsMaxPerCall {
			if _, err := db.AddStations(ctx, org, e.ID, in[start:min(start+store.StationsMaxPerCall, len(in))], places.Peru().Valid); err != nil {
				b.Fatal(err)
			}
		}
		db.Advance(ctx, org, e.ID)
		db.Advance(ctx, org, e.ID)
		var ids []int64
		for after := ""; ; {
			page, err := db.Stations(ctx, org, e.ID, store.StationFilter{After: after, Limit: 500})
			if err != nil {
				b.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, s := range page {
				ids = append(ids, s.ID)
			}
			after = page[len(page)-1].Code
		}
		tokA, _ := db.CreateToken(ctx, clerkA, accounts.TokenSpec{Name: "digitación A", Scopes: []string{accounts.ScopeWrite}})
		tokB, _ := db.CreateToken(ctx, clerkB, accounts.TokenSpec{Name: "digitación B", Scopes: []string{accounts.ScopeWrite}})
		tokOrg, _ := db.CreateToken(ctx, org, accounts.TokenSpec{Name: "jurado", Scopes: []string{accounts.ScopeWrite}})

		app, err := server.New(server.DefaultConfig(), db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(app)
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
		post := func(token, path string, v any) (int, string) {
			body, _ := json.Marshal(v)
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1"+path, bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			res, err := client.Do(req)
			if err != nil {
				return 0, err.Error()
			}
			defer res.Body.Close()
			out, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(out)
		}

		// Each client takes stations in turn and enters its sheet twice.
		var next atomic.Int64
		var failed atomic.Value
		lat := make([][]time.Duration, clients)
		var wg sync.WaitGroup
		b.StartTimer()
		start := time.Now()
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(uint64(c), 7))
				for {
					i := int(next.Add(1)) - 1
					if i >= len(ids) {
						return
					}
					sheet := benchSheet(r, sizes[i], lists)
					for _, tok := range []string{tokA.Secret, tokB.Secret} {
						t0 := time.Now()
						code, body := post(tok, fmt.Sprintf("/poll-stations/%d/sheets", ids[i]), map[string]any{"contest": 0, "votes": sheet.Votes, "blank": sheet.Blank, "null": sheet.Null})
						lat[c] = append(lat[c], time.Since(t0))
						if code != 200 && code != 201 {
							failed.Store(fmt.Sprintf("station %d: %d %s", ids[i], code, body))
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		entered := time.Since(start)
		if f := failed.Load(); f != nil {
			b.Fatal(f)
		}
		db.Advance(ctx, org, e.ID)
		t0 := time.Now()
		code, body := post(tokOrg.Secret, fmt.Sprintf("/polls/%d/results", e.ID), map[string]string{"reason": ""})
		published := time.Since(t0)
		b.StopTimer()
		if code != 200 && code != 201 {
			b.Fatalf("publish: %d %s", code, body)
		}
		var all []time.Duration
		for _, l := range lat {
			all = append(all, l...)
		}
		slices.Sort(all)
		b.ReportMetric(float64(2*len(ids))/entered.Seconds(), "entries/s")
		b.ReportMetric(entered.Seconds(), "enter-all-s")
		b.ReportMetric(float64(all[len(all)/2].Microseconds())/1000, "entry-p50-ms")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "entry-p99-ms")
		b.ReportMetric(float64(published.Milliseconds()), "publish-ms")
		p, err := db.PollPage(ctx, 0, e.ID)
		if err != nil || p.Poll.Counted != stations || p.National.Electorate != electorate {
			b.Fatalf("counted %d of %d, electorate %d: %v", p.Poll.Counted, stations, p.National.Electorate, err)
		}
		srv.Close()
		b.StartTimer()
	}
}

// benchSheet draws a station's figures: a turnout of 70–90%, votes spread
// unevenly over the lists, a few blank and null ballots.
func benchSheet(r *rand.Rand, electorate int64, lists int) polls.Sheet {
	voters := electorate * int64(70+r.IntN(21)) / 100
	s := polls.Sheet{Votes: make([]int64, lists), Blank: voters / 50, Null: voters / 40}
	left := voters - s.Blank - s.Null
	for i := range lists - 1 {
		v := left * int64(r.IntN(40)) / 100
		s.Votes[i] = v
		left -= v
	}
	s.Votes[lists-1] = left
	return s
}

// benchDB opens a fresh database for a benchmark: SQLite in a temporary
// directory, or PostgreSQL with ASAMBLEA_BENCH_POSTGRES=1.
func benchDB(b *testing.B) *store.DB {
	b.Helper()
	dsn := filepath.Join(b.TempDir(), "bench.db")
	if os.Getenv("ASAMBLEA_BENCH_POSTGRES") != "" {
		base := os.Getenv("ASAMBLEA_TEST_POSTGRES")
		admin, err := sql.Open("pgx", base)
		if err != nil {
			b.Fatal(err)
		}
		defer admin.Close()
		schema := fmt.Sprintf("bench_%d", time.Now().UnixNano())
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			b.Fatalf("postgres at ASAMBLEA_TEST_POSTGRES: %v", err)
		}
		b.Cleanup(func() {
			if a, err := sql.Open("pgx", base); err == nil {
				a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
				a.Close()
			}
		})
		u, err := url.Parse(base)
		if err != nil {
			b.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	db, err := store.Open(dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return db
}
