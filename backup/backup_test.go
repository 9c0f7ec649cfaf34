package backup

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"
)

// fast keeps the tests quick; DefaultParams cost a third of a second.
var fast = Params{Time: 1, MemoryKiB: 64, Threads: 1}

const pass = "una frase bastante larga"

func seal(t testing.TB, plain []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := NewWriter(&b, pass, fast)
	if err != nil {
		t.Fatal(err)
	}
	// Written in uneven pieces, to cross chunk boundaries mid-write.
	for p := plain; len(p) > 0; {
		n := min(len(p), 10007)
		if _, err := w.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func open(file []byte, passphrase string) ([]byte, error) {
	r, err := NewReader(bytes.NewReader(file), passphrase)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestRoundTrip(t *testing.T) {
	sizes := map[string]int{
		"Empty":          0,
		"OneByte":        1,
		"ShortChunk":     1000,
		"ExactChunk":     ChunkSize,
		"ChunkAndOne":    ChunkSize + 1,
		"ExactTwoChunks": 2 * ChunkSize,
		"Several":        5*ChunkSize + 12345,
	}
	for name, n := range sizes {
		t.Run(name, func(t *testing.T) {
			plain := random(n)
			file := seal(t, plain)
			chunks := max(1, (n+ChunkSize-1)/ChunkSize)
			if want := headerSize + n + chunks*overhead; len(file) != want {
				t.Errorf("file of %d bytes, want %d", len(file), want)
			}
			got, err := open(file, pass)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, plain) {
				t.Fatalf("plaintext differs: %d bytes back of %d", len(got), n)
			}
		})
	}
}

func TestRefusals(t *testing.T) {
	plain := random(3*ChunkSize + 500)
	file := seal(t, plain)
	flip := func(i int) []byte {
		b := bytes.Clone(file)
		b[i] ^= 0x20
		return b
	}
	chunk := ChunkSize + overhead
	tests := map[string]struct {
		file []byte
		pass string
		want error
		msg  string
	}{
		"WrongPassphrase":        {file, "otra frase bastante larga", ErrPassphrase, "wrong passphrase or damaged backup"},
		"NotABackup":             {[]byte("SQLite format 3\x00 and more bytes after it, plenty of them, more than a header holds......"), pass, ErrNotBackup, ""},
		"Empty":                  {nil, pass, ErrNotBackup, ""},
		"HeaderCut":              {file[:headerSize-5], pass, ErrTruncated, ""},
		"FlippedMagic":           {flip(3), pass, ErrNotBackup, ""},
		"FlippedCost":            {flip(len(magic) + 5), pass, nil, ""}, // ErrPassphrase, or out of range
		"FlippedSalt":            {flip(len(magic) + 12), pass, ErrPassphrase, ""},
		"FlippedNoncePrefix":     {flip(len(magic) + 11 + saltSize + 3), pass, ErrPassphrase, ""},
		"FlippedMAC":             {flip(headerSize - 1), pass, ErrPassphrase, ""},
		"FlippedFirstChunk":      {flip(headerSize + 10), pass, ErrDamaged, "chunk 0"},
		"FlippedMiddleChunk":     {flip(headerSize + chunk + 100), pass, ErrDamaged, "chunk 1"},
		"FlippedTag":             {flip(headerSize + 2*chunk - 1), pass, ErrDamaged, "chunk 1"},
		"FlippedLastChunk":       {flip(len(file) - 1), pass, ErrDamaged, "last chunk"},
		"NoChunks":               {file[:headerSize], pass, ErrTruncated, ""},
		"CutAtChunkBoundary":     {file[:headerSize+2*chunk], pass, ErrTruncated, ""},
		"CutMidChunk":            {file[:headerSize+chunk+777], pass, ErrDamaged, ""},
		"CutInLastTag":           {file[:len(file)-3], pass, ErrDamaged, ""},
		"TrailingGarbage":        {append(bytes.Clone(file), 0), pass, ErrDamaged, ""},
		"ChunksSwapped":          {swap(file, headerSize, headerSize+chunk, chunk), pass, ErrDamaged, "chunk 0"},
		"LastChunkFromOtherFile": {append(bytes.Clone(file[:headerSize+3*chunk]), seal(t, random(500))[headerSize:]...), pass, ErrDamaged, "last chunk"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := open(tc.file, tc.pass)
			if err == nil {
				t.Fatalf("accepted, %d bytes back", len(got))
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %q, want %q", err, tc.want)
			}
			if tc.want == nil && !errors.Is(err, ErrPassphrase) && !errors.Is(err, ErrDamaged) {
				t.Fatalf("error %q", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %q does not say %q", err, tc.msg)
			}
		})
	}
}

func swap(file []byte, i, j, n int) []byte {
	b := bytes.Clone(file)
	copy(b[i:i+n], file[j:j+n])
	copy(b[j:j+n], file[i:i+n])
	return b
}

// A reader stops at the first bad chunk: what came before it was genuine,
// and nothing after it is given out.
func TestReaderStopsAtDamage(t *testing.T) {
	plain := random(3 * ChunkSize)
	file := seal(t, plain)
	file[headerSize+(ChunkSize+overhead)+5] ^= 1
	r, err := NewReader(bytes.NewReader(file), pass)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if !errors.Is(err, ErrDamaged) || !bytes.Equal(got, plain[:ChunkSize]) {
		t.Fatalf("read %d bytes, error %v", len(got), err)
	}
	if _, err := r.Read(make([]byte, 10)); !errors.Is(err, ErrDamaged) {
		t.Fatalf("read after damage: %v", err)
	}
}

func TestPassphrases(t *testing.T) {
	tests := map[string]struct {
		pass string
		ok   bool
	}{
		"Empty":             {"", false},
		"Short":             {"corta", false},
		"ElevenCharacters":  {"ñandú ñandú", false}, // 11 characters, 15 bytes
		"TwelveCharacters":  {"ñandú-ñandú!", true},
		"LongWithNonLetter": {"correct horse battery staple", true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := CheckPassphrase(tc.pass)
			if (err == nil) != tc.ok {
				t.Fatalf("CheckPassphrase(%q) = %v", tc.pass, err)
			}
			if _, err := NewWriter(io.Discard, tc.pass, fast); (err == nil) != tc.ok {
				t.Fatalf("NewWriter: %v", err)
			}
		})
	}
}

func TestParams(t *testing.T) {
	for name, p := range map[string]Params{
		"NoTime":      {Time: 0, MemoryKiB: 64, Threads: 1},
		"NoThreads":   {Time: 1, MemoryKiB: 64, Threads: 0},
		"TooLittle":   {Time: 1, MemoryKiB: 15, Threads: 2},
		"MemoryLimit": {Time: 1, MemoryKiB: defaultLimits.maxMemoryKiB + 1, Threads: 1},
	} {
		t.Run(name, func(t *testing.T) {
			if err := p.check(defaultLimits); err == nil {
				t.Fatalf("%+v accepted", p)
			}
		})
	}
	if err := DefaultParams.check(defaultLimits); err != nil {
		t.Fatal(err)
	}
}

// Two backups of the same data share nothing: salt and nonces are new.
func TestFreshKeys(t *testing.T) {
	plain := bytes.Repeat([]byte("acta "), 1000)
	a, b := seal(t, plain), seal(t, plain)
	if bytes.Equal(a[len(magic):headerSize], b[len(magic):headerSize]) || bytes.Equal(a[headerSize:], b[headerSize:]) {
		t.Fatal("two backups of the same plaintext share a header or ciphertext")
	}
	if bytes.Contains(a, []byte("acta")) {
		t.Fatal("plaintext visible in the file")
	}
}

// FuzzReader: whatever the bytes, a reader fails cleanly or gives out what
// was written with the passphrase. (Its seeds are short: the fuzzer
// crawls on inputs of a chunk and more; TestRefusals covers those.)
func FuzzReader(f *testing.F) {
	small := limits{maxTime: 2, maxMemoryKiB: 256}
	f.Add(seal(f, nil))
	f.Add(seal(f, []byte("acta de la asamblea")))
	f.Add(seal(f, random(100)))
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, file []byte) {
		r, err := newReader(bytes.NewReader(file), pass, small)
		if err != nil {
			return
		}
		io.Copy(io.Discard, r)
	})
}
