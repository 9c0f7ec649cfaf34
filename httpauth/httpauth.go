// Package httpauth finds out who is making a request — a session cookie or a
// personal API token — and guards against cross-site request forgery. Both
// the pages (web) and the JSON API (api) rely on it.
package httpauth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"time"

	"asamblea/accounts"
	"asamblea/errs"
	"asamblea/i18n"
	"asamblea/store"
)

// Identity is who is asking and in which language they read.
type Identity struct {
	User      *accounts.User // nil when not signed in
	SessionID int64          // 0 when signed in with an API token
	ViaToken  bool
	// TokenScopes are the scopes of the API token the request came with;
	// TokenErr says why a token it came with was refused (expired, unknown).
	TokenScopes []string
	TokenErr    error
	Lang        string
	CSRF        string // the CSRF token of this browser
	Secure      bool   // served over TLS (directly or through a trusted proxy)
}

// UserID returns the signed-in user's id, or 0.
func (id *Identity) UserID() int64 {
	if id == nil || id.User == nil {
		return 0
	}
	return id.User.ID
}

type ctxKey struct{}

// From returns the request's identity (never nil inside Middleware).
func From(r *http.Request) *Identity {
	if id, ok := r.Context().Value(ctxKey{}).(*Identity); ok {
		return id
	}
	return &Identity{Lang: i18n.Default}
}

// With returns r carrying id.
func With(r *http.Request, id *Identity) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), ctxKey{}, id))
}

// Config of the authenticator.
type Config struct {
	TrustProxy bool // believe X-Forwarded-Proto from a reverse proxy
	Limits     store.SessionLimits
	// DeviceKey signs device cookies; random when empty (devices are then
	// forgotten when the server restarts).
	DeviceKey []byte
	// Signup is "open" (the default: anyone, within the server's rate) or
	// "invite" (only with a body's invitation code).
	Signup string
}

// Sign-up modes.
const (
	SignupOpen   = "open"
	SignupInvite = "invite"
)

// Auth resolves identities and signs people in and out.
type Auth struct {
	db      *store.DB
	cat     *i18n.Catalogs
	cfg     Config
	limiter *accounts.Limiter
	signups *accounts.Bucket
}

// New returns an Auth. Failed logins are limited to 5 per account and 20 per
// client within 15 minutes.
func New(db *store.DB, cat *i18n.Catalogs, cfg Config) *Auth {
	if len(cfg.DeviceKey) == 0 {
		cfg.DeviceKey = make([]byte, 32)
		rand.Read(cfg.DeviceKey)
	}
	return &Auth{db: db, cat: cat, cfg: cfg, limiter: accounts.NewLimiter(5, 15*time.Minute), signups: accounts.NewSignupBucket()}
}

func (a *Auth) hasUsers(r *http.Request) bool {
	n, err := a.db.CountUsers(r.Context())
	return err != nil || n > 0
}

// InviteOnly reports whether sign-up needs an invitation code.
func (a *Auth) InviteOnly() bool { return a.cfg.Signup == SignupInvite }

// SignUp creates an account under the server's sign-up rules: within the
// server-wide rate, and with a valid invitation code when sign-up is by
// invitation (the code is checked, not used: the new member joins with it
// next, on the invitation's page). The pages and the API both sign up
// through it.
func (a *Auth) SignUp(r *http.Request, h accounts.Hasher, name, password, code string) (accounts.User, error) {
	if a.InviteOnly() && (code != "" || a.hasUsers(r)) {
		// The very first account, that of whoever set the node up, needs
		// no invitation: there is no body yet to invite from.
		if strings.TrimSpace(code) == "" {
			return accounts.User{}, errs.Field("code", "account.signup.invite_needed")
		}
		if _, err := a.db.InvitationBody(r.Context(), code); err != nil {
			if e := errs.As(err); e.Field == "" {
				err = errs.Field("code", e.Key)
			}
			return accounts.User{}, err
		}
	}
	if err := a.signups.Take(a.db.Now()); err != nil {
		return accounts.User{}, err
	}
	u, err := a.db.CreateUser(r.Context(), h, name, password, From(r).Lang)
	if err != nil {
		a.signups.Give()
	}
	return u, err
}

// Device cookies (OWASP, "Slow down online guessing attacks with device
// cookies"): a browser that signed in to an account gets a cookie that
// proves it to that account only — a random nonce and its MAC over the
// account's name key. It names no account: on a seized phone it says
// nothing without the server's key. The limiter lets such a device in
// while strangers' failures slow the account down. Signing out wipes it
// with everything else (Clear-Site-Data).
func deviceCookie(secure bool) string {
	if secure {
		return "__Host-asamblea-device"
	}
	return "asamblea-device"
}

func (a *Auth) deviceMAC(nameKey, nonce string) string {
	m := hmac.New(sha256.New, a.cfg.DeviceKey)
	m.Write([]byte("device\x00" + nameKey + "\x00" + nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// device is the id of r's device cookie if it proves the device to the
// account nameKey, else "".
func (a *Auth) device(r *http.Request, nameKey string) string {
	c, err := r.Cookie(deviceCookie(From(r).Secure))
	if err != nil {
		return ""
	}
	nonce, mac, ok := strings.Cut(c.Value, ".")
	if !ok || len(nonce) < 16 || !hmac.Equal([]byte(mac), []byte(a.deviceMAC(nameKey, nonce))) {
		return ""
	}
	return nonce
}

func (a *Auth) setDevice(w http.ResponseWriter, r *http.Request, nameKey string) {
	b := make([]byte, 16)
	rand.Read(b)
	nonce := base64.RawURLEncoding.EncodeToString(b)
	secure := From(r).Secure
	http.SetCookie(w, &http.Cookie{Name: deviceCookie(secure), Value: nonce + "." + a.deviceMAC(nameKey, nonce), Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}) // #nosec G124 -- as in set: Secure over TLS only
}

// Login checks a name and password under the rate limits. The pages and the
// API both sign in through it.
func (a *Auth) Login(r *http.Request, name, password string) (accounts.User, error) {
	now := a.db.Now()
	key := accounts.NameKey(strings.TrimSpace(name))
	client := a.ClientKey(r)
	device := a.device(r, key)
	if err := a.limiter.AttemptFrom(now, key, client, device); err != nil {
		return accounts.User{}, err
	}
	u, err := a.db.Authenticate(r.Context(), name, password)
	if err == nil {
		a.limiter.SucceedFrom(key, client, device)
	}
	return u, err
}

// APIPrefix is where the JSON API lives: the only paths API tokens open.
const APIPrefix = "/api"

// ConfirmPassword checks the signed-in person's password again before a
// grave step (making an API token), under the same limits as Login. A
// request made with an API token is refused whatever the password: a
// token never makes tokens.
func (a *Auth) ConfirmPassword(r *http.Request, password string) error {
	id := From(r)
	if id.User == nil {
		return errs.New(errs.Unauthorized, "error.sign_in_needed")
	}
	if id.ViaToken {
		return errs.New(errs.Forbidden, "acct.token.by_token")
	}
	key := accounts.NameKey(id.User.Name)
	client := a.ClientKey(r)
	if err := a.limiter.Attempt(a.db.Now(), key, client); err != nil {
		return err
	}
	err := a.db.CheckPassword(r.Context(), id.User.ID, password)
	if err == nil {
		a.limiter.Succeed(key, client)
	}
	return err
}

// ChangePassword changes the signed-in person's password under the same
// limits as Login: every try counts against their account and this client
// until the current password proves right, so the form guesses no faster
// than the login page does (and shares its allowance). Every other session
// of the person ends; the one making the request, if it is a session, stays.
func (a *Auth) ChangePassword(r *http.Request, h accounts.Hasher, current, next string) error {
	id := From(r)
	if id.User == nil {
		return errs.New(errs.Unauthorized, "error.sign_in_needed")
	}
	key := accounts.NameKey(id.User.Name)
	client := a.ClientKey(r)
	if err := a.limiter.Attempt(a.db.Now(), key, client); err != nil {
		return err
	}
	err := a.db.ChangePassword(r.Context(), id.User.ID, h, current, next, id.SessionID)
	if err == nil || errs.As(err).Field == "password" {
		// The current password was right (only the new one may have been
		// refused): give the try back, as a successful login does.
		a.limiter.Succeed(key, client)
	}
	return err
}

// Cookie names. Over TLS the __Host- prefix binds the cookie to this exact
// origin (Secure, no Domain, Path=/); over plain HTTP on a local network the
// prefix is not allowed by browsers, so plain names are used.
func sessionCookie(secure bool) string {
	if secure {
		return "__Host-asamblea"
	}
	return "asamblea"
}

func csrfCookie(secure bool) string {
	if secure {
		return "__Host-asamblea-csrf"
	}
	return "asamblea-csrf"
}

// LangCookie holds a visitor's explicit language choice.
const LangCookie = "lang"

// IsSecure reports whether r came over TLS.
func (a *Auth) IsSecure(r *http.Request) bool {
	return r.TLS != nil || (a.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"))
}

// Middleware attaches the Identity of each request.
func (a *Auth) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := &Identity{Secure: a.IsSecure(r)}
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			// API tokens open the API only: a token copied from a script
			// must not open the member's pages (and their forms).
			if strings.HasPrefix(r.URL.Path, APIPrefix+"/") {
				if u, t, err := a.db.TokenUser(r.Context(), strings.TrimPrefix(h, "Bearer ")); err == nil {
					id.User, id.ViaToken, id.TokenScopes = &u, true, t.Scopes
				} else {
					id.TokenErr = err
				}
			}
		} else if c, err := r.Cookie(sessionCookie(id.Secure)); err == nil && c.Value != "" {
			if u, sid, err := a.db.SessionUser(r.Context(), c.Value, a.cfg.Limits); err == nil {
				id.User, id.SessionID = &u, sid
			} else {
				a.clear(w, sessionCookie(id.Secure), id.Secure)
			}
		}
		if c, err := r.Cookie(csrfCookie(id.Secure)); err == nil && len(c.Value) >= 32 {
			id.CSRF = c.Value
		} else if !id.ViaToken {
			id.CSRF, _ = accounts.NewSecret()
			a.set(w, csrfCookie(id.Secure), id.CSRF, id.Secure)
		}
		choice := ""
		if c, err := r.Cookie(LangCookie); err == nil {
			choice = c.Value
		}
		// ?lang=qu on any page is the switch that works from a printed
		// link or an SMS: it sets the cookie, and a signed-in member's
		// account language.
		if q := a.cat.Resolve(r.URL.Query().Get("lang")); q != "" && !id.ViaToken {
			choice = q
			a.SetLang(w, With(r, id), q)
			if id.User != nil && id.User.Lang != q {
				if err := a.db.SetLang(r.Context(), id.User.ID, q); err == nil {
					id.User.Lang = q
				}
			}
		}
		if choice == "" && id.User != nil {
			choice = id.User.Lang
		}
		id.Lang = a.cat.Match(choice, r.Header.Get("Accept-Language"))
		next.ServeHTTP(w, With(r, id))
	})
}

func (a *Auth) set(w http.ResponseWriter, name, value string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}) // #nosec G124 -- Secure is set over TLS; over plain HTTP on a local network a Secure cookie would never come back (see sessionCookie)
}

func (a *Auth) clear(w http.ResponseWriter, name string, secure bool) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode}) // #nosec G124 -- as in set: Secure over TLS only, where the name is __Host- prefixed
}

// SignIn starts a new session for u (the old one, if any, is ended: the
// token rotates at every login) and gives the browser a fresh CSRF token.
func (a *Auth) SignIn(w http.ResponseWriter, r *http.Request, u accounts.User) error {
	id := From(r)
	if id.SessionID != 0 {
		a.db.EndSession(r.Context(), id.UserID(), id.SessionID)
	}
	token, err := a.db.CreateSession(r.Context(), u.ID, accounts.Device(r.UserAgent()))
	if err != nil {
		return err
	}
	a.set(w, sessionCookie(id.Secure), token, id.Secure)
	a.setDevice(w, r, accounts.NameKey(u.Name))
	id.CSRF, _ = accounts.NewSecret()
	a.set(w, csrfCookie(id.Secure), id.CSRF, id.Secure)
	id.User = &u
	return nil
}

// SignOut ends the current session on the server and clears the cookie.
func (a *Auth) SignOut(w http.ResponseWriter, r *http.Request) error {
	id := From(r)
	// The browser forgets what it kept of this person: cached pages,
	// cookies, storage. A phone taken after sign-out shows nothing.
	w.Header().Set("Clear-Site-Data", `"cache", "cookies", "storage"`)
	a.clear(w, sessionCookie(id.Secure), id.Secure)
	if id.SessionID == 0 {
		return nil
	}
	return a.db.EndSession(r.Context(), id.UserID(), id.SessionID)
}

// SetLang remembers a visitor's language choice.
func (a *Auth) SetLang(w http.ResponseWriter, r *http.Request, lang string) {
	http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: From(r).Secure, SameSite: http.SameSiteLaxMode}) // #nosec G124 -- as in set: Secure over TLS only; the language choice is no secret
}

// CheckCSRF reports whether token matches this browser's CSRF token. Requests
// authenticated by an API token need none: no browser sends that header on
// its own.
func CheckCSRF(r *http.Request, token string) bool {
	id := From(r)
	if id.ViaToken {
		return true
	}
	return id.CSRF != "" && subtle.ConstantTimeCompare([]byte(id.CSRF), []byte(token)) == 1
}

// ClientKey identifies the client for rate limiting only. It is kept in
// memory as a keyed hash, never stored. Behind a trusted reverse proxy the
// client is the address the proxy appended last to X-Forwarded-For (the
// ones before it are the client's own say); otherwise, the connection's.
func (a *Auth) ClientKey(r *http.Request) string {
	if a.cfg.TrustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			hops := strings.Split(xff[len(xff)-1], ",")
			if last := strings.TrimSpace(hops[len(hops)-1]); last != "" {
				return last
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
