package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/delegates"
	"asamblea/errs"
	"asamblea/tally"
)

// OpenElection opens the election of a body's delegates to an assembly it
// belongs to, for the seats it holds there.
func (db *DB) OpenElection(ctx context.Context, actor, body int64, in delegates.ElectionInput) (delegates.Election, error) {
	if err := in.Clean(); err != nil {
		return delegates.Election{}, err
	}
	var e delegates.Election
	err := db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.OpenElection, body); err != nil {
			return err
		}
		var err error
		e, err = tx.openElection(body, in.Assembly, in.Alternates, time.Duration(in.Hours)*time.Hour, false)
		if err == nil && in.Alternation {
			e.Alternation = true
			_, err = tx.Exec(`UPDATE elections SET alternation = TRUE WHERE id = ?`, e.ID)
		}
		return err
	})
	return e, err
}

// openElection opens an election of the body's delegation to assembly; a
// vacancy election fills only the seats no one holds.
func (tx *Tx) openElection(body, assembly int64, alternates int, d time.Duration, vacancy bool) (delegates.Election, error) {
	e := delegates.Election{BodyID: body, AssemblyID: assembly, Alternates: alternates, Status: "open", ClosesAt: tx.Now.Add(d)}
	err := tx.QueryRow(`SELECT f.seats, b.name FROM affiliations f JOIN bodies b ON b.id = f.assembly_id WHERE f.body_id = ? AND f.assembly_id = ? AND f.status = 'accepted'`,
		body, assembly).Scan(&e.Seats, &e.AssemblyName)
	if err != nil {
		return e, notFound(err, "election.not_affiliated")
	}
	if e.Seats == 0 {
		return e, errs.New(errs.Conflict, "election.no_seats")
	}
	if vacancy {
		var held int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM delegates WHERE body_id = ? AND assembly_id = ? AND status = 'seated'`, body, assembly).Scan(&held); err != nil {
			return e, err
		}
		if e.Seats -= held; e.Seats <= 0 {
			return e, errs.New(errs.Conflict, "election.no_seats")
		}
	}
	e.ID, err = tx.Insert(`INSERT INTO elections (body_id, assembly_id, seats, alternates, status, closes_at, created_by, created_at, vacancy) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
		body, assembly, e.Seats, alternates, us(e.ClosesAt), tx.Actor, us(tx.Now), vacancy)
	if isUnique(err) {
		return e, errs.New(errs.Conflict, "election.already_open")
	}
	if err != nil {
		return e, err
	}
	return e, tx.Record("election.opened", body, map[string]any{"election": e.ID, "assembly": assembly, "seats": e.Seats, "alternates": alternates, "closes_at": e.ClosesAt, "vacancy": vacancy})
}

// election loads an election and checks that actor may do a in its body.
func (tx *Tx) election(id int64, a authz.Action) (delegates.Election, error) {
	var e delegates.Election
	var closes int64
	var report string
	err := tx.QueryRow(`SELECT e.id, e.body_id, e.assembly_id, b.name, e.seats, e.alternates, e.status, e.closes_at, e.voters, e.report, e.alternation
		FROM elections e JOIN bodies b ON b.id = e.assembly_id WHERE e.id = ?`, id).
		Scan(&e.ID, &e.BodyID, &e.AssemblyID, &e.AssemblyName, &e.Seats, &e.Alternates, &e.Status, &closes, &e.Voters, &report, &e.Alternation)
	if err != nil {
		return e, notFound(err, "election.not_found")
	}
	e.ClosesAt = fromUS(closes)
	if report != "" {
		e.Report = &tally.Report{}
		if err := json.Unmarshal([]byte(report), e.Report); err != nil {
			return e, err
		}
	}
	if _, _, err := tx.authorize(a, e.BodyID); err != nil {
		return e, err
	}
	e.Candidates, err = queryAll(tx, func(row scanner, c *delegates.Candidate) error {
		return row.Scan(&c.UserID, &c.Name, &c.Accepted, &c.Statement, &c.Gender)
	}, `SELECT c.user_id, u.name, c.accepted, c.statement, c.gender FROM candidacies c JOIN users u ON u.id = c.user_id WHERE c.election_id = ? ORDER BY u.name_key`, id)
	if err != nil {
		return e, err
	}
	e.Voted, err = tx.hasVoted(`SELECT COUNT(*) FROM election_voters WHERE election_id = ? AND user_id = ?`, id)
	return e, err
}

// hasVoted runs a participation count for vote id and the transaction's
// actor (the participation table only: never what was chosen).
func (tx *Tx) hasVoted(q string, id int64) (bool, error) {
	var n int
	err := tx.QueryRow(q, id, tx.Actor).Scan(&n)
	return n > 0, err
}

// Election returns an election as a member of its body sees it.
func (db *DB) Election(ctx context.Context, viewer, id int64) (delegates.Election, error) {
	var e delegates.Election
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		e, err = tx.election(id, authz.ViewDelegates)
		return err
	})
	return e, err
}

// Elections lists a body's elections, newest first.
func (db *DB) Elections(ctx context.Context, viewer, body int64) ([]delegates.Election, error) {
	var out []delegates.Election
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewDelegates, body); err != nil {
			return err
		}
		var err error
		out, err = queryAll(tx, func(row scanner, e *delegates.Election) error {
			var closes int64
			err := row.Scan(&e.ID, &e.BodyID, &e.AssemblyID, &e.AssemblyName, &e.Seats, &e.Alternates, &e.Status, &closes, &e.Voters)
			e.ClosesAt = fromUS(closes)
			return err
		}, `SELECT e.id, e.body_id, e.assembly_id, b.name, e.seats, e.alternates, e.status, e.closes_at, e.voters
			FROM elections e JOIN bodies b ON b.id = e.assembly_id WHERE e.body_id = ? ORDER BY e.id DESC LIMIT 50`, body)
		return err
	})
	return out, err
}

func (tx *Tx) openOnly(e delegates.Election) error {
	if e.Status != "open" || !tx.Now.Before(e.ClosesAt) {
		return errs.New(errs.Conflict, "election.closed")
	}
	return nil
}

// Stand makes actor a candidate (statement optional); Nominate proposes
// another member, who must accept.
func (db *DB) Stand(ctx context.Context, actor, election int64, statement, gender string) error {
	statement, err := bodies.CleanText("statement", statement, 0, delegates.StatementMax, true)
	if err != nil {
		return err
	}
	if !delegates.ValidGender(gender) {
		return errs.Field("gender", "election.gender.unknown")
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		e, err := tx.election(election, authz.Stand)
		if err != nil {
			return err
		}
		if err := tx.openOnly(e); err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE candidacies SET accepted = TRUE, statement = ?, gender = ? WHERE election_id = ? AND user_id = ?`, statement, gender, election, actor)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.Exec(`INSERT INTO candidacies (election_id, user_id, nominated_by, accepted, statement, gender) VALUES (?, ?, ?, TRUE, ?, ?)`, election, actor, actor, statement, gender); err != nil {
				return err
			}
		}
		return tx.Record("election.candidate", e.BodyID, map[string]any{"election": election, "user": actor})
	})
}

// Nominate proposes a member of the body as a candidate; they must accept.
func (db *DB) Nominate(ctx context.Context, actor, election, user int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		e, err := tx.election(election, authz.Stand)
		if err != nil {
			return err
		}
		if err := tx.openOnly(e); err != nil {
			return err
		}
		if _, s, err := tx.subject(e.BodyID, user); err != nil {
			return err
		} else if !authz.Allowed(authz.Stand, s) {
			return errs.Field("user", "body.member.not_found")
		}
		_, err = tx.Exec(`INSERT INTO candidacies (election_id, user_id, nominated_by, accepted) VALUES (?, ?, ?, FALSE)`, election, user, actor)
		if isUnique(err) || (err != nil && isPrimaryKey(err)) {
			return errs.New(errs.Conflict, "election.already_candidate")
		}
		if err != nil {
			return err
		}
		return tx.Record("election.nominated", e.BodyID, map[string]any{"election": election, "user": user})
	})
}

// isPrimaryKey reports whether err is a duplicate key (unique index or
// primary key).
func isPrimaryKey(err error) bool {
	return err != nil && (isUnique(err) || strings.Contains(err.Error(), "PRIMARY KEY"))
}

// CastRanking records actor's ballot: candidate user ids, most preferred
// first. Who voted and what was chosen are stored apart; when every member
// has voted, the election closes at once.
func (db *DB) CastRanking(ctx context.Context, actor, election int64, ranking []int64) error {
	return db.updateBatchedClean(ctx, actor, func(tx *Tx) error {
		e, err := tx.election(election, authz.Stand)
		if err != nil {
			return err
		}
		if err := tx.openOnly(e); err != nil {
			return err
		}
		var standing []int64
		for _, c := range e.Candidates {
			if c.Accepted {
				standing = append(standing, c.UserID)
			}
		}
		key, err := delegates.EncodeRanking(ranking, standing)
		if err != nil {
			return err
		}
		// Everything is checked: from here on nothing is refused, and a
		// second ballot is caught without a failed statement.
		res, err := tx.Exec(`INSERT INTO election_voters (election_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, election, actor)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return errs.New(errs.Conflict, "election.voted")
		}
		if _, err := tx.Exec(`INSERT INTO election_rankings (election_id, ranking, weight) VALUES (?, ?, 1)
			ON CONFLICT (election_id, ranking) DO UPDATE SET weight = election_rankings.weight + 1`, election, key); err != nil {
			return err
		}
		var voters, members int
		if err := tx.QueryRow(`UPDATE elections SET voters = voters + 1 WHERE id = ? RETURNING voters`, election).Scan(&voters); err != nil {
			return err
		}
		if err := tx.Record("election.voted", e.BodyID, map[string]any{"election": election}); err != nil {
			return err
		}
		if members, err = tx.electorate(e.BodyID); err != nil {
			return err
		}
		if voters >= members {
			if err := tx.closeElection(election); err != nil {
				return fmt.Errorf("closing election %d: %v", election, err)
			}
		}
		return nil
	})
}

// closeElection counts an election and seats its delegates and alternates
// at once, in place of the body's previous delegation to that assembly.
func (tx *Tx) closeElection(id int64) error {
	var e delegates.Election
	var status string
	var vacancy bool
	if err := tx.QueryRow(`SELECT e.body_id, e.assembly_id, b.name, e.alternates, e.status, e.vacancy, e.alternation FROM elections e JOIN bodies b ON b.id = e.assembly_id WHERE e.id = ?`, id).
		Scan(&e.BodyID, &e.AssemblyID, &e.AssemblyName, &e.Alternates, &status, &vacancy, &e.Alternation); err != nil {
		return err
	}
	if status != "open" {
		return nil
	}
	if err := tx.lockDelegation(e.BodyID, e.AssemblyID); err != nil {
		return err
	}
	// The seats now, not when the vote opened.
	if err := tx.QueryRow(`SELECT seats FROM affiliations WHERE body_id = ? AND assembly_id = ? AND status = 'accepted'`, e.BodyID, e.AssemblyID).Scan(&e.Seats); err != nil {
		e.Seats = 0
	}
	// A vacancy election fills the seats no one holds, after the others.
	var lastPosition int
	var sitting []int64
	if vacancy {
		if err := tx.QueryRow(`SELECT COALESCE(MAX(position), 0) FROM delegates WHERE body_id = ? AND assembly_id = ? AND status IN ('seated', 'alternate')`,
			e.BodyID, e.AssemblyID).Scan(&lastPosition); err != nil {
			return err
		}
		var err error
		if sitting, err = queryAll(tx, func(row scanner, id *int64) error { return row.Scan(id) },
			`SELECT user_id FROM delegates WHERE body_id = ? AND assembly_id = ? AND status IN ('seated', 'alternate')`, e.BodyID, e.AssemblyID); err != nil {
			return err
		}
		var seated int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM delegates WHERE body_id = ? AND assembly_id = ? AND status = 'seated'`, e.BodyID, e.AssemblyID).Scan(&seated); err != nil {
			return err
		}
		e.Seats = max(e.Seats-seated, 0)
	}
	cands, err := queryAll(tx, func(row scanner, c *delegates.Candidate) error {
		return row.Scan(&c.UserID, &c.Name, &c.Accepted, &c.Gender)
	},
		`SELECT c.user_id, u.name, c.accepted, c.gender FROM candidacies c JOIN users u ON u.id = c.user_id WHERE c.election_id = ? ORDER BY c.user_id`, id)
	if err != nil {
		return err
	}
	// A candidate who has left the body since standing is not counted, nor,
	// in a vacancy election, one who already sits in the delegation.
	for i := range cands {
		_, s, err := tx.subject(e.BodyID, cands[i].UserID)
		if err != nil {
			return err
		}
		cands[i].Accepted = cands[i].Accepted && authz.Allowed(authz.Stand, s) && !slices.Contains(sitting, cands[i].UserID)
	}
	type rk struct {
		key string
		n   int64
	}
	rks, err := queryAll(tx, func(row scanner, r *rk) error { return row.Scan(&r.key, &r.n) }, `SELECT ranking, weight FROM election_rankings WHERE election_id = ?`, id)
	if err != nil {
		return err
	}
	rankings := map[string]int64{}
	for _, r := range rks {
		rankings[r.key] = r.n
	}
	var elected, alts []int64
	var report *tally.Report
	if e.Seats > 0 {
		elected, alts, report, err = delegates.Count(cands, rankings, e.Seats, e.Alternates, uint64(id), e.Alternation)
		if err != nil && !errs.Is(err, errs.Conflict) {
			return err
		}
	}
	reportJSON := ""
	if report != nil {
		b, err := json.Marshal(report)
		if err != nil {
			return err
		}
		reportJSON = string(b)
	}
	if _, err := tx.Exec(`UPDATE elections SET status = 'closed', report = ? WHERE id = ?`, reportJSON, id); err != nil {
		return err
	}
	if len(elected) > 0 && !vacancy {
		if _, err := tx.Exec(`UPDATE delegates SET status = 'unseated', ended_at = ? WHERE body_id = ? AND assembly_id = ? AND status IN ('seated', 'alternate')`,
			us(tx.Now), e.BodyID, e.AssemblyID); err != nil {
			return err
		}
	}
	if len(elected) > 0 {
		for i, u := range append(slices.Clone(elected), alts...) {
			status := delegates.Seated
			if i >= len(elected) {
				status = delegates.Alternate
			}
			if _, err := tx.Exec(`INSERT INTO delegates (body_id, assembly_id, user_id, election_id, position, status, since) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				e.BodyID, e.AssemblyID, u, id, lastPosition+i+1, status, us(tx.Now)); err != nil {
				return err
			}
			if err := tx.notify(u, fmt.Sprintf("/elections/%d", id), "notice.elected_"+status, e.AssemblyName); err != nil {
				return err
			}
		}
	}
	return tx.Record("election.closed", e.BodyID, map[string]any{"election": id, "assembly": e.AssemblyID, "elected": elected, "alternates": alts})
}

// electorate is how many vote in body: the members of a committee, the
// people seated in an assembly.
func (tx *Tx) electorate(body int64) (int, error) {
	var n int
	err := tx.QueryRow(`SELECT CASE WHEN b.kind = 'assembly'
		THEN (SELECT COUNT(DISTINCT d.user_id) FROM delegates d WHERE d.assembly_id = b.id AND d.status = 'seated')
		ELSE b.members END FROM bodies b WHERE b.id = ?`, body).Scan(&n)
	return n, err
}

// endDelegations unseats user from every delegation of body (when they
// leave it or are removed) and fills the seats from the alternates.
func (tx *Tx) endDelegations(body, user int64) error {
	assemblies, err := queryAll(tx, func(row scanner, id *int64) error { return row.Scan(id) },
		`SELECT assembly_id FROM delegates WHERE body_id = ? AND user_id = ? AND status IN ('seated', 'alternate')`, body, user)
	if err != nil || len(assemblies) == 0 {
		return err
	}
	for _, a := range assemblies {
		if err := tx.lockDelegation(body, a); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE delegates SET status = 'unseated', ended_at = ? WHERE body_id = ? AND assembly_id = ? AND user_id = ? AND status IN ('seated', 'alternate')`,
			us(tx.Now), body, a, user); err != nil {
			return err
		}
		var seats int
		if err := tx.QueryRow(`SELECT seats FROM affiliations WHERE body_id = ? AND assembly_id = ? AND status = 'accepted'`, body, a).Scan(&seats); err != nil {
			return notFound(err, "affiliation.not_found")
		}
		if err := tx.Record("delegate.left", body, map[string]any{"assembly": a, "user": user}); err != nil {
			return err
		}
		if err := tx.refitDelegation(body, a, seats); err != nil {
			return err
		}
	}
	return nil
}

// lockDelegation orders the changes to one body's delegation in one
// assembly: a recall passing and a change of seats cannot interleave. The
// UPDATE takes the affiliation's row lock on PostgreSQL; SQLite has one
// writer.
func (tx *Tx) lockDelegation(body, assembly int64) error {
	_, err := tx.Exec(`UPDATE affiliations SET seats = seats WHERE body_id = ? AND assembly_id = ? AND status = 'accepted'`, body, assembly)
	return err
}

// refitDelegation seats alternates when a body gains seats and moves the
// delegates elected with the least support to the head of the alternates
// when it loses some, so those with the most support keep theirs.
func (tx *Tx) refitDelegation(body, assembly int64, seats int) error {
	type del struct {
		id     int64
		status string
	}
	ds, err := queryAll(tx, func(row scanner, d *del) error { return row.Scan(&d.id, &d.status) },
		`SELECT id, status FROM delegates WHERE body_id = ? AND assembly_id = ? AND status IN ('seated', 'alternate') ORDER BY position`, body, assembly)
	if err != nil || len(ds) == 0 {
		return err
	}
	var moved []int64
	for i, d := range ds {
		want := delegates.Alternate
		if i < seats {
			want = delegates.Seated
		}
		if d.status == want {
			continue
		}
		if _, err := tx.Exec(`UPDATE delegates SET status = ? WHERE id = ?`, want, d.id); err != nil {
			return err
		}
		moved = append(moved, d.id)
	}
	if len(moved) == 0 {
		return nil
	}
	return tx.Record("delegates.refit", body, map[string]any{"assembly": assembly, "seats": seats, "changed": moved})
}

// Delegates lists a body's current delegates and alternates, in every
// assembly, for its members.
func (db *DB) Delegates(ctx context.Context, viewer, body int64) ([]delegates.Delegate, error) {
	var out []delegates.Delegate
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewDelegates, body); err != nil {
			return err
		}
		var err error
		out, err = queryAll(tx, scanDelegate, `SELECT `+delegateColumns+` FROM delegates d JOIN users u ON u.id = d.user_id JOIN bodies a ON a.id = d.assembly_id
			WHERE d.body_id = ? AND d.status IN ('seated', 'alternate') ORDER BY a.name, d.assembly_id, d.position`, body)
		return err
	})
	return out, err
}

const delegateColumns = `d.id, d.body_id, d.assembly_id, a.name, d.user_id, u.name, d.position, d.status, d.since, d.mandate, d.mandate_at, d.election_id`

func scanDelegate(row scanner, d *delegates.Delegate) error {
	var since, mandateAt int64
	err := row.Scan(&d.ID, &d.BodyID, &d.AssemblyID, &d.AssemblyName, &d.UserID, &d.Name, &d.Position, &d.Status, &since, &d.Mandate, &mandateAt, &d.ElectionID)
	d.Since, d.MandateAt = fromUS(since), fromUS(mandateAt)
	return err
}

func (tx *Tx) delegate(id int64) (delegates.Delegate, error) {
	var d delegates.Delegate
	err := scanDelegate(tx.QueryRow(`SELECT `+delegateColumns+` FROM delegates d JOIN users u ON u.id = d.user_id JOIN bodies a ON a.id = d.assembly_id WHERE d.id = ?`, id), &d)
	return d, notFound(err, "delegate.not_found")
}

// SetMandate records the general mandate the base gave its delegate.
func (db *DB) SetMandate(ctx context.Context, actor, delegate int64, text string) error {
	text, err := bodies.CleanText("mandate", text, 1, delegates.MandateMax, true)
	if err != nil {
		return err
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		d, err := tx.delegate(delegate)
		if err != nil {
			return err
		}
		if _, _, err := tx.authorize(authz.SetMandate, d.BodyID); err != nil {
			return err
		}
		if d.Status != delegates.Seated && d.Status != delegates.Alternate {
			return errs.New(errs.Conflict, "delegate.not_current")
		}
		if _, err := tx.Exec(`UPDATE delegates SET mandate = ?, mandate_at = ? WHERE id = ?`, text, us(tx.Now), delegate); err != nil {
			return err
		}
		return tx.Record("delegate.mandate", d.BodyID, map[string]any{"delegate": delegate, "mandate": text})
	})
}

// OpenRecall opens a vote to recall one of the body's delegates.
func (db *DB) OpenRecall(ctx context.Context, actor, delegate int64, reason string) (delegates.Recall, error) {
	reason, err := bodies.CleanText("reason", reason, 1, bodies.ReasonMax, true)
	if err != nil {
		return delegates.Recall{}, err
	}
	var r delegates.Recall
	err = db.Update(ctx, actor, func(tx *Tx) error {
		d, err := tx.delegate(delegate)
		if err != nil {
			return err
		}
		if _, _, err := tx.authorize(authz.OpenRecall, d.BodyID); err != nil {
			return err
		}
		eligible, err := tx.electorate(d.BodyID)
		if err != nil {
			return err
		}
		if d.Status != delegates.Seated && d.Status != delegates.Alternate {
			return errs.New(errs.Conflict, "recall.not_delegate")
		}
		var hours int
		if err := tx.QueryRow(`SELECT recall_hours FROM bodies WHERE id = ?`, d.BodyID).Scan(&hours); err != nil {
			return err
		}
		r = delegates.Recall{DelegateID: delegate, Delegate: d.Name, BodyID: d.BodyID, Reason: reason, Status: "open",
			ClosesAt: tx.Now.Add(time.Duration(hours) * time.Hour), Eligible: eligible}
		r.ID, err = tx.Insert(`INSERT INTO recalls (delegate_id, body_id, opened_by, reason, status, closes_at, eligible, created_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?)`,
			delegate, d.BodyID, actor, reason, us(r.ClosesAt), r.Eligible, us(tx.Now))
		if isUnique(err) {
			return errs.New(errs.Conflict, "recall.already_open")
		}
		if err != nil {
			return err
		}
		if err := tx.notify(d.UserID, fmt.Sprintf("/recalls/%d", r.ID), "notice.recall_opened", d.AssemblyName, reason); err != nil {
			return err
		}
		return tx.Record("recall.opened", d.BodyID, map[string]any{"recall": r.ID, "delegate": delegate, "reason": reason, "closes_at": r.ClosesAt})
	})
	return r, err
}

func (tx *Tx) recall(id int64, a authz.Action) (delegates.Recall, error) {
	var r delegates.Recall
	var closes int64
	err := tx.QueryRow(`SELECT r.id, r.delegate_id, u.name, r.body_id, r.reason, r.status, r.closes_at, r.yes, r.no, r.eligible
		FROM recalls r JOIN delegates d ON d.id = r.delegate_id JOIN users u ON u.id = d.user_id WHERE r.id = ?`, id).
		Scan(&r.ID, &r.DelegateID, &r.Delegate, &r.BodyID, &r.Reason, &r.Status, &closes, &r.Yes, &r.No, &r.Eligible)
	if err != nil {
		return r, notFound(err, "recall.not_found")
	}
	r.ClosesAt = fromUS(closes)
	if _, _, err := tx.authorize(a, r.BodyID); err != nil {
		return r, err
	}
	r.Voted, err = tx.hasVoted(`SELECT COUNT(*) FROM recall_voters WHERE recall_id = ? AND user_id = ?`, id)
	return r, err
}

// Recall returns a recall. While it is open only the number of votes cast
// is shown, not how they go.
func (db *DB) Recall(ctx context.Context, viewer, id int64) (delegates.Recall, error) {
	var r delegates.Recall
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		r, err = tx.recall(id, authz.ViewDelegates)
		return err
	})
	if r.Status == "open" {
		r.Yes, r.No = r.Yes+r.No, 0 // votes cast so far, in Yes
	}
	return r, err
}

// Recalls lists a body's recalls, newest first (open ones show only the
// votes cast).
func (db *DB) Recalls(ctx context.Context, viewer, body int64) ([]delegates.Recall, error) {
	var out []delegates.Recall
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewDelegates, body); err != nil {
			return err
		}
		var err error
		out, err = queryAll(tx, func(row scanner, r *delegates.Recall) error {
			var closes int64
			err := row.Scan(&r.ID, &r.DelegateID, &r.Delegate, &r.BodyID, &r.Reason, &r.Status, &closes, &r.Yes, &r.No, &r.Eligible)
			r.ClosesAt = fromUS(closes)
			if r.Status == "open" {
				r.Yes, r.No = r.Yes+r.No, 0
			}
			return err
		}, `SELECT r.id, r.delegate_id, u.name, r.body_id, r.reason, r.status, r.closes_at, r.yes, r.no, r.eligible
			FROM recalls r JOIN delegates d ON d.id = r.delegate_id JOIN users u ON u.id = d.user_id WHERE r.body_id = ? ORDER BY r.id DESC LIMIT 50`, body)
		return err
	})
	return out, err
}

// VoteRecall records a member's yes or no. The vote is counted in place:
// nothing links the member to it. When every member has voted the recall
// closes at once.
func (db *DB) VoteRecall(ctx context.Context, actor, id int64, yes bool) error {
	return db.UpdateBatched(ctx, actor, func(tx *Tx) error {
		r, err := tx.recall(id, authz.VoteRecall)
		if err != nil {
			return err
		}
		if r.Status != "open" || !tx.Now.Before(r.ClosesAt) {
			return errs.New(errs.Conflict, "recall.closed")
		}
		if _, err := tx.Exec(`INSERT INTO recall_voters (recall_id, user_id) VALUES (?, ?)`, id, actor); err != nil {
			if isPrimaryKey(err) {
				return errs.New(errs.Conflict, "recall.voted")
			}
			return err
		}
		col := "no"
		if yes {
			col = "yes"
		}
		var y, n int
		if err := tx.QueryRow(`UPDATE recalls SET `+col+` = `+col+` + 1 WHERE id = ? RETURNING yes, no`, id).Scan(&y, &n); err != nil {
			return err
		}
		if err := tx.Record("recall.voted", r.BodyID, map[string]any{"recall": id}); err != nil {
			return err
		}
		if y+n >= r.Eligible {
			return tx.closeRecall(id)
		}
		return nil
	})
}

// closeRecall decides a recall. When it passes, at once: the delegate is
// unseated, the first alternate takes the seat (or, with none, an election
// opens), and it is all journalled.
func (tx *Tx) closeRecall(id int64) error {
	var r delegates.Recall
	if err := tx.QueryRow(`SELECT id, delegate_id, body_id, status, yes, no, eligible FROM recalls WHERE id = ?`, id).
		Scan(&r.ID, &r.DelegateID, &r.BodyID, &r.Status, &r.Yes, &r.No, &r.Eligible); err != nil {
		return err
	}
	if r.Status != "open" {
		return nil
	}
	var rule delegates.RecallRule
	if err := tx.QueryRow(`SELECT quorum_num, quorum_den FROM bodies WHERE id = ?`, r.BodyID).Scan(&rule.QuorumNum, &rule.QuorumDen); err != nil {
		return err
	}
	outcome := rule.RecallOutcome(r.Yes, r.No, r.Eligible)
	if _, err := tx.Exec(`UPDATE recalls SET status = ?, closed_at = ? WHERE id = ?`, outcome, us(tx.Now), id); err != nil {
		return err
	}
	payload := map[string]any{"recall": id, "delegate": r.DelegateID, "outcome": outcome, "yes": r.Yes, "no": r.No, "eligible": r.Eligible}
	d, err := tx.delegate(r.DelegateID)
	if err != nil {
		return err
	}
	// The delegate is told at once, with the tally but not who voted.
	if err := tx.notify(d.UserID, fmt.Sprintf("/recalls/%d", id), "notice.recall_"+outcome, d.AssemblyName, r.Yes, r.No); err != nil {
		return err
	}
	if outcome != "passed" {
		return tx.Record("recall.closed", r.BodyID, payload)
	}
	if err := tx.lockDelegation(d.BodyID, d.AssemblyID); err != nil {
		return err
	}
	// Read again under the lock: a change of seats may have moved them.
	if d, err = tx.delegate(r.DelegateID); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE delegates SET status = 'recalled', ended_at = ? WHERE id = ?`, us(tx.Now), d.ID); err != nil {
		return err
	}
	// The recalled delegate's votes in the assembly's open votes are
	// withdrawn: they no longer speak for the base.
	withdrawn, err := tx.withdrawVotes(d.ID, d.AssemblyID)
	if err != nil {
		return err
	}
	payload["withdrawn_votes"] = withdrawn
	if d.Status == delegates.Seated {
		var alt int64
		err := tx.QueryRow(`SELECT id FROM delegates WHERE body_id = ? AND assembly_id = ? AND status = 'alternate' ORDER BY position LIMIT 1`, d.BodyID, d.AssemblyID).Scan(&alt)
		switch {
		case err == nil:
			if _, err := tx.Exec(`UPDATE delegates SET status = 'seated', since = ? WHERE id = ?`, us(tx.Now), alt); err != nil {
				return err
			}
			payload["seated"] = alt
			if a, err := tx.delegate(alt); err != nil {
				return err
			} else if err := tx.notify(a.UserID, fmt.Sprintf("/bodies/%d/delegates", a.BodyID), "notice.seated", a.AssemblyName); err != nil {
				return err
			}
		case errors.Is(err, sql.ErrNoRows):
			// No alternate: the seat is vacant and an election opens.
			e, err := tx.openElection(d.BodyID, d.AssemblyID, 1, delegates.DefaultRecall, true)
			if err != nil && !errs.Is(err, errs.Conflict) {
				return err
			}
			payload["election"] = e.ID
		default:
			return err
		}
	}
	return tx.Record("recall.closed", r.BodyID, payload)
}

// CloseDue closes the elections, recalls and motion votes whose time is up. The server
// calls it every minute and on start, so that a vote whose deadline passed
// while the server was down closes as soon as it is back.
func (db *DB) CloseDue(ctx context.Context) (int, error) {
	var n int
	now := us(db.Now())
	var elections, recalls, due []int64
	err := db.View(ctx, func(tx *Tx) error {
		id := func(row scanner, v *int64) error { return row.Scan(v) }
		var err error
		if elections, err = queryAll(tx, id, `SELECT id FROM elections WHERE status = 'open' AND closes_at <= ?`, now); err != nil {
			return err
		}
		if recalls, err = queryAll(tx, id, `SELECT id FROM recalls WHERE status = 'open' AND closes_at <= ?`, now); err != nil {
			return err
		}
		due, err = tx.dueMotions(now)
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, id := range elections {
		if err := db.Update(ctx, 0, func(tx *Tx) error { return tx.closeElection(id) }); err != nil {
			return n, err
		}
		n++
	}
	for _, id := range recalls {
		if err := db.Update(ctx, 0, func(tx *Tx) error { return tx.closeRecall(id) }); err != nil {
			return n, err
		}
		n++
	}
	// Motions close after recalls, so that a recall due at the same moment
	// withdraws its delegate's votes before they are counted.
	for _, id := range due {
		if err := db.Update(ctx, 0, func(tx *Tx) error { return tx.closeMotion(id) }); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SeatedIn returns the user ids of the people seated in an assembly. It
// checks no permission: it serves the demo and tests, not requests.
func (db *DB) SeatedIn(ctx context.Context, assembly int64) ([]int64, error) {
	var out []int64
	err := db.View(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(tx, func(row scanner, id *int64) error { return row.Scan(id) },
			`SELECT DISTINCT user_id FROM delegates WHERE assembly_id = ? AND status = 'seated' ORDER BY user_id`, assembly)
		return err
	})
	return out, err
}
