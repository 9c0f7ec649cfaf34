// Package vault keeps secrets at rest so that a copy of the database alone
// reveals none of them. It is pure: it reads no file and holds no state.
//
// It works in two layers (envelope encryption):
//
//   - A commission has a key pair (X25519). Anyone may seal a record to its
//     public key, which is stored in the clear: a person reporting an incident
//     needs no secret, and the server that stores the report cannot read it
//     back. Only the private key opens what was sealed.
//   - The private key is never stored as it is. It is wrapped (encrypted) with
//     a key that is not in the database: one read from a key file kept beside
//     it (KeyFromFile), or one derived from a person's passphrase
//     (PassphraseKey). Destroying every wrapped copy destroys the records.
//
// Every sealed or wrapped value is bound to a context string (the record it
// belongs to: "incident/12/3") so that a value moved to another row does not
// open there.
package vault

import (
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the size of every symmetric key and of a private key.
const KeySize = 32

// Key is a symmetric key: a key-encryption key or a wrapped secret.
type Key [KeySize]byte

// Private is a commission's private key.
type Private [KeySize]byte

// Public is a commission's public key.
type Public [KeySize]byte

// ErrOpen is returned when a sealed or wrapped value does not open: the key is
// wrong, or the value was damaged, moved or cut.
var ErrOpen = errors.New("vault: wrong key or damaged value")

// Format versions, the first byte of every sealed or wrapped value.
const (
	sealV1 = 0x51
	wrapV1 = 0x57
)

// NewPair makes a fresh key pair.
func NewPair() (Public, Private, error) {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return Public{}, Private{}, fmt.Errorf("vault: new key: %w", err)
	}
	var pub Public
	var priv Private
	copy(pub[:], k.PublicKey().Bytes())
	copy(priv[:], k.Bytes())
	return pub, priv, nil
}

// PublicOf returns the public key of priv.
func PublicOf(priv Private) (Public, error) {
	k, err := ecdh.X25519().NewPrivateKey(priv[:])
	if err != nil {
		return Public{}, ErrOpen
	}
	var pub Public
	copy(pub[:], k.PublicKey().Bytes())
	return pub, nil
}

// ID is a short fingerprint of a public key, to name it to people.
func (p Public) ID() string {
	s := sha256.Sum256(p[:])
	return hex.EncodeToString(s[:6])
}

// SealedOverhead is how much longer a sealed value is than its plaintext.
const SealedOverhead = 1 + KeySize + chacha20poly1305.Overhead

// Seal encrypts plain to pub, bound to context. Each call uses a fresh
// ephemeral key, so the same plaintext never seals the same way twice.
func Seal(pub Public, plain []byte, context string) ([]byte, error) {
	eph, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("vault: seal: %w", err)
	}
	to, err := ecdh.X25519().NewPublicKey(pub[:])
	if err != nil {
		return nil, fmt.Errorf("vault: seal: bad public key")
	}
	shared, err := eph.ECDH(to)
	if err != nil {
		return nil, fmt.Errorf("vault: seal: %w", err)
	}
	ephPub := eph.PublicKey().Bytes()
	aead, err := sealAEAD(shared, ephPub, pub[:], context)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, SealedOverhead+len(plain))
	out = append(out, sealV1)
	out = append(out, ephPub...)
	// The key is used once, so a zero nonce is safe.
	var nonce [chacha20poly1305.NonceSize]byte
	return aead.Seal(out, nonce[:], plain, []byte(context)), nil
}

// Open decrypts a value sealed to priv's public key under context.
func Open(priv Private, sealed []byte, context string) ([]byte, error) {
	if len(sealed) < SealedOverhead || sealed[0] != sealV1 {
		return nil, ErrOpen
	}
	k, err := ecdh.X25519().NewPrivateKey(priv[:])
	if err != nil {
		return nil, ErrOpen
	}
	ephPub := sealed[1 : 1+KeySize]
	eph, err := ecdh.X25519().NewPublicKey(ephPub)
	if err != nil {
		return nil, ErrOpen
	}
	shared, err := k.ECDH(eph)
	if err != nil {
		return nil, ErrOpen
	}
	aead, err := sealAEAD(shared, ephPub, k.PublicKey().Bytes(), context)
	if err != nil {
		return nil, err
	}
	var nonce [chacha20poly1305.NonceSize]byte
	plain, err := aead.Open(nil, nonce[:], sealed[1+KeySize:], []byte(context))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

func sealAEAD(shared, ephPub, pub []byte, context string) (interface {
	Seal(dst, nonce, plaintext, additionalData []byte) []byte
	Open(dst, nonce, ciphertext, additionalData []byte) ([]byte, error)
}, error) {
	salt := append(append([]byte{}, ephPub...), pub...)
	key, err := hkdf.Key(sha256.New, shared, salt, "asamblea-vault-seal-v1 "+context, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("vault: derive: %w", err)
	}
	return chacha20poly1305.New(key)
}

// WrappedSize is the size of a wrapped 32-byte secret.
const WrappedSize = 1 + chacha20poly1305.NonceSizeX + KeySize + chacha20poly1305.Overhead

// Wrap encrypts a secret with kek, bound to context.
func Wrap(kek Key, secret []byte, context string) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(kek[:])
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+chacha20poly1305.NonceSizeX, 1+chacha20poly1305.NonceSizeX+len(secret)+chacha20poly1305.Overhead)
	out[0] = wrapV1
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("vault: wrap: %w", err)
	}
	return aead.Seal(out, out[1:], secret, []byte("asamblea-vault-wrap-v1 "+context)), nil
}

// Unwrap decrypts a secret wrapped with kek under context.
func Unwrap(kek Key, wrapped []byte, context string) ([]byte, error) {
	if len(wrapped) < 1+chacha20poly1305.NonceSizeX+chacha20poly1305.Overhead || wrapped[0] != wrapV1 {
		return nil, ErrOpen
	}
	aead, err := chacha20poly1305.NewX(kek[:])
	if err != nil {
		return nil, err
	}
	n := 1 + chacha20poly1305.NonceSizeX
	plain, err := aead.Open(nil, wrapped[1:n], wrapped[n:], []byte("asamblea-vault-wrap-v1 "+context))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// WrapPrivate wraps a private key.
func WrapPrivate(kek Key, priv Private, context string) ([]byte, error) {
	return Wrap(kek, priv[:], context)
}

// UnwrapPrivate unwraps a private key.
func UnwrapPrivate(kek Key, wrapped []byte, context string) (Private, error) {
	b, err := Unwrap(kek, wrapped, context)
	if err != nil || len(b) != KeySize {
		return Private{}, ErrOpen
	}
	var p Private
	copy(p[:], b)
	return p, nil
}

// SaltSize is the size of a passphrase's salt.
const SaltSize = 16

// NewSalt returns a fresh random salt.
func NewSalt() ([]byte, error) {
	s := make([]byte, SaltSize)
	if _, err := rand.Read(s); err != nil {
		return nil, fmt.Errorf("vault: salt: %w", err)
	}
	return s, nil
}

// Passphrase cost: argon2id with 64 MiB and 3 passes (about a quarter of a
// second on one core), so that each guess at a seized copy costs as much.
const (
	passTime    = 3
	passMemory  = 64 * 1024
	passThreads = 2
)

// PassphraseMin is the shortest passphrase accepted, in bytes.
const PassphraseMin = 12

// PassphraseKey derives a key-encryption key from a passphrase and its salt.
func PassphraseKey(passphrase string, salt []byte) Key {
	var k Key
	copy(k[:], argon2.IDKey([]byte(passphrase), salt, passTime, passMemory, passThreads, KeySize))
	return k
}

// NewKey returns a fresh random symmetric key (the content of a key file).
func NewKey() (Key, error) {
	var k Key
	if _, err := rand.Read(k[:]); err != nil {
		return k, fmt.Errorf("vault: new key: %w", err)
	}
	return k, nil
}

// KeyFileHeader starts a key file; the key follows in hex on the next line.
const KeyFileHeader = "asamblea records key v1"

// EncodeKeyFile returns the content of a key file holding k.
func EncodeKeyFile(k Key) []byte {
	return []byte(KeyFileHeader + "\n" + hex.EncodeToString(k[:]) + "\n")
}

// ParseKeyFile reads a key file's content.
func ParseKeyFile(b []byte) (Key, error) {
	var k Key
	s := string(b)
	if len(s) < len(KeyFileHeader)+1 || s[:len(KeyFileHeader)] != KeyFileHeader || s[len(KeyFileHeader)] != '\n' {
		return k, errors.New("vault: not an asamblea records key file")
	}
	rest := s[len(KeyFileHeader)+1:]
	for len(rest) > 0 && (rest[len(rest)-1] == '\n' || rest[len(rest)-1] == '\r') {
		rest = rest[:len(rest)-1]
	}
	if len(rest) != 2*KeySize {
		return k, errors.New("vault: records key file: the key is not 64 hexadecimal digits")
	}
	if _, err := hex.Decode(k[:], []byte(rest)); err != nil {
		return k, errors.New("vault: records key file: the key is not 64 hexadecimal digits")
	}
	return k, nil
}

// PadSize is the size a sealed value of n bytes is padded to, so that the
// size of a sealed record or file says little about its content and
// cannot be matched with the size of the same file stored elsewhere (a
// photo posted in public and sealed as evidence): 1 KiB at least, then
// powers of two up to 64 KiB, then steps of an eighth of the power of two
// below (at most 12.5% more).
func PadSize(n int) int {
	const min = 1 << 10
	if n <= min {
		return min
	}
	p := min
	for p < n && p < 64<<10 {
		p <<= 1
	}
	if p >= n {
		return p
	}
	for p*2 < n {
		p <<= 1
	}
	step := p / 8
	return (n + step - 1) / step * step
}
