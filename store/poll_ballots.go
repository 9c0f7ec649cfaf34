package store

import (
	"context"

	"asamblea/authz"
	"asamblea/errs"
	"asamblea/polls"
)

// CastPollBallot casts an online ballot: the election's voters may, once,
// while the vote is open. It returns the voter's receipt code, which the
// published list of codes will show. Who voted is kept apart from what
// was chosen, and the receipt is kept apart from both.
func (db *DB) CastPollBallot(ctx context.Context, actor, id int64, b polls.Ballot) (string, error) {
	receipt := polls.NewReceipt()
	err := db.updateBatchedClean(ctx, actor, func(tx *Tx) error {
		e, s, err := tx.visiblePollRow(id)
		if err != nil {
			return err
		}
		if e.Scope.Paper() {
			return errs.New(errs.Conflict, "poll.vote.paper")
		}
		if err := authz.Check(authz.VotePoll, s); err != nil {
			return err
		}
		if e.Phase != polls.Voting {
			return errs.New(errs.Conflict, "poll.vote.closed")
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_candidacies WHERE election_id = ? AND status = 'registered'`, id).Scan(&n); err != nil {
			return err
		}
		key, err := b.Encode(e.Lists(), n)
		if err != nil {
			return err
		}
		return tx.castOnline(id, 0, key, receipt, e.BodyID)
	})
	if err != nil {
		return "", err
	}
	return receipt, nil
}

// castOnline records an online ballot with its key in a contest: the
// voter, the choice counted, the receipt (elections only). A second ballot
// is refused without a failed statement.
func (tx *Tx) castOnline(id, contest int64, key, receipt string, body int64) error {
	res, err := tx.Exec(`INSERT INTO poll_voters (election_id, contest, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, id, contest, tx.Actor)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return errs.New(errs.Conflict, "poll.vote.twice")
	}
	if _, err := tx.Exec(`INSERT INTO poll_choices (election_id, contest, choice, weight) VALUES (?, ?, ?, 1)
		ON CONFLICT (election_id, contest, choice) DO UPDATE SET weight = poll_choices.weight + 1`, id, contest, key); err != nil {
		return err
	}
	if contest == 0 {
		if _, err := tx.Exec(`INSERT INTO poll_receipts (election_id, code) VALUES (?, ?)`, id, receipt); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE polls SET voters = voters + 1 WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.Record("poll.voted", body, map[string]any{"election": id})
	}
	if _, err := tx.Exec(`UPDATE poll_recalls SET voters = voters + 1 WHERE id = ?`, contest); err != nil {
		return err
	}
	return tx.Record("poll.recall.voted", body, map[string]any{"election": id, "recall": contest})
}

// Receipts lists an election's receipt codes in order, a page at a time;
// with code given, only that code if it is there.
func (db *DB) Receipts(ctx context.Context, viewer, id int64, after, code string, limit int) ([]string, error) {
	var cs []string
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.visiblePoll(id); err != nil {
			return err
		}
		if limit <= 0 || limit > 2000 {
			limit = 500
		}
		q, args := `SELECT code FROM poll_receipts WHERE election_id = ? AND code > ? ORDER BY code LIMIT ?`, []any{id, after, limit}
		if code != "" {
			q, args = `SELECT code FROM poll_receipts WHERE election_id = ? AND code = ?`, []any{id, code}
		}
		var err error
		cs, err = queryAll(tx, func(row scanner, s *string) error { return row.Scan(s) }, q, args...)
		return err
	})
	return cs, err
}

// choices reads a contest's online ballots: their counts per key.
func (tx *Tx) choices(id, contest int64) (map[string]int64, error) {
	rows, err := tx.Query(`SELECT choice, weight FROM poll_choices WHERE election_id = ? AND contest = ?`, id, contest)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var k string
		var w int64
		if err := rows.Scan(&k, &w); err != nil {
			return nil, err
		}
		m[k] = w
	}
	return m, rows.Err()
}
