package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/motions"
	"asamblea/voting"
)

// decisionError names the decision of a meeting record an error is about,
// as the field decisions[i] (or decisions[i].hands), keeping its code and
// message.
func decisionError(err error, i int, sub string) error {
	var e *errs.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Field = fmt.Sprintf("decisions[%d]%s", i, sub)
	return &c
}

// meetingEntitled is how many may vote in body: its members, or the seats
// held in an assembly (as an online vote counts them).
func (tx *Tx) meetingEntitled(b bodies.Body) (int64, error) {
	if b.Kind != bodies.Assembly {
		return int64(b.Members), nil
	}
	var n int64
	err := tx.QueryRow(`SELECT COUNT(*) FROM delegates WHERE assembly_id = ? AND status = 'seated'`, b.ID).Scan(&n)
	return n, err
}

// RecordMeeting records a physical meeting of a body and the decisions
// taken there by a show of hands: a secretary or facilitator may. Each
// decision is on an open motion of the body (in discussion, or voting with
// no vote cast online yet); the motions wait, recorded, until another member
// confirms the record: nothing takes effect before.
func (db *DB) RecordMeeting(ctx context.Context, actor, body int64, in motions.MeetingInput) (motions.Meeting, error) {
	var g motions.Meeting
	err := db.Update(ctx, actor, func(tx *Tx) error {
		b, _, err := tx.authorize(authz.RecordMeeting, body)
		if err != nil {
			return err
		}
		if b.Kind == bodies.Assembly {
			// A show of hands counts people; an assembly that weighs each
			// seat by the members it represents cannot decide by one.
			var weighted bool
			if err := tx.QueryRow(`SELECT weighted FROM bodies WHERE id = ?`, body).Scan(&weighted); err != nil {
				return err
			}
			if weighted {
				return errs.New(errs.Conflict, "meeting.weighted")
			}
		}
		entitled, err := tx.meetingEntitled(b)
		if err != nil {
			return err
		}
		if entitled < 1 {
			return errs.New(errs.Conflict, "meeting.nobody_entitled")
		}
		if err := in.Clean(tx.Now, entitled); err != nil {
			return err
		}
		g = motions.Meeting{BodyID: body, HeldOn: in.HeldOn, Place: in.Place, Attendance: in.Attendance, Notes: in.Notes,
			Status: motions.MeetingPending, RecordedBy: actor, CreatedAt: tx.Now}
		ms := make([]motions.Motion, len(in.Decisions))
		for i, d := range in.Decisions {
			var m motions.Motion
			err := scanMotion(tx.QueryRow(`SELECT `+motionColumns+motionFrom+` WHERE m.id = ?`, d.MotionID), &m)
			if errors.Is(err, sql.ErrNoRows) || err == nil && (m.BodyID != body || m.Status == motions.Draft) {
				return decisionError(errs.Field("decisions", "meeting.motion.not_found", d.MotionID), i, "")
			}
			if err != nil {
				return err
			}
			switch {
			case m.Status != motions.Discussion && m.Status != motions.Voting:
				return decisionError(errs.New(errs.Conflict, "meeting.motion.not_open", m.Title), i, "")
			case m.Voters > 0:
				return decisionError(errs.New(errs.Conflict, "meeting.motion.voted", m.Title, m.Voters), i, "")
			}
			if err := d.Hands.Check(m, in.Attendance); err != nil {
				return decisionError(err, i, ".hands")
			}
			ms[i] = m
			g.Decisions = append(g.Decisions, motions.MeetingDecision{MotionID: m.ID, Title: m.Title, Hands: d.Hands})
		}
		if g.ID, err = tx.Insert(`INSERT INTO meetings (body_id, held_on, place, attendance, notes, status, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)`,
			body, g.HeldOn, g.Place, g.Attendance, g.Notes, actor, us(tx.Now)); err != nil {
			return err
		}
		for _, d := range g.Decisions {
			counts, err := json.Marshal(d.Hands)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO meeting_decisions (meeting_id, motion_id, counts) VALUES (?, ?, ?)`, g.ID, d.MotionID, string(counts)); err != nil {
				return err
			}
			// The motion leaves discussion or its online vote (which no one
			// has used): it waits for the record's confirmation.
			if _, err := tx.Exec(`UPDATE motions SET status = 'recorded', meeting_id = ?, updated_at = ? WHERE id = ?`, g.ID, us(tx.Now), d.MotionID); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(`SELECT name FROM users WHERE id = ?`, actor).Scan(&g.Recorder); err != nil {
			return err
		}
		if err := tx.Record("meeting.recorded", body, map[string]any{"meeting": g.ID, "held_on": g.HeldOn, "place": g.Place,
			"attendance": g.Attendance, "notes": g.Notes, "decisions": g.Decisions}); err != nil {
			return err
		}
		// The other facilitators and secretaries are told a record waits
		// for a second member.
		others, err := queryAll(tx, func(row scanner, id *int64) error { return row.Scan(id) },
			`SELECT user_id FROM memberships WHERE body_id = ? AND role IN ('facilitator', 'secretary') AND user_id <> ? ORDER BY user_id LIMIT 20`, body, actor)
		if err != nil {
			return err
		}
		for _, u := range others {
			if err := tx.notify(u, fmt.Sprintf("/meetings/%d", g.ID), "notice.meeting_recorded", b.Name, g.HeldOn); err != nil {
				return err
			}
		}
		return nil
	})
	return g, err
}

// ConfirmMeeting confirms a meeting record: a member of the body other than
// whoever recorded it may. Each decision then takes effect as an online
// vote's would, decided by its show of hands against those entitled to
// vote, and carried where it goes (a referral's aggregation, the
// instructions of the body's delegates).
func (db *DB) ConfirmMeeting(ctx context.Context, actor, meeting int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		g, err := tx.meeting(meeting)
		if err != nil {
			return err
		}
		b, _, err := tx.authorize(authz.ConfirmMeeting, g.BodyID)
		if err != nil {
			return err
		}
		switch {
		case g.Status != motions.MeetingPending:
			return errs.New(errs.Conflict, "meeting.confirmed")
		case g.RecordedBy == actor:
			return errs.New(errs.Forbidden, "meeting.confirm.own")
		}
		entitled, err := tx.meetingEntitled(b)
		if err != nil {
			return err
		}
		ms := make([]motions.Motion, len(g.Decisions))
		decs := make([]motions.Decision, len(g.Decisions))
		superseded := map[int64]int64{} // motion: its amendments still pending
		for i, d := range g.Decisions {
			m := &ms[i]
			if err := scanMotion(tx.QueryRow(`SELECT `+motionColumns+motionFrom+` WHERE m.id = ?`, d.MotionID), m); err != nil {
				return err
			}
			if m.Status != motions.Recorded || m.MeetingID != meeting {
				return errs.New(errs.Conflict, "meeting.motion.not_open", m.Title)
			}
			if decs[i], err = d.Hands.Decide(*m, g.Attendance, entitled); err != nil {
				return err
			}
			// Amendments still pending were not what the meeting decided.
			res, err := tx.Exec(`UPDATE amendments SET status = 'superseded', decided_at = ? WHERE motion_id = ? AND status IN ('open', 'voting')`, us(tx.Now), m.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				superseded[m.ID] = n
			}
		}
		if _, err := tx.Exec(`UPDATE meetings SET status = 'confirmed', confirmed_by = ?, confirmed_at = ? WHERE id = ?`, actor, us(tx.Now), meeting); err != nil {
			return err
		}
		if err := tx.Record("meeting.confirmed", g.BodyID, map[string]any{"meeting": meeting, "entitled": entitled, "superseded_amendments": superseded}); err != nil {
			return err
		}
		for i := range ms {
			if err := tx.finishMotion(ms[i], decs[i], motions.InMeeting, meeting, g.HeldOn); err != nil {
				return err
			}
		}
		return tx.notify(g.RecordedBy, fmt.Sprintf("/meetings/%d", meeting), "notice.meeting_confirmed", b.Name, g.HeldOn)
	})
}

const meetingSelect = `SELECT g.id, g.body_id, g.held_on, g.place, g.attendance, g.notes, g.status, g.recorded_by, COALESCE(r.name, ''),
	g.confirmed_by, COALESCE(c.name, ''), g.created_at, g.confirmed_at
	FROM meetings g LEFT JOIN users r ON r.id = g.recorded_by LEFT JOIN users c ON c.id = g.confirmed_by`

func scanMeeting(row scanner, g *motions.Meeting) error {
	var created, confirmed int64
	err := row.Scan(&g.ID, &g.BodyID, &g.HeldOn, &g.Place, &g.Attendance, &g.Notes, &g.Status, &g.RecordedBy, &g.Recorder,
		&g.ConfirmedBy, &g.Confirmer, &created, &confirmed)
	g.CreatedAt, g.ConfirmedAt = fromUS(created), fromUS(confirmed)
	return err
}

// meeting loads a meeting record with its decisions; it checks nothing.
func (tx *Tx) meeting(id int64) (motions.Meeting, error) {
	var g motions.Meeting
	if err := scanMeeting(tx.QueryRow(meetingSelect+` WHERE g.id = ?`, id), &g); err != nil {
		return g, notFound(err, "meeting.not_found")
	}
	ds, err := tx.meetingDecisions(`d.meeting_id = ?`, id)
	g.Decisions = ds[id]
	return g, err
}

// meetingDecisions loads the decisions of the meetings that where selects,
// by meeting, in the order of their motions.
func (tx *Tx) meetingDecisions(where string, args ...any) (map[int64][]motions.MeetingDecision, error) {
	type row struct {
		meeting int64
		d       motions.MeetingDecision
	}
	rows, err := queryAll(tx, func(r scanner, v *row) error {
		var counts string
		if err := r.Scan(&v.meeting, &v.d.MotionID, &v.d.Title, &counts); err != nil {
			return err
		}
		return json.Unmarshal([]byte(counts), &v.d.Hands)
	}, `SELECT d.meeting_id, d.motion_id, m.title, d.counts FROM meeting_decisions d JOIN motions m ON m.id = d.motion_id
		WHERE `+where+` ORDER BY d.meeting_id, d.motion_id`, args...)
	if err != nil {
		return nil, err
	}
	out := map[int64][]motions.MeetingDecision{}
	for _, r := range rows {
		out[r.meeting] = append(out[r.meeting], r.d)
	}
	return out, nil
}

// Meeting returns a meeting record with its decisions and the titles of
// their motions, for those who may see the body's motions.
func (db *DB) Meeting(ctx context.Context, viewer, id int64) (motions.Meeting, error) {
	var g motions.Meeting
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		if g, err = tx.meeting(id); err != nil {
			return err
		}
		_, _, err = tx.authorize(authz.ViewMotions, g.BodyID)
		return err
	})
	if err != nil {
		return motions.Meeting{}, err
	}
	return g, nil
}

// Meetings lists a body's meeting records, newest first, with their
// decisions.
func (db *DB) Meetings(ctx context.Context, viewer, body int64) ([]motions.Meeting, error) {
	var out []motions.Meeting
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewMotions, body); err != nil {
			return err
		}
		var err error
		if out, err = queryAll(tx, scanMeeting, meetingSelect+` WHERE g.body_id = ? ORDER BY g.id DESC LIMIT 100`, body); err != nil || len(out) == 0 {
			return err
		}
		ids := make([]any, len(out))
		for i, g := range out {
			ids[i] = g.ID
		}
		ds, err := tx.meetingDecisions(`d.meeting_id IN (`+placeholders(len(ids))+`)`, ids...)
		if err != nil {
			return err
		}
		for i := range out {
			out[i].Decisions = ds[out[i].ID]
		}
		return nil
	})
	return out, err
}

// placeholders returns n comma-separated question marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// MeetingMotions lists the motions of a body a meeting may decide: in
// discussion, or voting with no vote cast online, and not ranked (a show of
// hands cannot rank).
func (db *DB) MeetingMotions(ctx context.Context, viewer, body int64) ([]motions.Motion, error) {
	var out []motions.Motion
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewMotions, body); err != nil {
			return err
		}
		all, err := queryAll(tx, scanMotion, `SELECT `+motionColumns+motionFrom+` WHERE m.body_id = ? AND m.status IN ('discussion', 'voting') AND m.voters = 0
			ORDER BY m.id DESC LIMIT 100`, body)
		for _, m := range all {
			if m.Rule.Kind != voting.IRV && m.Rule.Kind != voting.Schulze {
				out = append(out, m)
			}
		}
		return err
	})
	return out, err
}
