package journal

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Erasure. The journal is append-only, yet people's words in it — a
// sitrep, a comment, an invitation's label, the name an account was made
// under — must be erasable: by their author, when an account is deleted,
// when a commission locks down, by a body's decision. An erased entry
// keeps its place, hash and signature; its payload is replaced by a
// marker naming the entry that erased it. That later entry, of kind
// ErasedKind, records the erased entry's hash and every field but the
// payload, checked in full before the erasure: so the chain still
// verifies, the signature still covers the erased entry's hash, and its
// other fields cannot be changed afterwards without the erasure entry
// (chained and signed) disagreeing.

// ErasedKind is the kind of the entry that erases others' payloads.
const ErasedKind = "journal.erased"

// ErasedPayload is the marker left in place of an erased payload.
func ErasedPayload(by int64) string { return fmt.Sprintf(`{"erased_by":%d}`, by) }

// ErasedBy returns the erasing entry named by an erased payload's marker,
// or 0 if payload is not one.
func ErasedBy(payload string) int64 {
	var m struct {
		By int64 `json:"erased_by"`
	}
	if !strings.HasPrefix(payload, `{"erased_by":`) {
		return 0
	}
	if json.Unmarshal([]byte(payload), &m) != nil || ErasedPayload(m.By) != payload {
		return 0
	}
	return m.By
}

// Erased describes one entry an ErasedKind entry erases.
type Erased struct {
	Seq   int64  `json:"seq"`
	Hash  string `json:"hash"`
	At    int64  `json:"at"` // Unix µs, as hashed
	Actor int64  `json:"actor"`
	Kind  string `json:"kind"`
	Body  int64  `json:"body"`
}

// Erasure is the payload of an ErasedKind entry.
type Erasure struct {
	Entries []Erased `json:"entries"`
	Reason  string   `json:"reason"` // author, account_deleted, lockdown, body_decision
}

// Describe returns what an erasure records of e.
func Describe(e Entry) Erased {
	return Erased{Seq: e.Seq, Hash: e.Hash, At: e.At.UnixMicro(), Actor: e.Actor, Kind: e.Kind, Body: e.Body}
}

// CanErase says why e's payload may not be erased, or "" if it may: its
// chain must check (Sum), and keys and erasures stay.
func CanErase(e Entry) string {
	switch {
	case e.Kind == KeyKind || e.Kind == ErasedKind:
		return "it is part of the journal's own bookkeeping"
	case ErasedBy(e.Payload) != 0:
		return "it is erased already"
	case Sum(e) != e.Hash:
		return "it does not match its hash"
	}
	return ""
}

// ErasedEntry is one erasure verify found.
type ErasedEntry struct {
	Seq, By int64
	Reason  string
}

// erasedPending is an erased entry waiting for the entry that erased it.
type erasedPending struct {
	e  Entry
	by int64
}

func (v *Verifier) checkErased(e Entry, by int64) error {
	if by <= e.Seq {
		return fmt.Errorf("entry %d: its payload is marked erased by entry %d, which comes before it (tampered marker)", e.Seq, by)
	}
	if v.pending == nil {
		v.pending = map[int64]erasedPending{}
	}
	v.pending[e.Seq] = erasedPending{e: e, by: by}
	return nil
}

func (v *Verifier) checkErasure(e Entry) error {
	var x Erasure
	if err := json.Unmarshal([]byte(e.Payload), &x); err != nil || len(x.Entries) == 0 {
		return fmt.Errorf("entry %d: an erasure that names no entry", e.Seq)
	}
	for _, d := range x.Entries {
		p, ok := v.pending[d.Seq]
		switch {
		case !ok:
			return fmt.Errorf("entry %d: it erases entry %d, whose payload is not erased (or was put back)", e.Seq, d.Seq)
		case p.by != e.Seq:
			return fmt.Errorf("entry %d: its payload's marker names entry %d, but entry %d erased it (tampered marker)", d.Seq, p.by, e.Seq)
		case d != Describe(p.e):
			return fmt.Errorf("entry %d: erased by entry %d, and changed since (its fields or hash differ from what the erasure recorded)", d.Seq, e.Seq)
		}
		delete(v.pending, d.Seq)
		v.erased = append(v.erased, ErasedEntry{Seq: d.Seq, By: e.Seq, Reason: x.Reason})
	}
	return nil
}

// Finish checks, once every entry has passed, that each erased payload was
// erased by the entry its marker names.
func (v *Verifier) Finish() error {
	var first int64
	for seq := range v.pending {
		if first == 0 || seq < first {
			first = seq
		}
	}
	if first != 0 {
		return fmt.Errorf("entry %d: its payload is marked erased by entry %d, which does not erase it (tampered marker)", first, v.pending[first].by)
	}
	return nil
}

// at is an Erased's time.
func (d Erased) Time() time.Time { return time.UnixMicro(d.At).UTC() }
