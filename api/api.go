// Package api serves asamblea's JSON API under /api/v1, over the same store
// services as the pages. Requests authenticate with the session cookie (and
// then send the CSRF token in X-CSRF-Token on every change) or with a
// personal token in "Authorization: Bearer asm_…". Errors are
// {"error": {"code": …, "message": …, "field": …}} with a 4xx status, the
// message in the caller's language.
package api

import (
	_ "embed" // the OpenAPI document
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"

	"asamblea/accounts"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/places"
	"asamblea/store"
)

//go:embed openapi.json
var openapiJSON []byte

// OpenAPI returns the OpenAPI document.
func OpenAPI() []byte { return openapiJSON }

// API serves the JSON API.
type API struct {
	db     *store.DB
	cat    *i18n.Catalogs
	places *places.Table
	auth   *httpauth.Auth
	hasher accounts.Hasher
	log    *slog.Logger
}

// New returns the API.
func New(db *store.DB, cat *i18n.Catalogs, pl *places.Table, auth *httpauth.Auth, hasher accounts.Hasher, log *slog.Logger) *API {
	return &API{db: db, cat: cat, places: pl, auth: auth, hasher: hasher, log: log}
}

// Prefix of every API route.
const Prefix = "/api/v1"

// Routes lists the API's routes.
func (a *API) Routes() []httpauth.Route {
	pub, in := httpauth.Public, httpauth.SignedIn
	rt := func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route {
		return httpauth.Route{Method: method, Pattern: Prefix + path, Access: access, Handler: h}
	}
	routes := []httpauth.Route{
		rt("GET", "/openapi.json", pub, a.openapi),
		rt("POST", "/accounts", pub, a.signup),
		rt("POST", "/sessions", pub, a.login),
		rt("DELETE", "/sessions/current", in, a.logout),
		rt("GET", "/me", in, a.me),
		rt("DELETE", "/me", in, a.deleteMe),
		rt("GET", "/me/export", in, a.exportMe),
		rt("DELETE", "/journal/{seq}/content", in, a.eraseContent),
		rt("GET", "/me/sessions", in, a.sessions),
		rt("DELETE", "/me/sessions/{id}", in, a.endSession),
		rt("GET", "/me/tokens", in, a.tokens),
		rt("POST", "/me/tokens", in, a.createToken),
		rt("DELETE", "/me/tokens/{id}", in, a.revokeToken),
		rt("GET", "/me/bodies", in, a.myBodies),
		rt("PUT", "/me/password", in, a.changePassword),
		rt("PUT", "/me/lang", in, a.setLang),
		rt("GET", "/me/notices", in, a.notices),
		rt("GET", "/bodies", pub, a.listBodies),
		rt("POST", "/bodies", in, a.createBody),
		rt("GET", "/bodies/{id}", pub, a.getBody),
		rt("PUT", "/bodies/{id}", in, a.updateBody),
		rt("GET", "/bodies/{id}/members", in, a.members),
		rt("PUT", "/bodies/{id}/members/{user}/role", in, a.setRole),
		rt("POST", "/bodies/{id}/members/{user}/removal", in, a.removeMember),
		rt("POST", "/bodies/{id}/leave", in, a.leave),
		rt("GET", "/bodies/{id}/invitations", in, a.invitations),
		rt("POST", "/bodies/{id}/invitations", in, a.createInvitation),
		rt("DELETE", "/bodies/{id}/invitations/{inv}", in, a.revokeInvitation),
		rt("GET", "/bodies/{id}/requests", in, a.requests),
		rt("POST", "/bodies/{id}/requests", in, a.requestToJoin),
		rt("POST", "/bodies/{id}/requests/{req}/decision", in, a.decideRequest),
		rt("GET", "/bodies/{id}/journal", in, a.journal),
		rt("POST", "/join", in, a.join),
		rt("GET", "/join/{code}", pub, a.invitationBody),
		rt("POST", "/assemblies", in, a.createAssembly),
		rt("GET", "/bodies/{id}/affiliates", pub, a.affiliates),
		rt("GET", "/bodies/{id}/assemblies", pub, a.assemblies),
		rt("POST", "/bodies/{id}/affiliations", in, a.requestAffiliation),
		rt("POST", "/bodies/{id}/affiliations/{aff}/decision", in, a.decideAffiliation),
		rt("POST", "/affiliations/{aff}/end", in, a.endAffiliation),
		rt("GET", "/bodies/{id}/federation", pub, a.federation),
		rt("GET", "/bodies/{id}/delegates", in, a.delegatesOf),
		rt("GET", "/bodies/{id}/elections", in, a.electionsOf),
		rt("POST", "/bodies/{id}/elections", in, a.openElection),
		rt("GET", "/elections/{id}", in, a.getElection),
		rt("POST", "/elections/{id}/candidacy", in, a.stand),
		rt("POST", "/elections/{id}/nominations", in, a.nominate),
		rt("POST", "/elections/{id}/ballot", in, a.castBallot),
		rt("PUT", "/delegates/{id}/mandate", in, a.setMandate),
		rt("POST", "/delegates/{id}/recalls", in, a.openRecall),
		rt("GET", "/bodies/{id}/recalls", in, a.recallsOf),
		rt("GET", "/recalls/{id}", in, a.getRecall),
		rt("POST", "/recalls/{id}/vote", in, a.voteRecall),
		rt("GET", "/places", pub, a.searchPlaces),
		rt("GET", "/places/{code}", pub, a.getPlace),
	}
	return append(routes, a.motionRoutes(rt)...)
}

// errorBody is the shape of every API error.
type errorBody struct {
	Error struct {
		Code    errs.Code `json:"code"`
		Key     string    `json:"key"` // the message's key in the catalog, stable across languages
		Message string    `json:"message"`
		Field   string    `json:"field,omitempty"`
	} `json:"error"`
}

// Error writes err as a JSON error in the caller's language.
func (a *API) Error(w http.ResponseWriter, r *http.Request, err error) {
	e := errs.As(err)
	if e.Code == errs.Internal {
		a.log.Error("api request failed", "route", r.Pattern, "err", err)
	}
	var b errorBody
	b.Error.Code, b.Error.Key = e.Code, e.Key
	b.Error.Message = a.cat.Localizer(httpauth.From(r).Lang).T(e.Key, e.Args...)
	b.Error.Field = e.Field
	writeJSON(w, errs.Status(e.Code), b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}

// bodyMax bounds a request's JSON body.
const bodyMax = 64 << 10

// decode reads a JSON object into v. The body must be application/json, at
// most 64 KiB, one object with no unknown fields. For a browser session it
// also checks the CSRF header.
func (a *API) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	return a.csrf(w, r) && a.parse(w, r, v, bodyMax)
}

// parse reads the JSON body, at most max bytes, without the CSRF check, for
// signing in: a cross-site page can send neither application/json nor,
// through Go's cross-origin protection, any state-changing request at all.
func (a *API) parse(w http.ResponseWriter, r *http.Request, v any, max int64) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		a.Error(w, r, errs.New(errs.Invalid, "error.bad_json", "Content-Type must be application/json"))
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, max))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		a.Error(w, r, errs.New(errs.Invalid, "error.bad_json", jsonProblem(err)))
		return false
	}
	if _, err := dec.Token(); err != io.EOF {
		a.Error(w, r, errs.New(errs.Invalid, "error.bad_json", "more than one JSON value"))
		return false
	}
	return true
}

// csrf checks the CSRF header of a change made with a session cookie.
func (a *API) csrf(w http.ResponseWriter, r *http.Request) bool {
	id := httpauth.From(r)
	if id.User == nil || id.ViaToken || httpauth.CheckCSRF(r, r.Header.Get("X-CSRF-Token")) {
		return true
	}
	a.Error(w, r, errs.New(errs.Forbidden, "error.csrf"))
	return false
}

func jsonProblem(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("syntax error at byte %d", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Sprintf("field %q must be %s", typ.Field, typ.Type)
	case errors.As(err, &big):
		return fmt.Sprintf("body larger than %d KiB", big.Limit>>10)
	case errors.Is(err, io.EOF):
		return "empty body"
	}
	return err.Error()
}

func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, errs.New(errs.NotFound, "error.not_found")
	}
	return n, nil
}

func actor(r *http.Request) int64 { return httpauth.From(r).UserID() }

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiJSON)
}

// NotFound answers paths under /api/ that no route matches.
func (a *API) NotFound(w http.ResponseWriter, r *http.Request) {
	a.Error(w, r, errs.New(errs.NotFound, "error.not_found"))
}
