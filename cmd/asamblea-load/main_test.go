package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"asamblea/demo"
	"asamblea/server"
	"asamblea/store"
)

// TestLoad prepares 20 members of a small scale demo (4 committees, their
// federation and actions), drives a real server with them for two seconds
// through the command line, and expects every request to succeed and every
// vote to be counted once.
// summary is the first line of a report.
var summary = regexp.MustCompile(`(\d+) requests, [0-9.]+ requests/s, (\d+) votes cast, (\d+) errors`)

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
	// Twice: the second time members find the motions they voted on and
	// vote only on the rest.
	votes := 0
	for i := range 2 {
		out.Reset()
		errOut.Reset()
		code := run([]string{"run", "--url", ts.URL, "--plan", planPath, "--duration", "2s"}, &out, &errOut)
		t.Logf("run %d:\n%s%s", i+1, out.String(), errOut.String())
		m := summary.FindStringSubmatch(out.String())
		if code != 0 || m == nil || m[3] != "0" {
			t.Fatalf("run %d: exit %d, want 0 with no errors", i+1, code)
		}
		n, _ := strconv.Atoi(m[2])
		if i == 0 && n == 0 {
			t.Fatal("no votes cast")
		}
		votes += n
	}
	// Every vote acknowledged is counted, and no member voted twice.
	var counted int
	if err := db.View(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COALESCE(SUM(voters), 0) FROM motions`).Scan(&counted)
	}); err != nil {
		t.Fatal(err)
	}
	if counted != votes || votes > 40 {
		t.Errorf("%d votes cast, %d counted; want the same, at most 40", votes, counted)
	}

	// A member whose session the server refuses is sent to the login page:
	// an error, and the program fails.
	p.Members[0].Session = "not-a-session"
	bad := filepath.Join(dir, "bad.json")
	if err := writePlan(bad, p); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"run", "--url", ts.URL, "--plan", bad, "--duration", "1s", "--members", "1"}, &out, &errOut); code != 1 {
		t.Fatalf("a run with a refused session: exit %d, want 1\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "303 See Other to /login") {
		t.Errorf("want the redirection to the login page named:\n%s", out.String())
	}
}
