package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"asamblea/accounts"
	"asamblea/journal"
	"asamblea/store"
)

// addUser writes one entry with the key in keyFile, as the server would.
func addUser(t *testing.T, db, keyFile, name string) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k, err := readKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseJournalKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, accounts.Hasher{Time: 1, MemoryKiB: 64, Threads: 1}, name, "una contraseña larga de "+name, "es"); err != nil {
		t.Fatal(err)
	}
}

func tamper(t *testing.T, db, q string) {
	t.Helper()
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.ExecRaw(context.Background(), q); err != nil {
		t.Fatal(err)
	}
}

func TestRotateKeyThenVerify(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	db, keyFile := filepath.Join(dir, "a.db"), filepath.Join(dir, "journal.key")
	code, out, errs := runCmd("demo", "--db", db)
	if code != 0 || !strings.Contains(out, "journal key ") || !strings.Contains(out, "created in "+keyFile) {
		t.Fatalf("demo: exit %d\n%s%s", code, out, errs)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	old, err := readKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	oldID := keyID(old)
	code, out, _ = runCmd("verify", "--db", db)
	if code != 0 || !strings.Contains(out, "chain intact; ") || !strings.Contains(out, "key "+oldID+" introduced at entry 1, current") || !strings.Contains(out, "signed to its end with this node's key") {
		t.Fatalf("verify: exit %d %s", code, out)
	}

	code, out, errs = runCmd("rotate-key", "--db", db)
	if code != 0 || !strings.Contains(out, "journal key rotated: "+oldID+" → ") {
		t.Fatalf("rotate-key: exit %d\n%s%s", code, out, errs)
	}
	retired := keyFile + ".retired-" + oldID
	if _, err := readKey(retired); err != nil {
		t.Fatalf("the old key is not kept aside: %v", err)
	}
	next, err := readKey(keyFile)
	if err != nil || keyID(next) == oldID {
		t.Fatalf("new key: %v", err)
	}
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new key file: %v %v", fi, err)
	}
	addUser(t, db, keyFile, "Rosa")

	code, out, _ = runCmd("verify", "--db", db)
	entries, rotation := lastSeq(t, db), lastSeq(t, db)-1
	if code != 0 || !strings.Contains(out, fmt.Sprintf("journal: %d entries checked, chain intact; %d signatures valid", entries, entries)) ||
		!strings.Contains(out, fmt.Sprintf("key %s introduced at entry 1, retired at entry %d", oldID, rotation)) ||
		!strings.Contains(out, fmt.Sprintf("key %s introduced at entry %d, current", keyID(next), rotation)) {
		t.Fatalf("verify after rotation: exit %d %s", code, out)
	}
	// The old key is no longer this node's.
	if code, _, errs := runCmd("verify", "--db", db, "--journal-key", retired); code == 0 || !strings.Contains(errs, "retired at entry") {
		t.Fatalf("verify with the retired key: exit %d %s", code, errs)
	}
	// Nor can a server start with it.
	if code, _, errs := runCmd("demo", "--db", db, "--journal-key", retired); code == 0 || !strings.Contains(errs, "was retired on") {
		t.Fatalf("demo with the retired key: exit %d %s", code, errs)
	}
	// A key file named but missing is an error, not an unsigned check.
	if code, _, errs := runCmd("verify", "--db", db, "--journal-key", filepath.Join(dir, "nope.key")); code == 0 || !strings.Contains(errs, "nope.key") {
		t.Fatalf("verify with a missing key file: exit %d %s", code, errs)
	}

	// The last entry signed with the retired key (as if its file had leaked).
	e := lastEntry(t, db)
	journal.NewSigner(old).Sign(&e)
	tamper(t, db, fmt.Sprintf(`UPDATE journal SET key_id = '%s', sig = '%s' WHERE seq = %d`, e.KeyID, e.Sig, e.Seq))
	if code, _, errs := runCmd("verify", "--db", db); code == 0 || !strings.Contains(errs, fmt.Sprintf("FAILED: entry %d: signed by retired key %s", e.Seq, oldID)) {
		t.Fatalf("verify after signing with the retired key: exit %d %s", code, errs)
	}
	// The signature of another entry.
	tamper(t, db, fmt.Sprintf(`UPDATE journal SET key_id = '%s', sig = (SELECT sig FROM journal WHERE seq = %d) WHERE seq = %d`, keyID(next), e.Seq-1, e.Seq))
	if code, _, errs := runCmd("verify", "--db", db); code == 0 || !strings.Contains(errs, fmt.Sprintf("FAILED: entry %d: signature does not match", e.Seq)) {
		t.Fatalf("verify after a tampered signature: exit %d %s", code, errs)
	}
	// A key nobody introduced.
	tamper(t, db, fmt.Sprintf(`UPDATE journal SET key_id = '0123456789abcdef' WHERE seq = %d`, e.Seq))
	if code, _, errs := runCmd("verify", "--db", db); code == 0 || !strings.Contains(errs, fmt.Sprintf("FAILED: entry %d: signed by unknown key", e.Seq)) {
		t.Fatalf("verify after an unknown key: exit %d %s", code, errs)
	}
}

// TestRotateKeyInterrupted: a rotation that committed but did not move the
// files is finished by running rotate-key again; one that did not commit
// is started over.
func TestRotateKeyInterrupted(t *testing.T) {
	dir := t.TempDir()
	db, keyFile := filepath.Join(dir, "a.db"), filepath.Join(dir, "node.key")
	t.Setenv("ASAMBLEA_JOURNAL_KEY", keyFile)
	if code, out, errs := runCmd("demo", "--db", db); code != 0 || !strings.Contains(out, "created in "+keyFile) {
		t.Fatalf("demo: exit %d\n%s%s", code, out, errs)
	}
	old, err := readKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	// A rotation that did not commit left node.key.new behind.
	stray, _ := journal.NewKey()
	if err := writeKey(keyFile+".new", stray); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd("rotate-key", "--db", db); code != 0 || !strings.Contains(out, "journal key rotated: "+keyID(old)) {
		t.Fatalf("rotate-key: exit %d\n%s%s", code, out, errs)
	}
	mid, err := readKey(keyFile)
	if err != nil || keyID(mid) == keyID(stray) || keyID(mid) == keyID(old) {
		t.Fatalf("key after rotation: %v", err)
	}

	// A rotation that committed, then stopped before moving the files.
	next, _ := journal.NewKey()
	if err := writeKey(keyFile+".new", next); err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.UseJournalKey(context.Background(), mid); err != nil {
		t.Fatal(err)
	}
	if err := s.RotateJournalKey(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if code, _, errs := runCmd("verify", "--db", db); code == 0 || !strings.Contains(errs, "key "+keyID(mid)+" was retired at entry") {
		t.Fatalf("verify with the files not moved: exit %d %s", code, errs)
	}
	if code, out, errs := runCmd("rotate-key", "--db", db); code != 0 || !strings.Contains(out, "an interrupted rotation, finished") {
		t.Fatalf("rotate-key again: exit %d\n%s%s", code, out, errs)
	}
	if k, err := readKey(keyFile); err != nil || keyID(k) != keyID(next) {
		t.Fatalf("key file after finishing: %v", err)
	}
	if _, err := readKey(keyFile + ".retired-" + keyID(mid)); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCmd("verify", "--db", db); code != 0 || !strings.Contains(out, "signed to its end with this node's key") {
		t.Fatalf("verify: exit %d\n%s%s", code, out, errs)
	}
	// Without any key file there is nothing to rotate from.
	if code, _, errs := runCmd("rotate-key", "--db", db, "--journal-key", filepath.Join(dir, "none.key")); code == 0 || !strings.Contains(errs, "no journal key at") {
		t.Fatalf("rotate-key without a key: exit %d %s", code, errs)
	}
}

func TestKeyPathDefault(t *testing.T) {
	tests := map[string]struct{ flag, dsn, want string }{
		"SQLite":     {"", "/srv/asamblea/a.db", "/srv/asamblea/journal.key"},
		"SQLiteFile": {"", "file:data/a.db", "data/journal.key"},
		"Default":    {"", DefaultDB, "asamblea-data/journal.key"},
		"Postgres":   {"", "postgres://u@h/db", "asamblea-data/journal.key"},
		"Flag":       {"/etc/asamblea/key", "postgres://u@h/db", "/etc/asamblea/key"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := keyPath(tc.flag, tc.dsn); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func lastSeq(t *testing.T, db string) int64 { return lastEntry(t, db).Seq }

// lastEntry reads the journal's last entry: its sequence and hash, which
// are what a signature covers.
func lastEntry(t *testing.T, db string) journal.Entry {
	t.Helper()
	s, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var e journal.Entry
	if err := s.QueryRow(`SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1`).Scan(&e.Seq, &e.Hash); err != nil {
		t.Fatal(err)
	}
	return e
}
