package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/server"
	"asamblea/store"
)

// logBuffer collects the server's logs so tests can check what they hold.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

type env struct {
	t   *testing.T
	db  *store.DB
	srv *httptest.Server
	app *server.Server
	log *logBuffer
}

// newEnv runs the real server over a fresh SQLite database.
func newEnv(t *testing.T) *env {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	logs := &logBuffer{}
	cfg := server.DefaultConfig()
	cfg.Hasher = accounts.Hasher{Time: 1, MemoryKiB: 64, Threads: 1}
	app, err := server.New(cfg, db, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, srv: srv, app: app, log: logs}
}

// client is one browser: its own cookies, no redirects followed.
type client struct {
	e    *env
	http *http.Client
	lang string
	csrf string // for the API
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(method, path string, body io.Reader, hdr map[string]string) response {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (c *client) get(path string) response { return c.do("GET", path, nil, nil) }

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits a form the way a browser does after loading page: with the
// CSRF token that page carried.
func (c *client) post(page, path string, form url.Values) response {
	c.e.t.Helper()
	m := csrfField.FindStringSubmatch(c.get(page).body)
	if m == nil {
		c.e.t.Fatalf("no CSRF token on %s", page)
	}
	form.Set("csrf", m[1])
	return c.do("POST", path, strings.NewReader(form.Encode()), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

func (c *client) api(method, path string, v any) response {
	c.e.t.Helper()
	var body io.Reader
	hdr := map[string]string{}
	if v != nil {
		b, _ := json.Marshal(v)
		body = bytes.NewReader(b)
		hdr["Content-Type"] = "application/json"
	}
	if c.csrf != "" {
		hdr["X-CSRF-Token"] = c.csrf
	}
	return c.do(method, "/api/v1"+path, body, hdr)
}

func (c *client) signup(name string) {
	c.e.t.Helper()
	res := c.post("/signup", "/signup", url.Values{"name": {name}, "password": {"contraseña de " + name + " 2023"}, "password2": {"contraseña de " + name + " 2023"}})
	if res.status != http.StatusSeeOther {
		c.e.t.Fatalf("sign-up %s: status %d\n%s", name, res.status, res.body)
	}
}

func (c *client) apiLogin(name string) {
	c.e.t.Helper()
	res := c.api("POST", "/sessions", map[string]string{"name": name, "password": "contraseña de " + name + " 2023"})
	if res.status != 200 {
		c.e.t.Fatalf("api login: %d %s", res.status, res.body)
	}
	var out struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal([]byte(res.body), &out)
	c.csrf = out.CSRF
}

func journalLen(t *testing.T, db *store.DB) int64 {
	t.Helper()
	n, err := db.VerifyJournal()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPersonPath follows the path through the pages: sign up, create
// a committee with a place found by name, invite, two people join, roles.
func TestPersonPath(t *testing.T) {
	e := newEnv(t)
	rosa, juan, ana := e.client(), e.client(), e.client()
	rosa.signup("Rosa")
	home := rosa.get("/")
	if !strings.Contains(home.body, "Hola, Rosa") {
		t.Fatalf("home after sign-up:\n%s", home.body)
	}

	// Several places match "San Juan": the form asks which one.
	res := rosa.post("/bodies/new", "/bodies", url.Values{"name": {"Comité de Lucha de Juliaca"}, "sector": {"workers"}, "place_q": {"San Juan"}, "public": {"on"}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `name="place" value=`) {
		t.Fatalf("ambiguous place: status %d", res.status)
	}
	res = rosa.post("/bodies/new", "/bodies", url.Values{"name": {"Comité de Lucha de Juliaca"}, "sector": {"workers"}, "place_q": {"juliaca"}, "public": {"on"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create committee: %d\n%s", res.status, res.body)
	}
	bodyPath := strings.SplitN(res.header.Get("Location"), "?", 2)[0]
	page := rosa.get(res.header.Get("Location"))
	if !strings.Contains(page.body, "Juliaca — San Román, Puno") || !strings.Contains(page.body, "Comité creado") {
		t.Fatalf("committee page:\n%s", page.body)
	}

	res = rosa.post(bodyPath+"/invitations", bodyPath+"/invitations", url.Values{"max_uses": {"2"}, "days": {"7"}})
	m := regexp.MustCompile(`id="invite-code">([A-Z0-9-]+)<`).FindStringSubmatch(res.body)
	if res.status != http.StatusCreated || m == nil {
		t.Fatalf("invitation: %d\n%s", res.status, res.body)
	}
	code := m[1]

	for _, c := range []*client{juan, ana} {
		c.signup(map[*client]string{juan: "Juan", ana: "Ana"}[c])
		if p := c.get("/join/" + code); !strings.Contains(p.body, "Comité de Lucha de Juliaca") {
			t.Fatalf("join link does not name the committee:\n%s", p.body)
		}
		res := c.post("/join", "/join", url.Values{"code": {strings.ToLower(code)}})
		if res.status != http.StatusSeeOther {
			t.Fatalf("join: %d\n%s", res.status, res.body)
		}
	}
	ids := map[string]string{}
	for _, mm := range regexp.MustCompile(`<tr><td>(\w+)</td><td>[^<]*</td><td><a href="(/bodies/\d+/members/\d+)">`).FindAllStringSubmatch(rosa.get(bodyPath).body, -1) {
		ids[mm[1]] = mm[2]
	}
	if len(ids) != 3 {
		t.Fatalf("member rows = %v", ids)
	}
	if p := rosa.get(ids["Juan"]); !strings.Contains(p.body, "<h1>Juan</h1>") || !strings.Contains(p.body, `name="reason"`) {
		t.Fatalf("member page:\n%s", p.body)
	}
	if p := juan.get(ids["Ana"]); p.status != http.StatusForbidden {
		t.Fatalf("a member manages another: %d", p.status)
	}
	if res := rosa.post(ids["Juan"], ids["Juan"]+"/role", url.Values{"role": {"secretary"}}); res.status != http.StatusSeeOther {
		t.Fatalf("make secretary: %d %s", res.status, res.body)
	}
	if res := rosa.post(ids["Ana"], ids["Ana"]+"/role", url.Values{"role": {"facilitator"}}); res.status != http.StatusSeeOther {
		t.Fatalf("make facilitator: %d", res.status)
	}
	page = juan.get(bodyPath)
	for _, want := range []string{"Tu rol: Secretaría", "2 en facilitación", "1 en secretaría"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("committee page lacks %q", want)
		}
	}
	// A third person cannot use the exhausted invitation.
	carla := e.client()
	carla.signup("Carla")
	res = carla.post("/join", "/join", url.Values{"code": {code}})
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "ya fue usada") {
		t.Fatalf("used invitation: %d", res.status)
	}
	if _, err := e.db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{code, "127.0.0.1", "contraseña"} {
		if strings.Contains(e.log.String(), secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
}

// TestBadInput sends what people get wrong and what attackers try: each
// gets a clear error and a 4xx, and the journal does not move.
func TestBadInput(t *testing.T) {
	e := newEnv(t)
	rosa := e.client()
	rosa.signup("Rosa")
	rosa.post("/bodies/new", "/bodies", url.Values{"name": {"Frente de Defensa de Puno"}, "sector": {"neighbourhood"}, "place_q": {"210101"}, "public": {"on"}})
	rosa.post("/bodies/new", "/bodies", url.Values{"name": {"Comité privado"}, "sector": {"women"}, "place_q": {"210101"}})
	other := e.client()
	other.signup("Intruso")
	other.post("/bodies/new", "/bodies", url.Values{"name": {"Otro comité"}, "sector": {"other"}, "place_q": {"080101"}})
	before := journalLen(t, e.db)

	long := strings.Repeat("x", 121)
	tests := map[string]struct {
		c      *client
		send   func(c *client) response
		status int
		want   string
	}{
		"EmptyName": {rosa, func(c *client) response {
			return c.post("/bodies/new", "/bodies", url.Values{"name": {" "}, "sector": {"workers"}, "place_q": {"210101"}})
		}, 422, "Este campo es obligatorio"},
		"LongName": {rosa, func(c *client) response {
			return c.post("/bodies/new", "/bodies", url.Values{"name": {long}, "sector": {"workers"}, "place_q": {"210101"}})
		}, 422, "como máximo 120"},
		"UnknownPlace": {rosa, func(c *client) response {
			return c.post("/bodies/new", "/bodies", url.Values{"name": {"Comité"}, "sector": {"workers"}, "place": {"999999"}, "place_q": {"zzzzqqq"}})
		}, 422, "No encontramos ese lugar"},
		"UnknownPlaceAPI": {rosa, func(c *client) response {
			c.apiLogin("Rosa")
			return c.api("POST", "/bodies", bodies.Input{Name: "Comité", Sector: "workers", Place: "999999"})
		}, 422, "999999 no existe"},
		"UnknownSector": {rosa, func(c *client) response {
			return c.post("/bodies/new", "/bodies", url.Values{"name": {"Comité"}, "sector": {"bankers"}, "place_q": {"210101"}})
		}, 422, "Ese sector no existe"},
		"MissingCSRF": {rosa, func(c *client) response {
			return c.do("POST", "/bodies", strings.NewReader("name=x&sector=workers&place=210101"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		}, 403, "El formulario caducó"},
		"WrongCSRF": {rosa, func(c *client) response {
			return c.do("POST", "/bodies", strings.NewReader("csrf=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&name=x&sector=workers&place=210101"), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
		}, 403, "El formulario caducó"},
		"APIWithoutCSRFHeader": {rosa, func(c *client) response {
			c.apiLogin("Rosa")
			c.csrf = ""
			return c.api("POST", "/bodies", bodies.Input{Name: "Comité", Sector: "workers", Place: "210101"})
		}, 403, "caducó"},
		"MemberOfAnotherBody": {other, func(c *client) response {
			return c.post("/bodies/3", "/bodies/1/members/1/role", url.Values{"role": {"member"}})
		}, 403, "No tienes permiso"},
		"PrivateBodyIsNotRevealed": {other, func(c *client) response {
			c.apiLogin("Intruso")
			return c.api("GET", "/bodies/2/members", nil)
		}, 404, "no existe o no es visible"},
		"MemberOfAnotherBodyAPI": {other, func(c *client) response {
			c.apiLogin("Intruso")
			return c.api("POST", "/bodies/1/invitations", bodies.InvitationInput{MaxUses: 1, Days: 1})
		}, 403, "No tienes permiso"},
		"TakenPseudonym": {e.client(), func(c *client) response {
			return c.post("/signup", "/signup", url.Values{"name": {"ROSA"}, "password": {"una contraseña bien larga"}, "password2": {"una contraseña bien larga"}})
		}, 422, "ya está en uso"},
		"ShortPasswordEnglish": {&client{e: e, http: e.client().http, lang: "en-GB,en;q=0.9"}, func(c *client) response {
			return c.post("/signup", "/signup", url.Values{"name": {"Nuevo"}, "password": {"corta"}, "password2": {"corta"}})
		}, 422, "at least 12 characters"},
		"ExpiredOrUnknownInvitation": {other, func(c *client) response {
			return c.post("/join", "/join", url.Values{"code": {"ABCD-EFGH-JKMN"}})
		}, 404, "no existe"},
		"MalformedJSON": {rosa, func(c *client) response {
			c.apiLogin("Rosa")
			return c.do("POST", "/api/v1/bodies", strings.NewReader(`{"name": "x",`), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": c.csrf})
		}, 422, "no es JSON válido"},
		"UnknownJSONField": {rosa, func(c *client) response {
			c.apiLogin("Rosa")
			return c.do("POST", "/api/v1/bodies", strings.NewReader(`{"name":"x","admin":true}`), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": c.csrf})
		}, 422, "admin"},
		"NotSignedInAPI": {e.client(), func(c *client) response {
			return c.api("GET", "/me", nil)
		}, 401, "Necesitas entrar"},
		"UnknownAPIRoute": {e.client(), func(c *client) response {
			return c.api("GET", "/nothing", nil)
		}, 404, `"code":"not_found"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			res := tc.send(tc.c)
			if res.status != tc.status || !strings.Contains(res.body, tc.want) {
				t.Fatalf("status %d, want %d with %q; body:\n%.600s", res.status, tc.status, tc.want, res.body)
			}
			if strings.HasPrefix(res.header.Get("Content-Type"), "application/json") && !strings.Contains(res.body, `"error":{"code":`) {
				t.Fatalf("API error not in the error shape: %s", res.body)
			}
		})
	}
	// Sign-ups are changes: only the refused ones are counted here.
	if after := journalLen(t, e.db); after != before {
		t.Fatalf("refused requests wrote %d journal entries", after-before)
	}
}

func TestNotSignedInPagesRedirectToLogin(t *testing.T) {
	e := newEnv(t)
	res := e.client().get("/bodies/new")
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login?next=%2Fbodies%2Fnew" {
		t.Fatalf("status %d location %q", res.status, res.header.Get("Location"))
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t)
	phone := e.client() // Rosa's own phone: she signed up on it
	phone.signup("Rosa")
	c := e.client() // someone else, who knows her pseudonym
	var last response
	for i := 0; i < 6; i++ {
		last = c.api("POST", "/sessions", map[string]string{"name": "Rosa", "password": "no es la contraseña"})
	}
	if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, "segundos") {
		t.Fatalf("sixth failed login: %d %s", last.status, last.body)
	}
	// On a device that never signed in, even the right password waits.
	res := c.api("POST", "/sessions", map[string]string{"name": "Rosa", "password": "contraseña de Rosa 2023"})
	if res.status != http.StatusTooManyRequests {
		t.Fatalf("login during the delay: %d", res.status)
	}
	// The delay is a delay, not a lock: whoever waits it gets a try.
	e.db.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
	defer func() { e.db.Now = time.Now }()
	if res := e.client().api("POST", "/sessions", map[string]string{"name": "Rosa", "password": "contraseña de Rosa 2023"}); res.status != http.StatusOK && res.status != http.StatusCreated {
		t.Fatalf("the right password after the delay: %d %s", res.status, res.body)
	}
	// Rosa's own phone is not held back by a stranger's failures at all:
	// no one can keep her from signing in, during a raid say.
	for i := 0; i < 8; i++ {
		last = c.api("POST", "/sessions", map[string]string{"name": "Rosa", "password": "no es la contraseña"})
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("failures after the delay: %d", last.status)
	}
	res = phone.post("/login", "/login", url.Values{"name": {"Rosa"}, "password": {"contraseña de Rosa 2023"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("Rosa on her own phone while her name is hammered: %d\n%s", res.status, res.body)
	}
}

// Behind a trusted proxy every client comes from the proxy's address: the
// per-client limit counts the address the proxy says it served, so one
// guesser does not lock everyone out.
func TestLoginRateLimitBehindProxy(t *testing.T) {
	e := newEnvTrusting(t)
	e.client().signup("Rosa")
	login := func(from, name, password string) int {
		b, _ := json.Marshal(map[string]string{"name": name, "password": password})
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/sessions", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-Proto", "https")
		req.Header.Set("X-Forwarded-For", "203.0.113.9, "+from)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	// One client sprays 25 accounts: after 20 failures it is held back.
	var last int
	for i := 0; i < 25; i++ {
		last = login("198.51.100.7", fmt.Sprintf("Nadie %d", i), "no es la contraseña")
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("the guesser was not held back: %d", last)
	}
	// Another client behind the same proxy still signs in.
	if got := login("198.51.100.8", "Rosa", "contraseña de Rosa 2023"); got != http.StatusCreated && got != http.StatusOK {
		t.Fatalf("another client behind the proxy: %d", got)
	}
}

func TestSessionsPageAndLogout(t *testing.T) {
	e := newEnv(t)
	phone, laptop := e.client(), e.client()
	phone.signup("Rosa")
	laptop.apiLogin("Rosa")
	page := phone.get("/account")
	if n := strings.Count(page.body, "/account/sessions/"); n != 2 {
		t.Fatalf("sessions listed: %d\n%s", n, page.body)
	}
	// End the laptop's session from the phone.
	ids := regexp.MustCompile(`action="(/account/sessions/\d+/end)"`).FindAllStringSubmatch(page.body, -1)
	var other string
	for _, m := range ids {
		if !strings.Contains(page.body, m[1]+`"><input type="hidden" name="csrf" value=`) {
			continue
		}
		other = m[1]
	}
	_ = other
	// The current session is listed first only if it was seen last; find the
	// one that is not marked as this session.
	rows := regexp.MustCompile(`(?s)<tr><td>[^<]*(<strong>[^<]*</strong>)?</td><td>[^<]*</td>\s*<td><form method="post" action="(/account/sessions/\d+/end)"`).FindAllStringSubmatch(page.body, -1)
	for _, r := range rows {
		if r[1] == "" {
			other = r[2]
		}
	}
	if other == "" {
		t.Fatalf("no other session found:\n%s", page.body)
	}
	if res := phone.post("/account", other, url.Values{}); res.status != http.StatusSeeOther {
		t.Fatalf("end session: %d", res.status)
	}
	if res := laptop.api("GET", "/me", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("ended session still works: %d", res.status)
	}
	// Logout ends the session on the server: the old cookie is useless.
	cookies := phone.http.Jar.Cookies(mustURL(e.srv.URL))
	if res := phone.post("/", "/logout", url.Values{}); res.header.Get("Clear-Site-Data") != `"cache", "cookies", "storage"` {
		t.Fatalf("logout must ask the browser to forget: %q", res.header.Get("Clear-Site-Data"))
	}
	replay := e.client()
	replay.http.Jar.SetCookies(mustURL(e.srv.URL), cookies)
	if res := replay.api("GET", "/me", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("cookie works after logout: %d", res.status)
	}
}

func mustURL(s string) *url.URL {
	u, _ := url.Parse(s)
	return u
}

func TestAPITokens(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.signup("Rosa")
	c.apiLogin("Rosa")
	pw := "contraseña de Rosa 2023"
	res := c.api("POST", "/me/tokens", map[string]any{"name": "mi script", "password": pw, "scopes": []string{"write"}, "expires_in_days": 30})
	var tok accounts.Token
	json.Unmarshal([]byte(res.body), &tok)
	if res.status != 201 || !strings.HasPrefix(tok.Secret, "asm_") || strings.Join(tok.Scopes, ",") != "write" ||
		tok.ExpiresAt.Sub(tok.CreatedAt) != 30*24*time.Hour {
		t.Fatalf("create token: %d %s", res.status, res.body)
	}
	bearer := func(secret, method, path, body string) response {
		return e.client().do(method, path, strings.NewReader(body),
			map[string]string{"Authorization": "Bearer " + secret, "Content-Type": "application/json"})
	}
	res = bearer(tok.Secret, "POST", "/api/v1/bodies", `{"name":"Comité de Ilave","sector":"indigenous","place":"210501","public":true}`)
	if res.status != 201 {
		t.Fatalf("create body with a token: %d %s", res.status, res.body)
	}

	t.Run("PasswordNeeded", func(t *testing.T) {
		for name, body := range map[string]map[string]any{
			"None":  {"name": "otro"},
			"Wrong": {"name": "otro", "password": "no es la mía de verdad"},
		} {
			if res := c.api("POST", "/me/tokens", body); res.status != 422 || !strings.Contains(res.body, `"account.password.wrong"`) {
				t.Errorf("%s: %d %s", name, res.status, res.body)
			}
		}
		if res := c.api("POST", "/me/tokens", map[string]any{"name": "otro", "password": pw, "scopes": []string{"admin"}}); res.status != 422 || !strings.Contains(res.body, "acct.token.scope_unknown") {
			t.Errorf("unknown scope: %d %s", res.status, res.body)
		}
		if res := c.api("POST", "/me/tokens", map[string]any{"name": "otro", "password": pw, "expires_in_days": 4000}); res.status != 422 || !strings.Contains(res.body, "acct.token.days") {
			t.Errorf("too long: %d %s", res.status, res.body)
		}
	})
	t.Run("ReadOnlyByDefault", func(t *testing.T) {
		res := c.api("POST", "/me/tokens", map[string]any{"name": "lector", "password": pw})
		var ro accounts.Token
		json.Unmarshal([]byte(res.body), &ro)
		if res.status != 201 || strings.Join(ro.Scopes, ",") != "read" || ro.ExpiresAt.Sub(ro.CreatedAt) != 90*24*time.Hour {
			t.Fatalf("default token: %d %s", res.status, res.body)
		}
		if res := bearer(ro.Secret, "GET", "/api/v1/me", ""); res.status != 200 {
			t.Fatalf("a read token reads: %d", res.status)
		}
		res = bearer(ro.Secret, "POST", "/api/v1/bodies", `{"name":"Comité de Juli","sector":"indigenous","place":"210501","public":true}`)
		if res.status != 403 || !strings.Contains(res.body, `"acct.token.read_only"`) {
			t.Fatalf("a read token wrote: %d %s", res.status, res.body)
		}
	})
	t.Run("NoTokenFromToken", func(t *testing.T) {
		res := bearer(tok.Secret, "POST", "/api/v1/me/tokens", `{"name":"hijo","password":"`+pw+`","scopes":["write"]}`)
		if res.status != 403 || !strings.Contains(res.body, `"acct.token.by_token"`) {
			t.Fatalf("a token made a token: %d %s", res.status, res.body)
		}
	})
	t.Run("APIOnly", func(t *testing.T) {
		res := bearer(tok.Secret, "GET", "/account", "")
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/login") {
			t.Fatalf("a token opened a web page: %d %s", res.status, res.header.Get("Location"))
		}
	})
	t.Run("Listed", func(t *testing.T) {
		res := c.api("GET", "/me/tokens", nil)
		if res.status != 200 || !strings.Contains(res.body, `"expires_at"`) || !strings.Contains(res.body, `"scopes":["write"]`) || strings.Contains(res.body, tok.Secret) {
			t.Fatalf("list: %d %s", res.status, res.body)
		}
		page := c.get("/account").body
		if !strings.Contains(page, "mi script") || !strings.Contains(page, `name="token_password"`) {
			t.Fatalf("account page:\n%s", page)
		}
	})
	t.Run("Expired", func(t *testing.T) {
		now := e.db.Now
		e.db.Now = func() time.Time { return now().Add(31 * 24 * time.Hour) }
		defer func() { e.db.Now = now }()
		res := bearer(tok.Secret, "GET", "/api/v1/me", "")
		if res.status != 401 || !strings.Contains(res.body, `"acct.token.expired"`) {
			t.Fatalf("expired token: %d %s", res.status, res.body)
		}
	})

	c.api("DELETE", "/me/tokens/"+itoa(tok.ID), nil)
	res = bearer(tok.Secret, "GET", "/api/v1/me", "")
	if res.status != 401 {
		t.Fatalf("revoked token: %d", res.status)
	}
}

func itoa(n int64) string {
	return strings.TrimSpace(strings.Replace(string(must(json.Marshal(n))), "\"", "", -1))
}

func must(b []byte, _ error) []byte { return b }

func TestLanguage(t *testing.T) {
	e := newEnv(t)
	tests := map[string]struct {
		accept, want, text string
	}{
		"DefaultSpanish":    {"", `<html lang="es">`, "Organízate"},
		"AcceptEnglish":     {"en-US,en;q=0.8", `<html lang="en">`, "Organise with your committee"},
		"Quechua":           {"qu-PE", `<html lang="qu">`, "Comitéykiwan organizakuy"},
		"CuscoQuechua":      {"quz-PE,es;q=0.8", `<html lang="qu">`, "Comitéykiwan"},
		"Aymara":            {"ayr", `<html lang="ay">`, "Kumitimamp tantachasim"},
		"SpanishFromPeru":   {"es-PE", `<html lang="es">`, "Organízate"},
		"PreferredEnglishQ": {"fr;q=1, en;q=0.5", `<html lang="en">`, "Organise"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c := e.client()
			c.lang = tc.accept
			res := c.get("/")
			if !strings.Contains(res.body, tc.want) || !strings.Contains(res.body, tc.text) {
				t.Fatalf("got:\n%.400s", res.body)
			}
		})
	}
	t.Run("Switch", func(t *testing.T) {
		c := e.client()
		res := c.post("/", "/lang", url.Values{"lang": {"en"}, "next": {"/bodies"}})
		if res.status != http.StatusSeeOther || res.header.Get("Location") != "/bodies" {
			t.Fatalf("switch: %d %s", res.status, res.header.Get("Location"))
		}
		if !strings.Contains(c.get("/bodies").body, `<html lang="en">`) {
			t.Fatal("language switch did not stick")
		}
		res = c.post("/", "/lang", url.Values{"lang": {"en"}, "next": {"//evil.example"}})
		if res.header.Get("Location") != "/" {
			t.Fatalf("open redirect: %s", res.header.Get("Location"))
		}
	})
	// ?lang= on any page switches, sticks, and is stored on a signed-in
	// member's account; a draft language says so once on the page.
	t.Run("QueryParameter", func(t *testing.T) {
		c := e.client()
		res := c.get("/bodies?lang=ay")
		if !strings.Contains(res.body, `<html lang="ay">`) || strings.Count(res.body, `class="draft"`) != 1 {
			t.Fatalf("?lang=ay:\n%.600s", res.body)
		}
		if ck := strings.Join(res.header.Values("Set-Cookie"), "\n"); !strings.Contains(ck, "lang=ay; Path=/; Max-Age=31536000") {
			t.Fatalf("cookie: %s", ck)
		}
		if !strings.Contains(c.get("/").body, `<html lang="ay">`) {
			t.Fatal("?lang= did not stick")
		}
		if strings.Contains(c.get("/?lang=xx").body, `<html lang="xx">`) {
			t.Fatal("an unknown language must be ignored")
		}
		if strings.Contains(c.get("/?lang=es").body, `class="draft"`) {
			t.Fatal("Spanish is no draft")
		}
		m := e.client()
		m.signup("Kuntur 47")
		m.get("/?lang=quz")
		// Another device, without the cookie: the account remembers.
		other := e.client()
		other.apiLogin("Kuntur 47")
		if !strings.Contains(other.get("/account").body, `<html lang="qu">`) {
			t.Fatal("the account's language was not stored")
		}
	})
	t.Run("SwitchOffersDrafts", func(t *testing.T) {
		res := e.client().get("/")
		for _, l := range []string{`value="qu"`, `value="ay"`, "Runasimi", "Aymar aru"} {
			if !strings.Contains(res.body, l) {
				t.Fatalf("switch lacks %s", l)
			}
		}
	})
	t.Run("SwitchEvil", func(t *testing.T) {
		c := e.client()
		res := c.post("/", "/lang", url.Values{"lang": {"en"}, "next": {"//evil.example"}})
		if res.header.Get("Location") != "/" {
			t.Fatalf("open redirect: %s", res.header.Get("Location"))
		}
	})
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t)
	res := e.client().get("/")
	h := res.header
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	} {
		if !strings.Contains(h.Get(name), want) {
			t.Errorf("%s = %q, want %q", name, h.Get(name), want)
		}
	}
	for _, c := range res.header.Values("Set-Cookie") {
		if !strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Lax") {
			t.Errorf("cookie without HttpOnly/SameSite: %s", c)
		}
	}
	// Behind a TLS proxy the cookies take the __Host- prefix and Secure.
	e2 := newEnvTrusting(t)
	req, _ := http.NewRequest("GET", e2.srv.URL+"/", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	c := r2.Header.Get("Set-Cookie")
	if !strings.HasPrefix(c, "__Host-") || !strings.Contains(c, "Secure") || strings.Contains(c, "Domain") {
		t.Fatalf("cookie behind TLS proxy: %s", c)
	}
	// And browsers are told to come back over HTTPS only (not over plain
	// HTTP, where the header would mean nothing).
	if got := r2.Header.Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=63072000") {
		t.Errorf("no HSTS behind a TLS proxy: %q", got)
	}
	if got := h.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("HSTS over plain HTTP: %q", got)
	}
	// No inline script or style anywhere.
	if strings.Contains(res.body, "<script>") || strings.Contains(res.body, "style=") || strings.Contains(res.body, "onclick") {
		t.Fatal("inline code in a page")
	}
}

func newEnvTrusting(t *testing.T) *env {
	db, err := store.Open(filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Migrate(context.Background())
	cfg := server.DefaultConfig()
	cfg.TrustProxy = true
	app, err := server.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	return &env{t: t, db: db, srv: srv, app: app}
}

// TestPageWeight keeps every page's first response within 14 KB gzipped —
// one round trip on a slow link.
func TestPageWeight(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.signup("Rosa")
	for i := 0; i < 3; i++ {
		c.post("/bodies/new", "/bodies", url.Values{"name": {"Comité " + strings.Repeat("largo ", 15)}, "sector": {"workers"}, "place_q": {"210101"}, "public": {"on"}, "description": {strings.Repeat("Descripción larga del comité. ", 100)}})
	}
	for _, path := range []string{"/", "/bodies", "/bodies/new", "/bodies/1", "/bodies/1/invitations", "/account", "/join", "/signup", "/login", "/static/app.css", "/static/app.js"} {
		res := c.do("GET", path, nil, map[string]string{"Accept-Encoding": "gzip"})
		if res.status != 200 {
			t.Fatalf("%s: %d", path, res.status)
		}
		if res.header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("%s not compressed", path)
		}
		if n := len(res.body); n > 14*1024 {
			t.Errorf("%s: %d bytes gzipped, over 14 KB", path, n)
		}
		zr, err := gzip.NewReader(strings.NewReader(res.body))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		io.Copy(io.Discard, zr)
	}
}

func TestHealthz(t *testing.T) {
	e := newEnv(t)
	if res := e.client().get("/healthz"); res.status != 200 || res.body != "ok\n" {
		t.Fatalf("healthz: %d %q", res.status, res.body)
	}
}

// TestAPIPath is the person's path over the API alone.
func TestAPIPath(t *testing.T) {
	e := newEnv(t)
	rosa := e.client()
	res := rosa.api("POST", "/accounts", map[string]string{"name": "Rosa", "password": "contraseña de Rosa 2023"})
	var in signedInBody
	json.Unmarshal([]byte(res.body), &in)
	if res.status != 201 || in.CSRF == "" {
		t.Fatalf("sign-up: %d %s", res.status, res.body)
	}
	rosa.csrf = in.CSRF
	res = rosa.api("POST", "/bodies", bodies.Input{Name: "Comité de Lucha de Juliaca", Sector: "workers", Place: "211101", Public: true})
	var b bodies.Body
	json.Unmarshal([]byte(res.body), &b)
	if res.status != 201 || b.ID == 0 || res.header.Get("Location") == "" {
		t.Fatalf("create: %d %s", res.status, res.body)
	}
	res = rosa.api("POST", "/bodies/"+itoa(b.ID)+"/invitations", bodies.InvitationInput{MaxUses: 2, Days: 3})
	var inv bodies.Invitation
	json.Unmarshal([]byte(res.body), &inv)
	if res.status != 201 || inv.Code == "" {
		t.Fatalf("invite: %d %s", res.status, res.body)
	}
	juan := e.client()
	res = juan.api("GET", "/join/"+inv.Code, nil)
	if res.status != 200 || !strings.Contains(res.body, "Juliaca") {
		t.Fatalf("preview: %d %s", res.status, res.body)
	}
	juan.api("POST", "/accounts", map[string]string{"name": "Juan", "password": "contraseña de Juan 2023"})
	juan.apiLogin("Juan")
	if res := juan.api("POST", "/join", map[string]string{"code": inv.Code}); res.status != 200 {
		t.Fatalf("join: %d %s", res.status, res.body)
	}
	if res := rosa.api("PUT", "/bodies/"+itoa(b.ID)+"/members/2/role", map[string]string{"role": "secretary"}); res.status != 204 {
		t.Fatalf("role: %d %s", res.status, res.body)
	}
	res = juan.api("GET", "/bodies/"+itoa(b.ID)+"/members", nil)
	if res.status != 200 || !strings.Contains(res.body, `"role":"secretary"`) {
		t.Fatalf("members: %d %s", res.status, res.body)
	}
	res = juan.api("GET", "/bodies/"+itoa(b.ID)+"/journal", nil)
	if res.status != 200 || !strings.Contains(res.body, `"kind":"member.role"`) {
		t.Fatalf("journal: %d %s", res.status, res.body)
	}
	if res := juan.api("PUT", "/me/lang", map[string]string{"lang": "en"}); res.status != 204 {
		t.Fatalf("lang: %d %s", res.status, res.body)
	}
	if res := juan.api("PUT", "/me/lang", map[string]string{"lang": "xx"}); res.status != 422 || !strings.Contains(res.body, "es, en") {
		t.Fatalf("unknown lang: %d %s", res.status, res.body)
	}
	if res := juan.api("PUT", "/bodies/"+itoa(b.ID)+"/members/1/role", map[string]string{"role": "member"}); res.status != 403 || !strings.Contains(res.body, "not allowed") {
		t.Fatalf("secretary changes roles: %d %s", res.status, res.body)
	}
}

type signedInBody struct {
	CSRF string `json:"csrf_token"`
}

// A number in a link that is not one gets a clear error, not the page of
// something else (a mistyped ?body= used to show every body's list).
func TestBadNumbersInLinks(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	c.signup("Rosa")
	for _, path := range []string{"/communiques?body=1'", "/communiques?body=-3", "/actions/1?before=x"} {
		if res := c.get(path); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "número entero positivo") {
			t.Errorf("GET %s: %d", path, res.status)
		}
	}
	for _, path := range []string{"/bodies/1/members?limit=ten", "/bodies/1/journal?after=-1", "/places?q=Puno&limit=1e3"} {
		if res := c.api("GET", path, nil); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, `"key":"error.bad_number"`) {
			t.Errorf("GET /api/v1%s: %d %s", path, res.status, res.body)
		}
	}
	if res := c.get("/communiques?body=1"); res.status != http.StatusOK {
		t.Errorf("a good number: %d", res.status)
	}
}
