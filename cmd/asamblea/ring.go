package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"asamblea/accounts"
	"asamblea/keyring"
	"asamblea/store"
)

// The node's keys (the journal key, the records key, the password pepper)
// are read through a key ring (package keyring): wrapped by the operator's
// passphrase, or plain on a path outside the data directory. See
// docs/security.md, "What a seized copy yields".

// keyFlags are the flags of every command that uses the node's keys.
type keyFlags struct {
	journal, records, dir, passFile *string
}

func addKeyFlags(fs *flag.FlagSet) *keyFlags {
	return &keyFlags{
		journal:  keyFlag(fs),
		records:  recordsKeyFlag(fs),
		dir:      fs.String("keys", os.Getenv("ASAMBLEA_KEYS"), "directory of the node's key files (env ASAMBLEA_KEYS; default: the data directory, where they must be wrapped)"),
		passFile: fs.String("key-passphrase-file", os.Getenv("ASAMBLEA_KEY_PASSPHRASE_FILE"), "file whose first line is the passphrase that wraps the node's keys: on a USB stick, a tmpfs or a systemd credential (env ASAMBLEA_KEY_PASSPHRASE_FILE; without it a wrapped key asks at the terminal)"),
	}
}

// nodeKeys is where the node's keys are and the ring that reads them.
type nodeKeys struct {
	ring                     *keyring.Ring
	journal, records, pepper string // records is "off" for passphrases only
	pepperValue              *accounts.Pepper
}

// deviceKey is the key that signs device cookies, derived from the pepper
// so that devices stay known across restarts.
func (nk *nodeKeys) deviceKey() []byte {
	if nk.pepperValue == nil {
		return nil
	}
	m := hmac.New(sha256.New, nk.pepperValue[:])
	m.Write([]byte("asamblea device cookies v1"))
	return m.Sum(nil)
}

// dataDir is the data directory of dsn: the SQLite file's directory, or
// the default one with PostgreSQL (where the key files used to be).
func dataDir(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return filepath.Dir(DefaultDB)
	}
	return filepath.Dir(strings.TrimPrefix(dsn, "file:"))
}

// promptPassphrase asks for the passphrase at the terminal; it is nil when
// there is no terminal to ask at. Tests replace it.
var promptPassphrase = func(stderr io.Writer, what string) ([]byte, error) {
	fd := int(os.Stdin.Fd())
	if !term.IsTerminal(fd) {
		return nil, nil
	}
	fmt.Fprintf(stderr, "passphrase for the node's keys (%s): ", what)
	p, err := term.ReadPassword(fd)
	fmt.Fprintln(stderr)
	return p, err
}

// open resolves the key paths for dsn and reads the passphrase: from the
// file named, or at the terminal if a key file is wrapped.
func (f *keyFlags) open(dsn string, stderr io.Writer, ask bool) (*nodeKeys, error) {
	dir := *f.dir
	if dir == "" {
		dir = dataDir(dsn)
	}
	var pass []byte
	if *f.passFile != "" {
		var err error
		if pass, err = keyring.ReadPassphraseFile(*f.passFile); err != nil {
			return nil, err
		}
	}
	nk := &nodeKeys{ring: keyring.New(dir, dataDir(dsn), pass), journal: *f.journal, records: *f.records}
	if nk.journal == "" {
		nk.journal = nk.ring.Path(keyring.Journal)
	}
	if nk.records == "" {
		nk.records = nk.ring.Path(keyring.Records)
	}
	nk.pepper = nk.ring.Path(keyring.Pepper)
	if pass == nil && ask {
		for _, p := range nk.paths() {
			in, err := nk.ring.Inspect(p)
			if err != nil || !in.Wrapped {
				continue
			}
			typed, err := promptPassphrase(stderr, in.Path)
			if err != nil {
				return nil, err
			}
			if typed == nil {
				return nil, fmt.Errorf("%s: %w", in.Path, keyring.ErrNoPassphrase)
			}
			nk.ring = keyring.New(dir, dataDir(dsn), typed)
			break
		}
	}
	return nk, nil
}

// paths are the node's key files.
func (nk *nodeKeys) paths() []string {
	ps := []string{nk.journal, nk.pepper}
	if nk.records != "off" {
		ps = append(ps, nk.records)
	}
	return ps
}

// production refuses to start with a key in the clear beside the data, or
// readable by others, or about to be created so: the message says what to
// do. Nothing is written before this check.
func (nk *nodeKeys) production() error {
	for _, p := range nk.paths() {
		in, err := nk.ring.Inspect(p)
		if err != nil {
			return fmt.Errorf("key file %s: %w", p, err)
		}
		if pr := in.Problem(); pr != "" {
			return errors.New(pr + " (or try asamblea out with --demo)")
		}
		if !in.Exists && in.Inside && !nk.ring.HasPassphrase() {
			return fmt.Errorf("the key file %s does not exist yet and would be created in the clear inside the data directory: give a passphrase (--key-passphrase-file FILE) to create the keys wrapped, or keep them off this disk (--keys DIR); or try asamblea out with --demo", p)
		}
	}
	return nil
}

// demoWarning is the one line a demo prints when its keys are (or will
// be) in the clear beside the database.
func (nk *nodeKeys) demoWarning(stderr io.Writer) {
	for _, p := range nk.paths() {
		in, _ := nk.ring.Inspect(p)
		if in.InClear() || !in.Exists && in.Inside && !nk.ring.HasPassphrase() {
			fmt.Fprintf(stderr, "asamblea: demo: the node's keys are kept unwrapped in %s, beside the database — a copy of this disk opens them; for trying asamblea out only\n", nk.ring.Dir)
			return
		}
	}
}

// pepperHeader starts a pepper key file; the pepper follows in hex.
const pepperHeader = "asamblea password pepper v1"

// usePepper reads the pepper file (creating it if missing), gives it to
// db and peppers the hashes written before there was one.
func (nk *nodeKeys) usePepper(ctx context.Context, db *store.DB, stderr io.Writer) error {
	b, err := nk.ring.Read(nk.pepper)
	var p accounts.Pepper
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		if _, err := rand.Read(p[:]); err != nil {
			return err
		}
		if err := nk.ring.Create(nk.pepper, []byte(pepperHeader+"\n"+hex.EncodeToString(p[:])+"\n")); err != nil {
			return fmt.Errorf("password pepper: %w", err)
		}
	case err != nil:
		return fmt.Errorf("password pepper: %w", err)
	default:
		s, ok := strings.CutPrefix(strings.TrimSpace(string(b)), pepperHeader+"\n")
		raw, herr := hex.DecodeString(strings.TrimSpace(s))
		if !ok || herr != nil || len(raw) != len(p) {
			return fmt.Errorf("password pepper %s: not a pepper file", nk.pepper)
		}
		copy(p[:], raw)
	}
	db.SetPepper(&p)
	nk.pepperValue = &p
	n, err := db.PepperPasswords(ctx)
	if err != nil {
		return fmt.Errorf("password pepper: %w", err)
	}
	if n > 0 {
		fmt.Fprintf(stderr, "asamblea: %d password hashes peppered with %s\n", n, nk.pepper)
	}
	return nil
}

// cmdKeys manages the node's key files: status, wrap, move.
func cmdKeys(args []string, stdout, stderr io.Writer) int {
	const keysUsage = "usage: asamblea keys status | wrap --key-passphrase-file FILE | move --to DIR  [--db …] [--keys DIR]\n"
	if len(args) == 0 {
		fmt.Fprint(stderr, keysUsage)
		return 2
	}
	sub := args[0]
	fs, dsn := newFlags("keys "+sub, stderr)
	kf := addKeyFlags(fs)
	to := fs.String("to", "", "move: the directory to move the key files to (outside the data directory)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	// Only wrap opens a key; status and move never ask for the passphrase.
	nk, err := kf.open(*dsn, stderr, sub == "wrap")
	if err != nil {
		fmt.Fprintf(stderr, "asamblea keys: %v\n", err)
		return 1
	}
	switch sub {
	case "status":
		bad := false
		for _, p := range nk.paths() {
			in, err := nk.ring.Inspect(p)
			if err != nil {
				fmt.Fprintf(stderr, "asamblea keys: %s: %v\n", p, err)
				return 1
			}
			state := "missing"
			switch {
			case in.Exists && in.Wrapped:
				state = "wrapped"
			case in.Exists:
				state = "plain"
			}
			where := "outside the data directory"
			if in.Inside {
				where = "inside the data directory"
			}
			fmt.Fprintf(stdout, "%-13s %-8s %s  %s, %s\n", filepath.Base(p), state, in.Mode, p, where)
			if pr := in.Problem(); pr != "" {
				fmt.Fprintf(stdout, "  refused by serve: %s\n", pr)
				bad = true
			}
		}
		if bad {
			return 1
		}
		return 0
	case "wrap":
		if !nk.ring.HasPassphrase() {
			fmt.Fprintln(stderr, "asamblea keys wrap: give the passphrase with --key-passphrase-file FILE (kept off this disk; it is never written anywhere)")
			return 2
		}
		for _, p := range nk.paths() {
			done, err := nk.ring.Wrap(p)
			switch {
			case errors.Is(err, iofs.ErrNotExist):
				continue
			case err != nil:
				fmt.Fprintf(stderr, "asamblea keys wrap: %v\n", err)
				return 1
			case done:
				fmt.Fprintf(stdout, "wrapped %s\n", p)
			default:
				fmt.Fprintf(stdout, "%s was already wrapped\n", p)
			}
		}
		fmt.Fprintln(stdout, "the plain copies may linger in the disk's free blocks: rotate the journal key (asamblea rotate-key) if the disk may be imaged later")
		return 0
	case "move":
		if *to == "" {
			fmt.Fprint(stderr, "asamblea keys move: name the directory with --to DIR\n")
			return 2
		}
		if in, _ := keyring.New(*to, nk.ring.DataDir, nil).Inspect(filepath.Join(*to, keyring.Journal)); in.Inside {
			fmt.Fprintf(stderr, "asamblea keys move: %s is inside the data directory %s: choose a directory on another disk\n", *to, nk.ring.DataDir)
			return 1
		}
		for _, p := range nk.paths() {
			if _, err := os.Stat(p); errors.Is(err, iofs.ErrNotExist) {
				continue
			}
			dst, err := keyring.Move(p, *to)
			if err != nil {
				fmt.Fprintf(stderr, "asamblea keys move: %s: %v\n", p, err)
				return 1
			}
			fmt.Fprintf(stdout, "moved %s to %s\n", p, dst)
		}
		fmt.Fprintf(stdout, "start the server with --keys %s (or ASAMBLEA_KEYS=%s)\n", *to, *to)
		return 0
	}
	fmt.Fprintf(stderr, "asamblea keys: unknown subcommand %q\n%s", sub, keysUsage)
	return 2
}

// useNodeKeys gives db the node's keys: the records key, the journal key
// (created if missing, and introduced in the journal if new) and the
// password pepper.
func useNodeKeys(ctx context.Context, db *store.DB, nk *nodeKeys, stderr io.Writer) (journalID string, created bool, err error) {
	if err := useRecordsKey(db, nk, stderr); err != nil {
		return "", false, err
	}
	id, created, _, err := useKey(ctx, db, nk.ring, nk.journal)
	if err != nil {
		return "", false, err
	}
	if err := nk.usePepper(ctx, db, stderr); err != nil {
		return "", false, err
	}
	return id, created, nil
}
