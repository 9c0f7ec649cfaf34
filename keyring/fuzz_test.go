package keyring

import "testing"

// FuzzParseWrapped: a damaged or hostile key file is refused, never a panic.
func FuzzParseWrapped(f *testing.F) {
	r := New(f.TempDir(), "", []byte("una frase larga para el fuzz"))
	good, _ := r.wrap([]byte("secreto"))
	f.Add(good)
	f.Add([]byte(Header + "\nkdf argon2id t=3 m=65536 p=2\nsalt zz\nAAAA\n"))
	f.Add([]byte("asamblea records key v1\n00\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		salt, sealed, err := parseWrapped(b)
		if err == nil && (len(salt) != 16 || sealed == nil) {
			t.Fatalf("accepted a salt of %d bytes", len(salt))
		}
	})
}
