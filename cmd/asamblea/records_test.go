package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The records key file is made beside the database on first use, readable
// by its owner only, and a file that is not one stops the command.
func TestRecordsKeyFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "a.db")
	code, _, errs := runCmd("demo", "--db", db)
	if code != 0 || !strings.Contains(errs, "records.key") {
		t.Fatalf("demo: exit %d %s", code, errs)
	}
	path := filepath.Join(dir, "data", "records.key")
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	before, _ := os.ReadFile(path)
	if code, _, _ := runCmd("demo", "--db", db); code != 0 {
		t.Fatal("second demo")
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatal("the key file was replaced")
	}
	bad := filepath.Join(dir, "bad.key")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	code, _, errs = runCmd("demo", "--db", db, "--records-key", bad)
	if code != 1 || !strings.Contains(errs, "not an asamblea records key file") {
		t.Fatalf("a bad key file: exit %d %q", code, errs)
	}
}
