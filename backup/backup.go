// Package backup is the file format of asamblea's backups: a stream
// compressed, then encrypted under a key derived from a passphrase and cut
// into authenticated chunks, holding a manifest and then either a SQLite
// database file or the rows of every table (see payload.go).
//
// A file is a header and chunks:
//
//	header  "asamblea backup\n"  16 bytes, the magic
//	        version              1 byte (1)
//	        kdf                  1 byte (1: argon2id)
//	        time, memory KiB     2 × 4 bytes, big-endian
//	        threads              1 byte
//	        salt                 16 bytes
//	        nonce prefix         16 bytes
//	        MAC                  32 bytes: HMAC-SHA256 of all the above
//	chunks  XChaCha20-Poly1305 of 64 KiB of plaintext each (the last may be
//	        shorter), nonce = prefix ‖ 56-bit counter ‖ last flag
//
// The chunks' plaintext is a DEFLATE stream (RFC 1951) of the backup's
// content, which ends in the last chunk.
//
// argon2id turns the passphrase and salt into 64 bytes: the first 32 are the
// chunks' key, the last 32 the header's MAC key, so a wrong passphrase is
// told at the header, before anything is decrypted. Each chunk's nonce
// carries its position and whether it is the last, so chunks cannot be
// reordered, dropped or cut off without the reader noticing.
package backup

import (
	"bufio"
	"compress/flate"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

const (
	magic      = "asamblea backup\n"
	version1   = 1
	kdfArgon2  = 1
	saltSize   = 16
	prefixSize = 16
	macSize    = sha256.Size
	headerSize = len(magic) + 1 + 1 + 4 + 4 + 1 + saltSize + prefixSize + macSize

	// ChunkSize is how much plaintext one chunk holds.
	ChunkSize = 64 << 10
	overhead  = chacha20poly1305.Overhead
	maxChunks = 1 << 56
)

// The errors a damaged or foreign file gives. Errors from a Reader wrap one
// of them.
var (
	ErrNotBackup  = errors.New("not an asamblea backup")
	ErrPassphrase = errors.New("wrong passphrase or damaged backup")
	ErrDamaged    = errors.New("backup damaged")
	ErrTruncated  = errors.New("backup truncated: it ends before its last part")
)

// MinPassphrase is the shortest passphrase accepted, in characters.
const MinPassphrase = 12

// CheckPassphrase refuses a passphrase too short to protect a backup.
func CheckPassphrase(p string) error {
	if n := utf8.RuneCountInString(p); n < MinPassphrase {
		if n == 0 {
			return errors.New("the backup passphrase is empty")
		}
		return fmt.Errorf("the backup passphrase has %d characters; it needs at least %d", n, MinPassphrase)
	}
	return nil
}

// Params are argon2id's costs.
type Params struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32
	Threads   uint8
}

// DefaultParams cost about a third of a second and 64 MiB: paid once per
// backup or restore, and by whoever tries passphrases on a stolen file once
// per guess.
var DefaultParams = Params{Time: 3, MemoryKiB: 64 << 10, Threads: 4}

// limits bound the costs a reader accepts from a header, so a damaged or
// hostile file cannot make it allocate gigabytes or run for hours.
type limits struct {
	maxTime      uint32
	maxMemoryKiB uint32
}

var defaultLimits = limits{maxTime: 64, maxMemoryKiB: 4 << 20}

func (p Params) check(l limits) error {
	switch {
	case p.Time < 1 || p.Time > l.maxTime:
		return fmt.Errorf("argon2id time %d out of range 1–%d", p.Time, l.maxTime)
	case p.Threads < 1:
		return errors.New("argon2id needs at least one thread")
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > l.maxMemoryKiB:
		return fmt.Errorf("argon2id memory %d KiB out of range %d–%d", p.MemoryKiB, 8*uint32(p.Threads), l.maxMemoryKiB)
	}
	return nil
}

// keys derives the chunk cipher and the header MAC key.
func keys(passphrase string, salt []byte, p Params) (cipher.AEAD, []byte, error) {
	k := argon2.IDKey([]byte(passphrase), salt, p.Time, p.MemoryKiB, p.Threads, 64)
	aead, err := chacha20poly1305.NewX(k[:32])
	return aead, k[32:], err
}

func headerMAC(key, header []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write(header)
	return h.Sum(nil)
}

// nonce is the prefix, the chunk's counter and the last-chunk flag.
func nonce(dst *[chacha20poly1305.NonceSizeX]byte, prefix []byte, n uint64, last bool) []byte {
	copy(dst[:], prefix)
	v := n << 8
	if last {
		v |= 1
	}
	binary.BigEndian.PutUint64(dst[prefixSize:], v)
	return dst[:]
}

// Writer compresses and encrypts what is written to it. Close writes the
// last chunk; a stream not closed is a truncated backup.
type Writer struct {
	z *flate.Writer
	s *sealer
}

// NewWriter writes the header to w and returns a Writer that encrypts under
// passphrase with the costs p.
func NewWriter(w io.Writer, passphrase string, p Params) (*Writer, error) {
	s, err := newSealer(w, passphrase, p)
	if err != nil {
		return nil, err
	}
	z, err := flate.NewWriter(s, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	return &Writer{z: z, s: s}, nil
}

// Write compresses and encrypts p.
func (w *Writer) Write(p []byte) (int, error) { return w.z.Write(p) }

// Close ends the compressed stream and seals the last chunk. It does not
// close the underlying writer.
func (w *Writer) Close() error {
	if err := w.z.Close(); err != nil {
		return err
	}
	return w.s.Close()
}

// sealer encrypts what is written to it, in chunks.
type sealer struct {
	w      io.Writer
	aead   cipher.AEAD
	prefix []byte
	n      uint64
	buf    []byte // plaintext not yet sealed, up to ChunkSize
	out    []byte
	nonce  [chacha20poly1305.NonceSizeX]byte
	err    error
	closed bool
}

func newSealer(w io.Writer, passphrase string, p Params) (*sealer, error) {
	if err := CheckPassphrase(passphrase); err != nil {
		return nil, err
	}
	if err := p.check(limits{maxTime: ^uint32(0), maxMemoryKiB: ^uint32(0)}); err != nil {
		return nil, err
	}
	h := make([]byte, 0, headerSize)
	h = append(h, magic...)
	h = append(h, version1, kdfArgon2)
	h = binary.BigEndian.AppendUint32(h, p.Time)
	h = binary.BigEndian.AppendUint32(h, p.MemoryKiB)
	h = append(h, p.Threads)
	random := make([]byte, saltSize+prefixSize)
	if _, err := rand.Read(random); err != nil {
		return nil, err
	}
	h = append(h, random...)
	salt, prefix := random[:saltSize], random[saltSize:]
	aead, macKey, err := keys(passphrase, salt, p)
	if err != nil {
		return nil, err
	}
	h = append(h, headerMAC(macKey, h)...)
	if _, err := w.Write(h); err != nil {
		return nil, err
	}
	return &sealer{w: w, aead: aead, prefix: prefix, buf: make([]byte, 0, ChunkSize), out: make([]byte, 0, ChunkSize+overhead)}, nil
}

// Write encrypts p. A full chunk is sealed only when more follows, since
// only then is it known not to be the last.
func (w *sealer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errors.New("backup: write after close")
	}
	if w.err != nil {
		return 0, w.err
	}
	n := 0
	for len(p) > 0 {
		if len(w.buf) == ChunkSize {
			if err := w.seal(false); err != nil {
				return n, err
			}
		}
		k := copy(w.buf[len(w.buf):ChunkSize], p)
		w.buf = w.buf[:len(w.buf)+k]
		p = p[k:]
		n += k
	}
	return n, nil
}

// Close seals the last chunk.
func (w *sealer) Close() error {
	if w.closed || w.err != nil {
		return w.err
	}
	w.closed = true
	return w.seal(true)
}

func (w *sealer) seal(last bool) error {
	if w.n >= maxChunks {
		w.err = errors.New("backup: too many chunks")
		return w.err
	}
	w.out = w.aead.Seal(w.out[:0], nonce(&w.nonce, w.prefix, w.n, last), w.buf, nil)
	if _, err := w.w.Write(w.out); err != nil {
		w.err = err
		return err
	}
	w.n++
	w.buf = w.buf[:0]
	return nil
}

// Reader decrypts and decompresses a backup. Read returns io.EOF only after
// the last chunk has been authenticated, nothing follows it, and the
// compressed stream ends with it: a consumer that reads to io.EOF has read
// the whole backup, unaltered.
type Reader struct {
	o   *opener
	z   io.Reader
	err error
}

// Read decrypts and decompresses into p.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.z.Read(p)
	switch {
	case err == io.EOF:
		// The compressed stream ends: so must the chunks, with the last.
		if _, err := r.o.ReadByte(); err != io.EOF {
			if err == nil {
				err = fmt.Errorf("%w: data after the end of its content", ErrDamaged)
			}
			r.err = err
			return n, err
		}
	case errors.Is(err, ErrDamaged) || errors.Is(err, ErrTruncated):
	case err == io.ErrUnexpectedEOF:
		err = ErrTruncated
	case err != nil:
		var corrupt flate.CorruptInputError
		if errors.As(err, &corrupt) {
			err = fmt.Errorf("%w: its content does not decompress", ErrDamaged)
		}
	}
	r.err = err
	return n, err
}

// opener decrypts chunks.
type opener struct {
	r      *bufio.Reader
	aead   cipher.AEAD
	prefix []byte
	n      uint64
	in     []byte
	plain  []byte // decrypted, not yet read
	nonce  [chacha20poly1305.NonceSizeX]byte
	done   bool // the last chunk has been read
	err    error
}

// NewReader reads and checks the header of a backup from r. A wrong
// passphrase fails here, with ErrPassphrase.
func NewReader(r io.Reader, passphrase string) (*Reader, error) {
	return newReader(r, passphrase, defaultLimits)
}

func newReader(r io.Reader, passphrase string, l limits) (*Reader, error) {
	o, err := newOpener(r, passphrase, l)
	if err != nil {
		return nil, err
	}
	// An opener is an io.ByteReader: flate reads no further than its stream.
	return &Reader{o: o, z: flate.NewReader(o)}, nil
}

func newOpener(r io.Reader, passphrase string, l limits) (*opener, error) {
	h := make([]byte, headerSize)
	if n, err := io.ReadFull(r, h); err != nil {
		if n < len(magic) || string(h[:len(magic)]) != magic {
			if err == io.ErrUnexpectedEOF || err == io.EOF {
				return nil, ErrNotBackup
			}
			return nil, err
		}
		if err == io.ErrUnexpectedEOF {
			return nil, ErrTruncated
		}
		return nil, err
	}
	if string(h[:len(magic)]) != magic {
		return nil, ErrNotBackup
	}
	rest := h[len(magic):]
	if rest[0] != version1 {
		return nil, fmt.Errorf("%w: format version %d, this asamblea reads version %d", ErrDamaged, rest[0], version1)
	}
	if rest[1] != kdfArgon2 {
		return nil, fmt.Errorf("%w: unknown key derivation %d", ErrDamaged, rest[1])
	}
	p := Params{Time: binary.BigEndian.Uint32(rest[2:]), MemoryKiB: binary.BigEndian.Uint32(rest[6:]), Threads: rest[10]}
	if err := p.check(l); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	salt := rest[11 : 11+saltSize]
	prefix := rest[11+saltSize : 11+saltSize+prefixSize]
	aead, macKey, err := keys(passphrase, salt, p)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(headerMAC(macKey, h[:headerSize-macSize]), h[headerSize-macSize:]) {
		return nil, ErrPassphrase
	}
	return &opener{r: bufio.NewReaderSize(r, ChunkSize+overhead+1), aead: aead, prefix: append([]byte(nil), prefix...),
		in: make([]byte, ChunkSize+overhead), plain: make([]byte, 0, ChunkSize)}, nil
}

// Read decrypts into p.
func (r *opener) Read(p []byte) (int, error) {
	for len(r.plain) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.err = r.next()
	}
	n := copy(p, r.plain)
	r.plain = r.plain[n:]
	return n, nil
}

// ReadByte decrypts one byte.
func (r *opener) ReadByte() (byte, error) {
	for len(r.plain) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.err = r.next()
	}
	b := r.plain[0]
	r.plain = r.plain[1:]
	return b, nil
}

// next decrypts the next chunk into r.plain.
func (r *opener) next() error {
	if r.done {
		return io.EOF
	}
	n, err := io.ReadFull(r.r, r.in)
	last := false
	switch err {
	case nil:
		// A full chunk is the last when nothing follows it.
		if _, err := r.r.Peek(1); err == io.EOF {
			last = true
		} else if err != nil {
			return err
		}
	case io.EOF:
		return ErrTruncated
	case io.ErrUnexpectedEOF:
		last = true
	default:
		return err
	}
	if n < overhead {
		return ErrTruncated
	}
	plain, err := r.aead.Open(r.plain[:0], nonce(&r.nonce, r.prefix, r.n, last), r.in[:n], nil)
	if err != nil {
		if last {
			// Cut off after a whole chunk that was not the last?
			if _, err := r.aead.Open(r.plain[:0], nonce(&r.nonce, r.prefix, r.n, false), r.in[:n], nil); err == nil {
				return ErrTruncated
			}
			return fmt.Errorf("%w: its last chunk (%d) fails authentication: altered or cut short", ErrDamaged, r.n)
		}
		return fmt.Errorf("%w: chunk %d (bytes from %d) fails authentication", ErrDamaged, r.n, int64(headerSize)+int64(r.n)*(ChunkSize+overhead))
	}
	r.plain = plain
	r.n++
	r.done = last
	return nil
}
