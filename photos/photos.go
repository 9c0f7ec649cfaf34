// Package photos turns a photo a person uploads into one that carries nothing
// but its pixels.
//
// A photo straight from a phone says much more than it shows: EXIF holds the
// GPS position, the time, the make, model and often the serial number of the
// camera; XMP may hold an editing history; an EXIF thumbnail may show the
// picture as it was before it was cropped; comments and IPTC blocks hold what
// other programs wrote. On a report about a protest, any of it can get someone
// arrested.
//
// So nothing of an uploaded file is kept or edited. Clean decodes it to
// pixels, flattens them onto white, turns them upright, scales them down and
// encodes a new JPEG from them. The only things read from the metadata on the
// way are the dimensions and the EXIF orientation; the output has no APPn
// segment (no JFIF, EXIF, XMP, ICC or IPTC) and no comment.
//
// Accepted formats are JPEG, PNG and GIF (first frame only), told apart by
// their first bytes, not by a file name or a Content-Type.
//
// Decoding is bounded: at most MaxBytes are read, the dimensions are checked
// against MaxPixels before any pixel is decoded, and a JPEG with an absurd
// number of scans (which would take minutes to decode) is refused. Decoding an
// image of MaxPixels still takes some hundred megabytes, so callers should
// limit how many Clean calls run at once.
package photos

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"asamblea/errs"
)

// Limits of an upload.
const (
	// MaxBytes is the size of the largest file accepted.
	MaxBytes = 8 << 20
	// MaxPixels is the largest width×height accepted. The dimensions are
	// read from the file's header and checked before decoding, so that a
	// small file claiming to be huge (a decompression bomb) costs nothing.
	MaxPixels = 40_000_000
	// MaxSide is the longest side of a cleaned photo. Larger photos are
	// scaled down, keeping their proportions.
	MaxSide = 1600
)

// quality is the JPEG quality of a cleaned photo.
const quality = 80

// maxScans is the largest number of scans accepted in a JPEG. Each scan walks
// the whole image again, and a progressive scan that says "no more
// coefficients in the next 32767 blocks" takes some 60 bytes: a 130 kB
// progressive JPEG of 6000×6000 pixels with 1000 such scans takes 12 s to
// decode, an 8 MB one would take twenty minutes. Encoders write 1 to 3 scans
// for a baseline JPEG and about 10 for a progressive one.
const maxScans = 100

// Photo is a cleaned photo.
type Photo struct {
	Data          []byte // JPEG bytes, freshly encoded: no EXIF, XMP, ICC, comments, nothing but pixels
	Width, Height int    // in pixels, after turning upright and scaling down
	SHA256        string // hex of the SHA-256 of Data
}

// slots bounds how many photos are decoded at once.
var slots = make(chan struct{}, 2)

// Clean reads at most MaxBytes+1 bytes from r and returns the photo they hold,
// re-encoded as a JPEG with nothing but its pixels: upright (the EXIF
// orientation of a JPEG is applied to the pixels), transparent areas on white,
// no side longer than MaxSide.
//
// Its errors about the upload are *errs.Error on field "photo", with keys
//
//	photo.empty            r held nothing
//	photo.too_large        more than MaxBytes (argument: MaxBytes in MiB)
//	photo.not_image        not a JPEG, PNG or GIF, or a corrupt or truncated one
//	photo.too_many_pixels  more than MaxPixels pixels
//
// An error reading r is returned wrapped, as it came.
func Clean(r io.Reader) (Photo, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return Photo{}, fmt.Errorf("photos: read upload: %w", err)
	}
	switch {
	case len(data) == 0:
		return Photo{}, errs.Field("photo", "photo.empty")
	case len(data) > MaxBytes:
		return Photo{}, errs.Field("photo", "photo.too_large", MaxBytes>>20)
	}

	f, ok := sniff(data)
	if !ok {
		return Photo{}, errNotImage()
	}
	cfg, err := f.config(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return Photo{}, errNotImage()
	}
	if cfg.Width > MaxPixels || cfg.Height > MaxPixels || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Photo{}, errs.Field("photo", "photo.too_many_pixels")
	}
	// Decoding a large photo takes hundreds of megabytes for a moment: two
	// at a time at most, so that a burst of uploads cannot exhaust memory.
	slots <- struct{}{}
	defer func() { <-slots }()
	orientation := 1
	if f.jpeg {
		var scans int
		orientation, scans = inspectJPEG(data)
		if scans > maxScans {
			return Photo{}, errNotImage()
		}
	}
	img, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return Photo{}, errNotImage()
	}
	if b := img.Bounds(); int64(b.Dx())*int64(b.Dy()) > MaxPixels {
		// The decoders allocate what their header says, which was
		// checked above; this only guards against one that does not.
		return Photo{}, errs.Field("photo", "photo.too_many_pixels")
	}

	m := orient(resample(img, cfg.Width, cfg.Height), orientation)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, m, &jpeg.Options{Quality: quality}); err != nil {
		return Photo{}, fmt.Errorf("photos: encode: %w", err)
	}
	sum := sha256.Sum256(out.Bytes())
	return Photo{
		Data:   out.Bytes(),
		Width:  m.Rect.Dx(),
		Height: m.Rect.Dy(),
		SHA256: hex.EncodeToString(sum[:]),
	}, nil
}

func errNotImage() error { return errs.Field("photo", "photo.not_image") }

// A format is the pair of decoders for one file format.
type format struct {
	config func(io.Reader) (image.Config, error)
	decode func(io.Reader) (image.Image, error)
	jpeg   bool
}

// sniff returns the format data starts like. The decoders are named here
// rather than looked up in image's registry, so that a format registered by
// some other package of the program is not accepted by accident.
func sniff(data []byte) (format, bool) {
	switch {
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return format{jpeg.DecodeConfig, jpeg.Decode, true}, true
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return format{png.DecodeConfig, png.Decode, false}, true
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return format{gif.DecodeConfig, gif.Decode, false}, true
	}
	return format{}, false
}
