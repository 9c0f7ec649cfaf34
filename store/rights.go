package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/vault"
)

// A body's legal and human-rights commission keeps its records sealed to its
// own key pair (package vault). The private key is stored only wrapped: with
// the node's key file (SetRecordsKey), which never enters the database, or
// with the passphrase of each member who set one. A member who unlocks with
// a passphrase holds the key in this node's memory (a keyring) for a while.
//
// Everything here is authorized through authz like the rest of the store;
// anyone outside a commission who asks for one of its records gets NotFound.

// Purposes of a commission.
var Purposes = []string{"rights", "logistics", "communications", "security"}

// CommissionInput is what a body's facilitator gives to set up a commission.
type CommissionInput struct {
	Name    string  `json:"name"`
	Purpose string  `json:"purpose"`
	Members []int64 `json:"members"` // user ids, members of the body; the first facilitates
}

// Commission is a commission with what its records need.
type Commission struct {
	bodies.Body
	Purpose    string `json:"purpose"`
	ParentName string `json:"parent_name"`
	Records    bool   `json:"records"` // it keeps repression records (has a live key)
}

// RecordsInfo is the state of a commission's key as one member sees it.
type RecordsInfo struct {
	Commission Commission  `json:"commission"`
	Role       bodies.Role `json:"role"`
	Epoch      int         `json:"epoch"`    // 0: never set up
	Live       bool        `json:"live"`     // a key exists and records can be sealed to it
	KeyID      string      `json:"key_id"`   // fingerprint of the public key
	File       bool        `json:"file"`     // the node's key file opens it
	Readable   bool        `json:"readable"` // the viewer can read the records now
	HasSlot    bool        `json:"has_slot"` // the viewer set a passphrase
	Granted    bool        `json:"granted"`  // the viewer's passphrase opens the key
	Pending    []int64     `json:"pending"`  // members with a passphrase who wait for the key
	LockedAt   time.Time   `json:"locked_at,omitzero"`
	Exact      bool        `json:"exact_coords"` // coordinates kept as given
	Originals  bool        `json:"original_images"`
	NodeHasKey bool        `json:"node_key_file"` // this node has a key file
}

// keyring holds the commission keys members unlocked with a passphrase, in
// this node's memory only.
type keyring struct {
	mu   sync.Mutex
	keys map[[2]int64]ringKey // (commission, user)
}

type ringKey struct {
	priv    vault.Private
	epoch   int
	expires time.Time
}

// UnlockFor is how long an unlocked key stays in memory.
const UnlockFor = 8 * time.Hour

func (k *keyring) get(commission, user int64, epoch int, now time.Time) (vault.Private, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	r, ok := k.keys[[2]int64{commission, user}]
	if !ok || r.epoch != epoch || now.After(r.expires) {
		return vault.Private{}, false
	}
	return r.priv, true
}

func (k *keyring) put(commission, user int64, epoch int, priv vault.Private, now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.keys == nil {
		k.keys = map[[2]int64]ringKey{}
	}
	for key, r := range k.keys { // sweep the expired
		if now.After(r.expires) {
			delete(k.keys, key)
		}
	}
	k.keys[[2]int64{commission, user}] = ringKey{priv: priv, epoch: epoch, expires: now.Add(UnlockFor)}
}

// forget drops commission's keys (user 0: everyone's).
func (k *keyring) forget(commission, user int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for key := range k.keys {
		if key[0] == commission && (user == 0 || key[1] == user) {
			delete(k.keys, key)
		}
	}
}

// SetRecordsKey gives the store the node's key file, which wraps the
// commissions' keys that do not rely on passphrases alone. nil: none.
func (db *DB) SetRecordsKey(k *vault.Key) { db.rights.file = k }

// rightsState is the DB's part for records: the node key and the keyring.
type rightsState struct {
	file *vault.Key
	ring keyring
}

func keyContext(commission int64, epoch int) string {
	return fmt.Sprintf("commission/%d/%d", commission, epoch)
}

// CreateCommission sets up a commission of body parent, whose members are
// chosen by its facilitator among the body's members (or, of an assembly,
// its seated delegates). The first member chosen facilitates it.
func (db *DB) CreateCommission(ctx context.Context, actor, parent int64, in CommissionInput) (Commission, error) {
	var c Commission
	err := db.Update(ctx, actor, func(tx *Tx) error {
		p, _, err := tx.authorize(authz.CreateCommission, parent)
		if err != nil {
			return err
		}
		if in.Name, err = bodies.CleanText("name", in.Name, 2, bodies.NameMax, false); err != nil {
			return err
		}
		if !validPurpose(in.Purpose) {
			return errs.Field("purpose", "commission.purpose.unknown")
		}
		if len(in.Members) == 0 {
			return errs.Field("members", "commission.members.required")
		}
		seen := map[int64]bool{}
		for _, u := range in.Members {
			if seen[u] {
				return errs.Field("members", "commission.members.twice")
			}
			seen[u] = true
			if ok, err := tx.inBodyOrSeated(parent, u); err != nil {
				return err
			} else if !ok {
				return errs.Field("members", "commission.members.outsider")
			}
		}
		c.Body = bodies.Body{Kind: bodies.Commission, Name: in.Name, Sector: p.Sector, Place: p.Place, ParentID: parent, CreatedAt: tx.Now, Members: len(in.Members)}
		c.Purpose, c.ParentName = in.Purpose, p.Name
		id, err := tx.Insert(`INSERT INTO bodies (kind, name, sector, place, description, public, parent_id, purpose, created_by, created_at, members, represented) VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?, 0)`,
			c.Kind, c.Name, c.Sector, c.Place, false, parent, in.Purpose, actor, us(tx.Now), len(in.Members))
		if err != nil {
			return err
		}
		c.ID = id
		if err := tx.addAncestry(id); err != nil {
			return err
		}
		for i, u := range in.Members {
			role := bodies.Member
			if i == 0 {
				role = bodies.Facilitator
			}
			if err := tx.insertMembership(id, u, role); err != nil {
				return err
			}
		}
		return tx.Record("commission.created", parent, map[string]any{"commission": id, "name": c.Name, "purpose": in.Purpose, "members": in.Members})
	})
	return c, err
}

func validPurpose(p string) bool {
	for _, x := range Purposes {
		if x == p {
			return true
		}
	}
	return false
}

// inBodyOrSeated reports whether user is a member of body or a delegate
// seated in it.
func (tx *Tx) inBodyOrSeated(body, user int64) (bool, error) {
	_, sub, err := tx.subject(body, user)
	return sub.Role != bodies.None || sub.Delegate, err
}

// Commissions lists body's commissions, as viewer may see them: a body's
// members see its commissions; others see none.
func (db *DB) Commissions(ctx context.Context, viewer, body int64) ([]Commission, error) {
	var out []Commission
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		p, s, err := tx.subject(body, viewer)
		if err != nil {
			return err
		}
		if !authz.Allowed(authz.ViewMotions, s) {
			// Outside a body, its commissions are not confirmed to exist.
			return errs.New(errs.NotFound, "body.not_found")
		}
		out, err = queryAll(tx, func(row scanner, c *Commission) error {
			var live sql.NullBool
			if err := scanBody(row, &c.Body, &c.Purpose, &live); err != nil {
				return err
			}
			c.ParentName, c.Records = p.Name, live.Valid && live.Bool
			return nil
		}, `SELECT `+bodyColumns+`, b.purpose, k.public_key IS NOT NULL FROM bodies b LEFT JOIN rights_keys k ON k.commission_id = b.id
			WHERE b.parent_id = ? AND b.kind = 'commission' ORDER BY b.id`, body)
		return err
	})
	return out, err
}

// AppointCommissioner adds user to commission, or changes their role in it;
// the parent body's facilitators choose. role None removes them.
func (db *DB) AppointCommissioner(ctx context.Context, actor, commission, user int64, role bodies.Role) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		c, err := tx.commission(commission)
		if err != nil {
			return err
		}
		if _, _, err := tx.authorize(authz.AppointCommission, c.ParentID); err != nil {
			if errs.Is(err, errs.Forbidden) {
				return errs.New(errs.NotFound, "body.not_found")
			}
			return err
		}
		was, err := tx.role(commission, user)
		if err != nil {
			return err
		}
		switch {
		case role == bodies.None && was == bodies.None:
			return errs.New(errs.NotFound, "body.member.not_found")
		case role == bodies.None:
			if err := tx.removeMember(commission, user, was); err != nil {
				return err
			}
			if _, err := tx.Exec(`DELETE FROM rights_slots WHERE commission_id = ? AND user_id = ?`, commission, user); err != nil {
				return err
			}
			tx.db.rights.ring.forget(commission, user)
		case !bodies.ValidRole(role):
			return errs.Field("role", "body.role.unknown")
		case was == bodies.None:
			ok, err := tx.inBodyOrSeated(c.ParentID, user)
			if err != nil {
				return err
			}
			if !ok {
				return errs.Field("user", "commission.members.outsider")
			}
			if err := tx.insertMembership(commission, user, role); err != nil {
				return err
			}
			if err := tx.changeMembers(commission, +1); err != nil {
				return err
			}
		default:
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM memberships WHERE body_id = ? AND role = ?`, commission, bodies.Facilitator).Scan(&n); err != nil {
				return err
			}
			if err := bodies.CheckRoleChange(n, was, role); err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE memberships SET role = ?, sort_key = ? || substr(sort_key, 2) WHERE body_id = ? AND user_id = ?`, role, roleRank(role), commission, user); err != nil {
				return err
			}
		}
		return tx.Record("commission.appointed", commission, map[string]any{"user": user, "role": role, "was": was})
	})
}

// commission loads a commission body.
func (tx *Tx) commission(id int64) (Commission, error) {
	var c Commission
	var live sql.NullBool
	err := scanBody(tx.QueryRow(`SELECT `+bodyColumns+`, b.purpose, k.public_key IS NOT NULL, COALESCE(p.name, '') FROM bodies b
		LEFT JOIN rights_keys k ON k.commission_id = b.id LEFT JOIN bodies p ON p.id = b.parent_id
		WHERE b.id = ? AND b.kind = 'commission'`, id), &c.Body, &c.Purpose, &live, &c.ParentName)
	if err != nil {
		return c, notFound(err, "body.not_found")
	}
	c.Records = live.Valid && live.Bool
	return c, nil
}

// keeper authorizes the actor as a member of a rights commission: anyone
// else learns nothing (NotFound), whatever they ask for.
func (tx *Tx) keeper(commission int64, a authz.Action) (Commission, bodies.Role, error) {
	c, err := tx.commission(commission)
	if err != nil || c.Purpose != "rights" {
		return c, bodies.None, errs.New(errs.NotFound, "body.not_found")
	}
	_, s, err := tx.subject(commission, tx.Actor)
	if err != nil {
		return c, bodies.None, err
	}
	if !authz.Allowed(a, s) {
		if s.Role == bodies.None {
			return c, bodies.None, errs.New(errs.NotFound, "body.not_found")
		}
		return c, s.Role, errs.New(errs.Forbidden, "error.forbidden")
	}
	return c, s.Role, nil
}

// keyFor authorizes the actor for a on a rights commission (see keeper)
// and reads its key row.
func (tx *Tx) keyFor(commission int64, a authz.Action) (Commission, keyRow, error) {
	c, _, err := tx.keeper(commission, a)
	if err != nil {
		return c, keyRow{}, err
	}
	k, err := tx.keyRow(commission)
	return c, k, err
}

// keyRow is a commission's row of rights_keys.
type keyRow struct {
	epoch      int
	public     []byte
	file       []byte
	exact      bool
	originals  bool
	lockedAt   int64
	configured bool
}

func (tx *Tx) keyRow(commission int64) (keyRow, error) {
	var k keyRow
	err := tx.QueryRow(`SELECT epoch, public_key, file_wrapped, exact_coords, original_images, locked_at FROM rights_keys WHERE commission_id = ?`, commission).
		Scan(&k.epoch, &k.public, &k.file, &k.exact, &k.originals, &k.lockedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return k, nil
	}
	k.configured = err == nil
	return k, err
}

func (k keyRow) pub() (vault.Public, bool) {
	var p vault.Public
	if len(k.public) != vault.KeySize {
		return p, false
	}
	copy(p[:], k.public)
	return p, true
}

// privateKey returns the commission's private key for the actor: through
// the node's key file, or the actor's unlocked passphrase.
func (tx *Tx) privateKey(commission int64, k keyRow) (vault.Private, error) {
	if _, ok := k.pub(); !ok {
		if k.epoch == 0 {
			return vault.Private{}, errs.New(errs.Conflict, "rights.no_key")
		}
		return vault.Private{}, errs.New(errs.Conflict, "rights.locked_down")
	}
	if k.file != nil && tx.db.rights.file != nil {
		p, err := vault.UnwrapPrivate(*tx.db.rights.file, k.file, keyContext(commission, k.epoch))
		if err != nil {
			return p, errs.New(errs.Conflict, "rights.wrong_key_file")
		}
		return p, nil
	}
	if p, ok := tx.db.rights.ring.get(commission, tx.Actor, k.epoch, tx.Now); ok {
		return p, nil
	}
	return vault.Private{}, errs.New(errs.Conflict, "rights.unlock_needed")
}

// RecordsSetup is how a commission's facilitator sets up its key.
type RecordsSetup struct {
	// Passphrase, when set, protects the key with the facilitator's
	// passphrase; the other members set theirs and are granted the key.
	Passphrase string `json:"passphrase"`
	// File wraps the key with the node's key file too, so that members read
	// the records without a passphrase. It needs the node to have one.
	File           bool `json:"file"`
	ExactCoords    bool `json:"exact_coords"`
	OriginalImages bool `json:"original_images"`
}

// SetUpRecords creates a commission's key, the first time or after a
// lockdown (a new epoch: the records sealed before stay unreadable).
func (db *DB) SetUpRecords(ctx context.Context, actor, commission int64, in RecordsSetup) error {
	if !in.File && in.Passphrase == "" {
		return errs.Field("passphrase", "rights.passphrase.or_file")
	}
	if in.Passphrase != "" && len(in.Passphrase) < vault.PassphraseMin {
		return errs.Field("passphrase", "rights.passphrase.short", vault.PassphraseMin)
	}
	if in.File && db.rights.file == nil {
		return errs.Field("file", "rights.no_key_file")
	}
	pub, priv, err := vault.NewPair()
	if err != nil {
		return err
	}
	var slot *slotRow
	if in.Passphrase != "" {
		// Slow (argon2id): done before the write transaction.
		if slot, err = newSlot(in.Passphrase); err != nil {
			return err
		}
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		_, k, err := tx.keyFor(commission, authz.SetUpRecords)
		if err != nil {
			return err
		}
		if _, live := k.pub(); live {
			return errs.New(errs.Conflict, "rights.key_exists")
		}
		epoch := k.epoch + 1
		ctxs := keyContext(commission, epoch)
		var file []byte
		if in.File {
			if file, err = vault.WrapPrivate(*db.rights.file, priv, ctxs); err != nil {
				return err
			}
		}
		if k.configured {
			_, err = tx.Exec(`UPDATE rights_keys SET epoch = ?, public_key = ?, file_wrapped = ?, exact_coords = ?, original_images = ?, created_at = ? WHERE commission_id = ?`,
				epoch, pub[:], file, in.ExactCoords, in.OriginalImages, us(tx.Now), commission)
		} else {
			_, err = tx.Exec(`INSERT INTO rights_keys (commission_id, epoch, public_key, file_wrapped, exact_coords, original_images, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				commission, epoch, pub[:], file, in.ExactCoords, in.OriginalImages, us(tx.Now))
		}
		if err != nil {
			return err
		}
		if slot != nil {
			if slot.sealed, err = vault.Seal(slot.public, priv[:], slotContext(commission, actor, epoch)); err != nil {
				return err
			}
			if err := tx.putSlot(commission, actor, slot); err != nil {
				return err
			}
			db.rights.ring.put(commission, actor, epoch, priv, tx.Now)
		}
		return tx.Record("records.key_created", commission, map[string]any{"epoch": epoch, "key_id": pub.ID(), "file": in.File, "passphrase": slot != nil,
			"exact_coords": in.ExactCoords, "original_images": in.OriginalImages})
	})
}

// slotRow is a member's passphrase slot.
type slotRow struct {
	salt    []byte
	public  vault.Public
	wrapped []byte // the member's private key, wrapped with their passphrase
	sealed  []byte // the commission's key sealed to public; nil until granted
}

func newSlot(passphrase string) (*slotRow, error) {
	salt, err := vault.NewSalt()
	if err != nil {
		return nil, err
	}
	pub, priv, err := vault.NewPair()
	if err != nil {
		return nil, err
	}
	wrapped, err := vault.WrapPrivate(vault.PassphraseKey(passphrase, salt), priv, "member")
	if err != nil {
		return nil, err
	}
	return &slotRow{salt: salt, public: pub, wrapped: wrapped}, nil
}

func slotContext(commission, user int64, epoch int) string {
	return fmt.Sprintf("slot/%d/%d/%d", commission, user, epoch)
}

func (tx *Tx) putSlot(commission, user int64, s *slotRow) error {
	if _, err := tx.Exec(`DELETE FROM rights_slots WHERE commission_id = ? AND user_id = ?`, commission, user); err != nil {
		return err
	}
	_, err := tx.Exec(`INSERT INTO rights_slots (commission_id, user_id, salt, member_public, member_wrapped, key_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		commission, user, s.salt, s.public[:], s.wrapped, s.sealed, us(tx.Now))
	return err
}

// SetPassphrase sets (or changes) the actor's passphrase for a commission's
// key. If the actor can read the key now (through the key file, or
// unlocked), their new passphrase opens it at once; otherwise they wait for
// a member who holds it to grant it.
func (db *DB) SetPassphrase(ctx context.Context, actor, commission int64, passphrase string) error {
	if len(passphrase) < vault.PassphraseMin {
		return errs.Field("passphrase", "rights.passphrase.short", vault.PassphraseMin)
	}
	slot, err := newSlot(passphrase)
	if err != nil {
		return err
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		_, k, err := tx.keyFor(commission, authz.KeepRecords)
		if err != nil {
			return err
		}
		if _, ok := k.pub(); !ok {
			return errs.New(errs.Conflict, "rights.no_key")
		}
		granted := false
		if priv, err := tx.privateKey(commission, k); err == nil {
			if slot.sealed, err = vault.Seal(slot.public, priv[:], slotContext(commission, actor, k.epoch)); err != nil {
				return err
			}
			granted = true
		}
		if err := tx.putSlot(commission, actor, slot); err != nil {
			return err
		}
		return tx.Record("records.passphrase_set", commission, map[string]any{"granted": granted})
	})
}

// Unlock opens the commission's key with the actor's passphrase and keeps it
// in this node's memory for UnlockFor.
func (db *DB) Unlock(ctx context.Context, actor, commission int64, passphrase string) error {
	var s slotRow
	var epoch int
	var pub []byte
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = actor
		if _, _, err := tx.keeper(commission, authz.KeepRecords); err != nil {
			return err
		}
		var member []byte
		err := tx.QueryRow(`SELECT s.salt, s.member_public, s.member_wrapped, s.key_sealed, k.epoch, k.public_key FROM rights_slots s JOIN rights_keys k ON k.commission_id = s.commission_id
			WHERE s.commission_id = ? AND s.user_id = ?`, commission, actor).Scan(&s.salt, &member, &s.wrapped, &s.sealed, &epoch, &pub)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Field("passphrase", "rights.no_slot")
		}
		return err
	})
	if err != nil {
		return err
	}
	if pub == nil {
		return errs.New(errs.Conflict, "rights.locked_down")
	}
	mine, err := vault.UnwrapPrivate(vault.PassphraseKey(passphrase, s.salt), s.wrapped, "member")
	if err != nil {
		return errs.Field("passphrase", "rights.passphrase.wrong")
	}
	if s.sealed == nil {
		return errs.New(errs.Conflict, "rights.not_granted")
	}
	b, err := vault.Open(vault.Private(mine), s.sealed, slotContext(commission, actor, epoch))
	if err != nil || len(b) != vault.KeySize {
		return errs.New(errs.Conflict, "rights.not_granted")
	}
	var priv vault.Private
	copy(priv[:], b)
	db.rights.ring.put(commission, actor, epoch, priv, db.Now())
	return nil
}

// Lock forgets the actor's unlocked key on this node. Only a member has
// anything to lock; anyone else learns nothing (NotFound).
func (db *DB) Lock(ctx context.Context, actor, commission int64) error {
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = actor
		_, _, err := tx.keeper(commission, authz.KeepRecords)
		return err
	})
	if err == nil {
		db.rights.ring.forget(commission, actor)
	}
	return err
}

// Grant seals the commission's key to a member who set a passphrase; the
// actor must be able to read the key.
func (db *DB) Grant(ctx context.Context, actor, commission, user int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		_, k, err := tx.keyFor(commission, authz.KeepRecords)
		if err != nil {
			return err
		}
		priv, err := tx.privateKey(commission, k)
		if err != nil {
			return err
		}
		var member []byte
		err = tx.QueryRow(`SELECT s.member_public FROM rights_slots s JOIN memberships m ON m.body_id = s.commission_id AND m.user_id = s.user_id
			WHERE s.commission_id = ? AND s.user_id = ?`, commission, user).Scan(&member)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Field("user", "rights.no_slot")
		}
		if err != nil {
			return err
		}
		var pub vault.Public
		copy(pub[:], member)
		sealed, err := vault.Seal(pub, priv[:], slotContext(commission, user, k.epoch))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE rights_slots SET key_sealed = ? WHERE commission_id = ? AND user_id = ?`, sealed, commission, user); err != nil {
			return err
		}
		return tx.Record("records.granted", commission, map[string]any{"user": user})
	})
}

// RecordsState tells a commission member how its key stands.
func (db *DB) RecordsState(ctx context.Context, viewer, commission int64) (RecordsInfo, error) {
	var info RecordsInfo
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		c, role, err := tx.keeper(commission, authz.KeepRecords)
		if err != nil {
			return err
		}
		info.Commission, info.Role, info.NodeHasKey = c, role, db.rights.file != nil
		k, err := tx.keyRow(commission)
		if err != nil {
			return err
		}
		info.Epoch, info.File, info.Exact, info.Originals = k.epoch, k.file != nil, k.exact, k.originals
		if k.lockedAt != 0 {
			info.LockedAt = fromUS(k.lockedAt)
		}
		if pub, ok := k.pub(); ok {
			info.Live, info.KeyID = true, pub.ID()
			_, err := tx.privateKey(commission, k)
			info.Readable = err == nil
		}
		rows, err := tx.Query(`SELECT user_id, key_sealed IS NOT NULL FROM rights_slots WHERE commission_id = ? ORDER BY user_id`, commission)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u int64
			var granted bool
			if err := rows.Scan(&u, &granted); err != nil {
				return err
			}
			if u == viewer {
				info.HasSlot, info.Granted = true, granted
			} else if !granted {
				info.Pending = append(info.Pending, u)
			}
		}
		return rows.Err()
	})
	return info, err
}

// Lockdown destroys a commission's key: every wrapped copy and every
// passphrase slot is erased, so that from now on no one — not its members,
// not whoever holds the database and the key file — can read its records.
// confirm must be the commission's name. The clear half of the records (what
// the public figures count) stays.
func (db *DB) Lockdown(ctx context.Context, actor, commission int64, confirm string) error {
	err := db.Update(ctx, actor, func(tx *Tx) error {
		c, k, err := tx.keyFor(commission, authz.KeepRecords)
		if err != nil {
			return err
		}
		if strings.TrimSpace(confirm) != c.Name {
			return errs.Field("confirm", "rights.lockdown.confirm")
		}
		if _, ok := k.pub(); !ok {
			return errs.New(errs.Conflict, "rights.no_key")
		}
		if db.dialect == SQLite {
			// Overwrite the deleted bytes in the file, rather than
			// leaving them in free pages.
			if _, err := tx.Exec(`PRAGMA secure_delete = ON`); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE rights_keys SET public_key = NULL, file_wrapped = NULL, locked_at = ? WHERE commission_id = ?`, us(tx.Now), commission); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM rights_slots WHERE commission_id = ?`, commission); err != nil {
			return err
		}
		// What the journal says in the clear of the records (kind, place,
		// force, when) goes too.
		seqs, err := tx.erasableSeqs(`body = ? AND (kind LIKE 'incident.%' OR kind LIKE 'person.%' OR kind LIKE 'evidence.%')`, commission)
		if err != nil {
			return err
		}
		if err := tx.eraseEntries(seqs, "lockdown"); err != nil {
			return err
		}
		return tx.Record("records.locked_down", commission, map[string]any{"epoch": k.epoch})
	})
	if err != nil {
		return err
	}
	db.rights.ring.forget(commission, 0)
	return db.scrub(ctx)
}

// scrub makes the old versions of erased rows leave the files: on SQLite the
// write-ahead log is checkpointed and truncated; on PostgreSQL the key
// tables are rewritten (VACUUM FULL), which drops their dead row versions.
func (db *DB) scrub(ctx context.Context) error {
	if db.dialect == SQLite {
		_, err := db.write.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
		return err
	}
	_, err := db.write.ExecContext(ctx, `VACUUM FULL rights_keys, rights_slots, journal`)
	return err
}

// UpdateRecordsSettings changes whether coordinates and images are kept as
// given (for what is recorded from now on).
func (db *DB) UpdateRecordsSettings(ctx context.Context, actor, commission int64, exact, originals bool) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.keeper(commission, authz.SetUpRecords); err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE rights_keys SET exact_coords = ?, original_images = ? WHERE commission_id = ?`, exact, originals, commission)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.Conflict, "rights.no_key")
		}
		return tx.Record("records.settings", commission, map[string]any{"exact_coords": exact, "original_images": originals})
	})
}

// sealedSum is the hash the journal records of a sealed value: it proves
// what was stored without saying anything of what it holds.
func sealedSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sealedB64 is a sealed value as the journal carries it.
func sealedB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
