package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"asamblea/bodies"
)

// TestFederationPages: two committees found a provincial assembly through
// the form, a third asks to join it through the search page, the assembly's
// facilitator accepts, and the federation page shows the tree and the map.
func TestFederationPages(t *testing.T) {
	e := newEnv(t)
	rosa := e.client()
	rosa.signup("Rosa")
	for _, place := range []string{"211101", "210101"} {
		rosa.post("/bodies/new", "/bodies", url.Values{"name": {"Comité " + place}, "sector": {"campesinos"}, "place_q": {place}, "public": {"on"}})
	}
	form := url.Values{"founders": {"1", "2"}, "name": {"Asamblea Provincial de Puno"}, "level": {"provincial"}, "sector": {"other"},
		"place_q": {"210100"}, "seat_mode": {"proportional"}, "seat_per": {"1"}, "seat_min": {"1"}, "seat_max": {"3"}, "public": {"on"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("seat_per", "0")
	if res := rosa.post("/assemblies/new?from=1", "/assemblies", bad); res.status != 422 || !strings.Contains(res.body, "Debe ser un número entre 1 y") {
		t.Fatalf("bad seat rule: %d", res.status)
	}
	res := rosa.post("/assemblies/new?from=1", "/assemblies", form)
	if res.status != http.StatusSeeOther {
		t.Fatalf("found assembly: %d\n%s", res.status, res.body)
	}
	page := rosa.get(res.header.Get("Location"))
	for _, want := range []string{"Asamblea Provincial de Puno", "Asamblea fundada", "Comité 211101", "un delegado por cada 1 miembros"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("assembly page lacks %q", want)
		}
	}
	asmPath := strings.SplitN(res.header.Get("Location"), "?", 2)[0]

	ana := e.client()
	ana.signup("Ana")
	ana.post("/bodies/new", "/bodies", url.Values{"name": {"Comité de Ilave"}, "sector": {"indigenous"}, "place_q": {"210501"}, "public": {"on"}})
	search := ana.get("/bodies/4/affiliate?q=provincial")
	if !strings.Contains(search.body, "Asamblea Provincial de Puno") {
		t.Fatalf("affiliate search:\n%s", search.body)
	}
	if res := ana.post("/bodies/4/affiliate?q=provincial", "/bodies/4/affiliations", url.Values{"assembly": {"3"}, "message": {"Somos aymaras de El Collao"}}); res.status != http.StatusSeeOther {
		t.Fatalf("request: %d %s", res.status, res.body)
	}
	// A body cannot affiliate a committee, and the assembly cannot join
	// one of its own bodies' assemblies below it.
	if res := ana.post("/bodies/4", "/bodies/4/affiliations", url.Values{"assembly": {"1"}}); res.status != 422 {
		t.Fatalf("affiliate to a committee: %d", res.status)
	}
	page = rosa.get(asmPath)
	m := regexp.MustCompile(`action="(/bodies/3/affiliations/\d+/decide)"`).FindStringSubmatch(page.body)
	if m == nil || !strings.Contains(page.body, "Somos aymaras de El Collao") {
		t.Fatalf("pending request not shown to the facilitator")
	}
	if res := ana.post("/bodies/4", m[1], url.Values{"decision": {"accept"}}); res.status != http.StatusForbidden {
		t.Fatalf("the requester accepts her own request: %d", res.status)
	}
	if res := rosa.post(asmPath, m[1], url.Values{"decision": {"accept"}}); res.status != http.StatusSeeOther {
		t.Fatalf("accept: %d %s", res.status, res.body)
	}
	fed := e.client().get("/bodies/3/federation")
	if fed.status != 200 || strings.Count(fed.body, "<path ") != 25 || !strings.Contains(fed.body, "Puno: 3 comités") || !strings.Contains(fed.body, "Comité de Ilave") {
		t.Fatalf("federation page: %d\n%.3000s", fed.status, fed.body)
	}
	up := e.client().get("/bodies/4/federation")
	if !strings.Contains(up.body, "Asamblea Provincial de Puno") {
		t.Fatalf("chain up from Ilave:\n%s", up.body)
	}

	// The same over the API.
	ana.apiLogin("Ana")
	res = ana.api("GET", "/bodies/3/federation", nil)
	var f struct {
		Committees  int            `json:"committees"`
		Departments map[string]int `json:"departments"`
	}
	json.Unmarshal([]byte(res.body), &f)
	if res.status != 200 || f.Committees != 3 || f.Departments["210000"] != 3 {
		t.Fatalf("API federation: %d %s", res.status, res.body)
	}
	res = ana.api("POST", "/assemblies", map[string]any{"name": "Asamblea Regional", "sector": "other", "place": "210000", "level": "regional",
		"seat_rule": map[string]any{"mode": "fixed", "fixed": 2}, "founders": []int{4}, "public": true})
	var reg bodies.Body
	json.Unmarshal([]byte(res.body), &reg)
	if res.status != 201 || reg.Represented != 1 {
		t.Fatalf("API assembly: %d %s", res.status, res.body)
	}
	// The provincial assembly joins the regional one; the regional one then
	// cannot join the provincial one below it.
	rosa.apiLogin("Rosa")
	res = rosa.api("POST", "/bodies/3/affiliations", map[string]any{"assembly": reg.ID})
	var aff struct{ ID int64 }
	json.Unmarshal([]byte(res.body), &aff)
	if res.status != 201 {
		t.Fatalf("provincial asks to join the regional: %d %s", res.status, res.body)
	}
	if res := ana.api("POST", "/bodies/"+itoa(reg.ID)+"/affiliations/"+itoa(aff.ID)+"/decision", map[string]any{"accept": true}); res.status != 204 {
		t.Fatalf("accept: %d %s", res.status, res.body)
	}
	res = ana.api("POST", "/bodies/"+itoa(reg.ID)+"/affiliations", map[string]any{"assembly": 3})
	if res.status != 409 || !strings.Contains(res.body, "círculo") {
		t.Fatalf("a cycle through the API: %d %s", res.status, res.body)
	}
}
