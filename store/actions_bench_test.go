package store_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	"asamblea/actions"
	"asamblea/demo"
	"asamblea/store"
)

// BenchmarkCoordinate loads the national assembly's coordinating view
// (figures by department, kind and status, and the first page of the
// timeline) under the filters people use, on a database made by
// `asamblea demo --scale 10000 --actions 5` (10,000 committees, 50,000
// actions) named by ASAMBLEA_BENCH_DB, as a member of a committee in it.
func BenchmarkCoordinate(b *testing.B) {
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
	var n int
	if err := db.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM action_scope WHERE assembly_id = ?`, national).Scan(&n)
	}); err != nil {
		b.Fatal(err)
	}
	b.Logf("national assembly %d sees %d actions", national, n)
	now := time.Now()
	filters := []actions.Filter{
		{Active: true},
		{},
		{Kind: actions.Roadblock, Active: true},
		{Department: "21"},
		{Status: actions.Ongoing, Department: "15"},
		{From: now.AddDate(0, 0, -7), To: now},
	}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		c, err := db.Coordinate(ctx, viewer, national, filters[i%len(filters)], "")
		times = append(times, time.Since(start))
		if err != nil || c.Public {
			b.Fatal(err, c.Public)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}
