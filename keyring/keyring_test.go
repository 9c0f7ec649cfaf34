package keyring

import (
	"bytes"
	"errors"
	iofs "io/fs"
	"os"
	"path/filepath"
	"testing"
)

var pass = []byte("una frase larga que no está en el disco")

func TestWrapAndRead(t *testing.T) {
	data := t.TempDir()
	r := New(data, data, pass)
	secret := []byte("asamblea records key v1\n" + string(bytes.Repeat([]byte("ab"), 32)) + "\n")
	p := r.Path(Records)
	if err := r.Create(p, secret); err != nil {
		t.Fatal(err)
	}
	onDisk, _ := os.ReadFile(p)
	if bytes.Contains(onDisk, secret[24:]) {
		t.Fatal("the wrapped file holds the key in the clear")
	}
	in, err := r.Inspect(p)
	if err != nil || !in.Exists || !in.Wrapped || !in.Inside || in.Loose || in.InClear() || in.Problem() != "" {
		t.Fatalf("inspect = %+v, %v", in, err)
	}
	// A later start with the same passphrase opens it.
	got, err := New(data, data, pass).Read(p)
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("read = %q, %v", got, err)
	}
	// A wrong passphrase or none is a clear refusal naming the file.
	if _, err := New(data, data, []byte("otra frase cualquiera, equivocada")).Read(p); !errors.Is(err, ErrPassphrase) || !bytes.Contains([]byte(err.Error()), []byte(p)) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if _, err := New(data, data, nil).Read(p); !errors.Is(err, ErrNoPassphrase) {
		t.Fatalf("no passphrase: %v", err)
	}
	// A damaged file is refused too.
	os.WriteFile(p, append(onDisk[:len(onDisk)-6], []byte("AAAA=\n")...), 0o600)
	if _, err := New(data, data, pass).Read(p); err == nil {
		t.Fatal("a damaged wrapped file was read")
	}
}

func TestWrapInPlace(t *testing.T) {
	data := t.TempDir()
	p := filepath.Join(data, Journal)
	plain := []byte("plain key content\n")
	if err := New(data, data, nil).Create(p, plain); err != nil {
		t.Fatal(err)
	}
	in, _ := New(data, data, nil).Inspect(p)
	if !in.InClear() || in.Problem() == "" {
		t.Fatalf("a plain key beside the data is not flagged: %+v", in)
	}
	r := New(data, data, pass)
	if done, err := r.Wrap(p); err != nil || !done {
		t.Fatalf("wrap = %v, %v", done, err)
	}
	if done, err := r.Wrap(p); err != nil || done {
		t.Fatalf("second wrap = %v, %v", done, err)
	}
	if _, err := New(data, data, []byte("otra frase cualquiera, equivocada")).Wrap(p); !errors.Is(err, ErrPassphrase) {
		t.Fatalf("wrapping with another passphrase over a wrapped file: %v", err)
	}
	got, err := New(data, data, pass).Read(p)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("read after wrap = %q, %v", got, err)
	}
	if _, err := os.Stat(p + ".wrapping"); !errors.Is(err, iofs.ErrNotExist) {
		t.Fatal("the temporary file was left")
	}
}

func TestOneDerivationPerStart(t *testing.T) {
	data := t.TempDir()
	r := New(data, data, pass)
	for _, n := range []string{Journal, Records, Pepper} {
		if err := r.Create(r.Path(n), []byte(n)); err != nil {
			t.Fatal(err)
		}
	}
	r2 := New(data, data, pass)
	for _, n := range []string{Journal, Records, Pepper} {
		if _, err := r2.Read(r2.Path(n)); err != nil {
			t.Fatal(err)
		}
	}
	if len(r2.keks) != 1 {
		t.Fatalf("%d argon2id derivations for three keys, want 1", len(r2.keks))
	}
}

func TestInsideAndLoose(t *testing.T) {
	root := t.TempDir()
	data, keys := filepath.Join(root, "data"), filepath.Join(root, "usb")
	os.MkdirAll(data, 0o700)
	os.MkdirAll(keys, 0o700)
	r := New(keys, data, nil)
	p := r.Path(Journal)
	if err := r.Create(p, []byte("x")); err != nil {
		t.Fatal(err)
	}
	in, _ := r.Inspect(p)
	if in.Inside || in.InClear() || in.Problem() != "" {
		t.Fatalf("a plain key outside the data directory is refused: %+v", in)
	}
	os.Chmod(p, 0o644)
	in, _ = r.Inspect(p)
	if !in.Loose || in.Problem() == "" {
		t.Fatalf("a key readable by all is not refused: %+v", in)
	}
	for path, want := range map[string]bool{
		filepath.Join(data, "k"):               true,
		filepath.Join(data, "sub", "k"):        true,
		filepath.Join(root, "data-other", "k"): false,
		filepath.Join(keys, "k"):               false,
	} {
		if got := r.inside(path); got != want {
			t.Errorf("inside(%s) = %v, want %v", path, got, want)
		}
	}
	// A symbolic link into the data directory is inside it.
	link := filepath.Join(root, "link")
	if err := os.Symlink(data, link); err == nil && !r.inside(filepath.Join(link, "k")) {
		t.Error("a key reached through a link into the data directory counts as outside")
	}
}

func TestMove(t *testing.T) {
	root := t.TempDir()
	from := filepath.Join(root, "data", Pepper)
	os.MkdirAll(filepath.Dir(from), 0o700)
	os.WriteFile(from, []byte("pepper"), 0o600)
	to, err := Move(from, filepath.Join(root, "usb"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(to); string(b) != "pepper" {
		t.Fatalf("moved content = %q", b)
	}
	if _, err := os.Stat(from); !errors.Is(err, iofs.ErrNotExist) {
		t.Fatal("the original is still in the data directory")
	}
	os.WriteFile(from, []byte("other"), 0o600)
	if _, err := Move(from, filepath.Join(root, "usb")); err == nil {
		t.Fatal("move replaced an existing key")
	}
}

func TestPassphraseFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "pass")
	os.WriteFile(p, []byte("una frase larga de la comisión\r\nsegunda línea"), 0o600)
	got, err := ReadPassphraseFile(p)
	if err != nil || string(got) != "una frase larga de la comisión" {
		t.Fatalf("passphrase = %q, %v", got, err)
	}
	os.WriteFile(p, []byte("corta\n"), 0o600)
	if _, err := ReadPassphraseFile(p); err == nil {
		t.Fatal("a short passphrase was accepted")
	}
}

// BenchmarkUnwrapAtStart is what a start costs with wrapped keys: one
// argon2id derivation and three unwraps.
func BenchmarkUnwrapAtStart(b *testing.B) {
	data := b.TempDir()
	r := New(data, data, pass)
	for _, n := range []string{Journal, Records, Pepper} {
		r.Create(r.Path(n), bytes.Repeat([]byte{'k'}, 100))
	}
	b.ResetTimer()
	for b.Loop() {
		r := New(data, data, pass)
		for _, n := range []string{Journal, Records, Pepper} {
			if _, err := r.Read(r.Path(n)); err != nil {
				b.Fatal(err)
			}
		}
	}
}
