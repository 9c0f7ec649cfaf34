// Package places is the table of places that every body, action and incident
// in asamblea is attached to: for Peru, the INEI UBIGEO codes of its 25
// departments (DD0000), 196 provinces (DDPP00) and 1,893 districts (DDPPDD),
// with names, coordinates, macro-regions and the outlines of the departments.
//
// The package is pure: it reads only the data embedded in it, or the fs.FS or
// io.Reader a caller gives it. Peru returns the embedded table of Peru; Load
// and Read load any other country's table from files in the same format.
//
// # The place table (places.csv)
//
// A CSV file in UTF-8 with a header row. Lines that start with '#' are
// comments. Columns are found by their name in the header, in any order;
// unknown columns are ignored.
//
//	code    required  the place's unique code, e.g. "211101"
//	level   required  "department", "province" or "district"
//	name    required  the name as people write it, e.g. "San Román"
//	parent  required for provinces and districts: the code of the
//	                  department (of a province) or the province (of a district)
//	lat     optional  latitude in decimal degrees (WGS 84)
//	lon     optional  longitude in decimal degrees (WGS 84)
//	region  optional  the macro-region, e.g. "Sur"
//
// For example:
//
//	code,level,name,parent,lat,lon,region
//	210000,department,Puno,,-15.84028,-70.02806,Sur
//	211100,province,San Román,210000,-15.48389,-70.13333,Sur
//	211101,district,Juliaca,211100,-15.48389,-70.13333,Sur
//
// Codes are compared as strings and listed in string order, so they should
// have a fixed width.
//
// # Department outlines (departments.geojson)
//
// Optional. A GeoJSON FeatureCollection in longitude/latitude (WGS 84) with a
// Polygon or MultiPolygon feature per department. A feature belongs to the
// department whose code, or whose name compared without case or accents,
// equals one of its string properties (for Peru, NOMBDEP holds "APURIMAC" for
// "Apurímac"). The outlines are projected and simplified when the table is
// loaded and drawn by DepartmentMap.
package places

import (
	"fmt"
	"strings"
)

// Level is the administrative level of a place.
type Level int

// The levels, from the largest.
const (
	Department Level = iota + 1
	Province
	District
)

var levelNames = [...]string{Department: "department", Province: "province", District: "district"}

// String returns "department", "province" or "district" (an identifier, not
// text for people: those go through the message catalog).
func (l Level) String() string {
	if l >= Department && l <= District {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel parses the names String returns.
func ParseLevel(s string) (Level, error) {
	for l := Department; l <= District; l++ {
		if s == levelNames[l] {
			return l, nil
		}
	}
	return 0, fmt.Errorf("places: unknown level %q", s)
}

// MarshalText encodes the level as its name, so JSON shows "district".
func (l Level) MarshalText() ([]byte, error) {
	if l < Department || l > District {
		return nil, fmt.Errorf("places: invalid level %d", int(l))
	}
	return []byte(levelNames[l]), nil
}

// UnmarshalText decodes a level name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Place is a department, a province or a district.
//
// A place names the department and province it lies in; a department is its
// own Department and a province its own Province, so that
// p.DepartmentCode == d.Code tells whether p lies in department d at any level.
type Place struct {
	Code           string  `json:"code"`
	Level          Level   `json:"level"`
	Name           string  `json:"name"`
	Province       string  `json:"province,omitempty"`
	Department     string  `json:"department"`
	DepartmentCode string  `json:"department_code"`
	ProvinceCode   string  `json:"province_code,omitempty"`
	Lat            float64 `json:"lat"`
	Lon            float64 `json:"lon"`
	MacroRegion    string  `json:"macro_region,omitempty"`
}

// Label returns the name with what it lies in, for lists where names repeat:
// "Juliaca — San Román, Puno" for a district, "San Román — Puno" for a
// province, "Puno" for a department.
func (p Place) Label() string {
	switch p.Level {
	case District:
		return p.Name + " — " + p.Province + ", " + p.Department
	case Province:
		return p.Name + " — " + p.Department
	}
	return p.Name
}

// Parent returns the code of the place p lies directly in, or "" for a
// department.
func (p Place) Parent() string {
	switch p.Level {
	case District:
		return p.ProvinceCode
	case Province:
		return p.DepartmentCode
	}
	return ""
}

// Table is a country's places. It is immutable and safe for concurrent use.
type Table struct {
	places   []Place          // by code
	index    map[string]int32 // code → position in places
	children [][]int32        // position → positions of its children, by code
	depts    []int32          // positions of the departments, by code
	counts   [District + 1]int

	// search
	keys  []searchKey // by position in places
	order []int32     // positions by level, folded name, code
	names blob        // the folded names in that order
	fulls blob        // the folded labels in that order

	// map
	outlines []outline // by department code
	proj     projection
	mapW     float64
	mapH     float64
}

// Len returns the number of places.
func (t *Table) Len() int { return len(t.places) }

// Count returns the number of places of a level.
func (t *Table) Count(l Level) int {
	if l < Department || l > District {
		return 0
	}
	return t.counts[l]
}

// Lookup returns the place with code.
func (t *Table) Lookup(code string) (Place, bool) {
	i, ok := t.index[code]
	if !ok {
		return Place{}, false
	}
	return t.places[i], true
}

// Valid reports whether code is the code of a place.
func (t *Table) Valid(code string) bool {
	_, ok := t.index[code]
	return ok
}

// Departments returns the departments, by code.
func (t *Table) Departments() []Place {
	return t.collect(t.depts)
}

// Children returns the places that lie directly in the place with code, by
// code: the provinces of a department, the districts of a province. It
// returns the departments for "" and nothing for a district or an unknown
// code.
func (t *Table) Children(code string) []Place {
	if code == "" {
		return t.Departments()
	}
	i, ok := t.index[code]
	if !ok {
		return nil
	}
	return t.collect(t.children[i])
}

// All returns every place, by code.
func (t *Table) All() []Place {
	out := make([]Place, len(t.places))
	copy(out, t.places)
	return out
}

func (t *Table) collect(idx []int32) []Place {
	if len(idx) == 0 {
		return nil
	}
	out := make([]Place, len(idx))
	for k, i := range idx {
		out[k] = t.places[i]
	}
	return out
}

// Within reports whether the place with code lies in (or is) the place with
// area, e.g. Within("211101", "210000") for Juliaca in Puno.
func (t *Table) Within(code, area string) bool {
	p, ok := t.Lookup(code)
	if !ok || !t.Valid(area) {
		return false
	}
	return p.Code == area || p.DepartmentCode == area || p.ProvinceCode == area
}

// DepartmentOf returns the department of a UBIGEO place code (its first
// two digits), or "" when the code has none. It needs no table: a code
// names its department.
func DepartmentOf(code string) string {
	if len(code) < 2 {
		return ""
	}
	return code[:2]
}

// validCode reports whether s can be a code: printable, no spaces or commas.
func validCode(s string) bool {
	return s != "" && len(s) <= 32 && !strings.ContainsFunc(s, func(r rune) bool {
		return r <= ' ' || r == ',' || r == 0x7f || r == '"'
	})
}
