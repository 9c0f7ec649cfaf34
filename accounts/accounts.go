// Package accounts holds the rules of people's accounts: pseudonyms, passwords
// (argon2id), session and API tokens, and login rate limits. It stores nothing
// itself; the store keeps what these rules produce.
//
// A person is known only by a display name they choose. No real name, e-mail,
// phone number or IP address is asked for or kept.
package accounts

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"asamblea/accounts/commonpw"
	"asamblea/errs"
)

// Limits of names and passwords.
const (
	NameMin     = 2
	NameMax     = 40
	PasswordMin = 12
	PasswordMax = 128
)

// User is a person's account.
type User struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Lang      string    `json:"lang,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Session is one signed-in device.
type Session struct {
	ID        int64     `json:"id"`
	Device    string    `json:"device"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	Current   bool      `json:"current"`
}

// Token is a personal API token (its secret is shown once, at creation).
type Token struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	LastUsed  time.Time `json:"last_used,omitempty"`
	Secret    string    `json:"secret,omitempty"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt time.Time `json:"expires_at"`
	// Migrated marks a token made before tokens had scopes: it was made
	// read-only with a 30-day expiry, and its owner is told.
	Migrated bool `json:"migrated,omitempty"`
}

// CleanName validates a pseudonym and returns it normalised (NFC, trimmed,
// inner runs of space folded).
func CleanName(field, name string) (string, error) {
	name = strings.Join(strings.Fields(norm.NFC.String(name)), " ")
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return "", errs.Field(field, "error.required")
	case n < NameMin:
		return "", errs.Field(field, "error.too_short", NameMin)
	case n > NameMax:
		return "", errs.Field(field, "error.too_long", NameMax)
	case !utf8.ValidString(name):
		return "", errs.Field(field, "error.bad_characters")
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == '<' || r == '>' {
			return "", errs.Field(field, "error.bad_characters")
		}
	}
	return name, nil
}

var folder = cases.Fold()

// NameKey is the form of a name that must be unique: case-folded NFKC, so
// that "Rosa" and "ROSA" cannot both be taken.
func NameKey(name string) string {
	return folder.String(norm.NFKC.String(name))
}

// CheckPassword applies the password rules: 12 to 128 characters, any
// characters, not on the list of common passwords.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < PasswordMin:
		return errs.Field("password", "account.password.too_short", PasswordMin)
	case n > PasswordMax:
		return errs.Field("password", "account.password.too_long", PasswordMax)
	case commonpw.IsCommon(pw):
		return errs.Field("password", "account.password.common")
	}
	return nil
}

// Hasher hashes passwords with argon2id.
type Hasher struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// DefaultHasher uses OWASP's recommended argon2id parameters (19 MiB, 2
// passes, 1 lane).
var DefaultHasher = Hasher{Time: 2, MemoryKiB: 19 * 1024, Threads: 1}

// Hash returns the PHC-format argon2id hash of pw with a fresh salt. The
// password is hashed in Unicode normal form C, so that "ñ" typed as one
// character on one phone and as n plus a tilde on another is the same.
func (h Hasher) Hash(pw string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(norm.NFC.String(pw)), salt, h.Time, h.MemoryKiB, h.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.MemoryKiB, h.Time, h.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether pw matches the PHC-format hash encoded.
// A peppered hash never matches without its pepper (VerifyPeppered).
func VerifyPassword(encoded, pw string) bool { return VerifyPeppered(encoded, pw, nil) }

// Pepper is a server secret mixed into every stored password hash. It
// lives in the node's key ring, never in the database, so that a copy of
// the database alone cannot be used to guess passwords offline: without
// the pepper not even the right password can be recognised.
type Pepper [32]byte

// pepperedID names a peppered hash: the argon2id output is replaced by
// HMAC-SHA256(pepper, output). Because the pepper is applied after
// argon2, a server's existing hashes are peppered in place at start,
// without waiting for each person to sign in again.
const pepperedID = "argon2id+hmac"

// pepperedLen is the argon2id output length a peppered hash was made
// from: that of every Hasher here.
const pepperedLen = 32

// Peppered reports whether the hash encoded is peppered.
func Peppered(encoded string) bool { return strings.HasPrefix(encoded, "$"+pepperedID+"$") }

// WithPepper returns the hash encoded bound to pepper p. A hash already
// peppered, or one it cannot read, is returned unchanged.
func WithPepper(encoded string, p *Pepper) string {
	parts := strings.Split(encoded, "$")
	if p == nil || len(parts) != 6 || parts[1] != "argon2id" {
		return encoded
	}
	b64 := base64.RawStdEncoding
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) != pepperedLen {
		return encoded
	}
	parts[1], parts[5] = pepperedID, b64.EncodeToString(pepperMAC(p, key))
	return strings.Join(parts, "$")
}

func pepperMAC(p *Pepper, key []byte) []byte {
	m := hmac.New(sha256.New, p[:])
	m.Write(key)
	return m.Sum(nil)
}

// VerifyPeppered reports whether pw matches the hash encoded, peppered
// with p or made before there was a pepper.
func VerifyPeppered(encoded, pw string, pepper *Pepper) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" && parts[1] != pepperedID {
		return false
	}
	peppered := parts[1] == pepperedID
	if peppered && pepper == nil {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	// A damaged or hostile hash must not panic (zero passes or lanes) nor
	// ask for more than a few hundred megabytes.
	if t < 1 || t > 16 || p < 1 || p > 16 || m < 8*uint32(p) || m > 256*1024 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	n := uint32(len(want))
	if peppered {
		n = pepperedLen
	}
	match := func(pw string) bool {
		got := argon2.IDKey([]byte(pw), salt, t, m, p, n)
		if peppered {
			got = pepperMAC(pepper, got)
		}
		return subtle.ConstantTimeCompare(got, want) == 1
	}
	nfc := norm.NFC.String(pw)
	if match(nfc) {
		return true
	}
	// A hash made before passwords were normalised, from a password typed
	// in another form.
	return nfc != pw && match(pw)
}

// NewSecret returns a random 256-bit secret (base64url) and the SHA-256 hash
// under which it is stored. Session cookies, API tokens and CSRF tokens are
// such secrets; only their hashes reach the database.
func NewSecret() (string, []byte) {
	b := make([]byte, 32)
	rand.Read(b)
	s := base64.RawURLEncoding.EncodeToString(b)
	return s, HashSecret(s)
}

// HashSecret returns the stored form of a secret.
func HashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// APITokenPrefix marks personal API tokens so they are recognisable in a
// leak report.
const APITokenPrefix = "asm_"

// Device turns a User-Agent into a short label such as "Firefox · Android",
// enough to tell one's own sessions apart and too coarse to identify anyone.
func Device(userAgent string) string {
	ua := strings.ToLower(userAgent)
	browser := "?"
	for _, b := range []struct{ key, name string }{
		{"edg/", "Edge"}, {"opr/", "Opera"}, {"firefox/", "Firefox"}, {"chromium", "Chromium"},
		{"chrome/", "Chrome"}, {"safari/", "Safari"}, {"curl/", "curl"}, {"go-http-client", "Go"},
	} {
		if strings.Contains(ua, b.key) {
			browser = b.name
			break
		}
	}
	os := ""
	for _, o := range []struct{ key, name string }{
		{"android", "Android"}, {"iphone", "iOS"}, {"ipad", "iOS"}, {"windows", "Windows"},
		{"mac os", "macOS"}, {"linux", "Linux"},
	} {
		if strings.Contains(ua, o.key) {
			os = o.name
			break
		}
	}
	if os == "" {
		return browser
	}
	return browser + " · " + os
}
