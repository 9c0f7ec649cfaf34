package store_test

import (
	"testing"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/federation"
	"asamblea/motions"
	"asamblea/store"
	"asamblea/voting"
)

func TestMotionLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 0
		c, _, users := delegation(t, db, 5, federation.SeatRule{Mode: federation.Fixed, Fixed: 1})
		outsider := mustUser(t, db, "Intrusa")
		fac, proposer := users[0], users[1]

		before := journalLen(t, db)
		_, err := db.CreateMotion(ctx, proposer.ID, c.ID, motions.Input{Title: "Pa", Text: "x"})
		wantCode(t, err, errs.Invalid, "error.too_short")
		_, err = db.CreateMotion(ctx, proposer.ID, c.ID, motions.Input{Title: "Paro", Text: "x", Options: []string{"a", "b"}, Rule: voting.Majority})
		wantCode(t, err, errs.Invalid, "motion.options.yes_no")
		_, err = db.CreateMotion(ctx, outsider.ID, c.ID, motions.Input{Title: "Paro", Text: "x"})
		wantCode(t, err, errs.Forbidden, "")
		if after := journalLen(t, db); after != before {
			t.Fatalf("refused changes wrote %d journal entries", after-before)
		}

		m, err := db.CreateMotion(ctx, proposer.ID, c.ID, motions.Input{Title: "Paro indefinido desde el 4 de enero", Text: "Proponemos el paro."})
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != motions.Discussion || m.Rule.Kind != voting.Majority || m.Rule.Quorum != (voting.Fraction{Num: 1, Den: 3}) {
			t.Fatalf("new motion: %+v", m)
		}
		if _, err := db.AddComment(ctx, users[2].ID, m.ID, "De acuerdo, con ollas comunes."); err != nil {
			t.Fatal(err)
		}
		_, err = db.AddComment(ctx, outsider.ID, m.ID, "Hola")
		wantCode(t, err, errs.Forbidden, "")

		// An amendment accepted by the proposer becomes the text.
		am, err := db.ProposeAmendment(ctx, users[2].ID, m.ID, "Proponemos el paro indefinido con ollas comunes.", "Sostenerlo")
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.DecideAmendment(ctx, fac.ID, am.ID, "accept"), errs.Forbidden, "amendment.accept.proposer_only")
		if err := db.DecideAmendment(ctx, proposer.ID, am.ID, "accept"); err != nil {
			t.Fatal(err)
		}
		// Another is put to a vote and adopted when the main vote opens.
		am2, err := db.ProposeAmendment(ctx, users[3].ID, m.ID, "Proponemos el paro indefinido con ollas comunes y bloqueos.", "")
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.DecideAmendment(ctx, proposer.ID, am2.ID, "vote"), errs.Forbidden, "")
		if err := db.DecideAmendment(ctx, fac.ID, am2.ID, "vote"); err != nil {
			t.Fatal(err)
		}
		for i, u := range users[:4] {
			choice := voting.Yes
			if i == 3 {
				choice = voting.No
			}
			if err := db.VoteAmendment(ctx, u.ID, am2.ID, choice); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, db.VoteAmendment(ctx, users[0].ID, am2.ID, voting.Yes), errs.Conflict, "motion.vote.twice")

		_, err = db.MoveMotion(ctx, proposer.ID, m.ID, motions.Voting, 24)
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.MoveMotion(ctx, fac.ID, m.ID, motions.Voting, 0)
		wantCode(t, err, errs.Invalid, "motion.hours.range")
		if m, err = db.MoveMotion(ctx, fac.ID, m.ID, motions.Voting, 24); err != nil {
			t.Fatal(err)
		}
		if m.Text != "Proponemos el paro indefinido con ollas comunes y bloqueos." || m.Status != motions.Voting {
			t.Fatalf("after the amendment vote: %q %s", m.Text, m.Status)
		}
		_, err = db.ProposeAmendment(ctx, users[2].ID, m.ID, "Otra cosa", "")
		wantCode(t, err, errs.Conflict, "amendment.under_vote")

		wantCode(t, db.Vote(ctx, users[1].ID, m.ID, 0, motions.Ballot{Ranking: []int{0}}), errs.Invalid, "motion.ballot.no_ranking")
		wantCode(t, db.Vote(ctx, users[1].ID, m.ID, 0, motions.Ballot{Choice: "block"}), errs.Invalid, "motion.ballot.choice")
		for i, u := range users[:3] {
			choice := voting.Yes
			if i == 1 {
				choice = voting.No
			}
			if err := db.Vote(ctx, u.ID, m.ID, 0, motions.Ballot{Choice: choice}); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, db.Vote(ctx, users[0].ID, m.ID, 0, motions.Ballot{Choice: voting.Yes}), errs.Conflict, "motion.vote.twice")
		wantCode(t, db.Vote(ctx, outsider.ID, m.ID, 0, motions.Ballot{Choice: voting.Yes}), errs.Forbidden, "")
		got, err := db.Motion(ctx, users[0].ID, m.ID)
		if err != nil || got.Voters != 3 || got.Decision != nil || !got.Voted {
			t.Fatalf("while voting: %+v %v", got, err)
		}
		_, err = db.CloseVote(ctx, proposer.ID, m.ID)
		wantCode(t, err, errs.Forbidden, "")
		if m, err = db.CloseVote(ctx, fac.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		if m.Status != motions.Passed || m.Result != voting.Yes || m.Decision == nil || m.Decision.Count.Yes != 2 || m.Decision.Count.No != 1 || m.Decision.Count.Entitled != 5 {
			t.Fatalf("decided: %+v %+v", m, m.Decision)
		}
		wantCode(t, db.Vote(ctx, users[3].ID, m.ID, 0, motions.Ballot{Choice: voting.Yes}), errs.Conflict, "motion.vote.closed")

		wantCode(t, db.Publish(ctx, users[3].ID, m.ID), errs.Forbidden, "")
		if err := db.Publish(ctx, fac.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Publish(ctx, fac.ID, m.ID), errs.Conflict, "communique.published")
		cs, err := db.Communiques(ctx, 0, 10)
		if err != nil || len(cs) != 1 || cs[0].ID != m.ID {
			t.Fatalf("communiqués: %+v %v", cs, err)
		}
		if _, err := db.Communique(ctx, m.ID); err != nil {
			t.Fatal(err)
		}

		// Among options, the vote closes by itself once everyone has voted.
		o, err := db.CreateMotion(ctx, fac.ID, c.ID, motions.Input{Title: "Punto de concentración", Text: "¿Dónde nos concentramos?",
			Options: []string{"Plaza de Armas", "Puente Maravillas", "Aeropuerto"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveMotion(ctx, fac.ID, o.ID, motions.Voting, 2); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Vote(ctx, users[0].ID, o.ID, 0, motions.Ballot{Ranking: []int{3}}), errs.Invalid, "motion.ballot.unknown_option")
		for i, u := range users {
			if err := db.Vote(ctx, u.ID, o.ID, 0, motions.Ballot{Ranking: []int{[]int{1, 1, 0, 1, 2}[i]}}); err != nil {
				t.Fatal(err)
			}
		}
		if o, err = db.Motion(ctx, fac.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		if o.Status != motions.Decided || o.ResultLabel(o.Result) != "Puente Maravillas" || o.Decision.Tallies[1] != 3 {
			t.Fatalf("options: %s %q %+v", o.Status, o.Result, o.Decision)
		}
		if n, err := db.VerifyJournal(); err != nil || n == 0 {
			t.Fatalf("journal: %d %v", n, err)
		}
	})
}

func TestReferralInstructsDelegates(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 0
		rule := federation.SeatRule{Mode: federation.Fixed, Fixed: 1}
		c1, a, u1 := delegation(t, db, 5, rule)
		c2, _, u2 := delegation(t, db, 4, rule)
		aff, err := db.RequestAffiliation(ctx, u2[0].ID, c2.ID, a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DecideAffiliation(ctx, u1[0].ID, a.ID, aff.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		elect(t, db, c1, a, u1, u1[1:2], 0)
		elect(t, db, c2, a, u2, u2[1:2], 0)
		del1, del2 := u1[1], u2[1]

		m, err := db.CreateMotion(ctx, u1[0].ID, a.ID, motions.Input{Title: "¿Huelga general indefinida desde el 4 de enero?", Text: "Consulta a las bases."})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Refer(ctx, del1.ID, m.ID, 24)
		wantCode(t, err, errs.Forbidden, "")
		ref, err := db.Refer(ctx, u1[0].ID, m.ID, 24)
		if err != nil {
			t.Fatal(err)
		}
		if ref.Committees != 2 || ref.Members != 9 {
			t.Fatalf("referral: %+v", ref)
		}
		_, err = db.Refer(ctx, u1[0].ID, m.ID, 24)
		wantCode(t, err, errs.Conflict, "referral.already")

		copyOf := func(body int64, users []int64) motions.Motion {
			t.Helper()
			ms, err := db.Motions(ctx, users[0], body, store.MotionFilter{Open: true})
			if err != nil || len(ms) != 1 || ms[0].ReferralID != ref.ID || ms[0].Status != motions.Voting {
				t.Fatalf("the base's copy: %+v %v", ms, err)
			}
			return ms[0]
		}
		cp1 := copyOf(c1.ID, []int64{u1[0].ID})
		for _, u := range u1 {
			if err := db.Vote(ctx, u.ID, cp1.ID, 0, motions.Ballot{Choice: voting.Yes}); err != nil {
				t.Fatal(err)
			}
		}
		agg, err := db.Aggregation(ctx, u1[0].ID, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		if agg.Decided != 1 || agg.Pending != 1 || agg.Choices[0].Committees != 1 || agg.Choices[0].Members != 5 || agg.PendingMembers != 4 {
			t.Fatalf("aggregation after one base: %+v", agg)
		}
		if len(agg.Departments) != 1 || agg.Departments[0].Department != "21" {
			t.Fatalf("by department: %+v", agg.Departments)
		}
		// The assembly's vote waits for every base.
		if got, _ := db.Motion(ctx, u1[0].ID, m.ID); got.Status != motions.Discussion {
			t.Fatalf("assembly motion before all bases decided: %s", got.Status)
		}
		cp2 := copyOf(c2.ID, []int64{u2[0].ID})
		for _, u := range u2 {
			if err := db.Vote(ctx, u.ID, cp2.ID, 0, motions.Ballot{Choice: voting.No}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Motion(ctx, del1.ID, m.ID)
		if err != nil || got.Status != motions.Voting || got.Instruction != voting.Yes {
			t.Fatalf("assembly motion after the bases: %+v %v", got, err)
		}
		seats, err := db.Seats(ctx, del1.ID, m.ID)
		if err != nil || len(seats) != 1 || seats[0].Instruction != voting.Yes {
			t.Fatalf("seats: %+v %v", seats, err)
		}
		wantCode(t, db.Vote(ctx, u1[2].ID, m.ID, 0, motions.Ballot{Choice: voting.No}), errs.Forbidden, "")
		// The delegate of the first base deviates; the second follows.
		if err := db.Vote(ctx, del1.ID, m.ID, 0, motions.Ballot{Choice: voting.No}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Vote(ctx, del1.ID, m.ID, 0, motions.Ballot{Choice: voting.No}), errs.Conflict, "motion.vote.twice")
		if err := db.Vote(ctx, del2.ID, m.ID, 0, motions.Ballot{Choice: voting.No}); err != nil {
			t.Fatal(err)
		}
		got, _ = db.Motion(ctx, u1[0].ID, m.ID)
		if got.Status != motions.Rejected {
			t.Fatalf("assembly decision: %s %+v", got.Status, got.Decision)
		}
		devs, err := db.VotingRecord(ctx, u1[3].ID, c1.ID, true)
		if err != nil || len(devs) != 1 || devs[0].UserID != del1.ID || devs[0].Instruction != voting.Yes || !devs[0].Deviates {
			t.Fatalf("deviations on the base's record: %+v %v", devs, err)
		}
		if devs, _ := db.VotingRecord(ctx, u2[3].ID, c2.ID, true); len(devs) != 0 {
			t.Fatalf("a delegate who followed the instruction shows as deviating: %+v", devs)
		}
		comp, err := db.Compliance(ctx, u1[3].ID, c1.ID)
		if err != nil || len(comp) != 1 || comp[0].Instructed != 1 || comp[0].Followed != 0 || comp[0].Rate != 0 {
			t.Fatalf("compliance: %+v %v", comp, err)
		}
		_, err = db.Compliance(ctx, u2[1].ID, c1.ID)
		wantCode(t, err, errs.Forbidden, "")

		// A recall that passes withdraws the delegate's votes in open votes.
		m2, err := db.CreateMotion(ctx, u1[0].ID, a.ID, motions.Input{Title: "Caravana a Lima", Text: "Salir el 10."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveMotion(ctx, u1[0].ID, m2.ID, motions.Voting, 24); err != nil {
			t.Fatal(err)
		}
		if err := db.Vote(ctx, del1.ID, m2.ID, 0, motions.Ballot{Choice: voting.Yes}); err != nil {
			t.Fatal(err)
		}
		ds, err := db.Delegates(ctx, u1[0].ID, c1.ID)
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.OpenRecall(ctx, u1[2].ID, ds[0].ID, "Votó contra el mandato")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range u1 {
			if err := db.VoteRecall(ctx, u.ID, r.ID, true); err != nil {
				t.Fatal(err)
			}
		}
		votes, err := db.MotionVotes(ctx, u1[0].ID, m2.ID)
		if err != nil || len(votes) != 1 || !votes[0].Withdrawn {
			t.Fatalf("votes after the recall: %+v %v", votes, err)
		}
		if got, _ := db.Motion(ctx, u1[0].ID, m2.ID); got.Voters != 0 || got.Status != motions.Voting {
			t.Fatalf("motion after the recall: %+v", got)
		}
		// The closed vote keeps its record.
		if votes, _ := db.MotionVotes(ctx, u1[0].ID, m.ID); len(votes) != 2 || votes[0].Withdrawn || votes[1].Withdrawn {
			t.Fatalf("closed votes touched by the recall: %+v", votes)
		}
		if _, err := db.VerifyJournal(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestWeightedAssembly: in an assembly that weighs votes by the members
// represented, a base of 5 outweighs a base of 4.
func TestWeightedAssembly(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 0
		rule := federation.SeatRule{Mode: federation.Fixed, Fixed: 1}
		c1, _, u1 := delegation(t, db, 5, rule)
		c2, _, u2 := delegation(t, db, 4, rule)
		_, err := db.CreateAssembly(ctx, u1[0].ID, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea ponderada", Sector: "other", Place: "210000", Public: true},
			Level: "regional", SeatRule: rule, Founders: []int64{c1.ID}, InitiativeThreshold: -1}, validAnyPlace)
		wantCode(t, err, errs.Invalid, "assembly.threshold.range")
		a, err := db.CreateAssembly(ctx, u1[0].ID, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea ponderada", Sector: "other", Place: "210000", Public: true},
			Level: "regional", SeatRule: rule, Founders: []int64{c1.ID}, Weighted: true}, validAnyPlace)
		if err != nil {
			t.Fatal(err)
		}
		aff, err := db.RequestAffiliation(ctx, u2[0].ID, c2.ID, a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DecideAffiliation(ctx, u1[0].ID, a.ID, aff.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		elect(t, db, c1, a, u1, u1[1:2], 0)
		elect(t, db, c2, a, u2, u2[1:2], 0)
		m, err := db.CreateMotion(ctx, u1[0].ID, a.ID, motions.Input{Title: "Marcha de los cuatro suyos", Text: "¿Marchamos?"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveMotion(ctx, u1[0].ID, m.ID, motions.Voting, 24); err != nil {
			t.Fatal(err)
		}
		if err := db.Vote(ctx, u2[1].ID, m.ID, 0, motions.Ballot{Choice: voting.No}); err != nil {
			t.Fatal(err)
		}
		if err := db.Vote(ctx, u1[1].ID, m.ID, 0, motions.Ballot{Choice: voting.Yes}); err != nil {
			t.Fatal(err)
		}
		got, err := db.Motion(ctx, u1[0].ID, m.ID)
		if err != nil || got.Status != motions.Passed || got.Decision.Count != (voting.Count{Yes: 5, No: 4, Entitled: 9}) {
			t.Fatalf("weighted vote: %+v %v", got.Decision, err)
		}
	})
}
