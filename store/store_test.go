package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/store"
)

// fastHasher keeps tests quick; production uses accounts.DefaultHasher.
var fastHasher = accounts.Hasher{Time: 1, MemoryKiB: 64, Threads: 1}

// eachDB runs fn against a fresh SQLite database, and against a fresh
// PostgreSQL schema when ASAMBLEA_TEST_POSTGRES holds a URL.
func eachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		fn(t, MustOpenSQLite(t))
	})
	if os.Getenv("ASAMBLEA_TEST_POSTGRES") == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) {
		fn(t, MustOpenPostgres(t))
	})
}

// MustOpenSQLite opens and migrates a database in a temporary directory.
func MustOpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

// MustOpenPostgres creates a schema of its own in ASAMBLEA_TEST_POSTGRES's
// database, migrates it, and drops it when the test ends.
func MustOpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	base := os.Getenv("ASAMBLEA_TEST_POSTGRES")
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("postgres at ASAMBLEA_TEST_POSTGRES: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := store.Open(u.String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		db.Close()
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatal(err)
	}
	return db
}

var ctx = context.Background()

func validPlace(code string) bool { return code == "210101" || code == "080101" }

func mustUser(t testing.TB, db *store.DB, name string) accounts.User {
	t.Helper()
	u, err := db.CreateUser(ctx, fastHasher, name, "una contraseña larga de "+name, "es")
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func mustCommittee(t testing.TB, db *store.DB, actor int64, public bool) bodies.Body {
	t.Helper()
	b, err := db.CreateCommittee(ctx, actor, bodies.Input{Name: "Comité de Lucha de Juliaca", Sector: "workers", Place: "210101", Public: public}, validPlace)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// journalLen is the number of journal entries, which must not move when a
// change is refused.
func journalLen(t testing.TB, db *store.DB) int64 {
	t.Helper()
	n, err := db.VerifyJournal()
	if err != nil {
		t.Fatalf("journal does not verify: %v", err)
	}
	return n
}

func wantCode(t testing.TB, err error, code errs.Code, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error %s, got success", code, key)
	}
	e := errs.As(err)
	if e.Code != code || (key != "" && e.Key != key) {
		t.Fatalf("want %s %s, got %v", code, key, err)
	}
}

func TestMigrate(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second migrate applied %d (err %v), want 0", n, err)
		}
	})
}

func TestCreateUser(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		u := mustUser(t, db, "Rosa Quispe")
		if u.ID == 0 || u.Name != "Rosa Quispe" {
			t.Fatalf("user = %+v", u)
		}
		before := journalLen(t, db)
		tests := map[string]struct {
			name, password string
			code           errs.Code
			key            string
		}{
			"ErrNameTakenOtherCase": {"ROSA QUISPE", "una contraseña muy larga", errs.Invalid, "account.name.taken"},
			"ErrNameEmpty":          {"   ", "una contraseña muy larga", errs.Invalid, "error.required"},
			"ErrNameTooLong":        {strings.Repeat("a", 41), "una contraseña muy larga", errs.Invalid, "error.too_long"},
			"ErrNameMarkup":         {"<script>", "una contraseña muy larga", errs.Invalid, "error.bad_characters"},
			"ErrPasswordShort":      {"Juan", "corta", errs.Invalid, "account.password.too_short"},
			"ErrPasswordLong":       {"Juan", strings.Repeat("x", 129), errs.Invalid, "account.password.too_long"},
			"ErrPasswordCommon":     {"Juan", "123456789012", errs.Invalid, "account.password.common"},
		}
		for name, tc := range tests {
			t.Run(name, func(t *testing.T) {
				_, err := db.CreateUser(ctx, fastHasher, tc.name, tc.password, "es")
				wantCode(t, err, tc.code, tc.key)
			})
		}
		if after := journalLen(t, db); after != before {
			t.Fatalf("refused sign-ups wrote %d journal entries", after-before)
		}
		if _, err := db.Authenticate(ctx, "rosa quispe", "una contraseña larga de Rosa Quispe"); err != nil {
			t.Fatalf("login: %v", err)
		}
		_, err := db.Authenticate(ctx, "Rosa Quispe", "otra contraseña cualquiera")
		wantCode(t, err, errs.Unauthorized, "account.login.failed")
		_, err = db.Authenticate(ctx, "Nadie", "otra contraseña cualquiera")
		wantCode(t, err, errs.Unauthorized, "account.login.failed")
	})
}

func TestSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		u := mustUser(t, db, "Rosa")
		lim := store.SessionLimits{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}
		tok, err := db.CreateSession(ctx, u.ID, "Firefox · Android")
		if err != nil {
			t.Fatal(err)
		}
		got, sid, err := db.SessionUser(ctx, tok, lim)
		if err != nil || got.ID != u.ID {
			t.Fatalf("session user = %v, %v", got, err)
		}
		tok2, _ := db.CreateSession(ctx, u.ID, "Chrome · Linux")
		list, err := db.Sessions(ctx, u.ID, sid)
		if err != nil || len(list) != 2 {
			t.Fatalf("sessions = %v, %v", list, err)
		}
		if err := db.EndSession(ctx, u.ID, sid); err != nil {
			t.Fatal(err)
		}
		_, _, err = db.SessionUser(ctx, tok, lim)
		wantCode(t, err, errs.Unauthorized, "")

		other := mustUser(t, db, "Juan")
		_, sid2, _ := db.SessionUser(ctx, tok2, lim)
		wantCode(t, db.EndSession(ctx, other.ID, sid2), errs.NotFound, "")

		t.Run("IdleExpiry", func(t *testing.T) {
			now := time.Now()
			db.Now = func() time.Time { return now.Add(31 * time.Minute) }
			defer func() { db.Now = time.Now }()
			_, _, err := db.SessionUser(ctx, tok2, lim)
			wantCode(t, err, errs.Unauthorized, "account.session.expired")
		})
		t.Run("Purge", func(t *testing.T) {
			fresh, _ := db.CreateSession(ctx, u.ID, "Firefox · Android")
			now := time.Now()
			db.Now = func() time.Time { return now.Add(-2 * time.Hour) }
			old, _ := db.CreateSession(ctx, other.ID, "KaiOS")
			db.Now = time.Now
			n, err := db.PurgeSessions(ctx, lim)
			if err != nil || n != 1 {
				t.Fatalf("purged %d, %v; want the one idle for two hours", n, err)
			}
			if _, _, err := db.SessionUser(ctx, old, lim); !errs.Is(err, errs.Unauthorized) {
				t.Fatal("the idle session survived")
			}
			if _, _, err := db.SessionUser(ctx, fresh, lim); err != nil {
				t.Fatalf("a live session was purged: %v", err)
			}
		})
	})
}

func TestTokens(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		u := mustUser(t, db, "Rosa")
		tk, err := db.CreateToken(ctx, u.ID, accounts.TokenSpec{Name: "script", Scopes: []string{accounts.ScopeWrite}})
		if err != nil || !strings.HasPrefix(tk.Secret, accounts.APITokenPrefix) {
			t.Fatalf("token = %+v, %v", tk, err)
		}
		got, _, err := db.TokenUser(ctx, tk.Secret)
		if err != nil || got.ID != u.ID {
			t.Fatalf("token user = %v, %v", got, err)
		}
		if err := db.RevokeToken(ctx, u.ID, tk.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = db.TokenUser(ctx, tk.Secret)
		wantCode(t, err, errs.Unauthorized, "account.token.invalid")
	})
}

func TestCommitteeMembership(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		rosa, juan, ana := mustUser(t, db, "Rosa"), mustUser(t, db, "Juan"), mustUser(t, db, "Ana")
		b := mustCommittee(t, db, rosa.ID, true)

		inv, err := db.CreateInvitation(ctx, rosa.ID, b.ID, bodies.InvitationInput{MaxUses: 2, Days: 7})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []accounts.User{juan, ana} {
			// People type codes in lower case with spaces.
			if _, err := db.Join(ctx, u.ID, strings.ToLower(strings.ReplaceAll(inv.Code, "-", " "))); err != nil {
				t.Fatalf("%s joins: %v", u.Name, err)
			}
		}
		carla := mustUser(t, db, "Carla")
		_, err = db.Join(ctx, carla.ID, inv.Code)
		wantCode(t, err, errs.Invalid, "invitation.used")

		if err := db.SetRole(ctx, rosa.ID, b.ID, juan.ID, bodies.Secretary); err != nil {
			t.Fatal(err)
		}
		if err := db.SetRole(ctx, rosa.ID, b.ID, ana.ID, bodies.Facilitator); err != nil {
			t.Fatal(err)
		}
		members, counts, err := db.Members(ctx, juan.ID, b.ID, 100, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(members) != 3 || counts[bodies.Facilitator] != 2 || counts[bodies.Secretary] != 1 {
			t.Fatalf("members = %v, counts = %v", members, counts)
		}
		got, role, err := db.Body(ctx, juan.ID, b.ID)
		if err != nil || got.Members != 3 || role != bodies.Secretary {
			t.Fatalf("body = %+v role %s err %v", got, role, err)
		}

		before := journalLen(t, db)
		t.Run("ErrSecretaryCannotChangeRoles", func(t *testing.T) {
			wantCode(t, db.SetRole(ctx, juan.ID, b.ID, juan.ID, bodies.Facilitator), errs.Forbidden, "")
		})
		t.Run("ErrOutsiderCannotInvite", func(t *testing.T) {
			_, err := db.CreateInvitation(ctx, carla.ID, b.ID, bodies.InvitationInput{MaxUses: 1, Days: 1})
			wantCode(t, err, errs.Forbidden, "")
		})
		t.Run("ErrOutsiderCannotSeeMembers", func(t *testing.T) {
			_, _, err := db.Members(ctx, carla.ID, b.ID, 10, 0)
			wantCode(t, err, errs.Forbidden, "")
		})
		t.Run("ErrRemoveWithoutReason", func(t *testing.T) {
			wantCode(t, db.RemoveMember(ctx, rosa.ID, b.ID, juan.ID, " "), errs.Invalid, "error.required")
		})
		t.Run("ErrUnknownRole", func(t *testing.T) {
			wantCode(t, db.SetRole(ctx, rosa.ID, b.ID, juan.ID, "president"), errs.Invalid, "body.role.unknown")
		})
		t.Run("ErrAlreadyMember", func(t *testing.T) {
			inv2, err := db.CreateInvitation(ctx, rosa.ID, b.ID, bodies.InvitationInput{MaxUses: 5, Days: 1})
			if err != nil {
				t.Fatal(err)
			}
			before = journalLen(t, db) // the invitation is a change
			_, err = db.Join(ctx, juan.ID, inv2.Code)
			wantCode(t, err, errs.Conflict, "body.already_member")
		})
		t.Run("ErrBadInvitations", func(t *testing.T) {
			_, err := db.CreateInvitation(ctx, rosa.ID, b.ID, bodies.InvitationInput{MaxUses: 0, Days: 1})
			wantCode(t, err, errs.Invalid, "invitation.max_uses.range")
			_, err = db.CreateInvitation(ctx, rosa.ID, b.ID, bodies.InvitationInput{MaxUses: 1, Days: 400})
			wantCode(t, err, errs.Invalid, "invitation.days.range")
			_, err = db.Join(ctx, carla.ID, "ABCD-EFGH-JKMN")
			wantCode(t, err, errs.NotFound, "invitation.not_found")
		})
		if after := journalLen(t, db); after != before {
			t.Fatalf("refused changes wrote %d journal entries", after-before)
		}

		t.Run("ExpiredAndRevoked", func(t *testing.T) {
			inv3, err := db.CreateInvitation(ctx, rosa.ID, b.ID, bodies.InvitationInput{MaxUses: 5, Days: 1})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Now()
			db.Now = func() time.Time { return now.Add(25 * time.Hour) }
			_, err = db.Join(ctx, carla.ID, inv3.Code)
			db.Now = time.Now
			wantCode(t, err, errs.Invalid, "invitation.expired")
			if err := db.RevokeInvitation(ctx, rosa.ID, b.ID, inv3.ID); err != nil {
				t.Fatal(err)
			}
			_, err = db.Join(ctx, carla.ID, inv3.Code)
			wantCode(t, err, errs.Invalid, "invitation.revoked")
		})

		t.Run("LastFacilitator", func(t *testing.T) {
			if err := db.SetRole(ctx, ana.ID, b.ID, rosa.ID, bodies.Member); err != nil {
				t.Fatal(err)
			}
			wantCode(t, db.Leave(ctx, ana.ID, b.ID), errs.Conflict, "body.last_facilitator")
			wantCode(t, db.SetRole(ctx, ana.ID, b.ID, ana.ID, bodies.Member), errs.Conflict, "body.last_facilitator")
			if err := db.RemoveMember(ctx, ana.ID, b.ID, juan.ID, "no vino a ninguna asamblea"); err != nil {
				t.Fatal(err)
			}
			if err := db.Leave(ctx, rosa.ID, b.ID); err != nil {
				t.Fatal(err)
			}
			got, _, _ := db.Body(ctx, ana.ID, b.ID)
			if got.Members != 1 {
				t.Fatalf("members = %d, want 1", got.Members)
			}
		})
	})
}

func TestPrivateBodyAndRequests(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		rosa, juan := mustUser(t, db, "Rosa"), mustUser(t, db, "Juan")
		b := mustCommittee(t, db, rosa.ID, false)
		got, _, err := db.Body(ctx, juan.ID, b.ID)
		if got.Name != "" {
			t.Fatalf("a private body shows outsiders its name: %+v", got)
		}
		wantCode(t, err, errs.NotFound, "body.not_found")
		_, err = db.CreateCommittee(ctx, rosa.ID, bodies.Input{Name: "X comité", Sector: "workers", Place: "999999"}, validPlace)
		wantCode(t, err, errs.Invalid, "body.place.unknown")
		if list, _ := db.PublicBodies(ctx, store.BodyFilter{}); len(list) != 0 {
			t.Fatalf("private body listed publicly: %v", list)
		}

		// Asking to join a private body gets the answer an id never issued
		// gets: it is joined by invitation. Requests are for public bodies.
		_, err = db.RequestToJoin(ctx, juan.ID, b.ID, "Soy del barrio")
		wantCode(t, err, errs.NotFound, "body.not_found")
		_, err = db.RequestToJoin(ctx, juan.ID, 999999, "Soy del barrio")
		wantCode(t, err, errs.NotFound, "body.not_found")
		b = mustCommittee(t, db, rosa.ID, true)
		r, err := db.RequestToJoin(ctx, juan.ID, b.ID, "Soy del barrio")
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.RequestToJoin(ctx, juan.ID, b.ID, "otra vez")
		wantCode(t, err, errs.Conflict, "request.pending")
		wantCode(t, db.DecideRequest(ctx, rosa.ID, b.ID, r.ID, false, ""), errs.Invalid, "error.required")
		wantCode(t, db.DecideRequest(ctx, juan.ID, b.ID, r.ID, true, ""), errs.Forbidden, "")
		reqs, err := db.JoinRequests(ctx, rosa.ID, b.ID)
		if err != nil || len(reqs) != 1 || reqs[0].Name != "Juan" {
			t.Fatalf("requests = %v, %v", reqs, err)
		}
		if err := db.DecideRequest(ctx, rosa.ID, b.ID, r.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if _, role, _ := db.Body(ctx, juan.ID, b.ID); role != bodies.Member {
			t.Fatalf("approved request: role %q", role)
		}
	})
}

func TestPublicBodies(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		rosa := mustUser(t, db, "Rosa")
		mustCommittee(t, db, rosa.ID, true)
		if _, err := db.CreateCommittee(ctx, rosa.ID, bodies.Input{Name: "Federación 100% cusqueña", Sector: "students", Place: "080101", Public: true}, validPlace); err != nil {
			t.Fatal(err)
		}
		tests := map[string]struct {
			f    store.BodyFilter
			want int
		}{
			"All":          {store.BodyFilter{}, 2},
			"ByName":       {store.BodyFilter{Query: "JULIACA"}, 1},
			"LikeIsEscape": {store.BodyFilter{Query: "0%"}, 1},
			"ByDepartment": {store.BodyFilter{Place: "08"}, 1},
			"None":         {store.BodyFilter{Query: "nada"}, 0},
		}
		for name, tc := range tests {
			t.Run(name, func(t *testing.T) {
				got, err := db.PublicBodies(ctx, tc.f)
				if err != nil || len(got) != tc.want {
					t.Fatalf("got %d bodies (%v), want %d", len(got), err, tc.want)
				}
			})
		}
	})
}

// TestVerifyCatchesTampering edits, reorders and removes journal rows with
// direct SQL, as someone with the database file could, and shows that verify
// names the first bad entry.
func TestVerifyCatchesTampering(t *testing.T) {
	tests := map[string]struct {
		sql  string
		want string
	}{
		"EditPayload":  {`UPDATE journal SET payload = '{"name":"otro"}' WHERE seq = 2`, "entry 2"},
		"EditActor":    {`UPDATE journal SET actor = 99 WHERE seq = 3`, "entry 3"},
		"RemoveMiddle": {`DELETE FROM journal WHERE seq = 2`, "entry 3"},
		"RemoveLast":   {`DELETE FROM journal WHERE seq = (SELECT MAX(seq) FROM journal)`, "entries removed"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			eachDB(t, func(t *testing.T, db *store.DB) {
				rosa := mustUser(t, db, "Rosa")
				mustCommittee(t, db, rosa.ID, true)
				mustUser(t, db, "Juan")
				if n := journalLen(t, db); n != 3 {
					t.Fatalf("journal has %d entries, want 3", n)
				}
				if err := db.ExecRaw(ctx, tc.sql); err != nil {
					t.Fatal(err)
				}
				_, err := db.VerifyJournal()
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("verify after tampering: %v, want error naming %q", err, tc.want)
				}
			})
		})
	}
}

func hasPostgres() bool { return os.Getenv("ASAMBLEA_TEST_POSTGRES") != "" }
