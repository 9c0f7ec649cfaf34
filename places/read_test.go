package places_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"asamblea/places"
)

// Another country loads the same way: Bolivia's departments, provinces and
// municipalities, with codes of its own.
const bolivia = `# A few places of Bolivia, for the test.
name,code,level,parent,lat,lon,region,extra
La Paz,BO-L,department,,-16.5,-68.15,Altiplano,x
Omasuyos,BO-L-02,province,BO-L,-16.0,-68.7,Altiplano,
Achacachi,BO-L-0201,district,BO-L-02,-16.05,-68.68,Altiplano,
Murillo,BO-L-01,province,BO-L,,,,
El Alto,BO-L-0105,district,BO-L-01,-16.5,-68.19,,
Potosí,BO-P,department,,,,Sur,
`

func TestReadOtherCountry(t *testing.T) {
	tab, err := places.Read(strings.NewReader(bolivia), nil)
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 6 || tab.Count(places.Department) != 2 || tab.Count(places.District) != 2 {
		t.Errorf("Len %d, departments %d, districts %d", tab.Len(), tab.Count(places.Department), tab.Count(places.District))
	}
	got, ok := tab.Lookup("BO-L-0105")
	want := places.Place{Code: "BO-L-0105", Level: places.District, Name: "El Alto", Province: "Murillo",
		Department: "La Paz", DepartmentCode: "BO-L", ProvinceCode: "BO-L-01", Lat: -16.5, Lon: -68.19}
	if !ok || got != want {
		t.Errorf("Lookup(BO-L-0105) = %+v, %v; want %+v", got, ok, want)
	}
	if l := got.Label(); l != "El Alto — Murillo, La Paz" {
		t.Errorf("Label() = %q", l)
	}
	if c := codes(tab.Children("BO-L")); strings.Join(c, " ") != "BO-L-01 BO-L-02" {
		t.Errorf("Children(BO-L) = %v", c)
	}
	if c := codes(tab.Search("potosi", 5)); strings.Join(c, " ") != "BO-P" {
		t.Errorf("Search(potosi) = %v", c)
	}
	if c := codes(tab.Search("alto la paz", 5)); strings.Join(c, " ") != "BO-L-0105" {
		t.Errorf("Search(alto la paz) = %v", c)
	}
	if s := tab.DepartmentMapSVG(nil, nil); s != "" {
		t.Errorf("map without outlines: %q", s)
	}
	if _, _, ok := tab.MapPoint(-16.5, -68.15); ok {
		t.Error("MapPoint without outlines")
	}
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{places.PlacesFile: {Data: []byte(bolivia)}}
	tab, err := places.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if !tab.Valid("BO-L-0201") {
		t.Error("BO-L-0201 not loaded")
	}
	if _, err := places.Load(fstest.MapFS{}); err == nil {
		t.Error("Load of an empty FS succeeded")
	}
	fsys[places.OutlinesFile] = &fstest.MapFile{Data: []byte(`{"type":"FeatureCollection","features":[
		{"type":"Feature","properties":{"name":"LA PAZ"},"geometry":{"type":"Polygon","coordinates":[[[-69,-17],[-67.5,-17],[-67.5,-15],[-69,-15],[-69,-17]]]}},
		{"type":"Feature","properties":{"id":"BO-P"},"geometry":{"type":"MultiPolygon","coordinates":[[[[-68,-22],[-65,-22],[-65,-19],[-68,-19],[-68,-22]]]]}}]}`)}
	tab, err = places.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	svg := tab.DepartmentMapSVG(map[string]int{"BO-L": 3}, nil)
	if strings.Count(svg, "<path") != 2 || !strings.Contains(svg, "<title>La Paz: 3</title>") {
		t.Errorf("map: %s", svg)
	}
}

func TestReadErrors(t *testing.T) {
	const head = "code,level,name,parent,lat,lon\n"
	tests := map[string]string{
		"empty":                 "",
		"header only":           head,
		"no code column":        "level,name\ndepartment,X\n",
		"no level column":       "code,name\nA,X\n",
		"no name column":        "code,level\nA,department\n",
		"empty code":            head + ",department,X,,,\n",
		"code with a space":     head + "A B,department,X,,,\n",
		"duplicate code":        head + "A,department,X,,,\nA,department,Y,,,\n",
		"unknown level":         head + "A,county,X,,,\n",
		"no name":               head + "A,department,,,,\n",
		"department parent":     head + "A,department,X,B,,\nB,department,Y,,,\n",
		"province no parent":    head + "A,province,X,,,\n",
		"unknown parent":        head + "A,department,X,,,\nB,province,Y,C,,\n",
		"parent of wrong level": head + "A,department,X,,,\nB,district,Y,A,,\n",
		"bad latitude":          head + "A,department,X,,91,0\n",
		"bad longitude":         head + "A,department,X,,0,east\n",
		"bad quoting":           head + "A,department,\"X,,,\n",
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := places.Read(strings.NewReader(data), nil); err == nil {
				t.Errorf("Read accepted %q", data)
			}
		})
	}

	outlines := map[string]string{
		"not JSON":              `{`,
		"not a collection":      `{"type":"Feature"}`,
		"no features":           `{"type":"FeatureCollection","features":[]}`,
		"unknown department":    `{"type":"FeatureCollection","features":[{"properties":{"name":"Atlantis"},"geometry":{"type":"Polygon","coordinates":[]}}]}`,
		"a point":               `{"type":"FeatureCollection","features":[{"properties":{"name":"Potosí"},"geometry":{"type":"Point","coordinates":[1,2]}}]}`,
		"bad position":          `{"type":"FeatureCollection","features":[{"properties":{"name":"Potosí"},"geometry":{"type":"Polygon","coordinates":[[[1],[2,3],[4,5],[1]]]}}]}`,
		"latitude out of range": `{"type":"FeatureCollection","features":[{"properties":{"name":"Potosí"},"geometry":{"type":"Polygon","coordinates":[[[1,95],[2,3],[4,5],[1,95]]]}}]}`,
		"too deep":              `{"type":"FeatureCollection","features":[{"properties":{"name":"Potosí"},"geometry":{"type":"Polygon","coordinates":[[[[1,2]]]]}}]}`,
		"number as ring":        `{"type":"FeatureCollection","features":[{"properties":{"name":"Potosí"},"geometry":{"type":"Polygon","coordinates":[1,2]}}]}`,
		"string coordinate":     `{"type":"FeatureCollection","features":[{"properties":{"name":"Potosí"},"geometry":{"type":"Polygon","coordinates":[[["a",2]]]}}]}`,
	}
	for name, data := range outlines {
		t.Run("outlines/"+name, func(t *testing.T) {
			if _, err := places.Read(strings.NewReader(bolivia), strings.NewReader(data)); err == nil {
				t.Errorf("Read accepted outlines %s", data)
			}
		})
	}
}
