package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"

	"asamblea/accounts"
	"asamblea/errs"
)

// dummyHash is verified against when a name is unknown, so that a login for
// an unknown name takes as long as one for a known name.
var dummyHash = accounts.DefaultHasher.Hash("not a password of anyone")

// SetPepper gives the store the node's password pepper (from its key
// ring, never from the database): every hash it writes from then on is
// peppered, and PepperPasswords pepper those written before.
func (db *DB) SetPepper(p *accounts.Pepper) { db.pepper = p }

func (db *DB) hashPassword(h accounts.Hasher, pw string) string {
	return accounts.WithPepper(h.Hash(pw), db.pepper)
}

func (db *DB) verifyPassword(hash, pw string) bool {
	return accounts.VerifyPeppered(hash, pw, db.pepper)
}

// PepperPasswords peppers, in one transaction, every stored password hash
// made before the node had a pepper, and returns how many. The pepper is
// applied over the argon2id output, so no password is needed.
func (db *DB) PepperPasswords(ctx context.Context) (int, error) {
	if db.pepper == nil {
		return 0, errors.New("store: no password pepper set")
	}
	n := 0
	err := db.Update(ctx, 0, func(tx *Tx) error {
		type row struct {
			id   int64
			hash string
		}
		var todo []row
		rows, err := tx.Query(`SELECT id, password_hash FROM users WHERE password_hash NOT LIKE '$argon2id+hmac$%'`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.hash); err != nil {
				rows.Close()
				return err
			}
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range todo {
			next := accounts.WithPepper(r.hash, db.pepper)
			if next == r.hash {
				continue
			}
			if _, err := tx.Exec(`UPDATE users SET password_hash = ? WHERE id = ?`, next, r.id); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return errNoHashes
		}
		return tx.Record("accounts.peppered", 0, map[string]any{"count": n})
	})
	if errors.Is(err, errNoHashes) {
		err = nil
	}
	return n, err
}

// errNoHashes rolls back a PepperPasswords that found nothing to do.
var errNoHashes = errors.New("no hash to pepper")

// CreateUser registers a person under a pseudonym. The password is hashed
// with h before the transaction starts.
func (db *DB) CreateUser(ctx context.Context, h accounts.Hasher, name, password, lang string) (accounts.User, error) {
	name, err := accounts.CleanName("name", name)
	if err != nil {
		return accounts.User{}, err
	}
	if err := accounts.CheckPassword(password); err != nil {
		return accounts.User{}, err
	}
	if accounts.NameKey(password) == accounts.NameKey(name) {
		return accounts.User{}, errs.Field("password", "account.password.is_name")
	}
	hash := db.hashPassword(h, password)
	u := accounts.User{Name: name, Lang: lang}
	err = db.Update(ctx, 0, func(tx *Tx) error {
		u.CreatedAt = tx.Now
		id, err := tx.Insert(`INSERT INTO users (name, name_key, password_hash, lang, created_at) VALUES (?, ?, ?, ?, ?)`,
			name, accounts.NameKey(name), hash, lang, us(tx.Now))
		if isUnique(err) {
			return errs.Field("name", "account.name.taken")
		}
		if err != nil {
			return err
		}
		u.ID = id
		tx.Actor = id
		return tx.Record("account.created", 0, map[string]any{"user": id, "name": name})
	})
	return u, err
}

// Authenticate checks a name and password. Any failure is the same
// Unauthorized error, whether the name exists or not.
func (db *DB) Authenticate(ctx context.Context, name, password string) (accounts.User, error) {
	var u accounts.User
	var hash string
	var created int64
	err := db.View(ctx, func(tx *Tx) error {
		return tx.QueryRow(`SELECT id, name, lang, password_hash, created_at FROM users WHERE name_key = ?`,
			accounts.NameKey(strings.TrimSpace(name))).Scan(&u.ID, &u.Name, &u.Lang, &hash, &created)
	})
	if errors.Is(err, sql.ErrNoRows) {
		accounts.VerifyPassword(dummyHash, password)
		return u, errs.New(errs.Unauthorized, "account.login.failed")
	}
	if err != nil {
		return u, err
	}
	if !db.verifyPassword(hash, password) {
		return accounts.User{}, errs.New(errs.Unauthorized, "account.login.failed")
	}
	u.CreatedAt = fromUS(created)
	return u, nil
}

// ChangePassword replaces a person's password after checking the current
// one, and ends every other session of theirs but keepSession (0 for none):
// whoever knew the old password is signed out everywhere else. API tokens
// stay. A wrong current password is a field error on "current"; errors on
// "password" (the new one) come only once the current one proved right,
// which the login limits in httpauth.(*Auth).ChangePassword rely on. The
// argon2 work is done outside the transaction.
func (db *DB) ChangePassword(ctx context.Context, userID int64, h accounts.Hasher, current, next string, keepSession int64) error {
	var name, old string
	err := db.View(ctx, func(tx *Tx) error {
		return tx.QueryRow(`SELECT name, password_hash FROM users WHERE id = ?`, userID).Scan(&name, &old)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return errs.New(errs.Unauthorized, "error.sign_in_needed")
	}
	if err != nil {
		return err
	}
	if !db.verifyPassword(old, current) {
		return errs.Field("current", "account.password.wrong")
	}
	if err := accounts.CheckPassword(next); err != nil {
		return err
	}
	if accounts.NameKey(next) == accounts.NameKey(name) {
		return errs.Field("password", "account.password.is_name")
	}
	if db.verifyPassword(old, next) {
		return errs.Field("password", "account.password.same")
	}
	hash := db.hashPassword(h, next)
	return db.Update(ctx, userID, func(tx *Tx) error {
		// Only over the hash just checked: of two changes made at once with
		// the same current password, the second finds it gone.
		res, err := tx.Exec(`UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?`, hash, userID, old)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.Field("current", "account.password.wrong")
		}
		if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keepSession); err != nil {
			return err
		}
		return tx.Record("account.password_changed", 0, map[string]any{"user": userID})
	})
}

// CreateSession starts a session for user and returns its secret token.
// Sessions are credentials, not decisions of the movement: they are kept out
// of the journal, which other nodes replicate, so that the journal is not a
// record of when each person was online.
//
// A session's row keeps its times to the hour only: a seized copy must not
// be able to match a person's last activity to an anonymous report made
// in the same minute. The exact times, which the idle limit needs, live in
// this process's memory (see activity).
func (db *DB) CreateSession(ctx context.Context, userID int64, device string) (string, error) {
	token, hash := accounts.NewSecret()
	var sid int64
	err := db.Update(ctx, userID, func(tx *Tx) (err error) {
		hour := us(hourOf(tx.Now))
		sid, err = tx.Insert(`INSERT INTO sessions (token_hash, user_id, device, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)`,
			hash, userID, device, hour, hour)
		return err
	})
	if err == nil {
		db.activity.start(sid, db.Now())
	}
	return token, err
}

// SessionLimits bound a session's life.
type SessionLimits struct {
	Idle     time.Duration
	Absolute time.Duration
}

// SessionUser returns the user and session id of a session token, ending the
// session if it has been idle or alive too long. It writes nothing for a
// live session: its activity is noted in memory, and reaches the row, kept
// to the hour, only when FlushSessions writes every session's at once.
func (db *DB) SessionUser(ctx context.Context, token string, lim SessionLimits) (accounts.User, int64, error) {
	var u accounts.User
	var sid, created, seen, ucreated int64
	hash := accounts.HashSecret(token)
	err := db.View(ctx, func(tx *Tx) error {
		return tx.QueryRow(`SELECT s.id, s.created_at, s.last_seen_at, u.id, u.name, u.lang, u.created_at
			FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, hash).
			Scan(&sid, &created, &seen, &u.ID, &u.Name, &u.Lang, &ucreated)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return u, 0, errs.New(errs.Unauthorized, "error.sign_in_needed")
	}
	if err != nil {
		return u, 0, err
	}
	u.CreatedAt = fromUS(ucreated)
	now := db.Now()
	c, l := db.activity.times(sid, fromUS(created), fromUS(seen))
	if now.Sub(l) > lim.Idle || now.Sub(c) > lim.Absolute {
		db.Update(ctx, u.ID, func(tx *Tx) error {
			_, err := tx.Exec(`DELETE FROM sessions WHERE id = ?`, sid)
			return err
		})
		db.activity.end(sid)
		return accounts.User{}, 0, errs.New(errs.Unauthorized, "account.session.expired")
	}
	db.activity.seen(sid, fromUS(created), now)
	return u, sid, nil
}

// activity holds sessions' exact times in memory only.
type activity struct {
	mu     sync.Mutex
	m      map[int64]*sessionTimes
	tokens map[int64]time.Time // API tokens used on a day their row does not say yet
}

type sessionTimes struct {
	created, seen time.Time
	dirty         bool // seen in an hour the row does not say yet
	stored        time.Time
}

func (a *activity) start(sid int64, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[int64]*sessionTimes{}
	}
	a.m[sid] = &sessionTimes{created: now, seen: now, stored: hourOf(now)}
}

func (a *activity) exact(sid int64) (sessionTimes, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t, ok := a.m[sid]; ok && !t.created.IsZero() {
		return *t, true
	}
	return sessionTimes{}, false
}

func (a *activity) usedToken(id int64, day time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tokens == nil {
		a.tokens = map[int64]time.Time{}
	}
	a.tokens[id] = day
}

func (a *activity) end(sid int64) {
	a.mu.Lock()
	delete(a.m, sid)
	a.mu.Unlock()
}

// times are a session's creation and last activity: exact if this process
// saw them, else from the row's hours. After a restart a session counts
// as created at the start of its hour (it ends up to an hour early) and as
// last seen at the end of its hour (an idle one lasts up to an hour more),
// so that a restart does not sign everyone out.
func (a *activity) times(sid int64, created, seenHour time.Time) (time.Time, time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if t, ok := a.m[sid]; ok {
		return t.created, t.seen
	}
	return created, seenHour.Add(time.Hour - time.Microsecond)
}

func (a *activity) seen(sid int64, created, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[int64]*sessionTimes{}
	}
	t, ok := a.m[sid]
	if !ok {
		t = &sessionTimes{created: created, stored: time.Time{}}
		a.m[sid] = t
	}
	if now.After(t.seen) {
		t.seen = now
	}
	if hourOf(t.seen) != t.stored {
		t.dirty = true
	}
}

// FlushSessions writes, in one transaction, the hour of every session
// seen in an hour its row does not say yet, and deletes the sessions
// idle or alive too long. serve runs it once an hour, apart from any
// request, so that no row is touched in the transaction, or just after
// the transaction, of something a person did.
func (db *DB) FlushSessions(ctx context.Context, lim SessionLimits) (int64, error) {
	return db.PurgeSessions(ctx, lim)
}

// PurgeSessions writes the sessions' hours (see FlushSessions) and deletes
// every session that has been idle or alive too long. An expired session
// is otherwise only deleted when its cookie comes back, and a seized
// database would show which devices were last seen when.
func (db *DB) PurgeSessions(ctx context.Context, lim SessionLimits) (int64, error) {
	now := db.Now()
	type upd struct {
		sid  int64
		hour time.Time
	}
	var ups []upd
	var gone []int64
	db.activity.mu.Lock()
	tokens := db.activity.tokens
	db.activity.tokens = nil
	for sid, t := range db.activity.m {
		switch {
		case now.Sub(t.seen) > lim.Idle || now.Sub(t.created) > lim.Absolute:
			gone = append(gone, sid)
		case t.dirty:
			ups = append(ups, upd{sid, hourOf(t.seen)})
		}
	}
	db.activity.mu.Unlock()
	var n int64
	err := db.Update(ctx, 0, func(tx *Tx) error {
		for _, u := range ups {
			if _, err := tx.Exec(`UPDATE sessions SET last_seen_at = ? WHERE id = ?`, us(u.hour), u.sid); err != nil {
				return err
			}
		}
		for _, sid := range gone {
			res, err := tx.Exec(`DELETE FROM sessions WHERE id = ?`, sid)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			n += k
		}
		for id, day := range tokens {
			if _, err := tx.Exec(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, us(day), id); err != nil {
				return err
			}
		}
		// Those this process never saw (since a restart): by their hours.
		res, err := tx.Exec(`DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`,
			us(now.Add(-lim.Idle-time.Hour)), us(now.Add(-lim.Absolute)))
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		n += k
		return err
	})
	if err != nil {
		return 0, err
	}
	db.activity.mu.Lock()
	for _, u := range ups {
		if t, ok := db.activity.m[u.sid]; ok {
			t.stored, t.dirty = u.hour, hourOf(t.seen) != u.hour
		}
	}
	for _, sid := range gone {
		delete(db.activity.m, sid)
	}
	db.activity.mu.Unlock()
	return n, nil
}

// Sessions lists a person's sessions, newest first.
func (db *DB) Sessions(ctx context.Context, userID, current int64) ([]accounts.Session, error) {
	var out []accounts.Session
	err := db.View(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(tx, func(row scanner, s *accounts.Session) error {
			var c, l int64
			err := row.Scan(&s.ID, &s.Device, &c, &l)
			s.CreatedAt, s.LastSeen, s.Current = fromUS(c), fromUS(l), s.ID == current
			if t, ok := db.activity.exact(s.ID); ok {
				s.CreatedAt, s.LastSeen = t.created, t.seen
			}
			return err
		}, `SELECT id, device, created_at, last_seen_at FROM sessions WHERE user_id = ? ORDER BY last_seen_at DESC, id DESC`, userID)
		return err
	})
	return out, err
}

// EndSession ends one of the person's own sessions.
func (db *DB) EndSession(ctx context.Context, userID, sessionID int64) error {
	return db.Update(ctx, userID, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM sessions WHERE id = ? AND user_id = ?`, sessionID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.NotFound, "account.session.not_found")
		}
		return nil
	})
}

// EndAllSessions ends every session of a person but keep (0 for none).
func (db *DB) EndAllSessions(ctx context.Context, userID, keep int64) error {
	return db.Update(ctx, userID, func(tx *Tx) error {
		_, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, keep)
		return err
	})
}

// CreateToken makes a personal API token with spec's name, scopes and
// lifetime; its secret is in the result once. Whoever calls it has checked
// the owner's password (httpauth.ConfirmPassword): a token never makes one.
func (db *DB) CreateToken(ctx context.Context, userID int64, spec accounts.TokenSpec) (accounts.Token, error) {
	spec, err := accounts.CleanTokenSpec(spec)
	if err != nil {
		return accounts.Token{}, err
	}
	secret, _ := accounts.NewSecret()
	t := accounts.Token{Name: spec.Name, Secret: accounts.APITokenPrefix + secret, Scopes: spec.Scopes}
	hash := accounts.HashSecret(t.Secret)
	err = db.Update(ctx, userID, func(tx *Tx) error {
		t.CreatedAt, t.ExpiresAt = tx.Now, spec.Expiry(tx.Now)
		t.ID, err = tx.Insert(`INSERT INTO api_tokens (token_hash, user_id, name, created_at, scopes, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			hash, userID, spec.Name, usDay(tx.Now), strings.Join(spec.Scopes, " "), us(t.ExpiresAt))
		return err
	})
	return t, err
}

// Tokens lists a person's API tokens (without secrets), expired ones too
// until they are revoked, so that the owner sees what lapsed.
func (db *DB) Tokens(ctx context.Context, userID int64) ([]accounts.Token, error) {
	var out []accounts.Token
	err := db.View(ctx, func(tx *Tx) (err error) {
		out, err = queryAll(tx, func(row scanner, t *accounts.Token) error {
			var c, l, e int64
			var scopes string
			err := row.Scan(&t.ID, &t.Name, &c, &l, &scopes, &e, &t.Migrated)
			t.CreatedAt, t.LastUsed, t.ExpiresAt, t.Scopes = fromUS(c), fromUS(l), fromUS(e), strings.Fields(scopes)
			return err
		}, `SELECT id, name, created_at, last_used_at, scopes, expires_at, migrated <> 0 FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, userID)
		return err
	})
	return out, err
}

// RevokeToken deletes one of the person's API tokens.
func (db *DB) RevokeToken(ctx context.Context, userID, tokenID int64) error {
	return db.Update(ctx, userID, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM api_tokens WHERE id = ? AND user_id = ?`, tokenID, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.New(errs.NotFound, "account.token.not_found")
		}
		return nil
	})
}

// TokenUser returns the owner of an API token and the token (its scopes
// and expiry). An expired token is refused with its own reason, so that a
// script's owner knows to make a new one.
func (db *DB) TokenUser(ctx context.Context, secret string) (accounts.User, accounts.Token, error) {
	var u accounts.User
	var t accounts.Token
	var c, last, exp int64
	var scopes string
	err := db.View(ctx, func(tx *Tx) error {
		return tx.QueryRow(`SELECT t.id, t.last_used_at, t.scopes, t.expires_at, u.id, u.name, u.lang, u.created_at FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?`,
			accounts.HashSecret(secret)).Scan(&t.ID, &last, &scopes, &exp, &u.ID, &u.Name, &u.Lang, &c)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return u, t, errs.New(errs.Unauthorized, "account.token.invalid")
	}
	if err != nil {
		return u, t, err
	}
	u.CreatedAt = fromUS(c)
	t.Scopes, t.ExpiresAt = strings.Fields(scopes), fromUS(exp)
	if !db.Now().Before(t.ExpiresAt) {
		return accounts.User{}, t, errs.New(errs.Unauthorized, "acct.token.expired", t.ExpiresAt.UTC().Format("2006-01-02"))
	}
	// Last use is kept to the day and written by FlushSessions, never by
	// the request (which may be a write) that used the token.
	if day := dayOf(db.Now()); day.After(fromUS(last)) {
		db.activity.usedToken(t.ID, day)
	}
	return u, t, nil
}

// CheckPassword reports whether password is the person's: nil, or the
// same refusal a wrong current password gets.
func (db *DB) CheckPassword(ctx context.Context, userID int64, password string) error {
	var hash string
	err := db.View(ctx, func(tx *Tx) error {
		return tx.QueryRow(`SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return errs.New(errs.Unauthorized, "error.sign_in_needed")
	}
	if err != nil {
		return err
	}
	if !db.verifyPassword(hash, password) {
		return errs.Field("password", "account.password.wrong")
	}
	return nil
}

// SetLang records a person's chosen language.
func (db *DB) SetLang(ctx context.Context, userID int64, lang string) error {
	return db.Update(ctx, userID, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE users SET lang = ? WHERE id = ?`, lang, userID)
		return err
	})
}

// UserByName finds an account by its pseudonym (any case).
func (db *DB) UserByName(ctx context.Context, name string) (accounts.User, error) {
	var u accounts.User
	var c int64
	err := db.View(ctx, func(tx *Tx) error {
		return tx.QueryRow(`SELECT id, name, created_at FROM users WHERE name_key = ?`, accounts.NameKey(strings.TrimSpace(name))).Scan(&u.ID, &u.Name, &c)
	})
	u.CreatedAt = fromUS(c)
	return u, notFound(err, "body.member.not_found")
}
