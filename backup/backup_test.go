package backup

import (
	"bytes"
	"compress/flate"
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

// sealRaw encrypts plain as it is, not compressed: what only a writer
// with the passphrase could make.
func sealRaw(t testing.TB, plain []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := newSealer(&b, pass, fast)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
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
			// Random bytes do not compress: DEFLATE stores them, at a
			// few bytes a block.
			chunks := max(1, (n+ChunkSize-1)/ChunkSize)
			if most := headerSize + n + n/1000 + 16 + (chunks+1)*overhead; len(file) > most {
				t.Errorf("file of %d bytes, want at most %d", len(file), most)
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

func TestCompression(t *testing.T) {
	plain := bytes.Repeat([]byte("acta de la asamblea del comité de lucha de Juliaca; "), 20000)
	file := seal(t, plain)
	if len(file) > len(plain)/20 {
		t.Fatalf("%d bytes of text take %d", len(plain), len(file))
	}
	if got, err := open(file, pass); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("%d bytes back, %v", len(got), err)
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
		"NotCompressed":          {sealRaw(t, []byte("acta de la asamblea, en claro")), pass, ErrDamaged, "does not decompress"},
		"AfterTheContent":        {sealRaw(t, append(deflate([]byte("acta")), "más"...)), pass, ErrDamaged, "data after the end"},
		"ContentCutShort":        {sealRaw(t, deflate(plain)[:1000]), pass, ErrTruncated, ""},
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

func deflate(plain []byte) []byte {
	var b bytes.Buffer
	z, _ := flate.NewWriter(&b, flate.BestSpeed)
	z.Write(plain)
	z.Close()
	return b.Bytes()
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
	if !errors.Is(err, ErrDamaged) || len(got) > ChunkSize || !bytes.Equal(got, plain[:len(got)]) {
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

// FuzzContent: whatever the content sealed with the passphrase, a reader
// fails cleanly or gives out what decompresses from it.
func FuzzContent(f *testing.F) {
	f.Add(deflate([]byte("acta de la asamblea")))
	f.Add(append(deflate([]byte("acta")), "más"...))
	f.Add([]byte("en claro"))
	f.Fuzz(func(t *testing.T, content []byte) {
		_, err := open(sealRaw(t, content), pass)
		if err != nil && !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrTruncated) {
			t.Fatalf("error %v", err)
		}
	})
}

// BenchmarkKey is the cost a backup, a restore and each guess at a
// passphrase pay once.
func BenchmarkKey(b *testing.B) {
	salt := random(saltSize)
	for b.Loop() {
		keys(pass, salt, DefaultParams)
	}
}

// BenchmarkStream is the throughput of encryption and decryption.
func BenchmarkStream(b *testing.B) {
	plain := random(16 << 20)
	file := seal(b, plain)
	b.Run("Write", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			w, _ := NewWriter(io.Discard, pass, fast)
			w.Write(plain)
			w.Close()
		}
	})
	b.Run("Read", func(b *testing.B) {
		b.SetBytes(int64(len(plain)))
		for b.Loop() {
			r, err := NewReader(bytes.NewReader(file), pass)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(io.Discard, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
