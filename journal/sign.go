package journal

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
)

// KeyKind is the kind of the entry that introduces a signing key. Its
// payload is a KeyIntro. The first key signs its own introduction; each
// later one is introduced by an entry signed by the key it replaces, so
// that a rotation is itself chained and signed.
const KeyKind = "journal.key"

// KeyIntro is the payload of a KeyKind entry.
type KeyIntro struct {
	KeyID     string `json:"key_id"`
	PublicKey string `json:"public_key"`         // base64 (standard) of the 32-byte ed25519 public key
	Previous  string `json:"previous,omitempty"` // the key it replaces; "" for the first
}

// Key is a public signing key as the journal introduces it.
type Key struct {
	ID       string
	Public   ed25519.PublicKey
	Previous string
	Seq      int64 // the entry that introduced it
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	return hex.EncodeToString(h[:8])
}

// Intro is the payload that introduces pub, replacing the key previous.
func Intro(pub ed25519.PublicKey, previous string) KeyIntro {
	return KeyIntro{KeyID: KeyID(pub), PublicKey: base64.StdEncoding.EncodeToString(pub), Previous: previous}
}

// parseIntro reads the key a KeyKind entry introduces.
func parseIntro(e Entry) (Key, error) {
	var in KeyIntro
	if err := json.Unmarshal([]byte(e.Payload), &in); err != nil {
		return Key{}, fmt.Errorf("key introduction unreadable: %v", err)
	}
	pub, err := base64.StdEncoding.DecodeString(in.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return Key{}, errors.New("key introduction holds no ed25519 public key")
	}
	if KeyID(pub) != in.KeyID {
		return Key{}, fmt.Errorf("key introduction names key %s, but its public key is %s", in.KeyID, KeyID(pub))
	}
	return Key{ID: in.KeyID, Public: pub, Previous: in.Previous, Seq: e.Seq}, nil
}

// sigDomain keeps a journal signature from meaning anything else.
const sigDomain = "asamblea-journal-sig-v1\x00"

// sigMessage is what is signed: the domain, the key's id and the entry's
// hash, which covers every other field and, through Prev, the whole chain
// before it.
func sigMessage(keyID, hash string) []byte {
	return []byte(sigDomain + keyID + "\x00" + hash)
}

// Signer signs entries with one private key.
type Signer struct {
	ID   string
	priv ed25519.PrivateKey
}

// NewSigner returns a signer for priv.
func NewSigner(priv ed25519.PrivateKey) *Signer {
	return &Signer{ID: KeyID(priv.Public().(ed25519.PublicKey)), priv: priv}
}

// Public returns the signer's public key.
func (s *Signer) Public() ed25519.PublicKey { return s.priv.Public().(ed25519.PublicKey) }

// Sign sets e's KeyID and Sig. e.Hash must already be set.
func (s *Signer) Sign(e *Entry) {
	e.KeyID = s.ID
	e.Sig = base64.StdEncoding.EncodeToString(ed25519.Sign(s.priv, sigMessage(s.ID, e.Hash)))
}

// VerifySig reports whether e carries a valid signature by pub over its
// hash. It does not recompute the hash: the Verifier does both.
func VerifySig(pub ed25519.PublicKey, e Entry) bool {
	if e.KeyID != KeyID(pub) {
		return false
	}
	sig, err := base64.StdEncoding.DecodeString(e.Sig)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return false
	}
	return ed25519.Verify(pub, sigMessage(e.KeyID, e.Hash), sig)
}

// NewKey generates a private key.
func NewKey() (ed25519.PrivateKey, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	return priv, err
}

// MarshalKey encodes a private key as a PEM "PRIVATE KEY" block (PKCS #8),
// the form of the key file.
func MarshalKey(priv ed25519.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParseKey decodes a key file written by MarshalKey (or by
// `openssl genpkey -algorithm ed25519`).
func ParseKey(b []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, errors.New("not a PEM PRIVATE KEY")
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("a %T, not an ed25519 key", k)
	}
	return priv, nil
}
