// Package server puts asamblea's pieces together: it registers the routes of
// the pages and of the API on one standard ServeMux, guards each one, and
// wraps them in the middleware every response needs (security headers,
// compression, identity, logging).
package server

import (
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"asamblea/accounts"
	"asamblea/api"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/places"
	"asamblea/store"
	"asamblea/web"
)

// Config of the HTTP server.
type Config struct {
	TrustProxy  bool
	SessionIdle time.Duration
	SessionMax  time.Duration
	Hasher      accounts.Hasher
	DeviceKey   []byte // signs device cookies (httpauth); random when empty
	Signup      string // httpauth.SignupOpen (default) or httpauth.SignupInvite
}

// DefaultConfig follows OWASP ASVS level 2: sessions end after 30 minutes
// idle or 12 hours in all.
func DefaultConfig() Config {
	return Config{SessionIdle: 30 * time.Minute, SessionMax: 12 * time.Hour, Hasher: accounts.DefaultHasher}
}

// Server is asamblea over HTTP.
type Server struct {
	db      *store.DB
	log     *slog.Logger
	auth    *httpauth.Auth
	web     *web.Server
	api     *api.API
	handler http.Handler
}

// New builds the server.
func New(cfg Config, db *store.DB, log *slog.Logger) (*Server, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	pl := places.Peru()
	auth := httpauth.New(db, cat, httpauth.Config{TrustProxy: cfg.TrustProxy, Limits: store.SessionLimits{Idle: cfg.SessionIdle, Absolute: cfg.SessionMax}, DeviceKey: cfg.DeviceKey, Signup: cfg.Signup})
	w, err := web.New(db, cat, pl, auth, cfg.Hasher, log)
	if err != nil {
		return nil, err
	}
	s := &Server{db: db, log: log, auth: auth, web: w, api: api.New(db, cat, pl, auth, cfg.Hasher, log)}
	mux := http.NewServeMux()
	for _, rt := range s.Routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt))
	}
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("/", w.NotFound)
	mux.HandleFunc(api.Prefix+"/", s.api.NotFound)
	var h http.Handler = mux
	h = s.logRequests(h)
	h = auth.Middleware(h)
	h = http.NewCrossOriginProtection().Handler(h)
	h = gzipResponses(h)
	h = securityHeaders(h, auth.IsSecure)
	s.handler = h
	return s, nil
}

// Routes lists every route of the pages and the API.
func (s *Server) Routes() []httpauth.Route {
	return append(s.web.Routes(), s.api.Routes()...)
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// guard lets a request reach a route only with the access it declares; the
// services then check the person's role in the body.
func (s *Server) guard(rt httpauth.Route) http.Handler {
	if rt.Access == httpauth.Public {
		return rt.Handler
	}
	isAPI := strings.HasPrefix(rt.Pattern, api.Prefix)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := httpauth.From(r); id.User != nil {
			if id.ViaToken && !accounts.AllowsMethod(id.TokenScopes, r.Method) {
				s.api.Error(w, r, errs.New(errs.Forbidden, "acct.token.read_only", strings.Join(id.TokenScopes, " ")))
				return
			}
			rt.Handler(w, r)
			return
		}
		if isAPI {
			if err := httpauth.From(r).TokenErr; err != nil {
				s.api.Error(w, r, err)
				return
			}
			s.api.Error(w, r, errs.New(errs.Unauthorized, "error.sign_in_needed"))
			return
		}
		next := r.URL.RequestURI()
		if r.Method != http.MethodGet {
			next = r.Referer()
			if i := strings.Index(next, "://"); i >= 0 {
				if j := strings.Index(next[i+3:], "/"); j >= 0 {
					next = next[i+3+j:]
				} else {
					next = "/"
				}
			}
		}
		if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
			next = "/"
		}
		http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
	})
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.View(ctx, func(tx *store.Tx) error {
		var n int
		return tx.QueryRow(`SELECT 1`).Scan(&n)
	}); err != nil {
		s.log.Error("health check", "err", err)
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

// securityHeaders sets the headers every response carries. The policy allows
// only this origin's own styles and scripts: no inline code, no third party.
func securityHeaders(next http.Handler, secure func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Invitation codes travel in links: never let them leak as a referrer.
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if secure(r) { // over TLS, or behind a trusted proxy that terminates it
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logRequests logs each request by its route pattern — never its path (which
// may hold an invitation code), its query, or the client's address.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "(none)"
		}
		s.log.Info("request", "method", r.Method, "route", route, "status", sw.status, "ms", float64(time.Since(start).Microseconds())/1000)
	})
}

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression); return w }}

// gzipWriter compresses a response once its first bytes are written.
type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	started bool
}

func (w *gzipWriter) WriteHeader(code int) {
	if !w.started {
		w.started = true
		ct := w.Header().Get("Content-Type")
		if code != http.StatusNoContent && code != http.StatusNotModified && w.Header().Get("Content-Encoding") == "" &&
			(strings.HasPrefix(ct, "text/") || strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "image/svg")) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Del("Content-Length")
			w.gz = gzipPool.Get().(*gzip.Writer)
			w.gz.Reset(w.ResponseWriter)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.started {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		w.WriteHeader(http.StatusOK)
	}
	if w.gz != nil {
		return w.gz.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *gzipWriter) close() {
	if w.gz != nil {
		w.gz.Close()
		gzipPool.Put(w.gz)
	}
}

func gzipResponses(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}
