package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestPrivateBodyIsNotFound: to everyone outside it — anonymous visitors and
// signed-in people of other bodies alike — a private body answers exactly
// as an id never issued does, and its name appears nowhere.
func TestPrivateBodyIsNotFound(t *testing.T) {
	e := newEnv(t)
	owner := e.client()
	owner.signup("Kuntur 47")
	owner.apiLogin("Kuntur 47")
	const name = "Comité de autodefensa de Ilave"
	res := owner.api("POST", "/bodies", map[string]any{"name": name, "sector": "indigenous", "place": "210501", "public": false})
	if res.status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	var b struct {
		ID int64 `json:"id"`
	}
	json.Unmarshal([]byte(res.body), &b)
	if got := owner.get("/bodies/" + itoa(b.ID)); got.status != 200 || !strings.Contains(got.body, name) {
		t.Fatalf("its member cannot see it: %d", got.status)
	}

	outsider := e.client()
	outsider.signup("Qantu 12")
	anonymous := e.client()
	for who, c := range map[string]*client{"anonymous": anonymous, "outsider": outsider} {
		for _, path := range []string{"/bodies/", "/api/v1/bodies/"} {
			got := c.get(path + itoa(b.ID))
			never := c.get(path + "987654")
			if got.status != http.StatusNotFound || got.status != never.status {
				t.Errorf("%s %s: %d, an id never issued: %d", who, path, got.status, never.status)
			}
			if strings.Contains(got.body, name) || strings.Contains(got.body, "Ilave") {
				t.Errorf("%s %s: the name leaks:\n%.300s", who, path, got.body)
			}
			if strings.ReplaceAll(got.body, itoa(b.ID), "987654") != never.body && path == "/api/v1/bodies/" {
				t.Errorf("%s: the answer differs from an unknown id's:\n%s\n%s", who, got.body, never.body)
			}
		}
		for _, path := range []string{"/bodies", "/api/v1/bodies", "/"} {
			if strings.Contains(c.get(path).body, "Ilave") {
				t.Errorf("%s %s lists the private body", who, path)
			}
		}
	}
}
