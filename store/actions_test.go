package store_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"asamblea/actions"
	"asamblea/errs"
	"asamblea/federation"
	"asamblea/store"
)

func roadblockInput(now time.Time) actions.Input {
	lat, lon := -15.49512, -70.13401
	return actions.Input{Kind: actions.Roadblock, Title: "Bloqueo de la carretera Juliaca–Puno", Description: "Km 12, puente Maravillas.",
		Place: "211101", Lat: &lat, Lon: &lon, Start: now.Add(2 * time.Hour), Visibility: actions.Federation}
}

// A committee calls a roadblock; another of its assembly joins and reports;
// a body outside the federation sees nothing of it; the assembly's view
// counts it and follows the federation as affiliations change.
func TestActionLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		delegationN = 0
		rule := federation.SeatRule{Mode: federation.Fixed, Fixed: 1}
		c1, a, u1 := delegation(t, db, 4, rule)
		c2, _, u2 := delegation(t, db, 3, rule)
		c3, _, u3 := delegation(t, db, 3, rule) // in an assembly of its own
		aff, err := db.RequestAffiliation(ctx, u2[0].ID, c2.ID, a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DecideAffiliation(ctx, u1[0].ID, a.ID, aff.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		// The figures kept as actions change must equal a count of the
		// scope (which a span of dates reads).
		sameCounts := func(when string) {
			t.Helper()
			kept, err1 := db.Coordinate(ctx, u1[0].ID, a.ID, actions.Filter{}, "")
			counted, err2 := db.Coordinate(ctx, u1[0].ID, a.ID, actions.Filter{From: now.AddDate(-1, 0, 0), To: now.AddDate(1, 0, 0)}, "")
			if err1 != nil || err2 != nil || !reflect.DeepEqual(kept.Summary, counted.Summary) {
				t.Fatalf("%s: kept %+v, counted %+v (%v %v)", when, kept.Summary, counted.Summary, err1, err2)
			}
		}

		// Bad input: a clear error, nothing stored.
		before := journalLen(t, db)
		bad := roadblockInput(now)
		end := bad.Start.Add(-time.Hour)
		bad.End = &end
		_, err = db.CallAction(ctx, u1[0].ID, c1.ID, bad, validAnyPlace)
		wantCode(t, err, errs.Invalid, "action.end.before_start")
		bad = roadblockInput(now)
		bad.Place = "999999"
		_, err = db.CallAction(ctx, u1[0].ID, c1.ID, bad, validAnyPlace)
		wantCode(t, err, errs.Invalid, "action.place.unknown")
		bad = roadblockInput(now)
		bad.Kind, bad.Route = actions.Caravan, []string{"211101"}
		_, err = db.CallAction(ctx, u1[0].ID, c1.ID, bad, validAnyPlace)
		wantCode(t, err, errs.Invalid, "action.route.too_short")
		_, err = db.CallAction(ctx, u1[1].ID, c1.ID, roadblockInput(now), validAnyPlace) // a plain member
		wantCode(t, err, errs.Forbidden, "error.forbidden")
		if journalLen(t, db) != before {
			t.Fatal("a refused call wrote to the journal")
		}

		act, err := db.CallAction(ctx, u1[0].ID, c1.ID, roadblockInput(now), validAnyPlace)
		if err != nil {
			t.Fatal(err)
		}
		if act.Status != actions.Called || act.Mobilised != 4 || act.Department() != "21" {
			t.Fatalf("called: %+v", act)
		}

		// Outside the federation the action does not exist.
		_, err = db.Action(ctx, u3[0].ID, act.ID, 0)
		wantCode(t, err, errs.NotFound, "action.not_found")
		wantCode(t, db.Adhere(ctx, u3[0].ID, act.ID, c3.ID), errs.NotFound, "action.not_found")

		// A member of c2 sees it; c2 joins; its members may then report.
		_, err = db.PostReport(ctx, u2[1].ID, act.ID, c2.ID, "Llegamos al puente.", nil)
		wantCode(t, err, errs.Forbidden, "action.not_joined")
		if err := db.Adhere(ctx, u2[0].ID, act.ID, c2.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Adhere(ctx, u2[0].ID, act.ID, c2.ID), errs.Conflict, "action.adhere.already")
		photo := &store.Photo{Data: []byte("\xff\xd8jpeg\xff\xd9"), Width: 2, Height: 1, SHA256: "abc"}
		r, err := db.PostReport(ctx, u2[1].ID, act.ID, c2.ID, "  Llegamos al puente: somos 300.  ", photo)
		if err != nil {
			t.Fatal(err)
		}
		if r.Text != "Llegamos al puente: somos 300." || r.PhotoID == 0 {
			t.Fatalf("report: %+v", r)
		}
		long := bytes.Repeat([]byte("a"), actions.ReportMax+1)
		_, err = db.PostReport(ctx, u2[1].ID, act.ID, c2.ID, string(long), nil)
		wantCode(t, err, errs.Invalid, "error.too_long")

		p, err := db.Action(ctx, u1[1].ID, act.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		if p.Action.Adherents != 1 || p.Action.Mobilised != 7 || len(p.Adhesions) != 1 || len(p.Reports) != 1 {
			t.Fatalf("page: %+v", p)
		}
		if p.Reports[0].AuthorName != "" {
			t.Error("the author is named to a member of another body")
		}
		if len(p.ReportFor) != 1 || p.ReportFor[0].ID != c1.ID || p.Manage {
			t.Errorf("a plain member of the caller: report for %v, manage %v", p.ReportFor, p.Manage)
		}
		data, err := db.ReportPhoto(ctx, u1[1].ID, r.PhotoID)
		if err != nil || !bytes.Equal(data, photo.Data) {
			t.Fatalf("photo: %q %v", data, err)
		}
		_, err = db.ReportPhoto(ctx, u3[0].ID, r.PhotoID)
		wantCode(t, err, errs.NotFound, "photo.not_found")

		// Status.
		if err := db.SetActionStatus(ctx, u1[0].ID, act.ID, actions.Ongoing); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.SetActionStatus(ctx, u1[0].ID, act.ID, actions.Called), errs.Conflict, "action.status.cannot")
		wantCode(t, db.SetActionStatus(ctx, u2[0].ID, act.ID, actions.Ended), errs.Forbidden, "error.forbidden")
		if err := db.MarkRepressed(ctx, u2[0].ID, act.ID, c2.ID, true); err != nil {
			t.Fatal(err)
		}
		sameCounts("ongoing")

		// The assembly's view.
		c, err := db.Coordinate(ctx, u2[1].ID, a.ID, actions.Filter{Active: true}, "")
		if err != nil {
			t.Fatal(err)
		}
		if c.Public || c.Summary.Total != 1 || c.Summary.ByDepartment["21"] != 1 || len(c.Timeline) != 1 || !c.Timeline[0].Repressed {
			t.Fatalf("coordination: %+v", c)
		}
		c, _ = db.Coordinate(ctx, u2[1].ID, a.ID, actions.Filter{Kind: actions.Strike}, "")
		if c.Summary.Total != 0 || len(c.Timeline) != 0 {
			t.Fatalf("strikes: %+v", c)
		}
		// An outsider sees the public actions only: none yet.
		c, err = db.Coordinate(ctx, u3[0].ID, a.ID, actions.Filter{}, "")
		if err != nil || !c.Public || c.Summary.Total != 0 {
			t.Fatalf("outsider: %+v %v", c, err)
		}
		d, err := db.DailySummary(ctx, u1[0].ID, a.ID, time.Now())
		if err != nil || len(d.Repressed) != 1 || d.Ongoing != 1 {
			t.Fatalf("daily: %+v %v", d, err)
		}

		// c3 calls a public march and joins the assembly: the view follows;
		// when it leaves, the march leaves the view.
		march := actions.Input{Kind: actions.March, Title: "Marcha de los cuatro suyos", Route: []string{"211101", "210101", "080101"},
			Start: now.Add(48 * time.Hour), Visibility: actions.Public}
		m, err := db.CallAction(ctx, u3[0].ID, c3.ID, march, validAnyPlace)
		if err != nil {
			t.Fatal(err)
		}
		if m.Place != "211101" || len(m.Route) != 3 {
			t.Fatalf("march: %+v", m)
		}
		aff3, err := db.RequestAffiliation(ctx, u3[0].ID, c3.ID, a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DecideAffiliation(ctx, u1[0].ID, a.ID, aff3.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		c, _ = db.Coordinate(ctx, u1[0].ID, a.ID, actions.Filter{}, "")
		if c.Summary.Total != 2 || c.Summary.ByKind[actions.March] != 1 {
			t.Fatalf("after joining: %+v", c.Summary)
		}
		sameCounts("after joining")
		pub, err := db.PublicActions(ctx, a.ID, 10)
		if err != nil || len(pub) != 1 || pub[0].ID != m.ID {
			t.Fatalf("public: %+v %v", pub, err)
		}
		if err := db.EndAffiliation(ctx, u3[0].ID, aff3.ID, "Nos vamos."); err != nil {
			t.Fatal(err)
		}
		c, _ = db.Coordinate(ctx, u1[0].ID, a.ID, actions.Filter{}, "")
		if c.Summary.Total != 1 {
			t.Fatalf("after leaving: %+v", c.Summary)
		}
		sameCounts("after leaving")

		// A correction moves the action in the figures.
		fix := roadblockInput(now)
		fix.Kind, fix.Place, fix.Lat, fix.Lon = actions.Strike, "080101", nil, nil
		if _, err := db.EditAction(ctx, u1[0].ID, act.ID, fix, validAnyPlace); err != nil {
			t.Fatal(err)
		}
		c, _ = db.Coordinate(ctx, u1[0].ID, a.ID, actions.Filter{Department: "08"}, "")
		if c.Summary.ByKind[actions.Strike] != 1 || c.Summary.ByDepartment["21"] != 0 || len(c.Timeline) != 1 {
			t.Fatalf("after a correction: %+v", c.Summary)
		}
		sameCounts("corrected")

		// Ended: no more corrections.
		if err := db.SetActionStatus(ctx, u1[0].ID, act.ID, actions.Ended); err != nil {
			t.Fatal(err)
		}
		_, err = db.EditAction(ctx, u1[0].ID, act.ID, roadblockInput(now), validAnyPlace)
		wantCode(t, err, errs.Conflict, "action.ended")
		sameCounts("ended")
		if _, err := db.VerifyJournal(); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseCursor(f *testing.F) {
	for _, s := range []string{"", "1700000000000000-42", "-1-2", "1-0", "x-1", "1-", "-", "9223372036854775807-9223372036854775807"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		start, id, err := store.ParseCursor(s)
		if err != nil {
			if errs.As(err).Field != "before" {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if s != "" && id <= 0 {
			t.Fatalf("%q: id %d", s, id)
		}
		_ = start
	})
}
