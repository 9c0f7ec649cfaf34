// Package keyring keeps the node's secrets — the journal signing key, the
// records key, the password pepper and every later one — in files that a
// seized disk does not open.
//
// A key file is either plain (the secret's own format, as earlier versions
// wrote it) or wrapped: the plain content encrypted (XChaCha20-Poly1305,
// package vault) under a key derived from the operator's passphrase with
// argon2id. The passphrase is given at start, from a file on a USB stick,
// a tmpfs or a systemd credential, or typed at a prompt; it is never
// written anywhere. A plain key is acceptable only outside the data
// directory (on a path the operator names, removed when the server is
// off); Check says when a start would leave a key in the clear beside the
// database.
//
// All the wrapped files of a ring share one salt, so that a start derives
// the wrapping key once (a quarter of a second) however many keys there
// are.
package keyring

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"

	"asamblea/vault"
)

// The node's secrets, by file name.
const (
	Journal = "journal.key" // ed25519 key that signs the journal
	Records = "records.key" // wraps the commissions' record keys
	Pepper  = "pepper.key"  // mixed into every stored password hash
)

// Header starts a wrapped key file.
const Header = "asamblea wrapped key v1"

// ErrPassphrase is a wrong passphrase (or a damaged wrapped file).
var ErrPassphrase = errors.New("the passphrase does not open it (wrong passphrase, or the file is damaged)")

// ErrNoPassphrase is a wrapped file met without a passphrase.
var ErrNoPassphrase = errors.New("it is wrapped and no passphrase was given (--key-passphrase-file FILE, ASAMBLEA_KEY_PASSPHRASE_FILE, or type it at the prompt)")

// wrapContext binds a wrapped file to its purpose.
const wrapContext = "keyring file"

// Ring is a directory of key files and, if the operator gave one, the
// passphrase that wraps them.
type Ring struct {
	// Dir is where the node's key files are (--keys), by default the data
	// directory.
	Dir string
	// DataDir is the data directory: the SQLite file's directory, or
	// ./asamblea-data with PostgreSQL. A plain key inside it is in the
	// clear on the same disk as the data.
	DataDir string

	passphrase []byte
	keks       map[string]vault.Key // by hex salt: argon2id is run once per salt
	salt       []byte               // the salt new wrapped files get
}

// New returns a ring over dir. passphrase may be nil.
func New(dir, dataDir string, passphrase []byte) *Ring {
	return &Ring{Dir: dir, DataDir: dataDir, passphrase: passphrase, keks: map[string]vault.Key{}}
}

// HasPassphrase reports whether the ring can wrap and unwrap.
func (r *Ring) HasPassphrase() bool { return len(r.passphrase) > 0 }

// Path is where the key file name is in the ring.
func (r *Ring) Path(name string) string { return filepath.Join(r.Dir, name) }

// ReadPassphraseFile reads a passphrase file: its first line, without the
// line end. Too short a passphrase is refused, since it would be the only
// thing between a seized disk and every key.
func ReadPassphraseFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("key passphrase file: %w", err)
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	b = bytes.TrimSuffix(b, []byte("\r"))
	if err := CheckPassphrase(b); err != nil {
		return nil, fmt.Errorf("key passphrase file %s: %w", path, err)
	}
	return b, nil
}

// CheckPassphrase refuses a passphrase too short to stand a guessing
// attack on a copy.
func CheckPassphrase(p []byte) error {
	if len(p) < vault.PassphraseMin {
		return fmt.Errorf("the passphrase is shorter than %d characters", vault.PassphraseMin)
	}
	return nil
}

// Info is what Inspect learns of a key file without opening it.
type Info struct {
	Path    string `json:"path"`
	Exists  bool   `json:"exists"`
	Wrapped bool   `json:"wrapped"`
	Mode    string `json:"mode,omitempty"`
	Loose   bool   `json:"loose"`  // readable or writable by others than its owner
	Inside  bool   `json:"inside"` // inside the data directory
}

// InClear reports whether the key sits unwrapped on the data's own disk:
// the case a raid opens.
func (i Info) InClear() bool { return i.Exists && !i.Wrapped && i.Inside }

// Inspect looks at the key file at path.
func (r *Ring) Inspect(path string) (Info, error) {
	in := Info{Path: path, Inside: r.inside(path)}
	st, err := os.Stat(path)
	if errors.Is(err, iofs.ErrNotExist) {
		return in, nil
	}
	if err != nil {
		return in, err
	}
	in.Exists = true
	in.Mode = st.Mode().Perm().String()
	in.Loose = st.Mode().Perm()&0o077 != 0
	b, err := os.ReadFile(path)
	if err != nil {
		return in, err
	}
	in.Wrapped = isWrapped(b)
	return in, nil
}

// inside reports whether path is in the data directory (or is it).
func (r *Ring) inside(path string) bool {
	if r.DataDir == "" {
		return false
	}
	d, err1 := filepath.Abs(r.DataDir)
	p, err2 := filepath.Abs(path)
	if err1 != nil || err2 != nil {
		return true // when in doubt, the stricter answer
	}
	if rd, err := filepath.EvalSymlinks(d); err == nil {
		d = rd
	}
	if rp, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		p = filepath.Join(rp, filepath.Base(p))
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func isWrapped(b []byte) bool {
	return bytes.HasPrefix(b, []byte(Header+"\n"))
}

// Read returns the plain content of the key file at path, unwrapping it if
// it is wrapped. A missing file is an error that errors.Is(iofs.ErrNotExist).
func (r *Ring) Read(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if !isWrapped(b) {
		return b, nil
	}
	plain, err := r.unwrap(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return plain, nil
}

// unwrap opens a wrapped file's content.
func (r *Ring) unwrap(b []byte) ([]byte, error) {
	salt, sealed, err := parseWrapped(b)
	if err != nil {
		return nil, err
	}
	if !r.HasPassphrase() {
		return nil, ErrNoPassphrase
	}
	plain, err := vault.Unwrap(r.kek(salt), sealed, wrapContext)
	if err != nil {
		return nil, ErrPassphrase
	}
	if r.salt == nil {
		r.salt = salt
	}
	return plain, nil
}

// kek derives (once per salt) the key that wraps files with that salt.
func (r *Ring) kek(salt []byte) vault.Key {
	s := hex.EncodeToString(salt)
	if k, ok := r.keks[s]; ok {
		return k
	}
	k := vault.PassphraseKey(string(r.passphrase), salt)
	r.keks[s] = k
	return k
}

// Format of a wrapped file: the header, the derivation, the salt, and the
// sealed plain content in base64, one per line.
const kdfLine = "kdf argon2id t=3 m=65536 p=2"

func parseWrapped(b []byte) (salt, sealed []byte, err error) {
	lines := strings.Split(strings.TrimRight(string(b), "\r\n"), "\n")
	if len(lines) != 4 || lines[0] != Header {
		return nil, nil, errors.New("not a wrapped key file of this version")
	}
	if strings.TrimSpace(lines[1]) != kdfLine {
		return nil, nil, fmt.Errorf("unknown key derivation %q", lines[1])
	}
	hs, ok := strings.CutPrefix(strings.TrimSpace(lines[2]), "salt ")
	if !ok {
		return nil, nil, errors.New("a wrapped key file without its salt")
	}
	if salt, err = hex.DecodeString(hs); err != nil || len(salt) != vault.SaltSize {
		return nil, nil, errors.New("a wrapped key file with a damaged salt")
	}
	if sealed, err = base64.StdEncoding.DecodeString(strings.TrimSpace(lines[3])); err != nil {
		return nil, nil, errors.New("a wrapped key file with a damaged body")
	}
	return salt, sealed, nil
}

// wrap returns the wrapped file content for plain.
func (r *Ring) wrap(plain []byte) ([]byte, error) {
	if !r.HasPassphrase() {
		return nil, ErrNoPassphrase
	}
	if r.salt == nil {
		s, err := vault.NewSalt()
		if err != nil {
			return nil, err
		}
		r.salt = s
	}
	sealed, err := vault.Wrap(r.kek(r.salt), plain, wrapContext)
	if err != nil {
		return nil, err
	}
	return fmt.Appendf(nil, "%s\n%s\nsalt %s\n%s\n", Header, kdfLine, hex.EncodeToString(r.salt), base64.StdEncoding.EncodeToString(sealed)), nil
}

// Create writes a new key file at path holding plain, wrapped if the ring
// has a passphrase, readable by its owner only, synced to disk. It never
// replaces an existing file.
func (r *Ring) Create(path string, plain []byte) error {
	content := plain
	if r.HasPassphrase() {
		var err error
		if content, err = r.wrap(plain); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return writeNew(path, content)
}

// Wrap rewrites the plain key file at path wrapped. The wrapped file
// replaces the plain one by a rename, so that a crash leaves one or the
// other whole. It reports false if the file was already wrapped.
//
// Rewriting does not scrub the old plain bytes from the disk's free
// blocks: the operator should treat a key that lay in the clear on a disk
// as exposed to whoever images that disk later, and rotate it
// (rotate-key) once it is wrapped.
func (r *Ring) Wrap(path string) (bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	if isWrapped(b) {
		if _, err := r.unwrap(b); err != nil { // the same passphrase must open all
			return false, fmt.Errorf("%s: %w", path, err)
		}
		return false, nil
	}
	w, err := r.wrap(b)
	if err != nil {
		return false, err
	}
	if err := replace(path, w); err != nil {
		return false, err
	}
	return true, nil
}

// Move moves the key file at from to the directory dir, keeping its name.
// The copy is written and synced before the original is removed.
func Move(from, dir string) (string, error) {
	to := filepath.Join(dir, filepath.Base(from))
	b, err := os.ReadFile(from)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(to); err == nil {
		return "", fmt.Errorf("%s already exists: not replaced", to)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := writeNew(to, b); err != nil {
		return "", err
	}
	if err := os.Remove(from); err != nil {
		return "", err
	}
	syncDir(filepath.Dir(from))
	return to, nil
}

func writeNew(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil { // a key lost to a power cut loses what it protects
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

func replace(path string, b []byte) error {
	tmp := path + ".wrapping"
	os.Remove(tmp)
	if err := writeNew(tmp, b); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Problem is a reason a production start refuses a key file.
func (i Info) Problem() string {
	switch {
	case !i.Exists:
		return ""
	case i.Loose:
		return fmt.Sprintf("the key file %s can be read by others than its owner (mode %s): chmod 600 %s", i.Path, i.Mode, i.Path)
	case i.InClear():
		return fmt.Sprintf("the key file %s lies unwrapped inside the data directory, where a copy of the disk opens it: wrap it (asamblea keys wrap --key-passphrase-file FILE) or move it off this disk (asamblea keys move --keys DIR)", i.Path)
	}
	return ""
}
