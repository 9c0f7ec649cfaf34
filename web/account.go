package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/store"
)

type homeData struct {
	Memberships []bodies.Membership
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	id := httpauth.From(r)
	var d homeData
	if id.User != nil {
		ms, err := s.db.Memberships(r.Context(), id.User.ID)
		if err != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		d.Memberships = ms
	}
	s.render(w, r, http.StatusOK, "home", s.page(r, "home.title", d))
}

func (s *Server) signupForm(w http.ResponseWriter, r *http.Request) {
	p := s.page(r, "signup.title", nil)
	next := r.URL.Query().Get("next")
	p.Form.Set("next", next)
	if code, ok := strings.CutPrefix(next, "/join/"); ok {
		p.Form.Set("code", code) // coming from an invitation's page
	}
	p.Data = signupData{InviteOnly: s.auth.InviteOnly()}
	s.render(w, r, http.StatusOK, "signup", p)
}

// signupData tells the sign-up page whether it asks for an invitation.
type signupData struct{ InviteOnly bool }

func (s *Server) signup(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	p := s.page(r, "signup.title", nil)
	p.Data = signupData{InviteOnly: s.auth.InviteOnly()}
	p.Form = url.Values{"name": {r.PostForm.Get("name")}, "next": {r.PostForm.Get("next")}, "code": {r.PostForm.Get("code")}}
	pw := r.PostForm.Get("password")
	if pw != r.PostForm.Get("password2") {
		s.fail(w, r, errs.Field("password2", "account.password.mismatch"), "signup", p)
		return
	}
	u, err := s.auth.SignUp(r, s.hasher, r.PostForm.Get("name"), pw, r.PostForm.Get("code"))
	if err != nil {
		s.fail(w, r, err, "signup", p)
		return
	}
	if err := s.auth.SignIn(w, r, u); err != nil {
		s.fail(w, r, err, "signup", p)
		return
	}
	redirect(w, r, localNext(r.PostForm.Get("next"), "/?done=welcome"))
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	p := s.page(r, "login.title", nil)
	p.Form.Set("next", r.URL.Query().Get("next"))
	s.render(w, r, http.StatusOK, "login", p)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	p := s.page(r, "login.title", nil)
	name := r.PostForm.Get("name")
	p.Form = url.Values{"name": {name}, "next": {r.PostForm.Get("next")}}
	u, err := s.auth.Login(r, name, r.PostForm.Get("password"))
	if err != nil {
		s.fail(w, r, err, "login", p)
		return
	}
	if err := s.auth.SignIn(w, r, u); err != nil {
		s.fail(w, r, err, "login", p)
		return
	}
	redirect(w, r, localNext(r.PostForm.Get("next"), "/"))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	if err := s.auth.SignOut(w, r); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, "/?done=bye")
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	lang := s.cat.Resolve(r.PostForm.Get("lang"))
	if lang == "" {
		lang = i18n.Default
	}
	s.auth.SetLang(w, r, lang)
	if id := httpauth.From(r); id.User != nil {
		s.db.SetLang(r.Context(), id.User.ID, lang)
	}
	redirect(w, r, localNext(r.PostForm.Get("next"), "/"))
}

type accountData struct {
	Sessions []accounts.Session
	Tokens   []accounts.Token
	NewToken *accounts.Token
	// Migrated: a token made before scopes is still listed, so its owner
	// is told it became read-only with a 30-day expiry.
	Migrated bool
	Words    []store.OwnWords // the person's words in the journal, which they may erase
	now      time.Time
}

// Expired reports whether t has lapsed.
func (d accountData) Expired(t accounts.Token) bool { return !d.now.Before(t.ExpiresAt) }

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, nil, http.StatusOK, nil)
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, tok *accounts.Token, status int, formErr error) {
	id := httpauth.From(r)
	d := accountData{NewToken: tok}
	var err error
	if d.Sessions, err = s.db.Sessions(r.Context(), id.User.ID, id.SessionID); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if d.Tokens, err = s.db.Tokens(r.Context(), id.User.ID); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if d.Words, err = s.db.OwnWordsList(r.Context(), id.User.ID, 20); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	d.now = s.db.Now()
	for _, t := range d.Tokens {
		d.Migrated = d.Migrated || t.Migrated
	}
	p := s.page(r, "account.title", d)
	if formErr != nil {
		s.fail(w, r, formErr, "account", p)
		return
	}
	s.render(w, r, status, "account", p)
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	sid, err := pathID(r, "id")
	if err == nil {
		err = s.db.EndSession(r.Context(), httpauth.From(r).UserID(), sid)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if sid == httpauth.From(r).SessionID {
		s.auth.SignOut(w, r)
		redirect(w, r, "/?done=bye")
		return
	}
	redirect(w, r, "/account?done=session_ended")
}

// changePassword changes the person's password; they stay signed in here
// and everywhere else they are signed out. Nothing typed is sent back.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	next := r.PostForm.Get("password")
	var err error
	if next != r.PostForm.Get("password2") {
		err = errs.Field("password2", "account.password.mismatch")
	} else {
		err = s.auth.ChangePassword(r, s.hasher, r.PostForm.Get("current"), next)
	}
	if err != nil {
		s.renderAccount(w, r, nil, 0, err)
		return
	}
	redirect(w, r, "/account?done=password_changed")
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	days := 0
	if d := r.PostForm.Get("expires_in_days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			s.renderAccount(w, r, nil, 0, errs.Field("expires_in_days", "acct.token.days", accounts.MaxTokenDays))
			return
		}
		days = n
	}
	spec, err := accounts.CleanTokenSpec(accounts.TokenSpec{Name: r.PostForm.Get("name"), Scopes: r.PostForm["scopes"], Days: days})
	if err == nil {
		err = s.auth.ConfirmPassword(r, r.PostForm.Get("token_password"))
		if errs.As(err).Field == "password" {
			// The page has a password-change form too: the error goes
			// beside this form's field.
			err = errs.Field("token_password", errs.As(err).Key)
		}
	}
	var t accounts.Token
	if err == nil {
		t, err = s.db.CreateToken(r.Context(), httpauth.From(r).UserID(), spec)
	}
	if err != nil {
		s.renderAccount(w, r, nil, 0, err)
		return
	}
	s.renderAccount(w, r, &t, http.StatusCreated, nil)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	tid, err := pathID(r, "id")
	if err == nil {
		err = s.db.RevokeToken(r.Context(), httpauth.From(r).UserID(), tid)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, "/account?done=token_revoked")
}

type noticeView struct {
	Text, Link string
	At         time.Time
	Read       bool
}

// notices shows a person's notices in their language and marks them read.
func (s *Server) notices(w http.ResponseWriter, r *http.Request) {
	id := httpauth.From(r)
	ns, err := s.db.Notices(r.Context(), id.User.ID, 100)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "notices.title", nil)
	var views []noticeView
	for _, n := range ns {
		views = append(views, noticeView{Text: p.L.T(n.Message, n.Args...), Link: localNext(n.Link, ""), At: n.CreatedAt, Read: n.Read})
	}
	p.Data = views
	if p.Unread > 0 {
		if err := s.db.MarkNoticesRead(r.Context(), id.User.ID); err != nil {
			s.fail(w, r, err, "", nil)
			return
		}
	}
	s.render(w, r, http.StatusOK, "notices", p)
}

// exportAccount sends everything the server holds about the person, as a
// JSON file.
func (s *Server) exportAccount(w http.ResponseWriter, r *http.Request) {
	x, err := s.db.ExportAccount(r.Context(), httpauth.From(r).UserID())
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="asamblea-mis-datos.json"`)
	w.Header().Set("Cache-Control", "no-store")
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	enc.Encode(x)
}

// deleteAccount deletes the person's account once their password is typed
// again, then signs them out of this browser as logout does.
func (s *Server) deleteAccount(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	err := s.auth.ConfirmPassword(r, r.PostForm.Get("delete_password"))
	if errs.As(err).Field == "password" {
		err = errs.Field("delete_password", errs.As(err).Key)
	}
	if err == nil {
		err = s.db.DeleteAccount(r.Context(), httpauth.From(r).UserID())
	}
	if err != nil {
		s.renderAccount(w, r, nil, 0, err)
		return
	}
	s.auth.SignOut(w, r) // the session is gone already; this clears the browser
	redirect(w, r, "/?done=deleted")
}

// eraseWords erases the person's words from one journal entry.
func (s *Server) eraseWords(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	seq, err := pathID(r, "seq")
	if err == nil {
		err = s.db.EraseContent(r.Context(), httpauth.From(r).UserID(), seq)
	}
	if err != nil {
		s.renderAccount(w, r, nil, 0, err)
		return
	}
	redirect(w, r, "/account?done=erased#words")
}
