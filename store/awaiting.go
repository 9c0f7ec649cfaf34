package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"asamblea/bodies"
	"asamblea/motions"
)

// AwaitingLimit bounds the list of what awaits a person.
const AwaitingLimit = 100

// Awaiting lists what waits for viewer's act, newest first: the open votes
// of the bodies where they vote that they have not voted in (a member's
// motions, amendments, delegate elections and recalls; a delegate's
// assembly motions, for a seat that has not voted; a referral's copy shows
// as a referral), and the meeting records of their bodies, recorded by
// someone else, that wait for a second member.
//
// It takes a handful of queries, each driven by an index from the viewer's
// own bodies, whatever the size of the federation.
func (db *DB) Awaiting(ctx context.Context, viewer int64) ([]motions.Awaiting, error) {
	var out []motions.Awaiting
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		now := us(tx.Now)
		type mine struct {
			id   int64
			kind bodies.Kind
		}
		ms, err := queryAll(tx, func(r scanner, v *mine) error { return r.Scan(&v.id, &v.kind) },
			`SELECT ms.body_id, b.kind FROM memberships ms JOIN bodies b ON b.id = ms.body_id WHERE ms.user_id = ?`, viewer)
		if err != nil {
			return err
		}
		seats, err := queryAll(tx, func(r scanner, v *int64) error { return r.Scan(v) },
			`SELECT DISTINCT assembly_id FROM delegates WHERE user_id = ? AND status = 'seated'`, viewer)
		if err != nil {
			return err
		}
		// member: the bodies the viewer belongs to (meeting records);
		// committees: those where they vote as a member; voter: those and
		// the assemblies where they hold a seat.
		var member, committees, voter []any
		for _, m := range ms {
			member = append(member, m.id)
			if m.kind != bodies.Assembly {
				committees = append(committees, m.id)
				voter = append(voter, m.id)
			}
		}
		for _, a := range seats {
			voter = append(voter, a)
		}
		if len(member) == 0 && len(voter) == 0 {
			return nil
		}
		add := func(q string, scan func(scanner, *motions.Awaiting) error, ids []any, args ...any) error {
			if len(ids) == 0 {
				return nil
			}
			q = fmt.Sprintf(q, placeholders(len(ids)))
			rows, err := queryAll(tx, scan, q, append(append([]any{}, ids...), args...)...)
			out = append(out, rows...)
			return err
		}
		scanVote := func(r scanner, a *motions.Awaiting) error {
			var referral, since, deadline int64
			if err := r.Scan(&a.ID, &a.BodyID, &a.BodyName, &a.Title, &referral, &since, &deadline); err != nil {
				return err
			}
			a.Kind, a.Link = motions.AwaitVote, fmt.Sprintf("/motions/%d", a.ID)
			if referral != 0 {
				a.Kind = motions.AwaitReferral
			}
			a.Since, a.Deadline = fromUS(since), fromUS(deadline)
			return nil
		}
		// A member's secret ballots.
		if err := add(`SELECT m.id, m.body_id, b.name, m.title, m.referral_id, m.voting_at, m.closes_at FROM motions m`+tx.indexedBy("motions_body")+` JOIN bodies b ON b.id = m.body_id
			WHERE m.body_id IN (%s) AND m.status = 'voting' AND m.closes_at > ?
			AND NOT EXISTS (SELECT 1 FROM motion_voters v WHERE v.motion_id = m.id AND v.user_id = ?)
			ORDER BY m.voting_at DESC LIMIT 100`, scanVote, committees, now, viewer); err != nil {
			return err
		}
		// A delegate's votes, while one of their seats has not voted.
		if err := add(`SELECT m.id, m.body_id, b.name, m.title, m.referral_id, m.voting_at, m.closes_at FROM motions m`+tx.indexedBy("motions_body")+` JOIN bodies b ON b.id = m.body_id
			WHERE m.body_id IN (%s) AND m.status = 'voting' AND m.closes_at > ?
			AND EXISTS (SELECT 1 FROM delegates d WHERE d.user_id = ? AND d.assembly_id = m.body_id AND d.status = 'seated'
				AND NOT EXISTS (SELECT 1 FROM delegate_votes v WHERE v.motion_id = m.id AND v.delegate_id = d.id))
			ORDER BY m.voting_at DESC LIMIT 100`, scanVote, anyOf(seats), now, viewer); err != nil {
			return err
		}
		// Amendments put to a vote.
		if err := add(`SELECT a.id, m.id, m.body_id, b.name, m.title, a.created_at FROM motions m`+tx.indexedBy("motions_body")+` JOIN amendments a ON a.motion_id = m.id
			JOIN bodies b ON b.id = m.body_id
			WHERE m.body_id IN (%s) AND m.status = 'discussion' AND a.status = 'voting'
			AND NOT EXISTS (SELECT 1 FROM amendment_voters v WHERE v.amendment_id = a.id AND v.user_id = ?)
			ORDER BY a.created_at DESC LIMIT 100`, func(r scanner, a *motions.Awaiting) error {
			var motion, since int64
			err := r.Scan(&a.ID, &motion, &a.BodyID, &a.BodyName, &a.Title, &since)
			a.Kind, a.Link, a.Since = motions.AwaitAmendment, fmt.Sprintf("/motions/%d", motion), fromUS(since)
			return err
		}, voter, viewer); err != nil {
			return err
		}
		// Delegate elections (the title is the assembly's name).
		if err := add(`SELECT e.id, e.body_id, b.name, a.name, e.created_at, e.closes_at FROM elections e`+tx.indexedBy("elections_open")+`
			JOIN bodies b ON b.id = e.body_id JOIN bodies a ON a.id = e.assembly_id
			WHERE e.body_id IN (%s) AND e.status = 'open' AND e.closes_at > ?
			AND NOT EXISTS (SELECT 1 FROM election_voters v WHERE v.election_id = e.id AND v.user_id = ?)
			ORDER BY e.created_at DESC LIMIT 100`, func(r scanner, a *motions.Awaiting) error {
			var since, deadline int64
			err := r.Scan(&a.ID, &a.BodyID, &a.BodyName, &a.Title, &since, &deadline)
			a.Kind, a.Link, a.Since, a.Deadline = motions.AwaitElection, fmt.Sprintf("/elections/%d", a.ID), fromUS(since), fromUS(deadline)
			return err
		}, voter, now, viewer); err != nil {
			return err
		}
		// Recalls of the delegates of the viewer's bodies (the title is the
		// delegate's name).
		if err := add(`SELECT r.id, r.body_id, b.name, u.name, r.created_at, r.closes_at FROM delegates d
			JOIN recalls r`+tx.indexedBy("recalls_open")+` ON r.delegate_id = d.id JOIN users u ON u.id = d.user_id JOIN bodies b ON b.id = r.body_id
			WHERE d.body_id IN (%s) AND r.status = 'open' AND r.closes_at > ?
			AND NOT EXISTS (SELECT 1 FROM recall_voters v WHERE v.recall_id = r.id AND v.user_id = ?)
			ORDER BY r.created_at DESC LIMIT 100`, func(r scanner, a *motions.Awaiting) error {
			var since, deadline int64
			err := r.Scan(&a.ID, &a.BodyID, &a.BodyName, &a.Title, &since, &deadline)
			a.Kind, a.Link, a.Since, a.Deadline = motions.AwaitRecall, fmt.Sprintf("/recalls/%d", a.ID), fromUS(since), fromUS(deadline)
			return err
		}, voter, now, viewer); err != nil {
			return err
		}
		// Meeting records waiting for a second member (the title is the
		// place of the meeting).
		if err := add(`SELECT g.id, g.body_id, b.name, g.place, g.created_at FROM meetings g JOIN bodies b ON b.id = g.body_id
			WHERE g.body_id IN (%s) AND g.status = 'pending' AND g.recorded_by <> ?
			ORDER BY g.id DESC LIMIT 100`, func(r scanner, a *motions.Awaiting) error {
			var since int64
			err := r.Scan(&a.ID, &a.BodyID, &a.BodyName, &a.Title, &since)
			a.Kind, a.Link, a.Since = motions.AwaitConfirmation, fmt.Sprintf("/meetings/%d", a.ID), fromUS(since)
			return err
		}, member, viewer); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b motions.Awaiting) int {
		return cmp.Or(b.Since.Compare(a.Since), cmp.Compare(a.Kind, b.Kind), cmp.Compare(b.ID, a.ID))
	})
	if len(out) > AwaitingLimit {
		out = out[:AwaitingLimit]
	}
	return out, nil
}

// indexedBy names the index SQLite must use on a table. With no statistics
// its planner prefers the indexes on (status, closes_at), which span every
// open vote of the federation, to those of the viewer's few bodies.
// PostgreSQL plans from its statistics.
func (tx *Tx) indexedBy(index string) string {
	if tx.db.dialect == SQLite {
		return " INDEXED BY " + index
	}
	return ""
}

func anyOf(ids []int64) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
