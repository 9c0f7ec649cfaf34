package store

import (
	"context"
	"fmt"

	"asamblea/accounts"
	"asamblea/bodies"
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
