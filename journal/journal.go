// Package journal defines the append-only, hash-chained record of every change
// of state in asamblea, and the pure check that proves the chain intact.
//
// Each entry's hash covers its sequence number, the previous entry's hash, the
// time, the actor, the kind, the body concerned and the payload, so that
// editing, inserting or removing any entry breaks every hash after it.
//
// Each entry is also signed with the node's ed25519 key (see sign.go), so
// that someone who can write to the database but has not the key file
// cannot rewrite the chain and recompute its hashes unnoticed.
package journal

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"
)

// Genesis is the "previous hash" of the first entry.
const Genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// Entry is one change of state.
type Entry struct {
	Seq     int64     `json:"seq"`
	Prev    string    `json:"prev"`
	Hash    string    `json:"hash"`
	At      time.Time `json:"at"`
	Actor   int64     `json:"actor"` // user id; 0 for the system
	Kind    string    `json:"kind"`  // e.g. "body.created"
	Body    int64     `json:"body"`  // body concerned; 0 for none
	Payload string    `json:"payload"`
	KeyID   string    `json:"key_id,omitempty"` // the key that signed it; "" before signing was enabled
	Sig     string    `json:"sig,omitempty"`    // base64 ed25519 signature of the hash (see Sign)
}

// Sum computes the hash of e from its fields (Hash, KeyID and Sig excluded:
// the signature covers the hash, not the other way round).
// Times are hashed at microsecond precision, as stored.
func Sum(e Entry) string {
	h := sha256.New()
	var buf [8]byte
	w := func(n int64) {
		binary.BigEndian.PutUint64(buf[:], uint64(n))
		h.Write(buf[:])
	}
	ws := func(s string) {
		w(int64(len(s)))
		h.Write([]byte(s))
	}
	h.Write([]byte("asamblea-journal-v1"))
	w(e.Seq)
	ws(e.Prev)
	w(e.At.UnixMicro())
	w(e.Actor)
	ws(e.Kind)
	w(e.Body)
	ws(e.Payload)
	return hex.EncodeToString(h.Sum(nil))
}

// Verifier checks a chain entry by entry, in sequence order: each entry's
// place and hash, and its signature. The keys come from the chain itself:
// an entry of kind KeyKind introduces a key, signed by the key it replaces
// (the first key signs its own introduction). From the first key on every
// entry must be signed by the current key; the entries before it, written
// before signing was enabled, are counted as unsigned and pass.
type Verifier struct {
	next int64
	prev string

	keys     []Key // introduced so far; the last one is current
	signed   int64
	unsigned int64

	pending map[int64]erasedPending // erased entries whose erasure is still to come
	erased  []ErasedEntry
}

// NewVerifier starts a check from the first entry.
func NewVerifier() *Verifier { return &Verifier{next: 1, prev: Genesis} }

// Check verifies the next entry; it returns an error naming the sequence
// number of the first entry that is wrong.
func (v *Verifier) Check(e Entry) error {
	switch {
	case e.Seq != v.next:
		return fmt.Errorf("entry %d: expected sequence %d (an entry is missing or out of place)", e.Seq, v.next)
	case e.Prev != v.prev:
		return fmt.Errorf("entry %d: previous hash does not match entry %d", e.Seq, e.Seq-1)
	}
	if by := ErasedBy(e.Payload); by != 0 && e.Kind != KeyKind && e.Kind != ErasedKind {
		// Its content cannot be hashed again: the erasure entry, still
		// to come, vouches for its hash and fields.
		if err := v.checkErased(e, by); err != nil {
			return err
		}
	} else if Sum(e) != e.Hash {
		return fmt.Errorf("entry %d: content does not match its hash (edited)", e.Seq)
	}
	if err := v.checkSig(e); err != nil {
		return err
	}
	if e.Kind == ErasedKind {
		if err := v.checkErasure(e); err != nil {
			return err
		}
	}
	v.next++
	v.prev = e.Hash
	return nil
}

func (v *Verifier) checkSig(e Entry) error {
	cur := v.current()
	if e.Kind == KeyKind {
		k, err := parseIntro(e)
		if err != nil {
			return fmt.Errorf("entry %d: %v", e.Seq, err)
		}
		for _, old := range v.keys {
			if old.ID == k.ID {
				return fmt.Errorf("entry %d: key %s was already introduced at entry %d", e.Seq, k.ID, old.Seq)
			}
		}
		if k.Previous != cur.ID {
			return fmt.Errorf("entry %d: key %s says it replaces key %q, but the current key is %q", e.Seq, k.ID, k.Previous, cur.ID)
		}
		by := cur
		if by.ID == "" {
			by = k // the first key proves itself by signing its own introduction
		}
		if err := v.verify(e, by); err != nil {
			return err
		}
		v.keys = append(v.keys, k)
		return nil
	}
	if cur.ID == "" {
		if e.Sig != "" || e.KeyID != "" {
			return fmt.Errorf("entry %d: signed by unknown key %s (the journal introduces no key before it)", e.Seq, e.KeyID)
		}
		v.unsigned++
		return nil
	}
	return v.verify(e, cur)
}

// verify checks that e is signed by k.
func (v *Verifier) verify(e Entry, k Key) error {
	switch {
	case e.Sig == "":
		return fmt.Errorf("entry %d: not signed (entries are signed from entry %d on)", e.Seq, v.signedFrom(e.Seq))
	case e.KeyID != k.ID:
		for _, old := range v.keys {
			if old.ID == e.KeyID {
				return fmt.Errorf("entry %d: signed by retired key %s (the current key is %s)", e.Seq, e.KeyID, k.ID)
			}
		}
		return fmt.Errorf("entry %d: signed by unknown key %q (the current key is %s)", e.Seq, e.KeyID, k.ID)
	case !VerifySig(k.Public, e):
		return fmt.Errorf("entry %d: signature does not match (forged, or the entry was altered)", e.Seq)
	}
	v.signed++
	return nil
}

// signedFrom is the first signed entry, or seq if there is none yet.
func (v *Verifier) signedFrom(seq int64) int64 {
	if len(v.keys) > 0 {
		return v.keys[0].Seq
	}
	return seq
}

// current is the key that signs the next entry; zero before signing.
func (v *Verifier) current() Key {
	if len(v.keys) == 0 {
		return Key{}
	}
	return v.keys[len(v.keys)-1]
}

// Trust checks, once the whole chain has passed, that the journal is signed
// with pub at its end: the key this node holds outside the database. With
// it, a journal rewritten from scratch under another key, or stripped of
// every signature, is caught.
func (v *Verifier) Trust(pub ed25519.PublicKey) error {
	id := KeyID(pub)
	cur := v.current()
	switch {
	case cur.ID == "":
		return fmt.Errorf("the journal is not signed, but key %s was given as this node's key (were its signatures stripped?)", id)
	case cur.ID != id:
		for _, k := range v.keys {
			if k.ID == id {
				return fmt.Errorf("the journal's current key is %s; key %s was retired at entry %d", cur.ID, id, v.retiredAt(id))
			}
		}
		return fmt.Errorf("the journal's current key is %s, not this node's key %s (was it rewritten under another key?)", cur.ID, id)
	}
	return nil
}

// retiredAt is the entry that introduced the key after id.
func (v *Verifier) retiredAt(id string) int64 {
	for i, k := range v.keys[:len(v.keys)-1] {
		if k.ID == id {
			return v.keys[i+1].Seq
		}
	}
	return 0
}

// Report is what a check found.
type Report struct {
	Entries  int64         // entries checked
	Signed   int64         // signatures checked
	Unsigned int64         // entries written before signing was enabled
	Keys     []Key         // the keys the journal introduces, oldest first; the last is current
	Erased   []ErasedEntry // payloads erased, and by which entry
}

// Report returns what the check has found so far.
func (v *Verifier) Report() Report {
	return Report{Entries: v.Checked(), Signed: v.signed, Unsigned: v.unsigned, Keys: append([]Key(nil), v.keys...), Erased: append([]ErasedEntry(nil), v.erased...)}
}

// Checked returns how many entries passed.
func (v *Verifier) Checked() int64 { return v.next - 1 }

// Head returns the hash of the last entry checked.
func (v *Verifier) Head() string { return v.prev }

// HeadKey returns the id of the key that signs from the head on ("" if the
// journal is not signed).
func (v *Verifier) HeadKey() string { return v.current().ID }
