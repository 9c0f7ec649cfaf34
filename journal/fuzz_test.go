package journal

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// fuzzChain returns a journal of four entries as JSON: a key introduced
// and signed by itself, a signed entry, a second key replacing the first,
// and an entry signed by it.
func fuzzChain(tb testing.TB) []byte {
	k1, err := NewKey()
	if err != nil {
		tb.Fatal(err)
	}
	k2, err := NewKey()
	if err != nil {
		tb.Fatal(err)
	}
	s1, s2 := NewSigner(k1), NewSigner(k2)
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	var es []Entry
	add := func(s *Signer, kind string, payload any) {
		p, _ := json.Marshal(payload)
		e := Entry{Seq: int64(len(es) + 1), Prev: Genesis, At: at, Actor: 1, Kind: kind, Body: 2, Payload: string(p)}
		if len(es) > 0 {
			e.Prev = es[len(es)-1].Hash
		}
		e.Hash = Sum(e)
		s.Sign(&e)
		es = append(es, e)
	}
	add(s1, KeyKind, Intro(s1.Public(), ""))
	add(s1, "body.created", map[string]string{"name": "x"})
	add(s1, KeyKind, Intro(s2.Public(), s1.ID))
	add(s2, "vote.cast", map[string]int{"motion": 3})
	b, err := json.Marshal(es)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// FuzzVerifier: the journal check reads entries as they come out of a
// database or a backup. Whatever they hold, it never panics, and it counts
// as checked exactly the entries it accepted before the first error. The
// sequence numbers and the chain of hashes are mended before checking (a
// mismatch there is found at once), so that the fuzzer reaches the key
// introductions and signatures.
func FuzzVerifier(f *testing.F) {
	f.Add(fuzzChain(f), false)
	f.Add(fuzzChain(f), true)
	f.Add([]byte(`[{"kind":"journal.key","payload":"{\"key_id\":\"x\",\"public_key\":\"AAAA\"}"}]`), true)
	f.Add([]byte(`[{"kind":"a"},{"kind":"b","key_id":"k","sig":"!!"}]`), true)
	f.Fuzz(func(t *testing.T, data []byte, mend bool) {
		var es []Entry
		if json.Unmarshal(data, &es) != nil {
			return
		}
		prev := Genesis
		for i := range es {
			if mend {
				es[i].Seq, es[i].Prev = int64(i+1), prev
				if Sum(es[i]) != es[i].Hash {
					es[i].Hash = Sum(es[i])
				}
			}
			prev = es[i].Hash
		}
		v := NewVerifier()
		ok := 0
		for _, e := range es {
			if v.Check(e) != nil {
				break
			}
			ok++
		}
		if v.Checked() != int64(ok) {
			t.Fatalf("Checked() = %d, accepted %d", v.Checked(), ok)
		}
		if r := v.Report(); r.Signed+r.Unsigned != r.Entries {
			t.Fatalf("report %+v: signed and unsigned do not add up", r)
		}
		v.Head()
		v.HeadKey()
	})
}

// FuzzParseKey: a key file of any content is refused or gives a key that
// writes back to a file that reads as the same key.
func FuzzParseKey(f *testing.F) {
	k, err := NewKey()
	if err != nil {
		f.Fatal(err)
	}
	pem, err := MarshalKey(k)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pem)
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\n-----END EC PRIVATE KEY-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		priv, err := ParseKey(b)
		if err != nil {
			return
		}
		again, err := MarshalKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseKey(again)
		if err != nil || !bytes.Equal(back, priv) {
			t.Fatalf("key does not read back: %v", err)
		}
	})
}

// FuzzErasedBy: only the exact marker counts as an erasure, so that no
// payload of someone's words is mistaken for one (which would skip its
// hash check).
func FuzzErasedBy(f *testing.F) {
	for _, s := range []string{`{"erased_by":12}`, `{"erased_by":0}`, `{"erased_by":12,"x":1}`, `{"erased_by": 12}`, `{"text":"hola"}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if n := ErasedBy(p); n != 0 && ErasedPayload(n) != p {
			t.Fatalf("ErasedBy(%q) = %d, but the marker is %q", p, n, ErasedPayload(n))
		}
	})
}
