package store_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"asamblea/bodies"
	"asamblea/delegates"
	"asamblea/federation"
	"asamblea/motions"
	"asamblea/store"
	"asamblea/voting"
)

func benchDB(b *testing.B, name string) *store.DB {
	b.Helper()
	if name == "sqlite" {
		return MustOpenSQLite(b)
	}
	if !hasPostgres() {
		b.Skip("ASAMBLEA_TEST_POSTGRES not set")
	}
	return MustOpenPostgres(b)
}

// BenchmarkMotionVotes casts members' secret yes/no ballots on one motion
// from 64 goroutines; each is acknowledged only once committed. The
// design's budget is 2,000 durable votes a second on 2 cores.
func BenchmarkMotionVotes(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			db := benchDB(b, name)
			n := b.N + 3
			loaded, err := db.BulkLoad(ctx, "x", []store.BulkCommittee{{Name: "Comité grande", Sector: "workers", Place: "211101", Members: names(n)}})
			if err != nil {
				b.Fatal(err)
			}
			c := loaded[0]
			m, err := db.CreateMotion(ctx, c.Facilitator, c.Body, motions.Input{Title: "Paro regional", Text: "¿Paro de 72 horas?"})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := db.MoveMotion(ctx, c.Facilitator, m.ID, motions.Voting, 24); err != nil {
				b.Fatal(err)
			}
			ids := make(chan int64, n)
			for i := int64(0); i < int64(b.N); i++ {
				ids <- c.Facilitator + 1 + i
			}
			close(ids)
			choices := []string{voting.Yes, voting.No, voting.Yes, voting.Abstain}
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for g := 0; g < 64; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for id := range ids {
						if err := db.Vote(ctx, id, m.ID, 0, motions.Ballot{Choice: choices[id%4]}); err != nil {
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

// BenchmarkRecallWithdrawsVotes times a recall taking full effect while the
// delegate has votes in 1,000 open assembly votes: the recall closes, the
// delegate is unseated, the alternate seated, the votes withdrawn.
func BenchmarkRecallWithdrawsVotes(b *testing.B) {
	const open = 1000
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			db := benchDB(b, name)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				loaded, err := db.BulkLoad(ctx, "x", []store.BulkCommittee{{Name: fmt.Sprintf("Comité %d", i), Sector: "workers", Place: "211101",
					Members: []string{fmt.Sprintf("A%d", i), fmt.Sprintf("B%d", i), fmt.Sprintf("C%d", i), fmt.Sprintf("D%d", i), fmt.Sprintf("E%d", i)}}})
				if err != nil {
					b.Fatal(err)
				}
				c := loaded[0]
				users := []int64{c.Facilitator, c.Facilitator + 1, c.Facilitator + 2, c.Facilitator + 3, c.Facilitator + 4}
				a, err := db.CreateAssembly(ctx, c.Facilitator, store.AssemblyInput{Input: bodies.Input{Name: fmt.Sprintf("Asamblea %d", i), Sector: "other", Place: "210000"},
					Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 2}, Founders: []int64{c.Body}}, validAnyPlace)
				if err != nil {
					b.Fatal(err)
				}
				e, _ := db.OpenElection(ctx, c.Facilitator, c.Body, delegates.ElectionInput{Assembly: a.ID, Alternates: 1, Hours: 24})
				for _, u := range users[1:4] {
					db.Stand(ctx, u, e.ID, "", "")
				}
				for _, u := range users {
					if err := db.CastRanking(ctx, u, e.ID, users[1:4]); err != nil {
						b.Fatal(err)
					}
				}
				for j := 0; j < open; j++ {
					m, err := db.CreateMotion(ctx, c.Facilitator, a.ID, motions.Input{Title: fmt.Sprintf("Moción %d", j), Text: "Texto."})
					if err != nil {
						b.Fatal(err)
					}
					if _, err := db.MoveMotion(ctx, c.Facilitator, m.ID, motions.Voting, 24); err != nil {
						b.Fatal(err)
					}
					if err := db.Vote(ctx, users[1], m.ID, 0, motions.Ballot{Choice: voting.Yes}); err != nil {
						b.Fatal(err)
					}
				}
				ds, _ := db.Delegates(ctx, c.Facilitator, c.Body)
				r, err := db.OpenRecall(ctx, users[3], ds[0].ID, "prueba")
				if err != nil {
					b.Fatal(err)
				}
				for _, u := range users[:4] {
					db.VoteRecall(ctx, u, r.ID, true)
				}
				b.StartTimer()
				if err := db.VoteRecall(ctx, users[4], r.ID, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkReferralBaseDecides refers a national assembly's motion to
// every committee below it (ASAMBLEA_BENCH_COMMITTEES, default 1,000, of
// 100 members each, under one regional assembly per 1,000) and times one
// committee's decision reaching the national aggregation: the count, the
// instruction to its delegates and one aggregation row — never a recount.
// The design's budget is 50 ms with 10,000 committees and 1,000,000
// members.
func BenchmarkReferralBaseDecides(b *testing.B) {
	committees := 1000
	if s := os.Getenv("ASAMBLEA_BENCH_COMMITTEES"); s != "" {
		committees, _ = strconv.Atoi(s)
	}
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			db := benchDB(b, name)
			var loaded []store.BulkLoaded
			for start := 0; start < committees; start += 500 {
				var cs []store.BulkCommittee
				for i := start; i < min(start+500, committees); i++ {
					ms := make([]string, 100)
					for j := range ms {
						ms[j] = fmt.Sprintf("P%d-%d", i, j)
					}
					cs = append(cs, store.BulkCommittee{Name: fmt.Sprintf("Comité %d", i), Sector: "campesinos", Place: []string{"210101", "080101", "040101"}[i%3], Members: ms})
				}
				l, err := db.BulkLoad(ctx, "x", cs)
				if err != nil {
					b.Fatal(err)
				}
				loaded = append(loaded, l...)
			}
			fac := loaded[0].Facilitator
			national, err := db.CreateAssembly(ctx, fac, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea Nacional", Sector: "other", Place: "210000"},
				Level: "national", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 1}, Founders: []int64{loaded[0].Body}}, validAnyPlace)
			if err != nil {
				b.Fatal(err)
			}
			// The federation's shape is loaded directly: regional assemblies
			// of 1,000 committees each under the national one.
			var regionals []int64
			for r := 0; r*1000 < committees; r++ {
				lead := loaded[r*1000]
				reg, err := db.CreateAssembly(ctx, lead.Facilitator, store.AssemblyInput{Input: bodies.Input{Name: fmt.Sprintf("Asamblea Regional %d", r), Sector: "other", Place: "210000"},
					Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 1}, Founders: []int64{lead.Body}}, validAnyPlace)
				if err != nil {
					b.Fatal(err)
				}
				regionals = append(regionals, reg.ID)
				var rows []string
				for _, c := range loaded[r*1000+1 : min((r+1)*1000, committees)] {
					rows = append(rows, fmt.Sprintf("(%d, %d, 'accepted', 1, %d, %d, 0, 0)", reg.ID, c.Body, fac, fac))
				}
				if len(rows) > 0 {
					if err := db.ExecRaw(ctx, `INSERT INTO affiliations (assembly_id, body_id, status, seats, requested_by, decided_by, created_at, decided_at) VALUES `+strings.Join(rows, ", ")); err != nil {
						b.Fatal(err)
					}
				}
			}
			var rows []string
			for _, r := range regionals {
				rows = append(rows, fmt.Sprintf("(%d, %d, 'accepted', 1, %d, %d, 0, 0)", national.ID, r, fac, fac))
			}
			if err := db.ExecRaw(ctx, `INSERT INTO affiliations (assembly_id, body_id, status, seats, requested_by, decided_by, created_at, decided_at) VALUES `+strings.Join(rows, ", ")); err != nil {
				b.Fatal(err)
			}
			m, err := db.CreateMotion(ctx, fac, national.ID, motions.Input{Title: "¿Huelga general indefinida desde el 4 de enero?", Text: "Consulta."})
			if err != nil {
				b.Fatal(err)
			}
			t0 := time.Now()
			ref, err := db.Refer(ctx, fac, m.ID, 72)
			if err != nil {
				b.Fatal(err)
			}
			referTime := time.Since(t0)
			if ref.Committees != int64(committees) {
				b.Fatalf("referred to %d committees, want %d", ref.Committees, committees)
			}
			if b.N > len(loaded) {
				b.Fatalf("b.N %d > %d committees", b.N, len(loaded))
			}
			// Each committee's copy gets a few votes, then its facilitator
			// closes it: that close is what is timed.
			copies := make([]int64, b.N)
			for i := 0; i < b.N; i++ {
				c := loaded[i]
				ms, err := db.Motions(ctx, c.Facilitator, c.Body, store.MotionFilter{Open: true, Limit: 1})
				if err != nil || len(ms) != 1 {
					b.Fatalf("copy of committee %d: %v %v", i, ms, err)
				}
				copies[i] = ms[0].ID
				for k := int64(0); k < 40; k++ {
					if err := db.Vote(ctx, c.Facilitator+k, ms[0].ID, 0, motions.Ballot{Choice: []string{voting.Yes, voting.No, voting.Yes}[k%3]}); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := db.CloseVote(ctx, loaded[i].Facilitator, copies[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(referTime.Milliseconds()), "ms-to-refer")
			agg, err := db.Aggregation(ctx, fac, ref.ID)
			if err != nil || agg.Decided != int64(b.N) {
				b.Fatalf("aggregation: decided %d, want %d (%v)", agg.Decided, b.N, err)
			}
		})
	}
}
