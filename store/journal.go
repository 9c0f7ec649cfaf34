package store

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"asamblea/authz"
	"asamblea/errs"
	"asamblea/journal"
)

// journalHead is the last entry's sequence and hash as this transaction
// sees them, the key the journal is signed with from there on ("" if
// signing is not enabled) and the signer this process holds for it.
type journalHead struct {
	seq    int64
	hash   string
	key    string
	signer *journal.Signer
}

// Record appends the journal entry of this transaction's change. It is the
// one function every change of state goes through. The first call in a
// transaction locks the journal head (the UPDATE takes the row lock that
// orders concurrent writers on PostgreSQL; on SQLite the single writer
// already does). Entries are chained at once and written in groups, at the
// latest just before the transaction commits, with the new head.
func (tx *Tx) Record(kind string, body int64, payload any) error {
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("journal payload: %w", err)
	}
	if tx.head == nil {
		if err := tx.lockHead(); err != nil {
			return err
		}
	}
	at := tx.Now
	if sealedKind(kind) {
		at = dayOf(at)
	}
	e := journal.Entry{Seq: tx.head.seq + 1, Prev: tx.head.hash, At: at, Actor: tx.Actor, Kind: kind, Body: body, Payload: string(b)}
	e.Hash = journal.Sum(e)
	tx.pending = append(tx.pending, e)
	tx.journalled = true
	tx.head.seq, tx.head.hash = e.Seq, e.Hash
	if len(tx.pending) >= journalChunk {
		return tx.writePending()
	}
	return nil
}

// sealedKind reports whether entries of kind record a sealed act (of a
// human-rights commission's records): their time is kept to the day, so
// that the journal, which every node replicates, cannot be matched by time
// to what the reporter did in the open.
func sealedKind(kind string) bool {
	return strings.HasPrefix(kind, "incident.") || strings.HasPrefix(kind, "person.") || strings.HasPrefix(kind, "evidence.")
}

// journalChunk is how many entries one INSERT writes.
const journalChunk = 100

// writePending signs and writes the entries recorded but not yet written.
// Entries are signed here rather than one by one in Record, so that a
// group of them is signed on every core at once.
func (tx *Tx) writePending() error {
	if len(tx.pending) > 0 {
		if err := tx.head.checkSigner(); err != nil {
			return err
		}
	}
	for len(tx.pending) > 0 {
		n := min(len(tx.pending), journalChunk)
		if s := tx.head.signer; s != nil {
			signEntries(s, tx.pending[:n])
		}
		var q strings.Builder
		q.WriteString(`INSERT INTO journal (seq, prev, hash, at, actor, kind, body, payload, key_id, sig) VALUES `)
		args := make([]any, 0, 10*n)
		for i, e := range tx.pending[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, e.Seq, e.Prev, e.Hash, us(e.At), e.Actor, e.Kind, e.Body, e.Payload, e.KeyID, e.Sig)
		}
		if _, err := tx.Exec(q.String(), args...); err != nil {
			return fmt.Errorf("journal append: %w", err)
		}
		tx.pending = tx.pending[n:]
	}
	tx.pending = nil
	return nil
}

// signParallel is the fewest entries per core worth signing apart: an
// ed25519 signature costs some 20µs, a goroutine far less.
const signParallel = 8

// signEntries signs es, on as many cores as there are groups of
// signParallel entries.
func signEntries(s *journal.Signer, es []journal.Entry) {
	workers := min(runtime.GOMAXPROCS(0), len(es)/signParallel)
	if workers <= 1 {
		for i := range es {
			s.Sign(&es[i])
		}
		return
	}
	var wg sync.WaitGroup
	per := (len(es) + workers - 1) / workers
	for lo := 0; lo < len(es); lo += per {
		part := es[lo:min(lo+per, len(es))]
		wg.Go(func() {
			for i := range part {
				s.Sign(&part[i])
			}
		})
	}
	wg.Wait()
}

// checkSigner refuses to write entries the journal's key would not verify:
// unsigned ones once signing is enabled, or ones signed by another key.
func (h *journalHead) checkSigner() error {
	switch {
	case h.signer == nil && h.key == "":
		return nil
	case h.signer == nil:
		return fmt.Errorf("journal: entries are signed with key %s, and this process holds no journal key (open the database with its key file)", h.key)
	case h.key == "":
		return fmt.Errorf("journal: this process signs with key %s, but the journal introduces no key (was the database replaced? restart to introduce the key)", h.signer.ID)
	case h.signer.ID != h.key:
		return fmt.Errorf("journal: entries are signed with key %s, but this process holds key %s (was the key rotated? restart with the current key file)", h.key, h.signer.ID)
	}
	return nil
}

// lockHead reads the journal head and takes its row lock for the rest of
// the transaction.
func (tx *Tx) lockHead() error {
	h := &journalHead{}
	if err := tx.QueryRow(`UPDATE journal_head SET seq = seq WHERE id = 1 RETURNING seq, hash, key_id`).Scan(&h.seq, &h.hash, &h.key); err != nil {
		return fmt.Errorf("journal head: %w", err)
	}
	h.signer = tx.db.signer.Load()
	tx.head = h
	return nil
}

// flushJournal writes the pending entries and the head if this
// transaction appended.
func (tx *Tx) flushJournal() error {
	if !tx.journalled {
		return nil
	}
	if err := tx.writePending(); err != nil {
		return err
	}
	if _, err := tx.Exec(`UPDATE journal_head SET seq = ?, hash = ?, key_id = ? WHERE id = 1`, tx.head.seq, tx.head.hash, tx.head.key); err != nil {
		return fmt.Errorf("journal head: %w", err)
	}
	return nil
}

// UseJournalKey makes db sign every journal entry it writes with priv, a
// key kept outside the database. If the journal has no key yet, it
// introduces this one in an entry the key signs itself, and reports
// introduced; the entries before it stay unsigned. If the journal is signed
// with another key it refuses, so a node never writes entries that verify
// would reject.
func (db *DB) UseJournalKey(ctx context.Context, priv ed25519.PrivateKey) (introduced bool, err error) {
	s := journal.NewSigner(priv)
	err = db.swapSigner(ctx, s, func(tx *Tx) error {
		h := tx.head
		switch h.key {
		case s.ID:
			return nil
		case "":
			h.signer, h.key = s, s.ID
			introduced = true
			return tx.introduceKey(s.Public(), "")
		}
		var retired int64
		err := tx.QueryRow(`SELECT retired_at FROM journal_keys WHERE key_id = ?`, s.ID).Scan(&retired)
		if err == nil && retired != 0 {
			return fmt.Errorf("journal: key %s was retired on %s; the journal is now signed with key %s (use the current key file)", s.ID, fromUS(retired).Format("2006-01-02 15:04 MST"), h.key)
		}
		return fmt.Errorf("journal: the journal is signed with key %s, not with this key file's key %s", h.key, s.ID)
	})
	return introduced, err
}

// JournalKeyID returns the id of the key the journal is signed with from
// its head on, or "" if signing has not been enabled.
func (db *DB) JournalKeyID(ctx context.Context) (string, error) {
	var id string
	if err := db.read.QueryRowContext(ctx, `SELECT key_id FROM journal_head WHERE id = 1`).Scan(&id); err != nil {
		return "", fmt.Errorf("journal head: %w", err)
	}
	return id, nil
}

// RotateJournalKey replaces the journal's key with next: an entry signed by
// the current key (the one UseJournalKey set) introduces next, which signs
// every entry after it. The old key is marked retired; its private key is
// no longer needed to verify, since the public keys are in the journal.
func (db *DB) RotateJournalKey(ctx context.Context, next ed25519.PrivateKey) error {
	old := db.signer.Load()
	if old == nil {
		return errors.New("journal: no current key to rotate from")
	}
	s := journal.NewSigner(next)
	if s.ID == old.ID {
		return fmt.Errorf("journal: key %s is already the current key", s.ID)
	}
	return db.swapSigner(ctx, s, func(tx *Tx) error {
		h := tx.head
		if err := h.checkSigner(); err != nil {
			return err
		}
		if h.signer == nil {
			return errors.New("journal: the journal has no key yet")
		}
		if err := tx.introduceKey(s.Public(), old.ID); err != nil {
			return err
		}
		if err := tx.writePending(); err != nil { // signed by the old key
			return err
		}
		h.signer, h.key = s, s.ID
		_, err := tx.Exec(`UPDATE journal_keys SET retired_at = ? WHERE key_id = ?`, us(tx.Now), old.ID)
		return err
	})
}

// swapSigner runs fn in a transaction holding the journal head, and makes
// s this process's signer if it commits. The signer is swapped just before
// the commit, while no other transaction can read the head (on SQLite the
// single writer connection is held, on PostgreSQL the head's row lock), and
// put back if the commit fails.
func (db *DB) swapSigner(ctx context.Context, s *journal.Signer, fn func(*Tx) error) error {
	prev := db.signer.Load()
	swapped := false
	err := db.Update(ctx, 0, func(tx *Tx) error {
		if tx.head == nil {
			if err := tx.lockHead(); err != nil {
				return err
			}
		}
		if err := fn(tx); err != nil {
			return err
		}
		db.signer.Store(s)
		swapped = true
		return nil
	})
	if err != nil && swapped {
		db.signer.Store(prev)
	}
	return err
}

// introduceKey records the journal entry that introduces pub, and lists it.
func (tx *Tx) introduceKey(pub ed25519.PublicKey, previous string) error {
	in := journal.Intro(pub, previous)
	if err := tx.Record(journal.KeyKind, 0, in); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO journal_keys (key_id, public_key, seq, created_at) VALUES (?, ?, ?, ?)`, in.KeyID, in.PublicKey, tx.head.seq, us(tx.Now)); err != nil {
		return fmt.Errorf("journal key: %w", err)
	}
	return nil
}

// VerifyJournal recomputes the whole chain, checks every signature and
// checks the chain against the head. It returns the number of entries
// checked and the first problem found.
func (db *DB) VerifyJournal() (int64, error) {
	r, err := db.CheckJournal(nil)
	return r.Entries, err
}

// CheckJournal is VerifyJournal with a report of the signatures checked.
// If trusted is not nil — the public half of the key file this node keeps
// outside the database — the journal must be signed with it at its end,
// which catches a journal rewritten wholesale, under another key or none.
func (db *DB) CheckJournal(trusted ed25519.PublicKey) (journal.Report, error) {
	v := journal.NewVerifier()
	if err := db.checkChain(v); err != nil {
		return v.Report(), err
	}
	r := v.Report()
	var seq int64
	var hash, key string
	if err := db.read.QueryRow(`SELECT seq, hash, key_id FROM journal_head WHERE id = 1`).Scan(&seq, &hash, &key); err != nil {
		return r, err
	}
	if seq != v.Checked() || hash != v.Head() {
		return r, fmt.Errorf("entry %d: the chain ends at entry %d but the head names entry %d (entries removed from the end)", v.Checked()+1, v.Checked(), seq)
	}
	if key != v.HeadKey() {
		return r, fmt.Errorf("journal head: it names key %q, but the journal's current key is %q", key, v.HeadKey())
	}
	if err := db.checkKeyList(r.Keys); err != nil {
		return r, err
	}
	if trusted != nil {
		if err := v.Trust(trusted); err != nil {
			return r, err
		}
	}
	return r, nil
}

func (db *DB) checkChain(v *journal.Verifier) error {
	rows, err := db.read.Query(`SELECT seq, prev, hash, at, actor, kind, body, payload, key_id, sig FROM journal ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e journal.Entry
		if err := scanEntry(rows, &e); err != nil {
			return err
		}
		if err := v.Check(e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return v.Finish()
}

// checkKeyList checks that journal_keys lists exactly the keys the journal
// introduces.
func (db *DB) checkKeyList(keys []journal.Key) error {
	rows, err := db.read.Query(`SELECT key_id, public_key, seq FROM journal_keys ORDER BY seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	i := 0
	for rows.Next() {
		var id, pub string
		var seq int64
		if err := rows.Scan(&id, &pub, &seq); err != nil {
			return err
		}
		if i >= len(keys) {
			return fmt.Errorf("journal keys: key %s is listed but no journal entry introduces it", id)
		}
		k := journal.Intro(keys[i].Public, "")
		if id != k.KeyID || pub != k.PublicKey || seq != keys[i].Seq {
			return fmt.Errorf("journal keys: the list does not match the key %s that entry %d introduces", k.KeyID, keys[i].Seq)
		}
		i++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if i < len(keys) {
		return fmt.Errorf("journal keys: key %s, introduced at entry %d, is not listed", keys[i].ID, keys[i].Seq)
	}
	return nil
}

// Entries returns up to limit journal entries of body after seq, oldest first.
func (tx *Tx) Entries(body, after int64, limit int) ([]journal.Entry, error) {
	return queryAll(tx, scanEntry, `SELECT seq, prev, hash, at, actor, kind, body, payload, key_id, sig FROM journal WHERE body = ? AND seq > ? ORDER BY seq LIMIT ?`, body, after, limit)
}

func scanEntry(row scanner, e *journal.Entry) error {
	var at int64
	err := row.Scan(&e.Seq, &e.Prev, &e.Hash, &at, &e.Actor, &e.Kind, &e.Body, &e.Payload, &e.KeyID, &e.Sig)
	e.At = fromUS(at)
	return err
}

// BodyJournal returns up to limit entries about body after seq, for its
// members.
func (db *DB) BodyJournal(ctx context.Context, viewer, body, after int64, limit int) ([]journal.Entry, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	var out []journal.Entry
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewBodyJournal, body); err != nil {
			return err
		}
		var err error
		out, err = tx.Entries(body, after, limit)
		return err
	})
	return out, err
}

// eraseEntries erases the payloads of the journal entries seqs (already
// committed), each checked in full first, and records the erasure in one
// entry of kind journal.ErasedKind (see package journal). The chain keeps
// verifying; verify reports the erasure.
func (tx *Tx) eraseEntries(seqs []int64, reason string) error {
	if len(seqs) == 0 {
		return nil
	}
	x := journal.Erasure{Reason: reason}
	for _, seq := range seqs {
		var e journal.Entry
		err := scanEntry(tx.QueryRow(`SELECT seq, prev, hash, at, actor, kind, body, payload, key_id, sig FROM journal WHERE seq = ?`, seq), &e)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.New(errs.NotFound, "journal.entry.not_found")
		}
		if err != nil {
			return err
		}
		if why := journal.CanErase(e); why != "" {
			return errs.New(errs.Conflict, "journal.erase.refused", why)
		}
		x.Entries = append(x.Entries, journal.Describe(e))
	}
	if err := tx.Record(journal.ErasedKind, 0, x); err != nil {
		return err
	}
	by := tx.head.seq
	for _, seq := range seqs {
		if _, err := tx.Exec(`UPDATE journal SET payload = ? WHERE seq = ?`, journal.ErasedPayload(by), seq); err != nil {
			return err
		}
	}
	return nil
}

// erasable are the kinds whose payloads hold people's own words or names:
// what an author, an account's deletion or a body's decision erases.
var erasable = map[string]bool{
	"account.created": true, "action.report": true, "action.called": true, "action.edited": true,
	"motion.created": true, "motion.edited": true, "motion.commented": true, "amendment.proposed": true,
	"invitation.created": true, "request.created": true, "need.posted": true, "offer.posted": true,
	"election.candidate": true, "poll.candidacy": true, "recall.opened": true, "poll.recall.opened": true,
	"instruction.given": true, "body.created": true, "body.updated": true, "meeting.recorded": true,
}

// EraseContent erases the payload of journal entry seq: by its author, or
// by a facilitator of the body it concerns (a body's decision). Its words
// are gone from the journal; the chain still verifies.
func (db *DB) EraseContent(ctx context.Context, actor, seq int64) error {
	err := db.Update(ctx, actor, func(tx *Tx) error {
		var author, body int64
		var kind string
		err := tx.QueryRow(`SELECT actor, body, kind FROM journal WHERE seq = ?`, seq).Scan(&author, &body, &kind)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.New(errs.NotFound, "journal.entry.not_found")
		}
		if err != nil {
			return err
		}
		if !erasable[kind] {
			return errs.New(errs.Conflict, "journal.erase.kind")
		}
		reason := "author"
		if author != actor {
			if body == 0 {
				return errs.New(errs.Forbidden, "journal.erase.not_yours")
			}
			if _, _, err := tx.authorize(authz.EraseContent, body); err != nil {
				if errs.Is(err, errs.Forbidden) {
					return errs.New(errs.Forbidden, "journal.erase.not_yours")
				}
				return err
			}
			reason = "body_decision"
		}
		if err := tx.sqliteSecureDelete(); err != nil {
			return err
		}
		return tx.eraseEntries([]int64{seq}, reason)
	})
	if err != nil {
		return err
	}
	return db.scrub(ctx)
}

// sqliteSecureDelete makes SQLite overwrite what this transaction deletes
// instead of leaving it in free pages.
func (tx *Tx) sqliteSecureDelete() error {
	if tx.db.dialect != SQLite {
		return nil
	}
	_, err := tx.Exec(`PRAGMA secure_delete = ON`)
	return err
}

// erasableSeqs lists the committed entries matching where (with args)
// whose payload is not erased yet, oldest first.
func (tx *Tx) erasableSeqs(where string, args ...any) ([]int64, error) {
	return queryAll(tx, func(row scanner, seq *int64) error { return row.Scan(seq) },
		`SELECT seq FROM journal WHERE `+where+` AND payload NOT LIKE '{"erased_by":%' AND kind <> '`+journal.KeyKind+`' AND kind <> '`+journal.ErasedKind+`' ORDER BY seq`, args...)
}

// OwnWords is one journal entry holding a person's words, which they may
// erase.
type OwnWords struct {
	Seq     int64     `json:"seq"`
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Excerpt string    `json:"excerpt"`
}

// OwnWordsList lists, newest first, up to limit journal entries of user's
// that hold their words and are not erased yet.
func (db *DB) OwnWordsList(ctx context.Context, user int64, limit int) ([]OwnWords, error) {
	var out []OwnWords
	err := db.View(ctx, func(tx *Tx) error {
		rows, err := tx.Query(`SELECT seq, at, kind, payload FROM journal WHERE actor = ? AND payload NOT LIKE '{"erased_by":%' ORDER BY seq DESC`, user)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() && len(out) < limit {
			var w OwnWords
			var at int64
			var payload string
			if err := rows.Scan(&w.Seq, &at, &w.Kind, &payload); err != nil {
				return err
			}
			if !erasable[w.Kind] {
				continue
			}
			w.At, w.Excerpt = fromUS(at), excerpt(payload, 80)
			out = append(out, w)
		}
		return rows.Err()
	})
	return out, err
}

// excerpt is the longest string in a JSON payload, cut to n runes: what a
// person recognises as their words.
func excerpt(payload string, n int) string {
	var v any
	if json.Unmarshal([]byte(payload), &v) != nil {
		return ""
	}
	best := ""
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			if len(x) > len(best) {
				best = x
			}
		case map[string]any:
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	if r := []rune(best); len(r) > n {
		return string(r[:n]) + "…"
	}
	return best
}
