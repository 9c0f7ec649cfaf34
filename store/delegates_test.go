package store_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/delegates"
	"asamblea/errs"
	"asamblea/federation"
	"asamblea/store"
)

// delegationN numbers the delegations a test makes, for unique names.
var delegationN int

// delegation sets up a committee of n members (the first facilitates) in
// an assembly with rule, and returns the committee, assembly and members.
func delegation(t *testing.T, db *store.DB, n int, rule federation.SeatRule) (bodies.Body, bodies.Body, []accounts.User) {
	t.Helper()
	delegationN++
	users := []accounts.User{mustUser(t, db, fmt.Sprintf("Facilitadora %d", delegationN))}
	c, err := db.CreateCommittee(ctx, users[0].ID, bodies.Input{Name: fmt.Sprintf("Comité de Juliaca %d", users[0].ID), Sector: "workers", Place: "211101", Public: true}, validAnyPlace)
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := db.CreateInvitation(ctx, users[0].ID, c.ID, bodies.InvitationInput{MaxUses: 100, Days: 1})
	for i := 1; i < n; i++ {
		name := fmt.Sprintf("Miembro %d", i)
		if delegationN > 1 {
			name = fmt.Sprintf("Miembro %d-%d", delegationN, i)
		}
		u := mustUser(t, db, name)
		if _, err := db.Join(ctx, u.ID, inv.Code); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	a, err := db.CreateAssembly(ctx, users[0].ID, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea Regional de Puno", Sector: "other", Place: "210000", Public: true},
		Level: "regional", SeatRule: rule, Founders: []int64{c.ID}}, validAnyPlace)
	if err != nil {
		t.Fatal(err)
	}
	return c, a, users
}

// elect runs an election in which everyone ranks the candidates in order.
func elect(t *testing.T, db *store.DB, c, a bodies.Body, users []accounts.User, candidates []accounts.User, alternates int) delegates.Election {
	t.Helper()
	e, err := db.OpenElection(ctx, users[0].ID, c.ID, delegates.ElectionInput{Assembly: a.ID, Alternates: alternates, Hours: 24})
	if err != nil {
		t.Fatal(err)
	}
	var ranking []int64
	for _, u := range candidates {
		if err := db.Stand(ctx, u.ID, e.ID, "Por la asamblea constituyente", ""); err != nil {
			t.Fatal(err)
		}
		ranking = append(ranking, u.ID)
	}
	for i, u := range users {
		// Rotate the rankings a little so the count has work to do.
		r := append(append([]int64{}, ranking[i%len(ranking):]...), ranking[:i%len(ranking)]...)
		if i%3 != 0 {
			r = ranking
		}
		if err := db.CastRanking(ctx, u.ID, e.ID, r); err != nil {
			t.Fatalf("%s votes: %v", u.Name, err)
		}
	}
	e, err = db.Election(ctx, users[0].ID, e.ID)
	if err != nil || e.Status != "closed" || e.Report == nil {
		t.Fatalf("election after everyone voted: %+v %v", e, err)
	}
	return e
}

func seated(t *testing.T, db *store.DB, viewer, body int64) (seats, alts []string) {
	t.Helper()
	ds, err := db.Delegates(ctx, viewer, body)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Status == delegates.Seated {
			seats = append(seats, d.Name)
		} else {
			alts = append(alts, d.Name)
		}
	}
	return seats, alts
}

func TestElectAndRecall(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 0
		c, a, users := delegation(t, db, 7, federation.SeatRule{Mode: federation.Fixed, Fixed: 2})
		outsider := mustUser(t, db, "Intrusa")
		before := journalLen(t, db)
		t.Run("ErrBadElection", func(t *testing.T) {
			_, err := db.OpenElection(ctx, users[1].ID, c.ID, delegates.ElectionInput{Assembly: a.ID, Hours: 24})
			wantCode(t, err, errs.Forbidden, "")
			_, err = db.OpenElection(ctx, users[0].ID, c.ID, delegates.ElectionInput{Assembly: a.ID, Hours: 0})
			wantCode(t, err, errs.Invalid, "election.hours.range")
			_, err = db.OpenElection(ctx, users[0].ID, c.ID, delegates.ElectionInput{Assembly: c.ID, Hours: 24})
			wantCode(t, err, errs.NotFound, "election.not_affiliated")
		})
		if after := journalLen(t, db); after != before {
			t.Fatalf("refused changes wrote %d journal entries", after-before)
		}

		e, err := db.OpenElection(ctx, users[0].ID, c.ID, delegates.ElectionInput{Assembly: a.ID, Alternates: 1, Hours: 24})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.OpenElection(ctx, users[0].ID, c.ID, delegates.ElectionInput{Assembly: a.ID, Alternates: 1, Hours: 24})
		wantCode(t, err, errs.Conflict, "election.already_open")
		for _, u := range users[1:3] {
			if err := db.Stand(ctx, u.ID, e.ID, "", ""); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Nominate(ctx, users[1].ID, e.ID, users[3].ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Nominate(ctx, users[1].ID, e.ID, outsider.ID), errs.Invalid, "body.member.not_found")
		// A nominee who has not accepted cannot be ranked.
		wantCode(t, db.CastRanking(ctx, users[0].ID, e.ID, []int64{users[3].ID}), errs.Invalid, "election.ranking.unknown")
		if err := db.Stand(ctx, users[3].ID, e.ID, "Acepto", ""); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.CastRanking(ctx, outsider.ID, e.ID, []int64{users[1].ID}), errs.Forbidden, "")
		wantCode(t, db.CastRanking(ctx, users[0].ID, e.ID, []int64{users[1].ID, users[1].ID}), errs.Invalid, "election.ranking.twice")
		// Member 1 has 4 first preferences, member 2 two, member 3 one.
		ballots := [][]int64{{users[1].ID, users[3].ID}, {users[1].ID}, {users[2].ID, users[1].ID}, {users[2].ID}, {users[1].ID, users[2].ID}, {users[3].ID}, {users[1].ID, users[3].ID}}
		for i, u := range users {
			if err := db.CastRanking(ctx, u.ID, e.ID, ballots[i]); err != nil {
				t.Fatalf("vote %d: %v", i, err)
			}
			if i == 0 {
				wantCode(t, db.CastRanking(ctx, u.ID, e.ID, ballots[i]), errs.Conflict, "election.voted")
			}
		}
		e, err = db.Election(ctx, users[0].ID, e.ID)
		if err != nil || e.Status != "closed" || e.Report == nil || len(e.Report.Rounds) == 0 {
			t.Fatalf("election: %+v, %v", e, err)
		}
		seats, alts := seated(t, db, users[0].ID, c.ID)
		if fmt.Sprint(seats) != "[Miembro 1 Miembro 2]" || fmt.Sprint(alts) != "[Miembro 3]" {
			t.Fatalf("seated %v, alternates %v", seats, alts)
		}
		wantCode(t, db.Stand(ctx, users[4].ID, e.ID, "", ""), errs.Conflict, "election.closed")

		ds, _ := db.Delegates(ctx, users[0].ID, c.ID)
		juan := ds[0]
		if err := db.SetMandate(ctx, users[0].ID, juan.ID, "Votar por la asamblea constituyente y no negociar con el gobierno."); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.SetMandate(ctx, users[5].ID, juan.ID, "otro"), errs.Forbidden, "")

		r, err := db.OpenRecall(ctx, users[5].ID, juan.ID, "Negoció con el gobierno sin mandato")
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.OpenRecall(ctx, users[6].ID, juan.ID, "otra vez")
		wantCode(t, err, errs.Conflict, "recall.already_open")
		wantCode(t, db.VoteRecall(ctx, outsider.ID, r.ID, true), errs.Forbidden, "")
		votes := []bool{true, true, false, true, true, true, false}
		for i, u := range users {
			if err := db.VoteRecall(ctx, u.ID, r.ID, votes[i]); err != nil {
				t.Fatalf("recall vote %d: %v", i, err)
			}
			if i == 0 {
				wantCode(t, db.VoteRecall(ctx, u.ID, r.ID, true), errs.Conflict, "recall.voted")
				// Open: the tally shows only the votes cast.
				got, _ := db.Recall(ctx, juan.UserID, r.ID)
				if got.Yes != 1 || got.No != 0 || got.Status != "open" {
					t.Fatalf("open recall shows %+v", got)
				}
			}
		}
		got, _ := db.Recall(ctx, juan.UserID, r.ID)
		if got.Status != "passed" || got.Yes != 5 || got.No != 2 {
			t.Fatalf("recall: %+v", got)
		}
		seats, alts = seated(t, db, users[0].ID, c.ID)
		if fmt.Sprint(seats) != "[Miembro 2 Miembro 3]" || len(alts) != 0 {
			t.Fatalf("after the recall: seated %v, alternates %v", seats, alts)
		}
		_, err = db.OpenRecall(ctx, users[5].ID, juan.ID, "de nuevo")
		wantCode(t, err, errs.Conflict, "recall.not_delegate")

		// Recalling a delegate with no alternate left opens an election.
		ds, _ = db.Delegates(ctx, users[0].ID, c.ID)
		r, err = db.OpenRecall(ctx, users[5].ID, ds[0].ID, "No informa a la base")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if err := db.VoteRecall(ctx, u.ID, r.ID, true); err != nil {
				t.Fatal(err)
			}
		}
		es, _ := db.Elections(ctx, users[0].ID, c.ID)
		if len(es) != 2 || es[0].Status != "open" || es[0].Seats != 1 {
			t.Fatalf("no election opened for the one vacant seat: %+v", es)
		}
		// It fills the vacant seat and leaves the other delegate in place;
		// a sitting delegate who stands again is not counted.
		sitting, _ := seated(t, db, users[0].ID, c.ID)
		for _, u := range []accounts.User{users[4], users[3]} {
			if err := db.Stand(ctx, u.ID, es[0].ID, "", ""); err != nil {
				t.Fatal(err)
			}
		}
		for _, u := range users {
			if err := db.CastRanking(ctx, u.ID, es[0].ID, []int64{users[3].ID, users[4].ID}); err != nil {
				t.Fatal(err)
			}
		}
		now, _ := seated(t, db, users[0].ID, c.ID)
		if len(now) != 2 || now[0] != sitting[0] || now[1] != users[4].Name {
			t.Fatalf("after the vacancy election: %v (before: %v)", now, sitting)
		}
		if _, err := db.VerifyJournal(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCloseDueAndQuorum(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		c, a, users := delegation(t, db, 6, federation.SeatRule{Mode: federation.Fixed, Fixed: 1})
		e := elect(t, db, c, a, users, users[1:3], 1)
		if len(e.Report.Elected) != 1 {
			t.Fatalf("elected %v", e.Report.Elected)
		}
		ds, _ := db.Delegates(ctx, users[0].ID, c.ID)
		r, err := db.OpenRecall(ctx, users[4].ID, ds[0].ID, "Faltó a la asamblea regional")
		if err != nil {
			t.Fatal(err)
		}
		db.VoteRecall(ctx, users[4].ID, r.ID, true) // 1 of 6: no quorum
		if n, err := db.CloseDue(ctx); err != nil || n != 0 {
			t.Fatalf("closed %d before the deadline (%v)", n, err)
		}
		now := time.Now()
		db.Now = func() time.Time { return now.Add(49 * time.Hour) }
		defer func() { db.Now = time.Now }()
		wantCode(t, db.VoteRecall(ctx, users[5].ID, r.ID, true), errs.Conflict, "recall.closed")
		if n, err := db.CloseDue(ctx); err != nil || n != 1 {
			t.Fatalf("CloseDue closed %d (%v)", n, err)
		}
		got, _ := db.Recall(ctx, users[0].ID, r.ID)
		if got.Status != "no_quorum" {
			t.Fatalf("recall without quorum: %s", got.Status)
		}
		if seats, _ := seated(t, db, users[0].ID, c.ID); len(seats) != 1 || seats[0] != ds[0].Name {
			t.Fatalf("the delegate lost the seat without quorum: %v", seats)
		}
	})
}

// TestSeatsShrinkKeepMostSupported: when a body loses seats, the delegates
// elected first keep theirs and the last becomes the first alternate.
func TestSeatsShrinkKeepMostSupported(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		c, a, users := delegation(t, db, 6, federation.SeatRule{Mode: federation.Proportional, PerSeat: 2, Min: 1, Max: 5})
		elect(t, db, c, a, users, users[1:4], 0)
		seats, _ := seated(t, db, users[0].ID, c.ID)
		if len(seats) != 3 {
			t.Fatalf("seated %v", seats)
		}
		for _, u := range users[4:] {
			if err := db.Leave(ctx, u.ID, c.ID); err != nil {
				t.Fatal(err)
			}
		}
		seats2, alts := seated(t, db, users[0].ID, c.ID)
		if fmt.Sprint(seats2) != fmt.Sprint(seats[:2]) || fmt.Sprint(alts) != fmt.Sprint(seats[2:]) {
			t.Fatalf("after shrinking: seated %v alternates %v (were %v)", seats2, alts, seats)
		}
	})
}

// TestRecallRacesSeatChange: a recall passing while the body's seats change
// leaves a consistent delegation, on SQLite and PostgreSQL.
func TestRecallRacesSeatChange(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		for round := 0; round < 3; round++ {
			c, a, users := delegation(t, db, 6, federation.SeatRule{Mode: federation.Proportional, PerSeat: 3, Min: 1, Max: 3})
			elect(t, db, c, a, users, users[1:5], 2)
			ds, _ := db.Delegates(ctx, users[0].ID, c.ID)
			r, err := db.OpenRecall(ctx, users[5].ID, ds[0].ID, "prueba de carrera")
			if err != nil {
				t.Fatal(err)
			}
			for _, u := range users[:5] {
				db.VoteRecall(ctx, u.ID, r.ID, true)
			}
			inv, _ := db.CreateInvitation(ctx, users[0].ID, c.ID, bodies.InvitationInput{MaxUses: 10, Days: 1})
			newcomers := make([]accounts.User, 4)
			for i := range newcomers {
				newcomers[i] = mustUser(t, db, fmt.Sprintf("Nueva %d-%d", round, i))
			}
			var wg sync.WaitGroup
			errc := make(chan error, 8)
			wg.Add(1)
			go func() { defer wg.Done(); errc <- db.VoteRecall(ctx, users[5].ID, r.ID, true) }()
			for _, u := range newcomers {
				wg.Add(1)
				go func() { defer wg.Done(); _, err := db.Join(ctx, u.ID, inv.Code); errc <- err }()
			}
			wg.Wait()
			close(errc)
			for err := range errc {
				if err != nil {
					t.Fatal(err)
				}
			}
			affs, _ := db.Assemblies(ctx, users[0].ID, c.ID)
			seats, alts := seated(t, db, users[0].ID, c.ID)
			if want := min(affs[0].Seats, 3); len(seats) != want || len(seats)+len(alts) != 3 {
				t.Fatalf("round %d: %d seats, seated %v, alternates %v", round, affs[0].Seats, seats, alts)
			}
			if _, err := db.VerifyJournal(); err != nil {
				t.Fatal(err)
			}
			_ = a
		}
	})
}

// TestAssemblyElectsUpward: the delegates seated in a provincial assembly
// elect its delegate to the regional assembly; its facilitator, who holds
// no seat, cannot vote.
func TestAssemblyElectsUpward(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		c, prov, users := delegation(t, db, 5, federation.SeatRule{Mode: federation.Fixed, Fixed: 3})
		elect(t, db, c, prov, users, users[1:4], 0)
		reg, err := db.CreateAssembly(ctx, users[0].ID, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea Regional", Sector: "other", Place: "210000", Public: true},
			Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 1}, Founders: []int64{prov.ID}}, validAnyPlace)
		if err != nil {
			t.Fatal(err)
		}
		e, err := db.OpenElection(ctx, users[0].ID, prov.ID, delegates.ElectionInput{Assembly: reg.ID, Hours: 24})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Stand(ctx, users[0].ID, e.ID, "", ""), errs.Forbidden, "")
		if err := db.Stand(ctx, users[2].ID, e.ID, "", ""); err != nil {
			t.Fatal(err)
		}
		for _, u := range users[1:4] {
			if err := db.CastRanking(ctx, u.ID, e.ID, []int64{users[2].ID}); err != nil {
				t.Fatal(err)
			}
		}
		e, _ = db.Election(ctx, users[1].ID, e.ID)
		if e.Status != "closed" || len(e.Report.Elected) != 1 {
			t.Fatalf("the assembly's election did not close when its 3 delegates voted: %+v", e)
		}
		if seats, _ := seated(t, db, users[1].ID, prov.ID); len(seats) != 1 || seats[0] != users[2].Name {
			t.Fatalf("regional seat: %v", seats)
		}
	})
}

// TestBatchedVotesFailAlone: votes cast at the same moment share a
// transaction; a refused one (a second vote) is undone alone, the others
// count, and the journal stays whole.
func TestBatchedVotesFailAlone(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 100
		c, a, users := delegation(t, db, 12, federation.SeatRule{Mode: federation.Fixed, Fixed: 1})
		e, err := db.OpenElection(ctx, users[0].ID, c.ID, delegates.ElectionInput{Assembly: a.ID, Hours: 24})
		if err != nil {
			t.Fatal(err)
		}
		db.Stand(ctx, users[1].ID, e.ID, "", "")
		db.Stand(ctx, users[2].ID, e.ID, "", "")
		var wg sync.WaitGroup
		errs := make([]error, 20)
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				voter := users[i%10] // voters 0..9 twice: ten second votes
				errs[i] = db.CastRanking(ctx, voter.ID, e.ID, []int64{users[1+i%2].ID})
			}()
		}
		wg.Wait()
		ok, refused := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errsIs(err, "election.voted"):
				refused++
			default:
				t.Fatalf("unexpected error: %v", err)
			}
		}
		got, _ := db.Election(ctx, users[0].ID, e.ID)
		if ok != 10 || refused != 10 || got.Voters != 10 {
			t.Fatalf("%d accepted, %d refused, %d counted", ok, refused, got.Voters)
		}
		if _, err := db.VerifyJournal(); err != nil {
			t.Fatal(err)
		}
	})
}

func errsIs(err error, key string) bool { return errs.As(err).Key == key }

// TestLeavingEndsDelegation: a delegate who leaves the committee no longer
// represents it; the first alternate takes the seat.
func TestLeavingEndsDelegation(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 200
		c, a, users := delegation(t, db, 5, federation.SeatRule{Mode: federation.Fixed, Fixed: 1})
		elect(t, db, c, a, users, users[1:3], 1)
		seats, alts := seated(t, db, users[0].ID, c.ID)
		if len(seats) != 1 || len(alts) != 1 {
			t.Fatalf("seated %v alternates %v", seats, alts)
		}
		var leaving accounts.User
		for _, u := range users {
			if u.Name == seats[0] {
				leaving = u
			}
		}
		if err := db.Leave(ctx, leaving.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		now, none := seated(t, db, users[0].ID, c.ID)
		if len(now) != 1 || now[0] != alts[0] || len(none) != 0 {
			t.Fatalf("after the delegate left: seated %v alternates %v", now, none)
		}
		if ids, _ := db.SeatedIn(ctx, a.ID); len(ids) != 1 || ids[0] == leaving.ID {
			t.Fatalf("seated in the assembly: %v", ids)
		}
	})
}

// TestElectionWithAlternation: the flag and the genders reach the count.
func TestElectionWithAlternation(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 300
		c, a, users := delegation(t, db, 6, federation.SeatRule{Mode: federation.Fixed, Fixed: 2})
		e, err := db.OpenElection(ctx, users[0].ID, c.ID, delegates.ElectionInput{Assembly: a.ID, Hours: 24, Alternation: true})
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Stand(ctx, users[1].ID, e.ID, "", "robot"), errs.Invalid, "election.gender.unknown")
		for i, g := range []string{"man", "man", "woman"} {
			if err := db.Stand(ctx, users[1+i].ID, e.ID, "", g); err != nil {
				t.Fatal(err)
			}
		}
		for i, u := range users {
			r := []int64{users[1].ID, users[2].ID, users[3].ID}
			if i%2 == 1 {
				r = []int64{users[2].ID, users[1].ID, users[3].ID}
			}
			if err := db.CastRanking(ctx, u.ID, e.ID, r); err != nil {
				t.Fatal(err)
			}
		}
		seats, alts := seated(t, db, users[0].ID, c.ID)
		if len(seats) != 2 || !slices.Contains(seats, users[3].Name) || len(alts) != 0 {
			t.Fatalf("with alternation: seated %v, alternates %v", seats, alts)
		}
	})
}
