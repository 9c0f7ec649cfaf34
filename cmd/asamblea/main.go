// Command asamblea runs the asamblea server and its administration tools.
//
//	asamblea serve      [--db PATH|URL] [--journal-key PATH] [--addr :8080] [--demo] [--trust-proxy] [--records-key FILE]
//	asamblea migrate    [--db PATH|URL]
//	asamblea verify     [--db PATH|URL] [--journal-key PATH]
//	asamblea rotate-key [--db PATH|URL] [--journal-key PATH]
//	asamblea keys       status | wrap | move --to DIR  [--keys DIR] [--key-passphrase-file FILE]
//	asamblea demo       [--db PATH|URL] [--journal-key PATH] [--scale N [--actions K]]
//	asamblea tally      --method M --seats N FILE
//	asamblea backup     [--db PATH|URL] [--passphrase-file PATH] --out FILE
//	asamblea restore    [--db PATH|URL] [--passphrase-file PATH] [--force] FILE
//	asamblea i18n      status | export --lang L [--out FILE]
//	asamblea version
//
// Every flag can also be set in the environment: ASAMBLEA_DB, ASAMBLEA_ADDR,
// ASAMBLEA_JOURNAL_KEY.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	stdlog "log"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // dates in America/Lima even where the system has no zone data

	"asamblea/demo"
	"asamblea/server"
	"asamblea/store"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `asamblea — democratic self-organisation: committees, assemblies of mandated
and recallable delegates, coordinated actions, elections.

Usage:
  asamblea serve      [--db PATH|URL] [--journal-key PATH] [--addr :8080] [--demo] [--trust-proxy] [--records-key FILE]
  asamblea migrate    [--db PATH|URL]
  asamblea verify     [--db PATH|URL] [--journal-key PATH]
  asamblea rotate-key [--db PATH|URL] [--journal-key PATH]
  asamblea keys       status | wrap | move --to DIR   [--keys DIR] [--key-passphrase-file FILE]
  asamblea demo       [--db PATH|URL] [--journal-key PATH] [--scale N [--actions K]]
  asamblea tally      --method M --seats N [--json] FILE
  asamblea backup     [--db PATH|URL] [--passphrase-file PATH] --out FILE
  asamblea restore    [--db PATH|URL] [--passphrase-file PATH] [--force] FILE
  asamblea i18n      status | export --lang L [--out FILE]
  asamblea version

--db is a file path for SQLite (default ./asamblea-data/asamblea.db) or a
postgres:// URL; it can also be set in ASAMBLEA_DB, and --addr in ASAMBLEA_ADDR.
--journal-key is the file of the key that signs the journal (ASAMBLEA_JOURNAL_KEY;
default journal.key beside the SQLite file, or ./asamblea-data/journal.key with
PostgreSQL); serve and demo create it if missing. See docs/journal.md.
The node's keys (journal.key, records.key, pepper.key) live in --keys DIR
(ASAMBLEA_KEYS; default the data directory). serve refuses, unless --demo,
keys lying unwrapped in the data directory: wrap them with a passphrase
(--key-passphrase-file FILE, ASAMBLEA_KEY_PASSPHRASE_FILE, or typed at the
prompt) or keep them on another disk. See docs/security.md.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	switch args[0] {
	case "serve":
		return cmdServe(args[1:], stdout, stderr)
	case "migrate":
		return cmdMigrate(args[1:], stdout, stderr)
	case "verify":
		return cmdVerify(args[1:], stdout, stderr)
	case "rotate-key":
		return cmdRotateKey(args[1:], stdout, stderr)
	case "keys":
		return cmdKeys(args[1:], stdout, stderr)
	case "demo":
		return cmdDemo(args[1:], stdout, stderr)
	case "tally":
		return cmdTally(args[1:], stdout, stderr)
	case "backup":
		return cmdBackup(args[1:], stdout, stderr)
	case "restore":
		return cmdRestore(args[1:], stdout, stderr)
	case "i18n":
		return cmdI18n(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionString())
		return 0
	}
	fmt.Fprintf(stderr, "asamblea: unknown command %q\n\n%s", args[0], usage)
	return 2
}

func versionString() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok {
		v += " (" + bi.GoVersion + ")"
	}
	return "asamblea " + v
}

// env returns the environment variable or the default.
func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// DefaultDB is where the embedded database lives unless told otherwise.
const DefaultDB = "./asamblea-data/asamblea.db"

func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", env("ASAMBLEA_DB", DefaultDB), "SQLite file path or postgres:// URL (env ASAMBLEA_DB)")
	return fs, db
}

// openDB opens and migrates the database.
func openDB(ctx context.Context, dsn string, stderr io.Writer) (*store.DB, bool) {
	db, err := store.Open(dsn)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea: %v\n", err)
		return nil, false
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		fmt.Fprintf(stderr, "asamblea: %v\n", err)
		return nil, false
	}
	return db, true
}

func cmdMigrate(args []string, stdout, stderr io.Writer) int {
	fs, dsn := newFlags("migrate", stderr)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	db, err := store.Open(*dsn)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea: %v\n", err)
		return 1
	}
	defer db.Close()
	n, err := db.Migrate(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "asamblea: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "migrations applied: %d\n", n)
	return 0
}

func cmdVerify(args []string, stdout, stderr io.Writer) int {
	fs, dsn := newFlags("verify", stderr)
	kf := addKeyFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	nk, err := kf.open(*dsn, stderr, true)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea: %v\n", err)
		return 1
	}
	trusted, keyFile, err := trustedKey(nk, *kf.journal != "")
	if err != nil {
		fmt.Fprintf(stderr, "asamblea: %v\n", err)
		return 1
	}
	db, err := store.Open(*dsn)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea: %v\n", err)
		return 1
	}
	defer db.Close()
	r, err := db.CheckJournal(trusted)
	if err != nil {
		fmt.Fprintf(stderr, "journal: %d entries checked, %d signatures; FAILED: %v\n", r.Entries, r.Signed, err)
		return 1
	}
	printReport(stdout, r, trusted != nil, keyFile)
	return 0
}

func cmdDemo(args []string, stdout, stderr io.Writer) int {
	fs, dsn := newFlags("demo", stderr)
	kf := addKeyFlags(fs)
	scale := fs.Int("scale", 0, "also create N committees with about 100 members each, for load tests")
	perCommittee := fs.Int("actions", 0, "with --scale: federate the N committees (an assembly per department under a national one) and call this many actions per committee")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *scale < 0 {
		fmt.Fprintln(stderr, "asamblea demo: --scale must be 0 or more")
		return 2
	}
	if *perCommittee < 0 || *perCommittee > 100 || *perCommittee > 0 && *scale == 0 {
		fmt.Fprintln(stderr, "asamblea demo: --actions must be 0 to 100, with --scale")
		return 2
	}
	nk, err := kf.open(*dsn, stderr, true)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea demo: %v\n", err)
		return 1
	}
	nk.demoWarning(stderr)
	ctx := context.Background()
	db, ok := openDB(ctx, *dsn, stderr)
	if !ok {
		return 1
	}
	defer db.Close()
	path := nk.journal
	id, created, err := useNodeKeys(ctx, db, nk, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea demo: %v\n", err)
		return 1
	}
	if created {
		fmt.Fprintf(stdout, "journal key %s created in %s\n", id, path)
	}
	if err := demo.Fill(ctx, db, stdout); err != nil {
		fmt.Fprintf(stderr, "asamblea demo: %v\n", err)
		return 1
	}
	if *scale > 0 {
		start := time.Now()
		loaded, err := demo.Scale(ctx, db, *scale, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "asamblea demo: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "scale: %d committees in %s\n", *scale, time.Since(start).Round(time.Millisecond))
		if *perCommittee > 0 {
			start = time.Now()
			national, err := demo.ScaleActions(ctx, db, loaded, *perCommittee, stdout)
			if err != nil {
				fmt.Fprintf(stderr, "asamblea demo: %v\n", err)
				return 1
			}
			fmt.Fprintf(stdout, "scale: %d actions under the national assembly (body %d) in %s\n", *perCommittee*len(loaded), national, time.Since(start).Round(time.Millisecond))
		}
	}
	return 0
}

func cmdServe(args []string, stdout, stderr io.Writer) int {
	fs, dsn := newFlags("serve", stderr)
	kf := addKeyFlags(fs)
	addr := fs.String("addr", env("ASAMBLEA_ADDR", ":8080"), "address to listen on (env ASAMBLEA_ADDR)")
	withDemo := fs.Bool("demo", false, "fill an empty database with demo data and print logins")
	signup := fs.String("signup", env("ASAMBLEA_SIGNUP", "open"), "who may create an account: open (anyone, at most 40 at once then one a minute) or invite (only with a body's invitation code) (env ASAMBLEA_SIGNUP)")
	trustProxy := fs.Bool("trust-proxy", os.Getenv("ASAMBLEA_TRUST_PROXY") == "1", "trust X-Forwarded-Proto from a reverse proxy (env ASAMBLEA_TRUST_PROXY=1)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *signup != "open" && *signup != "invite" {
		fmt.Fprintf(stderr, "asamblea serve: --signup is open or invite, not %q\n", *signup)
		return 2
	}
	if *withDemo && *trustProxy {
		// Behind a TLS proxy the node is public: demo accounts, whose
		// password is in the source, would be open to anyone.
		fmt.Fprintln(stderr, "asamblea serve: --demo is for trying asamblea out, not for a public node (--trust-proxy)")
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	started := time.Now()
	nk, err := kf.open(*dsn, stderr, true)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea serve: %v\n", err)
		return 1
	}
	if *withDemo {
		nk.demoWarning(stderr)
	} else if err := nk.production(); err != nil {
		fmt.Fprintf(stderr, "asamblea serve: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, ok := openDB(ctx, *dsn, stderr)
	if !ok {
		return 1
	}
	defer db.Close()
	id, created, err := useNodeKeys(ctx, db, nk, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea serve: %v\n", err)
		return 1
	}
	log.Info("keys", "journal", id, "dir", nk.ring.Dir, "wrapped", nk.ring.HasPassphrase(), "created", created, "took", time.Since(started).Round(time.Millisecond))
	if *withDemo {
		empty, err := demo.Empty(ctx, db)
		if err == nil && empty {
			err = demo.Fill(ctx, db, stdout)
		}
		if err != nil {
			fmt.Fprintf(stderr, "asamblea: demo: %v\n", err)
			return 1
		}
	}
	cfg := server.DefaultConfig()
	cfg.TrustProxy = *trustProxy
	cfg.DeviceKey = nk.deviceKey()
	cfg.Signup = *signup
	srv, err := server.New(cfg, db, log)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea: %v\n", err)
		return 1
	}
	hs := &http.Server{Addr: *addr, Handler: srv, ErrorLog: stdlog.New(redact{stderr}, "http: ", 0), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- hs.ListenAndServe() }()
	go closeDue(ctx, db, store.SessionLimits{Idle: cfg.SessionIdle, Absolute: cfg.SessionMax}, log)
	log.Info("asamblea listening", "addr", *addr, "db", string(db.Dialect()), "version", version)
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "asamblea: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "asamblea: shutdown: %v\n", err)
		return 1
	}
	return 0
}

// closeDue closes the votes whose deadline has passed: at once on start
// (for those that passed while the server was down), then every 30 seconds.
func closeDue(ctx context.Context, db *store.DB, sessions store.SessionLimits, log *slog.Logger) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	var flushed time.Time // the hour sessions were last written in
	for {
		if n, err := db.CloseDue(ctx); err != nil {
			log.Error("closing votes", "err", err)
		} else if n > 0 {
			log.Info("votes closed", "count", n)
		}
		// Sessions' hours are written once an hour, all together and
		// apart from any request (see store.FlushSessions).
		if h := time.Now().Truncate(time.Hour); h != flushed {
			if _, err := db.FlushSessions(ctx, sessions); err != nil {
				log.Error("writing sessions", "err", err)
			} else {
				flushed = h
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// addresses matches IPv4 and IPv6 addresses with an optional port.
var addresses = regexp.MustCompile(`\[?[0-9a-fA-F:]*:[0-9a-fA-F:]+\]?(:\d+)?|\d{1,3}(\.\d{1,3}){3}(:\d+)?`)

// redact removes client addresses from the messages of net/http (such as
// "TLS handshake error from 203.0.113.9:51234"): asamblea logs no address.
type redact struct{ w io.Writer }

func (r redact) Write(p []byte) (int, error) {
	if _, err := r.w.Write(addresses.ReplaceAll(p, []byte("[address]"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
