package store_test

import (
	"fmt"
	"testing"
	"time"

	"asamblea/errs"
	"asamblea/federation"
	"asamblea/polls"
	"asamblea/store"
)

func pollInput(now time.Time, scope polls.Scope, seats int, method string) polls.Input {
	return polls.Input{Title: "Asamblea Constituyente Plurinacional", Scope: scope, Seats: seats, Method: method,
		Threshold: "5", Parity: true, RecallShare: "0.1",
		Calendar: polls.Calendar{RegistrationCloses: now.Add(time.Hour), VotingOpens: now.Add(2 * time.Hour), VotingCloses: now.Add(3 * time.Hour)}}
}

func alternating(prefix string, n int, first string) []polls.CandidateInput {
	var cs []polls.CandidateInput
	g := first
	for i := range n {
		cs = append(cs, polls.CandidateInput{Name: fmt.Sprintf("%s %d", prefix, i+1), Gender: g})
		if g == "F" {
			g = "M"
		} else {
			g = "F"
		}
	}
	return cs
}

func mustEnter(t *testing.T, db *store.DB, user, station, contest int64, s polls.Sheet, want string) {
	t.Helper()
	got, err := db.EnterSheet(ctx, user, station, contest, s)
	if err != nil {
		t.Fatalf("enter station %d: %v", station, err)
	}
	if got.Status != want {
		t.Fatalf("station %d: status %s, want %s", station, got.Status, want)
	}
}

// A public election counted on paper: lists register (one breaking
// alternation is refused), stations are declared, each sheet is entered
// twice by different people, a mismatch and a sheet over its electorate
// are flagged and resolved, the result is published and then corrected in
// a new version, and a representative is recalled and replaced by the
// next on the list.
func TestPaperElection(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 300
		c, _, us := delegation(t, db, 4, federation.SeatRule{Mode: federation.Fixed, Fixed: 1})
		org, clerk1, clerk2, clerk3 := us[0], us[1], us[2], us[3]
		outsider := mustUser(t, db, "Persona de fuera")
		now := time.Now()

		before := journalLen(t, db)
		bad := pollInput(now, polls.PublicScope, 5, "stv")
		_, err := db.CallPoll(ctx, org.ID, c.ID, bad)
		wantCode(t, err, errs.Invalid, "poll.method.paper")
		bad = pollInput(now, polls.PublicScope, 0, "dhondt")
		_, err = db.CallPoll(ctx, org.ID, c.ID, bad)
		wantCode(t, err, errs.Invalid, "poll.seats.range")
		bad = pollInput(now, polls.PublicScope, 5, "dhondt")
		bad.VotingCloses = bad.VotingOpens
		_, err = db.CallPoll(ctx, org.ID, c.ID, bad)
		wantCode(t, err, errs.Invalid, "poll.date.order")
		_, err = db.CallPoll(ctx, clerk1.ID, c.ID, pollInput(now, polls.PublicScope, 5, "dhondt"))
		wantCode(t, err, errs.Forbidden, "")
		if journalLen(t, db) != before {
			t.Fatal("a refused call wrote to the journal")
		}

		e, err := db.CallPoll(ctx, org.ID, c.ID, pollInput(now, polls.PublicScope, 5, "dhondt"))
		if err != nil {
			t.Fatal(err)
		}
		if e.Phase != polls.Registration {
			t.Fatalf("phase %s", e.Phase)
		}

		// Lists register; anyone signed in may in a public election.
		lists := []struct {
			name, first string
			n           int
		}{{"Frente de Trabajadores", "F", 5}, {"Confederación Campesina", "M", 5}, {"Pueblos Amazónicos", "F", 3}}
		for _, l := range lists {
			if _, err := db.RegisterCandidacy(ctx, outsider.ID, e.ID, polls.CandidacyInput{Name: l.name, Organisation: l.name, Sector: "workers",
				Candidates: alternating(l.name, l.n, l.first)}); err != nil {
				t.Fatal(err)
			}
		}
		breaking := alternating("Lista rota", 4, "F")
		breaking[2].Gender = "M"
		_, err = db.RegisterCandidacy(ctx, outsider.ID, e.ID, polls.CandidacyInput{Name: "Lista rota", Organisation: "Rota", Candidates: breaking})
		wantCode(t, err, errs.Invalid, "poll.candidates.alternation")
		_, err = db.RegisterCandidacy(ctx, outsider.ID, e.ID, polls.CandidacyInput{Name: "Demasiados", Organisation: "Rota", Candidates: alternating("X", 6, "F")})
		wantCode(t, err, errs.Invalid, "poll.candidates.too_many")

		// Stations: a bad line stores none.
		st := []polls.StationInput{{Code: "000001", Place: "210101", Electorate: 300}, {Code: "000002", Place: "211101", Electorate: 300},
			{Code: "000003", Place: "080101", Electorate: 250}, {Code: "000004", Place: "080101", Electorate: 250}}
		_, err = db.AddStations(ctx, org.ID, e.ID, append(append([]polls.StationInput{}, st...), polls.StationInput{Code: "000005", Place: "210101"}), validAnyPlace)
		wantCode(t, err, errs.Invalid, "poll.station.electorate.at")
		if _, err := db.AddStations(ctx, org.ID, e.ID, st, validAnyPlace); err != nil {
			t.Fatal(err)
		}
		_, err = db.AddStations(ctx, org.ID, e.ID, st[:1], validAnyPlace)
		wantCode(t, err, errs.Invalid, "poll.station.taken")

		// Registration closes; the vote opens.
		if _, err := db.Advance(ctx, org.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.RegisterCandidacy(ctx, outsider.ID, e.ID, polls.CandidacyInput{Name: "Tarde", Organisation: "Tarde", Candidates: alternating("T", 2, "F")})
		wantCode(t, err, errs.Conflict, "poll.registration.closed")
		ss, err := db.Stations(ctx, 0, e.ID, store.StationFilter{})
		if err != nil || len(ss) != 4 {
			t.Fatalf("stations %v %v", ss, err)
		}
		_, err = db.EnterSheet(ctx, clerk1.ID, ss[0].ID, 0, polls.Sheet{Votes: []int64{1, 1, 1}})
		wantCode(t, err, errs.Conflict, "poll.sheet.closed")
		if _, err := db.Advance(ctx, org.ID, e.ID); err != nil {
			t.Fatal(err)
		}

		s1 := polls.Sheet{Votes: []int64{120, 90, 40}, Blank: 5, Null: 3}
		mustEnter(t, db, clerk1.ID, ss[0].ID, 0, s1, polls.FirstEntered)
		_, err = db.EnterSheet(ctx, clerk1.ID, ss[0].ID, 0, s1)
		wantCode(t, err, errs.Conflict, "poll.sheet.same_person")
		_, err = db.EnterSheet(ctx, outsider.ID, ss[0].ID, 0, s1)
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.EnterSheet(ctx, clerk2.ID, ss[0].ID, 0, polls.Sheet{Votes: []int64{1, 2}})
		wantCode(t, err, errs.Invalid, "poll.sheet.options")
		mustEnter(t, db, clerk2.ID, ss[0].ID, 0, s1, polls.CountedSheet)
		_, err = db.EnterSheet(ctx, clerk3.ID, ss[0].ID, 0, s1)
		wantCode(t, err, errs.Conflict, "poll.sheet.settled")

		// A mismatch, resolved by a third entry agreeing with the first.
		s2 := polls.Sheet{Votes: []int64{100, 100, 50}}
		mustEnter(t, db, clerk1.ID, ss[1].ID, 0, s2, polls.FirstEntered)
		mustEnter(t, db, clerk2.ID, ss[1].ID, 0, polls.Sheet{Votes: []int64{100, 10, 50}}, polls.Mismatch)
		if p, err := db.PollPage(ctx, org.ID, e.ID); err != nil || p.Poll.Flagged != 1 || p.National.Flagged != 1 {
			t.Fatalf("flagged %+v %v", p.Poll, err)
		}
		mustEnter(t, db, clerk3.ID, ss[1].ID, 0, s2, polls.CountedSheet)

		// More votes than electors: flagged, then annulled.
		over := polls.Sheet{Votes: []int64{200, 50, 10}}
		mustEnter(t, db, clerk1.ID, ss[2].ID, 0, over, polls.FirstEntered)
		mustEnter(t, db, clerk2.ID, ss[2].ID, 0, over, polls.OverElectorate)
		if err := db.AnnulSheet(ctx, clerk1.ID, ss[2].ID, 0, "acta con más votos que electores"); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a clerk annulled: %v", err)
		}
		if err := db.AnnulSheet(ctx, org.ID, ss[2].ID, 0, "acta con más votos que electores"); err != nil {
			t.Fatal(err)
		}
		s4 := polls.Sheet{Votes: []int64{60, 80, 70}, Blank: 2}
		mustEnter(t, db, clerk2.ID, ss[3].ID, 0, s4, polls.FirstEntered)

		_, err = db.PublishResults(ctx, org.ID, e.ID, "")
		wantCode(t, err, errs.Conflict, "poll.publish.early")
		if _, err := db.Advance(ctx, org.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.PublishResults(ctx, org.ID, e.ID, "")
		wantCode(t, err, errs.Conflict, "poll.publish.pending")
		mustEnter(t, db, clerk3.ID, ss[3].ID, 0, s4, polls.CountedSheet)

		// Progress by area.
		top, deps, err := db.Areas(ctx, 0, e.ID, 0, "")
		if err != nil {
			t.Fatal(err)
		}
		if top.Stations != 4 || top.Counted != 4 || top.Flagged != 0 || top.Sheet.Votes[0] != 280 || top.Electorate != 1100 {
			t.Fatalf("national %+v", top)
		}
		if len(deps) != 2 || deps[0].Code != "08" || deps[0].Sheet.Votes[1] != 80 || deps[1].Code != "21" || deps[1].Sheet.Votes[0] != 220 {
			t.Fatalf("departments %+v", deps)
		}
		_, dists, err := db.Areas(ctx, 0, e.ID, 0, "21")
		if err != nil || len(dists) != 2 {
			t.Fatalf("districts %+v %v", dists, err)
		}

		r, err := db.PublishResults(ctx, org.ID, e.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, n := range r.Report.Seats {
			total += n
		}
		if r.Version != 1 || total != 5 || len(r.Report.Rounds) == 0 || r.Inputs == "" {
			t.Fatalf("result %+v", r)
		}
		_, err = db.PublishResults(ctx, org.ID, e.ID, "")
		wantCode(t, err, errs.Invalid, "poll.correction.reason")
		if err := db.AnnulSheet(ctx, org.ID, ss[3].ID, 0, "acta adulterada, denunciada ante la fiscalía"); err != nil {
			t.Fatal(err)
		}
		r2, err := db.PublishResults(ctx, org.ID, e.ID, "Se anuló el acta 000004")
		if err != nil || r2.Version != 2 {
			t.Fatalf("correction %+v %v", r2, err)
		}
		rs, err := db.Results(ctx, 0, e.ID, 0)
		if err != nil || len(rs) != 2 || rs[1].SHA256 == rs[0].SHA256 {
			t.Fatalf("versions %+v %v", rs, err)
		}

		// Recall the first of the first list; the next woman below takes it.
		cs, err := db.Representatives(ctx, 0, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		first := cs[0].Candidates[0]
		if first.Status != polls.Elected {
			t.Fatalf("first %+v", cs[0])
		}
		rec, err := db.OpenPetition(ctx, outsider.ID, first.ID, "Votó contra el mandato de sus bases")
		if err != nil {
			t.Fatal(err)
		}
		if rec.Needed != 2 || rec.Signatures != 1 || rec.Status != polls.Collecting {
			t.Fatalf("petition %+v", rec)
		}
		_, err = db.SignPollRecall(ctx, outsider.ID, rec.ID)
		wantCode(t, err, errs.Conflict, "poll.recall.signed")
		if rec, err = db.SignPollRecall(ctx, clerk1.ID, rec.ID); err != nil || rec.Status != polls.RecallVote {
			t.Fatalf("signed %+v %v", rec, err)
		}
		for i, s := range ss {
			yes := polls.Sheet{Votes: []int64{int64(100 + i), 50}}
			mustEnter(t, db, clerk1.ID, s.ID, rec.ID, yes, polls.FirstEntered)
			mustEnter(t, db, clerk2.ID, s.ID, rec.ID, yes, polls.CountedSheet)
		}
		rec, err = db.ClosePollRecall(ctx, org.ID, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != polls.RecallPass || rec.Yes != 406 || rec.No != 200 || rec.ReplacementID == 0 {
			t.Fatalf("closed %+v", rec)
		}
		cs, _ = db.Representatives(ctx, 0, e.ID)
		var replacement polls.Candidate
		for _, x := range cs[0].Candidates {
			if x.ID == rec.ReplacementID {
				replacement = x
			}
		}
		if cs[0].Candidates[0].Status != polls.Recalled || replacement.Status != polls.Elected || replacement.Replaces != first.ID || replacement.Gender != first.Gender {
			t.Fatalf("after the recall %+v", cs[0].Candidates)
		}
		_, err = db.PublishResults(ctx, org.ID, e.ID, "otra corrección")
		wantCode(t, err, errs.Conflict, "poll.correction.recalled")
		journalLen(t, db)
	})
}

// An internal election of a committee, online: ballots ranked (STV), a
// receipt per voter found on the published list, a second ballot and an
// outsider refused; then a recall voted online and the seat going to the
// next in a count without the recalled.
func TestOnlineElection(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 310
		c, _, us := delegation(t, db, 6, federation.SeatRule{Mode: federation.Fixed, Fixed: 1})
		outsider := mustUser(t, db, "Persona ajena")
		now := time.Now()
		in := pollInput(now, polls.BodyScope, 2, polls.STV)
		in.Threshold, in.RecallShare = "", "30"
		e, err := db.CallPoll(ctx, us[0].ID, c.ID, in)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.PollPage(ctx, outsider.ID, e.ID)
		wantCode(t, err, errs.NotFound, "poll.not_found")
		for i, name := range []string{"Ana", "Bruno", "Carla"} {
			if _, err := db.RegisterCandidacy(ctx, us[i].ID, e.ID, polls.CandidacyInput{Organisation: "Comité", Candidates: []polls.CandidateInput{{Name: name, Gender: "X"}}}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = db.RegisterCandidacy(ctx, outsider.ID, e.ID, polls.CandidacyInput{Organisation: "Fuera", Candidates: []polls.CandidateInput{{Name: "Ajena", Gender: "F"}}})
		wantCode(t, err, errs.NotFound, "")
		_, err = db.CastPollBallot(ctx, us[1].ID, e.ID, polls.Ballot{Ranking: []int{1}})
		wantCode(t, err, errs.Conflict, "poll.vote.closed")
		db.Advance(ctx, us[0].ID, e.ID)
		if _, err := db.Advance(ctx, us[0].ID, e.ID); err != nil {
			t.Fatal(err)
		}
		rankings := [][]int{{1, 2}, {1, 3}, {2, 1}, {2, 3}, {3, 1}, {1}}
		var receipts []string
		for i, rk := range rankings {
			code, err := db.CastPollBallot(ctx, us[i].ID, e.ID, polls.Ballot{Ranking: rk})
			if err != nil {
				t.Fatal(err)
			}
			receipts = append(receipts, code)
		}
		_, err = db.CastPollBallot(ctx, us[0].ID, e.ID, polls.Ballot{Ranking: []int{2}})
		wantCode(t, err, errs.Conflict, "poll.vote.twice")
		_, err = db.CastPollBallot(ctx, outsider.ID, e.ID, polls.Ballot{Ranking: []int{2}})
		wantCode(t, err, errs.NotFound, "")
		_, err = db.CastPollBallot(ctx, us[0].ID, e.ID, polls.Ballot{Ranking: []int{2, 2}})
		wantCode(t, err, errs.Invalid, "poll.ballot.twice")
		list, err := db.Receipts(ctx, us[2].ID, e.ID, "", "", 0)
		if err != nil || len(list) != 6 {
			t.Fatalf("receipts %v %v", list, err)
		}
		if got, _ := db.Receipts(ctx, us[2].ID, e.ID, "", receipts[3], 0); len(got) != 1 {
			t.Fatalf("receipt %s not found", receipts[3])
		}
		db.Advance(ctx, us[0].ID, e.ID)
		r, err := db.PublishResults(ctx, us[0].ID, e.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Report.Elected) != 2 || r.Report.Elected[0] != "1. Ana" {
			t.Fatalf("elected %v", r.Report.Elected)
		}
		cs, _ := db.Representatives(ctx, us[1].ID, e.ID)
		ana := cs[0].Candidates[0]
		rec, err := db.OpenPetition(ctx, us[1].ID, ana.ID, "No rinde cuentas")
		if err != nil {
			t.Fatal(err)
		}
		if rec.Needed != 2 {
			t.Fatalf("needed %d", rec.Needed)
		}
		if rec, err = db.SignPollRecall(ctx, us[2].ID, rec.ID); err != nil || rec.Status != polls.RecallVote {
			t.Fatalf("%+v %v", rec, err)
		}
		_, err = db.ClosePollRecall(ctx, us[0].ID, rec.ID)
		wantCode(t, err, errs.Conflict, "poll.recall.still_open")
		for i, u := range us {
			if err := db.VotePollRecall(ctx, u.ID, rec.ID, i != 0); err != nil {
				t.Fatal(err)
			}
		}
		wantCode(t, db.VotePollRecall(ctx, us[1].ID, rec.ID, true), errs.Conflict, "poll.vote.twice")
		rec, err = db.ClosePollRecall(ctx, us[0].ID, rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != polls.RecallPass || rec.Yes != 5 || rec.No != 1 || rec.Replacement == "" {
			t.Fatalf("recall %+v", rec)
		}
		journalLen(t, db)
	})
}
