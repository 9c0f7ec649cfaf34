// Command asamblea-load puts a running asamblea server under the load of
// many members at once: each browses its committee's pages and the public
// ones, reads the same through the JSON API, and votes once on each of its
// committee's open motions. At the end it reports requests per second and
// latency percentiles, and exits 1 if any request failed.
//
// It works in two steps. prepare opens the database before the server
// starts and gives members of committees (those of `asamblea demo --scale
// N`) a session and an API token, with motions put to a vote in their
// committees; it writes them to a plan file. run then drives the server
// with that plan:
//
//	asamblea-load prepare --db /tmp/load/a.db --members 1000 --plan /tmp/load/plan.json
//	asamblea-load run --url http://127.0.0.1:8080 --plan /tmp/load/plan.json --duration 60s
//
// Sessions and tokens are made in the store rather than by logging in over
// HTTP: a million accounts share one password hash, and a thousand logins
// would measure the password hasher, not the site.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"asamblea/journal"
	"asamblea/store"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

const usage = `usage:
  asamblea-load prepare --db FILE [--journal-key FILE] [--members 1000] [--per-committee 5] [--motions 3] --plan FILE
  asamblea-load run --url URL --plan FILE [--duration 60s] [--think 0s] [--vote-share 1]
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "prepare":
		return cmdPrepare(args[1:], stdout, stderr)
	case "run":
		return cmdRun(args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "asamblea-load: unknown command %q\n%s", args[0], usage)
	return 2
}

func cmdPrepare(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("prepare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("db", os.Getenv("ASAMBLEA_DB"), "SQLite file or postgres:// URL of the server's database, before the server starts (env ASAMBLEA_DB)")
	keyFile := fs.String("journal-key", os.Getenv("ASAMBLEA_JOURNAL_KEY"), "the server's journal key file (default journal.key beside the SQLite file)")
	planFile := fs.String("plan", "", "where to write the plan: the members' sessions and tokens (mode 0600)")
	var o prepareOptions
	fs.IntVar(&o.Members, "members", 1000, "members to prepare")
	fs.IntVar(&o.PerCommittee, "per-committee", 5, "members taken from each committee")
	fs.IntVar(&o.Motions, "motions", 3, "motions put to a vote in each committee")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *dsn == "" || *planFile == "" || o.Members < 1 || o.PerCommittee < 1 || o.Motions < 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx := context.Background()
	db, err := store.Open(*dsn)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea-load: %v\n", err)
		return 1
	}
	defer db.Close()
	if err := useJournalKey(ctx, db, *keyFile, *dsn); err != nil {
		fmt.Fprintf(stderr, "asamblea-load: %v\n", err)
		return 1
	}
	start := time.Now()
	p, err := prepare(ctx, db, o)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea-load: prepare: %v\n", err)
		return 1
	}
	if err := writePlan(*planFile, p); err != nil {
		fmt.Fprintf(stderr, "asamblea-load: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "prepared %d members in %d committees, %d motions open to their vote, in %s; plan in %s\n",
		len(p.Members), p.Committees, p.Committees*o.Motions, time.Since(start).Round(time.Millisecond), *planFile)
	return 0
}

// useJournalKey signs what prepare writes with the server's journal key,
// as the server would: a signed journal refuses unsigned entries. With no
// flag and no key file beside the database, the journal is left unsigned.
func useJournalKey(ctx context.Context, db *store.DB, path, dsn string) error {
	explicit := path != ""
	if !explicit {
		if strings.Contains(dsn, "://") {
			return nil
		}
		path = filepath.Join(filepath.Dir(strings.TrimPrefix(dsn, "file:")), "journal.key")
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return nil
	}
	if err != nil {
		return fmt.Errorf("journal key: %w", err)
	}
	k, err := journal.ParseKey(b)
	if err != nil {
		return fmt.Errorf("journal key %s: %w", path, err)
	}
	if _, err := db.UseJournalKey(ctx, k); err != nil {
		return fmt.Errorf("%w (key file %s)", err, path)
	}
	return nil
}

func writePlan(path string, p plan) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("plan: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("plan: %w", err)
	}
	return f.Close()
}

func readPlan(path string) (plan, error) {
	var p plan
	b, err := os.ReadFile(path)
	if err != nil {
		return p, fmt.Errorf("plan: %w", err)
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("plan %s: %w", path, err)
	}
	if len(p.Members) == 0 {
		return p, fmt.Errorf("plan %s: no members", path)
	}
	return p, nil
}

func cmdRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "http://127.0.0.1:8080", "the server")
	planFile := fs.String("plan", "", "the plan prepare wrote")
	var o runOptions
	fs.IntVar(&o.Members, "members", 0, "members to simulate at once (default: all in the plan)")
	fs.DurationVar(&o.Duration, "duration", time.Minute, "how long members keep starting requests")
	fs.DurationVar(&o.Think, "think", 0, "pause of each member between requests (0: none, as fast as the server answers)")
	fs.DurationVar(&o.Timeout, "timeout", 30*time.Second, "a request taking longer fails")
	fs.Float64Var(&o.VoteShare, "vote-share", 1, "share of the members who vote on each motion (the rest only browse)")
	seed := fs.Uint64("seed", 1, "seed of the members' choices")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *planFile == "" || o.Duration <= 0 || o.VoteShare < 0 || o.VoteShare > 1 || o.Members < 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	p, err := readPlan(*planFile)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea-load: %v\n", err)
		return 1
	}
	if o.Members > len(p.Members) {
		fmt.Fprintf(stderr, "asamblea-load: --members %d but the plan has %d\n", o.Members, len(p.Members))
		return 2
	}
	o.Rand = rand.New(rand.NewPCG(*seed, 2))
	fmt.Fprintf(stdout, "asamblea-load: %d members for %s against %s\n", o.count(p), o.Duration, *base)
	rep, err := load(context.Background(), strings.TrimSuffix(*base, "/"), p, o)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea-load: %v\n", err)
		return 1
	}
	rep.Print(stdout)
	if rep.Errors > 0 || rep.Total() == 0 {
		return 1
	}
	return 0
}
