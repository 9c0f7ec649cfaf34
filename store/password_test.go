package store_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"asamblea/accounts"
	"asamblea/errs"
	"asamblea/store"
)

func TestChangePassword(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		u := mustUser(t, db, "Rosa")
		old := "una contraseña larga de Rosa"
		lim := store.SessionLimits{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}
		here, _ := db.CreateSession(ctx, u.ID, "Firefox · Android")
		_, keep, err := db.SessionUser(ctx, here, lim)
		if err != nil {
			t.Fatal(err)
		}
		other, _ := db.CreateSession(ctx, u.ID, "Chrome · Linux")
		tok, err := db.CreateToken(ctx, u.ID, accounts.TokenSpec{Name: "mi script", Scopes: []string{accounts.ScopeWrite}})
		if err != nil {
			t.Fatal(err)
		}
		juan := mustUser(t, db, "Juan")
		juanSession, _ := db.CreateSession(ctx, juan.ID, "KaiOS")

		for name, tc := range map[string]struct {
			current, next, field, key string
		}{
			"ErrCurrentWrong": {"no es la contraseña", "una frase nueva y larga", "current", "account.password.wrong"},
			"ErrCurrentEmpty": {"", "una frase nueva y larga", "current", "account.password.wrong"},
			"ErrNewShort":     {old, "corta", "password", "account.password.too_short"},
			"ErrNewCommon":    {old, "123456789012", "password", "account.password.common"},
			"ErrNewSame":      {old, old, "password", "account.password.same"},
		} {
			t.Run(name, func(t *testing.T) {
				before := journalLen(t, db)
				err := db.ChangePassword(ctx, u.ID, fastHasher, tc.current, tc.next, keep)
				wantCode(t, err, errs.Invalid, tc.key)
				if f := errs.As(err).Field; f != tc.field {
					t.Fatalf("error on field %q, want %q", f, tc.field)
				}
				if journalLen(t, db) != before {
					t.Fatal("a refused change was journalled")
				}
				if _, err := db.Authenticate(ctx, "Rosa", old); err != nil {
					t.Fatalf("the old password stopped working: %v", err)
				}
				if _, _, err := db.SessionUser(ctx, other, lim); err != nil {
					t.Fatalf("a refused change ended a session: %v", err)
				}
			})
		}

		t.Run("OK", func(t *testing.T) {
			before := journalLen(t, db)
			next := "una frase nueva y larga"
			if err := db.ChangePassword(ctx, u.ID, fastHasher, old, next, keep); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Authenticate(ctx, "Rosa", next); err != nil {
				t.Fatalf("the new password does not work: %v", err)
			}
			_, err := db.Authenticate(ctx, "Rosa", old)
			wantCode(t, err, errs.Unauthorized, "account.login.failed")
			// This device stays signed in, the others are signed out; API
			// tokens and other people's sessions are left alone.
			if _, _, err := db.SessionUser(ctx, here, lim); err != nil {
				t.Fatalf("the session that changed it ended: %v", err)
			}
			_, _, err = db.SessionUser(ctx, other, lim)
			wantCode(t, err, errs.Unauthorized, "")
			if _, _, err := db.TokenUser(ctx, tok.Secret); err != nil {
				t.Fatalf("an API token was revoked: %v", err)
			}
			if _, _, err := db.SessionUser(ctx, juanSession, lim); err != nil {
				t.Fatalf("someone else's session ended: %v", err)
			}
			if journalLen(t, db) != before+1 {
				t.Fatal("the change was not journalled")
			}
			rows, err := db.RawRows(ctx, `SELECT actor, payload FROM journal WHERE kind = 'account.password_changed'`)
			if err != nil || len(rows) != 1 {
				t.Fatalf("journal entries = %v, %v", rows, err)
			}
			if rows[0][0] != strconv.FormatInt(u.ID, 10) || strings.Contains(rows[0][1], "frase") || strings.Contains(rows[0][1], "argon2") {
				t.Fatalf("journal entry: actor %s, payload %s", rows[0][0], rows[0][1])
			}
			// The old password cannot change it again.
			err = db.ChangePassword(ctx, u.ID, fastHasher, old, "otra frase larga más", keep)
			wantCode(t, err, errs.Invalid, "account.password.wrong")
		})

		t.Run("KeepNone", func(t *testing.T) {
			// A caller with an API token has no session to keep: all end.
			if err := db.ChangePassword(ctx, u.ID, fastHasher, "una frase nueva y larga", "la tercera frase larga", 0); err != nil {
				t.Fatal(err)
			}
			_, _, err := db.SessionUser(ctx, here, lim)
			wantCode(t, err, errs.Unauthorized, "")
			if _, _, err := db.TokenUser(ctx, tok.Secret); err != nil {
				t.Fatalf("an API token was revoked: %v", err)
			}
		})
	})
}
