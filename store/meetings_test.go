package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/federation"
	"asamblea/motions"
	"asamblea/store"
	"asamblea/voting"
)

// lima is the zone meeting dates are written in.
var lima = time.FixedZone("PET", -5*3600)

// meetingDay is a date n days ago, as a meeting record writes it.
func meetingDay(n int) string { return time.Now().In(lima).AddDate(0, 0, -n).Format("2006-01-02") }

// mtgMotion proposes a yes/no motion (or one among options) and, with
// hours, opens its vote (actor facilitates).
func mtgMotion(t *testing.T, db *store.DB, actor, body int64, title string, hours int, options ...string) motions.Motion {
	t.Helper()
	in := motions.Input{Title: title, Text: "Que " + title + "."}
	if len(options) > 0 {
		in.Options, in.Rule = options, voting.Plurality
	}
	m, err := db.CreateMotion(ctx, actor, body, in)
	if err != nil {
		t.Fatal(err)
	}
	if hours > 0 {
		if m, err = db.MoveMotion(ctx, actor, m.ID, motions.Voting, hours); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// mtgCommittee makes a committee of n members, the first facilitating.
func mtgCommittee(t *testing.T, db *store.DB, name string, n int) (bodies.Body, []accounts.User) {
	t.Helper()
	users := []accounts.User{mustUser(t, db, name+" 0")}
	c, err := db.CreateCommittee(ctx, users[0].ID, bodies.Input{Name: name, Sector: "campesinos", Place: "211101", Public: true}, validAnyPlace)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := db.CreateInvitation(ctx, users[0].ID, c.ID, bodies.InvitationInput{MaxUses: 100, Days: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < n; i++ {
		u := mustUser(t, db, name+" "+string(rune('0'+i)))
		if _, err := db.Join(ctx, u.ID, inv.Code); err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	c.Members = n
	return c, users
}

func TestMeetingRecordAndConfirm(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		c, users := mtgCommittee(t, db, "Comité de Ayaviri", 6)
		rosa, juan, ana := users[0], users[1], users[2]
		if err := db.SetRole(ctx, rosa.ID, c.ID, juan.ID, bodies.Secretary); err != nil {
			t.Fatal(err)
		}
		paro := mtgMotion(t, db, rosa.ID, c.ID, "Paro de 48 horas", 0)
		olla := mtgMotion(t, db, rosa.ID, c.ID, "Olla común en la plaza", 24)
		ruta := mtgMotion(t, db, rosa.ID, c.ID, "Ruta de la marcha", 0, "Por la carretera", "Por el centro")
		voted := mtgMotion(t, db, rosa.ID, c.ID, "Vigilia ante la fiscalía", 24)
		if err := db.Vote(ctx, ana.ID, voted.ID, 0, motions.Ballot{Choice: voting.Yes}); err != nil {
			t.Fatal(err)
		}
		am, err := db.ProposeAmendment(ctx, ana.ID, paro.ID, "Que el comité se sume al paro de 72 horas.", "")
		if err != nil {
			t.Fatal(err)
		}
		other, others := mtgCommittee(t, db, "Comité de Lampa", 2)
		foreign := mtgMotion(t, db, others[0].ID, other.ID, "Moción ajena", 0)

		good := motions.MeetingInput{HeldOn: meetingDay(1), Place: "Plaza de Armas de Ayaviri", Attendance: 5, Notes: "Asamblea abierta.",
			Decisions: []motions.MeetingDecision{
				{MotionID: paro.ID, Hands: motions.Hands{Yes: 4, No: 1}},
				{MotionID: olla.ID, Hands: motions.Hands{Yes: 2, No: 2, Abstain: 1}},
				{MotionID: ruta.ID, Hands: motions.Hands{Options: []int64{1, 3}}},
			}}
		with := func(f func(in *motions.MeetingInput)) motions.MeetingInput {
			in := good
			in.Decisions = slices.Clone(good.Decisions)
			f(&in)
			return in
		}
		before := journalLen(t, db)
		for _, tc := range []struct {
			name  string
			actor int64
			in    motions.MeetingInput
			code  errs.Code
			key   string
		}{
			{"ErrMemberRecords", ana.ID, good, errs.Forbidden, "error.forbidden"},
			{"ErrFutureDate", juan.ID, with(func(in *motions.MeetingInput) { in.HeldOn = meetingDay(-2) }), errs.Invalid, "meeting.date.future"},
			{"ErrBadDate", juan.ID, with(func(in *motions.MeetingInput) { in.HeldOn = "31/12/2025" }), errs.Invalid, "meeting.date.invalid"},
			{"ErrAttendanceOverMembers", juan.ID, with(func(in *motions.MeetingInput) { in.Attendance = 7 }), errs.Invalid, "meeting.attendance.range"},
			{"ErrHandsOverAttendance", juan.ID, with(func(in *motions.MeetingInput) { in.Decisions[0].Hands = motions.Hands{Yes: 4, No: 2} }), errs.Invalid, "meeting.hands.exceed"},
			{"ErrOneCountOverAttendance", juan.ID, with(func(in *motions.MeetingInput) { in.Decisions[1].Hands = motions.Hands{Yes: 6} }), errs.Invalid, "meeting.hands.range"},
			{"ErrOptionsMissing", juan.ID, with(func(in *motions.MeetingInput) { in.Decisions[2].Hands = motions.Hands{Yes: 3} }), errs.Invalid, "meeting.hands.options"},
			{"ErrNoDecision", juan.ID, with(func(in *motions.MeetingInput) { in.Decisions = nil }), errs.Invalid, "meeting.decisions.none"},
			{"ErrTwice", juan.ID, with(func(in *motions.MeetingInput) { in.Decisions[1].MotionID = paro.ID }), errs.Invalid, "meeting.decisions.twice"},
			{"ErrVotedOnline", juan.ID, with(func(in *motions.MeetingInput) { in.Decisions[1].MotionID = voted.ID }), errs.Conflict, "meeting.motion.voted"},
			{"ErrOtherBody", juan.ID, with(func(in *motions.MeetingInput) { in.Decisions[1].MotionID = foreign.ID }), errs.Invalid, "meeting.motion.not_found"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.RecordMeeting(ctx, tc.actor, c.ID, tc.in)
				wantCode(t, err, tc.code, tc.key)
			})
		}
		// The error names the decision it is about.
		_, err = db.RecordMeeting(ctx, juan.ID, c.ID, with(func(in *motions.MeetingInput) { in.Decisions[1].Hands = motions.Hands{Yes: 6} }))
		if f := errs.As(err).Field; f != "decisions[1].hands" {
			t.Fatalf("field of a bad count: %q", f)
		}
		if after := journalLen(t, db); after != before {
			t.Fatalf("refused records wrote %d journal entries", after-before)
		}

		g, err := db.RecordMeeting(ctx, juan.ID, c.ID, good)
		if err != nil {
			t.Fatal(err)
		}
		if g.Status != motions.MeetingPending || len(g.Decisions) != 3 || g.Recorder != juan.Name {
			t.Fatalf("recorded: %+v", g)
		}
		// Nothing takes effect yet: the motions wait, and no one can vote
		// online on the one whose vote was open.
		m, err := db.Motion(ctx, ana.ID, olla.ID)
		if err != nil || m.Status != motions.Recorded || m.MeetingID != g.ID || m.Decision != nil {
			t.Fatalf("recorded motion: %+v %v", m, err)
		}
		wantCode(t, db.Vote(ctx, ana.ID, olla.ID, 0, motions.Ballot{Choice: voting.Yes}), errs.Conflict, "motion.vote.closed")
		// A motion already in a record cannot be in a second one.
		_, err = db.RecordMeeting(ctx, rosa.ID, c.ID, with(func(in *motions.MeetingInput) { in.Decisions = in.Decisions[:1] }))
		wantCode(t, err, errs.Conflict, "meeting.motion.not_open")
		// The facilitator is told a record waits.
		ns, err := db.Notices(ctx, rosa.ID, 10)
		if err != nil || len(ns) == 0 || ns[0].Message != "notice.meeting_recorded" || ns[0].Link == "" {
			t.Fatalf("facilitator's notices: %+v %v", ns, err)
		}

		outsider := mustUser(t, db, "Intrusa")
		before = journalLen(t, db)
		wantCode(t, db.ConfirmMeeting(ctx, juan.ID, g.ID), errs.Forbidden, "meeting.confirm.own")
		wantCode(t, db.ConfirmMeeting(ctx, outsider.ID, g.ID), errs.Forbidden, "")
		wantCode(t, db.ConfirmMeeting(ctx, ana.ID, g.ID+100), errs.NotFound, "meeting.not_found")
		if after := journalLen(t, db); after != before {
			t.Fatalf("refused confirmations wrote %d journal entries", after-before)
		}
		if err := db.ConfirmMeeting(ctx, ana.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.ConfirmMeeting(ctx, rosa.ID, g.ID), errs.Conflict, "meeting.confirmed")
		wantCode(t, db.ConfirmMeeting(ctx, ana.ID, g.ID), errs.Conflict, "meeting.confirmed")

		for _, want := range []struct {
			id             int64
			status, result string
		}{
			{paro.ID, motions.Passed, voting.Yes},
			{olla.ID, motions.Rejected, voting.No}, // a tie rejects
			{ruta.ID, motions.Decided, "1"},
		} {
			m, err := db.Motion(ctx, ana.ID, want.id)
			if err != nil {
				t.Fatal(err)
			}
			if m.Status != want.status || m.Result != want.result || m.Mode != motions.InMeeting || m.MeetingID != g.ID || m.DecidedOn != good.HeldOn {
				t.Errorf("%s: %s %q mode %s meeting %d on %s", m.Title, m.Status, m.Result, m.Mode, m.MeetingID, m.DecidedOn)
			}
		}
		// The meeting decided the text as it stood: the amendment still
		// pending is superseded.
		if as, err := db.Amendments(ctx, ana.ID, paro.ID); err != nil || len(as) != 1 || as[0].ID != am.ID || as[0].Status != motions.AmendSuperseded {
			t.Fatalf("amendments after the meeting: %+v %v", as, err)
		}
		// Those present who raised no hand abstained; the members entitled
		// are the body's six.
		m, _ = db.Motion(ctx, ana.ID, paro.ID)
		if c := m.Decision.Count; c.Yes != 4 || c.No != 1 || c.Abstain != 0 || c.Entitled != 6 {
			t.Fatalf("count of the paro: %+v", c)
		}

		g, err = db.Meeting(ctx, ana.ID, g.ID)
		if err != nil || g.Status != motions.MeetingConfirmed || g.Confirmer != ana.Name || len(g.Decisions) != 3 || g.Decisions[0].Title == "" {
			t.Fatalf("confirmed meeting: %+v %v", g, err)
		}
		list, err := db.Meetings(ctx, rosa.ID, c.ID)
		if err != nil || len(list) != 1 || len(list[0].Decisions) != 3 {
			t.Fatalf("meetings: %+v %v", list, err)
		}
		_, err = db.Meeting(ctx, outsider.ID, g.ID)
		wantCode(t, err, errs.Forbidden, "")
		if ns, _ := db.Notices(ctx, juan.ID, 10); len(ns) == 0 || ns[0].Message != "notice.meeting_confirmed" {
			t.Fatalf("recorder's notices: %+v", ns)
		}
		journalLen(t, db)
	})
}

// TestMeetingDecidesReferral: a base that decides a referral's copy in a
// plaza meeting counts exactly as one that votes online: the referral's
// aggregation adds it, and its delegates get the instruction.
func TestMeetingDecidesReferral(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 0
		c, a, users := delegation(t, db, 5, federation.SeatRule{Mode: federation.Fixed, Fixed: 1})
		elect(t, db, c, a, users, users[1:2], 0)
		rosa := users[0]
		m := mtgMotion(t, db, rosa.ID, a.ID, "Marcha de los Cuatro Suyos", 0)
		ref, err := db.Refer(ctx, rosa.ID, m.ID, 48)
		if err != nil {
			t.Fatal(err)
		}
		copies, err := db.Motions(ctx, rosa.ID, c.ID, store.MotionFilter{Open: true})
		if err != nil || len(copies) != 1 || copies[0].ReferralID != ref.ID {
			t.Fatalf("copies: %+v %v", copies, err)
		}
		cp := copies[0]
		// The copy waits for the members, as a referral.
		aw, err := db.Awaiting(ctx, users[2].ID)
		if err != nil || len(aw) != 1 || aw[0].Kind != motions.AwaitReferral || aw[0].ID != cp.ID || aw[0].Deadline.IsZero() {
			t.Fatalf("awaiting a referral: %+v %v", aw, err)
		}

		g, err := db.RecordMeeting(ctx, rosa.ID, c.ID, motions.MeetingInput{HeldOn: meetingDay(0), Place: "Coliseo de Juliaca", Attendance: 4,
			Decisions: []motions.MeetingDecision{{MotionID: cp.ID, Hands: motions.Hands{Yes: 1, No: 3}}}})
		if err != nil {
			t.Fatal(err)
		}
		agg, err := db.Aggregation(ctx, rosa.ID, ref.ID)
		if err != nil || agg.Decided != 0 {
			t.Fatalf("aggregation before confirmation: %+v %v", agg, err)
		}
		if err := db.ConfirmMeeting(ctx, users[3].ID, g.ID); err != nil {
			t.Fatal(err)
		}
		agg, err = db.Aggregation(ctx, rosa.ID, ref.ID)
		if err != nil {
			t.Fatal(err)
		}
		if agg.Decided != 1 || agg.Pending != 0 || agg.Choices[1].Choice != voting.No || agg.Choices[1].Committees != 1 || agg.Choices[1].Members != 5 {
			t.Fatalf("aggregation after the meeting: %+v", agg)
		}
		ins, err := db.Instructions(ctx, rosa.ID, c.ID)
		if err != nil || len(ins) != 1 || ins[0].MotionID != m.ID || ins[0].Choice != voting.No || ins[0].SourceID != cp.ID {
			t.Fatalf("instructions: %+v %v", ins, err)
		}
		// Every base has decided: the assembly's own vote opens, and the
		// delegate finds it waiting, with the instruction.
		am, err := db.Motion(ctx, users[1].ID, m.ID)
		if err != nil || am.Status != motions.Voting || am.Instruction != voting.No {
			t.Fatalf("assembly motion: %+v %v", am, err)
		}
		aw, err = db.Awaiting(ctx, users[1].ID)
		if err != nil || len(aw) != 1 || aw[0].ID != m.ID || aw[0].Kind != motions.AwaitReferral || aw[0].BodyID != a.ID {
			t.Fatalf("awaiting the delegate: %+v %v", aw, err)
		}
		journalLen(t, db)
	})
}

func TestInitiativeReachesAgenda(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		rosa, juan := mustUser(t, db, "Rosa"), mustUser(t, db, "Juan")
		juliaca := committeeWith(t, db, rosa.ID, "Juliaca", "211101", 0)
		puno := committeeWith(t, db, rosa.ID, "Puno", "210101", 0)
		lampa := committeeWith(t, db, juan.ID, "Lampa", "210101", 0)
		azangaro := committeeWith(t, db, juan.ID, "Azángaro", "210101", 0)
		a, err := db.CreateAssembly(ctx, rosa.ID, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea Regional de Puno", Sector: "other", Place: "210000", Public: true},
			Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 1}, Founders: []int64{juliaca.ID, puno.ID}}, validAnyPlace)
		if err != nil {
			t.Fatal(err)
		}
		aff, err := db.RequestAffiliation(ctx, juan.ID, lampa.ID, a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DecideAffiliation(ctx, rosa.ID, a.ID, aff.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		// Juliaca decides, online.
		m := mtgMotion(t, db, rosa.ID, juliaca.ID, "Nueva constitución por asamblea constituyente", 24)
		open := mtgMotion(t, db, rosa.ID, juliaca.ID, "Moción aún en votación", 24)
		if err := db.Vote(ctx, rosa.ID, m.ID, 0, motions.Ballot{Choice: voting.Yes}); err != nil {
			t.Fatal(err)
		}
		if m, err = db.Motion(ctx, rosa.ID, m.ID); err != nil || m.Status != motions.Passed {
			t.Fatalf("motion: %+v %v", m, err)
		}

		before := journalLen(t, db)
		_, err = db.SendInitiative(ctx, rosa.ID, open.ID, a.ID)
		wantCode(t, err, errs.Conflict, "initiative.not_passed")
		_, err = db.SendInitiative(ctx, juan.ID, m.ID, a.ID)
		wantCode(t, err, errs.Forbidden, "")
		_, err = db.SendInitiative(ctx, rosa.ID, m.ID, puno.ID)
		wantCode(t, err, errs.Invalid, "initiative.not_affiliated")
		if after := journalLen(t, db); after != before {
			t.Fatalf("refused sends wrote %d journal entries", after-before)
		}

		in, err := db.SendInitiative(ctx, rosa.ID, m.ID, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if in.Status != motions.InitiativeOpen || in.Supporters != 1 || in.Threshold != 3 {
			t.Fatalf("initiative: %+v", in)
		}
		_, err = db.SendInitiative(ctx, rosa.ID, m.ID, a.ID)
		wantCode(t, err, errs.Conflict, "initiative.already")

		before = journalLen(t, db)
		wantCode(t, db.EndorseInitiative(ctx, rosa.ID, in.ID, juliaca.ID), errs.Conflict, "initiative.endorse.own")
		wantCode(t, db.EndorseInitiative(ctx, juan.ID, in.ID, azangaro.ID), errs.Invalid, "initiative.endorse.not_affiliated")
		wantCode(t, db.EndorseInitiative(ctx, juan.ID, in.ID, puno.ID), errs.Forbidden, "")
		wantCode(t, db.EndorseInitiative(ctx, juan.ID, in.ID+50, lampa.ID), errs.NotFound, "initiative.not_found")
		if after := journalLen(t, db); after != before {
			t.Fatalf("refused endorsements wrote %d journal entries", after-before)
		}

		if err := db.EndorseInitiative(ctx, juan.ID, in.ID, lampa.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.EndorseInitiative(ctx, juan.ID, in.ID, lampa.ID), errs.Conflict, "initiative.endorse.twice")
		list, err := db.Initiatives(ctx, juan.ID, a.ID)
		if err != nil || len(list) != 1 || list[0].Supporters != 2 || list[0].Status != motions.InitiativeOpen || !slices.Equal(list[0].Endorsers, []string{"Lampa"}) {
			t.Fatalf("initiatives: %+v %v", list, err)
		}
		es, err := db.Endorsers(ctx, rosa.ID, a.ID)
		if err != nil || len(es) != 2 || !es[0].Supports(in.ID) || es[1].Name != "Puno" || es[1].Supports(in.ID) {
			t.Fatalf("endorsers for Rosa: %+v %v", es, err)
		}

		// The third supporter puts it on the agenda, by itself.
		if err := db.EndorseInitiative(ctx, rosa.ID, in.ID, puno.ID); err != nil {
			t.Fatal(err)
		}
		list, err = db.Initiatives(ctx, rosa.ID, a.ID)
		if err != nil || len(list) != 1 || list[0].Status != motions.InitiativeAdmitted || list[0].AgendaID == 0 || list[0].Supporters != 3 {
			t.Fatalf("initiatives after the threshold: %+v %v", list, err)
		}
		agenda, err := db.Motion(ctx, rosa.ID, list[0].AgendaID)
		if err != nil {
			t.Fatal(err)
		}
		if agenda.BodyID != a.ID || agenda.Status != motions.Discussion || agenda.InitiativeID != in.ID || agenda.Title != m.Title ||
			agenda.Text != m.Text || agenda.ProposerID != rosa.ID || agenda.Rule.Kind != m.Rule.Kind {
			t.Fatalf("agenda motion: %+v", agenda)
		}
		wantCode(t, db.EndorseInitiative(ctx, juan.ID, in.ID, lampa.ID), errs.Conflict, "initiative.admitted")
		sent, err := db.SentInitiatives(ctx, rosa.ID, juliaca.ID)
		if err != nil || len(sent) != 1 || sent[0].AgendaID != agenda.ID {
			t.Fatalf("sent: %+v %v", sent, err)
		}
		// Outsiders see nothing of the assembly's initiatives.
		outsider := mustUser(t, db, "Intrusa")
		if _, err := db.Initiatives(ctx, outsider.ID, a.ID); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("an outsider lists initiatives: %v", err)
		}
		journalLen(t, db)
	})
}

// TestAwaiting: each thing waiting for a person's act shows until they act.
func TestAwaiting(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 0
		c, a, users := delegation(t, db, 4, federation.SeatRule{Mode: federation.Fixed, Fixed: 1})
		elect(t, db, c, a, users, users[1:2], 1) // users[1] seated, users[2] alternate
		rosa, juan, ana, edwin := users[0], users[1], users[2], users[3]
		kinds := func(u accounts.User) []string {
			t.Helper()
			aw, err := db.Awaiting(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for i, x := range aw {
				if i > 0 && aw[i-1].Since.Before(x.Since) {
					t.Fatalf("not newest first: %+v", aw)
				}
				if x.Link == "" || x.BodyName == "" || x.Title == "" {
					t.Fatalf("incomplete item: %+v", x)
				}
				out = append(out, x.Kind+":"+x.Title)
			}
			return out
		}
		if got := kinds(ana); len(got) != 0 {
			t.Fatalf("nothing open yet, got %v", got)
		}

		vote := mtgMotion(t, db, rosa.ID, c.ID, "Paro regional", 24)
		disc := mtgMotion(t, db, rosa.ID, c.ID, "Comunicado a la prensa", 0)
		am, err := db.ProposeAmendment(ctx, ana.ID, disc.ID, "Que se publique el comunicado hoy.", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DecideAmendment(ctx, rosa.ID, am.ID, "vote"); err != nil {
			t.Fatal(err)
		}
		ds, err := db.Delegates(ctx, rosa.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var seat int64
		for _, d := range ds {
			if d.UserID == juan.ID {
				seat = d.ID
			}
		}
		rc, err := db.OpenRecall(ctx, edwin.ID, seat, "No informa a la base")
		if err != nil {
			t.Fatal(err)
		}
		plaza := mtgMotion(t, db, rosa.ID, c.ID, "Olla común", 0)
		g, err := db.RecordMeeting(ctx, rosa.ID, c.ID, motions.MeetingInput{HeldOn: meetingDay(0), Place: "Plaza de Juliaca", Attendance: 3,
			Decisions: []motions.MeetingDecision{{MotionID: plaza.ID, Hands: motions.Hands{Yes: 3}}}})
		if err != nil {
			t.Fatal(err)
		}
		amv := mtgMotion(t, db, rosa.ID, a.ID, "Plataforma de lucha regional", 24)

		want := []string{
			motions.AwaitVote + ":" + amv.Title, // juan holds a seat
			motions.AwaitConfirmation + ":Plaza de Juliaca",
			motions.AwaitRecall + ":" + juan.Name,
			motions.AwaitAmendment + ":" + disc.Title,
			motions.AwaitVote + ":" + vote.Title,
		}
		has := func(got []string, w string) bool { return slices.Contains(got, w) }
		got := kinds(juan)
		for _, w := range want {
			if !has(got, w) {
				t.Errorf("juan awaits %v, lacks %s", got, w)
			}
		}
		if got := kinds(rosa); has(got, want[1]) || has(got, want[0]) || !has(got, want[4]) {
			t.Errorf("rosa (who recorded, holds no seat) awaits %v", got)
		}

		// Each goes once acted on.
		if err := db.Vote(ctx, juan.ID, amv.ID, 0, motions.Ballot{Choice: voting.Yes}); err != nil {
			t.Fatal(err)
		}
		if err := db.ConfirmMeeting(ctx, juan.ID, g.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.VoteRecall(ctx, juan.ID, rc.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := db.VoteAmendment(ctx, juan.ID, am.ID, voting.Yes); err != nil {
			t.Fatal(err)
		}
		if err := db.Vote(ctx, juan.ID, vote.ID, 0, motions.Ballot{Choice: voting.No}); err != nil {
			t.Fatal(err)
		}
		if got := kinds(juan); len(got) != 0 {
			t.Fatalf("after acting, juan still awaits %v", got)
		}
		// The others still have theirs (the record is confirmed).
		if got := kinds(edwin); has(got, want[1]) || !has(got, want[2]) || !has(got, want[4]) {
			t.Fatalf("edwin awaits %v", got)
		}
		// An open election of delegates waits too, once a seat is free: the
		// alternate votes and leaves, the recall passes.
		if err := db.VoteRecall(ctx, ana.ID, rc.ID, true); err != nil {
			t.Fatal(err)
		}
		if err := db.Leave(ctx, ana.ID, c.ID); err != nil {
			t.Fatal(err)
		}
		for _, u := range []accounts.User{rosa, edwin} {
			if err := db.VoteRecall(ctx, u.ID, rc.ID, true); err != nil {
				t.Fatal(err)
			}
		}
		got = kinds(edwin)
		if !has(got, motions.AwaitElection+":"+a.Name) || has(got, want[2]) {
			t.Fatalf("after the recall, edwin awaits %v", got)
		}
		es, err := db.Elections(ctx, edwin.ID, c.ID)
		if err != nil || len(es) == 0 {
			t.Fatal(err)
		}
		if err := db.Stand(ctx, edwin.ID, es[0].ID, "", ""); err != nil {
			t.Fatal(err)
		}
		if err := db.CastRanking(ctx, edwin.ID, es[0].ID, []int64{edwin.ID}); err != nil {
			t.Fatal(err)
		}
		if got := kinds(edwin); has(got, motions.AwaitElection+":"+a.Name) {
			t.Fatalf("after voting, edwin awaits %v", got)
		}
		journalLen(t, db)
	})
}

// BenchmarkAwaiting lists what awaits a member of three committees while
// 2,000 committees each have ten votes open (a national referral and
// more): the list reads only the viewer's bodies.
func BenchmarkAwaiting(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			db := benchDB(b, name)
			var cs []store.BulkCommittee
			for i := range 2000 {
				c := store.BulkCommittee{Name: fmt.Sprintf("Comité %d", i), Sector: "workers", Place: "211101", Public: true}
				for j := range 3 {
					c.Members = append(c.Members, fmt.Sprintf("Persona %d-%d", i, j))
				}
				cs = append(cs, c)
			}
			loaded, err := db.BulkLoad(ctx, "x", cs)
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now().UnixMicro()
			for range 10 {
				if err := db.ExecRaw(ctx, fmt.Sprintf(`INSERT INTO motions (body_id, title, text, rule, proposer_id, status, closes_at, voting_at, created_at, updated_at)
					SELECT id, 'Consulta nacional', 'Texto', '{}', created_by, 'voting', %d, %d, %d, %d FROM bodies`, now+int64(time.Hour/time.Microsecond), now, now, now)); err != nil {
					b.Fatal(err)
				}
			}
			viewer := loaded[0].Facilitator
			for _, l := range loaded[1:3] {
				if err := db.ExecRaw(ctx, fmt.Sprintf(`INSERT INTO memberships (body_id, user_id, role, joined_at, sort_key) VALUES (%d, %d, 'member', %d, 'x')`, l.Body, viewer, now)); err != nil {
					b.Fatal(err)
				}
			}
			if name == "postgres" {
				if err := db.ExecRaw(ctx, `ANALYZE motions, memberships, bodies`); err != nil { // as autovacuum would
					b.Fatal(err)
				}
			}
			b.ResetTimer()
			for b.Loop() {
				aw, err := db.Awaiting(ctx, viewer)
				if err != nil || len(aw) != 30 {
					b.Fatalf("awaiting: %d %v", len(aw), err)
				}
			}
		})
	}
}
