package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Notice tells a person something that concerns them.
type Notice struct {
	ID        int64     `json:"id"`
	Message   string    `json:"message"` // catalog key
	Args      []any     `json:"args,omitempty"`
	Link      string    `json:"link,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// notify leaves a notice for user in this transaction.
func (tx *Tx) notify(user int64, link, message string, args ...any) error {
	if args == nil {
		args = []any{}
	}
	b, err := json.Marshal(args)
	if err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	_, err = tx.Exec(`INSERT INTO notices (user_id, message, args, link, created_at) VALUES (?, ?, ?, ?, ?)`, user, message, string(b), link, us(tx.Now))
	return err
}

// Notices returns a person's latest notices, newest first.
func (db *DB) Notices(ctx context.Context, user int64, limit int) ([]Notice, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var out []Notice
	err := db.View(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(tx, func(row scanner, n *Notice) error {
			var args string
			var created, read int64
			if err := row.Scan(&n.ID, &n.Message, &args, &n.Link, &created, &read); err != nil {
				return err
			}
			n.CreatedAt, n.Read = fromUS(created), read != 0
			if err := json.Unmarshal([]byte(args), &n.Args); err != nil {
				return err
			}
			for i, a := range n.Args {
				if f, ok := a.(float64); ok && f == float64(int64(f)) {
					n.Args[i] = int64(f) // numbers come back from JSON as floats
				}
			}
			return nil
		}, `SELECT id, message, args, link, created_at, read_at FROM notices WHERE user_id = ? ORDER BY id DESC LIMIT ?`, user, limit)
		return err
	})
	return out, err
}

// UnreadNotices counts a person's unread notices.
func (db *DB) UnreadNotices(ctx context.Context, user int64) (int, error) {
	var n int
	err := db.View(ctx, func(tx *Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM notices WHERE user_id = ? AND read_at = 0`, user).Scan(&n)
	})
	return n, err
}

// MarkNoticesRead marks all of a person's notices read.
func (db *DB) MarkNoticesRead(ctx context.Context, user int64) error {
	return db.Update(ctx, user, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE notices SET read_at = ? WHERE user_id = ? AND read_at = 0`, us(tx.Now), user)
		return err
	})
}
