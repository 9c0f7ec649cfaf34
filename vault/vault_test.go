package vault

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	pub, priv, err := NewPair()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := PublicOf(priv); got != pub {
		t.Fatal("PublicOf does not give back the pair's public key")
	}
	plain := []byte(`{"name":"Rosa Quispe Mamani"}`)
	a, err := Seal(pub, plain, "incident/1/7")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Seal(pub, plain, "incident/1/7")
	if bytes.Equal(a, b) {
		t.Error("sealing twice gave the same bytes: a reader could tell equal records apart")
	}
	if bytes.Contains(a, []byte("Rosa")) {
		t.Error("the sealed value holds the plaintext")
	}
	if len(a) != len(plain)+SealedOverhead {
		t.Errorf("sealed size %d, want %d", len(a), len(plain)+SealedOverhead)
	}
	got, err := Open(priv, a, "incident/1/7")
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// Moved to another record, it does not open.
	if _, err := Open(priv, a, "incident/1/8"); !errors.Is(err, ErrOpen) {
		t.Errorf("opened under another context: %v", err)
	}
	// Another commission's key does not open it.
	_, other, _ := NewPair()
	if _, err := Open(other, a, "incident/1/7"); !errors.Is(err, ErrOpen) {
		t.Errorf("opened with another key: %v", err)
	}
	// Any flipped bit is caught.
	for i := range a {
		c := bytes.Clone(a)
		c[i] ^= 0x10
		if _, err := Open(priv, c, "incident/1/7"); err == nil {
			t.Fatalf("a value with byte %d flipped opened", i)
		}
	}
	for _, n := range []int{0, 1, SealedOverhead - 1, len(a) - 1} {
		if _, err := Open(priv, a[:n], "incident/1/7"); err == nil {
			t.Errorf("a value cut to %d bytes opened", n)
		}
	}
}

func TestWrap(t *testing.T) {
	_, priv, _ := NewPair()
	kek, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	w, err := WrapPrivate(kek, priv, "commission/3")
	if err != nil {
		t.Fatal(err)
	}
	if len(w) != WrappedSize {
		t.Errorf("wrapped size %d, want %d", len(w), WrappedSize)
	}
	if bytes.Contains(w, priv[:8]) {
		t.Error("the wrapped key shows the key")
	}
	got, err := UnwrapPrivate(kek, w, "commission/3")
	if err != nil || got != priv {
		t.Fatalf("UnwrapPrivate = %v", err)
	}
	if _, err := UnwrapPrivate(kek, w, "commission/4"); !errors.Is(err, ErrOpen) {
		t.Error("unwrapped under another commission")
	}
	wrong, _ := NewKey()
	if _, err := UnwrapPrivate(wrong, w, "commission/3"); !errors.Is(err, ErrOpen) {
		t.Error("unwrapped with a wrong key")
	}
	if _, err := UnwrapPrivate(kek, w[:len(w)-1], "commission/3"); !errors.Is(err, ErrOpen) {
		t.Error("a cut value unwrapped")
	}
}

func TestPassphraseKey(t *testing.T) {
	salt, _ := NewSalt()
	a := PassphraseKey("sembrando memoria 2023", salt)
	if a != PassphraseKey("sembrando memoria 2023", salt) {
		t.Error("the same passphrase and salt gave two keys")
	}
	if a == PassphraseKey("sembrando memoria 2024", salt) {
		t.Error("two passphrases gave one key")
	}
	salt2, _ := NewSalt()
	if a == PassphraseKey("sembrando memoria 2023", salt2) {
		t.Error("two salts gave one key")
	}
}

func TestKeyFile(t *testing.T) {
	k, _ := NewKey()
	b := EncodeKeyFile(k)
	got, err := ParseKeyFile(b)
	if err != nil || got != k {
		t.Fatalf("ParseKeyFile(EncodeKeyFile) = %v", err)
	}
	crlf := bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
	crlf = bytes.Replace(crlf, []byte("\r\n"), []byte("\n"), 1)
	if got, err := ParseKeyFile(crlf); err != nil || got != k {
		t.Errorf("a key file with a CRLF ending: %v", err)
	}
	for _, bad := range []string{"", "asamblea records key v1", "asamblea records key v1\nzz", "other\n" + strings.Repeat("0", 64), KeyFileHeader + "\n" + strings.Repeat("g", 64)} {
		if _, err := ParseKeyFile([]byte(bad)); err == nil {
			t.Errorf("ParseKeyFile(%q) accepted", bad)
		}
	}
}

func FuzzOpen(f *testing.F) {
	pub, priv, _ := NewPair()
	s, _ := Seal(pub, []byte("x"), "c")
	f.Add(s, "c")
	f.Add([]byte{sealV1}, "")
	f.Fuzz(func(t *testing.T, b []byte, ctx string) {
		if p, err := Open(priv, b, ctx); err == nil && !(bytes.Equal(b, s) && ctx == "c") {
			t.Fatalf("a forged value opened: %q", p)
		}
	})
}

func FuzzUnwrap(f *testing.F) {
	kek, _ := NewKey()
	w, _ := Wrap(kek, []byte("secret"), "c")
	f.Add(w, "c")
	f.Add([]byte{wrapV1}, "")
	f.Fuzz(func(t *testing.T, b []byte, ctx string) {
		if p, err := Unwrap(kek, b, ctx); err == nil && !(bytes.Equal(b, w) && ctx == "c") {
			t.Fatalf("a forged value unwrapped: %q", p)
		}
	})
}

func FuzzParseKeyFile(f *testing.F) {
	k, _ := NewKey()
	f.Add(EncodeKeyFile(k))
	f.Add([]byte(KeyFileHeader + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := ParseKeyFile(b)
		if err == nil {
			if again, err := ParseKeyFile(EncodeKeyFile(k)); err != nil || again != k {
				t.Fatal("a key parsed does not encode back")
			}
		}
	})
}

func BenchmarkSeal(b *testing.B) {
	pub, _, _ := NewPair()
	plain := bytes.Repeat([]byte("x"), 300)
	for b.Loop() {
		if _, err := Seal(pub, plain, "incident/1/1/1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	pub, priv, _ := NewPair()
	s, _ := Seal(pub, bytes.Repeat([]byte("x"), 300), "incident/1/1/1")
	for b.Loop() {
		if _, err := Open(priv, s, "incident/1/1/1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPassphraseKey(b *testing.B) {
	salt, _ := NewSalt()
	for b.Loop() {
		PassphraseKey("la memoria no se entierra", salt)
	}
}

func TestPadSize(t *testing.T) {
	for n, want := range map[int]int{0: 1024, 1024: 1024, 1025: 2048, 40000: 65536, 65536: 65536, 65537: 73728, 3_000_000: 3_145_728} {
		if got := PadSize(n); got != want {
			t.Errorf("PadSize(%d) = %d, want %d", n, got, want)
		}
	}
	for n := 0; n < 5<<20; n += 997 {
		p := PadSize(n)
		if p < n || n > 1024 && p >= 2*n || n > 64<<10 && float64(p) > float64(n)*1.126 {
			t.Fatalf("PadSize(%d) = %d", n, p)
		}
	}
}
