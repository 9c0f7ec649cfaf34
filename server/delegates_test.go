package server_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestDelegatesPages: a committee of four elects two delegates and an
// alternate to its regional assembly through the pages, recalls one, and
// the alternate takes the seat.
func TestDelegatesPages(t *testing.T) {
	e := newEnv(t)
	names := []string{"Rosa", "Juan", "Carmen", "Edwin"}
	cs := make([]*client, len(names))
	for i, n := range names {
		cs[i] = e.client()
		cs[i].signup(n)
	}
	rosa := cs[0]
	rosa.post("/bodies/new", "/bodies", url.Values{"name": {"Comité de Lucha de Juliaca"}, "sector": {"workers"}, "place_q": {"211101"}, "public": {"on"}})
	res := rosa.post("/bodies/1/invitations", "/bodies/1/invitations", url.Values{"max_uses": {"3"}, "days": {"1"}})
	code := regexp.MustCompile(`id="invite-code">([A-Z0-9-]+)<`).FindStringSubmatch(res.body)[1]
	for _, c := range cs[1:] {
		c.post("/join", "/join", url.Values{"code": {code}})
	}
	rosa.post("/assemblies/new?from=1", "/assemblies", url.Values{"founders": {"1"}, "name": {"Asamblea Regional de Puno"}, "level": {"regional"}, "sector": {"other"},
		"place_q": {"210000"}, "seat_mode": {"fixed"}, "seat_fixed": {"2"}, "public": {"on"}})

	res = rosa.post("/bodies/1/delegates", "/bodies/1/elections", url.Values{"assembly": {"2"}, "alternates": {"1"}, "hours": {"48"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("open election: %d %s", res.status, res.body)
	}
	election := strings.SplitN(res.header.Get("Location"), "?", 2)[0]
	for _, c := range cs[1:] {
		if res := c.post(election, election+"/stand", url.Values{"statement": {"Por la constituyente"}}); res.status != http.StatusSeeOther {
			t.Fatalf("stand: %d %s", res.status, res.body)
		}
	}
	page := rosa.get(election)
	opts := regexp.MustCompile(`<option value="(\d+)">(\w+)</option>`).FindAllStringSubmatch(page.body, -1)
	ids := map[string]string{}
	for _, o := range opts {
		ids[o[2]] = o[1]
	}
	// Juan first for three, Carmen first for one; everyone's second is Carmen or Juan.
	ballots := [][]string{{"Juan", "Carmen"}, {"Juan", "Edwin"}, {"Carmen", "Juan"}, {"Juan", "Carmen", "Edwin"}}
	for i, c := range cs {
		form := url.Values{}
		for j, n := range ballots[i] {
			form.Set("pref"+string(rune('1'+j)), ids[n])
		}
		if i == 0 {
			bad := url.Values{"pref1": {ids["Juan"]}, "pref2": {ids["Juan"]}}
			if res := c.post(election, election+"/ballot", bad); res.status != 422 || !strings.Contains(res.body, "aparece dos veces") {
				t.Fatalf("a ranking with Juan twice: %d", res.status)
			}
		}
		if res := c.post(election, election+"/ballot", form); res.status != http.StatusSeeOther {
			t.Fatalf("ballot %d: %d %s", i, res.status, res.body)
		}
	}
	page = rosa.get(election)
	if !strings.Contains(page.body, "Elegidos") || !strings.Contains(page.body, "Ronda 1") || !strings.Contains(page.body, "Suplentes, en orden: Edwin") {
		t.Fatalf("result page:\n%s", page.body)
	}
	// The base sees who represents it; a stranger sees only the seats.
	if p := cs[3].get("/bodies/1/federation"); !regexp.MustCompile(`2 delegados: (Juan, Carmen|Carmen, Juan)`).MatchString(p.body) {
		t.Fatalf("federation page of the base:\n%s", p.body)
	}
	if p := e.client().get("/bodies/1/federation"); strings.Contains(p.body, "Juan") || !strings.Contains(p.body, "2 delegados") {
		t.Fatalf("federation page for a stranger names the delegates")
	}
	page = rosa.get("/bodies/1/delegates")
	m := regexp.MustCompile(`<strong>Juan</strong>.*?action="(/delegates/\d+)/recall"`).FindStringSubmatch(strings.ReplaceAll(page.body, "\n", " "))
	if m == nil {
		t.Fatalf("delegates page:\n%s", page.body)
	}
	res = cs[2].post("/bodies/1/delegates", m[1]+"/recall", url.Values{"reason": {"Negoció sin mandato"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("open recall: %d %s", res.status, res.body)
	}
	recall := strings.SplitN(res.header.Get("Location"), "?", 2)[0]
	for i, c := range cs {
		vote := "yes"
		if i == 1 {
			vote = "no"
		}
		if res := c.post(recall, recall+"/vote", url.Values{"vote": {vote}}); res.status != http.StatusSeeOther {
			t.Fatalf("recall vote: %d %s", res.status, res.body)
		}
	}
	if p := cs[1].get(recall); !strings.Contains(p.body, "Revocado") || !strings.Contains(p.body, "Sí: 3 · No: 1") {
		t.Fatalf("recall page for the recalled delegate:\n%s", p.body)
	}
	// Juan is told, in his notices, with the tally.
	if p := cs[1].get("/"); !strings.Contains(p.body, "Avisos (") {
		t.Fatal("no unread notices shown to the recalled delegate")
	}
	if p := cs[1].get("/notices"); !strings.Contains(p.body, "Tu base te revocó de Asamblea Regional de Puno (sí 3, no 1)") {
		t.Fatalf("notices of the recalled delegate:\n%s", p.body)
	}
	if p := cs[1].get("/"); strings.Contains(p.body, "Avisos (") {
		t.Fatal("notices still unread after reading them")
	}
	page = rosa.get("/bodies/1/delegates")
	body := strings.ReplaceAll(page.body, "\n", " ")
	if strings.Contains(body, "<strong>Juan</strong>") || !regexp.MustCompile(`<strong>Edwin</strong> <span class="muted">delegado/a en funciones`).MatchString(body) {
		t.Fatalf("after the recall:\n%s", page.body)
	}
	outsider := e.client()
	outsider.signup("Intrusa")
	if res := outsider.get(recall); res.status != http.StatusForbidden {
		t.Fatalf("an outsider sees the recall: %d", res.status)
	}
	if _, err := e.db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
}
