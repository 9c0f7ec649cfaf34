package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/motions"
	"asamblea/voting"
)

const motionColumns = `m.id, m.body_id, b.name, b.kind, m.title, m.text, m.options, m.rule, m.proposer_id, COALESCE(u.name, ''), m.status,
	m.closes_at, m.voting_at, m.closed_at, m.voters, m.outcome, m.result, m.mode, m.meeting_id, m.decided_on, m.referral_id,
	m.initiative_id, m.published_at, m.created_at, m.updated_at`

const motionFrom = ` FROM motions m JOIN bodies b ON b.id = m.body_id LEFT JOIN users u ON u.id = m.proposer_id`

func scanMotion(row scanner, m *motions.Motion) error {
	var options, rule, outcome string
	var closes, votingAt, closed, published, created, updated int64
	if err := row.Scan(&m.ID, &m.BodyID, &m.BodyName, &m.BodyKind, &m.Title, &m.Text, &options, &rule, &m.ProposerID, &m.Proposer, &m.Status,
		&closes, &votingAt, &closed, &m.Voters, &outcome, &m.Result, &m.Mode, &m.MeetingID, &m.DecidedOn, &m.ReferralID,
		&m.InitiativeID, &published, &created, &updated); err != nil {
		return err
	}
	m.ClosesAt, m.VotingAt, m.ClosedAt, m.PublishedAt = fromUS(closes), fromUS(votingAt), fromUS(closed), fromUS(published)
	m.CreatedAt, m.UpdatedAt = fromUS(created), fromUS(updated)
	if err := decodeShape(m, options, rule); err != nil {
		return err
	}
	if outcome != "" {
		m.Decision = new(motions.Decision)
		if err := json.Unmarshal([]byte(outcome), m.Decision); err != nil {
			return fmt.Errorf("motion %d outcome: %w", m.ID, err)
		}
	}
	return nil
}

// decodeShape reads a motion's stored options and rule.
func decodeShape(m *motions.Motion, options, rule string) error {
	if err := json.Unmarshal([]byte(options), &m.Options); err != nil {
		return fmt.Errorf("motion %d options: %w", m.ID, err)
	}
	if err := json.Unmarshal([]byte(rule), &m.Rule); err != nil {
		return fmt.Errorf("motion %d rule: %w", m.ID, err)
	}
	return nil
}

// motion loads a motion and checks that the actor may do a in its body. A
// draft is seen by its proposer alone.
func (tx *Tx) motion(id int64, a authz.Action) (motions.Motion, authz.Subject, error) {
	var m motions.Motion
	if err := scanMotion(tx.QueryRow(`SELECT `+motionColumns+motionFrom+` WHERE m.id = ?`, id), &m); err != nil {
		return m, authz.Subject{}, notFound(err, "motion.not_found")
	}
	_, s, err := tx.authorize(a, m.BodyID)
	if err != nil {
		return m, s, err
	}
	if m.Status == motions.Draft && m.ProposerID != tx.Actor {
		return m, s, errs.New(errs.NotFound, "motion.not_found")
	}
	return m, s, nil
}

// bodyQuorum returns a body's quorum.
func (tx *Tx) bodyQuorum(body int64) (voting.Fraction, error) {
	var q voting.Fraction
	err := tx.QueryRow(`SELECT quorum_num, quorum_den FROM bodies WHERE id = ?`, body).Scan(&q.Num, &q.Den)
	return q, err
}

// insertMotion stores a new motion; it checks nothing.
func (tx *Tx) insertMotion(m *motions.Motion) error {
	options, err := json.Marshal(m.Options)
	if err != nil {
		return err
	}
	if m.Options == nil {
		options = []byte("[]")
	}
	rule, err := json.Marshal(m.Rule)
	if err != nil {
		return err
	}
	if m.Mode == "" {
		m.Mode = motions.Online
	}
	m.CreatedAt, m.UpdatedAt = tx.Now, tx.Now
	m.ID, err = tx.Insert(`INSERT INTO motions (body_id, title, text, options, rule, proposer_id, status, closes_at, voting_at, mode, referral_id, initiative_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		m.BodyID, m.Title, m.Text, string(options), string(rule), m.ProposerID, m.Status, us(m.ClosesAt), us(m.VotingAt), m.Mode, m.ReferralID, m.InitiativeID, us(tx.Now), us(tx.Now))
	if err != nil {
		return err
	}
	return tx.Record("motion.created", m.BodyID, map[string]any{"motion": m.ID, "title": m.Title, "text": m.Text, "options": m.Options,
		"rule": m.Rule, "status": m.Status, "referral": m.ReferralID, "initiative": m.InitiativeID, "closes_at": m.ClosesAt})
}

// CreateMotion proposes a motion in a body, in discussion (or as a draft).
func (db *DB) CreateMotion(ctx context.Context, actor, body int64, in motions.Input) (motions.Motion, error) {
	var m motions.Motion
	err := db.Update(ctx, actor, func(tx *Tx) error {
		b, _, err := tx.authorize(authz.ProposeMotion, body)
		if err != nil {
			return err
		}
		q, err := tx.bodyQuorum(body)
		if err != nil {
			return err
		}
		rule, err := in.Clean(q)
		if err != nil {
			return err
		}
		m = motions.Motion{BodyID: body, BodyName: b.Name, BodyKind: b.Kind, Title: in.Title, Text: in.Text, Options: in.Options,
			Rule: rule, ProposerID: actor, Status: motions.Discussion}
		if in.Draft {
			m.Status = motions.Draft
		}
		if err := tx.QueryRow(`SELECT name FROM users WHERE id = ?`, actor).Scan(&m.Proposer); err != nil {
			return err
		}
		return tx.insertMotion(&m)
	})
	return m, err
}

// EditMotion changes a motion's title, text, options or rule: its proposer
// may, while it is a draft or in discussion. A change of text supersedes
// the amendments still pending, which were written against the old text.
func (db *DB) EditMotion(ctx context.Context, actor, id int64, in motions.Input) (motions.Motion, error) {
	var m motions.Motion
	err := db.Update(ctx, actor, func(tx *Tx) error {
		var err error
		if m, _, err = tx.motion(id, authz.ProposeMotion); err != nil {
			return err
		}
		if m.ProposerID != actor {
			return errs.New(errs.Forbidden, "motion.edit.proposer_only")
		}
		if m.Status != motions.Draft && m.Status != motions.Discussion {
			return errs.New(errs.Conflict, "motion.edit.closed")
		}
		if m.ReferralID != 0 || m.InitiativeID != 0 {
			return errs.New(errs.Conflict, "motion.edit.shared")
		}
		q, err := tx.bodyQuorum(m.BodyID)
		if err != nil {
			return err
		}
		rule, err := in.Clean(q)
		if err != nil {
			return err
		}
		if in.Text != m.Text {
			if err := tx.supersedeAmendments(id); err != nil {
				return err
			}
		}
		m.Title, m.Text, m.Options, m.Rule, m.UpdatedAt = in.Title, in.Text, in.Options, rule, tx.Now
		options, _ := json.Marshal(m.Options)
		if m.Options == nil {
			options = []byte("[]")
		}
		ruleJSON, _ := json.Marshal(rule)
		if _, err := tx.Exec(`UPDATE motions SET title = ?, text = ?, options = ?, rule = ?, updated_at = ? WHERE id = ?`,
			m.Title, m.Text, string(options), string(ruleJSON), us(tx.Now), id); err != nil {
			return err
		}
		return tx.Record("motion.edited", m.BodyID, map[string]any{"motion": id, "title": m.Title, "text": m.Text, "options": m.Options, "rule": rule})
	})
	return m, err
}

// Motion returns a motion as viewer sees it: while the vote is open, only
// how many have voted, never how.
func (db *DB) Motion(ctx context.Context, viewer, id int64) (motions.Motion, error) {
	var m motions.Motion
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		var s authz.Subject
		if m, s, err = tx.motion(id, authz.ViewMotions); err != nil {
			return err
		}
		return tx.forViewer(&m, s)
	})
	return m, err
}

// forViewer fills in whether the viewer has voted and, for a delegate, their
// base's instruction.
func (tx *Tx) forViewer(m *motions.Motion, s authz.Subject) error {
	if tx.Actor == 0 {
		return nil
	}
	if m.BodyKind != bodies.Assembly {
		var err error
		m.Voted, err = tx.hasVoted(`SELECT COUNT(*) FROM motion_voters WHERE motion_id = ? AND user_id = ?`, m.ID)
		return err
	}
	if !s.Delegate {
		return nil
	}
	seats, err := tx.seats(m.ID, m.BodyID, tx.Actor)
	if err != nil {
		return err
	}
	m.Voted = len(seats) > 0
	for _, st := range seats {
		if !st.Voted {
			m.Voted = false
		}
		if m.Instruction == "" {
			m.Instruction = st.Instruction
		}
	}
	return nil
}

// Seat is one seat a person holds in an assembly, as it stands on a motion.
type Seat struct {
	DelegateID  int64  `json:"delegate_id"`
	BodyID      int64  `json:"body_id"`
	BodyName    string `json:"body_name"`
	Instruction string `json:"instruction,omitempty"`
	Voted       bool   `json:"voted"`
	Choice      string `json:"choice,omitempty"`
}

// seats returns the seats user holds in assembly, with their base's
// instruction on motion and whether the seat has voted.
func (tx *Tx) seats(motion, assembly, user int64) ([]Seat, error) {
	return queryAll(tx, func(row scanner, s *Seat) error {
		var choice sql.NullString
		err := row.Scan(&s.DelegateID, &s.BodyID, &s.BodyName, &s.Instruction, &choice)
		s.Voted, s.Choice = choice.Valid, choice.String
		return err
	}, `SELECT d.id, d.body_id, b.name, COALESCE(i.choice, ''), v.choice
		FROM delegates d JOIN bodies b ON b.id = d.body_id
		LEFT JOIN instructions i ON i.motion_id = ? AND i.body_id = d.body_id
		LEFT JOIN delegate_votes v ON v.motion_id = ? AND v.delegate_id = d.id
		WHERE d.assembly_id = ? AND d.user_id = ? AND d.status = 'seated' ORDER BY d.id`, motion, motion, assembly, user)
}

// Seats returns the seats viewer holds in the assembly of a motion, each
// with its base's instruction and whether it has voted.
func (db *DB) Seats(ctx context.Context, viewer, motion int64) ([]Seat, error) {
	var out []Seat
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		m, _, err := tx.motion(motion, authz.ViewMotions)
		if err != nil {
			return err
		}
		out, err = tx.seats(motion, m.BodyID, viewer)
		return err
	})
	return out, err
}

// MotionFilter narrows a list of motions.
type MotionFilter struct {
	Open   bool // only drafts (one's own), discussion, voting and recorded ones
	Closed bool // only decided or withdrawn ones
	Limit  int
	Before int64 // only motions with a smaller id (paging)
}

// Motions lists a body's motions, newest first.
func (db *DB) Motions(ctx context.Context, viewer, body int64, f MotionFilter) ([]motions.Motion, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	var out []motions.Motion
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewMotions, body); err != nil {
			return err
		}
		q := `SELECT ` + motionColumns + motionFrom + ` WHERE m.body_id = ? AND (m.status <> 'draft' OR m.proposer_id = ?)`
		args := []any{body, viewer}
		switch {
		case f.Open:
			q += ` AND m.status IN ('draft', 'discussion', 'voting', 'recorded')`
		case f.Closed:
			q += ` AND m.status NOT IN ('draft', 'discussion', 'voting', 'recorded')`
		}
		if f.Before > 0 {
			q += ` AND m.id < ?`
			args = append(args, f.Before)
		}
		q += ` ORDER BY m.id DESC LIMIT ?`
		args = append(args, f.Limit)
		var err error
		out, err = queryAll(tx, scanMotion, q, args...)
		return err
	})
	return out, err
}

// MoveMotion moves a motion by a person's act: to discussion (its
// proposer), to voting for hours (a facilitator: pending amendment votes
// are decided first), or withdrawn (its proposer or a facilitator, before
// it is decided).
func (db *DB) MoveMotion(ctx context.Context, actor, id int64, to string, hours int) (motions.Motion, error) {
	var m motions.Motion
	err := db.Update(ctx, actor, func(tx *Tx) error {
		var err error
		var s authz.Subject
		if m, s, err = tx.motion(id, authz.ViewMotions); err != nil {
			return err
		}
		if err := motions.CanMove(m.Status, to); err != nil {
			return err
		}
		facilitator := authz.Allowed(authz.ManageVote, s)
		switch to {
		case motions.Discussion:
			if m.ProposerID != actor {
				return errs.New(errs.Forbidden, "motion.move.proposer_only")
			}
		case motions.Voting:
			if !facilitator {
				return authz.Check(authz.ManageVote, s)
			}
			d, err := motions.VotingHours(hours)
			if err != nil {
				return err
			}
			return tx.openVote(&m, d)
		case motions.Withdrawn:
			if m.ProposerID != actor && !facilitator {
				return errs.New(errs.Forbidden, "motion.move.proposer_only")
			}
			if m.ReferralID != 0 && m.BodyKind != bodies.Assembly {
				return errs.New(errs.Conflict, "motion.withdraw.referral")
			}
		}
		m.Status, m.UpdatedAt = to, tx.Now
		closed := int64(0)
		if to == motions.Withdrawn {
			m.ClosedAt, closed = tx.Now, us(tx.Now)
		}
		if _, err := tx.Exec(`UPDATE motions SET status = ?, updated_at = ?, closed_at = ? WHERE id = ?`, to, us(tx.Now), closed, id); err != nil {
			return err
		}
		return tx.Record("motion.moved", m.BodyID, map[string]any{"motion": id, "status": to})
	})
	return m, err
}

// openVote opens a motion's vote for d, deciding first the amendments put
// to a vote.
func (tx *Tx) openVote(m *motions.Motion, d time.Duration) error {
	pending, err := queryAll(tx, func(row scanner, id *int64) error { return row.Scan(id) },
		`SELECT id FROM amendments WHERE motion_id = ? AND status = 'voting' ORDER BY id`, m.ID)
	if err != nil {
		return err
	}
	for _, a := range pending {
		if err := tx.decideAmendment(a); err != nil {
			return err
		}
	}
	if err := tx.QueryRow(`SELECT text FROM motions WHERE id = ?`, m.ID).Scan(&m.Text); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE amendments SET status = 'superseded', decided_at = ? WHERE motion_id = ? AND status = 'open'`, us(tx.Now), m.ID); err != nil {
		return err
	}
	m.Status, m.VotingAt, m.ClosesAt, m.UpdatedAt = motions.Voting, tx.Now, tx.Now.Add(d), tx.Now
	if _, err := tx.Exec(`UPDATE motions SET status = 'voting', voting_at = ?, closes_at = ?, updated_at = ? WHERE id = ?`,
		us(tx.Now), us(m.ClosesAt), us(tx.Now), m.ID); err != nil {
		return err
	}
	return tx.Record("motion.voting", m.BodyID, map[string]any{"motion": m.ID, "text": m.Text, "closes_at": m.ClosesAt})
}

// Vote casts a ballot on a motion. In a committee it is a member's secret
// ballot: who voted goes to one table, what was chosen is counted in
// another, and nothing joins them. In an assembly it is a delegate's public
// vote for one seat (seat: the delegate id; 0 when the person holds just
// one), compared with the base's instruction.
//
// It is the hottest write there is: everything is checked before anything
// is written, so that votes arriving together share a transaction without
// savepoints, and a member's vote takes one read and one write.
func (db *DB) Vote(ctx context.Context, actor, id, seat int64, b motions.Ballot) error {
	return db.updateBatchedClean(ctx, actor, func(tx *Tx) error { return tx.vote(id, seat, b) })
}

func (tx *Tx) vote(id, seat int64, b motions.Ballot) error {
	var m motions.Motion
	var options, rule string
	var closes, members int64
	var public bool
	var role bodies.Role
	err := tx.QueryRow(`SELECT m.status, m.closes_at, m.rule, m.options, m.body_id, b.kind, b.public, b.members, m.proposer_id,
			COALESCE((SELECT role FROM memberships WHERE body_id = m.body_id AND user_id = ?), '')
		FROM motions m JOIN bodies b ON b.id = m.body_id WHERE m.id = ?`, tx.Actor, id).
		Scan(&m.Status, &closes, &rule, &options, &m.BodyID, &m.BodyKind, &public, &members, &m.ProposerID, &role)
	if err != nil {
		return notFound(err, "motion.not_found")
	}
	if m.BodyKind == bodies.Assembly {
		return tx.assemblyVote(id, seat, b)
	}
	if err := check(authz.VoteMotion, authz.Subject{UserID: tx.Actor, Role: role, Public: public, Kind: m.BodyKind}); err != nil {
		return err
	}
	if m.Status == motions.Draft && m.ProposerID != tx.Actor {
		return errs.New(errs.NotFound, "motion.not_found")
	}
	if m.Status != motions.Voting || !tx.Now.Before(fromUS(closes)) {
		return errs.New(errs.Conflict, "motion.vote.closed")
	}
	if err := decodeShape(&m, options, rule); err != nil {
		return err
	}
	key, err := b.Encode(m)
	if err != nil {
		return err
	}
	m.ID = id
	// Nothing is written before this point. The voter is recorded apart
	// from the choice, and a second ballot is refused without a failed
	// statement (which would abort the shared transaction on PostgreSQL).
	counter := "voters"
	if !m.IsOptions() {
		counter = key // yes, no, abstain, block: a column name
	}
	var voters int64
	if tx.db.dialect == Postgres {
		q := `WITH v AS (INSERT INTO motion_voters (motion_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING RETURNING 1)`
		args := []any{id, tx.Actor}
		if m.IsOptions() {
			q += `, r AS (INSERT INTO motion_rankings (motion_id, ranking, weight) SELECT ?, ?, 1 WHERE EXISTS (SELECT 1 FROM v)
				ON CONFLICT (motion_id, ranking) DO UPDATE SET weight = motion_rankings.weight + 1)`
			args = append(args, id, key)
		}
		q += ` UPDATE motions SET ` + setVoters(counter) + ` WHERE id = ? AND EXISTS (SELECT 1 FROM v) RETURNING voters`
		err := tx.QueryRow(q, append(args, id)...).Scan(&voters)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.New(errs.Conflict, "motion.vote.twice")
		}
		if err != nil {
			return err
		}
	} else {
		res, err := tx.Exec(`INSERT INTO motion_voters (motion_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, tx.Actor)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return errs.New(errs.Conflict, "motion.vote.twice")
		}
		if m.IsOptions() {
			if _, err := tx.Exec(`INSERT INTO motion_rankings (motion_id, ranking, weight) VALUES (?, ?, 1)
				ON CONFLICT (motion_id, ranking) DO UPDATE SET weight = motion_rankings.weight + 1`, id, key); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(`UPDATE motions SET `+setVoters(counter)+` WHERE id = ? RETURNING voters`, id).Scan(&voters); err != nil {
			return err
		}
	}
	if err := tx.Record("motion.voted", m.BodyID, map[string]any{"motion": id}); err != nil {
		return err
	}
	if voters >= members {
		// Everyone has voted: nothing can change the outcome. A refusal
		// here would come after writes, so it fails the whole group.
		if err := tx.closeMotion(id); err != nil {
			return fmt.Errorf("closing motion %d: %v", id, err)
		}
	}
	return nil
}

// setVoters is the SET clause that counts a ballot: the choice's counter
// (for a yes/no motion) and the voters.
func setVoters(counter string) string {
	if counter == "voters" {
		return `voters = voters + 1`
	}
	return counter + ` = ` + counter + ` + 1, voters = voters + 1`
}

// assemblyVote is a delegate's vote: the general path, every check first.
func (tx *Tx) assemblyVote(id, seat int64, b motions.Ballot) error {
	m, _, err := tx.motion(id, authz.VoteMotion)
	if err != nil {
		return err
	}
	if m.Status != motions.Voting || !tx.Now.Before(m.ClosesAt) {
		return errs.New(errs.Conflict, "motion.vote.closed")
	}
	key, err := b.Encode(m)
	if err != nil {
		return err
	}
	return tx.delegateVote(m, seat, key)
}

// closeIfAllVoted closes a vote as soon as everyone entitled has voted:
// nothing more can change its outcome.
func (tx *Tx) closeIfAllVoted(id int64) error {
	var voters, entitled int64
	err := tx.QueryRow(`SELECT m.voters, CASE WHEN b.kind = 'assembly'
			THEN (SELECT COUNT(*) FROM delegates d WHERE d.assembly_id = b.id AND d.status = 'seated') ELSE b.members END
		FROM motions m JOIN bodies b ON b.id = m.body_id WHERE m.id = ?`, id).Scan(&voters, &entitled)
	if err != nil || voters < entitled {
		return err
	}
	return tx.closeMotion(id)
}

// delegateVote records a delegate's public vote for one seat.
func (tx *Tx) delegateVote(m motions.Motion, seat int64, key string) error {
	seats, err := tx.seats(m.ID, m.BodyID, tx.Actor)
	if err != nil {
		return err
	}
	var st *Seat
	for i := range seats {
		if seats[i].DelegateID == seat || seat == 0 && len(seats) == 1 {
			st = &seats[i]
		}
	}
	switch {
	case st == nil && seat == 0:
		return errs.Field("seat", "motion.vote.which_seat")
	case st == nil:
		return errs.Field("seat", "motion.vote.not_your_seat")
	case st.Voted:
		return errs.New(errs.Conflict, "motion.vote.twice")
	}
	weight, err := tx.seatWeight(st.DelegateID, m.BodyID, st.BodyID)
	if err != nil {
		return err
	}
	deviates := motions.Deviates(m.Rule, st.Instruction, key)
	// The seat's earlier vote was looked for above, in this transaction:
	// the insert cannot collide.
	if _, err := tx.Exec(`INSERT INTO delegate_votes (motion_id, delegate_id, user_id, body_id, choice, weight, instruction, deviates, cast_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, st.DelegateID, tx.Actor, st.BodyID, key, weight, st.Instruction, deviates, us(tx.Now)); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE motions SET voters = voters + 1 WHERE id = ?`, m.ID); err != nil {
		return err
	}
	if err := tx.Record("motion.delegate_voted", m.BodyID, map[string]any{"motion": m.ID, "delegate": st.DelegateID, "base": st.BodyID,
		"choice": key, "weight": weight, "instruction": st.Instruction, "deviates": deviates}); err != nil {
		return err
	}
	if err := tx.closeIfAllVoted(m.ID); err != nil {
		return fmt.Errorf("closing motion %d: %v", m.ID, err)
	}
	return nil
}

// seatWeight is the weight of a seat's vote: 1, or in an assembly that
// weights by members represented, the seat's share of its base's members.
func (tx *Tx) seatWeight(delegate, assembly, base int64) (int64, error) {
	var weighted bool
	if err := tx.QueryRow(`SELECT weighted FROM bodies WHERE id = ?`, assembly).Scan(&weighted); err != nil || !weighted {
		return 1, err
	}
	var represented int64
	if err := tx.QueryRow(`SELECT represented FROM bodies WHERE id = ?`, base).Scan(&represented); err != nil {
		return 0, err
	}
	ids, err := queryAll(tx, func(row scanner, id *int64) error { return row.Scan(id) },
		`SELECT id FROM delegates WHERE body_id = ? AND assembly_id = ? AND status = 'seated' ORDER BY position, id`, base, assembly)
	if err != nil {
		return 0, err
	}
	w := motions.SeatWeights(represented, len(ids))
	for i, id := range ids {
		if id == delegate {
			return w[i], nil
		}
	}
	return 1, nil
}

// CloseVote closes a motion's vote before its deadline: a facilitator may.
func (db *DB) CloseVote(ctx context.Context, actor, id int64) (motions.Motion, error) {
	var m motions.Motion
	err := db.Update(ctx, actor, func(tx *Tx) error {
		var err error
		if m, _, err = tx.motion(id, authz.ManageVote); err != nil {
			return err
		}
		if m.Status != motions.Voting {
			return errs.New(errs.Conflict, "motion.vote.closed")
		}
		if err := tx.closeMotion(id); err != nil {
			return err
		}
		m, _, err = tx.motion(id, authz.ViewMotions)
		return err
	})
	return m, err
}

// closeMotion counts a motion's online vote and decides it.
func (tx *Tx) closeMotion(id int64) error {
	var m motions.Motion
	if err := scanMotion(tx.QueryRow(`SELECT `+motionColumns+motionFrom+` WHERE m.id = ?`, id), &m); err != nil {
		return err
	}
	if m.Status != motions.Voting {
		return nil
	}
	var d motions.Decision
	var err error
	if m.BodyKind == bodies.Assembly {
		d, err = tx.countDelegates(m)
	} else {
		d, err = tx.countMembers(m)
	}
	if err != nil {
		return err
	}
	return tx.finishMotion(m, d, motions.Online, 0, "")
}

// countMembers counts the secret ballots of a committee's members.
func (tx *Tx) countMembers(m motions.Motion) (motions.Decision, error) {
	var entitled, voters int64
	if err := tx.QueryRow(`SELECT b.members, m.voters FROM bodies b JOIN motions m ON m.body_id = b.id WHERE m.id = ?`, m.ID).Scan(&entitled, &voters); err != nil {
		return motions.Decision{}, err
	}
	entitled = max(entitled, voters)
	if !m.IsOptions() {
		c := voting.Count{Entitled: entitled}
		if err := tx.QueryRow(`SELECT yes, no, abstain, block FROM motions WHERE id = ?`, m.ID).Scan(&c.Yes, &c.No, &c.Abstain, &c.Block); err != nil {
			return motions.Decision{}, err
		}
		o, err := voting.Decide(m.Rule, c)
		return motions.Decision{Count: c, Outcome: &o}, err
	}
	type row struct {
		ranking string
		weight  int64
	}
	rows, err := queryAll(tx, func(r scanner, v *row) error { return r.Scan(&v.ranking, &v.weight) },
		`SELECT ranking, weight FROM motion_rankings WHERE motion_id = ? ORDER BY ranking`, m.ID)
	if err != nil {
		return motions.Decision{}, err
	}
	ballots := make([]voting.Ballot, 0, len(rows))
	for _, r := range rows {
		rk, err := motions.DecodeRanking(r.ranking)
		if err != nil {
			return motions.Decision{}, err
		}
		ballots = append(ballots, voting.Ballot{Ranking: rk, Weight: r.weight})
	}
	return decideOptions(m, ballots, entitled)
}

func decideOptions(m motions.Motion, ballots []voting.Ballot, entitled int64) (motions.Decision, error) {
	tallies := make([]int64, len(m.Options))
	for _, b := range ballots {
		if m.Rule.Kind == voting.Approval {
			for _, i := range b.Ranking {
				tallies[i] += b.Weight
			}
		} else if len(b.Ranking) > 0 {
			tallies[b.Ranking[0]] += b.Weight
		}
	}
	o, err := voting.DecideOptions(m.Rule, m.Options, ballots, entitled)
	return motions.Decision{Tallies: tallies, Options: &o}, err
}

// countDelegates counts the delegates' votes in an assembly, one per seat
// (or weighted), leaving out withdrawn votes. Those entitled are the seats
// held when the vote closes.
func (tx *Tx) countDelegates(m motions.Motion) (motions.Decision, error) {
	var weighted bool
	if err := tx.QueryRow(`SELECT weighted FROM bodies WHERE id = ?`, m.BodyID).Scan(&weighted); err != nil {
		return motions.Decision{}, err
	}
	var entitled int64
	q := `SELECT COUNT(*) FROM delegates WHERE assembly_id = ? AND status = 'seated'`
	if weighted {
		q = `SELECT COALESCE(SUM(b.represented), 0) FROM bodies b WHERE b.id IN (SELECT body_id FROM delegates WHERE assembly_id = ? AND status = 'seated')`
	}
	if err := tx.QueryRow(q, m.BodyID).Scan(&entitled); err != nil {
		return motions.Decision{}, err
	}
	type row struct {
		delegate, body int64
		choice         string
		weight         int64
		instr          string
	}
	rows, err := queryAll(tx, func(r scanner, v *row) error {
		return r.Scan(&v.delegate, &v.body, &v.choice, &v.weight, &v.instr)
	}, `SELECT v.delegate_id, v.body_id, v.choice, v.weight, COALESCE(i.choice, '') FROM delegate_votes v
		LEFT JOIN instructions i ON i.motion_id = v.motion_id AND i.body_id = v.body_id
		WHERE v.motion_id = ? AND NOT v.withdrawn ORDER BY v.delegate_id`, m.ID)
	if err != nil {
		return motions.Decision{}, err
	}
	var c voting.Count
	var ballots []voting.Ballot
	var total int64
	for _, r := range rows {
		total += r.weight
		// The compliance record compares each vote with the instruction as
		// it stands at the close.
		if _, err := tx.Exec(`UPDATE delegate_votes SET instruction = ?, deviates = ? WHERE motion_id = ? AND delegate_id = ?`,
			r.instr, motions.Deviates(m.Rule, r.instr, r.choice), m.ID, r.delegate); err != nil {
			return motions.Decision{}, err
		}
		if m.IsOptions() {
			rk, err := motions.DecodeRanking(r.choice)
			if err != nil {
				return motions.Decision{}, err
			}
			ballots = append(ballots, voting.Ballot{Ranking: rk, Weight: r.weight})
		} else if err := c.Add(r.choice, r.weight); err != nil {
			return motions.Decision{}, err
		}
	}
	entitled = max(entitled, total)
	if m.IsOptions() {
		return decideOptions(m, ballots, entitled)
	}
	c.Entitled = entitled
	o, err := voting.Decide(m.Rule, c)
	return motions.Decision{Count: c, Outcome: &o}, err
}

// finishMotion records a motion's decision, online or in a meeting, and
// carries it where it goes: a referral's aggregation and instructions.
func (tx *Tx) finishMotion(m motions.Motion, d motions.Decision, mode string, meeting int64, decidedOn string) error {
	status, result := motions.StatusOf(d), motions.ResultOf(d)
	outcome, err := json.Marshal(d)
	if err != nil {
		return err
	}
	entitled := d.Count.Entitled
	if d.Options != nil {
		entitled = d.Options.Participation
	}
	if _, err := tx.Exec(`UPDATE motions SET status = ?, result = ?, outcome = ?, entitled = ?, mode = ?, meeting_id = ?, decided_on = ?, closed_at = ?, updated_at = ?
		WHERE id = ?`, status, result, string(outcome), entitled, mode, meeting, decidedOn, us(tx.Now), us(tx.Now), m.ID); err != nil {
		return err
	}
	m.Status, m.Result, m.Decision = status, result, &d
	if err := tx.Record("motion.closed", m.BodyID, map[string]any{"motion": m.ID, "status": status, "result": result, "decision": d,
		"mode": mode, "meeting": meeting, "decided_on": decidedOn}); err != nil {
		return err
	}
	if m.ReferralID != 0 {
		return tx.referralDecided(m)
	}
	return nil
}

// AddComment adds to a motion's discussion, until it is decided.
func (db *DB) AddComment(ctx context.Context, actor, motion int64, text string) (motions.Comment, error) {
	var c motions.Comment
	text, err := bodies.CleanText("text", text, 1, motions.CommentMax, true)
	if err != nil {
		return c, err
	}
	err = db.Update(ctx, actor, func(tx *Tx) error {
		m, _, err := tx.motion(motion, authz.ProposeMotion)
		if err != nil {
			return err
		}
		if !motions.Open(m.Status) {
			return errs.New(errs.Conflict, "motion.comment.closed")
		}
		c = motions.Comment{MotionID: motion, UserID: actor, Text: text, CreatedAt: tx.Now}
		if c.ID, err = tx.Insert(`INSERT INTO motion_comments (motion_id, user_id, text, created_at) VALUES (?, ?, ?, ?)`, motion, actor, text, us(tx.Now)); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT name FROM users WHERE id = ?`, actor).Scan(&c.Name); err != nil {
			return err
		}
		return tx.Record("motion.commented", m.BodyID, map[string]any{"motion": motion, "comment": c.ID, "text": text})
	})
	return c, err
}

// Comments returns the latest 500 comments of a motion's discussion,
// oldest first.
func (db *DB) Comments(ctx context.Context, viewer, motion int64) ([]motions.Comment, error) {
	var out []motions.Comment
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.motion(motion, authz.ViewMotions); err != nil {
			return err
		}
		var err error
		out, err = queryAll(tx, func(row scanner, c *motions.Comment) error {
			var at int64
			err := row.Scan(&c.ID, &c.MotionID, &c.UserID, &c.Name, &c.Text, &at)
			c.CreatedAt = fromUS(at)
			return err
		}, `SELECT c.id, c.motion_id, c.user_id, u.name, c.text, c.created_at FROM motion_comments c JOIN users u ON u.id = c.user_id
			WHERE c.motion_id = ? ORDER BY c.id DESC LIMIT 500`, motion)
		slices.Reverse(out) // the latest 500, oldest first
		return err
	})
	return out, err
}

// ProposeAmendment proposes a new text for a motion in discussion (or a
// draft): never while it is under vote.
func (db *DB) ProposeAmendment(ctx context.Context, actor, motion int64, text, reason string) (motions.Amendment, error) {
	var a motions.Amendment
	text, err := bodies.CleanText("text", text, 1, motions.TextMax, true)
	if err != nil {
		return a, err
	}
	if reason, err = bodies.CleanText("reason", reason, 0, motions.ReasonMax, true); err != nil {
		return a, err
	}
	err = db.Update(ctx, actor, func(tx *Tx) error {
		m, _, err := tx.motion(motion, authz.ProposeMotion)
		if err != nil {
			return err
		}
		switch {
		case m.Status == motions.Voting:
			return errs.New(errs.Conflict, "amendment.under_vote")
		case m.Status != motions.Discussion && m.Status != motions.Draft:
			return errs.New(errs.Conflict, "amendment.closed")
		case text == m.Text:
			return errs.Field("text", "amendment.unchanged")
		}
		a = motions.Amendment{MotionID: motion, ProposerID: actor, Text: text, Reason: reason, Status: motions.AmendOpen, CreatedAt: tx.Now}
		if a.ID, err = tx.Insert(`INSERT INTO amendments (motion_id, proposer_id, text, reason, status, created_at) VALUES (?, ?, ?, ?, 'open', ?)`,
			motion, actor, text, reason, us(tx.Now)); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT name FROM users WHERE id = ?`, actor).Scan(&a.Proposer); err != nil {
			return err
		}
		if m.ProposerID != actor {
			if err := tx.notify(m.ProposerID, fmt.Sprintf("/motions/%d", motion), "notice.amendment_proposed", m.Title); err != nil {
				return err
			}
		}
		return tx.Record("amendment.proposed", m.BodyID, map[string]any{"motion": motion, "amendment": a.ID, "text": text, "reason": reason})
	})
	return a, err
}

func scanAmendment(row scanner, a *motions.Amendment) error {
	var created, decided int64
	err := row.Scan(&a.ID, &a.MotionID, &a.ProposerID, &a.Proposer, &a.Text, &a.Reason, &a.Status, &a.Count.Yes, &a.Count.No, &a.Count.Abstain, &created, &decided)
	a.CreatedAt, a.DecidedAt = fromUS(created), fromUS(decided)
	if a.Status == motions.AmendVoting {
		a.Count = voting.Count{Yes: a.Count.Yes + a.Count.No + a.Count.Abstain} // votes cast so far
	}
	return err
}

const amendmentSelect = `SELECT a.id, a.motion_id, a.proposer_id, u.name, a.text, a.reason, a.status, a.yes, a.no, a.abstain, a.created_at, a.decided_at
	FROM amendments a JOIN users u ON u.id = a.proposer_id`

// amendment loads an amendment and its motion, checking action a.
func (tx *Tx) amendment(id int64, act authz.Action) (motions.Amendment, motions.Motion, authz.Subject, error) {
	var a motions.Amendment
	if err := scanAmendment(tx.QueryRow(amendmentSelect+` WHERE a.id = ?`, id), &a); err != nil {
		return a, motions.Motion{}, authz.Subject{}, notFound(err, "amendment.not_found")
	}
	m, s, err := tx.motion(a.MotionID, act)
	return a, m, s, err
}

// Amendments lists a motion's amendments, oldest first.
func (db *DB) Amendments(ctx context.Context, viewer, motion int64) ([]motions.Amendment, error) {
	var out []motions.Amendment
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.motion(motion, authz.ViewMotions); err != nil {
			return err
		}
		var err error
		if out, err = queryAll(tx, scanAmendment, amendmentSelect+` WHERE a.motion_id = ? ORDER BY a.id`, motion); err != nil {
			return err
		}
		for i := range out {
			if out[i].Status == motions.AmendVoting {
				if out[i].Voted, err = tx.hasVoted(`SELECT COUNT(*) FROM amendment_voters WHERE amendment_id = ? AND user_id = ?`, out[i].ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return out, err
}

// DecideAmendment acts on a pending amendment: "accept" (the motion's
// proposer takes it into the text), "vote" (a facilitator puts it to a
// vote), "close" (a facilitator closes its vote) or "withdraw" (whoever
// proposed it).
func (db *DB) DecideAmendment(ctx context.Context, actor, id int64, act string) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		a, m, s, err := tx.amendment(id, authz.ProposeMotion)
		if err != nil {
			return err
		}
		if m.Status == motions.Voting {
			return errs.New(errs.Conflict, "amendment.under_vote")
		}
		if m.Status != motions.Discussion && m.Status != motions.Draft {
			return errs.New(errs.Conflict, "amendment.closed")
		}
		switch act {
		case "accept":
			if m.ProposerID != actor {
				return errs.New(errs.Forbidden, "amendment.accept.proposer_only")
			}
			if a.Status != motions.AmendOpen && a.Status != motions.AmendVoting {
				return errs.New(errs.Conflict, "amendment.decided")
			}
			return tx.adoptAmendment(a, m, motions.AmendAccepted)
		case "vote":
			if err := authz.Check(authz.ManageVote, s); err != nil {
				return err
			}
			if a.Status != motions.AmendOpen {
				return errs.New(errs.Conflict, "amendment.decided")
			}
			if _, err := tx.Exec(`UPDATE amendments SET status = 'voting' WHERE id = ?`, id); err != nil {
				return err
			}
			return tx.Record("amendment.voting", m.BodyID, map[string]any{"amendment": id})
		case "close":
			if err := authz.Check(authz.ManageVote, s); err != nil {
				return err
			}
			if a.Status != motions.AmendVoting {
				return errs.New(errs.Conflict, "amendment.not_voting")
			}
			return tx.decideAmendment(id)
		case "withdraw":
			if a.ProposerID != actor {
				return errs.New(errs.Forbidden, "amendment.withdraw.proposer_only")
			}
			if a.Status != motions.AmendOpen && a.Status != motions.AmendVoting {
				return errs.New(errs.Conflict, "amendment.decided")
			}
			if _, err := tx.Exec(`UPDATE amendments SET status = 'withdrawn', decided_at = ? WHERE id = ?`, us(tx.Now), id); err != nil {
				return err
			}
			return tx.Record("amendment.withdrawn", m.BodyID, map[string]any{"amendment": id})
		}
		return errs.Field("action", "amendment.action.unknown", act)
	})
}

// adoptAmendment makes an amendment's text the motion's, and supersedes the
// other pending amendments.
func (tx *Tx) adoptAmendment(a motions.Amendment, m motions.Motion, status string) error {
	if _, err := tx.Exec(`UPDATE amendments SET status = ?, decided_at = ? WHERE id = ?`, status, us(tx.Now), a.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE motions SET text = ?, updated_at = ? WHERE id = ?`, a.Text, us(tx.Now), m.ID); err != nil {
		return err
	}
	if err := tx.supersedeAmendments(m.ID); err != nil {
		return err
	}
	return tx.Record("amendment."+status, m.BodyID, map[string]any{"amendment": a.ID, "motion": m.ID, "text": a.Text})
}

func (tx *Tx) supersedeAmendments(motion int64) error {
	_, err := tx.Exec(`UPDATE amendments SET status = 'superseded', decided_at = ? WHERE motion_id = ? AND status IN ('open', 'voting')`, us(tx.Now), motion)
	return err
}

// decideAmendment closes an amendment's vote: adopted with a simple
// majority of votes cast, else rejected.
func (tx *Tx) decideAmendment(id int64) error {
	a, m, _, err := tx.amendment(id, authz.ViewMotions)
	if err != nil {
		return err
	}
	var yes, no, abstain int64
	if err := tx.QueryRow(`SELECT yes, no, abstain FROM amendments WHERE id = ?`, id).Scan(&yes, &no, &abstain); err != nil {
		return err
	}
	if a.Status != motions.AmendVoting {
		return nil
	}
	outcome := motions.AmendmentDecision(yes, no)
	if outcome == motions.AmendAdopted {
		if err := tx.Record("amendment.counted", m.BodyID, map[string]any{"amendment": id, "yes": yes, "no": no, "abstain": abstain}); err != nil {
			return err
		}
		return tx.adoptAmendment(a, m, outcome)
	}
	if _, err := tx.Exec(`UPDATE amendments SET status = 'rejected', decided_at = ? WHERE id = ?`, us(tx.Now), id); err != nil {
		return err
	}
	return tx.Record("amendment.rejected", m.BodyID, map[string]any{"amendment": id, "yes": yes, "no": no, "abstain": abstain})
}

// VoteAmendment casts a yes, no or abstain on an amendment put to a vote,
// counted in place.
func (db *DB) VoteAmendment(ctx context.Context, actor, id int64, choice string) error {
	if choice != voting.Yes && choice != voting.No && choice != voting.Abstain {
		return errs.Field("choice", "motion.ballot.choice")
	}
	return db.UpdateBatched(ctx, actor, func(tx *Tx) error {
		a, m, _, err := tx.amendment(id, authz.VoteMotion)
		if err != nil {
			return err
		}
		if a.Status != motions.AmendVoting {
			return errs.New(errs.Conflict, "amendment.not_voting")
		}
		if _, err := tx.Exec(`INSERT INTO amendment_voters (amendment_id, user_id) VALUES (?, ?)`, id, actor); err != nil {
			if isPrimaryKey(err) {
				return errs.New(errs.Conflict, "motion.vote.twice")
			}
			return err
		}
		if _, err := tx.Exec(`UPDATE amendments SET `+choice+` = `+choice+` + 1 WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.Record("amendment.voted", m.BodyID, map[string]any{"amendment": id})
	})
}

// withdrawVotes withdraws a recalled delegate's votes from the assembly
// votes still open, in the recall's transaction.
func (tx *Tx) withdrawVotes(delegate, assembly int64) (int64, error) {
	res, err := tx.Exec(`UPDATE delegate_votes SET withdrawn = TRUE WHERE delegate_id = ? AND NOT withdrawn
		AND motion_id IN (SELECT id FROM motions WHERE body_id = ? AND status = 'voting')`, delegate, assembly)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return n, err
	}
	// A delegate is recalled once, so the withdrawn votes are exactly the
	// ones just withdrawn: one fewer voter in each of those motions.
	if _, err := tx.Exec(`UPDATE motions SET voters = voters - 1
		WHERE body_id = ? AND status = 'voting' AND id IN (SELECT motion_id FROM delegate_votes WHERE delegate_id = ? AND withdrawn)`, assembly, delegate); err != nil {
		return n, err
	}
	return n, nil
}

// Publish publishes a decided motion as a public communiqué of its body.
func (db *DB) Publish(ctx context.Context, actor, id int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		m, _, err := tx.motion(id, authz.Publish)
		if err != nil {
			return err
		}
		if !motions.Closed(m.Status) || m.Status == motions.Withdrawn {
			return errs.New(errs.Conflict, "communique.not_decided")
		}
		if !m.PublishedAt.IsZero() {
			return errs.New(errs.Conflict, "communique.published")
		}
		if _, err := tx.Exec(`UPDATE motions SET published_at = ? WHERE id = ?`, us(tx.Now), id); err != nil {
			return err
		}
		return tx.Record("motion.published", m.BodyID, map[string]any{"motion": id})
	})
}

// Communiques lists the published decisions, newest first: of one body, or
// of all bodies with body 0. They are public.
func (db *DB) Communiques(ctx context.Context, body int64, limit int) ([]motions.Motion, error) {
	if limit <= 0 || limit > 100 {
		limit = 30
	}
	var out []motions.Motion
	err := db.View(ctx, func(tx *Tx) error {
		q := `SELECT ` + motionColumns + motionFrom + ` WHERE m.published_at > 0`
		args := []any{}
		if body != 0 {
			q += ` AND m.body_id = ?`
			args = append(args, body)
		}
		q += ` ORDER BY m.published_at DESC, m.id DESC LIMIT ?`
		var err error
		out, err = queryAll(tx, scanMotion, q, append(args, limit)...)
		for i := range out {
			anonymous(&out[i])
		}
		return err
	})
	return out, err
}

// anonymous leaves out of a communiqué who proposed it: it speaks for the
// body.
func anonymous(m *motions.Motion) { m.ProposerID, m.Proposer = 0, "" }

// Communique returns one published decision, for anyone.
func (db *DB) Communique(ctx context.Context, id int64) (motions.Motion, error) {
	var m motions.Motion
	err := db.View(ctx, func(tx *Tx) error {
		err := scanMotion(tx.QueryRow(`SELECT `+motionColumns+motionFrom+` WHERE m.id = ? AND m.published_at > 0`, id), &m)
		anonymous(&m)
		return notFound(err, "communique.not_found")
	})
	return m, err
}

// dueMotions returns the motions whose vote is due to close.
func (tx *Tx) dueMotions(now int64) ([]int64, error) {
	return queryAll(tx, func(row scanner, v *int64) error { return row.Scan(v) },
		`SELECT id FROM motions WHERE status = 'voting' AND closes_at <= ?`, now)
}
