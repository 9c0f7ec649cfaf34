package places

import (
	"bytes"
	"embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// The files Load reads.
const (
	PlacesFile   = "places.csv"
	OutlinesFile = "departments.geojson"
)

//go:embed data/peru
var peruFS embed.FS

var peru struct {
	once  sync.Once
	table *Table
}

// Peru returns the places of Peru, loaded once from the data embedded in the
// binary (INEI codes of 25 departments, 196 provinces and 1,893 districts, and
// the outlines of the departments).
func Peru() *Table {
	peru.once.Do(func() {
		t, err := Load(PeruData())
		if err != nil {
			panic("places: embedded data of Peru: " + err.Error()) // a build defect, caught by the tests
		}
		peru.table = t
	})
	return peru.table
}

// PeruData returns the embedded files of Peru: places.csv,
// departments.geojson and the licences of both (LICENSE-ubigeo.txt, MIT;
// LICENSE-geojson.txt, MPL-2.0), e.g. to show them on an "about" page.
func PeruData() fs.FS {
	sub, err := fs.Sub(peruFS, "data/peru")
	if err != nil {
		panic(err) // cannot happen: the path is a constant
	}
	return sub
}

// Load reads a table from fsys: PlacesFile, and OutlinesFile if fsys has
// one. The package documentation describes both formats.
func Load(fsys fs.FS) (*Table, error) {
	pf, err := fsys.Open(PlacesFile)
	if err != nil {
		return nil, fmt.Errorf("places: %w", err)
	}
	defer pf.Close()
	var outlines io.Reader
	of, err := fsys.Open(OutlinesFile)
	switch {
	case err == nil:
		defer of.Close()
		outlines = of
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("places: %w", err)
	}
	return Read(pf, outlines)
}

// Read reads a table from a place table in CSV and, unless outlines is nil,
// department outlines in GeoJSON. The package documentation describes both
// formats.
func Read(places, outlines io.Reader) (*Table, error) {
	t, err := readCSV(places)
	if err != nil {
		return nil, err
	}
	t.buildSearch()
	if outlines != nil {
		if err := t.readOutlines(outlines); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// row is a place as read, before its parents are resolved.
type row struct {
	Place
	parent string
	line   int
}

func readCSV(r io.Reader) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("places: %s: %w", PlacesFile, err)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("places: %s header: %w", PlacesFile, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; !dup {
			col[h] = i
		}
	}
	for _, need := range []string{"code", "level", "name"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("places: %s has no %q column", PlacesFile, need)
		}
	}
	field := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	coord := func(rec []string, name string, max float64) (float64, error) {
		s := field(rec, name)
		if s == "" {
			return 0, nil
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.Abs(v) > max {
			return 0, fmt.Errorf("bad %s %q", name, s)
		}
		return v, nil
	}

	lines := bytes.Count(data, []byte{'\n'}) + 1
	rows := make([]row, 0, lines)
	index := make(map[string]int32, lines)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("places: %s: %w", PlacesFile, err)
		}
		line, _ := cr.FieldPos(0)
		bad := func(format string, args ...any) error {
			return fmt.Errorf("places: %s line %d: %s", PlacesFile, line, fmt.Sprintf(format, args...))
		}
		p := row{line: line}
		p.Code = field(rec, "code")
		if !validCode(p.Code) {
			return nil, bad("bad code %q", p.Code)
		}
		if _, dup := index[p.Code]; dup {
			return nil, bad("code %s appears twice", p.Code)
		}
		if p.Level, err = ParseLevel(field(rec, "level")); err != nil {
			return nil, bad("%s: bad level %q", p.Code, field(rec, "level"))
		}
		if p.Name = field(rec, "name"); p.Name == "" {
			return nil, bad("%s has no name", p.Code)
		}
		p.parent = field(rec, "parent")
		if (p.Level == Department) != (p.parent == "") {
			return nil, bad("%s: a department has no parent, a province or district has one", p.Code)
		}
		if p.Lat, err = coord(rec, "lat", 90); err != nil {
			return nil, bad("%s: %v", p.Code, err)
		}
		if p.Lon, err = coord(rec, "lon", 180); err != nil {
			return nil, bad("%s: %v", p.Code, err)
		}
		p.MacroRegion = field(rec, "region")
		index[p.Code] = int32(len(rows))
		rows = append(rows, p)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("places: %s has no places", PlacesFile)
	}
	if len(rows) > math.MaxInt32/2 {
		return nil, fmt.Errorf("places: %s has too many places", PlacesFile)
	}

	byCode := func(a, b row) int { return strings.Compare(a.Code, b.Code) }
	if !slices.IsSortedFunc(rows, byCode) {
		slices.SortFunc(rows, byCode)
	}
	t := &Table{
		places:   make([]Place, len(rows)),
		index:    make(map[string]int32, len(rows)),
		children: make([][]int32, len(rows)),
	}
	for i, r := range rows {
		t.index[r.Code] = int32(i)
	}
	// Resolve parents in level order, so a parent is complete before its children.
	for l := Department; l <= District; l++ {
		for i, r := range rows {
			if r.Level != l {
				continue
			}
			p := r.Place
			switch l {
			case Department:
				p.Department, p.DepartmentCode = p.Name, p.Code
				t.depts = append(t.depts, int32(i))
			default:
				pi, ok := t.index[r.parent]
				if !ok || rows[pi].Level != l-1 {
					return nil, fmt.Errorf("places: %s line %d: %s: the parent of a %s must be a %s, not %q",
						PlacesFile, r.line, r.Code, l, l-1, r.parent)
				}
				parent := t.places[pi]
				p.Department, p.DepartmentCode = parent.Department, parent.DepartmentCode
				if l == Province {
					p.Province, p.ProvinceCode = p.Name, p.Code
				} else {
					p.Province, p.ProvinceCode = parent.Province, parent.ProvinceCode
				}
				t.children[pi] = append(t.children[pi], int32(i))
			}
			t.places[i] = p
			t.counts[l]++
		}
	}
	return t, nil
}
