package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"asamblea/accounts"
	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/federation"
)

const bodyColumns = `b.id, b.kind, b.name, b.sector, b.place, b.description, b.public, COALESCE(b.parent_id, 0), b.created_at, b.members,
	b.level, b.seat_mode, b.seat_fixed, b.seat_per, b.seat_min, b.seat_max, b.represented`

// scanBody scans bodyColumns, then any extra columns into extra.
func scanBody(row scanner, b *bodies.Body, extra ...any) error {
	var created int64
	var r federation.SeatRule
	dest := append([]any{&b.ID, &b.Kind, &b.Name, &b.Sector, &b.Place, &b.Description, &b.Public, &b.ParentID, &created, &b.Members,
		&b.Level, &r.Mode, &r.Fixed, &r.PerSeat, &r.Min, &r.Max, &b.Represented}, extra...)
	if err := row.Scan(dest...); err != nil {
		return err
	}
	b.CreatedAt = fromUS(created)
	if r.Mode != "" {
		b.SeatRule = &r
	}
	return nil
}

// subject loads body id and what actor is in it, for an authorization check.
func (tx *Tx) subject(id, actor int64) (bodies.Body, authz.Subject, error) {
	var b bodies.Body
	if err := scanBody(tx.QueryRow(`SELECT `+bodyColumns+` FROM bodies b WHERE b.id = ?`, id), &b); err != nil {
		return b, authz.Subject{}, notFound(err, "body.not_found")
	}
	s := authz.Subject{UserID: actor, Public: b.Public, Kind: b.Kind}
	if actor != 0 {
		role, err := tx.role(id, actor)
		if err != nil {
			return b, s, err
		}
		s.Role = role
		if b.Kind == bodies.Assembly {
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM delegates WHERE assembly_id = ? AND user_id = ? AND status = 'seated'`, id, actor).Scan(&n); err != nil {
				return b, s, err
			}
			s.Delegate = n > 0
		}
	}
	return b, s, nil
}

func (tx *Tx) role(body, user int64) (bodies.Role, error) {
	var r bodies.Role
	err := tx.QueryRow(`SELECT role FROM memberships WHERE body_id = ? AND user_id = ?`, body, user).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return bodies.None, nil
	}
	return r, err
}

// authorize loads body id and checks that actor may do a in it.
func (tx *Tx) authorize(a authz.Action, id int64) (bodies.Body, authz.Subject, error) {
	b, s, err := tx.subject(id, tx.Actor)
	if err != nil {
		return b, s, err
	}
	return b, s, check(a, s)
}

// check checks that subject s may do a; a private body is not revealed to
// those who may not see it, signed in or not (NotFound rather than
// Forbidden, or than asking an anonymous visitor to sign in: either would
// say that the id exists).
func check(a authz.Action, s authz.Subject) error {
	err := authz.Check(a, s)
	if err != nil && !s.Public && s.Role == bodies.None && (errs.Is(err, errs.Forbidden) || errs.Is(err, errs.Unauthorized)) {
		return errs.New(errs.NotFound, "body.not_found")
	}
	return err
}

// CreateCommittee creates a committee whose first facilitator is actor.
func (db *DB) CreateCommittee(ctx context.Context, actor int64, in bodies.Input, validPlace func(string) bool) (bodies.Body, error) {
	if err := authz.Check(authz.CreateBody, authz.Subject{UserID: actor}); err != nil {
		return bodies.Body{}, err
	}
	if err := in.Clean(validPlace); err != nil {
		return bodies.Body{}, err
	}
	b := bodies.Body{Kind: bodies.Committee, Name: in.Name, Sector: in.Sector, Place: in.Place, Description: in.Description, Public: in.Public, Members: 1, Represented: 1}
	err := db.Update(ctx, actor, func(tx *Tx) error {
		b.CreatedAt = tx.Now
		id, err := tx.Insert(`INSERT INTO bodies (kind, name, sector, place, description, public, created_by, created_at, members, represented) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, 1)`,
			b.Kind, b.Name, b.Sector, b.Place, b.Description, b.Public, actor, us(tx.Now))
		if err != nil {
			return err
		}
		b.ID = id
		if err := tx.addAncestry(id); err != nil {
			return err
		}
		if err := tx.insertMembership(id, actor, bodies.Facilitator); err != nil {
			return err
		}
		return tx.Record("body.created", id, map[string]any{"kind": b.Kind, "name": b.Name, "sector": b.Sector, "place": b.Place, "public": b.Public, "facilitator": actor})
	})
	return b, err
}

// Body returns a body as viewer may see it, with viewer's role in it. A
// private body does not exist for those outside it: not even its name is
// shown (a name like "Comité de autodefensa de Ilave" is itself a lead for
// whoever is watching), the same 404 as an id never issued. People reach a
// private body by an invitation.
func (db *DB) Body(ctx context.Context, viewer, id int64) (bodies.Body, bodies.Role, error) {
	var b bodies.Body
	var s authz.Subject
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		b, s, err = tx.authorize(authz.ViewBody, id)
		return err
	})
	if err != nil {
		return bodies.Body{}, bodies.None, err
	}
	if !b.Public && !authz.Allowed(authz.ViewPrivateBody, s) {
		return bodies.Body{}, bodies.None, errs.New(errs.NotFound, "body.not_found")
	}
	return b, s.Role, nil
}

// UpdateBody changes a body's profile.
func (db *DB) UpdateBody(ctx context.Context, actor, id int64, in bodies.Input, validPlace func(string) bool) (bodies.Body, error) {
	if err := in.Clean(validPlace); err != nil {
		return bodies.Body{}, err
	}
	var b bodies.Body
	err := db.Update(ctx, actor, func(tx *Tx) error {
		var err error
		if b, _, err = tx.authorize(authz.EditBody, id); err != nil {
			return err
		}
		b.Name, b.Sector, b.Place, b.Description, b.Public = in.Name, in.Sector, in.Place, in.Description, in.Public
		if _, err := tx.Exec(`UPDATE bodies SET name = ?, sector = ?, place = ?, description = ?, public = ? WHERE id = ?`,
			b.Name, b.Sector, b.Place, b.Description, b.Public, id); err != nil {
			return err
		}
		return tx.Record("body.updated", id, map[string]any{"name": b.Name, "sector": b.Sector, "place": b.Place, "public": b.Public})
	})
	return b, err
}

// BodyFilter selects bodies in the public directory.
type BodyFilter struct {
	Query  string // part of the name
	Place  string // UBIGEO prefix: "21" for Puno department, "2111" for San Román
	Kind   bodies.Kind
	Limit  int
	Offset int
}

// PublicBodies lists public bodies, by name.
func (db *DB) PublicBodies(ctx context.Context, f BodyFilter) ([]bodies.Body, error) {
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	q := `SELECT ` + bodyColumns + ` FROM bodies b WHERE b.public = TRUE`
	var args []any
	if f.Query != "" {
		q += ` AND LOWER(b.name) LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(strings.ToLower(f.Query))+"%")
	}
	if f.Place != "" {
		q += ` AND b.place LIKE ?`
		args = append(args, escapeLike(f.Place)+"%")
	}
	if f.Kind != "" {
		q += ` AND b.kind = ?`
		args = append(args, f.Kind)
	}
	q += ` ORDER BY b.name, b.id LIMIT ? OFFSET ?`
	args = append(args, f.Limit, f.Offset)
	return db.listBodies(ctx, q, args...)
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (db *DB) listBodies(ctx context.Context, q string, args ...any) ([]bodies.Body, error) {
	var out []bodies.Body
	err := db.View(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(tx, func(row scanner, b *bodies.Body) error { return scanBody(row, b) }, q, args...)
		return err
	})
	return out, err
}

// Memberships lists the bodies a person belongs to, with their roles.
func (db *DB) Memberships(ctx context.Context, userID int64) ([]bodies.Membership, error) {
	var out []bodies.Membership
	err := db.View(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(tx, func(row scanner, m *bodies.Membership) error {
			return scanBody(row, &m.Body, &m.Role)
		}, `SELECT `+bodyColumns+`, m.role FROM memberships m JOIN bodies b ON b.id = m.body_id WHERE m.user_id = ? ORDER BY b.name, b.id`, userID)
		return err
	})
	return out, err
}

// RoleCounts is how many members hold each role.
type RoleCounts map[bodies.Role]int

// Members lists a page of a body's members (facilitators, then secretaries,
// then members, each by name) and the count of each role.
func (db *DB) Members(ctx context.Context, viewer, id int64, limit, offset int) ([]bodies.Person, RoleCounts, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []bodies.Person
	counts := RoleCounts{}
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewMembers, id); err != nil {
			return err
		}
		type roleCount struct {
			role bodies.Role
			n    int
		}
		rcs, err := queryAll(tx, func(row scanner, rc *roleCount) error { return row.Scan(&rc.role, &rc.n) },
			`SELECT role, COUNT(*) FROM memberships WHERE body_id = ? GROUP BY role`, id)
		if err != nil {
			return err
		}
		for _, rc := range rcs {
			counts[rc.role] = rc.n
		}
		out, err = queryAll(tx, scanPerson, `SELECT u.id, u.name, m.role, m.joined_at FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.body_id = ? ORDER BY m.sort_key, m.user_id LIMIT ? OFFSET ?`, id, limit, offset)
		return err
	})
	return out, counts, err
}

func scanPerson(row scanner, m *bodies.Person) error {
	var joined int64
	err := row.Scan(&m.UserID, &m.Name, &m.Role, &joined)
	m.JoinedAt = fromUS(joined)
	return err
}

// CreateInvitation makes an invitation code for a body. The code itself is
// returned once and only its hash is kept.
func (db *DB) CreateInvitation(ctx context.Context, actor, body int64, in bodies.InvitationInput) (bodies.Invitation, error) {
	if err := in.Clean(); err != nil {
		return bodies.Invitation{}, err
	}
	inv := bodies.Invitation{BodyID: body, Label: in.Label, MaxUses: in.MaxUses, Code: bodies.NewCode()}
	err := db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.Invite, body); err != nil {
			return err
		}
		inv.CreatedAt = tx.Now
		inv.ExpiresAt = tx.Now.Add(in.ValidFor)
		var err error
		inv.ID, err = tx.Insert(`INSERT INTO invitations (body_id, code_hash, label, max_uses, expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			body, accounts.HashSecret(inv.Code), inv.Label, inv.MaxUses, us(inv.ExpiresAt), actor, us(tx.Now))
		if err != nil {
			return err
		}
		return tx.Record("invitation.created", body, map[string]any{"invitation": inv.ID, "max_uses": inv.MaxUses, "expires_at": inv.ExpiresAt})
	})
	return inv, err
}

const invitationColumns = `id, body_id, label, max_uses, uses, expires_at, revoked_at, created_at`

func scanInvitation(row scanner, inv *bodies.Invitation) error {
	var exp, rev, created int64
	if err := row.Scan(&inv.ID, &inv.BodyID, &inv.Label, &inv.MaxUses, &inv.Uses, &exp, &rev, &created); err != nil {
		return err
	}
	inv.ExpiresAt, inv.RevokedAt, inv.CreatedAt = fromUS(exp), fromUS(rev), fromUS(created)
	return nil
}

// Invitations lists a body's invitations, newest first.
func (db *DB) Invitations(ctx context.Context, actor, body int64) ([]bodies.Invitation, error) {
	var out []bodies.Invitation
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = actor
		if _, _, err := tx.authorize(authz.Invite, body); err != nil {
			return err
		}
		var err error
		out, err = queryAll(tx, scanInvitation, `SELECT `+invitationColumns+` FROM invitations WHERE body_id = ? ORDER BY id DESC LIMIT 200`, body)
		return err
	})
	return out, err
}

// RevokeInvitation stops an invitation from being used.
func (db *DB) RevokeInvitation(ctx context.Context, actor, body, id int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.Invite, body); err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE invitations SET revoked_at = ? WHERE id = ? AND body_id = ? AND revoked_at = 0`, us(tx.Now), id, body)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.NotFound, "invitation.not_found")
		}
		return tx.Record("invitation.revoked", body, map[string]any{"invitation": id})
	})
}

// InvitationBody returns the body an invitation code leads to, for the page
// that asks a person to confirm joining.
func (db *DB) InvitationBody(ctx context.Context, code string) (bodies.Body, error) {
	var b bodies.Body
	err := db.View(ctx, func(tx *Tx) error {
		inv, err := tx.invitation(code)
		if err != nil {
			return err
		}
		return scanBody(tx.QueryRow(`SELECT `+bodyColumns+` FROM bodies b WHERE b.id = ?`, inv.BodyID), &b)
	})
	return b, err
}

func (tx *Tx) invitation(code string) (bodies.Invitation, error) {
	var inv bodies.Invitation
	code = bodies.NormalizeCode(code)
	if code == "" {
		return inv, errs.Field("code", "error.required")
	}
	err := scanInvitation(tx.QueryRow(`SELECT `+invitationColumns+` FROM invitations WHERE code_hash = ?`, accounts.HashSecret(code)), &inv)
	if err != nil {
		return inv, notFound(err, "invitation.not_found")
	}
	if key := inv.Status(tx.Now); key != "" {
		return inv, errs.Field("code", key)
	}
	return inv, nil
}

// Join makes actor a member of the body an invitation code leads to.
func (db *DB) Join(ctx context.Context, actor int64, code string) (bodies.Body, error) {
	var b bodies.Body
	err := db.Update(ctx, actor, func(tx *Tx) error {
		inv, err := tx.invitation(code)
		if err != nil {
			return err
		}
		if b, _, err = tx.subject(inv.BodyID, actor); err != nil {
			return err
		}
		if err := tx.addMember(inv.BodyID, actor); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE invitations SET uses = uses + 1 WHERE id = ?`, inv.ID); err != nil {
			return err
		}
		b.Members++
		return tx.Record("member.joined", inv.BodyID, map[string]any{"user": actor, "invitation": inv.ID})
	})
	return b, err
}

func (tx *Tx) addMember(body, user int64) error {
	err := tx.insertMembership(body, user, bodies.Member)
	if isPrimaryKey(err) {
		return errs.New(errs.Conflict, "body.already_member")
	}
	if err != nil {
		return err
	}
	return tx.changeMembers(body, +1)
}

// roleRank orders the member list: facilitators, secretaries, members.
func roleRank(r bodies.Role) string {
	switch r {
	case bodies.Facilitator:
		return "0"
	case bodies.Secretary:
		return "1"
	}
	return "2"
}

// insertMembership adds user to body with role; the member list is kept in
// order by an index on (body, role rank, name).
func (tx *Tx) insertMembership(body, user int64, role bodies.Role) error {
	_, err := tx.Exec(`INSERT INTO memberships (body_id, user_id, role, joined_at, sort_key) SELECT ?, id, ?, ?, ? || name_key FROM users WHERE id = ?`,
		body, role, us(tx.Now), roleRank(role), user)
	return err
}

func (tx *Tx) removeMember(body, user int64, from bodies.Role) error {
	if from == bodies.Facilitator {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM memberships WHERE body_id = ? AND role = ?`, body, bodies.Facilitator).Scan(&n); err != nil {
			return err
		}
		if err := bodies.CheckRoleChange(n, from, bodies.None); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(`DELETE FROM memberships WHERE body_id = ? AND user_id = ?`, body, user); err != nil {
		return err
	}
	// Whoever leaves a body no longer represents it.
	if err := tx.endDelegations(body, user); err != nil {
		return err
	}
	return tx.changeMembers(body, -1)
}

// RequestToJoin asks to join a body; a facilitator decides.
func (db *DB) RequestToJoin(ctx context.Context, actor, body int64, message string) (bodies.JoinRequest, error) {
	message, err := bodies.CleanText("message", message, 0, bodies.ReasonMax, true)
	if err != nil {
		return bodies.JoinRequest{}, err
	}
	r := bodies.JoinRequest{BodyID: body, UserID: actor, Message: message, Status: "pending"}
	err = db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.RequestToJoin, body); err != nil {
			if errs.Is(err, errs.Forbidden) {
				return errs.New(errs.Conflict, "body.already_member")
			}
			return err
		}
		r.CreatedAt = tx.Now
		r.ID, err = tx.Insert(`INSERT INTO join_requests (body_id, user_id, message, status, created_at) VALUES (?, ?, ?, 'pending', ?)`, body, actor, message, us(tx.Now))
		if isUnique(err) {
			return errs.New(errs.Conflict, "request.pending")
		}
		if err != nil {
			return err
		}
		return tx.Record("request.created", body, map[string]any{"request": r.ID, "user": actor})
	})
	return r, err
}

// JoinRequests lists a body's pending join requests.
func (db *DB) JoinRequests(ctx context.Context, actor, body int64) ([]bodies.JoinRequest, error) {
	var out []bodies.JoinRequest
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = actor
		if _, _, err := tx.authorize(authz.DecideRequests, body); err != nil {
			return err
		}
		var err error
		out, err = queryAll(tx, func(row scanner, r *bodies.JoinRequest) error {
			var c int64
			err := row.Scan(&r.ID, &r.BodyID, &r.UserID, &r.Name, &r.Message, &r.Status, &c)
			r.CreatedAt = fromUS(c)
			return err
		}, `SELECT r.id, r.body_id, r.user_id, u.name, r.message, r.status, r.created_at FROM join_requests r JOIN users u ON u.id = r.user_id
			WHERE r.body_id = ? AND r.status = 'pending' ORDER BY r.id LIMIT 500`, body)
		return err
	})
	return out, err
}

// DecideRequest approves (the person becomes a member) or refuses (with a
// reason) a pending join request.
func (db *DB) DecideRequest(ctx context.Context, actor, body, id int64, approve bool, reason string) error {
	reason, err := bodies.CleanText("reason", reason, 0, bodies.ReasonMax, true)
	if err != nil {
		return err
	}
	if !approve && reason == "" {
		return errs.Field("reason", "error.required")
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.DecideRequests, body); err != nil {
			return err
		}
		var user int64
		err := tx.QueryRow(`SELECT user_id FROM join_requests WHERE id = ? AND body_id = ? AND status = 'pending'`, id, body).Scan(&user)
		if err != nil {
			return notFound(err, "request.not_found")
		}
		status := "refused"
		if approve {
			status = "approved"
			if err := tx.addMember(body, user); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE join_requests SET status = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?`, status, reason, actor, us(tx.Now), id); err != nil {
			return err
		}
		var name string
		if err := tx.QueryRow(`SELECT name FROM bodies WHERE id = ?`, body).Scan(&name); err != nil {
			return err
		}
		if err := tx.notify(user, fmt.Sprintf("/bodies/%d", body), "notice.request_"+status, name, reason); err != nil {
			return err
		}
		return tx.Record("request."+status, body, map[string]any{"request": id, "user": user, "reason": reason})
	})
}

// SetRole gives a member a role. A body always keeps one facilitator.
func (db *DB) SetRole(ctx context.Context, actor, body, user int64, role bodies.Role) error {
	if !bodies.ValidRole(role) {
		return errs.Field("role", "body.role.unknown")
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.ChangeRoles, body); err != nil {
			return err
		}
		from, err := tx.role(body, user)
		if err != nil {
			return err
		}
		if from == bodies.None {
			return errs.New(errs.NotFound, "body.member.not_found")
		}
		if from == role {
			return nil
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM memberships WHERE body_id = ? AND role = ?`, body, bodies.Facilitator).Scan(&n); err != nil {
			return err
		}
		if err := bodies.CheckRoleChange(n, from, role); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE memberships SET role = ?, sort_key = ? || substr(sort_key, 2) WHERE body_id = ? AND user_id = ?`, role, roleRank(role), body, user); err != nil {
			return err
		}
		return tx.Record("member.role", body, map[string]any{"user": user, "from": from, "to": role})
	})
}

// RemoveMember removes a member from a body, with a reason.
func (db *DB) RemoveMember(ctx context.Context, actor, body, user int64, reason string) error {
	reason, err := bodies.CleanText("reason", reason, 1, bodies.ReasonMax, true)
	if err != nil {
		return err
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.RemoveMember, body); err != nil {
			return err
		}
		from, err := tx.role(body, user)
		if err != nil {
			return err
		}
		if from == bodies.None {
			return errs.New(errs.NotFound, "body.member.not_found")
		}
		if err := tx.removeMember(body, user, from); err != nil {
			return err
		}
		return tx.Record("member.removed", body, map[string]any{"user": user, "reason": reason})
	})
}

// Leave takes actor out of a body.
func (db *DB) Leave(ctx context.Context, actor, body int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		_, s, err := tx.authorize(authz.Leave, body)
		if err != nil {
			return err
		}
		if err := tx.removeMember(body, actor, s.Role); err != nil {
			return err
		}
		return tx.Record("member.left", body, map[string]any{"user": actor})
	})
}

// Member returns one member of a body, for a facilitator managing them.
func (db *DB) Member(ctx context.Context, actor, body, user int64) (bodies.Person, error) {
	var m bodies.Person
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = actor
		if _, _, err := tx.authorize(authz.ChangeRoles, body); err != nil {
			return err
		}
		err := scanPerson(tx.QueryRow(`SELECT u.id, u.name, m.role, m.joined_at FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.body_id = ? AND m.user_id = ?`, body, user), &m)
		return notFound(err, "body.member.not_found")
	})
	return m, err
}
