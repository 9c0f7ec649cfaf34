package store

import (
	"context"

	"asamblea/authz"
	"asamblea/errs"
	"asamblea/polls"
)

func (tx *Tx) candidacies(id int64, all bool) ([]polls.Candidacy, error) {
	q := `SELECT id, election_id, number, name, organisation, sector, status, seats, votes, registered_by, created_at FROM poll_candidacies WHERE election_id = ?`
	if !all {
		q += ` AND status = 'registered'`
	}
	cs, err := queryAll(tx, func(row scanner, c *polls.Candidacy) error {
		var created int64
		err := row.Scan(&c.ID, &c.PollID, &c.Number, &c.Name, &c.Organisation, &c.Sector, &c.Status, &c.Seats, &c.Votes, &c.RegisteredBy, &created)
		c.CreatedAt = fromUS(created)
		return err
	}, q+` ORDER BY status, number`, id)
	if err != nil {
		return nil, err
	}
	rows, err := queryAll(tx, func(row scanner, c *polls.Candidate) error {
		return row.Scan(&c.ID, &c.CandidacyID, &c.Position, &c.Name, &c.Gender, &c.Status, &c.Replaces)
	}, `SELECT id, candidacy_id, position, name, gender, status, replaces FROM poll_candidates WHERE election_id = ? ORDER BY candidacy_id, position`, id)
	if err != nil {
		return nil, err
	}
	at := map[int64]int{}
	for i, c := range cs {
		at[c.ID] = i
	}
	for _, c := range rows {
		if i, ok := at[c.CandidacyID]; ok {
			cs[i].Candidates = append(cs[i].Candidates, c)
		}
	}
	return cs, nil
}

// RegisterCandidacy registers a list or a candidate while registration is
// open: in a public election anyone signed in may (for an organisation),
// in a body's or an assembly's its voters.
func (db *DB) RegisterCandidacy(ctx context.Context, actor, id int64, in polls.CandidacyInput) (polls.Candidacy, error) {
	var c polls.Candidacy
	err := db.Update(ctx, actor, func(tx *Tx) error {
		e, s, err := tx.visiblePoll(id)
		if err != nil {
			return err
		}
		if err := takePart(e, s); err != nil {
			return err
		}
		if e.Phase != polls.Registration {
			return errs.New(errs.Conflict, "poll.registration.closed")
		}
		if err := in.Clean(e.Input); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_candidacies WHERE election_id = ? AND status = 'registered' AND LOWER(name) = LOWER(?)`, id, in.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.Field("name", "poll.candidacy.taken")
		}
		var number int
		if err := tx.QueryRow(`SELECT COALESCE(MAX(number), 0) + 1 FROM poll_candidacies WHERE election_id = ?`, id).Scan(&number); err != nil {
			return err
		}
		cid, err := tx.Insert(`INSERT INTO poll_candidacies (election_id, number, name, organisation, sector, status, registered_by, created_at)
			VALUES (?, ?, ?, ?, ?, 'registered', ?, ?)`, id, number, in.Name, in.Organisation, in.Sector, actor, us(tx.Now))
		if err != nil {
			return err
		}
		for i, p := range in.Candidates {
			if _, err := tx.Exec(`INSERT INTO poll_candidates (candidacy_id, election_id, position, name, gender) VALUES (?, ?, ?, ?, ?)`,
				cid, id, i+1, p.Name, p.Gender); err != nil {
				return err
			}
		}
		if err := tx.Record("poll.candidacy", e.BodyID, map[string]any{"election": id, "candidacy": cid, "number": number, "input": in}); err != nil {
			return err
		}
		cs, err := tx.candidacies(id, true)
		for _, x := range cs {
			if x.ID == cid {
				c = x
			}
		}
		return err
	})
	return c, err
}

// WithdrawCandidacy takes a candidacy off the ballot while registration is
// open: whoever registered it or the organisers may. The lists below it
// move up a number.
func (db *DB) WithdrawCandidacy(ctx context.Context, actor, candidacy int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		var id, by int64
		var number int
		var status string
		err := tx.QueryRow(`SELECT election_id, registered_by, number, status FROM poll_candidacies WHERE id = ?`, candidacy).Scan(&id, &by, &number, &status)
		if err != nil {
			return notFound(err, "poll.candidacy.not_found")
		}
		e, s, err := tx.visiblePoll(id)
		if err != nil {
			return err
		}
		if by != actor && !authz.Allowed(authz.ManagePoll, s) {
			return authz.Check(authz.ManagePoll, s)
		}
		if e.Phase != polls.Registration {
			return errs.New(errs.Conflict, "poll.registration.closed")
		}
		if status != polls.Registered {
			return errs.New(errs.Conflict, "poll.candidacy.withdrawn")
		}
		if _, err := tx.Exec(`UPDATE poll_candidacies SET status = 'withdrawn', number = ? WHERE id = ?`, -candidacy, candidacy); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE poll_candidacies SET number = number - 1 WHERE election_id = ? AND number > ?`, id, number); err != nil {
			return err
		}
		return tx.Record("poll.candidacy.withdrawn", e.BodyID, map[string]any{"election": id, "candidacy": candidacy})
	})
}
