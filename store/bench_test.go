package store_test

import (
	"fmt"
	"testing"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/delegates"
	"asamblea/federation"
	"asamblea/store"
)

// BenchmarkRecallTakesEffect times the last vote of a recall: it closes
// the recall, unseats the delegate, seats the first alternate and tells
// them, in one transaction. (Withdrawing the delegate's votes in open
// assembly votes joins it when assembly votes exist.)
func BenchmarkRecallTakesEffect(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			var db *store.DB
			if name == "sqlite" {
				db = MustOpenSQLite(b)
			} else {
				if !hasPostgres() {
					b.Skip("ASAMBLEA_TEST_POSTGRES not set")
				}
				db = MustOpenPostgres(b)
			}
			h := accounts.Hasher{Time: 1, MemoryKiB: 64, Threads: 1}
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				var users []accounts.User
				for j := 0; j < 5; j++ {
					u, err := db.CreateUser(ctx, h, fmt.Sprintf("Persona %d-%d", i, j), "una contraseña bien larga", "es")
					if err != nil {
						b.Fatal(err)
					}
					users = append(users, u)
				}
				c, _ := db.CreateCommittee(ctx, users[0].ID, bodies.Input{Name: fmt.Sprintf("Comité %d", i), Sector: "workers", Place: "211101", Public: true}, validAnyPlace)
				inv, _ := db.CreateInvitation(ctx, users[0].ID, c.ID, bodies.InvitationInput{MaxUses: 10, Days: 1})
				for _, u := range users[1:] {
					db.Join(ctx, u.ID, inv.Code)
				}
				a, err := db.CreateAssembly(ctx, users[0].ID, store.AssemblyInput{Input: bodies.Input{Name: fmt.Sprintf("Asamblea %d", i), Sector: "other", Place: "210000"},
					Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 1}, Founders: []int64{c.ID}}, validAnyPlace)
				if err != nil {
					b.Fatal(err)
				}
				e, _ := db.OpenElection(ctx, users[0].ID, c.ID, delegates.ElectionInput{Assembly: a.ID, Alternates: 1, Hours: 24})
				db.Stand(ctx, users[1].ID, e.ID, "")
				db.Stand(ctx, users[2].ID, e.ID, "")
				for _, u := range users {
					db.CastRanking(ctx, u.ID, e.ID, []int64{users[1].ID, users[2].ID})
				}
				ds, _ := db.Delegates(ctx, users[0].ID, c.ID)
				r, err := db.OpenRecall(ctx, users[3].ID, ds[0].ID, "prueba")
				if err != nil {
					b.Fatal(err)
				}
				for _, u := range users[:4] {
					db.VoteRecall(ctx, u.ID, r.ID, true)
				}
				b.StartTimer()
				if err := db.VoteRecall(ctx, users[4].ID, r.ID, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
