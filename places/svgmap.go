package places

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The map's geometry: an equirectangular projection (longitudes scaled by the
// cosine of the middle latitude) of the outlines' bounding box onto a viewBox
// MapWidth wide, outlines simplified to within mapTolerance and rounded to
// tenths.
const (
	MapWidth     = 400
	mapPad       = 2
	mapTolerance = 0.5
	maxGeoJSON   = 64 << 20
)

// MapCSS is a style sheet for the map DepartmentMap draws, to include in the
// page's own style sheet (the map has no inline style, so a strict
// Content-Security-Policy accepts it). Departments take the classes pm0
// (no count) and pm1 to pm5 (growing counts); marks take pm-mark.
const MapCSS = `.pm{max-width:100%;height:auto}
.pm path{stroke:#fff;stroke-width:.6;stroke-linejoin:round}
.pm .pm0{fill:#e6e6e6}.pm .pm1{fill:#fdd0a2}.pm .pm2{fill:#fdae6b}.pm .pm3{fill:#fd8d3c}.pm .pm4{fill:#e6550d}.pm .pm5{fill:#a63603}
.pm a:hover path,.pm a:focus path{stroke:#000;stroke-width:1.2}
.pm .pm-mark{fill:#08519c;stroke:#fff;stroke-width:.5}
`

// outline is a department's projected, simplified outline.
type outline struct {
	code string
	d    string // SVG path data
}

// projection maps longitude and latitude to the map's viewBox.
type projection struct {
	minLon, maxLat, kx, scale float64
}

func (p projection) point(lon, lat float64) (x, y float64) {
	return mapPad + (lon-p.minLon)*p.kx*p.scale, mapPad + (p.maxLat-lat)*p.scale
}

type geoFeature struct {
	Properties map[string]any `json:"properties"`
	Geometry   struct {
		Type        string          `json:"type"`
		Coordinates json.RawMessage `json:"coordinates"`
	} `json:"geometry"`
}

type lonLat struct{ lon, lat float64 }

func (t *Table) readOutlines(r io.Reader) error {
	var doc struct {
		Type     string       `json:"type"`
		Features []geoFeature `json:"features"`
	}
	data, err := io.ReadAll(io.LimitReader(r, maxGeoJSON))
	if err != nil {
		return fmt.Errorf("places: %s: %w", OutlinesFile, err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("places: %s: %w", OutlinesFile, err)
	}
	if doc.Type != "FeatureCollection" {
		return fmt.Errorf("places: %s: not a FeatureCollection", OutlinesFile)
	}
	byName := map[string]string{} // folded name or code → code
	for _, i := range t.depts {
		p := t.places[i]
		byName[Fold(p.Name)] = p.Code
		byName[p.Code] = p.Code
	}

	rings := map[string][][]lonLat{}
	minLon, minLat, maxLon, maxLat := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for n, f := range doc.Features {
		code := featureDepartment(f.Properties, byName)
		if code == "" {
			return fmt.Errorf("places: %s: feature %d matches no department", OutlinesFile, n)
		}
		depth := 0 // of the positions' arrays
		switch f.Geometry.Type {
		case "Polygon":
			depth = 3
		case "MultiPolygon":
			depth = 4
		default:
			return fmt.Errorf("places: %s: feature %d: geometry %q is not a Polygon or MultiPolygon", OutlinesFile, n, f.Geometry.Type)
		}
		rs, err := parseRings(f.Geometry.Coordinates, depth)
		if err != nil {
			return fmt.Errorf("places: %s: feature %d: %w", OutlinesFile, n, err)
		}
		for _, ring := range rs {
			for _, c := range ring {
				minLon, maxLon = min(minLon, c.lon), max(maxLon, c.lon)
				minLat, maxLat = min(minLat, c.lat), max(maxLat, c.lat)
			}
			if len(ring) >= 4 {
				rings[code] = append(rings[code], ring)
			}
		}
	}
	if len(rings) == 0 {
		return fmt.Errorf("places: %s has no outlines", OutlinesFile)
	}
	if maxLon-minLon <= 0 || maxLat-minLat <= 0 {
		return fmt.Errorf("places: %s: outlines have no extent", OutlinesFile)
	}
	kx := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	proj := projection{minLon: minLon, maxLat: maxLat, kx: kx}
	proj.scale = (MapWidth - 2*mapPad) / ((maxLon - minLon) * kx)
	t.proj = proj
	t.mapW = MapWidth
	t.mapH = math.Ceil((maxLat-minLat)*proj.scale + 2*mapPad)

	codes := make([]string, 0, len(rings))
	for code := range rings {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	for _, code := range codes {
		var d strings.Builder
		for _, ring := range rings[code] {
			writeRing(&d, proj, ring)
		}
		if d.Len() > 0 {
			t.outlines = append(t.outlines, outline{code: code, d: d.String()})
		}
	}
	return nil
}

// featureDepartment returns the code of the department one of props names.
func featureDepartment(props map[string]any, byName map[string]string) string {
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if s, ok := props[k].(string); ok {
			if code, ok := byName[s]; ok {
				return code
			}
			if code, ok := byName[Fold(s)]; ok {
				return code
			}
		}
	}
	return ""
}

// parseRings reads the rings of GeoJSON coordinates (valid JSON) whose
// positions are arrays nested depth deep: 3 in a Polygon, 4 in a MultiPolygon.
func parseRings(data []byte, depth int) ([][]lonLat, error) {
	var (
		rings [][]lonLat
		ring  []lonLat
		pos   [2]float64
		npos  int
		d     int
	)
	for i := 0; i < len(data); {
		switch c := data[i]; {
		case c == '[':
			d++
			if d > depth {
				return nil, errors.New("coordinates nested too deep")
			}
			npos = 0
			i++
		case c == ']':
			switch d {
			case depth:
				if npos < 2 || !(math.Abs(pos[0]) <= 180) || !(math.Abs(pos[1]) <= 90) {
					return nil, fmt.Errorf("bad position %v", pos[:min(npos, 2)])
				}
				ring = append(ring, lonLat{pos[0], pos[1]})
			case depth - 1:
				rings = append(rings, ring)
				ring = nil
			}
			d--
			if d < 0 {
				return nil, errors.New("unbalanced coordinates")
			}
			i++
		case c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		default:
			j := i
			for j < len(data) && numByte(data[j]) {
				j++
			}
			v, err := strconv.ParseFloat(string(data[i:j]), 64)
			if err != nil || d != depth {
				return nil, fmt.Errorf("bad coordinates near %q", data[i:min(j+1, len(data))])
			}
			if npos < 2 {
				pos[npos] = v
			}
			npos++
			i = j
		}
	}
	if d != 0 {
		return nil, errors.New("unbalanced coordinates")
	}
	return rings, nil
}

func numByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '.' || c == 'e' || c == 'E' || c == '+'
}

// pt is a point of the map in tenths of a unit of the viewBox.
type pt struct{ x, y int }

// writeRing projects ring, simplifies it and appends it to d as a closed
// subpath: an absolute move, then relative lines.
func writeRing(d *strings.Builder, proj projection, ring []lonLat) {
	xy := make([][2]float64, len(ring))
	for i, c := range ring {
		x, y := proj.point(c.lon, c.lat)
		xy[i] = [2]float64{x, y}
	}
	keep := simplifyRing(xy, mapTolerance)
	var pts []pt
	for _, i := range keep {
		p := pt{int(math.Round(xy[i][0] * 10)), int(math.Round(xy[i][1] * 10))}
		if len(pts) > 0 && pts[len(pts)-1] == p {
			continue
		}
		pts = append(pts, p)
	}
	for len(pts) > 1 && pts[len(pts)-1] == pts[0] {
		pts = pts[:len(pts)-1]
	}
	if len(pts) < 3 || math.Abs(area(pts)) < 100 { // under 1 square unit
		return
	}
	d.WriteByte('M')
	writeTenths(d, pts[0].x)
	writeNum(d, pts[0].y)
	d.WriteByte('l')
	for i := 1; i < len(pts); i++ {
		if i > 1 {
			writeNum(d, pts[i].x-pts[i-1].x)
		} else {
			writeTenths(d, pts[i].x-pts[i-1].x)
		}
		writeNum(d, pts[i].y-pts[i-1].y)
	}
	d.WriteByte('z')
}

// area returns twice the signed area of a polygon.
func area(pts []pt) float64 {
	var a float64
	for i := range pts {
		j := (i + 1) % len(pts)
		a += float64(pts[i].x)*float64(pts[j].y) - float64(pts[j].x)*float64(pts[i].y)
	}
	return a
}

// writeNum writes a number in tenths, preceded by a space unless its minus
// sign separates it from the number before.
func writeNum(d *strings.Builder, n int) {
	if n >= 0 {
		d.WriteByte(' ')
	}
	writeTenths(d, n)
}

// writeTenths writes n/10 in the shortest form: 12, 1.2, .2, -.2.
func writeTenths(d *strings.Builder, n int) {
	if n < 0 {
		d.WriteByte('-')
		n = -n
	}
	if n >= 10 {
		d.WriteString(strconv.Itoa(n / 10))
	} else if n == 0 {
		d.WriteByte('0')
		return
	}
	if n%10 != 0 {
		d.WriteByte('.')
		d.WriteByte(byte('0' + n%10))
	}
}

// simplifyRing returns the indexes of the points of a closed ring (its last
// point equal to its first) that the Douglas–Peucker algorithm keeps within
// tolerance, in order.
func simplifyRing(p [][2]float64, tol float64) []int {
	n := len(p)
	if n < 3 {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	// Split the ring at the point farthest from its first point, so that
	// neither half starts and ends at the same point.
	far, best := 0, -1.0
	for i := 1; i < n-1; i++ {
		dx, dy := p[i][0]-p[0][0], p[i][1]-p[0][1]
		if d := dx*dx + dy*dy; d > best {
			far, best = i, d
		}
	}
	keep := make([]bool, n)
	keep[0], keep[far], keep[n-1] = true, true, true
	type span struct{ a, b int }
	stack := []span{{0, far}, {far, n - 1}}
	tol2 := tol * tol
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if s.b-s.a < 2 {
			continue
		}
		idx, dmax := -1, tol2
		for i := s.a + 1; i < s.b; i++ {
			if d := segDist2(p[i], p[s.a], p[s.b]); d > dmax {
				idx, dmax = i, d
			}
		}
		if idx >= 0 {
			keep[idx] = true
			stack = append(stack, span{s.a, idx}, span{idx, s.b})
		}
	}
	var out []int
	for i, k := range keep {
		if k {
			out = append(out, i)
		}
	}
	return out
}

// segDist2 returns the squared distance from p to the segment a–b.
func segDist2(p, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	px, py := p[0]-a[0], p[1]-a[1]
	l2 := dx*dx + dy*dy
	if l2 > 0 {
		u := (px*dx + py*dy) / l2
		u = max(0, min(1, u))
		px, py = px-u*dx, py-u*dy
	}
	return px*px + py*py
}

// Mark is a point drawn on the map, e.g. an action.
type Mark struct {
	Lat, Lon float64
	Label    string // the mark's <title>
}

// MapOptions says what DepartmentMap draws.
type MapOptions struct {
	// Title is the accessible name of the map, its first <title>. Optional.
	Title string
	// Counts holds a number per department code (e.g. ongoing actions); a
	// department that is missing counts 0. The fill class of a department
	// is pm0 for 0, then pm1 to pm5 on a logarithmic scale from 1 to the
	// largest count.
	Counts map[string]int
	// Label returns the <title> of a department with its count. Optional:
	// by default "Name: n".
	Label func(code string, n int) string
	// Href returns the address each department links to, or "" for none.
	// Optional.
	Href func(code string) string
	// Marks are drawn as small circles over the departments.
	Marks []Mark
}

// DepartmentMapSVG draws the map of the departments shaded by counts, with
// label giving each department's title (nil for "Name: n"). See
// DepartmentMap.
func (t *Table) DepartmentMapSVG(counts map[string]int, label func(code string, n int) string) string {
	return t.DepartmentMap(MapOptions{Counts: counts, Label: label})
}

// DepartmentMap returns an SVG document of the departments' outlines, each a
// <path> with class pmN, data-code and a <title>, for MapCSS to colour. Every
// text in it is escaped, so it is safe to embed in HTML as it is. It returns
// "" if the table has no outlines.
func (t *Table) DepartmentMap(opt MapOptions) string {
	if len(t.outlines) == 0 {
		return ""
	}
	maxN := 0
	for _, o := range t.outlines {
		maxN = max(maxN, opt.Counts[o.code])
	}
	size := 512 + len(opt.Title)
	for _, o := range t.outlines {
		size += len(o.d) + 96
	}
	var b strings.Builder
	b.Grow(size + 64*len(opt.Marks))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" class="pm" fill-rule="evenodd">`, t.mapW, t.mapH)
	if opt.Title != "" {
		b.WriteString("<title>")
		b.WriteString(html.EscapeString(opt.Title))
		b.WriteString("</title>")
	}
	for _, o := range t.outlines {
		n := opt.Counts[o.code]
		var label string
		if opt.Label != nil {
			label = opt.Label(o.code, n)
		} else {
			p, _ := t.Lookup(o.code)
			label = p.Name + ": " + strconv.Itoa(n)
		}
		href := ""
		if opt.Href != nil {
			href = opt.Href(o.code)
		}
		if href != "" {
			b.WriteString(`<a href="`)
			b.WriteString(html.EscapeString(href))
			b.WriteString(`">`)
		}
		b.WriteString(`<path class="pm`)
		b.WriteByte(byte('0' + bucket(n, maxN)))
		b.WriteString(`" data-code="`)
		b.WriteString(html.EscapeString(o.code))
		b.WriteString(`" d="`)
		b.WriteString(o.d)
		b.WriteString(`"><title>`)
		b.WriteString(html.EscapeString(label))
		b.WriteString("</title></path>")
		if href != "" {
			b.WriteString("</a>")
		}
		b.WriteByte('\n')
	}
	for _, m := range opt.Marks {
		x, y, ok := t.MapPoint(m.Lat, m.Lon)
		if !ok {
			continue
		}
		fmt.Fprintf(&b, `<circle class="pm-mark" cx="%.1f" cy="%.1f" r="3">`, x, y)
		if m.Label != "" {
			b.WriteString("<title>")
			b.WriteString(html.EscapeString(m.Label))
			b.WriteString("</title>")
		}
		b.WriteString("</circle>")
	}
	b.WriteString("</svg>")
	return b.String()
}

// MapPoint returns where a latitude and longitude fall in the viewBox of
// DepartmentMap, and false if the table has no outlines or the point is
// outside the map.
func (t *Table) MapPoint(lat, lon float64) (x, y float64, ok bool) {
	if len(t.outlines) == 0 {
		return 0, 0, false
	}
	x, y = t.proj.point(lon, lat)
	if !(x >= 0 && x <= t.mapW && y >= 0 && y <= t.mapH) {
		return 0, 0, false
	}
	return x, y, true
}

// bucket returns the shade of a count n when the largest is maxN: 0 for none,
// 1 to 5 on a logarithmic scale.
func bucket(n, maxN int) int {
	switch {
	case n <= 0:
		return 0
	case n >= maxN:
		return 5
	}
	return 1 + int(4*math.Log(float64(n))/math.Log(float64(maxN)))
}
