package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"asamblea/demo"
	"asamblea/server"
	"asamblea/store"
)

// TestLoad prepares 20 members of a small scale demo (4 committees, their
// federation and actions), drives a real server with them for two seconds
// through the command line, and expects every request to succeed and every
// member to have voted on each of its committee's motions.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("a load run of a few seconds")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "load.db")
	db, err := store.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	loaded, err := demo.Scale(ctx, db, 4, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.ScaleActions(ctx, db, loaded, 2, io.Discard); err != nil {
		t.Fatal(err)
	}
	planPath := filepath.Join(dir, "plan.json")
	var out, errOut bytes.Buffer
	if code := run([]string{"prepare", "--db", dbPath, "--members", "20", "--per-committee", "5", "--motions", "2", "--plan", planPath}, &out, &errOut); code != 0 {
		t.Fatalf("prepare: exit %d\n%s%s", code, out.String(), errOut.String())
	}
	if fi, err := os.Stat(planPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("plan file: %v %v", fi.Mode(), err)
	}
	p, err := readPlan(planPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Members) != 20 || p.Committees != 4 || p.National == 0 {
		t.Fatalf("plan: %d members in %d committees, national %d; want 20 in 4 and the national assembly", len(p.Members), p.Committees, p.National)
	}

	app, err := server.New(server.DefaultConfig(), db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(app)
	defer ts.Close()
	out.Reset()
	errOut.Reset()
	start := time.Now()
	code := run([]string{"run", "--url", ts.URL, "--plan", planPath, "--duration", "2s"}, &out, &errOut)
	t.Logf("%s in %s\n%s%s", "run", time.Since(start).Round(time.Millisecond), out.String(), errOut.String())
	if code != 0 {
		t.Fatalf("run: exit %d", code)
	}
	if !strings.Contains(out.String(), "40 votes cast, 0 errors") {
		t.Errorf("want 40 votes and no errors:\n%s", out.String())
	}

	// A second run votes again on the same motions: every ballot is refused,
	// and the program fails.
	out.Reset()
	if code := run([]string{"run", "--url", ts.URL, "--plan", planPath, "--duration", "1s", "--members", "2"}, &out, &errOut); code != 1 {
		t.Fatalf("a run whose votes are refused: exit %d, want 1\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "409 Conflict") {
		t.Errorf("want the refused ballots named:\n%s", out.String())
	}
}
