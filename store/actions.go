package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"asamblea/actions"
	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/motions"
	"asamblea/places"
)

// Photo is a photo re-encoded without metadata (package photos makes one),
// as the store keeps it.
type Photo struct {
	Data          []byte
	Width, Height int
	SHA256        string
}

const actionColumns = `a.id, a.body_id, b.name, a.kind, a.title, a.description, a.place, a.lat, a.lon, a.route, a.starts, a.ends,
	a.motion_id, a.visibility, a.status, a.repressed_at, a.ended_at, a.adherents, a.mobilised, a.created_by, a.created_at, a.updated_at`

const actionFrom = ` FROM actions a JOIN bodies b ON b.id = a.body_id`

func scanAction(row scanner, a *actions.Action) error {
	var lat, lon sql.NullFloat64
	var route string
	var starts, ends, repressed, ended, created, updated int64
	if err := row.Scan(&a.ID, &a.BodyID, &a.BodyName, &a.Kind, &a.Title, &a.Description, &a.Place, &lat, &lon, &route, &starts, &ends,
		&a.MotionID, &a.Visibility, &a.Status, &repressed, &ended, &a.Adherents, &a.Mobilised, &a.CreatedBy, &created, &updated); err != nil {
		return err
	}
	if lat.Valid && lon.Valid {
		a.Lat, a.Lon = &lat.Float64, &lon.Float64
	}
	a.Route = nil
	if route != "" {
		if err := json.Unmarshal([]byte(route), &a.Route); err != nil {
			return err
		}
	}
	a.Start, a.CreatedAt, a.UpdatedAt = fromUS(starts), fromUS(created), fromUS(updated)
	a.End, a.RepressedAt, a.EndedAt = optTime(ends), optTime(repressed), optTime(ended)
	a.Repressed = repressed != 0
	return nil
}

func optTime(n int64) *time.Time {
	if n == 0 {
		return nil
	}
	t := fromUS(n)
	return &t
}

func optUS(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return us(*t)
}

func routeJSON(r []string) (string, error) {
	if len(r) == 0 {
		return "", nil
	}
	b, err := json.Marshal(r)
	return string(b), err
}

// Access is how much of an action a viewer sees.
type Access int

// The levels of access to an action.
const (
	NoAccess     Access = iota
	PublicAccess        // a public action seen from outside its circle
	CircleAccess        // a member of a body that may see it: its caller, an adherent, or (for federation and public actions) any body under the same assemblies
)

// action loads action id, or NotFound.
func (tx *Tx) action(id int64) (actions.Action, error) {
	var a actions.Action
	err := scanAction(tx.QueryRow(`SELECT `+actionColumns+actionFrom+` WHERE a.id = ?`, id), &a)
	return a, notFound(err, "action.not_found")
}

// access tells how much of a the actor of tx sees.
func (tx *Tx) access(a actions.Action) (Access, error) {
	if tx.Actor != 0 {
		var n int
		// The caller's members and the adherents' members are in the circle.
		if err := tx.QueryRow(`SELECT COUNT(*) FROM memberships WHERE user_id = ? AND (body_id = ?
				OR body_id IN (SELECT body_id FROM action_adhesions WHERE action_id = ?))`, tx.Actor, a.BodyID, a.ID).Scan(&n); err != nil {
			return NoAccess, err
		}
		if n > 0 {
			return CircleAccess, nil
		}
		if a.Visibility != actions.BodyOnly {
			// So is any member of a body that shares an assembly with the
			// caller, at any depth.
			in, err := tx.inFederation(a.BodyID)
			if err != nil {
				return NoAccess, err
			}
			if in {
				return CircleAccess, nil
			}
		}
	}
	if a.Visibility == actions.Public {
		return PublicAccess, nil
	}
	return NoAccess, nil
}

// visibleAction loads action id if the actor of tx may see it: NotFound
// otherwise, so that an action's existence is not confirmed to outsiders.
func (tx *Tx) visibleAction(id int64) (actions.Action, Access, error) {
	a, err := tx.action(id)
	if err != nil {
		return a, NoAccess, err
	}
	acc, err := tx.access(a)
	if err != nil {
		return a, NoAccess, err
	}
	if acc == NoAccess {
		return actions.Action{}, NoAccess, errs.New(errs.NotFound, "action.not_found")
	}
	return a, acc, nil
}

// CallAction calls an action in a body's name: a secretary or facilitator
// may. The decision that called it, when given, must be one of the body's
// motions that passed.
func (db *DB) CallAction(ctx context.Context, actor, body int64, in actions.Input, valid func(string) bool) (actions.Action, error) {
	var a actions.Action
	err := db.Update(ctx, actor, func(tx *Tx) error {
		b, _, err := tx.authorize(authz.CallAction, body)
		if err != nil {
			return err
		}
		if err := in.Clean(valid, tx.Now, time.Time{}); err != nil {
			return err
		}
		if err := tx.checkCallingMotion(body, in.MotionID); err != nil {
			return err
		}
		route, err := routeJSON(in.Route)
		if err != nil {
			return err
		}
		members := b.Members
		if b.Kind == bodies.Assembly {
			members = b.Represented
		}
		id, err := tx.Insert(`INSERT INTO actions (body_id, kind, title, description, place, department, lat, lon, route, starts, ends, motion_id, visibility, status,
				mobilised, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'called', ?, ?, ?, ?)`,
			body, in.Kind, in.Title, in.Description, in.Place, places.DepartmentOf(in.Place), in.Lat, in.Lon, route, us(in.Start), optUS(in.End),
			in.MotionID, in.Visibility, members, actor, us(tx.Now), us(tx.Now))
		if err != nil {
			return err
		}
		if err := tx.rescopeAction(id); err != nil {
			return err
		}
		if err := tx.Record("action.called", body, map[string]any{"action": id, "input": in}); err != nil {
			return err
		}
		a, err = tx.action(id)
		return err
	})
	return a, err
}

// checkCallingMotion checks that motion (0 for none) is a decision the body
// took: one of its motions that passed or chose an option.
func (tx *Tx) checkCallingMotion(body, motion int64) error {
	if motion == 0 {
		return nil
	}
	var status string
	err := tx.QueryRow(`SELECT status FROM motions WHERE id = ? AND body_id = ?`, motion, body).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.Field("motion_id", "action.motion.not_found")
	}
	if err != nil {
		return err
	}
	if status != motions.Passed && status != motions.Decided {
		return errs.Field("motion_id", "action.motion.not_decided")
	}
	return nil
}

// EditAction corrects an action: the calling body's secretaries and
// facilitators may, until it has ended.
func (db *DB) EditAction(ctx context.Context, actor, id int64, in actions.Input, valid func(string) bool) (actions.Action, error) {
	var a actions.Action
	err := db.Update(ctx, actor, func(tx *Tx) error {
		old, _, err := tx.visibleAction(id)
		if err != nil {
			return err
		}
		if _, _, err := tx.authorize(authz.CallAction, old.BodyID); err != nil {
			return err
		}
		if old.Status == actions.Ended {
			return errs.New(errs.Conflict, "action.ended")
		}
		if err := in.Clean(valid, tx.Now, old.Start); err != nil {
			return err
		}
		if err := tx.checkCallingMotion(old.BodyID, in.MotionID); err != nil {
			return err
		}
		route, err := routeJSON(in.Route)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE actions SET kind = ?, title = ?, description = ?, place = ?, department = ?, lat = ?, lon = ?, route = ?, starts = ?, ends = ?,
				motion_id = ?, visibility = ?, updated_at = ? WHERE id = ?`,
			in.Kind, in.Title, in.Description, in.Place, places.DepartmentOf(in.Place), in.Lat, in.Lon, route, us(in.Start), optUS(in.End),
			in.MotionID, in.Visibility, us(tx.Now), id); err != nil {
			return err
		}
		if err := tx.rescopeAction(id); err != nil {
			return err
		}
		if err := tx.Record("action.edited", old.BodyID, map[string]any{"action": id, "input": in}); err != nil {
			return err
		}
		a, err = tx.action(id)
		return err
	})
	return a, err
}

// SetActionStatus moves an action to another status: the calling body's
// secretaries and facilitators may.
func (db *DB) SetActionStatus(ctx context.Context, actor, id int64, to actions.Status) error {
	if !to.Valid() {
		return errs.Field("status", "action.status.unknown")
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		a, _, err := tx.visibleAction(id)
		if err != nil {
			return err
		}
		if _, _, err := tx.authorize(authz.CallAction, a.BodyID); err != nil {
			return err
		}
		if !actions.CanMove(a.Status, to) {
			return errs.New(errs.Conflict, "action.status.cannot", string(a.Status), string(to))
		}
		var ended int64
		if to == actions.Ended {
			ended = us(tx.Now)
		}
		if _, err := tx.Exec(`UPDATE actions SET status = ?, ended_at = ?, updated_at = ? WHERE id = ?`, to, ended, us(tx.Now), id); err != nil {
			return err
		}
		if err := tx.countScope(-1, `action_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE action_scope SET status = ?, ended_at = ? WHERE action_id = ?`, to, ended, id); err != nil {
			return err
		}
		if err := tx.countScope(+1, `action_id = ?`, id); err != nil {
			return err
		}
		return tx.Record("action.status", a.BodyID, map[string]any{"action": id, "from": a.Status, "to": to})
	})
}

// actingBody checks that the actor of tx may do what in body, and that body
// called or joined action a.
func (tx *Tx) actingBody(what authz.Action, a actions.Action, body int64) (bodies.Body, error) {
	b, _, err := tx.authorize(what, body)
	if err != nil {
		return b, err
	}
	if body == a.BodyID {
		return b, nil
	}
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM action_adhesions WHERE action_id = ? AND body_id = ?`, a.ID, body).Scan(&n); err != nil {
		return b, err
	}
	if n == 0 {
		return b, errs.New(errs.Forbidden, "action.not_joined")
	}
	return b, nil
}

// MarkRepressed marks an action as repressed (or takes the mark away, on
// a mistake): a secretary or facilitator of a body that called or joined it
// may.
func (db *DB) MarkRepressed(ctx context.Context, actor, id, body int64, repressed bool) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		a, _, err := tx.visibleAction(id)
		if err != nil {
			return err
		}
		if _, err := tx.actingBody(authz.MarkRepressed, a, body); err != nil {
			return err
		}
		if a.Repressed == repressed {
			return nil
		}
		var at int64
		if repressed {
			at = us(tx.Now)
		}
		if _, err := tx.Exec(`UPDATE actions SET repressed_at = ?, updated_at = ? WHERE id = ?`, at, us(tx.Now), id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE action_scope SET repressed_at = ? WHERE action_id = ?`, at, id); err != nil {
			return err
		}
		return tx.Record("action.repressed", body, map[string]any{"action": id, "repressed": repressed})
	})
}

// Adhere joins an action in a body's name: a secretary or facilitator of a
// body whose members may see the action may. Its members count as
// mobilised.
func (db *DB) Adhere(ctx context.Context, actor, id, body int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		a, _, err := tx.visibleAction(id)
		if err != nil {
			return err
		}
		b, _, err := tx.authorize(authz.AdhereAction, body)
		if err != nil {
			return err
		}
		switch {
		case body == a.BodyID:
			return errs.New(errs.Conflict, "action.adhere.own")
		case a.Status == actions.Ended:
			return errs.New(errs.Conflict, "action.ended")
		}
		if a.Visibility == actions.BodyOnly {
			return errs.New(errs.Forbidden, "action.adhere.private")
		}
		members := b.Members
		if b.Kind == bodies.Assembly {
			members = b.Represented
		}
		res, err := tx.Exec(`INSERT INTO action_adhesions (action_id, body_id, members, joined_by, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			id, body, members, actor, us(tx.Now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errs.New(errs.Conflict, "action.adhere.already")
		}
		if _, err := tx.Exec(`UPDATE actions SET adherents = adherents + 1, mobilised = mobilised + ?, updated_at = ? WHERE id = ?`, members, us(tx.Now), id); err != nil {
			return err
		}
		return tx.Record("action.adhered", body, map[string]any{"action": id, "members": members})
	})
}

// LeaveAction takes a body's adhesion back.
func (db *DB) LeaveAction(ctx context.Context, actor, id, body int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		a, _, err := tx.visibleAction(id)
		if err != nil {
			return err
		}
		if _, _, err := tx.authorize(authz.AdhereAction, body); err != nil {
			return err
		}
		var members int64
		err = tx.QueryRow(`SELECT members FROM action_adhesions WHERE action_id = ? AND body_id = ?`, id, body).Scan(&members)
		if err != nil {
			return notFound(err, "action.not_joined")
		}
		if _, err := tx.Exec(`DELETE FROM action_adhesions WHERE action_id = ? AND body_id = ?`, id, body); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE actions SET adherents = adherents - 1, mobilised = mobilised - ?, updated_at = ? WHERE id = ?`, members, us(tx.Now), a.ID); err != nil {
			return err
		}
		return tx.Record("action.left", body, map[string]any{"action": id})
	})
}

// PostReport posts a situation report on an action in the name of a body
// that called or joined it; any of its members may. photo, when not nil,
// has been re-encoded without metadata; the journal records its hash only.
func (db *DB) PostReport(ctx context.Context, actor, id, body int64, text string, photo *Photo) (actions.Report, error) {
	var r actions.Report
	text, err := actions.CleanReport(text)
	if err != nil {
		return r, err
	}
	err = db.Update(ctx, actor, func(tx *Tx) error {
		a, _, err := tx.visibleAction(id)
		if err != nil {
			return err
		}
		b, err := tx.actingBody(authz.ReportAction, a, body)
		if err != nil {
			return err
		}
		r = actions.Report{ActionID: id, BodyID: body, BodyName: b.Name, Text: text, AuthorID: actor, CreatedAt: tx.Now}
		payload := map[string]any{"action": id, "text": text}
		if photo != nil {
			if r.PhotoID, err = tx.Insert(`INSERT INTO photos (sha256, data, width, height, created_at) VALUES (?, ?, ?, ?, ?)`,
				photo.SHA256, photo.Data, photo.Width, photo.Height, us(tx.Now)); err != nil {
				return err
			}
			r.PhotoW, r.PhotoH = photo.Width, photo.Height
			payload["photo_sha256"] = photo.SHA256
		}
		if r.ID, err = tx.Insert(`INSERT INTO action_reports (action_id, body_id, author_id, text, photo_id, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, body, actor, text, r.PhotoID, us(tx.Now)); err != nil {
			return err
		}
		payload["report"] = r.ID
		if _, err := tx.Exec(`UPDATE actions SET updated_at = ? WHERE id = ?`, us(tx.Now), id); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT name FROM users WHERE id = ?`, actor).Scan(&r.AuthorName); err != nil {
			return err
		}
		return tx.Record("action.report", body, payload)
	})
	return r, err
}

// ReportsPage is how many reports a page shows.
const ReportsPage = 30

// ActionPage is an action with what its page shows, and what the viewer
// may do there.
type ActionPage struct {
	Action    actions.Action     `json:"action"`
	Access    Access             `json:"-"`
	Adhesions []actions.Adhesion `json:"adhesions"`
	Reports   []actions.Report   `json:"reports"`
	More      int64              `json:"more_before,omitempty"` // reports older than this id remain
	// The viewer's bodies that may act here.
	Manage    bool            `json:"can_manage"` // a secretary of the caller
	ReportFor []bodies.Body   `json:"report_for,omitempty"`
	AdhereFor []bodies.Body   `json:"adhere_for,omitempty"`
	LeaveFor  []bodies.Body   `json:"leave_for,omitempty"`
	MarkFor   []bodies.Body   `json:"mark_for,omitempty"`
	Motion    *motions.Motion `json:"-"`
}

// Action loads an action's page as viewer sees it; reports older than
// before (0 for the newest) page back.
func (db *DB) Action(ctx context.Context, viewer, id, before int64) (ActionPage, error) {
	var p ActionPage
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		if p.Action, p.Access, err = tx.visibleAction(id); err != nil {
			return err
		}
		p.Adhesions, err = queryAll(tx, func(row scanner, h *actions.Adhesion) error {
			var at int64
			var public bool
			if err := row.Scan(&h.BodyID, &h.BodyName, &h.Place, &h.Members, &at, &public); err != nil {
				return err
			}
			h.JoinedAt = fromUS(at)
			if !public && p.Access != CircleAccess {
				h.BodyID, h.BodyName = 0, "" // a private body is not named outside the circle
			}
			return nil
		}, `SELECT b.id, b.name, b.place, h.members, h.created_at, b.public FROM action_adhesions h JOIN bodies b ON b.id = h.body_id
			WHERE h.action_id = ? ORDER BY h.created_at, b.id LIMIT 500`, id)
		if err != nil {
			return err
		}
		if p.Reports, p.More, err = tx.reports(id, before, viewer); err != nil {
			return err
		}
		if viewer == 0 {
			return nil
		}
		// The viewer's bodies where they are secretary or facilitator, and
		// those they belong to, decide the buttons.
		mine, err := queryAll(tx, func(row scanner, m *bodies.Membership) error {
			return scanBody(row, &m.Body, &m.Role)
		}, `SELECT `+bodyColumns+`, m.role FROM memberships m JOIN bodies b ON b.id = m.body_id WHERE m.user_id = ? ORDER BY b.name, b.id LIMIT 200`, viewer)
		if err != nil {
			return err
		}
		joined := map[int64]bool{p.Action.BodyID: true}
		for _, h := range p.Adhesions {
			joined[h.BodyID] = true
		}
		for _, m := range mine {
			s := authz.Subject{UserID: viewer, Role: m.Role, Public: m.Body.Public, Kind: m.Body.Kind}
			in := joined[m.Body.ID]
			if m.Body.ID == p.Action.BodyID && authz.Allowed(authz.CallAction, s) {
				p.Manage = true
			}
			if in && authz.Allowed(authz.ReportAction, s) {
				p.ReportFor = append(p.ReportFor, m.Body)
			}
			if in && authz.Allowed(authz.MarkRepressed, s) {
				p.MarkFor = append(p.MarkFor, m.Body)
			}
			if p.Action.Status != actions.Ended && p.Action.Visibility != actions.BodyOnly && authz.Allowed(authz.AdhereAction, s) {
				switch {
				case m.Body.ID == p.Action.BodyID:
				case in:
					p.LeaveFor = append(p.LeaveFor, m.Body)
				default:
					p.AdhereFor = append(p.AdhereFor, m.Body)
				}
			}
		}
		return nil
	})
	return p, err
}

// reports lists an action's reports, newest first, ReportsPage at a time;
// the author is named only to members of the reporting body.
func (tx *Tx) reports(action, before, viewer int64) ([]actions.Report, int64, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rs, err := queryAll(tx, func(row scanner, r *actions.Report) error {
		var at int64
		var author sql.NullString
		if err := row.Scan(&r.ID, &r.ActionID, &r.BodyID, &r.BodyName, &r.Text, &r.PhotoID, &r.PhotoW, &r.PhotoH, &r.AuthorID, &author, &at); err != nil {
			return err
		}
		r.AuthorName, r.CreatedAt = author.String, fromUS(at)
		return nil
	}, `SELECT r.id, r.action_id, r.body_id, b.name, r.text, r.photo_id, COALESCE(p.width, 0), COALESCE(p.height, 0), r.author_id,
			(SELECT u.name FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.id = r.author_id AND m.body_id = r.body_id
				AND EXISTS (SELECT 1 FROM memberships v WHERE v.body_id = r.body_id AND v.user_id = ?)), r.created_at
		FROM action_reports r JOIN bodies b ON b.id = r.body_id LEFT JOIN photos p ON p.id = r.photo_id
		WHERE r.action_id = ? AND r.id < ? ORDER BY r.id DESC LIMIT ?`, viewer, action, before, ReportsPage+1)
	if err != nil {
		return nil, 0, err
	}
	var more int64
	if len(rs) > ReportsPage {
		rs = rs[:ReportsPage]
		more = rs[len(rs)-1].ID
	}
	return rs, more, nil
}

// ReportPhoto returns the JPEG of a report's photo, if the viewer may see
// the action it was posted on.
func (db *DB) ReportPhoto(ctx context.Context, viewer, photo int64) ([]byte, error) {
	var data []byte
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var action int64
		err := tx.QueryRow(`SELECT action_id FROM action_reports WHERE photo_id = ? AND photo_id > 0`, photo).Scan(&action)
		if err != nil {
			return notFound(err, "photo.not_found")
		}
		if _, _, err := tx.visibleAction(action); err != nil {
			return errs.New(errs.NotFound, "photo.not_found")
		}
		return tx.QueryRow(`SELECT data FROM photos WHERE id = ?`, photo).Scan(&data)
	})
	return data, err
}

// BodyActions lists the actions a body called or joined, latest start
// first, as viewer sees them.
func (db *DB) BodyActions(ctx context.Context, viewer, body int64, limit int) ([]actions.Action, error) {
	var out []actions.Action
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		b, s, err := tx.subject(body, viewer)
		if err != nil {
			return err
		}
		if err := check(authz.ViewBody, s); err != nil {
			return err
		}
		if !b.Public && !authz.Allowed(authz.ViewPrivateBody, s) {
			return errs.New(errs.NotFound, "body.not_found")
		}
		all, err := queryAll(tx, scanAction, `SELECT `+actionColumns+actionFrom+`
			WHERE a.id IN (SELECT id FROM actions WHERE body_id = ? UNION SELECT action_id FROM action_adhesions WHERE body_id = ?)
			ORDER BY a.starts DESC, a.id DESC LIMIT ?`, body, body, limit*2)
		if err != nil {
			return err
		}
		for _, a := range all {
			acc, err := tx.access(a)
			if err != nil {
				return err
			}
			if acc != NoAccess && len(out) < limit {
				out = append(out, a)
			}
		}
		return nil
	})
	return out, err
}

// Coordination is an assembly's coordinating view: the figures of every
// action called by the bodies under it, at every depth, and a page of them
// in time order.
type Coordination struct {
	Body     bodies.Body      `json:"body"`
	Public   bool             `json:"public_only"` // the viewer sees public actions only
	Summary  actions.Summary  `json:"summary"`
	Timeline []actions.Action `json:"actions"`
	Next     string           `json:"next,omitempty"` // cursor of the next page
}

// TimelinePage is how many actions a page of the coordinating view lists.
const TimelinePage = 25

// ParseCursor reads a timeline cursor ("start-id").
func ParseCursor(c string) (int64, int64, error) {
	if c == "" {
		return 0, 0, nil
	}
	s, i, ok := strings.Cut(c, "-")
	start, err1 := strconv.ParseInt(s, 10, 64)
	id, err2 := strconv.ParseInt(i, 10, 64)
	if !ok || err1 != nil || err2 != nil || id <= 0 {
		return 0, 0, errs.Field("before", "action.cursor.bad")
	}
	return start, id, nil
}

// coordinationAccess loads body and tells whether the viewer sees every
// action under it (a member of it or of any body under it) or only the
// public ones.
func (tx *Tx) coordinationAccess(body int64) (bodies.Body, bool, error) {
	b, s, err := tx.subject(body, tx.Actor)
	if err != nil {
		return b, false, err
	}
	var n int
	if tx.Actor != 0 {
		// From the viewer's few memberships to the ancestry's primary key,
		// never the other way round (an assembly has thousands of bodies).
		if err := tx.QueryRow(`SELECT COUNT(*) FROM memberships m WHERE m.user_id = ?
			AND EXISTS (SELECT 1 FROM body_ancestry ba WHERE ba.ancestor_id = ? AND ba.body_id = m.body_id)`, tx.Actor, body).Scan(&n); err != nil {
			return b, false, err
		}
	}
	if n == 0 && !b.Public {
		return b, false, check(authz.ViewPrivateBody, s)
	}
	return b, n == 0, nil
}

// Coordinate loads the coordinating view of a body (an assembly, usually)
// under a filter, with a cursor from a previous page.
func (db *DB) Coordinate(ctx context.Context, viewer, body int64, f actions.Filter, cursor string) (Coordination, error) {
	var c Coordination
	if err := f.Clean(); err != nil {
		return c, err
	}
	beforeStart, beforeID, err := ParseCursor(cursor)
	if err != nil {
		return c, err
	}
	err = db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		if c.Body, c.Public, err = tx.coordinationAccess(body); err != nil {
			return err
		}
		counts, err := tx.actionCounts(body, c.Public, f)
		if err != nil {
			return err
		}
		c.Summary = actions.Sum(counts, f)
		q, args := scopeWhere(body, c.Public, f)
		if beforeID > 0 {
			q += ` AND (s.starts < ? OR s.starts = ? AND s.action_id < ?)`
			args = append(args, beforeStart, beforeStart, beforeID)
		}
		args = append(args, TimelinePage+1)
		c.Timeline, err = queryAll(tx, scanAction, `SELECT `+actionColumns+` FROM action_scope s JOIN actions a ON a.id = s.action_id JOIN bodies b ON b.id = a.body_id
			WHERE `+q+` ORDER BY s.starts DESC, s.action_id DESC LIMIT ?`, args...)
		if err != nil {
			return err
		}
		if len(c.Timeline) > TimelinePage {
			c.Timeline = c.Timeline[:TimelinePage]
			last := c.Timeline[TimelinePage-1]
			c.Next = strconv.FormatInt(us(last.Start), 10) + "-" + strconv.FormatInt(last.ID, 10)
		}
		return nil
	})
	return c, err
}

// scopeWhere is the condition on action_scope s of a body's view under f.
func scopeWhere(body int64, public bool, f actions.Filter) (string, []any) {
	q := []string{`s.assembly_id = ?`}
	args := []any{body}
	if public {
		q = append(q, `s.public`)
	}
	if f.Kind != "" {
		q, args = append(q, `s.kind = ?`), append(args, f.Kind)
	}
	switch {
	case f.Status != "":
		q, args = append(q, `s.status = ?`), append(args, f.Status)
	case f.Active:
		q = append(q, `s.status <> 'ended'`)
	}
	if f.Department != "" {
		q, args = append(q, `s.department = ?`), append(args, f.Department)
	}
	if !f.From.IsZero() {
		q, args = append(q, `s.starts >= ?`), append(args, us(f.From))
	}
	if !f.To.IsZero() {
		q, args = append(q, `s.starts < ?`), append(args, us(f.To))
	}
	return strings.Join(q, " AND "), args
}

// actionCounts counts a body's view by department, kind and status: from
// the counts kept as actions change, or, for a span of dates, in one pass
// over the scope's index for those dates. Whatever else f narrows is summed
// by actions.Sum.
func (tx *Tx) actionCounts(body int64, public bool, f actions.Filter) ([]actions.Count, error) {
	if f.From.IsZero() && f.To.IsZero() {
		pub := ""
		if public {
			pub = ` AND public`
		}
		return queryAll(tx, func(row scanner, c *actions.Count) error {
			return row.Scan(&c.Department, &c.Kind, &c.Status, &c.N)
		}, `SELECT department, kind, status, SUM(n) FROM action_counts WHERE assembly_id = ?`+pub+` AND n > 0
			GROUP BY department, kind, status`, body)
	}
	q, args := scopeWhere(body, public, actions.Filter{From: f.From, To: f.To})
	return queryAll(tx, func(row scanner, c *actions.Count) error {
		return row.Scan(&c.Department, &c.Kind, &c.Status, &c.N)
	}, `SELECT s.department, s.kind, s.status, COUNT(*) FROM action_scope s`+tx.indexedBy("action_scope_dates")+` WHERE `+q+` GROUP BY s.department, s.kind, s.status`, args...)
}

// Daily is what happened in a body's view on one day.
type Daily struct {
	Body      bodies.Body      `json:"body"`
	Public    bool             `json:"public_only"`
	Day       string           `json:"day"` // YYYY-MM-DD, Peru time
	Started   []actions.Action `json:"started"`
	Ended     []actions.Action `json:"ended"`
	Repressed []actions.Action `json:"repressed"`
	Ongoing   int              `json:"ongoing"` // actions ongoing now
	// How many each list would have: a list shows DayLimit at most.
	StartedN   int `json:"started_count"`
	EndedN     int `json:"ended_count"`
	RepressedN int `json:"repressed_count"`
}

// Lima is Peru's time zone (no daylight saving): days of the daily summary
// begin at midnight there.
var Lima = time.FixedZone("PET", -5*3600)

// DayLimit is how many actions each list of the daily summary shows.
const DayLimit = 40

// DailySummary loads what started, ended and was repressed on day (in Peru
// time) among the actions under body.
func (db *DB) DailySummary(ctx context.Context, viewer, body int64, day time.Time) (Daily, error) {
	d := Daily{Day: day.In(Lima).Format(time.DateOnly)}
	from, _ := time.ParseInLocation(time.DateOnly, d.Day, Lima)
	to := from.AddDate(0, 0, 1)
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		if d.Body, d.Public, err = tx.coordinationAccess(body); err != nil {
			return err
		}
		pub := ""
		if d.Public {
			pub = ` AND s.public`
		}
		list := func(col string, n *int) ([]actions.Action, error) {
			scope := ` FROM action_scope s`
			if col == "starts" {
				scope += tx.indexedBy("action_scope_dates")
			}
			where := scope + ` WHERE s.assembly_id = ? AND s.` + col + ` > 0 AND s.` + col + ` >= ? AND s.` + col + ` < ?` + pub
			if err := tx.QueryRow(`SELECT COUNT(*)`+where, body, us(from), us(to)).Scan(n); err != nil || *n == 0 {
				return nil, err
			}
			return queryAll(tx, scanAction, `SELECT `+actionColumns+` FROM actions a JOIN bodies b ON b.id = a.body_id
				WHERE a.id IN (SELECT s.action_id`+where+` ORDER BY s.`+col+`, s.action_id LIMIT ?) ORDER BY a.`+col+`, a.id`,
				body, us(from), us(to), DayLimit)
		}
		if d.Started, err = list("starts", &d.StartedN); err != nil {
			return err
		}
		if d.Ended, err = list("ended_at", &d.EndedN); err != nil {
			return err
		}
		if d.Repressed, err = list("repressed_at", &d.RepressedN); err != nil {
			return err
		}
		// (The partial indexes on ended_at and repressed_at serve the
		// lists because "> 0" is written out; the ongoing count comes from
		// the counts kept.)
		return tx.QueryRow(`SELECT COALESCE(SUM(n), 0) FROM action_counts WHERE assembly_id = ? AND status = 'ongoing'`+strings.ReplaceAll(pub, "s.", ""), body).Scan(&d.Ongoing)
	})
	return d, err
}

// PublicActions lists the public actions called by body or any body under
// it (every public action when body is 0), latest start first: what the
// public iCalendar and Atom feeds carry.
func (db *DB) PublicActions(ctx context.Context, body int64, limit int) ([]actions.Action, error) {
	var out []actions.Action
	err := db.View(ctx, func(tx *Tx) error {
		var err error
		if body == 0 {
			out, err = queryAll(tx, scanAction, `SELECT `+actionColumns+actionFrom+` WHERE a.visibility = 'public' ORDER BY a.starts DESC, a.id DESC LIMIT ?`, limit)
			return err
		}
		var public bool
		if err := tx.QueryRow(`SELECT public FROM bodies WHERE id = ?`, body).Scan(&public); err != nil {
			return notFound(err, "body.not_found")
		}
		if !public {
			return errs.New(errs.NotFound, "body.not_found")
		}
		out, err = queryAll(tx, scanAction, `SELECT `+actionColumns+` FROM action_scope s JOIN actions a ON a.id = s.action_id JOIN bodies b ON b.id = a.body_id
			WHERE s.assembly_id = ? AND s.public ORDER BY s.starts DESC, s.action_id DESC LIMIT ?`, body, limit)
		return err
	})
	return out, err
}
