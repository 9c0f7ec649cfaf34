package api

import (
	"net/http"
	"strings"

	"asamblea/accounts"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/store"
)

type credentials struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Code     string `json:"code,omitempty"` // sign-up: an invitation code, needed when the server signs up by invitation
}

// signedIn is the answer to a sign-up or login: the user and the CSRF token
// to send in X-CSRF-Token with the session cookie.
type signedIn struct {
	User accounts.User `json:"user"`
	CSRF string        `json:"csrf_token"`
}

func (a *API) signup(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !a.parse(w, r, &c, bodyMax) {
		return
	}
	u, err := a.auth.SignUp(r, a.hasher, c.Name, c.Password, c.Code)
	if err == nil {
		err = a.auth.SignIn(w, r, u)
	}
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, signedIn{User: u, CSRF: httpauth.From(r).CSRF})
}

func (a *API) login(w http.ResponseWriter, r *http.Request) {
	var c credentials
	if !a.parse(w, r, &c, bodyMax) {
		return
	}
	u, err := a.auth.Login(r, c.Name, c.Password)
	if err == nil {
		err = a.auth.SignIn(w, r, u)
	}
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, signedIn{User: u, CSRF: httpauth.From(r).CSRF})
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	if err := a.auth.SignOut(w, r); err != nil {
		a.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, httpauth.From(r).User)
}

func (a *API) sessions(w http.ResponseWriter, r *http.Request) {
	id := httpauth.From(r)
	list, err := a.db.Sessions(r.Context(), id.UserID(), id.SessionID)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"sessions": nonNil(list)})
}

func (a *API) endSession(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	sid, err := pathID(r, "id")
	if err == nil {
		err = a.db.EndSession(r.Context(), actor(r), sid)
	}
	if err != nil {
		a.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// changePassword changes the caller's password. A session caller keeps its
// session; every other session ends. API tokens stay valid.
func (a *API) changePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Current  string `json:"current"`
		Password string `json:"password"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	if err := a.auth.ChangePassword(r, a.hasher, in.Current, in.Password); err != nil {
		a.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) tokens(w http.ResponseWriter, r *http.Request) {
	list, err := a.db.Tokens(r.Context(), actor(r))
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": nonNil(list)})
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name     string   `json:"name"`
		Password string   `json:"password"`
		Scopes   []string `json:"scopes"`
		Days     int      `json:"expires_in_days"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	spec, err := accounts.CleanTokenSpec(accounts.TokenSpec{Name: in.Name, Scopes: in.Scopes, Days: in.Days})
	if err != nil {
		a.Error(w, r, err)
		return
	}
	if err := a.auth.ConfirmPassword(r, in.Password); err != nil {
		a.Error(w, r, err)
		return
	}
	t, err := a.db.CreateToken(r.Context(), actor(r), spec)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	tid, err := pathID(r, "id")
	if err == nil {
		err = a.db.RevokeToken(r.Context(), actor(r), tid)
	}
	if err != nil {
		a.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// nonNil makes empty lists encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *API) setLang(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Lang string `json:"lang"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	if l := a.cat.Resolve(in.Lang); l != "" {
		in.Lang = l
	} else {
		a.Error(w, r, errs.Field("lang", "error.lang.unknown", strings.Join(a.cat.Offered(), ", ")))
		return
	}
	if err := a.db.SetLang(r.Context(), actor(r), in.Lang); err != nil {
		a.Error(w, r, err)
		return
	}
	a.auth.SetLang(w, r, in.Lang)
	w.WriteHeader(http.StatusNoContent)
}

// notices returns the caller's notices, each with its message rendered in
// the caller's language; reading them through the API leaves them unread.
func (a *API) notices(w http.ResponseWriter, r *http.Request) {
	ns, err := a.db.Notices(r.Context(), actor(r), 100)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	l := a.cat.Localizer(httpauth.From(r).Lang)
	type notice struct {
		store.Notice
		Text string `json:"text"`
	}
	out := []notice{}
	for _, n := range ns {
		out = append(out, notice{Notice: n, Text: l.T(n.Message, n.Args...)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"notices": out})
}

// exportMe answers with everything the server holds about the caller.
func (a *API) exportMe(w http.ResponseWriter, r *http.Request) {
	x, err := a.db.ExportAccount(r.Context(), actor(r))
	if err != nil {
		a.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, x)
}

// deleteMe deletes the caller's account, after their password.
func (a *API) deleteMe(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	if err := a.auth.ConfirmPassword(r, in.Password); err != nil {
		a.Error(w, r, err)
		return
	}
	if err := a.db.DeleteAccount(r.Context(), actor(r)); err != nil {
		a.Error(w, r, err)
		return
	}
	a.auth.SignOut(w, r)
	w.WriteHeader(http.StatusNoContent)
}

// eraseContent erases the words of a journal entry: the caller's own, or
// one about a body they facilitate.
func (a *API) eraseContent(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	seq, err := pathID(r, "seq")
	if err == nil {
		err = a.db.EraseContent(r.Context(), actor(r), seq)
	}
	if err != nil {
		a.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
