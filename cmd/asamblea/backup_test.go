package main

import (
	"bytes"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testPassphrase = "la asamblea decide en la plaza"

// TestBackupRestore backs up the demo with the command and restores it, and
// shows what a restore refuses.
func TestBackupRestore(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "data", "a.db")
	if code, out, errs := runCmd("demo", "--db", db); code != 0 {
		t.Fatalf("demo: exit %d\n%s%s", code, out, errs)
	}
	t.Setenv(passphraseEnv, testPassphrase)
	file := filepath.Join(dir, "copias", "asamblea.bak")
	os.Mkdir(filepath.Dir(file), 0o700)
	code, out, errs := runCmd("backup", "--db", db, "--out", file)
	if code != 0 || !strings.Contains(out, "sqlite database at migration") || !strings.Contains(out, "written to "+file) {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errs)
	}
	good, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode %v", fi.Mode())
	}
	for _, plain := range []string{"SQLite format", "Juliaca", "journal_head"} {
		if bytes.Contains(good, []byte(plain)) {
			t.Fatalf("%q readable in the backup", plain)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*", ".*")); len(left) > 0 {
		t.Fatalf("left behind: %v", left)
	}

	// Each case restores a file into a new database.
	tests := map[string]struct {
		file []byte
		pass string
		code int
		want string
	}{
		"RoundTrip":       {good, testPassphrase, 0, "chain intact, head "},
		"WrongPassphrase": {good, "otra frase cualquiera, larga", 1, "wrong passphrase or damaged backup"},
		"Truncated":       {good[:len(good)/2], testPassphrase, 1, "damaged"},
		"CutAtChunk":      {good[:91+3*(64<<10+16)], testPassphrase, 1, "truncated"},
		"FlippedByte":     {flip(good, len(good)/3), testPassphrase, 1, "damaged"},
		"FlippedLastByte": {flip(good, len(good)-1), testPassphrase, 1, "damaged"},
		"NotABackup":      {[]byte("SQLite format 3\x00 or anything else that is not a backup at all"), testPassphrase, 1, "not an asamblea backup"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv(passphraseEnv, tc.pass)
			f := filepath.Join(t.TempDir(), "b.bak")
			if err := os.WriteFile(f, tc.file, 0o600); err != nil {
				t.Fatal(err)
			}
			restored := filepath.Join(t.TempDir(), "restored", "a.db")
			code, out, errs := runCmd("restore", "--db", restored, f)
			if code != tc.code || !strings.Contains(out+errs, tc.want) {
				t.Fatalf("restore: exit %d\n%s%s", code, out, errs)
			}
			if code != 0 {
				if _, err := os.Stat(filepath.Dir(restored)); err == nil {
					entries, _ := os.ReadDir(filepath.Dir(restored))
					if len(entries) > 0 {
						t.Fatalf("a failed restore left %s", entries[0].Name())
					}
				}
				return
			}
			if code, out, _ := runCmd("verify", "--db", restored); code != 0 || !strings.Contains(out, "chain intact") {
				t.Fatalf("verify the restored database: exit %d %s", code, out)
			}
		})
	}

	t.Run("OverData", func(t *testing.T) {
		// The demo's own database holds data: refused without --force,
		// with the flag placed after the file too.
		before, _ := os.ReadFile(db)
		code, _, errs := runCmd("restore", "--db", db, file)
		if code != 1 || !strings.Contains(errs, "holds data") || !strings.Contains(errs, "--force") {
			t.Fatalf("restore over data: exit %d %s", code, errs)
		}
		if after, _ := os.ReadFile(db); !bytes.Equal(before, after) {
			t.Fatal("a refused restore changed the database")
		}
		if code, out, errs := runCmd("restore", "--db", db, file, "--force"); code != 0 || !strings.Contains(out, "as backed up") {
			t.Fatalf("restore --force: exit %d\n%s%s", code, out, errs)
		}
	})

	t.Run("Replace", func(t *testing.T) {
		// A second backup to the same name replaces the first.
		if code, _, errs := runCmd("backup", "--db", db, "--out", file); code != 0 {
			t.Fatalf("second backup: %s", errs)
		}
		again, _ := os.ReadFile(file)
		if bytes.Equal(again, good) {
			t.Fatal("the second backup is the first's bytes")
		}
	})
}

func flip(b []byte, i int) []byte {
	b = bytes.Clone(b)
	b[i] ^= 0x01
	return b
}

func TestBackupPassphrase(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	if code, _, errs := runCmd("migrate", "--db", db); code != 0 {
		t.Fatal(errs)
	}
	passFile := filepath.Join(dir, "frase")
	os.WriteFile(passFile, []byte("una frase guardada en un archivo\n"), 0o600)
	shortFile := filepath.Join(dir, "corta")
	os.WriteFile(shortFile, []byte("corta\n"), 0o600)
	out := filepath.Join(dir, "b.bak")

	tests := map[string]struct {
		env  string
		args []string
		code int
		want string
	}{
		"NoPassphrase":       {"", nil, 2, "no passphrase: set ASAMBLEA_BACKUP_PASSPHRASE or give --passphrase-file"},
		"Short":              {"corta", nil, 2, "at least 12"},
		"ShortFile":          {testPassphrase, []string{"--passphrase-file", shortFile}, 2, "at least 12"},
		"MissingFile":        {testPassphrase, []string{"--passphrase-file", filepath.Join(dir, "nada")}, 2, "no such file"},
		"OnTheCommandLine":   {"", []string{"--passphrase", "secreto de la asamblea"}, 2, "never taken on the command line"},
		"OnTheCommandLineEq": {"", []string{"-passphrase=secreto de la asamblea"}, 2, "never taken on the command line"},
		"NoOut":              {testPassphrase, []string{"--out", ""}, 2, "usage"},
		"NoDatabase":         {testPassphrase, []string{"--db", filepath.Join(dir, "nada.db")}, 1, "no database at"},
		"FromFile":           {"", []string{"--passphrase-file", passFile}, 0, "written to"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Setenv(passphraseEnv, tc.env)
			args := append([]string{"backup", "--db", db, "--out", out}, tc.args...)
			code, stdout, stderr := runCmd(args...)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			if strings.Contains(stdout+stderr, "secreto") {
				t.Fatal("the passphrase was repeated")
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nada.db")); err == nil {
		t.Fatal("backup created the database it was asked to back up")
	}
	// The file's passphrase, with its line break dropped, opens the backup.
	t.Setenv(passphraseEnv, "una frase guardada en un archivo")
	if code, _, errs := runCmd("restore", "--db", filepath.Join(dir, "r.db"), out); code != 0 {
		t.Fatalf("restore: %s", errs)
	}
}

// TestBackupRestorePostgres backs up the demo in a PostgreSQL schema and
// restores it into a new database, and into SQLite.
func TestBackupRestorePostgres(t *testing.T) {
	base := os.Getenv("ASAMBLEA_TEST_POSTGRES")
	if base == "" {
		t.Skip("ASAMBLEA_TEST_POSTGRES not set")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 4)
	rand.Read(b)
	suffix := hex.EncodeToString(b)
	schema, database := "backup_"+suffix, "asamblea_restore_"+suffix
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	if _, err := admin.Exec(`CREATE DATABASE ` + database); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec(`DROP DATABASE ` + database + ` WITH (FORCE)`)

	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	source := u.String()
	u.RawQuery = ""
	u.Path = "/" + database
	u.RawQuery = "sslmode=disable"
	dest := u.String()

	// With PostgreSQL the key files would default to ./asamblea-data.
	keys := t.TempDir()
	if code, out, errs := runCmd("demo", "--db", source, "--journal-key", filepath.Join(keys, "journal.key"), "--records-key", filepath.Join(keys, "records.key")); code != 0 {
		t.Fatalf("demo: exit %d\n%s%s", code, out, errs)
	}
	t.Setenv(passphraseEnv, testPassphrase)
	file := filepath.Join(t.TempDir(), "pg.bak")
	if code, out, errs := runCmd("backup", "--db", source, "--out", file); code != 0 || !strings.Contains(out, "postgres database") {
		t.Fatalf("backup: exit %d\n%s%s", code, out, errs)
	}
	for _, to := range []string{dest, filepath.Join(t.TempDir(), "a.db")} {
		code, out, errs := runCmd("restore", "--db", to, file)
		if code != 0 || !strings.Contains(out, "as backed up") {
			t.Fatalf("restore into %s: exit %d\n%s%s", to, code, out, errs)
		}
		if code, out, _ := runCmd("verify", "--db", to); code != 0 || !strings.Contains(out, "chain intact") {
			t.Fatalf("verify %s: exit %d %s", to, code, out)
		}
	}
	// The new database holds the data now: a second restore is refused.
	if code, _, errs := runCmd("restore", "--db", dest, file); code != 1 || !strings.Contains(errs, "holds data") {
		t.Fatalf("second restore: exit %d %s", code, errs)
	}
}
