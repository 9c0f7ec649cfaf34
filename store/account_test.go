package store_test

import (
	"strconv"
	"testing"

	"asamblea/accounts"
	"asamblea/errs"
	"asamblea/federation"
	"asamblea/store"
)

// TestDeleteAccount: a delegate deletes their account. They leave every
// body, their seat goes to the alternate, they cannot sign in, their
// name is gone from the rows, and the journal says only that an account
// was deleted. Before that, their export holds what the server knows.
func TestDeleteAccount(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		c, a, users := delegation(t, db, 6, federation.SeatRule{Mode: federation.Fixed, Fixed: 1})
		elect(t, db, c, a, users, users[1:3], 1)
		seats, alts := seated(t, db, users[0].ID, c.ID)
		if len(seats) != 1 || len(alts) != 1 {
			t.Fatalf("seats %v, alternates %v", seats, alts)
		}
		var d accounts.User
		for _, u := range users {
			if u.Name == seats[0] {
				d = u
			}
		}
		if _, err := db.CreateSession(ctx, d.ID, "KaiOS"); err != nil {
			t.Fatal(err)
		}
		x, err := db.ExportAccount(ctx, d.ID)
		if err != nil || x.User.Name != d.Name || len(x.Memberships) != 1 || len(x.Sessions) != 1 || len(x.Ballots) != 1 || len(x.Journal) == 0 {
			t.Fatalf("export: %+v %v", x, err)
		}

		// The only facilitator must hand over first: the refusal names the body.
		err = db.DeleteAccount(ctx, users[0].ID)
		wantCode(t, err, errs.Conflict, "acct.delete.last_facilitator")
		if e := errs.As(err); len(e.Args) != 1 || e.Args[0] != c.Name {
			t.Fatalf("the refusal does not name the body: %+v", e)
		}

		if err := db.DeleteAccount(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		seats, _ = seated(t, db, users[0].ID, c.ID)
		if len(seats) != 1 || seats[0] != alts[0] {
			t.Fatalf("after the delegate's account was deleted, seats are %v; want the alternate %s", seats, alts[0])
		}
		if ms, _ := db.Memberships(ctx, d.ID); len(ms) != 0 {
			t.Fatalf("memberships remain: %v", ms)
		}
		if _, err := db.Authenticate(ctx, d.Name, "una contraseña larga de "+d.Name); !errs.Is(err, errs.Unauthorized) {
			t.Fatal("a deleted account still signs in")
		}
		rows, _ := db.RawRows(ctx, `SELECT name, password_hash, lang FROM users WHERE id = ?`, d.ID)
		if rows[0][0] != store.DeletedName(d.ID) || rows[0][1] != "" {
			t.Fatalf("the deleted account's row: %v", rows[0])
		}
		if n, _ := db.RawRows(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = ?`, d.ID); n[0][0] != "0" {
			t.Fatal("sessions remain")
		}
		last, _ := db.RawRows(ctx, `SELECT kind, payload FROM journal ORDER BY seq DESC LIMIT 1`)
		if last[0][0] != "account.deleted" || last[0][1] != `{"user":`+strconv.FormatInt(d.ID, 10)+`}` {
			t.Fatalf("last journal entry: %v", last[0])
		}
		if _, err := db.VerifyJournal(); err != nil {
			t.Fatal(err)
		}
	})
}
