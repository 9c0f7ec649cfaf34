// Package store keeps asamblea's state in SQLite (the embedded default, through
// the pure-Go modernc driver) or PostgreSQL (through pgx). All SQL lives here.
//
// Every public method that changes state runs in one transaction opened by
// Update; the transaction carries the time and the actor, and appends the
// journal entry of the change before it commits, so a change and its record
// are never apart.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"asamblea/accounts"
	"asamblea/errs"
	"asamblea/journal"
)

//go:embed migrations
var migrationsFS embed.FS

// Dialect names the database behind a DB.
type Dialect string

// The two supported databases.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database.
type DB struct {
	dialect Dialect
	write   *sql.DB // SQLite: the single writer connection
	read    *sql.DB // SQLite: a pool of readers; PostgreSQL: same as write
	dsn     string

	// Now returns the current time; tests replace it.
	Now func() time.Time

	signer atomic.Pointer[journal.Signer] // signs journal entries; nil: unsigned (see UseJournalKey)

	batchOnce sync.Once
	batch     chan *batched    // changes waiting for the next group commit
	rights    rightsState      // the node's records key and unlocked commission keys
	activity  activity         // sessions' exact times, in memory only
	pepper    *accounts.Pepper // mixed into password hashes; nil: none (see SetPepper)
	closed    chan struct{}
}

var errClosed = errors.New("store: database closed")

// Open opens the database named by dsn: a postgres:// or postgresql:// URL, or
// a file path for SQLite (its directory is created if needed).
func Open(dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		d := &DB{dialect: Postgres, write: db, read: db, dsn: dsn, Now: time.Now, closed: make(chan struct{})}
		if err := db.Ping(); err != nil {
			db.Close()
			return nil, fmt.Errorf("connect postgres: %w", err)
		}
		return d, nil
	}
	path := strings.TrimPrefix(dsn, "file:")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	pragmas := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	w, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.Ping(); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	os.Chmod(path, 0o600)
	return &DB{dialect: SQLite, write: w, read: r, dsn: path, Now: time.Now, closed: make(chan struct{})}, nil
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the database.
func (db *DB) Close() error {
	close(db.closed)
	err := db.write.Close()
	if db.read != db.write {
		if e := db.read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Migrate applies every migration not yet applied, each in its own
// transaction, and returns how many it applied.
func (db *DB) Migrate(ctx context.Context) (int, error) {
	dir := "migrations/" + string(db.dialect)
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return 0, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	applied := 0
	for _, e := range entries {
		name := e.Name()
		v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
		if err != nil {
			return applied, fmt.Errorf("migrate: bad file name %s", name)
		}
		body, err := fs.ReadFile(migrationsFS, dir+"/"+name)
		if err != nil {
			return applied, err
		}
		done, err := db.migrateOne(ctx, v, string(body))
		if err != nil {
			return applied, fmt.Errorf("migrate %s: %w", name, err)
		}
		if done {
			applied++
		}
	}
	return applied, nil
}

func (db *DB) migrateOne(ctx context.Context, version int, body string) (bool, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if db.dialect == Postgres {
		// Two servers starting at once must not both apply a migration.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7283001)`); err != nil {
			return false, err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.rebind(`SELECT COUNT(*) FROM schema_migrations WHERE version = ?`), version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if _, err := tx.ExecContext(ctx, body); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), version, time.Now().UnixMicro()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// rebind turns ? placeholders into $1, $2… for PostgreSQL. Queries in this
// package never hold a literal question mark.
func (db *DB) rebind(q string) string {
	if db.dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// Tx is one transaction. It carries the time of the change and its actor.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	ctx   context.Context
	Now   time.Time
	Actor int64

	head       *journalHead    // the journal head, once this transaction has locked it
	pending    []journal.Entry // entries recorded, not yet written
	journalled bool            // whether this transaction recorded an entry
}

// Update runs fn in a write transaction on behalf of actor (0 for the
// system) and commits if fn returns nil.
func (db *DB) Update(ctx context.Context, actor int64, fn func(*Tx) error) error {
	sqltx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{tx: sqltx, db: db, ctx: ctx, Now: db.Now().UTC().Truncate(time.Microsecond), Actor: actor}
	if db.dialect == Postgres {
		// One writer at a time, as on SQLite: the journal is one chain, and
		// a change (a recall passing, seats changing) never interleaves with
		// another. Taking the journal head's row lock first also gives every
		// transaction the same lock order, so none can deadlock.
		if err := tx.lockHead(); err != nil {
			sqltx.Rollback()
			return err
		}
	}
	if err := fn(tx); err != nil {
		sqltx.Rollback()
		return err
	}
	if err := tx.flushJournal(); err != nil {
		sqltx.Rollback()
		return err
	}
	if err := sqltx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// View runs fn in a read-only transaction.
func (db *DB) View(ctx context.Context, fn func(*Tx) error) error {
	sqltx, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: db.dialect == Postgres})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer sqltx.Rollback()
	tx := &Tx{tx: sqltx, db: db, ctx: ctx, Now: db.Now().UTC().Truncate(time.Microsecond)}
	return fn(tx)
}

// Exec runs a statement.
func (tx *Tx) Exec(q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, tx.db.rebind(q), args...)
}

// Query runs a query.
func (tx *Tx) Query(q string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(tx.ctx, tx.db.rebind(q), args...)
}

// QueryRow runs a query that returns at most one row.
func (tx *Tx) QueryRow(q string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(tx.ctx, tx.db.rebind(q), args...)
}

// Insert runs an INSERT … RETURNING id and returns the id.
func (tx *Tx) Insert(q string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRow(q+" RETURNING id", args...).Scan(&id)
	return id, err
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// queryAll runs q and scans every row with scan.
func queryAll[T any](tx *Tx, scan func(scanner, *T) error, q string, args ...any) ([]T, error) {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// us converts a time to stored Unix microseconds (0 for the zero time).
func us(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// Coarse times. A copy of the disk must not be able to match the time of
// an anonymous or sealed act (a report to a human-rights commission) to
// the time of something a person did in the open (a vote, a session's
// last activity): such acts' visible times are kept to the day (the exact
// time, where it matters, is inside the seal), and sessions' activity to
// the hour.

// dayOf is t's day, in Peru.
func dayOf(t time.Time) time.Time {
	l := t.In(Lima)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, Lima).UTC()
}

// usDay is t, kept to the day, as stored.
func usDay(t time.Time) int64 { return us(dayOf(t)) }

// hourOf is t kept to the hour.
func hourOf(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }

// fromUS converts stored microseconds back to a time (zero for 0).
func fromUS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.UnixMicro(n).UTC()
}

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// notFound turns sql.ErrNoRows into a NotFound error with key.
func notFound(err error, key string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return errs.New(errs.NotFound, key)
	}
	return err
}

// ExecRaw runs a statement outside any journal entry. It exists for tests
// that play the part of someone editing the database behind asamblea's back.
func (db *DB) ExecRaw(ctx context.Context, q string) error {
	_, err := db.write.ExecContext(ctx, q)
	return err
}
