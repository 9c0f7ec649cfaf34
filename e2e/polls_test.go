package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asamblea/bodies"
	"asamblea/places"
	"asamblea/polls"
	"asamblea/store"
)

// TestConstituentElection is issue #8's scenario in a real browser: a
// people's electoral board calls the election of a 20-seat constituent
// assembly in one national district; five lists register (one first
// breaking alternation, refused with its input kept); ten polling stations
// are declared; two clerks enter every tally sheet, one sheet disagrees and
// is resolved by a third clerk; the results are published and readable
// signed out; a representative is recalled by petition and vote and the
// next woman on her list takes the seat.
func TestConstituentElection(t *testing.T) {
	requireChromium(t)
	start := time.Now()
	db, base := startServer(t)
	out := shotDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	t.Cleanup(cancel)
	bg := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("set-up: %s: %v", what, err)
		}
	}
	password := func(name string) string { return "contraseña de " + name + " 2023" }

	// The board and its clerks, and two citizens, set up as the pages would.
	ids := map[string]int64{}
	for _, n := range []string{"Rosa", "Juan", "Carmen", "Elena", "Yola", "Hilda"} {
		u, err := db.CreateUser(bg, fastHasher, n, password(n), "es")
		must("user "+n, err)
		ids[n] = u.ID
	}
	board, err := db.CreateCommittee(bg, ids["Rosa"], bodies.Input{Name: "Jurado Electoral Popular", Sector: "other", Place: "150101", Public: true}, places.Peru().Valid)
	must("board", err)
	inv, err := db.CreateInvitation(bg, ids["Rosa"], board.ID, bodies.InvitationInput{MaxUses: 5, Days: 1})
	must("invitation", err)
	for _, n := range []string{"Juan", "Carmen", "Elena"} {
		_, err := db.Join(bg, ids[n], inv.Code)
		must(n+" joins", err)
	}

	browser := startBrowser(t, ctx)
	rosa := newPerson(t, browser, base, "Rosa")
	juan := newPerson(t, browser, base, "Juan")
	carmen := newPerson(t, browser, base, "Carmen")
	elena := newPerson(t, browser, base, "Elena")
	yola := newPerson(t, browser, base, "Yola")
	hilda := newPerson(t, browser, base, "Hilda")
	for _, p := range []*person{rosa, juan, carmen, elena, yola, hilda} {
		p.login(password(p.name))
	}

	// Rosa calls the election.
	lima := time.FixedZone("PET", -5*3600)
	tomorrow := time.Now().In(lima).AddDate(0, 0, 1)
	at := func(hour int) string {
		return time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), hour, 0, 0, 0, lima).Format("2006-01-02T15:04")
	}
	const title = "Asamblea Constituyente Plurinacional"
	rosa.open(fmt.Sprintf("/bodies/%d/polls/new", board.ID))
	rosa.run("fill the call",
		chromedp.SetValue("#title", title, chromedp.ByQuery),
		chromedp.Click(`input[name=scope][value=public]`, chromedp.ByQuery),
		chromedp.Click(`input[name=parity]`, chromedp.ByQuery),
		chromedp.SetValue("#seats", "20", chromedp.ByQuery),
		chromedp.SetValue("#method", "dhondt", chromedp.ByQuery),
		chromedp.SetValue("#recall_share", "0.1", chromedp.ByQuery),
		chromedp.SetValue("#registration_closes", at(8), chromedp.ByQuery),
		chromedp.SetValue("#voting_opens", at(9), chromedp.ByQuery),
		chromedp.SetValue("#voting_closes", at(17), chromedp.ByQuery),
		chromedp.SetValue("#publish_by", at(20), chromedp.ByQuery),
	)
	rosa.click(fmt.Sprintf(`main form[action="/bodies/%d/polls"] button[type=submit]`, board.ID), http.StatusOK)
	es, err := db.BodyPolls(bg, ids["Rosa"], board.ID)
	if err != nil || len(es) != 1 {
		t.Fatalf("elections after the call: %v %v", es, err)
	}
	poll := es[0].ID
	rosa.expectPath(fmt.Sprintf("/polls/%d", poll))
	rosa.expectText("h1", title, false)

	// Yola registers her list; her first try puts two men in a row.
	yola.open(fmt.Sprintf("/polls/%d/candidacies/new", poll))
	fill := func(names, genders []string) {
		yola.run("fill the list",
			chromedp.SetValue("#name", "Frente de Trabajadores", chromedp.ByQuery),
			chromedp.SetValue("#organisation", "Confederación General de Trabajadores", chromedp.ByQuery),
			chromedp.SetValue("#sector", "workers", chromedp.ByQuery))
		for i := range names {
			yola.run("candidate",
				chromedp.SetValue(fmt.Sprintf("#cand-%d", i+1), names[i], chromedp.ByQuery),
				chromedp.SetValue(fmt.Sprintf("#gender-%d", i+1), genders[i], chromedp.ByQuery))
		}
	}
	names := []string{"Rosa Quispe", "Julio Mamani", "Nélida Ccori", "Óscar Huamán", "Gladys Puma", "Walter Condori"}
	fill(names, []string{"F", "M", "M", "F", "F", "M"})
	yola.click(fmt.Sprintf(`main form[action="/polls/%d/candidacies"] button[type=submit]`, poll), http.StatusUnprocessableEntity)
	yola.expectText("main .error", "posición 3", false)
	var kept string
	yola.run("read kept name", chromedp.Value("#cand-6", &kept, chromedp.ByQuery))
	if kept != "Walter Condori" {
		t.Fatalf("the refused form lost the sixth candidate: %q", kept)
	}
	fill(names, []string{"F", "M", "F", "M", "F", "M"})
	yola.click(fmt.Sprintf(`main form[action="/polls/%d/candidacies"] button[type=submit]`, poll), http.StatusOK)
	yola.expectPath(fmt.Sprintf("/polls/%d", poll))
	// Four more lists, as organisations register them.
	others := []struct{ name, org string }{{"Tierra y Territorio", "Confederación Campesina"}, {"Pueblos Originarios", "Organización de Pueblos Amazónicos"},
		{"Juventud Constituyente", "Federación de Estudiantes"}, {"Feministas por la Constituyente", "Coordinadora Feminista"}}
	for i, l := range others {
		var cs []polls.CandidateInput
		for j := range 5 {
			cs = append(cs, polls.CandidateInput{Name: fmt.Sprintf("%s %d", l.name, j+1), Gender: []string{"F", "M"}[(i+j)%2]})
		}
		_, err := db.RegisterCandidacy(bg, ids["Hilda"], poll, polls.CandidacyInput{Name: l.name, Organisation: l.org, Candidates: cs})
		must(l.name, err)
	}

	// Rosa declares ten stations in five departments.
	var lines []string
	districts := []string{"150101", "150101", "150132", "211101", "210101", "080101", "080101", "040101", "050101", "130101"}
	for i, d := range districts {
		lines = append(lines, fmt.Sprintf("%06d,%s,300", i+1, d))
	}
	rosa.open(fmt.Sprintf("/polls/%d/stations", poll))
	rosa.run("fill stations", chromedp.SetValue(`textarea[name=stations]`, strings.Join(lines, "\n"), chromedp.ByQuery))
	rosa.click(fmt.Sprintf(`main form[action="/polls/%d/stations"][method=post] button`, poll), http.StatusOK)
	ss, err := db.Stations(bg, ids["Rosa"], poll, store.StationFilter{})
	if err != nil || len(ss) != 10 {
		t.Fatalf("stations: %d %v", len(ss), err)
	}

	// Registration closes, voting opens.
	for range 2 {
		rosa.open(fmt.Sprintf("/polls/%d", poll))
		rosa.click(fmt.Sprintf(`main form[action="/polls/%d/advance"] button`, poll), http.StatusOK)
	}

	// Juan and Carmen enter every sheet; at station 3 Carmen slips and
	// Elena's entry, agreeing with Juan's, resolves it.
	enter := func(p *person, station int64, votes []int64) int {
		p.t.Helper()
		p.open(fmt.Sprintf("/polls/stations/%d", station))
		for i, v := range votes {
			p.run("figure", chromedp.SetValue(fmt.Sprintf("#f-v%d", i+1), fmt.Sprint(v), chromedp.ByQuery))
		}
		p.run("blank and null", chromedp.SetValue("#f-blank", "6", chromedp.ByQuery), chromedp.SetValue("#f-null", "4", chromedp.ByQuery))
		ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
		defer cancel()
		resp, err := chromedp.RunResponse(ctx, chromedp.Click(fmt.Sprintf(`main form[action^="/polls/stations/%d/sheet"] button`, station), chromedp.ByQuery, chromedp.NodeVisible))
		if err != nil {
			p.fatalf("enter station %d: %v", station, err)
		}
		return int(resp.Status)
	}
	sheet := func(i int) []int64 { return []int64{int64(40 + i), 70, int64(40 + 2*i), 30, 25} }
	for i, s := range ss {
		if st := enter(juan, s.ID, sheet(i)); st != http.StatusOK {
			juan.fatalf("station %s: status %d", s.Code, st)
		}
		second := sheet(i)
		if i == 2 {
			second[1] = 17
		}
		if st := enter(carmen, s.ID, second); st != http.StatusOK {
			carmen.fatalf("station %s: status %d", s.Code, st)
		}
	}
	rosa.open(fmt.Sprintf("/polls/%d/stations?status=flagged", poll))
	rosa.expectText("main", ss[2].Code, false)
	rosa.screenshot(out, "election-1-flagged.png")
	if st := enter(elena, ss[2].ID, sheet(2)); st != http.StatusOK {
		elena.fatalf("resolving: status %d", st)
	}
	st, err := db.Stations(bg, 0, poll, store.StationFilter{Status: polls.CountedSheet})
	if err != nil || len(st) != 10 {
		t.Fatalf("counted after the review: %d %v", len(st), err)
	}
	rosa.open(fmt.Sprintf("/polls/%d/areas", poll))
	rosa.screenshot(out, "election-2-areas.png")

	// Voting closes; Rosa publishes.
	rosa.open(fmt.Sprintf("/polls/%d", poll))
	rosa.click(fmt.Sprintf(`main form[action="/polls/%d/advance"] button`, poll), http.StatusOK)
	rosa.open(fmt.Sprintf("/polls/%d", poll))
	rosa.click(fmt.Sprintf(`#publish form[action="/polls/%d/publish"] button`, poll), http.StatusOK)
	p, err := db.PollPage(bg, 0, poll)
	if err != nil || p.Result == nil {
		t.Fatalf("not published: %v", err)
	}
	seats := 0
	for _, n := range p.Result.Report.Seats {
		seats += n
	}
	if seats != 20 {
		t.Fatalf("%d seats given", seats)
	}

	// Anyone, signed out, reads the results and the round report.
	anon := newPerson(t, browser, base, "visitante")
	anon.open(fmt.Sprintf("/polls/%d/results", poll))
	anon.expectText("main", "Frente de Trabajadores", false)
	anon.expectText("main", "Rosa Quispe", false)
	anon.screenshot(out, "election-3-results.png")

	// Yola opens a recall of Rosa Quispe; Hilda and Juan sign; the vote opens.
	reps, err := db.Representatives(bg, 0, poll)
	must("representatives", err)
	first := reps[0].Candidates[0]
	if first.Name != "Rosa Quispe" || first.Status != polls.Elected {
		t.Fatalf("first of the list: %+v", first)
	}
	yola.open(fmt.Sprintf("/polls/%d", poll))
	yola.run("open the recall form", chromedp.Evaluate(fmt.Sprintf(`document.querySelector('form[action="/polls/candidates/%d/recall"]').closest('details').open = true`, first.ID), nil))
	yola.run("reason", chromedp.SetValue(fmt.Sprintf("#recall-%d", first.ID), "Firmó el acuerdo con el gobierno sin consultar a sus bases.", chromedp.ByQuery))
	yola.click(fmt.Sprintf(`form[action="/polls/candidates/%d/recall"] button`, first.ID), http.StatusOK)
	recallPath := yola.path()
	for _, signer := range []*person{hilda, juan} {
		signer.open(recallPath)
		signer.click(`main form[action$="/sign"] button`, http.StatusOK)
	}
	var recallID int64
	fmt.Sscanf(strings.TrimPrefix(recallPath, "/polls/recalls/"), "%d", &recallID)
	rp, err := db.PollRecallPage(bg, 0, recallID)
	if err != nil || rp.Recall.Status != polls.RecallVote {
		t.Fatalf("recall after the signatures: %+v %v", rp.Recall, err)
	}
	// The recall's sheets: the first in the browser, the rest as the clerks'
	// other phones would send them.
	juan.open(fmt.Sprintf("/polls/stations/%d?contest=%d", ss[0].ID, recallID))
	juan.run("yes and no", chromedp.SetValue("#f-v1", "180", chromedp.ByQuery), chromedp.SetValue("#f-v2", "90", chromedp.ByQuery),
		chromedp.SetValue("#f-blank", "5", chromedp.ByQuery), chromedp.SetValue("#f-null", "2", chromedp.ByQuery))
	juan.click(fmt.Sprintf(`main form[action^="/polls/stations/%d/sheet"] button`, ss[0].ID), http.StatusOK)
	_, err = db.EnterSheet(bg, ids["Carmen"], ss[0].ID, recallID, polls.Sheet{Votes: []int64{180, 90}, Blank: 5, Null: 2})
	must("recall sheet", err)
	for _, s := range ss[1:] {
		for _, clerk := range []string{"Juan", "Carmen"} {
			_, err := db.EnterSheet(bg, ids[clerk], s.ID, recallID, polls.Sheet{Votes: []int64{160, 110}})
			must("recall sheet", err)
		}
	}
	rosa.open(recallPath)
	rosa.click(`main form[action$="/close"] button`, http.StatusOK)
	rosa.expectText("main", "Rosa Quispe", false)
	rosa.screenshot(out, "election-4-recall.png")
	rp, err = db.PollRecallPage(bg, 0, recallID)
	if err != nil || rp.Recall.Status != polls.RecallPass || rp.Recall.Replacement == "" {
		t.Fatalf("recall closed: %+v %v", rp.Recall, err)
	}
	// The next woman on her list who held no seat takes it, or with no
	// woman left, the next candidate.
	var want, next string
	for _, c := range reps[0].Candidates[1:] {
		if c.Status != polls.Standing {
			continue
		}
		if next == "" {
			next = c.Name
		}
		if c.Gender == "F" && want == "" {
			want = c.Name
		}
	}
	if want == "" {
		want = next
	}
	if rp.Recall.Replacement != want {
		t.Fatalf("replaced by %q, want %q", rp.Recall.Replacement, want)
	}
	// The election's page shows who holds the seat now.
	anon.open(fmt.Sprintf("/polls/%d", poll))
	anon.expectText("#representatives", want, false)
	if n, err := db.VerifyJournal(); err != nil || n == 0 {
		t.Fatalf("journal: %d %v", n, err)
	}
	t.Logf("constituent election in the browser: %s", time.Since(start).Round(time.Millisecond))
}
