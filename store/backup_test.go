package store_test

import (
	"bytes"
	"database/sql"
	"errors"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"asamblea/backup"
	"asamblea/demo"
	"asamblea/store"
)

// backupTime is the time of every backup taken in these tests, so that two
// backups of the same data are the same bytes.
var backupTime = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func takeBackup(t *testing.T, db *store.DB) ([]byte, backup.Manifest) {
	t.Helper()
	db.Now = func() time.Time { return backupTime }
	defer func() { db.Now = time.Now }()
	var b bytes.Buffer
	m, err := db.Backup(ctx, &b, "test")
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), m
}

// target is an empty database to restore into: a file path, or a schema
// of its own in ASAMBLEA_TEST_POSTGRES's database.
func target(t *testing.T, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "restored", "asamblea.db")
	}
	base := os.Getenv("ASAMBLEA_TEST_POSTGRES")
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := "r_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	schema = schema[:min(len(schema), 50)] + "_" + time.Now().Format("150405000")
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func openTarget(t *testing.T, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func counts(t *testing.T, db *store.DB) map[string]int64 {
	t.Helper()
	c, err := db.TableCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// mustMatch checks a restored database against its backup's manifest and
// the row counts of the database backed up.
func mustMatch(t *testing.T, db *store.DB, m backup.Manifest, want map[string]int64) {
	t.Helper()
	n, err := db.VerifyJournal()
	if err != nil {
		t.Fatalf("restored journal: %v", err)
	}
	seq, hash, err := db.JournalHead(ctx)
	if err != nil || n != m.Journal || seq != m.Journal || hash != m.Head {
		t.Fatalf("restored journal: %d entries, head %d %s (%v); the backup's: %d %s", n, seq, hash, err, m.Journal, m.Head)
	}
	if got := counts(t, db); want != nil && !maps.Equal(got, want) {
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%s: %d rows, %d backed up", name, got[name], w)
			}
		}
		t.Fatalf("restored tables differ: %d tables, %d backed up", len(got), len(want))
	}
}

// TestBackup backs up the demo and restores it, on each database.
func TestBackup(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		if err := demo.Fill(ctx, db, io.Discard); err != nil {
			t.Fatal(err)
		}
		want := counts(t, db)
		plain, m := takeBackup(t, db)
		if m.Dialect != string(db.Dialect()) || m.Journal < 100 || m.Schema < 11 || m.By != "test" {
			t.Fatalf("manifest %+v", m)
		}
		if want["journal"] != m.Journal || want["users"] == 0 {
			t.Fatalf("the demo: %v; manifest %+v", want, m)
		}

		t.Run("RoundTrip", func(t *testing.T) {
			dsn := target(t, db.Dialect())
			got, err := store.Restore(ctx, dsn, bytes.NewReader(plain), false)
			if err != nil {
				t.Fatal(err)
			}
			if got != m {
				t.Fatalf("manifest read %+v, written %+v", got, m)
			}
			r := openTarget(t, dsn)
			mustMatch(t, r, m, want)
			if db.Dialect() == store.Postgres {
				// Every row back, ids and sequences too: a backup of the
				// restored database is the same bytes.
				again, _ := takeBackup(t, r)
				if !bytes.Equal(again, plain) {
					t.Fatalf("a backup of the restored database differs (%d bytes, %d backed up)", len(again), len(plain))
				}
			} else {
				fi, err := os.Stat(dsn)
				if err != nil || fi.Mode().Perm() != 0o600 {
					t.Fatalf("restored file: %v %v", fi.Mode(), err)
				}
				left, _ := filepath.Glob(filepath.Join(filepath.Dir(dsn), ".*"))
				if len(left) > 0 {
					t.Fatalf("left behind: %v", left)
				}
			}
			// New rows get new ids, not those of the restored ones.
			u := mustUser(t, r, "nueva")
			if u.ID <= want["users"] {
				t.Fatalf("a new user got id %d among %d restored", u.ID, want["users"])
			}
		})

		t.Run("NotEmpty", func(t *testing.T) {
			dsn := target(t, db.Dialect())
			other, err := store.Open(dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if other != nil {
					other.Close()
				}
			}()
			if _, err := other.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			// A migrated database with nothing in it is empty.
			if _, err := store.Restore(ctx, dsn, bytes.NewReader(plain), false); err != nil {
				t.Fatalf("restore into a migrated, empty database: %v", err)
			}
			mustMatch(t, other, m, want)
			// Now it holds data: refused, and left as it is.
			mustUser(t, other, "alguien")
			before := counts(t, other)
			if _, err := store.Restore(ctx, dsn, bytes.NewReader(plain), false); !errors.Is(err, store.ErrNotEmpty) {
				t.Fatalf("restore over data: %v", err)
			}
			if got := counts(t, other); !maps.Equal(got, before) {
				t.Fatal("a refused restore changed the database")
			}
			other.Close() // --force replaces a SQLite file: no server may have it open
			other = nil
			if _, err := store.Restore(ctx, dsn, bytes.NewReader(plain), true); err != nil {
				t.Fatalf("restore --force: %v", err)
			}
			mustMatch(t, openTarget(t, dsn), m, want)
		})

		t.Run("Damaged", func(t *testing.T) {
			for name, b := range map[string][]byte{
				"CutShort":      plain[:len(plain)*2/3],
				"TrailingBytes": append(bytes.Clone(plain), 0, 0),
			} {
				t.Run(name, func(t *testing.T) {
					dsn := target(t, db.Dialect())
					_, err := store.Restore(ctx, dsn, bytes.NewReader(b), false)
					if !errors.Is(err, backup.ErrTruncated) && !errors.Is(err, backup.ErrDamaged) {
						t.Fatalf("error %v", err)
					}
					mustBeEmpty(t, dsn)
				})
			}
		})
	})
}

// mustBeEmpty checks that a failed restore left nothing behind.
func mustBeEmpty(t *testing.T, dsn string) {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres") {
		entries, _ := os.ReadDir(filepath.Dir(dsn))
		if len(entries) > 0 {
			t.Fatalf("a failed restore left %v", entries[0].Name())
		}
		return
	}
	if c := counts(t, openTarget(t, dsn)); len(c) > 0 {
		t.Fatalf("a failed restore left tables: %v", c)
	}
}

// TestBackupAcrossDatabases restores a SQLite backup into PostgreSQL and a
// PostgreSQL backup into SQLite.
func TestBackupAcrossDatabases(t *testing.T) {
	if os.Getenv("ASAMBLEA_TEST_POSTGRES") == "" {
		t.Skip("ASAMBLEA_TEST_POSTGRES not set")
	}
	lite := MustOpenSQLite(t)
	if err := demo.Fill(ctx, lite, io.Discard); err != nil {
		t.Fatal(err)
	}
	want := counts(t, lite)
	plain, m := takeBackup(t, lite)

	pg := target(t, store.Postgres)
	if _, err := store.Restore(ctx, pg, bytes.NewReader(plain), false); err != nil {
		t.Fatalf("SQLite into PostgreSQL: %v", err)
	}
	p := openTarget(t, pg)
	mustMatch(t, p, m, want)

	plain2, m2 := takeBackup(t, p)
	if m2.Kind != backup.KindRows || m2.Journal != m.Journal || m2.Head != m.Head {
		t.Fatalf("manifest %+v", m2)
	}
	back := target(t, store.SQLite)
	if _, err := store.Restore(ctx, back, bytes.NewReader(plain2), false); err != nil {
		t.Fatalf("PostgreSQL into SQLite: %v", err)
	}
	mustMatch(t, openTarget(t, back), m, want)
}

// TestBackupWhileWriting takes a backup while members keep registering,
// each registration a journal entry: the backup holds a journal whose chain
// verifies and ends where its manifest says.
func TestBackupWhileWriting(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		for i := range 20 {
			mustUser(t, db, "antes"+string(rune('a'+i)))
		}
		started := make(chan struct{})
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var written int
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.CreateUser(ctx, fastHasher, "durante"+time.Now().Format("150405.000000000"), "una contraseña larga cualquiera", "es"); err != nil {
					t.Error(err)
					return
				}
				written++
				if i == 2 {
					close(started)
				}
			}
		}()
		<-started
		plain, m := takeBackup(t, db)
		time.Sleep(50 * time.Millisecond)
		close(stop)
		wg.Wait()
		seq, _, err := db.JournalHead(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Journal <= 20 || m.Journal >= seq {
			t.Fatalf("backup at entry %d; %d written, the journal ends at %d", m.Journal, written, seq)
		}
		dsn := target(t, db.Dialect())
		if _, err := store.Restore(ctx, dsn, bytes.NewReader(plain), false); err != nil {
			t.Fatal(err)
		}
		r := openTarget(t, dsn)
		mustMatch(t, r, m, nil)
		if n, _ := r.CountUsers(ctx); int64(n) != m.Journal {
			t.Fatalf("%d users restored for %d journal entries", n, m.Journal)
		}
	})
}

// TestRestoreRefusals: a backup from a later asamblea, and garbage.
func TestRestoreRefusals(t *testing.T) {
	var later bytes.Buffer
	backup.WriteManifest(&later, backup.Manifest{Format: 1, Kind: backup.KindRows, Dialect: "sqlite", Schema: 9999})
	backup.NewRowWriter(&later).Close()
	var foreign bytes.Buffer
	backup.WriteManifest(&foreign, backup.Manifest{Format: 1, Kind: backup.KindRows, Dialect: "mysql", Schema: 1})
	var notSQLite bytes.Buffer
	backup.WriteManifest(&notSQLite, backup.Manifest{Format: 1, Kind: backup.KindSQLite, Dialect: "sqlite", Schema: 1, Size: 20})
	notSQLite.WriteString("twenty bytes, not db")

	tests := map[string]struct {
		in   []byte
		want string
	}{
		"LaterSchema":   {later.Bytes(), "migration 9999, later than"},
		"OtherDatabase": {foreign.Bytes(), `"mysql"`},
		"NotSQLite":     {notSQLite.Bytes(), "not a SQLite database"},
		"Nothing":       {nil, "truncated"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			dsn := filepath.Join(t.TempDir(), "x", "a.db")
			if _, err := store.Restore(ctx, dsn, bytes.NewReader(tc.in), false); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(filepath.Dir(dsn)); err == nil {
				mustBeEmpty(t, dsn)
			}
		})
	}
}

// TestBackupOtherTables: another program's table in asamblea's schema does
// not stop a restore. A SQLite backup is the file, and carries it; rows are
// only asamblea's tables.
func TestBackupOtherTables(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		mustUser(t, db, "quispe")
		if err := db.ExecRaw(ctx, `CREATE TABLE otra_app (x BIGINT PRIMARY KEY, nota TEXT)`); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecRaw(ctx, `INSERT INTO otra_app VALUES (1, 'no es de asamblea')`); err != nil {
			t.Fatal(err)
		}
		plain, m := takeBackup(t, db)
		dsn := target(t, db.Dialect())
		if _, err := store.Restore(ctx, dsn, bytes.NewReader(plain), false); err != nil {
			t.Fatal(err)
		}
		r := openTarget(t, dsn)
		mustMatch(t, r, m, nil)
		_, carried := counts(t, r)["otra_app"]
		if carried != (db.Dialect() == store.SQLite) {
			t.Fatalf("otra_app restored: %v", carried)
		}
	})
}
