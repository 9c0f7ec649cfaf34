package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"asamblea/backup"
	"asamblea/store"
)

// passphraseEnv holds the backup passphrase unless --passphrase-file names
// a file that does.
const passphraseEnv = "ASAMBLEA_BACKUP_PASSPHRASE" // #nosec G101 -- the name of an environment variable, not a credential

// cmdBackup writes an encrypted, consistent snapshot of the database.
func cmdBackup(args []string, stdout, stderr io.Writer) int {
	fs, dsn := newFlags("backup", stderr)
	addKeyFlags(fs) // accepted for symmetry: a backup holds no key, and needs none
	out := fs.String("out", "", "the backup file to write (replaced atomically if it exists)")
	passFile := fs.String("passphrase-file", "", "read the passphrase from this file (default: env "+passphraseEnv+")")
	if refusePassphraseFlag("backup", args, stderr) {
		return 2
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: asamblea backup [--db PATH|URL] [--passphrase-file PATH] --out FILE")
		return 2
	}
	pass, err := readPassphrase(*passFile)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea backup: %v\n", err)
		return 2
	}
	if !strings.HasPrefix(*dsn, "postgres://") && !strings.HasPrefix(*dsn, "postgresql://") {
		// Open would create an empty database where there is none.
		if _, err := os.Stat(strings.TrimPrefix(*dsn, "file:")); err != nil {
			fmt.Fprintf(stderr, "asamblea backup: no database at %s\n", *dsn)
			return 1
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := store.Open(*dsn)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea backup: %v\n", err)
		return 1
	}
	defer db.Close()
	start := time.Now()
	var m backup.Manifest
	size, err := writeAtomic(*out, func(w io.Writer) error {
		bw, err := backup.NewWriter(w, pass, backup.DefaultParams)
		if err != nil {
			return err
		}
		if m, err = db.Backup(ctx, bw, versionString()); err != nil {
			return err
		}
		return bw.Close()
	})
	if err != nil {
		fmt.Fprintf(stderr, "asamblea backup: %s\n", strings.TrimPrefix(err.Error(), "backup: "))
		return 1
	}
	fmt.Fprintf(stdout, "backup: %s database at migration %d, journal of %d entries (head %s)\n", m.Dialect, m.Schema, m.Journal, short(m.Head))
	fmt.Fprintf(stdout, "backup: %s written to %s in %s\n", bytesize(size), *out, time.Since(start).Round(time.Millisecond))
	return 0
}

// cmdRestore brings back a snapshot written by backup.
func cmdRestore(args []string, stdout, stderr io.Writer) int {
	fs, dsn := newFlags("restore", stderr)
	kf := addKeyFlags(fs)
	force := fs.Bool("force", false, "replace a database that holds data (stop the server first)")
	passFile := fs.String("passphrase-file", "", "read the passphrase from this file (default: env "+passphraseEnv+")")
	if refusePassphraseFlag("restore", args, stderr) {
		return 2
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "usage: asamblea restore [--db PATH|URL] [--passphrase-file PATH] [--force] FILE")
		return 2
	}
	pass, err := readPassphrase(*passFile)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea restore: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	f, err := os.Open(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "asamblea restore: %v\n", err)
		return 1
	}
	defer f.Close()
	r, err := backup.NewReader(f, pass)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea restore: %s: %v\n", files[0], err)
		return 1
	}
	m, err := store.Restore(ctx, *dsn, r, *force)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea restore: %s: %s\nasamblea restore: nothing was written\n", files[0], strings.TrimPrefix(err.Error(), "restore: "))
		return 1
	}
	fmt.Fprintf(stdout, "restore: %s backup taken %s by %s, at migration %d, into %s in %s\n",
		m.Dialect, m.Taken.Format(time.RFC3339), m.By, m.Schema, where(*dsn), time.Since(start).Round(time.Millisecond))
	db, ok := openDB(ctx, *dsn, stderr)
	if !ok {
		return 1
	}
	defer db.Close()
	if c, err := db.TableCounts(ctx); err == nil {
		var rows int64
		for _, n := range c {
			rows += n
		}
		fmt.Fprintf(stdout, "restore: %d tables, %d rows\n", len(c), rows)
	}
	n, err := db.VerifyJournal()
	if err != nil {
		fmt.Fprintf(stderr, "journal: %d entries checked; FAILED at %v\n", n, err)
		return 1
	}
	seq, hash, err := db.JournalHead(ctx)
	if err != nil || seq != m.Journal || hash != m.Head {
		fmt.Fprintf(stderr, "journal: %d entries checked, chain intact, but the backup's journal ends at entry %d (%s)\n", n, m.Journal, short(m.Head))
		return 1
	}
	fmt.Fprintf(stdout, "journal: %d entries checked, chain intact, head %s as backed up\n", n, short(m.Head))
	if id, err := db.JournalKeyID(ctx); err == nil && id != "" {
		// The key files are never in a backup (see docs/journal.md).
		fmt.Fprintf(stdout, "journal: signed with key %s; the server needs that key file (--journal-key), the password pepper (pepper.key: without it no password can be checked), and the records key file if commissions keep records\n", id)
		if nk, err := kf.open(*dsn, stderr, true); err == nil {
			if k, err := readKeyIn(nk.ring, nk.journal); err == nil {
				if keyID(k) == id {
					fmt.Fprintf(stdout, "journal: %s holds that key\n", nk.journal)
				} else {
					fmt.Fprintf(stdout, "journal: %s holds another key (%s): serve will refuse it\n", nk.journal, keyID(k))
				}
			}
		}
	}
	return 0
}

// readPassphrase reads the passphrase from file, without its final line
// break, or else from the environment; and refuses a short one.
func readPassphrase(file string) (string, error) {
	var p string
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		p = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	} else if p = os.Getenv(passphraseEnv); p == "" {
		return "", fmt.Errorf("no passphrase: set %s or give --passphrase-file", passphraseEnv)
	}
	return p, backup.CheckPassphrase(p)
}

// refusePassphraseFlag explains, without repeating it, why a passphrase
// given on the command line is refused: anyone on the machine can read a
// process's arguments.
func refusePassphraseFlag(cmd string, args []string, stderr io.Writer) bool {
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if strings.HasPrefix(a, "-") && (name == "passphrase" || name == "password" || name == "pass") {
			fmt.Fprintf(stderr, "asamblea %s: a passphrase is never taken on the command line, where other users of the machine can read it: set %s or give --passphrase-file\n", cmd, passphraseEnv)
			return true
		}
	}
	return false
}

// parseInterspersed parses flags placed before or after the positional
// arguments, which it returns.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// writeAtomic writes a file of mode 0600 through fill: to a temporary file
// beside it, synced and renamed into place only if fill succeeds.
func writeAtomic(path string, fill func(io.Writer) error) (int64, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return 0, err
	}
	cw := &countingWriter{w: tmp}
	if err := fill(cw); err != nil {
		return 0, err
	}
	if err := tmp.Sync(); err != nil {
		return 0, err
	}
	if err := tmp.Close(); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return cw.n, nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// where names a database for the output, without a password in its URL.
func where(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" && u.Host != "" {
		return u.Redacted()
	}
	return dsn
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12] + "…"
	}
	return hash
}

func bytesize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
