package places_test

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"testing"

	"asamblea/places"
)

// svgPath is a <path> of the map as parsed back.
type svgPath struct {
	class, code, d, title string
	href                  string // of the enclosing <a>, if any
}

// parseSVG checks that s is well-formed XML with an <svg> root and returns its paths.
func parseSVG(t *testing.T, s string) (root xml.StartElement, paths []svgPath, circles int) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(s))
	var stack []xml.StartElement
	var cur *svgPath
	href := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("map is not well-formed XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				root = tok.Copy()
			}
			for _, a := range tok.Attr {
				if a.Name.Local == "style" {
					t.Errorf("<%s> has a style attribute", tok.Name.Local)
				}
			}
			stack = append(stack, tok.Copy())
			attr := func(name string) string {
				for _, a := range tok.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			switch tok.Name.Local {
			case "a":
				href = attr("href")
			case "path":
				paths = append(paths, svgPath{class: attr("class"), code: attr("data-code"), d: attr("d"), href: href})
				cur = &paths[len(paths)-1]
			case "circle":
				circles++
			case "script", "style", "foreignObject":
				t.Errorf("map has a <%s>", tok.Name.Local)
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
			switch tok.Name.Local {
			case "a":
				href = ""
			case "path":
				cur = nil
			}
		case xml.CharData:
			if cur != nil && len(stack) > 0 && stack[len(stack)-1].Name.Local == "title" {
				cur.title += string(tok)
			}
		}
	}
	if root.Name.Local != "svg" || root.Name.Space != "http://www.w3.org/2000/svg" {
		t.Errorf("root is %v, want svg", root.Name)
	}
	return root, paths, circles
}

func TestDepartmentMapSVG(t *testing.T) {
	p := places.Peru()
	counts := map[string]int{"210000": 40, "080000": 7, "150000": 1, "999999": 1000}
	svg := p.DepartmentMapSVG(counts, func(code string, n int) string {
		d, _ := p.Lookup(code)
		return fmt.Sprintf("%s <%d> acciones & más", d.Name, n)
	})
	if len(svg) > 30<<10 {
		t.Errorf("map is %d bytes, want under 30 KB", len(svg))
	}
	root, paths, _ := parseSVG(t, svg)
	var viewBox string
	for _, a := range root.Attr {
		if a.Name.Local == "viewBox" {
			viewBox = a.Value
		}
	}
	var w, h float64
	if _, err := fmt.Sscanf(viewBox, "0 0 %g %g", &w, &h); err != nil || w != places.MapWidth || h < 500 || h > 650 {
		t.Errorf("viewBox %q", viewBox)
	}
	if len(paths) != 25 {
		t.Fatalf("map has %d paths, want 25", len(paths))
	}
	seen := map[string]bool{}
	for _, path := range paths {
		d, ok := p.Lookup(path.code)
		if !ok || d.Level != places.Department {
			t.Errorf("path of %q, not a department", path.code)
			continue
		}
		seen[path.code] = true
		if want := fmt.Sprintf("%s <%d> acciones & más", d.Name, counts[path.code]); path.title != want {
			t.Errorf("%s: title %q, want %q", path.code, path.title, want)
		}
		want := map[string]string{"210000": "pm5", "080000": "pm3", "150000": "pm1"}[path.code]
		if want == "" {
			want = "pm0"
		}
		if path.class != want {
			t.Errorf("%s: class %q, want %q", path.code, path.class, want)
		}
		if !strings.HasPrefix(path.d, "M") || !strings.HasSuffix(path.d, "z") || strings.ContainsAny(path.d, "eE,") {
			t.Errorf("%s: odd path %.40q", path.code, path.d)
		}
	}
	if len(seen) != 25 {
		t.Errorf("map draws %d departments, want 25", len(seen))
	}
	// Puno has Lake Titicaca inside: more than one ring.
	for _, path := range paths {
		if path.code == "210000" && strings.Count(path.d, "M") < 2 {
			t.Errorf("Puno has %d rings", strings.Count(path.d, "M"))
		}
	}
}

func TestDepartmentMapOptions(t *testing.T) {
	p := places.Peru()
	svg := p.DepartmentMap(places.MapOptions{
		Title:  `Acciones "en curso"`,
		Counts: map[string]int{"210000": 2},
		Href:   func(code string) string { return "/acciones?lugar=" + code + "&estado=en_curso" },
		Marks: []places.Mark{
			{Lat: -15.48389, Lon: -70.13333, Label: "Paro <Juliaca>"},
			{Lat: 48.85, Lon: 2.35, Label: "Paris: off the map"},
		},
	})
	_, paths, circles := parseSVG(t, svg)
	if len(paths) != 25 || circles != 1 {
		t.Fatalf("%d paths, %d circles; want 25, 1", len(paths), circles)
	}
	for _, path := range paths {
		if path.href != "/acciones?lugar="+path.code+"&estado=en_curso" {
			t.Errorf("%s links to %q", path.code, path.href)
		}
		d, _ := p.Lookup(path.code)
		if n := map[string]int{"210000": 2}[path.code]; path.title != fmt.Sprintf("%s: %d", d.Name, n) {
			t.Errorf("default title %q", path.title)
		}
	}
	if !strings.Contains(svg, "Paro &lt;Juliaca&gt;") || !strings.Contains(svg, "&#34;en curso&#34;") {
		t.Error("texts not escaped")
	}
	// Juliaca lies inside Puno's bounding box on the map.
	x, y, ok := p.MapPoint(-15.48389, -70.13333)
	if !ok || x < 250 || x > places.MapWidth || y < 350 {
		t.Errorf("MapPoint(Juliaca) = %g, %g, %v", x, y, ok)
	}
	if _, _, ok := p.MapPoint(48.85, 2.35); ok {
		t.Error("MapPoint(Paris) is on the map")
	}

	// No counts at all: every department pm0.
	_, paths, _ = parseSVG(t, p.DepartmentMapSVG(nil, nil))
	for _, path := range paths {
		if path.class != "pm0" {
			t.Errorf("%s: class %s with no counts", path.code, path.class)
		}
	}
}

func TestMapBuckets(t *testing.T) {
	p := places.Peru()
	// One department per count, from 1 to 1000.
	deps := p.Departments()
	counts := map[string]int{}
	values := []int{1, 2, 5, 10, 31, 32, 100, 500, 999, 1000}
	for i, n := range values {
		counts[deps[i].Code] = n
	}
	counts[deps[len(values)].Code] = -3
	_, paths, _ := parseSVG(t, p.DepartmentMapSVG(counts, nil))
	last := 0
	for i := range values {
		var class string
		for _, path := range paths {
			if path.code == deps[i].Code {
				class = path.class
			}
		}
		var b int
		fmt.Sscanf(class, "pm%d", &b)
		if b < 1 || b > 5 || b < last {
			t.Errorf("count %d: class %s after pm%d", values[i], class, last)
		}
		last = b
	}
	if last != 5 {
		t.Errorf("largest count: pm%d, want pm5", last)
	}
	for _, path := range paths {
		if path.code == deps[len(values)].Code && path.class != "pm0" {
			t.Errorf("negative count: class %s", path.class)
		}
	}
}

func BenchmarkDepartmentMap(b *testing.B) {
	p := places.Peru()
	counts := map[string]int{"210000": 40, "080000": 7, "150000": 1}
	b.ReportAllocs()
	for b.Loop() {
		_ = p.DepartmentMapSVG(counts, nil)
	}
}
