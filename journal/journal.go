// Package journal defines the append-only, hash-chained record of every change
// of state in asamblea, and the pure check that proves the chain intact.
//
// Each entry's hash covers its sequence number, the previous entry's hash, the
// time, the actor, the kind, the body concerned and the payload, so that
// editing, inserting or removing any entry breaks every hash after it.
package journal

import (
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
}

// Sum computes the hash of e from its fields (Hash itself excluded).
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

// Verifier checks a chain entry by entry, in sequence order.
type Verifier struct {
	next int64
	prev string
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
	case Sum(e) != e.Hash:
		return fmt.Errorf("entry %d: content does not match its hash (edited)", e.Seq)
	}
	v.next++
	v.prev = e.Hash
	return nil
}

// Checked returns how many entries passed.
func (v *Verifier) Checked() int64 { return v.next - 1 }

// Head returns the hash of the last entry checked.
func (v *Verifier) Head() string { return v.prev }
