package photos

import (
	"image"
	"image/draw"
)

// fit returns the size of a w×h image scaled down so that no side is longer
// than MaxSide, keeping its proportions (rounded to the nearest pixel).
func fit(w, h int) (int, int) {
	if w <= MaxSide && h <= MaxSide {
		return w, h
	}
	if w >= h {
		return MaxSide, max(1, int((int64(h)*MaxSide+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*MaxSide+int64(h)/2)/int64(h))), MaxSide
}

// boxes splits n source pixels into d ≤ n boxes of consecutive pixels whose
// sizes differ by at most one: box k is [b[k], b[k+1]).
func boxes(n, d int) []int {
	b := make([]int, d+1)
	for k := range b {
		b[k] = int((int64(k)*int64(n) + int64(d) - 1) / int64(d))
	}
	return b
}

// chunk is how many source pixels are converted at a time.
const chunk = 1024

// resample returns the w×h canvas of src (pixels outside src's bounds are
// white) composited onto white and scaled to fit(w, h). Each output pixel is
// the average of a box of source pixels (averaged in sRGB, not linear light,
// which darkens fine detail a little).
//
// Source pixels are converted to RGBA a chunk of a row at a time, so that
// besides src it needs memory only for the output.
func resample(src image.Image, w, h int) *image.RGBA {
	dw, dh := fit(w, h)
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	cols, rows := boxes(w, dw), boxes(h, dh)
	sums := make([]uint64, 3*dw)
	buf := image.NewRGBA(image.Rect(0, 0, min(w, chunk), 1))

	for dy := range dh {
		clear(sums)
		for y := rows[dy]; y < rows[dy+1]; y++ {
			dx := 0
			for x0 := 0; x0 < w; x0 += chunk {
				n := min(chunk, w-x0)
				px := buf.Pix[:4*n]
				for i := range px {
					px[i] = 0xff
				}
				// Over white: transparent pixels come out white.
				draw.Draw(buf, image.Rect(0, 0, n, 1), src, image.Pt(x0, y), draw.Over)
				for i := range n {
					for x0+i >= cols[dx+1] {
						dx++
					}
					s, p := sums[3*dx:3*dx+3], px[4*i:4*i+3]
					s[0] += uint64(p[0])
					s[1] += uint64(p[1])
					s[2] += uint64(p[2])
				}
			}
		}
		out := dst.Pix[dy*dst.Stride : dy*dst.Stride+4*dw]
		bh := uint64(rows[dy+1] - rows[dy])
		for dx := range dw {
			area := bh * uint64(cols[dx+1]-cols[dx])
			s, p := sums[3*dx:3*dx+3], out[4*dx:4*dx+4]
			p[0] = uint8((s[0] + area/2) / area)
			p[1] = uint8((s[1] + area/2) / area)
			p[2] = uint8((s[2] + area/2) / area)
			p[3] = 0xff
		}
	}
	return dst
}

// orient returns m turned upright according to an EXIF orientation (see
// exifOrientation): m itself for 1 or an unknown value, a new image otherwise.
func orient(m *image.RGBA, orientation int) *image.RGBA {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	// The pixel at (x, y) goes to (ax*x + bx*y + cx, ay*x + by*y + cy).
	var ax, bx, cx, ay, by, cy int
	switch orientation {
	case 2: // mirrored
		ax, cx, by = -1, w-1, 1
	case 3: // upside down
		ax, cx, by, cy = -1, w-1, -1, h-1
	case 4: // mirrored upside down
		ax, by, cy = 1, -1, h-1
	case 5: // transposed
		bx, ay = 1, 1
	case 6: // turn 90° clockwise
		bx, cx, ay = -1, h-1, 1
	case 7: // transversed
		bx, cx, ay, cy = -1, h-1, -1, w-1
	case 8: // turn 90° anticlockwise
		bx, ay, cy = 1, -1, w-1
	default:
		return m
	}
	ow, oh := w, h
	if orientation >= 5 {
		ow, oh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for y := range h {
		row := m.Pix[y*m.Stride:]
		for x := range w {
			X, Y := ax*x+bx*y+cx, ay*x+by*y+cy
			copy(out.Pix[Y*out.Stride+4*X:][:4], row[4*x:4*x+4])
		}
	}
	return out
}
