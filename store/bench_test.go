package store_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

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
				db.Stand(ctx, users[1].ID, e.ID, "", "")
				db.Stand(ctx, users[2].ID, e.ID, "", "")
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

// BenchmarkVoteIngestion casts ranked ballots in one election from 64
// goroutines: each is one durable transaction (the voter, the ranking's
// count, the journal entry). The design's budget is 2,000 votes a second.
func BenchmarkVoteIngestion(b *testing.B) {
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
			first, _ := db.CreateUser(ctx, h, "Facilitadora", "una contraseña bien larga", "es")
			n := b.N + 3
			loaded, err := db.BulkLoad(ctx, "x", []store.BulkCommittee{{Name: "Comité grande", Sector: "workers", Place: "211101", Members: names(n)}})
			if err != nil {
				b.Fatal(err)
			}
			c := loaded[0]
			a, err := db.CreateAssembly(ctx, c.Facilitator, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea", Sector: "other", Place: "210000"},
				Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 2}, Founders: []int64{c.Body}}, validAnyPlace)
			if err != nil {
				b.Fatal(err)
			}
			e, err := db.OpenElection(ctx, c.Facilitator, c.Body, delegates.ElectionInput{Assembly: a.ID, Hours: 24})
			if err != nil {
				b.Fatal(err)
			}
			ms, _, _ := db.Members(ctx, c.Facilitator, c.Body, 500, 0)
			cands := []int64{ms[0].UserID, ms[1].UserID, ms[2].UserID}
			for _, id := range cands {
				db.Stand(ctx, id, e.ID, "", "")
			}
			_ = first
			ids := make(chan int64, n)
			for i := int64(0); i < int64(b.N); i++ {
				ids <- c.Facilitator + 1 + i // the bulk members follow their facilitator
			}
			close(ids)
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for g := 0; g < 64; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					k := 0
					for id := range ids {
						k++
						r := []int64{cands[k%3], cands[(k+1)%3]}
						if err := db.CastRanking(ctx, id, e.ID, r); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "votes/s")
		})
	}
}

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("Votante %d", i)
	}
	return out
}
