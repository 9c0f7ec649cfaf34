package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/errs"
)

// AccountExport is everything the server holds about one person: the
// account, where they belong, how they are signed in, which secret
// ballots they took part in (never what they chose: the server does not
// know), and every journal entry they made.
type AccountExport struct {
	Exported    time.Time            `json:"exported_at"`
	User        accounts.User        `json:"user"`
	Memberships []bodies.Membership  `json:"memberships"`
	Sessions    []accounts.Session   `json:"sessions"`
	Tokens      []accounts.Token     `json:"tokens"`
	Ballots     []ExportedBallot     `json:"ballots_cast"`
	Requests    []bodies.JoinRequest `json:"join_requests"`
	Journal     []ExportedEntry      `json:"journal"`
}

// ExportedBallot is one secret vote a person took part in.
type ExportedBallot struct {
	Kind string `json:"kind"` // motion, amendment, election, recall, poll, poll_recall
	ID   int64  `json:"id"`
}

// ExportedEntry is one journal entry a person made.
type ExportedEntry struct {
	Seq     int64           `json:"seq"`
	At      time.Time       `json:"at"`
	Kind    string          `json:"kind"`
	Body    int64           `json:"body,omitempty"`
	Payload json.RawMessage `json:"payload"`
}

// ExportAccount gathers AccountExport for user.
func (db *DB) ExportAccount(ctx context.Context, user int64) (AccountExport, error) {
	var x AccountExport
	err := db.View(ctx, func(tx *Tx) error {
		var created int64
		err := tx.QueryRow(`SELECT id, name, lang, created_at FROM users WHERE id = ?`, user).Scan(&x.User.ID, &x.User.Name, &x.User.Lang, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.New(errs.Unauthorized, "error.sign_in_needed")
		}
		if err != nil {
			return err
		}
		x.User.CreatedAt = fromUS(created)
		x.Exported = tx.Now
		for _, v := range []struct{ kind, q string }{
			{"motion", `SELECT motion_id FROM motion_voters WHERE user_id = ?`},
			{"amendment", `SELECT amendment_id FROM amendment_voters WHERE user_id = ?`},
			{"election", `SELECT election_id FROM election_voters WHERE user_id = ?`},
			{"recall", `SELECT recall_id FROM recall_voters WHERE user_id = ?`},
			{"poll", `SELECT DISTINCT election_id FROM poll_voters WHERE user_id = ?`},
			{"poll_recall", `SELECT recall_id FROM poll_signers WHERE user_id = ?`},
		} {
			ids, err := queryAll(tx, func(row scanner, id *int64) error { return row.Scan(id) }, v.q, user)
			if err != nil {
				return fmt.Errorf("export %s ballots: %w", v.kind, err)
			}
			for _, id := range ids {
				x.Ballots = append(x.Ballots, ExportedBallot{Kind: v.kind, ID: id})
			}
		}
		x.Requests, err = queryAll(tx, func(row scanner, r *bodies.JoinRequest) error {
			var c int64
			err := row.Scan(&r.ID, &r.BodyID, &r.Message, &r.Status, &c)
			r.UserID, r.CreatedAt = user, fromUS(c)
			return err
		}, `SELECT id, body_id, message, status, created_at FROM join_requests WHERE user_id = ? ORDER BY id`, user)
		if err != nil {
			return err
		}
		x.Journal, err = queryAll(tx, func(row scanner, e *ExportedEntry) error {
			var at int64
			var p string
			err := row.Scan(&e.Seq, &at, &e.Kind, &e.Body, &p)
			e.At, e.Payload = fromUS(at), json.RawMessage(p)
			if !json.Valid(e.Payload) {
				e.Payload = json.RawMessage(`null`)
			}
			return err
		}, `SELECT seq, at, kind, body, payload FROM journal WHERE actor = ? ORDER BY seq`, user)
		return err
	})
	if err != nil {
		return x, err
	}
	if x.Memberships, err = db.Memberships(ctx, user); err != nil {
		return x, err
	}
	if x.Sessions, err = db.Sessions(ctx, user, 0); err != nil {
		return x, err
	}
	if x.Tokens, err = db.Tokens(ctx, user); err != nil {
		return x, err
	}
	return x, nil
}

// DeletedName is the display name an account keeps once deleted: what it
// wrote stays, under no one's name.
func DeletedName(id int64) string { return fmt.Sprintf("— %d", id) }

// DeleteAccount deletes a person's account: every membership ends the way
// leaving does (a delegate's seat goes to the alternate, through the
// normal recall path), their sessions, tokens and pending requests are
// deleted, and the account keeps no name, language or password: what they
// wrote stays in their bodies' records, under DeletedName. The journal
// records only that an account was deleted. A body's only facilitator
// must hand over first (the refusal names the body).
func (db *DB) DeleteAccount(ctx context.Context, user int64) error {
	err := db.Update(ctx, user, func(tx *Tx) error {
		type m struct {
			body int64
			role bodies.Role
			name string
		}
		ms, err := queryAll(tx, func(row scanner, v *m) error { return row.Scan(&v.body, &v.role, &v.name) },
			`SELECT m.body_id, m.role, b.name FROM memberships m JOIN bodies b ON b.id = m.body_id WHERE m.user_id = ? ORDER BY m.body_id`, user)
		if err != nil {
			return err
		}
		for _, v := range ms {
			if err := tx.removeMember(v.body, user, v.role); err != nil {
				if errs.As(err).Key == "body.last_facilitator" {
					return errs.New(errs.Conflict, "acct.delete.last_facilitator", v.name)
				}
				return err
			}
			if err := tx.Record("member.left", v.body, map[string]any{"user": user, "reason": "account_deleted"}); err != nil {
				return err
			}
		}
		for _, q := range []string{
			`DELETE FROM sessions WHERE user_id = ?`,
			`DELETE FROM api_tokens WHERE user_id = ?`,
			`DELETE FROM join_requests WHERE user_id = ? AND status = 'pending'`,
		} {
			if _, err := tx.Exec(q, user); err != nil {
				return err
			}
		}
		// Their words and the name they signed up under leave the journal.
		seqs, err := tx.erasableSeqs(`actor = ?`, user)
		if err != nil {
			return err
		}
		var words []int64
		for _, seq := range seqs {
			var kind string
			if err := tx.QueryRow(`SELECT kind FROM journal WHERE seq = ?`, seq).Scan(&kind); err != nil {
				return err
			}
			if erasable[kind] {
				words = append(words, seq)
			}
		}
		if err := tx.sqliteSecureDelete(); err != nil {
			return err
		}
		if err := tx.eraseEntries(words, "account_deleted"); err != nil {
			return err
		}
		name := DeletedName(user)
		res, err := tx.Exec(`UPDATE users SET name = ?, name_key = ?, password_hash = '', lang = '' WHERE id = ?`, name, "deleted:"+fmt.Sprint(user), user)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.Unauthorized, "error.sign_in_needed")
		}
		return tx.Record("account.deleted", 0, map[string]any{"user": user})
	})
	if err != nil {
		return err
	}
	return db.scrub(ctx)
}
