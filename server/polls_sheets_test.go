package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"asamblea/i18n"
	"asamblea/polls"
	"asamblea/store"
)

// sheetElection has the committee at body (rosa facilitates it) call a
// public election counted on paper, with two lists, and returns its id.
func sheetElection(t *testing.T, e *env, rosa, body int64) int64 {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	el, err := e.db.CallPoll(ctx, rosa, body, polls.Input{Title: "Asamblea Constituyente", Scope: polls.PublicScope, Seats: 2, Method: "dhondt",
		RecallShare: "10", Calendar: polls.Calendar{RegistrationCloses: now.Add(time.Hour), VotingOpens: now.Add(2 * time.Hour), VotingCloses: now.Add(3 * time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []polls.CandidacyInput{
		{Name: "Frente Obrero", Organisation: "CGTP", Candidates: []polls.CandidateInput{{Name: "Rosa Quispe", Gender: "F"}, {Name: "Juan Mamani", Gender: "M"}}},
		{Name: "Confederación Campesina", Organisation: "CCP", Candidates: []polls.CandidateInput{{Name: "Pedro Condori", Gender: "M"}}},
	} {
		if _, err := e.db.RegisterCandidacy(ctx, rosa, el.ID, l); err != nil {
			t.Fatal(err)
		}
	}
	return el.ID
}

// sheetStation finds a station's page on the election's list.
func sheetStation(t *testing.T, c *client, poll, code string) string {
	t.Helper()
	m := regexp.MustCompile(`href="(/polls/stations/\d+)[^"]*">` + code + `<`).FindStringSubmatch(c.get(poll + "/stations").body)
	if m == nil {
		t.Fatalf("station %s is not on the list", code)
	}
	return m[1]
}

// sheetForm is an entry of a sheet: the lists' votes, blank, null.
func sheetForm(contest int64, figures ...string) url.Values {
	f := url.Values{"contest": {strconv.FormatInt(contest, 10)}}
	for i, v := range figures[:len(figures)-2] {
		f.Set("v"+strconv.Itoa(i+1), v)
	}
	f.Set("blank", figures[len(figures)-2])
	f.Set("null", figures[len(figures)-1])
	return f
}

// TestSheetPages follows a public election counted on paper through the
// pages: the organisers declare its stations (a bad line is refused with
// its number, and nothing is stored), members of the organising committee
// enter each sheet twice — the same person twice is refused, a mismatch is
// flagged, shown side by side and resolved by a third entry, a sheet over
// its electorate is flagged and annulled with a reason — and the count
// shows by department and district. Someone outside the committee cannot
// enter a sheet, and a figure that is not a number is a clear error.
func TestSheetPages(t *testing.T) {
	e := newEnv(t)
	cs := moPeople(e, "Rosa", "Juan", "Ana", "Intrusa")
	rosa, juan, ana, intrusa := cs[0], cs[1], cs[2], cs[3]
	anon := e.client()
	body := moCommittee(t, rosa, "Comité Electoral del Cusco", "080101", juan, ana)
	bid, _ := strconv.ParseInt(strings.TrimPrefix(body, "/bodies/"), 10, 64)
	id := sheetElection(t, e, meetingUser(t, e, "Rosa"), bid)
	poll := "/polls/" + strconv.FormatInt(id, 10)

	// Declaring stations: a line with a bad district names its line, and
	// stores none; the text comes back as written.
	moHas(t, rosa, poll+"/stations", `action="`+poll+`/stations"`, "Declarar mesas")
	if b := juan.get(poll + "/stations").body; strings.Contains(b, `name="stations"`) {
		t.Error("a member who does not organise is offered to declare stations")
	}
	bad := "000001,080101,10\n\n000002,999999,10\n"
	res := moRefused(t, rosa, poll+"/stations", poll+"/stations", url.Values{"stations": {bad}}, http.StatusUnprocessableEntity, "línea 3")
	if !strings.Contains(res.body, "000002,999999,10") {
		t.Error("the refused text is not kept")
	}
	moRefused(t, rosa, poll+"/stations", poll+"/stations", url.Values{"stations": {"000001,080101,diez"}}, http.StatusUnprocessableEntity, "Línea 1: «diez» no es un número de electores.")
	moRefused(t, rosa, poll+"/stations", poll+"/stations", url.Values{"stations": {"000001,080101,10\n000001,080102,10"}}, http.StatusUnprocessableEntity, "Línea 2: la mesa 000001 ya está en la línea 1.")
	if ss, err := e.db.Stations(context.Background(), 0, id, store.StationFilter{}); err != nil || len(ss) != 0 {
		t.Fatalf("refused lines stored stations: %v %v", ss, err)
	}
	moRefused(t, juan, poll+"/stations", poll+"/stations", url.Values{"stations": {"000009,080101,10"}}, http.StatusForbidden, "")
	moOK(t, rosa, poll+"/stations", poll+"/stations", url.Values{"stations": {"000001,080101,10\r\n000002,080108,10\r\n000003,211101,10\r\n"}})
	list := moHas(t, anon, poll+"/stations", "000001", "000002", "000003", "Cusco — Cusco, Cusco", "Juliaca — San Román, Puno", "Por ingresar")
	if strings.Contains(list, `name="stations"`) {
		t.Error("someone signed out is offered to declare stations")
	}
	s1, s2, s3 := sheetStation(t, anon, poll, "000001"), sheetStation(t, anon, poll, "000002"), sheetStation(t, anon, poll, "000003")

	// The vote opens: members enter sheets.
	rosaID := meetingUser(t, e, "Rosa")
	for range 2 {
		if _, err := e.db.Advance(context.Background(), rosaID, id); err != nil {
			t.Fatal(err)
		}
	}
	moHas(t, juan, s1, "Ingresar el acta", `name="v1"`, `name="v2"`, `name="blank"`, `name="null"`, "1. Frente Obrero", "2. Confederación Campesina")
	if b := intrusa.get(s1).body; strings.Contains(b, `name="v1"`) {
		t.Error("someone outside the committee is offered the entry form")
	}
	moRefused(t, intrusa, s1, s1+"/sheet", sheetForm(0, "5", "3", "1", "1"), http.StatusForbidden, "")

	// Figures that cannot be read come back with the figures kept.
	res = moRefused(t, juan, s1, s1+"/sheet", sheetForm(0, "5", "tres", "1", ""), http.StatusUnprocessableEntity, "escribe un número entero")
	if !strings.Contains(res.body, "Falta la cifra de «Votos nulos».") || !strings.Contains(res.body, `value="tres"`) || !strings.Contains(res.body, `name="v1" type="number" min="0" step="1" inputmode="numeric" required value="5"`) {
		t.Errorf("bad figures: errors or figures not shown\n%s", res.body)
	}
	moRefused(t, juan, s1, s1+"/sheet", sheetForm(0, "5", "-3", "1", "1"), http.StatusUnprocessableEntity, "no puede ser negativa")

	// Station 1: two members agree; the same person twice is refused.
	loc := moOK(t, juan, s1, s1+"/sheet", sheetForm(0, "5", "3", "1", "1"))
	if loc != s1 {
		t.Fatalf("entering goes to %s", loc)
	}
	moHas(t, juan, s1, "Ingresaste esta acta: espera una segunda digitación por otra persona.", "Digitación 1", "Juan")
	moHas(t, anon, s1, "espera una segunda digitación por otra persona")
	if b := anon.get(s1).body; strings.Contains(b, "Digitación 1") {
		t.Error("someone signed out sees the entries")
	}
	moRefused(t, juan, s1, s1+"/sheet", sheetForm(0, "5", "3", "1", "1"), http.StatusConflict, "la segunda digitación debe hacerla otra persona")
	moOK(t, ana, s1, s1+"/sheet", sheetForm(0, "5", "3", "1", "1"))
	moHas(t, anon, s1, "Contabilizada", "Cifras que cuentan", "Participación", "100,0 %")

	// Station 2: a mismatch, shown side by side, resolved by a third entry.
	moOK(t, juan, s2, s2+"/sheet", sheetForm(0, "4", "4", "1", "0"))
	moOK(t, ana, s2, s2+"/sheet", sheetForm(0, "4", "3", "1", "0"))
	page := moHas(t, rosa, s2, "Observada: no coinciden", "Digitación 1", "Digitación 2", "<mark>4</mark>", "<mark>3</mark>", "Una tercera digitación que coincida con una de ellas")
	if strings.Count(page, "<mark>") != 4 { // the second list's votes and the total, in both entries
		t.Errorf("differing figures marked %d times, want 4", strings.Count(page, "<mark>"))
	}
	moHas(t, anon, poll+"/stations?status=flagged", "000002")
	if b := anon.get(poll + "/stations?status=flagged").body; strings.Contains(b, "000001") {
		t.Error("a counted station is listed as flagged")
	}
	moOK(t, rosa, s2, s2+"/sheet", sheetForm(0, "4", "4", "1", "0"))
	moHas(t, anon, s2, "Contabilizada")

	// Station 3: both entries agree on more votes than electors.
	moOK(t, juan, s3, s3+"/sheet", sheetForm(0, "9", "5", "0", "0"))
	moOK(t, ana, s3, s3+"/sheet", sheetForm(0, "9", "5", "0", "0"))
	moHas(t, juan, s3, "Observada: más votos que electores", "Las digitaciones coinciden en 14 votos, pero la mesa tiene 10 electores.")
	if b := juan.get(s3).body; strings.Contains(b, "/annul") {
		t.Error("a member who does not organise is offered to annul")
	}
	moRefused(t, rosa, s3, s3+"/annul", url.Values{"reason": {""}}, http.StatusUnprocessableEntity, "")
	moOK(t, rosa, s3, s3+"/annul", url.Values{"reason": {"El acta llegó con enmendaduras."}})
	moHas(t, anon, s3, "Anulada", "El acta llegó con enmendaduras.")

	// Progress: by department, then the districts of Cusco.
	areas := moHas(t, anon, poll+"/areas", "Cusco", "Puno", "Total nacional", "3 de 3 actas resueltas", `href="`+poll+`/areas?parent=08"`, "1. Frente Obrero", "<td>9</td><td>7</td>")
	if !regexp.MustCompile(`Total nacional</th><th>3/3`).MatchString(areas) {
		t.Errorf("national totals row:\n%s", areas)
	}
	moHas(t, anon, poll+"/areas?parent=08", "Total de Cusco", `href="`+poll+`/stations?place=080101"`, "<th>9</th><th>7</th>")
	moHas(t, anon, poll+"/stations?place=080108", "000002")
	moLight(t, anon, poll+"/areas")
	moLight(t, anon, poll+"/stations")
	moLight(t, rosa, s2)
	for _, p := range []string{poll + "/areas?parent=99", "/polls/stations/999", poll + "/stations?contest=77"} {
		if got := anon.get(p).status; got != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, got)
		}
	}
}

// TestRecallPages: after the paper election is published, a petition to
// recall a representative gathers signatures through the page until its
// vote opens; the stations enter the recall's yes and no sheets; the
// organiser closes it through the page and the next on the list takes the
// seat.
func TestRecallPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cs := moPeople(e, "Rosa", "Juan", "Ana", "Vecina")
	rosa, juan, ana, vecina := cs[0], cs[1], cs[2], cs[3]
	anon := e.client()
	body := moCommittee(t, rosa, "Comité Electoral de Juliaca", "211101", juan, ana)
	bid, _ := strconv.ParseInt(strings.TrimPrefix(body, "/bodies/"), 10, 64)
	rosaID, juanID, anaID := meetingUser(t, e, "Rosa"), meetingUser(t, e, "Juan"), meetingUser(t, e, "Ana")
	id := sheetElection(t, e, rosaID, bid)
	poll := "/polls/" + strconv.FormatInt(id, 10)
	if _, err := e.db.AddStations(ctx, rosaID, id, []polls.StationInput{{Code: "A1", Place: "211101", Electorate: 10}, {Code: "A2", Place: "080101", Electorate: 10}}, func(string) bool { return true }); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := e.db.Advance(ctx, rosaID, id); err != nil {
			t.Fatal(err)
		}
	}
	ss, err := e.db.Stations(ctx, 0, id, store.StationFilter{})
	if err != nil || len(ss) != 2 {
		t.Fatalf("stations: %v %v", ss, err)
	}
	for _, s := range ss {
		for _, u := range []int64{juanID, anaID} {
			if _, err := e.db.EnterSheet(ctx, u, s.ID, 0, polls.Sheet{Votes: []int64{5, 3}, Blank: 1, Null: 1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := e.db.Advance(ctx, rosaID, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.PublishResults(ctx, rosaID, id, ""); err != nil {
		t.Fatal(err)
	}
	reps, err := e.db.Representatives(ctx, 0, id)
	if err != nil {
		t.Fatal(err)
	}
	var seated int64
	for _, l := range reps {
		for _, c := range l.Candidates {
			if c.Name == "Rosa Quispe" && c.Status == polls.Elected {
				seated = c.ID
			}
		}
	}
	if seated == 0 {
		t.Fatalf("Rosa Quispe is not seated: %+v", reps)
	}

	// The petition needs 10 % of 20 electors: two signatures.
	rc, err := e.db.OpenPetition(ctx, meetingUser(t, e, "Vecina"), seated, "No rinde cuentas a las bases.")
	if err != nil {
		t.Fatal(err)
	}
	rp := "/polls/recalls/" + strconv.FormatInt(rc.ID, 10)
	moHas(t, anon, rp, "Revocatoria de Rosa Quispe", "Frente Obrero", "No rinde cuentas a las bases.", "1 de 2 firmas necesarias", `href="`+poll+`"`, "Inicia sesión para firmar")
	if b := vecina.get(rp).body; strings.Contains(b, rp+"/sign") || !strings.Contains(b, "Ya firmaste esta petición.") {
		t.Error("the petition's opener is offered to sign again")
	}
	moRefused(t, vecina, rp, rp+"/sign", url.Values{}, http.StatusConflict, "Ya firmaste esta petición.")
	moHas(t, ana, rp, `action="`+rp+`/sign"`)
	if loc := moOK(t, ana, rp, rp+"/sign", url.Values{}); loc != rp {
		t.Fatalf("signing goes to %s", loc)
	}
	moHas(t, anon, rp, "En votación", "2 de 2 firmas necesarias", "0 de 2 actas resueltas", `href="`+poll+`/stations?contest=`+strconv.FormatInt(rc.ID, 10)+`"`,
		`href="`+poll+`/areas?contest=`+strconv.FormatInt(rc.ID, 10)+`"`)
	moRefused(t, juan, rp, rp+"/vote", url.Values{"choice": {"yes"}}, http.StatusConflict, "Esta elección se vota en papel")

	// The recall's sheets: yes and no at each station.
	q := "?contest=" + strconv.FormatInt(rc.ID, 10)
	for _, s := range ss {
		sp := "/polls/stations/" + strconv.FormatInt(s.ID, 10)
		moHas(t, juan, sp+q, "Revocatoria de Rosa Quispe", "<label for=\"f-v1\">Sí</label>", "<label for=\"f-v2\">No</label>")
		moHas(t, anon, sp, "Contabilizada") // the election's sheet stays as it was
		moOK(t, juan, sp+q, sp+"/sheet", sheetForm(rc.ID, "6", "2", "1", "1"))
	}
	moRefused(t, rosa, rp, rp+"/close", url.Values{}, http.StatusConflict, "Faltan 2 actas por contar")
	for _, s := range ss {
		sp := "/polls/stations/" + strconv.FormatInt(s.ID, 10)
		moOK(t, ana, sp+q, sp+"/sheet", sheetForm(rc.ID, "6", "2", "1", "1"))
	}
	moHas(t, anon, poll+"/areas"+q, "Revocatoria de Rosa Quispe", "2 de 2 actas resueltas", "<th>12</th><th>4</th>")
	moHas(t, anon, rp, "Contado hasta ahora: sí 12, no 4.")
	if b := juan.get(rp).body; strings.Contains(b, rp+"/close") {
		t.Error("a member who does not organise is offered to close the recall")
	}
	moRefused(t, juan, rp, rp+"/close", url.Values{}, http.StatusForbidden, "")
	moOK(t, rosa, rp, rp+"/close", url.Values{})
	moHas(t, anon, rp, "La revocatoria fue aprobada.", "Sí: 12 · No: 4", "Juan Mamani, de la lista Frente Obrero, ocupa el escaño en lugar de Rosa Quispe.")
	moLight(t, anon, rp)
}

// TestSheetCatalogKeys: every status of a station and of a recall, and
// every flash of these pages, reads in every language.
func TestSheetCatalogKeys(t *testing.T) {
	cat := i18n.MustLoad()
	var keys []string
	for _, s := range polls.StationStatuses {
		keys = append(keys, "sheets.status."+s, "sheets.help."+s)
	}
	for _, o := range polls.RecallOptions {
		keys = append(keys, "sheets.option."+o)
	}
	for _, s := range []string{polls.Collecting, polls.RecallVote, polls.RecallPass, polls.RecallFail} {
		keys = append(keys, "recall_page.status."+s)
	}
	for _, f := range []string{"sheets_entered", "sheets_counted", "sheets_mismatch", "sheets_over", "sheets_annulled", "recall_page_signed", "recall_page_voting", "recall_page_voted", "recall_page_closed"} {
		keys = append(keys, "flash."+f)
	}
	for _, k := range keys {
		for _, lang := range i18n.Supported {
			if !cat.Has(lang, k) {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
}
