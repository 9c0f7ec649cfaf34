package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/motions"
)

const initiativeSelect = `SELECT i.id, i.motion_id, m.title, i.body_id, b.name, i.assembly_id, a.name, i.status, i.supporters, i.threshold,
	i.agenda_id, i.created_at, i.admitted_at
	FROM initiatives i JOIN motions m ON m.id = i.motion_id JOIN bodies b ON b.id = i.body_id JOIN bodies a ON a.id = i.assembly_id`

func scanInitiative(row scanner, in *motions.Initiative) error {
	var created, admitted int64
	err := row.Scan(&in.ID, &in.MotionID, &in.Title, &in.BodyID, &in.BodyName, &in.AssemblyID, &in.AssemblyName, &in.Status,
		&in.Supporters, &in.Threshold, &in.AgendaID, &created, &admitted)
	in.CreatedAt, in.AdmittedAt = fromUS(created), fromUS(admitted)
	return err
}

// affiliated reports whether body belongs to assembly (an accepted
// affiliation).
func (tx *Tx) affiliated(body, assembly int64) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT COUNT(*) FROM affiliations WHERE body_id = ? AND assembly_id = ? AND status = 'accepted'`, body, assembly).Scan(&n)
	return n > 0, err
}

// SendInitiative sends a body's decided motion up to an assembly the body
// belongs to, as a proposal for its agenda: a facilitator of the body may,
// once per motion and assembly. The body is its first supporter; when the
// supporters reach the assembly's threshold the initiative enters the
// agenda by itself.
func (db *DB) SendInitiative(ctx context.Context, actor, motion, assembly int64) (motions.Initiative, error) {
	var in motions.Initiative
	err := db.Update(ctx, actor, func(tx *Tx) error {
		m, _, err := tx.motion(motion, authz.SendInitiative)
		if err != nil {
			return err
		}
		switch {
		case m.Status != motions.Passed && m.Status != motions.Decided:
			return errs.New(errs.Conflict, "initiative.not_passed")
		case m.ReferralID != 0:
			return errs.New(errs.Conflict, "initiative.referral")
		}
		var kind bodies.Kind
		err = tx.QueryRow(`SELECT kind, name, initiative_threshold FROM bodies WHERE id = ?`, assembly).Scan(&kind, &in.AssemblyName, &in.Threshold)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		ok := false
		if err == nil && kind == bodies.Assembly {
			if ok, err = tx.affiliated(m.BodyID, assembly); err != nil {
				return err
			}
		}
		if !ok {
			return errs.Field("assembly", "initiative.not_affiliated")
		}
		in = motions.Initiative{MotionID: motion, Title: m.Title, BodyID: m.BodyID, BodyName: m.BodyName, AssemblyID: assembly,
			AssemblyName: in.AssemblyName, Status: motions.InitiativeOpen, Supporters: 1, Threshold: max(in.Threshold, 1), CreatedAt: tx.Now}
		in.ID, err = tx.Insert(`INSERT INTO initiatives (motion_id, body_id, assembly_id, status, supporters, threshold, created_by, created_at)
			VALUES (?, ?, ?, 'open', 1, ?, ?, ?)`, motion, m.BodyID, assembly, in.Threshold, actor, us(tx.Now))
		if isUnique(err) {
			return errs.New(errs.Conflict, "initiative.already")
		}
		if err != nil {
			return err
		}
		// The sender is its first supporter: it cannot endorse it again.
		if _, err := tx.Exec(`INSERT INTO initiative_endorsements (initiative_id, body_id, endorsed_by, created_at) VALUES (?, ?, ?, ?)`,
			in.ID, m.BodyID, actor, us(tx.Now)); err != nil {
			return err
		}
		if err := tx.Record("initiative.sent", assembly, map[string]any{"initiative": in.ID, "motion": motion, "body": m.BodyID,
			"title": m.Title, "threshold": in.Threshold}); err != nil {
			return err
		}
		if err := tx.notifyFacilitators(assembly, fmt.Sprintf("/bodies/%d/initiatives", assembly), "notice.initiative_sent", m.BodyName, m.Title); err != nil {
			return err
		}
		return tx.admitIfSupported(&in)
	})
	return in, err
}

// EndorseInitiative endorses an initiative in the name of body: a
// facilitator of a body of the assembly, other than the sender, may, once.
// The endorsement that reaches the threshold puts the initiative on the
// assembly's agenda in the same transaction.
func (db *DB) EndorseInitiative(ctx context.Context, actor, initiative, body int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		var in motions.Initiative
		if err := scanInitiative(tx.QueryRow(initiativeSelect+` WHERE i.id = ?`, initiative), &in); err != nil {
			return notFound(err, "initiative.not_found")
		}
		b, _, err := tx.authorize(authz.SendInitiative, body)
		if err != nil {
			return err
		}
		ok, err := tx.affiliated(body, in.AssemblyID)
		if err != nil {
			return err
		}
		switch {
		case in.Status != motions.InitiativeOpen:
			return errs.New(errs.Conflict, "initiative.admitted")
		case body == in.BodyID:
			return errs.New(errs.Conflict, "initiative.endorse.own")
		case !ok:
			return errs.Field("body", "initiative.endorse.not_affiliated", b.Name, in.AssemblyName)
		}
		if _, err := tx.Exec(`INSERT INTO initiative_endorsements (initiative_id, body_id, endorsed_by, created_at) VALUES (?, ?, ?, ?)`,
			initiative, body, actor, us(tx.Now)); err != nil {
			if isPrimaryKey(err) {
				return errs.New(errs.Conflict, "initiative.endorse.twice", b.Name)
			}
			return err
		}
		if err := tx.QueryRow(`UPDATE initiatives SET supporters = supporters + 1 WHERE id = ? RETURNING supporters`, initiative).Scan(&in.Supporters); err != nil {
			return err
		}
		if err := tx.Record("initiative.endorsed", in.AssemblyID, map[string]any{"initiative": initiative, "body": body, "supporters": in.Supporters}); err != nil {
			return err
		}
		return tx.admitIfSupported(&in)
	})
}

// admitIfSupported puts an open initiative with enough supporters on its
// assembly's agenda: a new motion of the assembly, in discussion, with the
// sender's title, text, options and rule (and the assembly's quorum),
// proposed by whoever sent it.
func (tx *Tx) admitIfSupported(in *motions.Initiative) error {
	if in.Status != motions.InitiativeOpen || in.Supporters < in.Threshold {
		return nil
	}
	var src motions.Motion
	if err := scanMotion(tx.QueryRow(`SELECT `+motionColumns+motionFrom+` WHERE m.id = ?`, in.MotionID), &src); err != nil {
		return err
	}
	var sender int64
	if err := tx.QueryRow(`SELECT created_by FROM initiatives WHERE id = ?`, in.ID).Scan(&sender); err != nil {
		return err
	}
	q, err := tx.bodyQuorum(in.AssemblyID)
	if err != nil {
		return err
	}
	rule := src.Rule
	rule.Quorum = q
	m := motions.Motion{BodyID: in.AssemblyID, Title: src.Title, Text: src.Text, Options: src.Options, Rule: rule, ProposerID: sender,
		Status: motions.Discussion, InitiativeID: in.ID}
	if err := tx.insertMotion(&m); err != nil {
		return err
	}
	in.Status, in.AgendaID, in.AdmittedAt = motions.InitiativeAdmitted, m.ID, tx.Now
	if _, err := tx.Exec(`UPDATE initiatives SET status = 'admitted', agenda_id = ?, admitted_at = ? WHERE id = ?`, m.ID, us(tx.Now), in.ID); err != nil {
		return err
	}
	if err := tx.Record("initiative.admitted", in.AssemblyID, map[string]any{"initiative": in.ID, "motion": m.ID, "supporters": in.Supporters}); err != nil {
		return err
	}
	link := fmt.Sprintf("/motions/%d", m.ID)
	if err := tx.notifyFacilitators(in.AssemblyID, link, "notice.initiative_admitted", in.Title, in.AssemblyName); err != nil {
		return err
	}
	return tx.notify(sender, link, "notice.initiative_admitted", in.Title, in.AssemblyName)
}

// mayViewInitiatives checks that the viewer may see an assembly's
// initiatives: those who see its motions, and the members of the bodies
// that belong to it (whose facilitators endorse them).
func (tx *Tx) mayViewInitiatives(assembly int64) error {
	_, s, err := tx.subject(assembly, tx.Actor)
	if err != nil {
		return err
	}
	if authz.Allowed(authz.ViewMotions, s) {
		return nil
	}
	if tx.Actor != 0 {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM affiliations f JOIN memberships ms ON ms.body_id = f.body_id
			WHERE f.assembly_id = ? AND f.status = 'accepted' AND ms.user_id = ?`, assembly, tx.Actor).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
	_, _, err = tx.authorize(authz.ViewMotions, assembly)
	return err
}

// endorsers fills in the names of the bodies that endorsed each initiative
// (not the sender).
func (tx *Tx) endorsers(list []motions.Initiative) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]any, len(list))
	at := map[int64]int{}
	for i, in := range list {
		ids[i] = in.ID
		at[in.ID] = i
	}
	type row struct {
		id   int64
		name string
	}
	rows, err := queryAll(tx, func(r scanner, v *row) error { return r.Scan(&v.id, &v.name) },
		`SELECT e.initiative_id, b.name FROM initiative_endorsements e JOIN initiatives i ON i.id = e.initiative_id JOIN bodies b ON b.id = e.body_id
			WHERE e.initiative_id IN (`+placeholders(len(ids))+`) AND e.body_id <> i.body_id ORDER BY e.initiative_id, e.created_at, b.name`, ids...)
	if err != nil {
		return err
	}
	for _, r := range rows {
		list[at[r.id]].Endorsers = append(list[at[r.id]].Endorsers, r.name)
	}
	return nil
}

// Initiatives lists the initiatives sent to an assembly, open ones first,
// newest first, with the names of the bodies that endorsed them.
func (db *DB) Initiatives(ctx context.Context, viewer, assembly int64) ([]motions.Initiative, error) {
	var out []motions.Initiative
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if err := tx.mayViewInitiatives(assembly); err != nil {
			return err
		}
		var err error
		if out, err = queryAll(tx, scanInitiative, initiativeSelect+` WHERE i.assembly_id = ? ORDER BY i.status DESC, i.id DESC LIMIT 100`, assembly); err != nil {
			return err
		}
		return tx.endorsers(out)
	})
	return out, err
}

// SentInitiatives lists the initiatives a body has sent up, newest first.
func (db *DB) SentInitiatives(ctx context.Context, viewer, body int64) ([]motions.Initiative, error) {
	var out []motions.Initiative
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewMotions, body); err != nil {
			return err
		}
		var err error
		if out, err = queryAll(tx, scanInitiative, initiativeSelect+` WHERE i.body_id = ? ORDER BY i.id DESC LIMIT 100`, body); err != nil {
			return err
		}
		return tx.endorsers(out)
	})
	return out, err
}

// Endorser is a body the viewer facilitates that belongs to an assembly,
// with the initiatives it has sent there or endorsed.
type Endorser struct {
	BodyID    int64   `json:"body_id"`
	Name      string  `json:"name"`
	Supported []int64 `json:"supported,omitempty"`
}

// Supports reports whether the body sent or endorsed initiative.
func (e Endorser) Supports(initiative int64) bool {
	for _, id := range e.Supported {
		if id == initiative {
			return true
		}
	}
	return false
}

// Endorsers lists the bodies in whose name viewer may endorse the
// initiatives of an assembly: those they facilitate that belong to it.
func (db *DB) Endorsers(ctx context.Context, viewer, assembly int64) ([]Endorser, error) {
	var out []Endorser
	err := db.View(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(tx, func(r scanner, e *Endorser) error { return r.Scan(&e.BodyID, &e.Name) },
			`SELECT b.id, b.name FROM memberships ms JOIN affiliations f ON f.body_id = ms.body_id AND f.assembly_id = ? AND f.status = 'accepted'
				JOIN bodies b ON b.id = ms.body_id WHERE ms.user_id = ? AND ms.role = 'facilitator' ORDER BY b.name, b.id LIMIT 50`, assembly, viewer)
		if err != nil || len(out) == 0 {
			return err
		}
		ids := make([]any, 0, len(out)+1)
		at := map[int64]int{}
		for i, e := range out {
			ids = append(ids, e.BodyID)
			at[e.BodyID] = i
		}
		type row struct{ body, initiative int64 }
		rows, err := queryAll(tx, func(r scanner, v *row) error { return r.Scan(&v.body, &v.initiative) },
			`SELECT e.body_id, e.initiative_id FROM initiative_endorsements e JOIN initiatives i ON i.id = e.initiative_id
				WHERE i.assembly_id = ? AND e.body_id IN (`+placeholders(len(ids))+`) ORDER BY e.initiative_id`, append([]any{assembly}, ids...)...)
		for _, r := range rows {
			out[at[r.body]].Supported = append(out[at[r.body]].Supported, r.initiative)
		}
		return err
	})
	return out, err
}
