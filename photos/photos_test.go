package photos

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	"asamblea/errs"
)

// What a phone writes into a photo, which must not survive Clean.
var secrets = []string{
	"Exif",
	"SecretPhoneModel",         // EXIF Make
	string(gpsLatitude),        // EXIF GPS latitude, as rationals
	"http://ns.adobe.com/xap/", // XMP
	"GPSLatitude",              // inside the XMP
	"40,25.2057N",              // inside the XMP
	"Photoshop 3.0",            // IPTC
	"Calle Secreta",            // IPTC and comment
	"ICC_PROFILE",              // colour profile
	"JFIF",                     // the original APP0
}

// 40° 25' 12.34", as three big-endian TIFF rationals.
var gpsLatitude = rationals(40, 1, 25, 1, 1234, 100)

func TestCleanRemovesMetadata(t *testing.T) {
	src := pattern(96, 64)
	in := withSegments(encodeJPEG(t, src),
		segment(0xe0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")),
		segment(0xe1, append([]byte("Exif\x00\x00"), exifTIFF(binary.BigEndian, 1, true)...)),
		segment(0xe1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><rdf:Description exif:GPSLatitude=\"40,25.2057N\"/></x:xmpmeta>")),
		segment(0xed, []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x18\x1c\x02\x5c\x00\x13Calle Secreta 12, 3")),
		segment(0xe2, []byte("ICC_PROFILE\x00\x01\x01fake profile bytes")),
		segment(0xfe, []byte("taken at Calle Secreta 12")),
	)
	for _, s := range secrets {
		if !bytes.Contains(in, []byte(s)) {
			t.Fatalf("test input lacks %q", s)
		}
	}

	p, err := Clean(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	out := checkPhoto(t, p)
	for _, s := range secrets {
		if bytes.Contains(p.Data, []byte(s)) {
			t.Errorf("output contains %q", s)
		}
	}
	if p.Width != 96 || p.Height != 64 {
		t.Errorf("size %dx%d, want 96x64", p.Width, p.Height)
	}
	want, got := average(src), average(out)
	for c := range 3 {
		if d := want[c] - got[c]; d > 3 || d < -3 {
			t.Errorf("average colour %.1f, want %.1f", got, want)
			break
		}
	}
}

func TestCleanPNG(t *testing.T) {
	// Left half opaque red, then transparent, then half-transparent black.
	src := image.NewNRGBA(image.Rect(0, 0, 60, 40))
	for y := range 40 {
		for x := range 60 {
			switch {
			case x < 30:
				src.SetNRGBA(x, y, color.NRGBA{200, 0, 0, 255})
			case x < 45:
				src.SetNRGBA(x, y, color.NRGBA{0, 0, 255, 0})
			default:
				src.SetNRGBA(x, y, color.NRGBA{0, 0, 0, 128})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	// A tEXt chunk after IHDR (8 bytes of signature, 25 of IHDR).
	in := buf.Bytes()
	in = append(append(append([]byte{}, in[:33]...), pngChunk("tEXt", []byte("Comment\x00at Calle Secreta 12"))...), in[33:]...)

	p, err := Clean(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	out := checkPhoto(t, p)
	if bytes.Contains(p.Data, []byte("Calle Secreta")) {
		t.Error("output contains the PNG text")
	}
	if p.Width != 60 || p.Height != 40 {
		t.Errorf("size %dx%d, want 60x40", p.Width, p.Height)
	}
	for _, c := range []struct {
		name string
		x, y int
		want color.RGBA
	}{
		{"opaque", 15, 20, color.RGBA{200, 0, 0, 255}},
		{"transparent on white", 37, 20, color.RGBA{255, 255, 255, 255}},
		{"half-transparent black on white", 52, 20, color.RGBA{127, 127, 127, 255}},
	} {
		if got := out.At(c.x, c.y); !near(got, c.want, 8) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestCleanGIF(t *testing.T) {
	pal := color.Palette{color.RGBA{0, 160, 0, 255}, color.RGBA{0, 0, 0, 0}}
	src := image.NewPaletted(image.Rect(0, 0, 20, 10), pal)
	for y := range 10 {
		for x := 10; x < 20; x++ {
			src.SetColorIndex(x, y, 1)
		}
	}
	var buf bytes.Buffer
	if err := gif.Encode(&buf, src, nil); err != nil {
		t.Fatal(err)
	}
	p, err := Clean(&buf)
	if err != nil {
		t.Fatal(err)
	}
	out := checkPhoto(t, p)
	if got := out.At(4, 5); !near(got, color.RGBA{0, 160, 0, 255}, 12) {
		t.Errorf("opaque pixel %v, want green", got)
	}
	if got := out.At(15, 5); !near(got, color.RGBA{255, 255, 255, 255}, 12) {
		t.Errorf("transparent pixel %v, want white", got)
	}
}

func TestCleanRefuses(t *testing.T) {
	jpg := encodeJPEG(t, pattern(64, 48))
	for _, c := range []struct {
		name string
		in   []byte
		key  string
	}{
		{"empty", nil, "photo.empty"},
		{"text", []byte("These are not the pixels you are looking for.\n"), "photo.not_image"},
		{"HTML", []byte("<!doctype html><img src=x onerror=alert(1)>"), "photo.not_image"},
		{"JPEG cut after SOI", jpg[:4], "photo.not_image"},
		{"JPEG cut in its headers", jpg[:100], "photo.not_image"},
		{"JPEG cut in half", jpg[:len(jpg)/2], "photo.not_image"},
		{"JPEG without its last bytes", jpg[:len(jpg)-8], "photo.not_image"},
		{"PNG signature only", []byte("\x89PNG\r\n\x1a\n"), "photo.not_image"},
		{"GIF header only", []byte("GIF89a\x10\x00\x10\x00"), "photo.not_image"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Clean(bytes.NewReader(c.in))
			wantErr(t, err, c.key)
		})
	}
}

func TestCleanScanLimit(t *testing.T) {
	if _, err := Clean(bytes.NewReader(manyScans(t, maxScans))); err != nil {
		t.Errorf("%d scans: %v", maxScans, err)
	}
	_, err := Clean(bytes.NewReader(manyScans(t, maxScans+1)))
	wantErr(t, err, "photo.not_image")
}

func TestCleanTooLarge(t *testing.T) {
	_, err := Clean(bytes.NewReader(make([]byte, MaxBytes+1)))
	e := wantErr(t, err, "photo.too_large")
	if len(e.Args) != 1 || e.Args[0] != 8 {
		t.Errorf("args %v, want [8] (MiB)", e.Args)
	}

	// It stops reading just past the limit.
	r := &endless{}
	_, err = Clean(r)
	wantErr(t, err, "photo.too_large")
	if r.n > MaxBytes+1 {
		t.Errorf("read %d bytes, want at most %d", r.n, MaxBytes+1)
	}

	// MaxBytes exactly is not too large.
	_, err = Clean(bytes.NewReader(make([]byte, MaxBytes)))
	wantErr(t, err, "photo.not_image")
}

func TestCleanReadError(t *testing.T) {
	broken := errors.New("connection reset")
	_, err := Clean(io.MultiReader(bytes.NewReader([]byte{0xff, 0xd8}), &failing{broken}))
	if !errors.Is(err, broken) {
		t.Errorf("error %v, want the reader's", err)
	}
}

func TestCleanRefusesBombs(t *testing.T) {
	sof := encodeJPEG(t, pattern(8, 8))
	i := bytes.Index(sof, []byte{0xff, 0xc0})
	binary.BigEndian.PutUint16(sof[i+5:], 65535) // height
	binary.BigEndian.PutUint16(sof[i+7:], 65535) // width

	for _, c := range []struct {
		name string
		in   []byte
	}{
		{"PNG of 100000×100000", pngHeader(100_000, 100_000)},
		{"PNG one pixel over", pngHeader(MaxPixels+1, 1)},
		{"PNG of 2³¹-1 × 1", pngHeader(1<<31-1, 1)},
		{"JPEG of 65535×65535", sof},
		{"GIF of 65535×65535", []byte("GIF89a\xff\xff\xff\xff\x00\x00\x00;")},
	} {
		t.Run(c.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Clean(bytes.NewReader(c.in))
			runtime.ReadMemStats(&after)
			wantErr(t, err, "photo.too_many_pixels")
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				t.Errorf("allocated %d bytes to refuse it", n)
			}
		})
	}
}

func TestCleanScalesDown(t *testing.T) {
	for _, c := range []struct {
		w, h, wantW, wantH int
	}{
		{3000, 2000, 1600, 1067},
		{2000, 3000, 1067, 1600},
		{1600, 1600, 1600, 1600},
		{1601, 10, 1600, 10},
		{5000, 2, 1600, 1},
	} {
		// Left half red, right half blue.
		src := image.NewRGBA(image.Rect(0, 0, c.w, c.h))
		for y := range c.h {
			for x := range c.w {
				col := color.RGBA{220, 20, 20, 255}
				if x >= c.w/2 {
					col = color.RGBA{20, 20, 220, 255}
				}
				src.SetRGBA(x, y, col)
			}
		}
		p, err := Clean(bytes.NewReader(encodeJPEG(t, src)))
		if err != nil {
			t.Fatal(err)
		}
		out := checkPhoto(t, p)
		if p.Width != c.wantW || p.Height != c.wantH {
			t.Errorf("%dx%d: got %dx%d, want %dx%d", c.w, c.h, p.Width, p.Height, c.wantW, c.wantH)
			continue
		}
		if got := out.At(p.Width/4, p.Height/2); !near(got, color.RGBA{220, 20, 20, 255}, 16) {
			t.Errorf("%dx%d: left %v, want red", c.w, c.h, got)
		}
		if got := out.At(3*p.Width/4, p.Height/2); !near(got, color.RGBA{20, 20, 220, 255}, 16) {
			t.Errorf("%dx%d: right %v, want blue", c.w, c.h, got)
		}
	}
}

// Scaling averages: a checkerboard of single black and white pixels halved
// comes out grey, where picking one pixel of each box would give black or white.
func TestCleanScalingAverages(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 3200, 64))
	for y := range 64 {
		for x := range 3200 {
			if (x+y)%2 == 0 {
				src.SetGray(x, y, color.Gray{255})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, src); err != nil {
		t.Fatal(err)
	}
	p, err := Clean(&buf)
	if err != nil {
		t.Fatal(err)
	}
	out := checkPhoto(t, p)
	if p.Width != 1600 || p.Height != 32 {
		t.Fatalf("size %dx%d, want 1600x32", p.Width, p.Height)
	}
	for _, pt := range []image.Point{{0, 0}, {1, 1}, {800, 16}, {1599, 31}} {
		if got := out.At(pt.X, pt.Y); !near(got, color.RGBA{128, 128, 128, 255}, 3) {
			t.Errorf("pixel %v is %v, want grey", pt, got)
		}
	}
}

// A phone held upright stores the picture sideways and says so in EXIF; once
// EXIF is gone, the pixels themselves must be upright.
func TestCleanOrientation(t *testing.T) {
	// Stored picture, 80×40, in quadrants.
	quad := [2][2]color.RGBA{
		{{220, 0, 0, 255}, {0, 0, 220, 255}},   // top: red, blue
		{{0, 180, 0, 255}, {230, 230, 0, 255}}, // bottom: green, yellow
	}
	src := image.NewRGBA(image.Rect(0, 0, 80, 40))
	for y := range 40 {
		for x := range 80 {
			src.SetRGBA(x, y, quad[y/20][x/40])
		}
	}
	jpg := encodeJPEG(t, src)

	for o := 1; o <= 8; o++ {
		for _, order := range []byteOrder{binary.BigEndian, binary.LittleEndian} {
			in := withSegments(jpg, segment(0xe1, append([]byte("Exif\x00\x00"), exifTIFF(order, o, o%2 == 0)...)))
			p, err := Clean(bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			out := checkPhoto(t, p)
			want := upright([][]color.RGBA{quad[0][:], quad[1][:]}, o)
			wantW, wantH := 80, 40
			if o >= 5 {
				wantW, wantH = 40, 80
			}
			if p.Width != wantW || p.Height != wantH {
				t.Errorf("orientation %d (%v): size %dx%d, want %dx%d", o, order, p.Width, p.Height, wantW, wantH)
				continue
			}
			qw, qh := wantW/2, wantH/2
			for qy := range 2 {
				for qx := range 2 {
					got := out.At(qx*qw+qw/2, qy*qh+qh/2)
					if !near(got, want[qy][qx], 16) {
						t.Errorf("orientation %d (%v): quadrant (%d,%d) is %v, want %v", o, order, qx, qy, got, want[qy][qx])
					}
				}
			}
		}
	}
}

func TestOrient(t *testing.T) {
	// 3×2 pixels whose red channel tells them apart.
	m := image.NewRGBA(image.Rect(0, 0, 3, 2))
	grid := make([][]color.RGBA, 2)
	for y := range 2 {
		grid[y] = make([]color.RGBA, 3)
		for x := range 3 {
			grid[y][x] = color.RGBA{uint8(10*y + x), 0, 0, 255}
			m.SetRGBA(x, y, grid[y][x])
		}
	}
	for o := 0; o <= 9; o++ {
		want := upright(grid, o)
		got := orient(m, o)
		if got.Rect.Dx() != len(want[0]) || got.Rect.Dy() != len(want) {
			t.Errorf("orientation %d: size %v", o, got.Rect.Size())
			continue
		}
		for y := range want {
			for x := range want[y] {
				if got.RGBAAt(x, y) != want[y][x] {
					t.Errorf("orientation %d: (%d,%d) is %v, want %v", o, x, y, got.RGBAAt(x, y), want[y][x])
				}
			}
		}
	}
}

func TestExifOrientation(t *testing.T) {
	good := exifTIFF(binary.LittleEndian, 6, true)
	for _, c := range []struct {
		name string
		tiff []byte
		want int
	}{
		{"little-endian", good, 6},
		{"big-endian", exifTIFF(binary.BigEndian, 8, false), 8},
		{"none", exifTIFF(binary.BigEndian, 0, true), 1},
		{"out of range", exifTIFF(binary.BigEndian, 9, false), 1},
		{"as LONG", []byte("II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x04\x00\x01\x00\x00\x00\x03\x00\x00\x00"), 3},
		{"count 2", []byte("II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x02\x00\x00\x00\x03\x00\x00\x00"), 1},
		{"entry cut", []byte("II*\x00\x08\x00\x00\x00\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x03\x00"), 1},
		{"empty", nil, 1},
		{"bad magic", []byte("IM*\x00\x08\x00\x00\x00\x00\x00"), 1},
		{"IFD past the end", []byte("II*\x00\xff\xff\xff\xff\x00\x00"), 1},
		{"IFD at the last byte", []byte("II*\x00\x08\x00\x00\x00\x01"), 1},
		{"65535 entries", []byte("II*\x00\x08\x00\x00\x00\xff\xff\x12\x01"), 1},
		{"orientation entry cut", good[:30], 1},
	} {
		if got := exifOrientation(c.tiff); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestInspectJPEG(t *testing.T) {
	jpg := encodeJPEG(t, pattern(16, 16))
	for _, c := range []struct {
		name              string
		in                []byte
		orientation, scan int
	}{
		{"plain", jpg, 1, 1},
		{"EXIF", withSegments(jpg, segment(0xe1, append([]byte("Exif\x00\x00"), exifTIFF(binary.BigEndian, 6, true)...))), 6, 1},
		{"first EXIF counts", withSegments(jpg,
			segment(0xe1, append([]byte("Exif\x00\x00"), exifTIFF(binary.BigEndian, 3, false)...)),
			segment(0xe1, append([]byte("Exif\x00\x00"), exifTIFF(binary.BigEndian, 6, false)...))), 3, 1},
		{"XMP is not EXIF", withSegments(jpg, segment(0xe1, []byte("http://ns.adobe.com/xap/1.0/\x00Exif\x00\x00MM\x00*"))), 1, 1},
		{"stray bytes and fill", withSegments(jpg, []byte("junk\xff\xff\xff")), 1, 1},
		{"many scans", manyScans(t, 7), 1, 7},
		{"cut in the headers", jpg[:len(jpg)/2], 1, 0},
		{"cut in the scan", jpg[:len(jpg)-10], 1, 1},
		{"SOI only", jpg[:2], 1, 0},
	} {
		o, n := inspectJPEG(c.in)
		if o != c.orientation || n != c.scan {
			t.Errorf("%s: orientation %d, %d scans; want %d, %d", c.name, o, n, c.orientation, c.scan)
		}
	}
}

// checkPhoto checks what every cleaned photo promises and returns its pixels.
func checkPhoto(tb testing.TB, p Photo) image.Image {
	tb.Helper()
	m, err := jpeg.Decode(bytes.NewReader(p.Data))
	if err != nil {
		tb.Fatalf("output does not decode: %v", err)
	}
	if b := m.Bounds(); b.Dx() != p.Width || b.Dy() != p.Height {
		tb.Errorf("output is %v, Photo says %dx%d", b.Size(), p.Width, p.Height)
	}
	if p.Width > MaxSide || p.Height > MaxSide {
		tb.Errorf("output is %dx%d, longer than MaxSide", p.Width, p.Height)
	}
	if sum := sha256.Sum256(p.Data); p.SHA256 != hex.EncodeToString(sum[:]) {
		tb.Errorf("SHA256 %s does not match the data", p.SHA256)
	}
	// Only the segments that carry pixels: SOI, DQT, SOF0, DHT, SOS, EOI.
	allowed := map[byte]bool{0xd8: true, 0xdb: true, 0xc0: true, 0xc4: true, 0xda: true, 0xd9: true}
	for _, mk := range markers(tb, p.Data) {
		if !allowed[mk] {
			tb.Errorf("output has a segment with marker %#x", mk)
		}
	}
	return m
}

// markers returns the markers of the segments of a JPEG file, in order.
func markers(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var ms []byte
	i := 0
	for i < len(b) {
		if i+1 >= len(b) || b[i] != 0xff {
			tb.Fatalf("no marker at offset %d", i)
		}
		m := b[i+1]
		ms = append(ms, m)
		i += 2
		if m == 0xd8 {
			continue
		}
		if m == 0xd9 {
			if i != len(b) {
				tb.Errorf("%d bytes after EOI", len(b)-i)
			}
			return ms
		}
		if i+2 > len(b) {
			tb.Fatalf("segment %#x cut", m)
		}
		i += int(binary.BigEndian.Uint16(b[i:]))
		if m == 0xda {
			for i+1 < len(b) && (b[i] != 0xff || b[i+1] == 0 || 0xd0 <= b[i+1] && b[i+1] <= 0xd7) {
				i++
			}
		}
	}
	tb.Fatal("no EOI")
	return nil
}

// upright applies an EXIF orientation to a grid of pixels by composing
// quarter turns clockwise and mirrorings, as the standard describes them.
func upright[T any](g [][]T, orientation int) [][]T {
	cw := func(g [][]T) [][]T { // a quarter turn clockwise
		out := make([][]T, len(g[0]))
		for x := range out {
			out[x] = make([]T, len(g))
			for y := range g {
				out[x][len(g)-1-y] = g[y][x]
			}
		}
		return out
	}
	mirror := func(g [][]T) [][]T {
		out := make([][]T, len(g))
		for y := range g {
			out[y] = make([]T, len(g[y]))
			for x := range g[y] {
				out[y][len(g[y])-1-x] = g[y][x]
			}
		}
		return out
	}
	switch orientation {
	case 2:
		return mirror(g)
	case 3:
		return cw(cw(g))
	case 4:
		return mirror(cw(cw(g)))
	case 5:
		return mirror(cw(g))
	case 6:
		return cw(g)
	case 7:
		return mirror(cw(cw(cw(g))))
	case 8:
		return cw(cw(cw(g)))
	}
	return g
}

// byteOrder is binary.BigEndian or binary.LittleEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// exifTIFF returns the TIFF body of an EXIF segment as a phone writes it: the
// camera's make, the orientation (none if 0) and, if gps, the position.
func exifTIFF(order byteOrder, orientation int, gps bool) []byte {
	type entry struct {
		tag, typ uint16
		count    uint32
		data     []byte // inline if at most 4 bytes
	}
	short := func(v uint16) []byte { return order.AppendUint16(nil, v) }
	long := func(v uint32) []byte { return order.AppendUint32(nil, v) }
	// ifd lays out the entries at offset base, followed by their data.
	ifd := func(base int, es []entry) []byte {
		b := order.AppendUint16(nil, uint16(len(es)))
		var data []byte
		dataAt := base + 2 + 12*len(es) + 4
		for _, e := range es {
			b = order.AppendUint16(b, e.tag)
			b = order.AppendUint16(b, e.typ)
			b = order.AppendUint32(b, e.count)
			if len(e.data) <= 4 {
				b = append(b, e.data...)
				b = append(b, make([]byte, 4-len(e.data))...)
			} else {
				b = order.AppendUint32(b, uint32(dataAt+len(data)))
				data = append(data, e.data...)
				if len(data)%2 == 1 {
					data = append(data, 0)
				}
			}
		}
		b = order.AppendUint32(b, 0) // no next IFD
		return append(b, data...)
	}
	latitude := gpsLatitude
	if order == binary.LittleEndian {
		latitude = nil
		for i := 0; i < len(gpsLatitude); i += 4 {
			latitude = order.AppendUint32(latitude, binary.BigEndian.Uint32(gpsLatitude[i:]))
		}
	}

	ifd0 := []entry{{0x010f, 2, 17, []byte("SecretPhoneModel\x00")}}
	if orientation != 0 {
		ifd0 = append(ifd0, entry{0x0112, 3, 1, short(uint16(orientation))})
	}
	if gps {
		ifd0 = append(ifd0, entry{0x8825, 4, 1, long(0)})
	}
	first := ifd(8, ifd0)
	var second []byte
	if gps {
		at := 8 + len(first)
		ifd0[len(ifd0)-1].data = long(uint32(at))
		first = ifd(8, ifd0)
		second = ifd(at, []entry{
			{0x0001, 2, 2, []byte("N\x00")},
			{0x0002, 5, 3, latitude},
			{0x0003, 2, 2, []byte("W\x00")},
			{0x0004, 5, 3, rationals(3, 1, 42, 1, 1530, 100)},
		})
	}
	head := []byte("MM\x00*\x00\x00\x00\x08")
	if order == binary.LittleEndian {
		head = []byte("II*\x00\x08\x00\x00\x00")
	}
	return append(append(head, first...), second...)
}

func rationals(v ...uint32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, x)
	}
	return b
}

// segment returns a JPEG segment.
func segment(marker byte, payload []byte) []byte {
	b := []byte{0xff, marker}
	b = binary.BigEndian.AppendUint16(b, uint16(len(payload)+2))
	return append(b, payload...)
}

// withSegments inserts segments right after the SOI of a JPEG file.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// manyScans returns a greyscale JPEG whose only scan is repeated n times.
func manyScans(tb testing.TB, n int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		tb.Fatal(err)
	}
	b := buf.Bytes()
	sos := bytes.Index(b, []byte{0xff, 0xda})
	scan := b[sos : len(b)-2]
	out := append([]byte{}, b[:sos]...)
	for range n {
		out = append(out, scan...)
	}
	return append(out, 0xff, 0xd9)
}

func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(b, typ...)
	b = append(b, data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// pngHeader returns a PNG signature and an IHDR claiming w×h RGBA pixels.
func pngHeader(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0)
	return append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
}

func encodeJPEG(tb testing.TB, m image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// pattern returns a w×h picture with gradients, shapes and some noise, like
// a photo and unlike a flat colour.
func pattern(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rnd := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			r := 255 * x / w
			g := 255 * y / h
			b := 60
			if (x/(w/8+1)+y/(h/6+1))%2 == 0 {
				b = 200
			}
			n := rnd.IntN(21) - 10
			m.SetRGBA(x, y, color.RGBA{clamp(r + n), clamp(g + n), clamp(b + n), 255})
		}
	}
	return m
}

func clamp(v int) uint8 { return uint8(min(255, max(0, v))) }

func average(m image.Image) [3]float64 {
	var s [3]float64
	b := m.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := m.At(x, y).RGBA()
			s[0] += float64(r >> 8)
			s[1] += float64(g >> 8)
			s[2] += float64(bl >> 8)
		}
	}
	n := float64(b.Dx() * b.Dy())
	return [3]float64{s[0] / n, s[1] / n, s[2] / n}
}

func near(c color.Color, want color.RGBA, tolerance int) bool {
	r, g, b, _ := c.RGBA()
	d := func(v uint32, w uint8) bool { x := int(v>>8) - int(w); return -tolerance <= x && x <= tolerance }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}

func wantErr(tb testing.TB, err error, key string) *errs.Error {
	tb.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		tb.Fatalf("error %v, want *errs.Error %s", err, key)
	}
	if e.Key != key || e.Field != "photo" || e.Code != errs.Invalid {
		tb.Fatalf("error %v, want %s on field photo", e, key)
	}
	return e
}

// endless reads zeros forever, counting them.
type endless struct{ n int }

func (r *endless) Read(p []byte) (int, error) {
	clear(p)
	r.n += len(p)
	return len(p), nil
}

type failing struct{ err error }

func (r *failing) Read([]byte) (int, error) { return 0, r.err }
