package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/server"
	"asamblea/store"
)

// TestSignupByInvitation: with --signup invite, only whoever holds a
// body's invitation code creates an account (the first account excepted);
// bad input gets a clear answer and keeps what was typed.
func TestSignupByInvitation(t *testing.T) {
	db, err := store.Open(filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Migrate(context.Background())
	cfg := server.DefaultConfig()
	cfg.Hasher = accounts.Hasher{Time: 1, MemoryKiB: 64, Threads: 1}
	cfg.Signup = "invite"
	app, err := server.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	e := &env{t: t, db: db, srv: srv, app: app}

	// The founder signs up without a code: there is nothing to invite from.
	founder := e.client()
	founder.signup("Rosa")
	u, err := db.Authenticate(context.Background(), "Rosa", "contraseña de Rosa 2023")
	if err != nil {
		t.Fatal(err)
	}
	b, err := db.CreateCommittee(context.Background(), u.ID, bodies.Input{Name: "Comité de Ilave", Sector: "workers", Place: "210101", Public: true}, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	inv, err := db.CreateInvitation(context.Background(), u.ID, b.ID, bodies.InvitationInput{MaxUses: 30, Days: 1})
	if err != nil {
		t.Fatal(err)
	}

	c := e.client()
	if p := c.get("/signup"); !strings.Contains(p.body, `name="code"`) || !strings.Contains(p.body, "Código de invitación") {
		t.Fatal("the sign-up page does not ask for the invitation code")
	}
	if p := c.get("/signup?next=/join/" + url.PathEscape(inv.Code)); !strings.Contains(p.body, `value="`+inv.Code+`"`) {
		t.Fatal("coming from an invitation, the code is not filled in")
	}
	form := url.Values{"name": {"Juan"}, "password": {"contraseña de Juan 2023"}, "password2": {"contraseña de Juan 2023"}}
	res := c.post("/signup", "/signup", form)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "solo se crean cuentas con una invitación") || !strings.Contains(res.body, `value="Juan"`) {
		t.Fatalf("sign-up without a code: %d\n%s", res.status, res.body)
	}
	form.Set("code", "NOEXISTE-1234")
	if res := c.post("/signup", "/signup", form); res.status == http.StatusSeeOther {
		t.Fatal("a made-up code opened an account")
	}
	if res := c.api("POST", "/accounts", map[string]string{"name": "Pedro", "password": "contraseña de Pedro 2023"}); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "account.signup.invite_needed") {
		t.Fatalf("API sign-up without a code: %d %s", res.status, res.body)
	}
	form.Set("code", inv.Code)
	if res := c.post("/signup", "/signup", form); res.status != http.StatusSeeOther {
		t.Fatalf("sign-up with the committee's code: %d\n%s", res.status, res.body)
	}
	if res := e.client().api("POST", "/accounts", map[string]string{"name": "Pedro", "password": "contraseña de Pedro 2023", "code": inv.Code}); res.status != http.StatusCreated {
		t.Fatalf("API sign-up with the code: %d %s", res.status, res.body)
	}
}

// TestSignupRate: a plaza meeting signs thirty people up at once from one
// laptop; a script making accounts by the hundred is held back.
func TestSignupRate(t *testing.T) {
	e := newEnv(t)
	laptop := e.client()
	for i := 0; i < 40; i++ {
		res := laptop.api("POST", "/accounts", map[string]string{"name": "Persona " + string(rune('A'+i%26)) + string(rune('a'+i/26)), "password": "una contraseña larga de la plaza"})
		if res.status != http.StatusCreated {
			t.Fatalf("sign-up %d at the plaza: %d %s", i, res.status, res.body)
		}
	}
	res := laptop.api("POST", "/accounts", map[string]string{"name": "Una más", "password": "una contraseña larga de la plaza"})
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "account.signup.busy") {
		t.Fatalf("the 41st sign-up at once: %d %s", res.status, res.body)
	}
}
