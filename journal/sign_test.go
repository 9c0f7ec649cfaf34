package journal

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// signedChain builds a journal of 9 entries: 2 written before signing was
// enabled, key A introduced at 3 (signing itself), entries 4-5 signed by A,
// key B introduced at 6 (signed by A), entries 7-9 signed by B.
func signedChain(t *testing.T, a, b *Signer) []Entry {
	t.Helper()
	var es []Entry
	prev := Genesis
	add := func(kind, payload string, s *Signer) {
		e := Entry{Seq: int64(len(es) + 1), Prev: prev, At: time.UnixMicro(int64(1700000000000000 + len(es))), Actor: 7, Kind: kind, Body: 3, Payload: payload}
		e.Hash = Sum(e)
		if s != nil {
			s.Sign(&e)
		}
		prev = e.Hash
		es = append(es, e)
	}
	intro := func(pub ed25519.PublicKey, previous string) string {
		p, err := json.Marshal(Intro(pub, previous))
		if err != nil {
			t.Fatal(err)
		}
		return string(p)
	}
	add("body.created", `{"name":"x"}`, nil)
	add("body.joined", `{}`, nil)
	add(KeyKind, intro(a.Public(), ""), a)
	add("vote.cast", `{}`, a)
	add("vote.cast", `{}`, a)
	add(KeyKind, intro(b.Public(), a.ID), a)
	add("vote.cast", `{}`, b)
	add("vote.cast", `{}`, b)
	add("vote.closed", `{}`, b)
	return es
}

func mustSigner(t *testing.T) *Signer {
	t.Helper()
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	return NewSigner(k)
}

// rehash recomputes the hashes from entry i on, as someone who can write
// to the database but has no key could; signatures are left as they were.
func rehash(es []Entry, i int) {
	for ; i < len(es); i++ {
		if i > 0 {
			es[i].Prev = es[i-1].Hash
		}
		es[i].Hash = Sum(es[i])
	}
}

func TestVerifySignatures(t *testing.T) {
	a, b, mallory := mustSigner(t), mustSigner(t), mustSigner(t)
	tests := map[string]struct {
		mutate func([]Entry) []Entry
		want   string // substring of the error, "" for intact
	}{
		"Intact": {func(es []Entry) []Entry { return es }, ""},
		"TamperedSig": {func(es []Entry) []Entry {
			sig := []byte(es[6].Sig)
			sig[5] ^= 1
			es[6].Sig = string(sig)
			return es
		}, "entry 7: signature does not match"},
		"SigOfAnotherEntry":  {func(es []Entry) []Entry { es[7].Sig = es[6].Sig; return es }, "entry 8: signature does not match"},
		"MissingSig":         {func(es []Entry) []Entry { es[4].Sig, es[4].KeyID = "", ""; return es }, "entry 5: not signed (entries are signed from entry 3 on)"},
		"UnknownKey":         {func(es []Entry) []Entry { mallory.Sign(&es[7]); return es }, "entry 8: signed by unknown key"},
		"RetiredKey":         {func(es []Entry) []Entry { a.Sign(&es[7]); return es }, "entry 8: signed by retired key " + a.ID},
		"NewKeyTooEarly":     {func(es []Entry) []Entry { b.Sign(&es[3]); return es }, "entry 4: signed by unknown key"},
		"SignedBeforeAnyKey": {func(es []Entry) []Entry { a.Sign(&es[1]); return es }, "entry 2: signed by unknown key"},
		"EditedAndResigned": {func(es []Entry) []Entry {
			es[7].Payload = `{"choice":"no"}`
			rehash(es, 7)
			mallory.Sign(&es[7])
			return es
		}, "entry 8: signed by unknown key"},
		"EditedRehashed": {func(es []Entry) []Entry {
			es[4].Payload = `{"choice":"no"}`
			rehash(es, 4)
			return es
		}, "entry 5: signature does not match"},
		"RotationSignedByNewKey": {func(es []Entry) []Entry { b.Sign(&es[5]); return es }, "entry 6: signed by unknown key"},
		"IntroWrongPrevious": {func(es []Entry) []Entry {
			p, _ := json.Marshal(Intro(b.Public(), "0123456789abcdef"))
			es[5].Payload = string(p)
			rehash(es, 5)
			for i := 5; i < len(es); i++ {
				b.Sign(&es[i])
			}
			a.Sign(&es[5])
			return es
		}, "entry 6: key " + b.ID + ` says it replaces key "0123456789abcdef"`},
		"IntroKeyMismatch": {func(es []Entry) []Entry {
			in := Intro(b.Public(), a.ID)
			in.KeyID = mallory.ID
			p, _ := json.Marshal(in)
			es[5].Payload = string(p)
			rehash(es, 5)
			return es
		}, "entry 6: key introduction names key " + mallory.ID},
		"StrippedAndRehashed": {func(es []Entry) []Entry {
			es = append(es[:2], es[3:]...) // the first key's introduction removed
			for i := range es {
				es[i].Seq = int64(i + 1)
			}
			rehash(es, 0)
			return es
		}, "entry 3: signed by unknown key"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := NewVerifier()
			var err error
			for _, e := range tc.mutate(signedChain(t, a, b)) {
				if err = v.Check(e); err != nil {
					break
				}
			}
			if tc.want == "" {
				r := v.Report()
				if err != nil || r.Entries != 9 || r.Signed != 7 || r.Unsigned != 2 || len(r.Keys) != 2 || r.Keys[1].ID != b.ID || r.Keys[1].Seq != 6 || v.HeadKey() != b.ID {
					t.Fatalf("intact chain: err=%v report=%+v", err, r)
				}
				if err := v.Trust(b.Public()); err != nil {
					t.Fatal(err)
				}
				if err := v.Trust(a.Public()); err == nil || !strings.Contains(err.Error(), "retired at entry 6") {
					t.Fatalf("trusting the retired key: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
		})
	}
}

// TestTrustCatchesStolenKey: with the retired key A stolen, someone
// rewrites the rotation to introduce a key of their own. The chain holds
// together, but its head key is not the one the node keeps outside the
// database.
func TestTrustCatchesStolenKey(t *testing.T) {
	a, b, mallory := mustSigner(t), mustSigner(t), mustSigner(t)
	es := signedChain(t, a, b)
	p, _ := json.Marshal(Intro(mallory.Public(), a.ID))
	es[5].Payload = string(p)
	rehash(es, 5)
	a.Sign(&es[5])
	for i := 6; i < len(es); i++ {
		mallory.Sign(&es[i])
	}
	v := NewVerifier()
	for _, e := range es {
		if err := v.Check(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Trust(b.Public()); err == nil || !strings.Contains(err.Error(), "not this node's key "+b.ID) {
		t.Fatalf("trust: %v", err)
	}
}

// TestTrustCatchesStrippedJournal: a journal rewritten without any
// signature holds together as a chain, but not against the node's key.
func TestTrustCatchesStrippedJournal(t *testing.T) {
	a := mustSigner(t)
	v := NewVerifier()
	for _, e := range chain(4) {
		if err := v.Check(e); err != nil {
			t.Fatal(err)
		}
	}
	if r := v.Report(); r.Unsigned != 4 || r.Signed != 0 {
		t.Fatalf("report %+v", r)
	}
	if err := v.Trust(a.Public()); err == nil || !strings.Contains(err.Error(), "the journal is not signed") {
		t.Fatalf("trust: %v", err)
	}
}

func TestKeyFile(t *testing.T) {
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := MarshalKey(k)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), "-----BEGIN PRIVATE KEY-----\n") {
		t.Fatalf("key file %q", b)
	}
	got, err := ParseKey(b)
	if err != nil || !got.Equal(k) {
		t.Fatalf("round trip: %v", err)
	}
	// A key made by openssl genpkey -algorithm ed25519.
	const openssl = "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n-----END PRIVATE KEY-----\n"
	if _, err := ParseKey([]byte(openssl)); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]string{"Empty": "", "Garbage": "hola", "PublicKey": "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n"} {
		if _, err := ParseKey([]byte(in)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
	if id := KeyID(k.Public().(ed25519.PublicKey)); len(id) != 16 || id != NewSigner(k).ID {
		t.Fatalf("key id %q", id)
	}
}
