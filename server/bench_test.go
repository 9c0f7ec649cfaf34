package server_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"asamblea/demo"
	"asamblea/server"
	"asamblea/store"
)

// pageTimes renders the pages as the holders of the tokens (one per page,
// cycling) and reports server time percentiles.
func pageTimes(b *testing.B, app http.Handler, paths, tokens []string) {
	b.Helper()
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", paths[i%len(paths)], nil)
		req.AddCookie(&http.Cookie{Name: "asamblea", Value: tokens[i%len(tokens)]})
		req.Header.Set("Accept-Encoding", "gzip")
		w := httptest.NewRecorder()
		start := time.Now()
		app.ServeHTTP(w, req)
		times = append(times, time.Since(start))
		if w.Code != 200 {
			b.Fatalf("%s: %d", req.URL, w.Code)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkCommitteePage1000 renders the page of a committee of 1,000
// members (its first 100 listed) for its facilitator.
func BenchmarkCommitteePage1000(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	db.Migrate(ctx)
	c := store.BulkCommittee{Name: "Comité de Lucha de Juliaca", Sector: "workers", Place: "211101", Public: true}
	for i := 0; i < 1000; i++ {
		c.Members = append(c.Members, fmt.Sprintf("Compañera %04d", i))
	}
	if _, err := db.BulkLoad(ctx, "x", []store.BulkCommittee{c}); err != nil {
		b.Fatal(err)
	}
	app, err := server.New(server.DefaultConfig(), db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	token, _ := db.CreateSession(ctx, 1, "bench")
	pageTimes(b, app, []string{"/bodies/1", "/bodies/1?page=5"}, []string{token})
}

// BenchmarkCommitteePageAtScale renders random committee pages of a
// database filled with `asamblea demo --scale N`, named by
// ASAMBLEA_BENCH_DB, as a signed-in facilitator of one of them.
func BenchmarkCommitteePageAtScale(b *testing.B) {
	path := os.Getenv("ASAMBLEA_BENCH_DB")
	if path == "" {
		b.Skip("set ASAMBLEA_BENCH_DB to a database made by asamblea demo --scale")
	}
	db, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	app, err := server.New(server.DefaultConfig(), db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	var bodiesN int
	if err := db.View(ctx, func(tx *store.Tx) error { return tx.QueryRow(`SELECT COUNT(*) FROM bodies`).Scan(&bodiesN) }); err != nil {
		b.Fatal(err)
	}
	// 500 random committees, each viewed by its facilitator (who sees the
	// member list and the management links).
	rng := rand.New(rand.NewPCG(1, 2))
	var paths, tokens []string
	for len(paths) < 500 {
		id := 1 + rng.IntN(bodiesN)
		var facilitator int64
		if err := db.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT user_id FROM memberships WHERE body_id = ? AND role = 'facilitator' LIMIT 1`, id).Scan(&facilitator)
		}); err != nil {
			b.Fatal(err)
		}
		token, err := db.CreateSession(ctx, facilitator, "bench")
		if err != nil {
			b.Fatal(err)
		}
		paths = append(paths, fmt.Sprintf("/bodies/%d", id))
		tokens = append(tokens, token)
	}
	pageTimes(b, app, paths, tokens)
}

// BenchmarkDeliberationPages renders the pages of deliberation on the demo
// federation (72 committees, a national referral under way, decisions,
// a communiqué) as the national assembly's facilitator: the referred
// motion, the live aggregation, the assembly's motions, the delegates'
// record, what awaits them and the public Atom feed.
func BenchmarkDeliberationPages(b *testing.B) {
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	if err := demo.Fill(ctx, db, io.Discard); err != nil {
		b.Fatal(err)
	}
	var motion, assembly, facilitator int64
	if err := db.View(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(`SELECT motion_id, assembly_id FROM referrals WHERE id = 1`).Scan(&motion, &assembly); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT user_id FROM memberships WHERE body_id = ? AND role = 'facilitator' LIMIT 1`, assembly).Scan(&facilitator)
	}); err != nil {
		b.Fatal(err)
	}
	app, err := server.New(server.DefaultConfig(), db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	token, _ := db.CreateSession(ctx, facilitator, "bench")
	paths := []string{fmt.Sprintf("/motions/%d", motion), "/referrals/1", fmt.Sprintf("/bodies/%d/motions", assembly),
		fmt.Sprintf("/bodies/%d/record", assembly), "/awaiting", "/communiques.atom"}
	pageTimes(b, app, paths, []string{token})
}

// BenchmarkCoordinationPage renders the national assembly's coordinating
// view — figures, the department map and the first page of the timeline —
// under the filters people use, plus the daily summary, on a database made
// by `asamblea demo --scale 10000 --actions 5` (10,000 committees, 50,000
// actions) named by ASAMBLEA_BENCH_DB, as a member of a committee in it. It
// reports server time and the gzipped weight of the unfiltered view.
func BenchmarkCoordinationPage(b *testing.B) {
	path := os.Getenv("ASAMBLEA_BENCH_DB")
	if path == "" {
		b.Skip("set ASAMBLEA_BENCH_DB to a database made by asamblea demo --scale N --actions K")
	}
	db, err := store.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	national, viewer, err := demo.ScaleViewer(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	app, err := server.New(server.DefaultConfig(), db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	token, err := db.CreateSession(ctx, viewer, "bench")
	if err != nil {
		b.Fatal(err)
	}
	view := fmt.Sprintf("/bodies/%d/coordination", national)
	req := httptest.NewRequest("GET", view, nil)
	req.AddCookie(&http.Cookie{Name: "asamblea", Value: token})
	req.Header.Set("Accept-Encoding", "gzip")
	w := httptest.NewRecorder()
	app.ServeHTTP(w, req)
	if w.Code != 200 || w.Header().Get("Content-Encoding") != "gzip" {
		b.Fatalf("%s: %d %q", view, w.Code, w.Header().Get("Content-Encoding"))
	}
	size := w.Body.Len()
	week := time.Now().AddDate(0, 0, -7).Format(time.DateOnly)
	paths := []string{view, view + "?kind=roadblock", view + "?department=21", view + "?status=ongoing&department=15",
		view + "?from=" + week, view + "/daily"}
	if p := os.Getenv("ASAMBLEA_BENCH_PATH"); p != "" {
		paths = []string{view + p}
	}
	pageTimes(b, app, paths, []string{token})
	b.ReportMetric(float64(size), "gzip-bytes")
}
