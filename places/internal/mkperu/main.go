// Command mkperu writes places/data/peru/places.csv, the embedded place table
// of Peru, from the UBIGEO files in shared/data/peru (jmcastagnetto/
// ubigeo-peru-aumentado, MIT licence):
//
//	go run ./places/internal/mkperu -src ../shared/data/peru -out places/data/peru/places.csv
//
// It keeps the INEI code, the name, the parent, the latitude and longitude and
// the INEI macro-region of every department, province and district, in the
// format that places.ReadCSV documents. The source names are in capitals,
// mostly without accents; mkperu writes them in title case with Spanish
// particles in lower case ("Madre de Dios") and restores accents word by word
// from the accented spellings of the capitals in the same files ("Asunción")
// and from a short list of its own ("San Román").
//
// Fixes to the source, each printed when applied:
//   - a district with no INEI code (San Antonio, Mariscal Nieto, Moquegua,
//     RENIEC 170107, created in 2021) gets 180107;
//   - districts with no coordinates (created after the source's survey) get
//     those of their province's capital.
//
// A department's macro-region is the one most of its provinces have.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// accents maps words (lower case, unaccented) to their accented spelling
// where the capitals in the source do not show it.
var accents = map[string]string{
	"roman": "román", "martin": "martín", "junin": "junín", "apurimac": "apurímac",
	"huanuco": "huánuco", "concepcion": "concepción", "asuncion": "asunción",
	"ascension": "ascensión", "jose": "josé", "maria": "maría", "jesus": "jesús",
	"tomas": "tomás", "andres": "andrés", "ramon": "ramón", "fermin": "fermín",
	"sanchez": "sánchez", "rodriguez": "rodríguez", "caceres": "cáceres",
	"huaman": "huamán", "bolivar": "bolívar", "maranon": "marañón", "maranón": "marañón",
	"celendin": "celendín", "jaen": "jaén", "chimu": "chimú", "viru": "virú",
	"contumaza": "contumazá", "julcan": "julcán", "chepen": "chepén",
	"caraveli": "caravelí", "camana": "camaná",
	"huaytara": "huaytará", "peru": "perú", "rio": "río",
	"union": "unión", "convencion": "convención", "mendez": "méndez",
	"fernandez": "fernández", "gonzalez": "gonzález", "perez": "pérez",
	"cristobal": "cristóbal", "sebastian": "sebastián", "julian": "julián",
	"agustin": "agustín", "joaquin": "joaquín", "ines": "inés", "angel": "ángel",
	"angeles": "ángeles", "oyon": "oyón", "huarochiri": "huarochirí",
	"azangaro": "azángaro", "huancane": "huancané", "moron": "morón",
	"morropon": "morropón", "purus": "purús", "canete": "cañete",
	"ferrenafe": "ferreñafe", "tunel": "túnel", "belen": "belén", "simon": "simón",
	"nicolas": "nicolás", "lucia": "lucía",
	"limon": "limón", "leon": "león", "pacaran": "pacarán",
	"matias": "matías", "soplin": "soplín", "carrion": "carrión",
	"albarracin": "albarracín", "yonan": "yonán", "vizcatan": "vizcatán",
	"tallan": "tallán", "sanagoran": "sanagorán", "ripan": "ripán", "madean": "madeán",
	"jircan": "jircán", "jazan": "jazán", "inclan": "inclán", "iguain": "iguaín",
	"huantan": "huantán", "hilarion": "hilarión", "guzman": "guzmán", "gaban": "gabán",
	"dean": "deán", "cholon": "cholón", "cachicadan": "cachicadán",
	"boqueron": "boquerón", "beraun": "beraún", "awajun": "awajún", "galvez": "gálvez",
	"valcarcel": "valcárcel", "sicchez": "sícchez", "marquez": "márquez",
	"lopez": "lópez", "hernandez": "hernández", "chavez": "chávez", "cesar": "césar",
	"elias": "elías", "victor": "víctor", "alomias": "alomías", "heroes": "héroes",
	"ancash": "áncash", "tupac": "túpac",
}

// lower are the words written in lower case inside a name.
var lower = map[string]bool{"de": true, "del": true, "y": true, "e": true}

// afterDe are the articles written in lower case after "de" or "del".
var afterDe = map[string]bool{"la": true, "las": true, "los": true, "el": true, "lo": true}

func main() {
	src := flag.String("src", "../shared/data/peru", "directory of the ubigeo_*.csv files")
	out := flag.String("out", "places/data/peru/places.csv", "file to write")
	flag.Parse()
	if err := run(*src, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mkperu:", err)
		os.Exit(1)
	}
}

type row map[string]string

func readCSV(path string) ([]row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var rows []row
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		m := row{}
		for i, h := range head {
			m[h] = strings.TrimSpace(strings.ReplaceAll(rec[i], "\n", " "))
		}
		rows = append(rows, m)
	}
}

// fold lower-cases s and removes its accents, keeping ñ as n.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

type place struct {
	code, level, name, parent, region string
	lat, lon                          string
}

func run(src, out string) error {
	deps, err := readCSV(filepath.Join(src, "ubigeo_departamento.csv"))
	if err != nil {
		return err
	}
	provs, err := readCSV(filepath.Join(src, "ubigeo_provincia.csv"))
	if err != nil {
		return err
	}
	dists, err := readCSV(filepath.Join(src, "ubigeo_distrito.csv"))
	if err != nil {
		return err
	}

	// Accented spellings from the capitals; the most frequent one wins.
	seen := map[string]map[string]int{}
	for _, rows := range [][]row{deps, provs, dists} {
		for _, r := range rows {
			words := strings.FieldsFunc(r["capital"], func(c rune) bool {
				return !unicode.IsLetter(c)
			})
			for _, w := range words {
				w = strings.ToLower(w)
				k := fold(w)
				if seen[k] == nil {
					seen[k] = map[string]int{}
				}
				seen[k][w]++
			}
		}
	}
	dict := map[string]string{}
	for k, forms := range seen {
		best, n := "", 0
		for w, c := range forms {
			if c > n || (c == n && w > best) {
				best, n = w, c
			}
		}
		if best != k {
			dict[k] = best
		}
	}
	for k, v := range accents {
		dict[fold(k)] = v
	}

	var places []place
	provRegions := map[string]map[string]int{}
	provCoord := map[string][2]string{}
	for _, r := range deps {
		places = append(places, place{code: r["inei"], level: "department", name: display(r["departamento"], dict),
			lat: coord(r["latitude"]), lon: coord(r["longitude"])})
	}
	for _, r := range provs {
		code := r["inei"]
		dep := code[:2] + "0000"
		reg := title(r["macroregion_inei"], nil)
		if provRegions[dep] == nil {
			provRegions[dep] = map[string]int{}
		}
		provRegions[dep][reg]++
		provCoord[code] = [2]string{coord(r["latitude"]), coord(r["longitude"])}
		places = append(places, place{code: code, level: "province", name: display(r["provincia"], dict),
			parent: dep, region: reg, lat: coord(r["latitude"]), lon: coord(r["longitude"])})
	}
	for _, r := range dists {
		code := r["inei"]
		if code == "NA" && r["reniec"] == "170107" && r["distrito"] == "SAN ANTONIO" {
			code = "180107"
			fmt.Fprintf(os.Stderr, "mkperu: %s %s: no INEI code, using %s\n", r["distrito"], r["provincia"], code)
		}
		prov := code[:4] + "00"
		lat, lon := coord(r["latitude"]), coord(r["longitude"])
		if lat == "" || lon == "" {
			lat, lon = provCoord[prov][0], provCoord[prov][1]
			fmt.Fprintf(os.Stderr, "mkperu: %s %s: no coordinates, using the province's\n", code, r["distrito"])
		}
		places = append(places, place{code: code, level: "district", name: display(r["distrito"], dict),
			parent: prov, region: title(r["macroregion_inei"], nil), lat: lat, lon: lon})
	}
	for i, p := range places {
		if p.level != "department" {
			continue
		}
		best, n := "", 0
		for reg, c := range provRegions[p.code] {
			if c > n || (c == n && reg < best) {
				best, n = reg, c
			}
		}
		places[i].region = best
	}
	sort.Slice(places, func(i, j int) bool { return places[i].code < places[j].code })

	f, err := os.Create(out)
	if err != nil {
		return err
	}
	fmt.Fprintln(f, "# Places of Peru: INEI UBIGEO codes of its departments, provinces and districts.")
	fmt.Fprintln(f, "# From jmcastagnetto/ubigeo-peru-aumentado (MIT, see LICENSE-ubigeo.txt), written by places/internal/mkperu.")
	w := csv.NewWriter(f)
	w.Write([]string{"code", "level", "name", "parent", "lat", "lon", "region"})
	for _, p := range places {
		w.Write([]string{p.code, p.level, p.name, p.parent, p.lat, p.lon, p.region})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

// coord rounds a decimal degree to 5 places (about a metre), or returns "" if
// it is missing.
func coord(s string) string {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return ""
	}
	return strconv.FormatFloat(math.Round(v*1e5)/1e5, 'f', -1, 64)
}

// display turns "SAN ROMAN" into "San Román".
func display(s string, dict map[string]string) string {
	return title(s, dict)
}

func title(s string, dict map[string]string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		parts := strings.Split(w, "-")
		for j, p := range parts {
			if v, ok := dict[fold(p)]; ok {
				p = v
			}
			switch {
			case i > 0 && len(parts) == 1 && lower[p]:
			case i > 0 && len(parts) == 1 && afterDe[p] && (words[i-1] == "de" || words[i-1] == "del"):
			default:
				r := []rune(p)
				r[0] = unicode.ToUpper(r[0])
				p = string(r)
			}
			parts[j] = p
		}
		words[i] = strings.Join(parts, "-")
	}
	return strings.Join(words, " ")
}
