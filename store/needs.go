package store

import (
	"context"
	"strconv"

	"asamblea/actions"
	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
)

// Needs and offers of supplies between bodies, and the pledges that match
// them. They are seen by the members of every body in the same federation
// as the body that posted them (any body sharing an assembly with it, at
// any depth, and the body itself); to anyone else they do not exist.

const needColumns = `n.id, n.body_id, b.name, n.action_id, n.kind, n.quantity, n.unit, n.description, n.place, n.status, n.pledged, n.received,
	n.created_by, n.created_at, n.updated_at`

const needFrom = ` FROM needs n JOIN bodies b ON b.id = n.body_id`

func scanNeed(row scanner, n *actions.Need) error {
	var created, updated int64
	if err := row.Scan(&n.ID, &n.BodyID, &n.BodyName, &n.ActionID, &n.Kind, &n.Quantity, &n.Unit, &n.Description, &n.Place, &n.Status,
		&n.Pledged, &n.Received, &n.CreatedBy, &created, &updated); err != nil {
		return err
	}
	n.CreatedAt, n.UpdatedAt = fromUS(created), fromUS(updated)
	return nil
}

const offerColumns = `o.id, o.body_id, b.name, o.kind, o.quantity, o.unit, o.description, o.place, o.status, o.pledged,
	o.created_by, o.created_at, o.updated_at`

const offerFrom = ` FROM offers o JOIN bodies b ON b.id = o.body_id`

func scanOffer(row scanner, o *actions.Offer) error {
	var created, updated int64
	if err := row.Scan(&o.ID, &o.BodyID, &o.BodyName, &o.Kind, &o.Quantity, &o.Unit, &o.Description, &o.Place, &o.Status,
		&o.Pledged, &o.CreatedBy, &created, &updated); err != nil {
		return err
	}
	o.CreatedAt, o.UpdatedAt = fromUS(created), fromUS(updated)
	return nil
}

const pledgeColumns = `p.id, p.need_id, p.offer_id, n.body_id, nb.name, o.body_id, ob.name, o.kind, p.quantity, o.unit, p.status,
	p.pledged_by, p.confirmed_by, p.created_at, p.confirmed_at`

const pledgeFrom = ` FROM pledges p JOIN needs n ON n.id = p.need_id JOIN bodies nb ON nb.id = n.body_id
	JOIN offers o ON o.id = p.offer_id JOIN bodies ob ON ob.id = o.body_id`

func scanPledge(row scanner, p *actions.Pledge) error {
	var created, confirmed int64
	if err := row.Scan(&p.ID, &p.NeedID, &p.OfferID, &p.NeedBodyID, &p.NeedBodyName, &p.OfferBodyID, &p.OfferBodyName, &p.Kind, &p.Quantity, &p.Unit,
		&p.Status, &p.PledgedBy, &p.ConfirmedBy, &created, &confirmed); err != nil {
		return err
	}
	p.CreatedAt, p.ConfirmedAt = fromUS(created), optTime(confirmed)
	return nil
}

// inFederation reports whether the actor of tx is a member of body or of a
// body that shares an assembly with it, at any depth: who sees body's needs
// and offers.
func (tx *Tx) inFederation(body int64) (bool, error) {
	if tx.Actor == 0 {
		return false, nil
	}
	// From the viewer's few bodies up, then one key lookup each (as
	// tx.access does): the other way would walk every body under a
	// national assembly.
	var n int
	err := tx.QueryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM memberships m JOIN body_ancestry v ON v.body_id = m.body_id
		WHERE m.user_id = ? AND EXISTS (SELECT 1 FROM body_ancestry c WHERE c.ancestor_id = v.ancestor_id AND c.body_id = ?) LIMIT 1) x`,
		tx.Actor, body).Scan(&n)
	return n > 0, err
}

// sameFederation reports whether bodies a and b share an assembly (or are
// the same body).
func (tx *Tx) sameFederation(a, b int64) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT COUNT(*) FROM (SELECT 1 FROM body_ancestry x
		WHERE x.body_id = ? AND EXISTS (SELECT 1 FROM body_ancestry y WHERE y.ancestor_id = x.ancestor_id AND y.body_id = ?) LIMIT 1) s`, a, b).Scan(&n)
	return n > 0, err
}

// visibleNeed loads need id if the actor of tx may see it, NotFound
// otherwise.
func (tx *Tx) visibleNeed(id int64) (actions.Need, error) {
	var n actions.Need
	if err := scanNeed(tx.QueryRow(`SELECT `+needColumns+needFrom+` WHERE n.id = ?`, id), &n); err != nil {
		return n, notFound(err, "need.not_found")
	}
	if ok, err := tx.inFederation(n.BodyID); err != nil || !ok {
		return actions.Need{}, cmpErr(err, errs.New(errs.NotFound, "need.not_found"))
	}
	return n, nil
}

// visibleOffer loads offer id if the actor of tx may see it, NotFound
// otherwise.
func (tx *Tx) visibleOffer(id int64) (actions.Offer, error) {
	var o actions.Offer
	if err := scanOffer(tx.QueryRow(`SELECT `+offerColumns+offerFrom+` WHERE o.id = ?`, id), &o); err != nil {
		return o, notFound(err, "offer.not_found")
	}
	if ok, err := tx.inFederation(o.BodyID); err != nil || !ok {
		return actions.Offer{}, cmpErr(err, errs.New(errs.NotFound, "offer.not_found"))
	}
	return o, nil
}

// visiblePledge loads pledge id if the actor of tx may see its need or its
// offer, NotFound otherwise.
func (tx *Tx) visiblePledge(id int64) (actions.Pledge, error) {
	var p actions.Pledge
	if err := scanPledge(tx.QueryRow(`SELECT `+pledgeColumns+pledgeFrom+` WHERE p.id = ?`, id), &p); err != nil {
		return p, notFound(err, "pledge.not_found")
	}
	for _, b := range []int64{p.NeedBodyID, p.OfferBodyID} {
		if ok, err := tx.inFederation(b); err != nil || ok {
			return p, err
		}
	}
	return actions.Pledge{}, errs.New(errs.NotFound, "pledge.not_found")
}

// cmpErr returns err if it is not nil, else otherwise.
func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// checkNeedAction checks that action (0 for none) is one body called or
// joined.
func (tx *Tx) checkNeedAction(body, action int64) error {
	if action == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM actions WHERE id = ?`, action).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Field("action_id", "need.action.not_found")
	}
	if err := tx.QueryRow(`SELECT COUNT(*) FROM actions WHERE id = ? AND body_id = ?`, action, body).Scan(&n); err != nil || n > 0 {
		return err
	}
	if err := tx.QueryRow(`SELECT COUNT(*) FROM action_adhesions WHERE action_id = ? AND body_id = ?`, action, body).Scan(&n); err != nil || n > 0 {
		return err
	}
	return errs.Field("action_id", "need.action.not_joined")
}

// PostNeed posts a need in a body's name: a secretary or facilitator may.
func (db *DB) PostNeed(ctx context.Context, actor, body int64, in actions.NeedInput, valid func(string) bool) (actions.Need, error) {
	var n actions.Need
	err := db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.PostNeed, body); err != nil {
			return err
		}
		if err := in.Clean(valid); err != nil {
			return err
		}
		if err := tx.checkNeedAction(body, in.ActionID); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM needs WHERE body_id = ? AND status = 'open'`, body).Scan(&open); err != nil {
			return err
		}
		if open >= actions.OpenSupplyMax {
			return errs.New(errs.Conflict, "need.too_many", actions.OpenSupplyMax)
		}
		id, err := tx.Insert(`INSERT INTO needs (body_id, action_id, kind, quantity, unit, description, place, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
			body, in.ActionID, in.Kind, in.Quantity, in.Unit, in.Description, in.Place, actor, us(tx.Now), us(tx.Now))
		if err != nil {
			return err
		}
		if err := tx.Record("need.posted", body, map[string]any{"need": id, "input": in}); err != nil {
			return err
		}
		n, err = tx.visibleNeed(id)
		return err
	})
	return n, err
}

// PostOffer posts an offer in a body's name: a secretary or facilitator
// may.
func (db *DB) PostOffer(ctx context.Context, actor, body int64, in actions.OfferInput, valid func(string) bool) (actions.Offer, error) {
	var o actions.Offer
	err := db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.PostNeed, body); err != nil {
			return err
		}
		if err := in.Clean(valid); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM offers WHERE body_id = ? AND status = 'open'`, body).Scan(&open); err != nil {
			return err
		}
		if open >= actions.OpenSupplyMax {
			return errs.New(errs.Conflict, "offer.too_many", actions.OpenSupplyMax)
		}
		id, err := tx.Insert(`INSERT INTO offers (body_id, kind, quantity, unit, description, place, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?)`,
			body, in.Kind, in.Quantity, in.Unit, in.Description, in.Place, actor, us(tx.Now), us(tx.Now))
		if err != nil {
			return err
		}
		if err := tx.Record("offer.posted", body, map[string]any{"offer": id, "input": in}); err != nil {
			return err
		}
		o, err = tx.visibleOffer(id)
		return err
	})
	return o, err
}

// needClosed is the conflict of acting on a need that is no longer open.
func needClosed(s actions.NeedStatus) error {
	if s == actions.NeedMet {
		return errs.New(errs.Conflict, "need.met")
	}
	return errs.New(errs.Conflict, "need.cancelled")
}

// pendingPledges lists the pledges still on their way to need (column
// need_id) or from offer (offer_id).
func (tx *Tx) pendingPledges(column string, id int64) ([]actions.Pledge, error) {
	return queryAll(tx, scanPledge, `SELECT `+pledgeColumns+pledgeFrom+` WHERE p.`+column+` = ? AND p.status = 'pledged' ORDER BY p.id`, id)
}

// dropPledge cancels a pending pledge: what it promised is free again on
// the offer, and lacking again on the need.
func (tx *Tx) dropPledge(p actions.Pledge) error {
	if _, err := tx.Exec(`UPDATE pledges SET status = 'cancelled' WHERE id = ?`, p.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE offers SET pledged = pledged - ?, updated_at = ? WHERE id = ?`, p.Quantity, us(tx.Now), p.OfferID); err != nil {
		return err
	}
	_, err := tx.Exec(`UPDATE needs SET pledged = pledged - ?, updated_at = ? WHERE id = ?`, p.Quantity, us(tx.Now), p.NeedID)
	return err
}

// notifySecretaries leaves a notice for the secretaries and facilitators
// of body, but not for the actor.
func (tx *Tx) notifySecretaries(body int64, link, message string, args ...any) error {
	users, err := queryAll(tx, func(row scanner, id *int64) error { return row.Scan(id) },
		`SELECT user_id FROM memberships WHERE body_id = ? AND role IN ('secretary', 'facilitator') AND user_id <> ? ORDER BY user_id LIMIT 50`, body, tx.Actor)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := tx.notify(u, link, message, args...); err != nil {
			return err
		}
	}
	return nil
}

func needLink(id int64) string { return "/needs/" + strconv.FormatInt(id, 10) }

// CancelNeed cancels an open need: the body's secretaries and facilitators
// may. Pledges still on their way to it are cancelled with it, and their
// offers freed.
func (db *DB) CancelNeed(ctx context.Context, actor, id int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		n, err := tx.visibleNeed(id)
		if err != nil {
			return err
		}
		if _, _, err := tx.authorize(authz.PostNeed, n.BodyID); err != nil {
			return err
		}
		if n.Status != actions.NeedOpen {
			return needClosed(n.Status)
		}
		pending, err := tx.pendingPledges("need_id", id)
		if err != nil {
			return err
		}
		var dropped []int64
		for _, p := range pending {
			if err := tx.dropPledge(p); err != nil {
				return err
			}
			if err := tx.notifySecretaries(p.OfferBodyID, needLink(id), "notice.need_cancelled", n.BodyName); err != nil {
				return err
			}
			dropped = append(dropped, p.ID)
		}
		if _, err := tx.Exec(`UPDATE needs SET status = 'cancelled', updated_at = ? WHERE id = ?`, us(tx.Now), id); err != nil {
			return err
		}
		return tx.Record("need.cancelled", n.BodyID, map[string]any{"need": id, "pledges_cancelled": dropped})
	})
}

// WithdrawOffer withdraws an open offer: the body's secretaries and
// facilitators may. Pledges of it still on their way are cancelled.
func (db *DB) WithdrawOffer(ctx context.Context, actor, id int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		o, err := tx.visibleOffer(id)
		if err != nil {
			return err
		}
		if _, _, err := tx.authorize(authz.PostNeed, o.BodyID); err != nil {
			return err
		}
		if o.Status != actions.OfferOpen {
			return errs.New(errs.Conflict, "offer.closed")
		}
		pending, err := tx.pendingPledges("offer_id", id)
		if err != nil {
			return err
		}
		var dropped []int64
		for _, p := range pending {
			if err := tx.dropPledge(p); err != nil {
				return err
			}
			if err := tx.notifySecretaries(p.NeedBodyID, needLink(p.NeedID), "notice.pledge_cancelled", o.BodyName, p.Quantity, p.Unit); err != nil {
				return err
			}
			dropped = append(dropped, p.ID)
		}
		if _, err := tx.Exec(`UPDATE offers SET status = 'withdrawn', updated_at = ? WHERE id = ?`, us(tx.Now), id); err != nil {
			return err
		}
		return tx.Record("offer.withdrawn", o.BodyID, map[string]any{"offer": id, "pledges_cancelled": dropped})
	})
}

// PledgeOffer pledges quantity of an offer to a need: a secretary or
// facilitator of the offering body may, for a need of a body in its
// federation. The needing body's secretaries are told.
func (db *DB) PledgeOffer(ctx context.Context, actor, offer, need, quantity int64) (actions.Pledge, error) {
	var p actions.Pledge
	err := db.Update(ctx, actor, func(tx *Tx) error {
		o, err := tx.visibleOffer(offer)
		if err != nil {
			return err
		}
		if _, _, err := tx.authorize(authz.Pledge, o.BodyID); err != nil {
			return err
		}
		n, err := tx.visibleNeed(need)
		if err == nil {
			var same bool
			if same, err = tx.sameFederation(o.BodyID, n.BodyID); err == nil && !same {
				err = errs.New(errs.NotFound, "need.not_found")
			}
		}
		if errs.Is(err, errs.NotFound) {
			return &errs.Error{Code: errs.NotFound, Key: "need.not_found", Field: "need_id"}
		}
		if err != nil {
			return err
		}
		if err := actions.CheckPledge(n, o, quantity); err != nil {
			return err
		}
		id, err := tx.Insert(`INSERT INTO pledges (need_id, offer_id, quantity, status, pledged_by, created_at) VALUES (?, ?, ?, 'pledged', ?, ?)`,
			need, offer, quantity, actor, us(tx.Now))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE offers SET pledged = pledged + ?, updated_at = ? WHERE id = ?`, quantity, us(tx.Now), offer); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE needs SET pledged = pledged + ?, updated_at = ? WHERE id = ?`, quantity, us(tx.Now), need); err != nil {
			return err
		}
		if err := tx.notifySecretaries(n.BodyID, needLink(need), "notice.need_pledged", o.BodyName, quantity, o.Unit); err != nil {
			return err
		}
		if err := tx.Record("need.pledged", o.BodyID, map[string]any{"pledge": id, "need": need, "need_body": n.BodyID, "offer": offer, "quantity": quantity}); err != nil {
			return err
		}
		p, err = tx.visiblePledge(id)
		return err
	})
	return p, err
}

// pledgeConflict is the conflict of acting on a pledge no longer on its way.
func pledgeConflict(s actions.PledgeStatus) error {
	if s == actions.Arrived {
		return errs.New(errs.Conflict, "pledge.arrived")
	}
	return errs.New(errs.Conflict, "pledge.cancelled")
}

// ConfirmArrival records that a pledge arrived: a secretary or facilitator
// of the needing body may. The need is met once all of it arrived; the
// offer is closed once all of it was pledged and arrived.
func (db *DB) ConfirmArrival(ctx context.Context, actor, pledge int64) (actions.Pledge, error) {
	var p actions.Pledge
	err := db.Update(ctx, actor, func(tx *Tx) error {
		var err error
		if p, err = tx.visiblePledge(pledge); err != nil {
			return err
		}
		if _, _, err := tx.authorize(authz.Pledge, p.NeedBodyID); err != nil {
			return err
		}
		if p.Status != actions.Pledged {
			return pledgeConflict(p.Status)
		}
		if _, err := tx.Exec(`UPDATE pledges SET status = 'arrived', confirmed_by = ?, confirmed_at = ? WHERE id = ?`, actor, us(tx.Now), pledge); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE needs SET received = received + ?, status = CASE WHEN received + ? >= quantity THEN 'met' ELSE status END, updated_at = ?
			WHERE id = ?`, p.Quantity, p.Quantity, us(tx.Now), p.NeedID); err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE offers SET status = 'closed', updated_at = ? WHERE id = ? AND status = 'open' AND pledged >= quantity
			AND NOT EXISTS (SELECT 1 FROM pledges WHERE offer_id = ? AND status = 'pledged')`, us(tx.Now), p.OfferID, p.OfferID)
		if err != nil {
			return err
		}
		closed, err := res.RowsAffected()
		if err != nil {
			return err
		}
		var status actions.NeedStatus
		if err := tx.QueryRow(`SELECT status FROM needs WHERE id = ?`, p.NeedID).Scan(&status); err != nil {
			return err
		}
		if err := tx.notifySecretaries(p.OfferBodyID, needLink(p.NeedID), "notice.pledge_arrived", p.NeedBodyName, p.Quantity, p.Unit); err != nil {
			return err
		}
		if err := tx.Record("need.arrived", p.NeedBodyID, map[string]any{"pledge": pledge, "need": p.NeedID, "offer": p.OfferID, "quantity": p.Quantity,
			"need_met": status == actions.NeedMet, "offer_closed": closed > 0}); err != nil {
			return err
		}
		p, err = tx.visiblePledge(pledge)
		return err
	})
	return p, err
}

// CancelPledge cancels a pledge still on its way: a secretary or
// facilitator of the offering body or of the needing body may. The other
// side is told.
func (db *DB) CancelPledge(ctx context.Context, actor, pledge int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		p, err := tx.visiblePledge(pledge)
		if err != nil {
			return err
		}
		body, other := int64(0), int64(0)
		for _, side := range [][2]int64{{p.OfferBodyID, p.NeedBodyID}, {p.NeedBodyID, p.OfferBodyID}} {
			_, s, err := tx.subject(side[0], actor)
			if err != nil {
				return err
			}
			if authz.Allowed(authz.Pledge, s) {
				body, other = side[0], side[1]
				break
			}
		}
		if body == 0 {
			return authz.Check(authz.Pledge, authz.Subject{UserID: actor})
		}
		if p.Status != actions.Pledged {
			return pledgeConflict(p.Status)
		}
		if err := tx.dropPledge(p); err != nil {
			return err
		}
		by := p.OfferBodyName
		if body == p.NeedBodyID {
			by = p.NeedBodyName
		}
		if err := tx.notifySecretaries(other, needLink(p.NeedID), "notice.pledge_cancelled", by, p.Quantity, p.Unit); err != nil {
			return err
		}
		return tx.Record("need.pledge_cancelled", body, map[string]any{"pledge": pledge, "need": p.NeedID, "offer": p.OfferID, "quantity": p.Quantity})
	})
}

// NeedDetail is a need with its pledges, and what the viewer may do.
type NeedDetail struct {
	actions.Need
	Pledges []actions.Pledge `json:"pledges"`
	Manage  bool             `json:"can_manage"` // the viewer may cancel it and confirm arrivals
	// The viewer's bodies (other than the needing body) in whose name they
	// may pledge.
	PledgeFor []bodies.Body `json:"pledge_for,omitempty"`
}

// pledgingBodies lists the bodies where the viewer may pledge and confirm
// (secretary or facilitator).
func (tx *Tx) pledgingBodies(viewer int64) ([]bodies.Body, error) {
	if viewer == 0 {
		return nil, nil
	}
	mine, err := queryAll(tx, func(row scanner, m *bodies.Membership) error {
		return scanBody(row, &m.Body, &m.Role)
	}, `SELECT `+bodyColumns+`, m.role FROM memberships m JOIN bodies b ON b.id = m.body_id WHERE m.user_id = ? AND m.role IN ('secretary', 'facilitator')
		ORDER BY b.name, b.id LIMIT 200`, viewer)
	var out []bodies.Body
	for _, m := range mine {
		if authz.Allowed(authz.Pledge, authz.Subject{UserID: viewer, Role: m.Role, Public: m.Body.Public, Kind: m.Body.Kind}) {
			out = append(out, m.Body)
		}
	}
	return out, err
}

// Need loads a need with its pledges, as viewer sees it.
func (db *DB) Need(ctx context.Context, viewer, id int64) (NeedDetail, error) {
	var d NeedDetail
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		if d.Need, err = tx.visibleNeed(id); err != nil {
			return err
		}
		if d.Pledges, err = queryAll(tx, scanPledge, `SELECT `+pledgeColumns+pledgeFrom+` WHERE p.need_id = ? ORDER BY p.id LIMIT 500`, id); err != nil {
			return err
		}
		d.Pledges = nonNilSlice(d.Pledges)
		mine, err := tx.pledgingBodies(viewer)
		for _, b := range mine {
			if b.ID == d.BodyID {
				d.Manage = true
			} else {
				d.PledgeFor = append(d.PledgeFor, b)
			}
		}
		return err
	})
	return d, err
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// OfferDetail is an offer with its pledges, and what the viewer may do.
type OfferDetail struct {
	actions.Offer
	Pledges []actions.Pledge `json:"pledges"`
	Manage  bool             `json:"can_manage"` // the viewer may withdraw it and cancel its pledges
}

// Offer loads an offer with its pledges, as viewer sees it.
func (db *DB) Offer(ctx context.Context, viewer, id int64) (OfferDetail, error) {
	var d OfferDetail
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		if d.Offer, err = tx.visibleOffer(id); err != nil {
			return err
		}
		if d.Pledges, err = queryAll(tx, scanPledge, `SELECT `+pledgeColumns+pledgeFrom+` WHERE p.offer_id = ? ORDER BY p.id LIMIT 500`, id); err != nil {
			return err
		}
		d.Pledges = nonNilSlice(d.Pledges)
		_, s, err := tx.subject(d.BodyID, viewer)
		d.Manage = authz.Allowed(authz.Pledge, s)
		return err
	})
	return d, err
}

// Supplies is what a body needs and offers.
type Supplies struct {
	Body   bodies.Body     `json:"body"`
	Role   bodies.Role     `json:"role,omitempty"` // the viewer's
	Needs  []actions.Need  `json:"needs"`
	Offers []actions.Offer `json:"offers"`
}

// SuppliesLimit is how many needs, and how many offers, a body's list
// shows: the open ones first, then the latest.
const SuppliesLimit = 100

// suppliesAccess loads body and checks that the viewer sees its needs and
// offers: a private body outside the viewer's federation does not exist; a
// public one keeps them for its federation.
func (tx *Tx) suppliesAccess(body int64) (bodies.Body, bodies.Role, error) {
	b, s, err := tx.subject(body, tx.Actor)
	if err != nil {
		return b, s.Role, err
	}
	ok, err := tx.inFederation(body)
	switch {
	case err != nil:
		return b, s.Role, err
	case ok:
		return b, s.Role, nil
	case tx.Actor == 0:
		return b, s.Role, errs.New(errs.Unauthorized, "error.sign_in_needed")
	case !b.Public:
		return b, s.Role, errs.New(errs.NotFound, "body.not_found")
	}
	return b, s.Role, errs.New(errs.Forbidden, "need.federation_only")
}

// BodyNeeds loads a body's needs and offers, as viewer sees them.
func (db *DB) BodyNeeds(ctx context.Context, viewer, body int64) (Supplies, error) {
	var s Supplies
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var err error
		if s.Body, s.Role, err = tx.suppliesAccess(body); err != nil {
			return err
		}
		if s.Needs, err = queryAll(tx, scanNeed, `SELECT `+needColumns+needFrom+` WHERE n.body_id = ?
			ORDER BY CASE WHEN n.status = 'open' THEN 0 ELSE 1 END, n.id DESC LIMIT ?`, body, SuppliesLimit); err != nil {
			return err
		}
		s.Offers, err = queryAll(tx, scanOffer, `SELECT `+offerColumns+offerFrom+` WHERE o.body_id = ?
			ORDER BY CASE WHEN o.status = 'open' THEN 0 ELSE 1 END, o.id DESC LIMIT ?`, body, SuppliesLimit)
		s.Needs, s.Offers = nonNilSlice(s.Needs), nonNilSlice(s.Offers)
		return err
	})
	return s, err
}

// OpenNeeds lists the open needs of every body under an assembly, at any
// depth (and its own), newest first, with how many there are in all.
func (db *DB) OpenNeeds(ctx context.Context, viewer, assembly int64, limit int) ([]actions.Need, int, error) {
	return db.OpenNeedsOfKind(ctx, viewer, assembly, "", limit)
}

// OpenNeedsOfKind is OpenNeeds of one kind of resource ("" for every kind).
func (db *DB) OpenNeedsOfKind(ctx context.Context, viewer, assembly int64, kind actions.Resource, limit int) ([]actions.Need, int, error) {
	if kind != "" && !kind.Valid() {
		return nil, 0, errs.Field("kind", "need.kind.unknown")
	}
	var out []actions.Need
	var total int
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.suppliesAccess(assembly); err != nil {
			return err
		}
		where, args := `ba.ancestor_id = ? AND n.status = 'open'`, []any{assembly}
		if kind != "" {
			where, args = where+` AND n.kind = ?`, append(args, kind)
		}
		if err := tx.QueryRow(`SELECT COUNT(*) FROM body_ancestry ba JOIN needs n ON n.body_id = ba.body_id WHERE `+where, args...).Scan(&total); err != nil {
			return err
		}
		var err error
		out, err = queryAll(tx, scanNeed, `SELECT `+needColumns+` FROM body_ancestry ba JOIN needs n ON n.body_id = ba.body_id JOIN bodies b ON b.id = n.body_id
			WHERE `+where+` ORDER BY n.created_at DESC, n.id DESC LIMIT ?`, append(args, limit)...)
		return err
	})
	return nonNilSlice(out), total, err
}

// ActionNeeds lists the needs posted for an action that viewer may see,
// open ones first.
func (db *DB) ActionNeeds(ctx context.Context, viewer, action int64) ([]actions.Need, error) {
	var out []actions.Need
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		all, err := queryAll(tx, scanNeed, `SELECT `+needColumns+needFrom+` WHERE n.action_id = ?
			ORDER BY CASE WHEN n.status = 'open' THEN 0 ELSE 1 END, n.id DESC LIMIT ?`, action, SuppliesLimit)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, n := range all {
			ok, known := seen[n.BodyID]
			if !known {
				if ok, err = tx.inFederation(n.BodyID); err != nil {
					return err
				}
				seen[n.BodyID] = ok
			}
			if ok {
				out = append(out, n)
			}
		}
		return nil
	})
	return nonNilSlice(out), err
}

// MatchCandidates bounds the open offers a need's matches are chosen from.
const MatchCandidates = 5000

// Matches proposes open offers for a need: of its kind, with something
// left, from other bodies of the needing body's federation that the viewer
// may see; nearest first (coords gives each place's coordinates).
func (db *DB) Matches(ctx context.Context, viewer, need int64, coords actions.Coords) ([]actions.Match, error) {
	var out []actions.Match
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		n, err := tx.visibleNeed(need)
		if err != nil || n.Status != actions.NeedOpen || n.Outstanding() == 0 {
			return err
		}
		offers, err := queryAll(tx, scanOffer, `SELECT `+offerColumns+offerFrom+`
			WHERE o.status = 'open' AND o.kind = ? AND o.pledged < o.quantity AND o.body_id <> ?
			AND EXISTS (SELECT 1 FROM body_ancestry x WHERE x.body_id = ?
				AND EXISTS (SELECT 1 FROM body_ancestry y WHERE y.ancestor_id = x.ancestor_id AND y.body_id = o.body_id))
			AND EXISTS (SELECT 1 FROM memberships m JOIN body_ancestry v ON v.body_id = m.body_id WHERE m.user_id = ?
				AND EXISTS (SELECT 1 FROM body_ancestry y WHERE y.ancestor_id = v.ancestor_id AND y.body_id = o.body_id))
			ORDER BY o.id DESC LIMIT ?`, n.Kind, n.BodyID, n.BodyID, viewer, MatchCandidates)
		if err != nil {
			return err
		}
		out = actions.Propose(n, offers, coords)
		return nil
	})
	return nonNilSlice(out), err
}
