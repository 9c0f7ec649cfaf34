package store

import (
	"context"
	"fmt"
)

// TableColumns lists a table's columns, sorted, for the tests that check
// what the schema can and cannot hold.
func (db *DB) TableColumns(ctx context.Context, table string) ([]string, error) {
	q := `SELECT name FROM pragma_table_info(?) ORDER BY name`
	if db.dialect == Postgres {
		q = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY column_name`
	}
	var out []string
	err := db.View(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(tx, func(row scanner, s *string) error { return row.Scan(s) }, q, table)
		return err
	})
	return out, err
}

// RawRows returns the rows of a query as strings, in the order the
// database gives them, for tests that look at what is stored.
func (db *DB) RawRows(ctx context.Context, q string, args ...any) ([][]string, error) {
	var out [][]string
	err := db.View(ctx, func(tx *Tx) error {
		rows, err := tx.Query(q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			row := make([]string, len(cols))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				row[i] = fmtAny(v)
			}
			out = append(out, row)
		}
		return rows.Err()
	})
	return out, err
}

func fmtAny(v any) string { return fmt.Sprint(v) }

// FilePath is the SQLite database's file, for tests that read it raw.
func (db *DB) FilePath() string { return db.dsn }
