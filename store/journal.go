package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"asamblea/authz"
	"asamblea/journal"
)

// journalHead is the last entry's sequence and hash as this transaction
// sees them.
type journalHead struct {
	seq  int64
	hash string
}

// Record appends the journal entry of this transaction's change. It is the
// one function every change of state goes through. The first call in a
// transaction locks the journal head (the UPDATE takes the row lock that
// orders concurrent writers on PostgreSQL; on SQLite the single writer
// already does). Entries are chained at once and written in groups, at the
// latest just before the transaction commits, with the new head.
func (tx *Tx) Record(kind string, body int64, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("journal payload: %w", err)
	}
	if tx.head == nil {
		if err := tx.lockHead(); err != nil {
			return err
		}
	}
	e := journal.Entry{Seq: tx.head.seq + 1, Prev: tx.head.hash, At: tx.Now, Actor: tx.Actor, Kind: kind, Body: body, Payload: string(b)}
	e.Hash = journal.Sum(e)
	tx.pending = append(tx.pending, e)
	tx.journalled = true
	tx.head.seq, tx.head.hash = e.Seq, e.Hash
	if len(tx.pending) >= journalChunk {
		return tx.writePending()
	}
	return nil
}

// journalChunk is how many entries one INSERT writes.
const journalChunk = 100

// writePending writes the entries recorded but not yet written.
func (tx *Tx) writePending() error {
	for len(tx.pending) > 0 {
		n := min(len(tx.pending), journalChunk)
		var q strings.Builder
		q.WriteString(`INSERT INTO journal (seq, prev, hash, at, actor, kind, body, payload) VALUES `)
		args := make([]any, 0, 8*n)
		for i, e := range tx.pending[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, e.Seq, e.Prev, e.Hash, us(e.At), e.Actor, e.Kind, e.Body, e.Payload)
		}
		if _, err := tx.Exec(q.String(), args...); err != nil {
			return fmt.Errorf("journal append: %w", err)
		}
		tx.pending = tx.pending[n:]
	}
	tx.pending = nil
	return nil
}

// lockHead reads the journal head and takes its row lock for the rest of
// the transaction.
func (tx *Tx) lockHead() error {
	h := &journalHead{}
	if err := tx.QueryRow(`UPDATE journal_head SET seq = seq WHERE id = 1 RETURNING seq, hash`).Scan(&h.seq, &h.hash); err != nil {
		return fmt.Errorf("journal head: %w", err)
	}
	tx.head = h
	return nil
}

// flushJournal writes the pending entries and the head if this
// transaction appended.
func (tx *Tx) flushJournal() error {
	if !tx.journalled {
		return nil
	}
	if err := tx.writePending(); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE journal_head SET seq = ?, hash = ? WHERE id = 1`, tx.head.seq, tx.head.hash); err != nil {
		return fmt.Errorf("journal head: %w", err)
	}
	return nil
}

// VerifyJournal recomputes the whole chain and checks it against the head.
// It returns the number of entries checked and the first problem found.
func (db *DB) VerifyJournal() (int64, error) {
	rows, err := db.read.Query(`SELECT seq, prev, hash, at, actor, kind, body, payload FROM journal ORDER BY seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	v := journal.NewVerifier()
	for rows.Next() {
		var e journal.Entry
		if err := scanEntry(rows, &e); err != nil {
			return v.Checked(), err
		}
		if err := v.Check(e); err != nil {
			return v.Checked(), err
		}
	}
	if err := rows.Err(); err != nil {
		return v.Checked(), err
	}
	var seq int64
	var hash string
	if err := db.read.QueryRow(`SELECT seq, hash FROM journal_head WHERE id = 1`).Scan(&seq, &hash); err != nil {
		return v.Checked(), err
	}
	if seq != v.Checked() || hash != v.Head() {
		return v.Checked(), fmt.Errorf("entry %d: the chain ends at entry %d but the head names entry %d (entries removed from the end)", v.Checked()+1, v.Checked(), seq)
	}
	return v.Checked(), nil
}

// Entries returns up to limit journal entries of body after seq, oldest first.
func (tx *Tx) Entries(body, after int64, limit int) ([]journal.Entry, error) {
	return queryAll(tx, scanEntry, `SELECT seq, prev, hash, at, actor, kind, body, payload FROM journal WHERE body = ? AND seq > ? ORDER BY seq LIMIT ?`, body, after, limit)
}

func scanEntry(row scanner, e *journal.Entry) error {
	var at int64
	err := row.Scan(&e.Seq, &e.Prev, &e.Hash, &at, &e.Actor, &e.Kind, &e.Body, &e.Payload)
	e.At = fromUS(at)
	return err
}

// BodyJournal returns up to limit entries about body after seq, for its
// members.
func (db *DB) BodyJournal(ctx context.Context, viewer, body, after int64, limit int) ([]journal.Entry, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []journal.Entry
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewBodyJournal, body); err != nil {
			return err
		}
		var err error
		out, err = tx.Entries(body, after, limit)
		return err
	})
	return out, err
}
