package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"

	"asamblea/journal"
	"asamblea/keyring"
	"asamblea/store"
)

// The journal key is the node's ed25519 private key: it signs every
// journal entry. It lives in a file of its own, never in the database, so
// that someone who can write to the database cannot forge the journal.

// keyFlag adds --journal-key to fs. Its value, once parsed, is resolved by
// keyPath.
func keyFlag(fs *flag.FlagSet) *string {
	return fs.String("journal-key", os.Getenv("ASAMBLEA_JOURNAL_KEY"), "journal signing key file (env ASAMBLEA_JOURNAL_KEY; default journal.key beside the SQLite file, or in ./asamblea-data for PostgreSQL)")
}

// keyPath is the key file flag's value, or the default for dsn: journal.key
// in the SQLite file's directory, or in the default data directory for
// PostgreSQL.
func keyPath(flagValue, dsn string) string {
	if flagValue != "" {
		return flagValue
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return filepath.Join(filepath.Dir(DefaultDB), "journal.key")
	}
	return filepath.Join(filepath.Dir(strings.TrimPrefix(dsn, "file:")), "journal.key")
}

// readKey reads a plain or wrapped journal key file; a wrapped one needs
// ring's passphrase (ring may be nil for plain files only).
func readKey(path string) (ed25519.PrivateKey, error) { return readKeyIn(nil, path) }

func readKeyIn(ring *keyring.Ring, path string) (ed25519.PrivateKey, error) {
	if ring == nil {
		ring = keyring.New(filepath.Dir(path), "", nil)
	}
	b, err := ring.Read(path)
	if err != nil {
		return nil, fmt.Errorf("journal key: %w", err)
	}
	k, err := journal.ParseKey(b)
	if err != nil {
		return nil, fmt.Errorf("journal key %s: %w", path, err)
	}
	return k, nil
}

// writeKey writes k to a new plain file at path, readable by its owner
// only, and syncs it to disk.
func writeKey(path string, k ed25519.PrivateKey) error { return writeKeyIn(nil, path, k) }

// writeKeyIn writes k to a new file at path, wrapped if ring has a
// passphrase.
func writeKeyIn(ring *keyring.Ring, path string, k ed25519.PrivateKey) error {
	b, err := journal.MarshalKey(k)
	if err != nil {
		return err
	}
	if ring == nil {
		ring = keyring.New(filepath.Dir(path), "", nil)
	}
	if err := ring.Create(path, b); err != nil {
		return fmt.Errorf("journal key: %w", err)
	}
	return nil
}

// loadOrCreateKey reads the key file, creating it with a new key if it
// does not exist.
func loadOrCreateKey(ring *keyring.Ring, path string) (k ed25519.PrivateKey, created bool, err error) {
	k, err = readKeyIn(ring, path)
	if err == nil || !errors.Is(err, iofs.ErrNotExist) {
		return k, false, err
	}
	if k, err = journal.NewKey(); err != nil {
		return nil, false, err
	}
	if err := writeKeyIn(ring, path, k); err != nil {
		return nil, false, err
	}
	return k, true, nil
}

// useKey makes db sign its journal with the key in path, created if
// missing, and returns the key's id.
func useKey(ctx context.Context, db *store.DB, ring *keyring.Ring, path string) (id string, created, introduced bool, err error) {
	k, created, err := loadOrCreateKey(ring, path)
	if err != nil {
		return "", false, false, err
	}
	if introduced, err = db.UseJournalKey(ctx, k); err != nil {
		return "", false, false, fmt.Errorf("%w (key file %s)", err, path)
	}
	return keyID(k), created, introduced, nil
}

func keyID(k ed25519.PrivateKey) string { return journal.KeyID(k.Public().(ed25519.PublicKey)) }

// cmdRotateKey replaces the journal key: a new key is introduced by an
// entry signed by the old one, the old file is moved aside to
// PATH.retired-<id>, and the new key takes its place. The new key is
// written to PATH.new first, so that an interrupted rotation is finished
// (or started over) by running the command again.
func cmdRotateKey(args []string, stdout, stderr io.Writer) int {
	fs, dsn := newFlags("rotate-key", stderr)
	kf := addKeyFlags(fs)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	nk, err := kf.open(*dsn, stderr, true)
	if err != nil {
		fmt.Fprintf(stderr, "asamblea rotate-key: %v\n", err)
		return 1
	}
	ctx := context.Background()
	db, ok := openDB(ctx, *dsn, stderr)
	if !ok {
		return 1
	}
	defer db.Close()
	if err := rotateKey(ctx, db, nk.ring, nk.journal, stdout); err != nil {
		fmt.Fprintf(stderr, "asamblea rotate-key: %v\n", err)
		return 1
	}
	return 0
}

func rotateKey(ctx context.Context, db *store.DB, ring *keyring.Ring, path string, stdout io.Writer) error {
	next := path + ".new"
	cur, err := db.JournalKeyID(ctx)
	if err != nil {
		return err
	}
	old, err := readKeyIn(ring, path)
	if err != nil && !errors.Is(err, iofs.ErrNotExist) {
		return err
	}
	// An earlier rotation may have stopped after its commit: finish it.
	if k, err := readKeyIn(ring, next); err == nil && keyID(k) == cur {
		retired := ""
		if old != nil {
			retired = path + ".retired-" + keyID(old)
		}
		if err := swapKeyFiles(path, next, retired); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "journal key %s is in %s (an interrupted rotation, finished)\n", cur, path)
		return nil
	}
	os.Remove(next) // left by a rotation that did not commit, if any
	if old == nil {
		return fmt.Errorf("no journal key at %s (serve and demo create one)", path)
	}
	if _, err := db.UseJournalKey(ctx, old); err != nil {
		return fmt.Errorf("%w (key file %s)", err, path)
	}
	k, err := journal.NewKey()
	if err != nil {
		return err
	}
	if err := writeKeyIn(ring, next, k); err != nil {
		return err
	}
	if err := db.RotateJournalKey(ctx, k); err != nil {
		os.Remove(next)
		return err
	}
	retired := path + ".retired-" + keyID(old)
	if err := swapKeyFiles(path, next, retired); err != nil {
		return fmt.Errorf("the journal is rotated, but: %w (run rotate-key again to finish)", err)
	}
	fmt.Fprintf(stdout, "journal key rotated: %s → %s, in %s\nthe old key is in %s: verify does not need it; destroy it or keep it offline\nrestart the server so that it signs with the new key\n",
		keyID(old), keyID(k), path, retired)
	return nil
}

// swapKeyFiles moves the key file at path to retired (if retired is not
// "") and the one at next to path, and syncs their directory.
func swapKeyFiles(path, next, retired string) error {
	if retired != "" {
		if err := os.Rename(path, retired); err != nil {
			return err
		}
	}
	if err := os.Rename(next, path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// trustedKey is the public key verify checks the journal against: that of
// the key file if there is one. A key file named explicitly must exist.
func trustedKey(nk *nodeKeys, named bool) (ed25519.PublicKey, string, error) {
	path := nk.journal
	k, err := readKeyIn(nk.ring, path)
	if err != nil {
		if !named && errors.Is(err, iofs.ErrNotExist) {
			return nil, path, nil
		}
		return nil, path, err
	}
	return k.Public().(ed25519.PublicKey), path, nil
}

// printReport tells what verify checked.
func printReport(w io.Writer, r journal.Report, trusted bool, keyFile string) {
	fmt.Fprintf(w, "journal: %d entries checked, chain intact; %d signatures valid\n", r.Entries, r.Signed)
	if r.Unsigned > 0 {
		fmt.Fprintf(w, "journal: %d entries unsigned, written before signing was enabled\n", r.Unsigned)
	}
	for i, k := range r.Keys {
		state := "current"
		if i < len(r.Keys)-1 {
			state = fmt.Sprintf("retired at entry %d", r.Keys[i+1].Seq)
		}
		fmt.Fprintf(w, "journal: key %s introduced at entry %d, %s\n", k.ID, k.Seq, state)
	}
	if n := len(r.Erased); n > 0 {
		var by []string
		for i, x := range r.Erased {
			if i == 10 {
				by = append(by, fmt.Sprintf("and %d more", n-10))
				break
			}
			by = append(by, fmt.Sprintf("entry %d by entry %d (%s)", x.Seq, x.By, x.Reason))
		}
		fmt.Fprintf(w, "journal: %d payloads erased: %s\n", n, strings.Join(by, ", "))
	}
	switch {
	case trusted:
		fmt.Fprintf(w, "journal: signed to its end with this node's key (%s)\n", keyFile)
	case len(r.Keys) > 0:
		fmt.Fprintf(w, "journal: no key file at %s; compare the current key id with the one the node publishes\n", keyFile)
	}
}
