package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"asamblea/backup"
)

// Backup writes a consistent snapshot of the database to w, as the
// plaintext of a backup (see package backup): a manifest, then for SQLite
// the database file as VACUUM INTO writes it, for PostgreSQL the rows of
// every table read in one REPEATABLE READ transaction. Neither blocks
// writers. by names the program writing it.
//
// On SQLite the snapshot is written first to a directory of its own beside
// the database (same disk, same permissions) and removed once sent.
func (db *DB) Backup(ctx context.Context, w io.Writer, by string) (backup.Manifest, error) {
	m := backup.Manifest{Format: 1, Dialect: string(db.dialect), Taken: db.Now().UTC().Truncate(time.Second), By: by}
	if db.dialect == SQLite {
		return db.backupSQLite(ctx, w, m)
	}
	tx, err := db.read.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	defer tx.Rollback()
	m.Kind = backup.KindRows
	if err := backupHead(ctx, tx, &m); err != nil {
		return m, err
	}
	migs, err := migrations(db.dialect)
	if err != nil {
		return m, err
	}
	if latest := migs[len(migs)-1].version; m.Schema > latest {
		// Its tables after latest would be left out.
		return m, fmt.Errorf("backup: the database is at migration %d, later than this asamblea's %d: back it up with the asamblea that serves it", m.Schema, latest)
	}
	if err := backup.WriteManifest(w, m); err != nil {
		return m, err
	}
	rw := backup.NewRowWriter(w)
	if err := dumpRows(ctx, tx, db.dialect, rw); err != nil {
		return m, err
	}
	return m, rw.Close()
}

func (db *DB) backupSQLite(ctx context.Context, w io.Writer, m backup.Manifest) (backup.Manifest, error) {
	m.Kind = backup.KindSQLite
	dir, err := os.MkdirTemp(filepath.Dir(db.dsn), ".backup-")
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(dir)
	snap := filepath.Join(dir, "snapshot.db")
	// The reader pool is query_only, which VACUUM INTO refuses; the writer
	// is the server's. A connection of its own reads one snapshot of the
	// database while writers carry on.
	c, err := sql.Open("sqlite", "file:"+db.dsn+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	_, err = c.ExecContext(ctx, `VACUUM INTO ?`, snap)
	c.Close()
	if err != nil {
		return m, fmt.Errorf("backup: vacuum into: %w", err)
	}
	s, err := sql.Open("sqlite", "file:"+snap+"?mode=ro")
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	err = backupHead(ctx, s, &m)
	s.Close()
	if err != nil {
		return m, err
	}
	f, err := os.Open(snap)
	if err != nil {
		return m, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return m, err
	}
	m.Size = fi.Size()
	if err := backup.WriteManifest(w, m); err != nil {
		return m, err
	}
	if n, err := io.Copy(w, f); err != nil {
		return m, err
	} else if n != m.Size {
		return m, fmt.Errorf("backup: the snapshot changed size while being read (%d of %d bytes)", n, m.Size)
	}
	return m, nil
}

// queryRower is a *sql.DB, *sql.Conn or *sql.Tx.
type queryRower interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// backupHead fills in the manifest's schema version and journal head.
func backupHead(ctx context.Context, q queryRower, m *backup.Manifest) error {
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&m.Schema); err != nil {
		return fmt.Errorf("backup: schema version: %w", err)
	}
	if err := q.QueryRowContext(ctx, `SELECT seq, hash FROM journal_head WHERE id = 1`).Scan(&m.Journal, &m.Head); err != nil {
		return fmt.Errorf("backup: journal head: %w", err)
	}
	return nil
}

// queryer is a *sql.DB, *sql.Conn or *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	queryRower
}

// dumpRows writes the rows of every table of the schema that asamblea's
// migrations create (another program's tables in the same schema could not
// be created again on restore), each table in the order of its primary key
// (so that no table of secret choices keeps the order ballots were cast in,
// whatever its physical order).
func dumpRows(ctx context.Context, q queryer, d Dialect, rw *backup.RowWriter) error {
	migs, err := migrations(d)
	if err != nil {
		return err
	}
	ours := ownTables(migs)
	tables, err := schemaTables(ctx, q, d)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if !ours[t] {
			continue
		}
		cols, err := schemaColumns(ctx, q, d, t)
		if err != nil {
			return err
		}
		bt := backup.Table{Name: t}
		var pk []column
		for _, c := range cols {
			bt.Columns = append(bt.Columns, c.name)
			if c.identity {
				bt.Identity = c.name
			}
			if c.pk > 0 {
				pk = append(pk, c)
			}
		}
		sort.Slice(pk, func(i, j int) bool { return pk[i].pk < pk[j].pk })
		key := bt.Columns
		if len(pk) > 0 {
			key = nil
			for _, c := range pk {
				key = append(key, c.name)
			}
		}
		if bt.Identity != "" && d == Postgres {
			if bt.Last, err = lastIdentity(ctx, q, t, bt.Identity); err != nil {
				return err
			}
		}
		if err := rw.Table(bt); err != nil {
			return err
		}
		if err := dumpTable(ctx, q, bt, key, rw); err != nil {
			return fmt.Errorf("backup: table %s: %w", t, err)
		}
	}
	return nil
}

func dumpTable(ctx context.Context, q queryer, t backup.Table, key []string, rw *backup.RowWriter) error {
	rows, err := q.QueryContext(ctx, `SELECT `+identList(t.Columns)+` FROM `+ident(t.Name)+` ORDER BY `+identList(key))
	if err != nil {
		return err
	}
	defer rows.Close()
	ptrs := make([]any, len(t.Columns))
	for rows.Next() {
		vals := make([]any, len(t.Columns))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := rw.Row(vals); err != nil {
			return err
		}
	}
	return rows.Err()
}

// lastIdentity is the last value an identity column's sequence handed out
// (0 if none). Sequences are outside transactions: it may be past the
// snapshot's rows, never before them.
func lastIdentity(ctx context.Context, q queryRower, table, col string) (int64, error) {
	var seq sql.NullString
	if err := q.QueryRowContext(ctx, `SELECT pg_get_serial_sequence($1, $2)`, ident(table), col).Scan(&seq); err != nil || !seq.Valid {
		return 0, err
	}
	var last int64
	var called bool
	if err := q.QueryRowContext(ctx, `SELECT last_value, is_called FROM `+seq.String).Scan(&last, &called); err != nil {
		return 0, fmt.Errorf("backup: sequence %s: %w", seq.String, err)
	}
	if !called {
		last--
	}
	return max(last, 0), nil
}

// column describes a column of the schema.
type column struct {
	name     string
	typ      string
	pk       int // position in the primary key, from 1; 0 if not in it
	identity bool
}

// schemaTables lists the tables of the schema (of the search path's first
// schema, on PostgreSQL), by name.
func schemaTables(ctx context.Context, q queryer, d Dialect) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	if d == Postgres {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// schemaColumns lists a table's columns in their order.
func schemaColumns(ctx context.Context, q queryer, d Dialect, table string) ([]column, error) {
	var rows *sql.Rows
	var err error
	if d == Postgres {
		rows, err = q.QueryContext(ctx, `SELECT c.column_name, c.data_type, COALESCE(array_position(i.indkey::int2[], a.attnum), 0), c.is_identity = 'YES'
			FROM information_schema.columns c
			JOIN pg_attribute a ON a.attrelid = to_regclass(quote_ident(c.table_name)) AND a.attname = c.column_name
			LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
			WHERE c.table_schema = current_schema() AND c.table_name = $1
			ORDER BY c.ordinal_position`, table)
	} else {
		// A rowid table's lone INTEGER PRIMARY KEY is its rowid: the
		// database hands out its values.
		rows, err = q.QueryContext(ctx, `SELECT c.name, c.type, c.pk, c.pk = 1 AND upper(c.type) = 'INTEGER'
				AND (SELECT COUNT(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1
				AND NOT (SELECT wr FROM pragma_table_list(?1) WHERE schema = 'main')
			FROM pragma_table_info(?1) c ORDER BY c.cid`, table)
	}
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	var out []column
	for rows.Next() {
		var c column
		if err := rows.Scan(&c.name, &c.typ, &c.pk, &c.identity); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("table %s: no columns", table)
	}
	return out, nil
}

// ident quotes a table or column name for either database.
func ident(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func identList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = ident(n)
	}
	return strings.Join(q, ", ")
}

// ErrNotEmpty is returned by Restore into a database that holds data.
var ErrNotEmpty = errors.New("the database holds data")

// Restore brings back the plaintext of a backup (a manifest and its body,
// as a backup.Reader gives it) into the database named by dsn, and brings
// its schema up to this program's migrations. The database must hold no
// data unless force is set; then it is replaced.
//
// Nothing is changed unless the whole backup reads back authenticated: a
// SQLite database is written to a file beside its path and renamed over it
// at the end; PostgreSQL is restored in one transaction (which, with force,
// also drops the tables it replaces).
//
// Either kind of backup can be restored into either database: a SQLite file
// into PostgreSQL through a temporary copy, rows into SQLite by inserting
// them. Restoring over a SQLite database a server has open corrupts it:
// stop the server first.
func Restore(ctx context.Context, dsn string, r io.Reader, force bool) (backup.Manifest, error) {
	m, err := backup.ReadManifest(r)
	if err != nil {
		return m, err
	}
	if m.Dialect != string(SQLite) && m.Dialect != string(Postgres) {
		return m, fmt.Errorf("restore: a backup of a %q database", m.Dialect)
	}
	if isPostgres(dsn) {
		return m, restorePostgres(ctx, dsn, m, r, force)
	}
	return m, restoreSQLite(ctx, strings.TrimPrefix(dsn, "file:"), m, r, force)
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// checkSchema refuses a backup from a later schema than this program's.
func checkSchema(m backup.Manifest, migs []migration) error {
	if latest := migs[len(migs)-1].version; m.Schema > latest {
		return fmt.Errorf("restore: the backup is at migration %d, later than this asamblea's %d: restore it with a newer asamblea", m.Schema, latest)
	}
	return nil
}

func restoreSQLite(ctx context.Context, path string, m backup.Manifest, r io.Reader, force bool) (err error) {
	migs, err := migrations(SQLite)
	if err != nil {
		return err
	}
	if err := checkSchema(m, migs); err != nil {
		return err
	}
	if !force {
		if err := sqliteEmpty(ctx, path); err != nil {
			return err
		}
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".restore-*")
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	name := tmp.Name()
	defer func() {
		tmp.Close()
		if err != nil {
			removeSQLite(name)
		}
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return err
	}
	switch m.Kind {
	case backup.KindSQLite:
		if err := copyFile(tmp, r, m.Size); err != nil {
			return err
		}
		if err := tmp.Close(); err != nil {
			return err
		}
	case backup.KindRows:
		tmp.Close()
		db, err := Open(name)
		if err != nil {
			return err
		}
		err = db.loadRows(ctx, m.Schema, migs, r)
		db.Close()
		if err != nil {
			return err
		}
	}
	// Bring the schema up to date, and settle the file: its write-ahead
	// log checkpointed and gone, so that the file alone is the database.
	db, err := Open(name)
	if err != nil {
		return fmt.Errorf("restore: the restored file does not open: %w", err)
	}
	_, err = db.Migrate(ctx)
	if err == nil {
		_, err = db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	db.Close()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	for _, ext := range []string{"-wal", "-shm"} {
		if fi, err := os.Stat(name + ext); err == nil && fi.Size() > 0 && ext == "-wal" {
			return fmt.Errorf("restore: %s was not checkpointed", name+ext)
		}
		os.Remove(name + ext)
	}
	// The old database's log would be replayed onto the new file.
	for _, ext := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + ext); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// copyFile copies a SQLite file of size bytes from r to f, checks that r
// ends there (so the backup has been read whole and authenticated) and
// syncs f.
func copyFile(f *os.File, r io.Reader, size int64) error {
	if n, err := io.CopyN(f, r, size); err != nil {
		if err == io.EOF {
			return fmt.Errorf("restore: %w (%d of %d bytes)", backup.ErrTruncated, n, size)
		}
		return fmt.Errorf("restore: %w", err)
	}
	if err := expectEOF(r); err != nil {
		return err
	}
	head := make([]byte, 16)
	if _, err := f.ReadAt(head, 0); err != nil || string(head) != "SQLite format 3\x00" {
		return fmt.Errorf("restore: %w: the file inside is not a SQLite database", backup.ErrDamaged)
	}
	return f.Sync()
}

func expectEOF(r io.Reader) error {
	var b [1]byte
	n, err := io.ReadFull(r, b[:])
	if n > 0 {
		return fmt.Errorf("restore: %w: data after the database file", backup.ErrDamaged)
	}
	if err != io.EOF {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

func removeSQLite(path string) {
	for _, ext := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(path + ext)
	}
}

// sqliteEmpty returns nil if there is no database at path, or one with no
// data in it (such as `asamblea migrate` leaves), and ErrNotEmpty otherwise.
func sqliteEmpty(ctx context.Context, path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	db, err := Open(path)
	if err != nil {
		return fmt.Errorf("restore: %s is not an empty database (%v); --force replaces it", path, err)
	}
	defer db.Close()
	tables, err := schemaTables(ctx, db.read, SQLite)
	if err != nil {
		return fmt.Errorf("restore: %s is not an empty database (%v); --force replaces it", path, err)
	}
	return holdsData(ctx, db.read, tables)
}

// holdsData returns ErrNotEmpty if any of tables has a row, apart from the
// rows migrations write in a new database.
func holdsData(ctx context.Context, q queryRower, tables []string) error {
	for _, t := range tables {
		if t == "schema_migrations" || t == "journal_head" {
			continue
		}
		var one int
		err := q.QueryRowContext(ctx, `SELECT 1 FROM `+ident(t)+` LIMIT 1`).Scan(&one)
		if err == nil {
			return fmt.Errorf("restore: %w (its table %s has rows): restore into an empty database, or replace it with --force", ErrNotEmpty, t)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("restore: %w", err)
		}
	}
	return nil
}

func restorePostgres(ctx context.Context, dsn string, m backup.Manifest, r io.Reader, force bool) error {
	migs, err := migrations(Postgres)
	if err != nil {
		return err
	}
	if err := checkSchema(m, migs); err != nil {
		return err
	}
	if m.Kind == backup.KindSQLite {
		rows, done, err := sqliteRows(ctx, m, r)
		if err != nil {
			return err
		}
		defer done()
		r = rows
	}
	db, err := Open(dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer tx.Rollback()
	// As Migrate does, so that no server migrates this database meanwhile.
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7283001)`); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	existing, err := schemaTables(ctx, tx, Postgres)
	if err != nil {
		return err
	}
	ours := ownTables(migs)
	var drop []string
	for _, t := range existing {
		if ours[t] {
			drop = append(drop, t)
		}
	}
	if len(drop) > 0 {
		var v int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err == nil && v > migs[len(migs)-1].version {
			return fmt.Errorf("restore: the database is at migration %d, later than this asamblea's", v)
		}
		if !force {
			if err := holdsData(ctx, tx, drop); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DROP TABLE `+identList(drop)+` CASCADE`); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := loadRowsTx(ctx, db, conn, tx, m.Schema, migs, r); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("restore: commit: %w", err)
	}
	return nil
}

// sqliteRows turns the SQLite file of a backup into rows: it writes the
// file to a temporary directory and reads its rows back through a pipe.
// done stops the reading and removes the file.
func sqliteRows(ctx context.Context, m backup.Manifest, r io.Reader) (io.Reader, func(), error) {
	dir, err := os.MkdirTemp("", "asamblea-restore-")
	if err != nil {
		return nil, nil, fmt.Errorf("restore: %w", err)
	}
	name := filepath.Join(dir, "snapshot.db")
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		err = copyFile(f, r, m.Size)
		if e := f.Close(); err == nil {
			err = e
		}
	}
	var src *DB
	if err == nil {
		src, err = Open(name)
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	pr, pw := io.Pipe()
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tx, err := src.read.BeginTx(ctx, nil)
		if err == nil {
			rw := backup.NewRowWriter(pw)
			if err = dumpRows(ctx, tx, SQLite, rw); err == nil {
				err = rw.Close()
			}
			tx.Rollback()
		}
		pw.CloseWithError(err)
	}()
	return pr, func() {
		pr.Close()
		<-finished
		src.Close()
		os.RemoveAll(dir)
	}, nil
}

// loadRows restores rows into a new SQLite database.
func (db *DB) loadRows(ctx context.Context, schema int64, migs []migration, r io.Reader) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer tx.Rollback()
	if err := loadRowsTx(ctx, db, nil, tx, schema, migs, r); err != nil {
		return err
	}
	return tx.Commit()
}

// loadRowsTx builds the schema as it was at the backup's migration, fills
// every table of the backup with its rows (a table in the backup replaces
// what migrations wrote into it), then applies the later migrations — all
// in tx. On PostgreSQL, conn is tx's connection, for COPY.
//
// Foreign keys are checked at the end, not row by row, so the order of
// tables and rows does not matter: SQLite defers them to the commit;
// PostgreSQL has them dropped and created again after the rows are in,
// which checks every row once.
func loadRowsTx(ctx context.Context, db *DB, conn *sql.Conn, tx *sql.Tx, schema int64, migs []migration, r io.Reader) error {
	d := db.dialect
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := migrateTx(ctx, db, tx, migs, 0, schema); err != nil {
		return err
	}
	var fks []foreignKey
	if d == SQLite {
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	} else {
		var err error
		if fks, err = dropForeignKeys(ctx, tx); err != nil {
			return err
		}
	}
	rr := backup.NewRowReader(r)
	for {
		t, err := rr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		if err := loadTable(ctx, db, conn, tx, t, rr); err != nil {
			return fmt.Errorf("restore: table %s: %w", t.Name, err)
		}
	}
	for _, fk := range fks {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+fk.table+` ADD CONSTRAINT `+fk.name+` `+fk.def); err != nil {
			return fmt.Errorf("restore: the backup's rows break %s on %s: %w", fk.name, fk.table, err)
		}
	}
	return migrateTx(ctx, db, tx, migs, schema, migs[len(migs)-1].version)
}

type foreignKey struct{ table, name, def string }

func dropForeignKeys(ctx context.Context, tx *sql.Tx) ([]foreignKey, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.conrelid::regclass::text, quote_ident(c.conname), pg_get_constraintdef(c.oid)
		FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
		WHERE c.contype = 'f' AND n.nspname = current_schema() ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("restore: foreign keys: %w", err)
	}
	var fks []foreignKey
	for rows.Next() {
		var fk foreignKey
		if err := rows.Scan(&fk.table, &fk.name, &fk.def); err != nil {
			rows.Close()
			return nil, err
		}
		fks = append(fks, fk)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, fk := range fks {
		if _, err := tx.ExecContext(ctx, `ALTER TABLE `+fk.table+` DROP CONSTRAINT `+fk.name); err != nil {
			return nil, fmt.Errorf("restore: %w", err)
		}
	}
	return fks, nil
}

// loadTable replaces the rows of table t with the backup's.
func loadTable(ctx context.Context, db *DB, conn *sql.Conn, tx *sql.Tx, t backup.Table, rr *backup.RowReader) error {
	cols, err := schemaColumns(ctx, tx, db.dialect, t.Name)
	if err != nil {
		return fmt.Errorf("not in the schema at the backup's migration: %w", err)
	}
	kinds := make([]kind, len(t.Columns))
	for i, name := range t.Columns {
		found := false
		for _, c := range cols {
			if c.name == name {
				kinds[i], found = kindOf(c.typ), true
			}
		}
		if !found {
			return fmt.Errorf("column %s is not in the schema at the backup's migration", name)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM `+ident(t.Name)); err != nil {
		return err
	}
	src := &rowSource{rr: rr, kinds: kinds, cols: t.Columns}
	if db.dialect == Postgres {
		if err := copyRows(ctx, conn, t, src); err != nil {
			return err
		}
		for _, c := range cols {
			if c.identity {
				if err := setIdentity(ctx, tx, t, c.name); err != nil {
					return err
				}
			}
		}
		return nil
	}
	ins, err := tx.PrepareContext(ctx, `INSERT INTO `+ident(t.Name)+` (`+identList(t.Columns)+`) VALUES (`+strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ")+`)`)
	if err != nil {
		return err
	}
	defer ins.Close()
	for src.Next() {
		if _, err := ins.ExecContext(ctx, src.row...); err != nil {
			return fmt.Errorf("row %d: %w", src.n, err)
		}
	}
	return src.Err()
}

// copyRows sends the rows with COPY on conn, inside the transaction open
// on it.
func copyRows(ctx context.Context, conn *sql.Conn, t backup.Table, src *rowSource) error {
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("a %T is not a pgx connection", dc)
		}
		_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{t.Name}, t.Columns, src)
		return err
	})
	if src.err != nil {
		return src.err
	}
	return err
}

// setIdentity sets an identity column's sequence past the highest value in
// the table and the last one the backed-up database handed out.
func setIdentity(ctx context.Context, tx *sql.Tx, t backup.Table, col string) error {
	var top int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(`+ident(col)+`), 0) FROM `+ident(t.Name)).Scan(&top); err != nil {
		return err
	}
	if t.Identity == col {
		top = max(top, t.Last)
	}
	q := `SELECT setval(pg_get_serial_sequence($1, $2), $3, true)`
	if top < 1 {
		q, top = `SELECT setval(pg_get_serial_sequence($1, $2), $3, false)`, 1
	}
	if _, err := tx.ExecContext(ctx, q, ident(t.Name), col, top); err != nil {
		return fmt.Errorf("identity %s: %w", col, err)
	}
	return nil
}

// rowSource feeds a table's rows from the backup, converted to the target
// columns' types, to COPY (as a pgx.CopyFromSource) or to INSERT.
type rowSource struct {
	rr    *backup.RowReader
	kinds []kind
	cols  []string
	row   []any
	n     int64
	err   error
}

func (s *rowSource) Next() bool {
	row, err := s.rr.Row()
	if err != nil {
		s.err = err
		return false
	}
	if row == nil {
		return false
	}
	for i, v := range row {
		if row[i], err = s.kinds[i].convert(v); err != nil {
			s.err = fmt.Errorf("row %d, column %s: %w", s.n+1, s.cols[i], err)
			return false
		}
	}
	s.row = row
	s.n++
	return true
}

func (s *rowSource) Values() ([]any, error) { return s.row, nil }

func (s *rowSource) Err() error { return s.err }

// kind is what a column holds, whatever the database calls it: a backup
// from SQLite has 0 and 1 for booleans, one from PostgreSQL true and false.
type kind int

const (
	kindAny kind = iota
	kindInt
	kindFloat
	kindBool
	kindText
	kindBytes
)

func kindOf(typ string) kind {
	t := strings.ToUpper(typ)
	switch {
	case strings.Contains(t, "BOOL"):
		return kindBool
	case strings.Contains(t, "INT"):
		return kindInt
	case strings.Contains(t, "CHAR"), strings.Contains(t, "TEXT"), strings.Contains(t, "CLOB"):
		return kindText
	case strings.Contains(t, "BLOB"), strings.Contains(t, "BYTEA"):
		return kindBytes
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return kindFloat
	}
	return kindAny
}

func (k kind) convert(v any) (any, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case int64:
		switch k {
		case kindBool:
			return v != 0, nil
		case kindFloat:
			return float64(v), nil
		case kindText, kindBytes:
			return nil, fmt.Errorf("an integer where %s was due", k)
		}
	case bool:
		switch k {
		case kindInt:
			if v {
				return int64(1), nil
			}
			return int64(0), nil
		case kindFloat, kindText, kindBytes:
			return nil, fmt.Errorf("a boolean where %s was due", k)
		}
	case float64:
		switch k {
		case kindInt:
			if float64(int64(v)) != v {
				return nil, fmt.Errorf("%v where an integer was due", v)
			}
			return int64(v), nil
		case kindBool, kindText, kindBytes:
			return nil, fmt.Errorf("a number where %s was due", k)
		}
	case string:
		switch k {
		case kindBytes:
			return []byte(v), nil
		case kindInt, kindFloat, kindBool:
			return nil, fmt.Errorf("text where %s was due", k)
		}
	case []byte:
		switch k {
		case kindText:
			return string(v), nil
		case kindInt, kindFloat, kindBool:
			return nil, fmt.Errorf("bytes where %s was due", k)
		}
	}
	return v, nil
}

func (k kind) String() string {
	return [...]string{"any value", "an integer", "a number", "a boolean", "text", "bytes"}[k]
}

// migration is one file of migrations.
type migration struct {
	version int64
	body    string
}

// migrations lists a dialect's migrations in order.
func migrations(d Dialect) ([]migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		v, err := strconv.ParseInt(strings.SplitN(e.Name(), "_", 2)[0], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("migrate: bad file name %s", e.Name())
		}
		body, err := fs.ReadFile(migrationsFS, dir+"/"+e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{v, string(body)})
	}
	if len(out) == 0 {
		return nil, errors.New("migrate: no migrations")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// migrateTx applies, in tx, the migrations after from up to to.
func migrateTx(ctx context.Context, db *DB, tx *sql.Tx, migs []migration, from, to int64) error {
	for _, m := range migs {
		if m.version <= from || m.version > to {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.body); err != nil {
			return fmt.Errorf("restore: migration %d: %w", m.version, err)
		}
		if _, err := tx.ExecContext(ctx, db.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`), m.version, time.Now().UnixMicro()); err != nil {
			return fmt.Errorf("restore: migration %d: %w", m.version, err)
		}
	}
	return nil
}

var createTable = regexp.MustCompile(`(?i)CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"?([A-Za-z_][A-Za-z0-9_]*)`)

// ownTables names the tables asamblea's migrations create: the only ones
// a restore over an existing PostgreSQL schema drops.
func ownTables(migs []migration) map[string]bool {
	out := map[string]bool{"schema_migrations": true}
	for _, m := range migs {
		for _, s := range createTable.FindAllStringSubmatch(m.body, -1) {
			out[strings.ToLower(s[1])] = true
		}
	}
	return out
}

// TableCounts counts the rows of every table.
func (db *DB) TableCounts(ctx context.Context) (map[string]int64, error) {
	out := map[string]int64{}
	err := db.View(ctx, func(tx *Tx) error {
		tables, err := schemaTables(ctx, tx.tx, db.dialect)
		if err != nil {
			return err
		}
		for _, t := range tables {
			var n int64
			if err := tx.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+ident(t)).Scan(&n); err != nil {
				return fmt.Errorf("count %s: %w", t, err)
			}
			out[t] = n
		}
		return nil
	})
	return out, err
}

// JournalHead returns the journal's last entry and its hash.
func (db *DB) JournalHead(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := db.read.QueryRowContext(ctx, `SELECT seq, hash FROM journal_head WHERE id = 1`).Scan(&seq, &hash)
	return seq, hash, err
}
