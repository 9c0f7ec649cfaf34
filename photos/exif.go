package photos

import (
	"bytes"
	"encoding/binary"
)

// JPEG markers read here.
const (
	markerSOS  = 0xda // start of scan
	markerEOI  = 0xd9 // end of image
	markerAPP1 = 0xe1 // EXIF, XMP
)

// inspectJPEG walks the segments of a JPEG file and returns its EXIF
// orientation (1 when it has none or it cannot be read) and how many scans it
// has. It never fails: a malformed file only stops the walk, and the decoder
// will say whether it is a JPEG at all.
//
// The walk is as lenient as image/jpeg's decoder (it skips stray bytes between
// segments and fill bytes before a marker), so that no scan the decoder would
// process goes uncounted.
func inspectJPEG(b []byte) (orientation, scans int) {
	orientation = 1
	exifSeen := false
	i := 2 // after SOI
	for i+1 < len(b) {
		if b[i] != 0xff {
			i++ // stray byte
			continue
		}
		m := b[i+1]
		if m == 0xff {
			i++ // fill byte
			continue
		}
		i += 2
		if m == markerEOI {
			break
		}
		if m == 0x00 || m == 0x01 || 0xd0 <= m && m <= 0xd7 {
			continue // stuffed zero, TEM or RSTn: no length
		}
		if i+2 > len(b) {
			break
		}
		n := int(b[i])<<8 | int(b[i+1])
		if n < 2 || i+n > len(b) {
			break
		}
		payload := b[i+2 : i+n]
		i += n
		switch m {
		case markerAPP1:
			if !exifSeen && bytes.HasPrefix(payload, []byte("Exif\x00\x00")) {
				exifSeen = true
				orientation = exifOrientation(payload[6:])
			}
		case markerSOS:
			scans++
			// Skip the entropy-coded data, up to the next marker: 0xff
			// followed by anything but a stuffed zero or a restart.
			for i+1 < len(b) && (b[i] != 0xff || b[i+1] == 0x00 || 0xd0 <= b[i+1] && b[i+1] <= 0xd7) {
				i++
			}
		}
	}
	return orientation, scans
}

// exifOrientation returns the Orientation tag (0x0112) of the first IFD of a
// TIFF structure, the body of an EXIF segment: 1 to 8, or 1 if it is missing,
// out of range or unreadable.
//
//	1 upright         2 mirrored         3 upside down     4 mirrored upside down
//	5 mirrored, 90° clockwise to view    6 90° clockwise to view
//	7 mirrored, 90° anticlockwise        8 90° anticlockwise to view
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(tiff[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return 1
	}
	ifd := uint64(order.Uint32(tiff[4:8]))
	if ifd+2 > uint64(len(tiff)) {
		return 1
	}
	n := uint64(order.Uint16(tiff[ifd:]))
	for k := uint64(0); k < n; k++ {
		e := ifd + 2 + 12*k
		if e+12 > uint64(len(tiff)) {
			break
		}
		entry := tiff[e : e+12]
		if order.Uint16(entry[0:2]) != 0x0112 {
			continue
		}
		if order.Uint32(entry[4:8]) != 1 {
			return 1
		}
		var v uint32
		switch order.Uint16(entry[2:4]) {
		case 3: // SHORT, as the standard says
			v = uint32(order.Uint16(entry[8:10]))
		case 4: // LONG, as some writers do
			v = order.Uint32(entry[8:12])
		default:
			return 1
		}
		if v < 1 || v > 8 {
			return 1
		}
		return int(v)
	}
	return 1
}
