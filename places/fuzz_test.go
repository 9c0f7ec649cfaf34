package places

import (
	"io"
	"strings"
	"testing"
)

// FuzzRead: a place table and department outlines of any content are
// refused or give a table whose every place is found by its code, valid,
// and within its own department.
func FuzzRead(f *testing.F) {
	f.Add("code,level,name,parent,lat,lon,region\nBO-L,department,La Paz,,-16.5,-68.15,Altiplano\nBO-L-01,province,Murillo,BO-L,,,\nBO-L-0105,district,El Alto,BO-L-01,-16.5,-68.19,\n",
		`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"NOMBDEP":"LA PAZ"},"geometry":{"type":"Polygon","coordinates":[[[-68,-16],[-69,-16],[-69,-17],[-68,-16]]]}}]}`)
	f.Add("# comment\nname,code,level,parent\nX,1,department,\nY,2,province,9\n", "")
	f.Add("code,level,name,parent\n1,district,A,1\n", `{"features":[{"geometry":{"type":"MultiPolygon","coordinates":[[[[1,2]]]]}}]}`)
	f.Add("code,level,name,parent,lat,lon\n1,department,A,,NaN,Inf\n1,department,B,,1e400,-0\n", `null`)
	f.Add("\"a\nb\",c\n", "{")
	f.Fuzz(func(t *testing.T, table, outlines string) {
		var ol io.Reader // none when empty, as Load without an outlines file
		if outlines != "" {
			ol = strings.NewReader(outlines)
		}
		tab, err := Read(strings.NewReader(table), ol)
		if err != nil {
			return
		}
		for _, p := range tab.All() {
			got, ok := tab.Lookup(p.Code)
			if !ok || got.Code != p.Code || !tab.Valid(p.Code) {
				t.Fatalf("place %q not found by its code", p.Code)
			}
			if p.DepartmentCode != "" && !tab.Within(p.Code, p.DepartmentCode) {
				t.Fatalf("place %q not within its department %q", p.Code, p.DepartmentCode)
			}
			tab.Children(p.Code)
			if p.Label() == "" {
				t.Fatalf("place %q has no label", p.Code)
			}
		}
		tab.Departments()
		tab.Search("a", 5)
	})
}

// FuzzParseLevel: a level is refused or names itself.
func FuzzParseLevel(f *testing.F) {
	for _, s := range []string{"department", "province", "district", "", "Department", "país"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLevel(s)
		if err != nil {
			return
		}
		if again, err := ParseLevel(l.String()); err != nil || again != l {
			t.Fatalf("ParseLevel(%q) = %v; its name %q reads as %v, %v", s, l, l.String(), again, err)
		}
	})
}
