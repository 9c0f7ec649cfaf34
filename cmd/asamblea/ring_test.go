package main

import (
	"bytes"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"asamblea/keyring"
)

func writePass(t *testing.T, dir, pass string) string {
	t.Helper()
	p := filepath.Join(dir, "pass")
	if err := os.WriteFile(p, []byte(pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// noPrompt makes the commands run as without a terminal.
func noPrompt(t *testing.T) {
	saved := promptPassphrase
	promptPassphrase = func(io.Writer, string) ([]byte, error) { return nil, nil }
	t.Cleanup(func() { promptPassphrase = saved })
}

func TestServeRefusesKeysInTheClear(t *testing.T) {
	noPrompt(t)
	root := t.TempDir()
	data := filepath.Join(root, "data")
	db := filepath.Join(data, "a.db")

	// A new production node with nothing to wrap its keys with: refused,
	// saying what to do, before anything is written.
	code, _, errs := runCmd("serve", "--db", db, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errs, "would be created in the clear inside the data directory") || !strings.Contains(errs, "--key-passphrase-file") {
		t.Fatalf("serve on a fresh data directory: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(data); err == nil {
		t.Fatal("the refused start wrote to the data directory")
	}

	// The demo works as before, with one warning line.
	code, _, errs = runCmd("demo", "--db", db)
	if code != 0 || strings.Count(errs, "asamblea: demo: the node's keys are kept unwrapped") != 1 {
		t.Fatalf("demo: exit %d\n%s", code, errs)
	}
	// Its plain keys beside the database are refused in production, each
	// named, and keys status says so.
	code, _, errs = runCmd("serve", "--db", db, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errs, filepath.Join(data, "journal.key")+" lies unwrapped inside the data directory") || !strings.Contains(errs, "asamblea keys wrap") {
		t.Fatalf("serve with plain keys: exit %d\n%s", code, errs)
	}
	code, out, _ := runCmd("keys", "status", "--db", db)
	if code != 1 || strings.Count(out, "plain ") != 3 || !strings.Contains(out, "refused by serve") {
		t.Fatalf("keys status: exit %d\n%s", code, out)
	}

	// Wrapped with a passphrase kept off the disk, they are unreadable
	// without it and accepted with it.
	usb := filepath.Join(root, "usb")
	os.MkdirAll(usb, 0o700)
	pass := writePass(t, usb, "la frase de la comisión que no está en el disco")
	code, out, errs = runCmd("keys", "wrap", "--db", db, "--key-passphrase-file", pass)
	if code != 0 || strings.Count(out, "wrapped ") != 3 {
		t.Fatalf("keys wrap: exit %d\n%s%s", code, out, errs)
	}
	for _, n := range []string{keyring.Journal, keyring.Records, keyring.Pepper} {
		b, _ := os.ReadFile(filepath.Join(data, n))
		if !bytes.HasPrefix(b, []byte(keyring.Header+"\n")) {
			t.Fatalf("%s is not wrapped: %q", n, b)
		}
	}
	code, out, _ = runCmd("keys", "status", "--db", db)
	if code != 0 || strings.Count(out, "wrapped ") != 3 {
		t.Fatalf("keys status after wrap: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd("verify", "--db", db, "--key-passphrase-file", pass)
	if code != 0 || !strings.Contains(out, "signed to its end with this node's key") {
		t.Fatalf("verify with the passphrase: exit %d\n%s", code, out)
	}
	code, _, errs = runCmd("verify", "--db", db)
	if code != 1 || !strings.Contains(errs, "no passphrase was given") {
		t.Fatalf("verify without the passphrase: exit %d\n%s", code, errs)
	}
	wrong := writePass(t, root, "otra frase larga, la equivocada")
	before, _ := os.ReadFile(db)
	code, _, errs = runCmd("serve", "--db", db, "--addr", "127.0.0.1:0", "--key-passphrase-file", wrong)
	if code != 1 || !strings.Contains(errs, "the passphrase does not open it") {
		t.Fatalf("serve with a wrong passphrase: exit %d\n%s", code, errs)
	}
	if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
		t.Fatal("a start with a wrong passphrase changed the database")
	}
	// A key file others can read is refused, named.
	os.Chmod(filepath.Join(data, "pepper.key"), 0o644)
	code, _, errs = runCmd("serve", "--db", db, "--addr", "127.0.0.1:0", "--key-passphrase-file", pass)
	if code != 1 || !strings.Contains(errs, filepath.Join(data, "pepper.key")+" can be read by others") {
		t.Fatalf("serve with a loose key file: exit %d\n%s", code, errs)
	}
	os.Chmod(filepath.Join(data, "pepper.key"), 0o600)

	// Moved off the data disk, plain or wrapped, they are accepted there.
	code, out, errs = runCmd("keys", "move", "--db", db, "--to", usb)
	if code != 0 || strings.Count(out, "moved ") != 3 || !strings.Contains(out, "--keys "+usb) {
		t.Fatalf("keys move: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCmd("keys", "status", "--db", db, "--keys", usb)
	if code != 0 || strings.Count(out, "outside the data directory") != 3 {
		t.Fatalf("keys status after move: exit %d\n%s", code, out)
	}
	code, _, errs = runCmd("keys", "move", "--db", db, "--keys", usb, "--to", filepath.Join(data, "k"))
	if code != 1 || !strings.Contains(errs, "inside the data directory") {
		t.Fatalf("keys move into the data directory: exit %d\n%s", code, errs)
	}
	code, out, _ = runCmd("verify", "--db", db, "--keys", usb, "--key-passphrase-file", pass)
	if code != 0 {
		t.Fatalf("verify with moved keys: exit %d\n%s", code, out)
	}
}

func TestPepperedAtStart(t *testing.T) {
	noPrompt(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	if code, out, errs := runCmd("demo", "--db", db); code != 0 {
		t.Fatalf("demo: %s%s", out, errs)
	}
	// Every hash the demo wrote is peppered; none is plain argon2id.
	raw := rawQuery(t, db, `SELECT COUNT(*) FROM users WHERE password_hash LIKE '$argon2id$%'`)
	if raw != "0" {
		t.Fatalf("%s unpeppered hashes after demo", raw)
	}
}

func rawQuery(t *testing.T, db, q string) string {
	t.Helper()
	s, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v string
	if err := s.QueryRow(q).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
