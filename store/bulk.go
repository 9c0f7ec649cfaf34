package store

import (
	"context"
	"fmt"
	"time"

	"asamblea/accounts"
	"asamblea/actions"
	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/places"
)

// BulkCommittee is a committee to load with its members; the first member
// facilitates and the second is secretary.
type BulkCommittee struct {
	Name    string
	Sector  bodies.Sector
	Place   string
	Public  bool
	Members []string // pseudonyms of new accounts
}

// BulkLoad creates committees and their members' accounts in one
// transaction, journalled like any other change. Every account gets the same
// precomputed password hash: it is for demo and load-test data only, where
// hashing a million passwords would take hours.
func (db *DB) BulkLoad(ctx context.Context, passwordHash string, cs []BulkCommittee) ([]BulkLoaded, error) {
	out := make([]BulkLoaded, 0, len(cs))
	passwordHash = accounts.WithPepper(passwordHash, db.pepper)
	err := db.Update(ctx, 0, func(tx *Tx) error {
		insUser, err := tx.tx.PrepareContext(ctx, db.rebind(`INSERT INTO users (name, name_key, password_hash, lang, created_at) VALUES (?, ?, ?, '', ?) RETURNING id`))
		if err != nil {
			return err
		}
		defer insUser.Close()
		insMember, err := tx.tx.PrepareContext(ctx, db.rebind(`INSERT INTO memberships (body_id, user_id, role, joined_at, sort_key) VALUES (?, ?, ?, ?, ?)`))
		if err != nil {
			return err
		}
		defer insMember.Close()
		now := us(tx.Now)
		for _, c := range cs {
			if len(c.Members) == 0 {
				return fmt.Errorf("bulk: committee %q has no members", c.Name)
			}
			ids := make([]int64, len(c.Members))
			keys := make([]string, len(c.Members))
			for i, name := range c.Members {
				keys[i] = accounts.NameKey(name)
				if err := insUser.QueryRowContext(ctx, name, keys[i], passwordHash, now).Scan(&ids[i]); err != nil {
					return fmt.Errorf("bulk: user %q: %w", name, err)
				}
				tx.Actor = ids[i]
				if err := tx.Record("account.created", 0, map[string]any{"user": ids[i], "name": name}); err != nil {
					return err
				}
			}
			tx.Actor = ids[0]
			id, err := tx.Insert(`INSERT INTO bodies (kind, name, sector, place, description, public, created_by, created_at, members, represented) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?)`,
				bodies.Committee, c.Name, c.Sector, c.Place, c.Public, ids[0], now, len(ids), len(ids))
			if err != nil {
				return err
			}
			out = append(out, BulkLoaded{Body: id, Facilitator: ids[0]})
			if err := tx.addAncestry(id); err != nil {
				return err
			}
			if err := tx.Record("body.created", id, map[string]any{"kind": bodies.Committee, "name": c.Name, "sector": c.Sector, "place": c.Place, "public": c.Public, "facilitator": ids[0]}); err != nil {
				return err
			}
			for i, uid := range ids {
				role := bodies.Member
				switch i {
				case 0:
					role = bodies.Facilitator
				case 1:
					role = bodies.Secretary
				}
				if _, err := insMember.ExecContext(ctx, id, uid, role, now, roleRank(role)+keys[i]); err != nil {
					return err
				}
				if i == 0 {
					continue
				}
				tx.Actor = uid
				if err := tx.Record("member.joined", id, map[string]any{"user": uid, "role": role}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// BulkLoaded names a committee BulkLoad created and its facilitator.
type BulkLoaded struct {
	Body, Facilitator int64
}

// CountUsers returns the number of accounts.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.View(ctx, func(tx *Tx) error { return tx.QueryRow(`SELECT COUNT(*) FROM users`).Scan(&n) })
	return n, err
}

// BulkAffiliate brings many bodies into an assembly in one transaction, as
// if each had asked and a facilitator of the assembly (actor) had accepted:
// for demo and load-test federations of thousands of bodies, where one
// transaction per affiliation would give out the assembly's seats again
// thousands of times. Each affiliation is journalled.
func (db *DB) BulkAffiliate(ctx context.Context, actor, assembly int64, ids []int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.DecideAffiliation, assembly); err != nil {
			return err
		}
		total := 0
		for _, id := range ids {
			if err := tx.checkCycle(id, assembly); err != nil {
				return err
			}
			aid, err := tx.Insert(`INSERT INTO affiliations (assembly_id, body_id, status, requested_by, decided_by, created_at, decided_at) VALUES (?, ?, 'accepted', ?, ?, ?, ?)`,
				assembly, id, actor, actor, us(tx.Now), us(tx.Now))
			if isUnique(err) {
				return errs.New(errs.Conflict, "affiliation.exists")
			}
			if err != nil {
				return err
			}
			if err := tx.Record("affiliation.accepted", assembly, map[string]any{"affiliation": aid, "body": id}); err != nil {
				return err
			}
			if err := tx.linkAncestry(assembly, id); err != nil {
				return err
			}
			var rep int
			if err := tx.QueryRow(`SELECT represented FROM bodies WHERE id = ?`, id).Scan(&rep); err != nil {
				return err
			}
			total += rep
		}
		return tx.represent(assembly, total, assembly)
	})
}

// BulkAction is an action to call in a body's name, by actor.
type BulkAction struct {
	Actor, Body int64
	Input       actions.Input
	Status      actions.Status // where it stands now; "" for called
}

// BulkCallActions calls many actions in one transaction, each checked and
// journalled as CallAction would: for demo and load-test data.
func (db *DB) BulkCallActions(ctx context.Context, as []BulkAction, valid func(string) bool) error {
	return db.Update(ctx, 0, func(tx *Tx) error {
		members := map[int64]int64{}
		for _, b := range as {
			tx.Actor = b.Actor
			in := b.Input
			if _, _, err := tx.authorize(authz.CallAction, b.Body); err != nil {
				return err
			}
			if err := in.Clean(valid, tx.Now, time.Time{}); err != nil {
				return err
			}
			status := b.Status
			if status == "" {
				status = actions.Called
			}
			route, err := routeJSON(in.Route)
			if err != nil {
				return err
			}
			n, ok := members[b.Body]
			if !ok {
				if err := tx.QueryRow(`SELECT CASE WHEN kind = 'assembly' THEN represented ELSE members END FROM bodies WHERE id = ?`, b.Body).Scan(&n); err != nil {
					return err
				}
				members[b.Body] = n
			}
			var ended int64
			if status == actions.Ended {
				// It ended at its end, or a day after it began, and not
				// after now.
				at := in.Start.Add(24 * time.Hour)
				if in.End != nil {
					at = *in.End
				}
				if at.After(tx.Now) {
					at = tx.Now
				}
				ended = us(at)
			}
			id, err := tx.Insert(`INSERT INTO actions (body_id, kind, title, description, place, department, lat, lon, route, starts, ends, motion_id, visibility, status,
					ended_at, mobilised, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
				b.Body, in.Kind, in.Title, in.Description, in.Place, places.DepartmentOf(in.Place), in.Lat, in.Lon, route, us(in.Start), optUS(in.End),
				in.Visibility, status, ended, n, b.Actor, us(tx.Now), us(tx.Now))
			if err != nil {
				return err
			}
			if err := tx.rescopeAction(id); err != nil {
				return err
			}
			if err := tx.Record("action.called", b.Body, map[string]any{"action": id, "input": in, "status": status}); err != nil {
				return err
			}
		}
		return nil
	})
}
