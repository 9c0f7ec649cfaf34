package photos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/png"
	"testing"

	"asamblea/errs"
)

// FuzzClean feeds Clean anything. It must never panic, every refusal must be
// an *errs.Error, and every photo it returns must be a JPEG with nothing but
// pixels.
func FuzzClean(f *testing.F) {
	small := pattern(24, 16)
	jpg := encodeJPEG(f, small)
	f.Add(jpg)
	f.Add(withSegments(jpg,
		segment(0xe1, append([]byte("Exif\x00\x00"), exifTIFF(binary.BigEndian, 6, true)...)),
		segment(0xfe, []byte("comment"))))
	f.Add(withSegments(jpg, segment(0xe1, append([]byte("Exif\x00\x00"), exifTIFF(binary.LittleEndian, 5, false)...))))
	f.Add(jpg[:len(jpg)/2])
	f.Add(manyScans(f, 3))

	var buf bytes.Buffer
	transparent := image.NewNRGBA(image.Rect(0, 0, 8, 8))
	transparent.SetNRGBA(3, 3, color.NRGBA{10, 20, 30, 128})
	if err := png.Encode(&buf, transparent); err != nil {
		f.Fatal(err)
	}
	f.Add(bytes.Clone(buf.Bytes()))
	f.Add(pngHeader(100_000, 100_000))

	buf.Reset()
	pal := image.NewPaletted(image.Rect(0, 0, 6, 4), color.Palette{color.Black, color.Transparent})
	if err := gif.Encode(&buf, pal, nil); err != nil {
		f.Fatal(err)
	}
	f.Add(bytes.Clone(buf.Bytes()))
	f.Add([]byte("GIF89a\xff\xff\xff\xff\x00\x00\x00;"))
	f.Add([]byte("not a photo"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Clean(bytes.NewReader(data))
		if err != nil {
			var e *errs.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *errs.Error", err)
			}
			return
		}
		checkPhoto(t, p)
		if bytes.Contains(p.Data, []byte{0xff, 0xe1}) {
			t.Fatal("output contains an APP1 marker")
		}
	})
}

func BenchmarkClean(b *testing.B) {
	in := encodeJPEG(b, pattern(4000, 3000))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Clean(bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
