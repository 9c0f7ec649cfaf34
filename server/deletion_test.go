package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestExportAndDelete: a member downloads what the server holds about
// them, from the page and the API, then deletes the account.
func TestExportAndDelete(t *testing.T) {
	e := newEnv(t)
	web := e.client()
	web.signup("Rosa")
	if p := web.get("/account"); !strings.Contains(p.body, `href="/account/export"`) || !strings.Contains(p.body, `action="/account/delete"`) {
		t.Fatal("the account page offers no export or deletion")
	}
	res := web.get("/account/export")
	var x struct {
		User struct{ Name string } `json:"user"`
	}
	if res.status != http.StatusOK || !strings.Contains(res.header.Get("Content-Disposition"), "attachment") || json.Unmarshal([]byte(res.body), &x) != nil || x.User.Name != "Rosa" {
		t.Fatalf("export from the page: %d %s", res.status, res.body)
	}
	// A wrong password deletes nothing and says so beside the field.
	res = web.post("/account", "/account/delete", url.Values{"delete_password": {"no es la contraseña"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `id="delete-password" name="delete_password" type="password" required autocomplete="current-password" aria-invalid="true"`) {
		t.Fatalf("deletion with a wrong password: %d", res.status)
	}

	api := e.client()
	api.signup("Juan")
	api.apiLogin("Juan")
	if res := api.api("GET", "/me/export", nil); res.status != http.StatusOK || !strings.Contains(res.body, `"name":"Juan"`) {
		t.Fatalf("API export: %d %s", res.status, res.body)
	}
	if res := api.api("DELETE", "/me", map[string]string{"password": "no es"}); res.status != http.StatusUnprocessableEntity {
		t.Fatalf("API deletion, wrong password: %d %s", res.status, res.body)
	}
	res = api.api("DELETE", "/me", map[string]string{"password": "contraseña de Juan 2023"})
	if res.status != http.StatusNoContent || !strings.Contains(res.header.Get("Clear-Site-Data"), "cookies") {
		t.Fatalf("API deletion: %d %s", res.status, res.body)
	}
	if res := e.client().api("POST", "/sessions", map[string]string{"name": "Juan", "password": "contraseña de Juan 2023"}); res.status != http.StatusUnauthorized {
		t.Fatalf("the deleted account signs in: %d", res.status)
	}

	res = web.post("/account", "/account/delete", url.Values{"delete_password": {"contraseña de Rosa 2023"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/?done=deleted" {
		t.Fatalf("deletion from the page: %d", res.status)
	}
	if p := web.get("/account"); p.status == http.StatusOK {
		t.Fatal("the deleted account's page still opens")
	}
}

// TestEraseMyWords: from the account page a member erases their own words
// from the journal; the journal still verifies.
func TestEraseMyWords(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.signup("Rosa")
	res := c.post("/bodies/new", "/bodies", url.Values{"name": {"Comité de Lucha de Ilave"}, "sector": {"workers"}, "place": {"210101"}, "public": {"on"}, "description": {"Hablamos en la plaza de Ilave cada jueves"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create body: %d %s", res.status, res.body)
	}
	page := c.get("/account")
	if !strings.Contains(page.body, `<ul class="words"><li><small>`) || !strings.Contains(page.body, "Comité de Lucha de Ilave") {
		t.Fatalf("the account page does not list the person's words:\n%s", page.body)
	}
	m := regexp.MustCompile(`action="(/account/journal/\d+/erase)"`).FindAllStringSubmatch(page.body, -1)
	for _, x := range m {
		if res := c.post("/account", x[1], url.Values{}); res.status != http.StatusSeeOther {
			t.Fatalf("erase %s: %d %s", x[1], res.status, res.body)
		}
	}
	if page := c.get("/account"); strings.Contains(page.body, `<ul class="words">`) || !strings.Contains(page.body, "No hay palabras tuyas") {
		t.Fatal("the words are still listed after erasing")
	}
	if rep, err := e.db.CheckJournal(nil); err != nil || len(rep.Erased) != len(m) {
		t.Fatalf("verify after erasing: %d erased, %v", len(rep.Erased), err)
	}
}
