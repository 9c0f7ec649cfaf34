package store_test

import (
	"fmt"
	"testing"
	"time"

	"asamblea/incidents"
	"asamblea/store"
	"asamblea/vault"
)

// rightsBenchDB is a commission with a key file and n verified incidents
// spread over six departments and twelve weeks.
func rightsBenchDB(b *testing.B, n int) (*store.DB, rightsFixture) {
	b.Helper()
	db := MustOpenSQLite(b)
	f := rightsSetup(b, db)
	key, _ := vault.NewKey()
	db.SetRecordsKey(&key)
	if err := db.SetUpRecords(ctx, f.lawyer.ID, f.commission, store.RecordsSetup{File: true}); err != nil {
		b.Fatal(err)
	}
	start := time.Date(2022, 12, 5, 10, 0, 0, 0, store.Lima)
	for i := 0; i < n; i++ {
		id, err := db.ReportIncident(ctx, f.reporter.ID, f.commission, benchReport(start, i), validPlace)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.CheckIncident(ctx, f.lawyer.ID, id, incidents.Check{State: incidents.Verified}); err != nil {
			b.Fatal(err)
		}
	}
	return db, f
}

func benchReport(start time.Time, i int) store.Report {
	place := []string{"210101", "080101"}[i%2]
	return store.Report{Input: incidents.Input{Kind: incidents.Kinds[i%len(incidents.Kinds)], At: start.Add(time.Duration(i%84) * 24 * time.Hour), Place: place,
		Affected: 1 + i%4, Description: fmt.Sprintf("Hecho número %d, descrito con el detalle que da un testigo: lugar, hora, agentes, vehículos y lo que se llevaron.", i)},
		People: []string{fmt.Sprintf("Persona %d", i)}}
}

// BenchmarkReportIncident measures a report with one name, sealed twice
// (the incident and the person) and journalled.
func BenchmarkReportIncident(b *testing.B) {
	db, f := rightsBenchDB(b, 0)
	start := time.Date(2022, 12, 5, 10, 0, 0, 0, store.Lima)
	i := 0
	for b.Loop() {
		if _, err := db.ReportIncident(ctx, f.reporter.ID, f.commission, benchReport(start, i), validPlace); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reports/s")
}

// BenchmarkIncidentsPage measures a commission member's list page: 50
// records read and opened.
func BenchmarkIncidentsPage(b *testing.B) {
	db, f := rightsBenchDB(b, 2000)
	for b.Loop() {
		list, err := db.Incidents(ctx, f.lawyer.ID, f.commission, store.IncidentFilter{})
		if err != nil || len(list) != store.IncidentPageSize || list[0].Secret == nil {
			b.Fatal(len(list), err)
		}
	}
}

// BenchmarkRepressionFigures measures the public figures over 2,000
// verified incidents.
func BenchmarkRepressionFigures(b *testing.B) {
	db, _ := rightsBenchDB(b, 2000)
	for b.Loop() {
		if _, err := db.RepressionFigures(ctx, store.FiguresFilter{}); err != nil {
			b.Fatal(err)
		}
	}
}
