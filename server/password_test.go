package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"asamblea/accounts"
)

// fieldError finds the error shown beside a field of the password form.
func fieldError(body, field string) string {
	m := regexp.MustCompile(`<small class="error" id="` + field + `-error">([^<]*)</small>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestChangePasswordPage(t *testing.T) {
	e := newEnv(t)
	phone, laptop := e.client(), e.client()
	phone.signup("Rosa")
	laptop.apiLogin("Rosa")
	old := "contraseña de Rosa 2023"
	if page := phone.get("/account"); !strings.Contains(page.body, `action="/account/password"`) || !strings.Contains(page.body, "Contraseña actual") {
		t.Fatalf("no password form on the account page:\n%s", page.body)
	}

	for name, tc := range map[string]struct {
		current, next, next2, field, want string
	}{
		"WrongCurrent": {"mi contraseña olvidada", "una frase nueva y larga", "una frase nueva y larga", "current", "La contraseña actual no es correcta."},
		"Mismatch":     {old, "una frase nueva y larga", "una frase nueva y largo", "password2", "Las dos contraseñas no coinciden."},
		"Short":        {old, "corta frase", "corta frase", "password", "La contraseña debe tener al menos 12 caracteres."},
		"Same":         {old, old, old, "password", "La contraseña nueva es igual a la actual. Elige otra."},
	} {
		t.Run(name, func(t *testing.T) {
			before := journalLen(t, e.db)
			res := phone.post("/account", "/account/password", url.Values{"current": {tc.current}, "password": {tc.next}, "password2": {tc.next2}})
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d\n%s", res.status, res.body)
			}
			if got := fieldError(res.body, tc.field); got != tc.want {
				t.Fatalf("error beside %s = %q, want %q\n%s", tc.field, got, tc.want, res.body)
			}
			if !regexp.MustCompile(`id="` + tc.field + `"[^>]*aria-invalid="true"`).MatchString(res.body) {
				t.Fatalf("%s is not marked invalid", tc.field)
			}
			// Nothing typed in a password field comes back.
			for _, typed := range []string{tc.current, tc.next, tc.next2} {
				if strings.Contains(res.body, typed) || strings.Contains(res.body, url.QueryEscape(typed)) {
					t.Fatalf("the page echoes %q", typed)
				}
			}
			if journalLen(t, e.db) != before {
				t.Fatal("a refused change was journalled")
			}
			if res := laptop.api("GET", "/me", nil); res.status != http.StatusOK {
				t.Fatalf("a refused change ended the other session: %d", res.status)
			}
		})
	}

	next := "una frase nueva y larga"
	res := phone.post("/account", "/account/password", url.Values{"current": {old}, "password": {next}, "password2": {next}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/account?done=password_changed" {
		t.Fatalf("change: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	page := phone.get("/account?done=password_changed")
	if page.status != http.StatusOK || !strings.Contains(page.body, "Contraseña cambiada.") {
		t.Fatalf("this device after the change: %d\n%s", page.status, page.body)
	}
	if res := laptop.api("GET", "/me", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("the other device is still signed in: %d", res.status)
	}
	c := e.client()
	if res := c.api("POST", "/sessions", map[string]string{"name": "Rosa", "password": old}); res.status != http.StatusUnauthorized {
		t.Fatalf("login with the old password: %d", res.status)
	}
	if res := c.api("POST", "/sessions", map[string]string{"name": "Rosa", "password": next}); res.status != http.StatusOK {
		t.Fatalf("login with the new password: %d %s", res.status, res.body)
	}
}

func TestChangePasswordAPI(t *testing.T) {
	e := newEnv(t)
	phone, laptop := e.client(), e.client()
	phone.signup("Rosa")
	phone.apiLogin("Rosa")
	laptop.apiLogin("Rosa")
	old, next := "contraseña de Rosa 2023", "una frase nueva y larga"

	// A session caller must send its CSRF token.
	bare := *phone
	bare.csrf = ""
	if res := bare.api("PUT", "/me/password", map[string]string{"current": old, "password": next}); res.status != http.StatusForbidden {
		t.Fatalf("without the CSRF token: %d", res.status)
	}
	for name, tc := range map[string]struct {
		current, next, field, key string
	}{
		"WrongCurrent": {"mi contraseña olvidada", next, "current", "account.password.wrong"},
		"Common":       {old, "123456789012", "password", "account.password.common"},
		"Same":         {old, old, "password", "account.password.same"},
	} {
		t.Run(name, func(t *testing.T) {
			res := phone.api("PUT", "/me/password", map[string]string{"current": tc.current, "password": tc.next})
			var out struct {
				Error struct{ Key, Field, Message string }
			}
			json.Unmarshal([]byte(res.body), &out)
			if res.status != http.StatusUnprocessableEntity || out.Error.Field != tc.field || out.Error.Key != tc.key {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if strings.Contains(res.body, tc.current) || strings.Contains(res.body, tc.next) {
				t.Fatalf("the answer echoes a password: %s", res.body)
			}
		})
	}

	tok := phone.api("POST", "/me/tokens", map[string]any{"name": "mi script", "password": old, "scopes": []string{"write"}})
	var token accounts.Token
	json.Unmarshal([]byte(tok.body), &token)
	if res := phone.api("PUT", "/me/password", map[string]string{"current": old, "password": next}); res.status != http.StatusNoContent {
		t.Fatalf("change: %d %s", res.status, res.body)
	}
	if res := phone.api("GET", "/me", nil); res.status != http.StatusOK {
		t.Fatalf("the caller's session ended: %d", res.status)
	}
	if res := laptop.api("GET", "/me", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("the other session still works: %d", res.status)
	}

	// With a token, every session ends and the token stays.
	script := e.client()
	bearer := func(v any) response {
		b, _ := json.Marshal(v)
		return script.do("PUT", "/api/v1/me/password", strings.NewReader(string(b)),
			map[string]string{"Authorization": "Bearer " + token.Secret, "Content-Type": "application/json"})
	}
	if res := bearer(map[string]string{"current": next, "password": "la tercera frase larga"}); res.status != http.StatusNoContent {
		t.Fatalf("change with a token: %d %s", res.status, res.body)
	}
	if res := phone.api("GET", "/me", nil); res.status != http.StatusUnauthorized {
		t.Fatalf("a session survived a change made with a token: %d", res.status)
	}
	if res := script.do("GET", "/api/v1/me", nil, map[string]string{"Authorization": "Bearer " + token.Secret}); res.status != http.StatusOK {
		t.Fatalf("the token stopped working: %d", res.status)
	}
}

// The password form guesses no faster than the login page: wrong current
// passwords count against the same limits, and share them with logins.
func TestChangePasswordRateLimit(t *testing.T) {
	e := newEnv(t)
	phone, browser := e.client(), e.client()
	phone.signup("Rosa")
	phone.apiLogin("Rosa")
	browser.signup("Juan")
	var last response
	for i := 0; i < 6; i++ {
		last = phone.api("PUT", "/me/password", map[string]string{"current": "no es la contraseña", "password": "una frase nueva y larga"})
		if i < 5 && last.status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong try %d: %d %s", i+1, last.status, last.body)
		}
	}
	if last.status != http.StatusTooManyRequests {
		t.Fatalf("sixth wrong current password: %d %s", last.status, last.body)
	}
	// Even the right one waits now, and so does the login.
	if res := phone.api("PUT", "/me/password", map[string]string{"current": "contraseña de Rosa 2023", "password": "una frase nueva y larga"}); res.status != http.StatusTooManyRequests {
		t.Fatalf("right current password during lock-out: %d", res.status)
	}
	if res := e.client().api("POST", "/sessions", map[string]string{"name": "Rosa", "password": "contraseña de Rosa 2023"}); res.status != http.StatusTooManyRequests {
		t.Fatalf("login during lock-out: %d", res.status)
	}

	// The page goes through the same limits: five wrong tries, then 429,
	// shown on the form.
	for i := 0; i < 5; i++ {
		browser.post("/account", "/account/password", url.Values{"current": {"no es la contraseña"}, "password": {"una frase nueva y larga"}, "password2": {"una frase nueva y larga"}})
	}
	res := browser.post("/account", "/account/password", url.Values{"current": {"contraseña de Juan 2023"}, "password": {"una frase nueva y larga"}, "password2": {"una frase nueva y larga"}})
	if res.status != http.StatusTooManyRequests || !strings.Contains(res.body, "Demasiados intentos fallidos") {
		t.Fatalf("sixth try on the page: %d\n%s", res.status, res.body)
	}
}
