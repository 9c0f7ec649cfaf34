package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"asamblea/polls"
	"asamblea/store"
	"asamblea/tally"
)

// poForm is the call form of an election filled in: registration closes
// in an hour, voting runs from the second hour to the third.
func poForm(title, scope, seats string) url.Values {
	at := func(h int) string {
		return time.Now().Add(time.Duration(h) * time.Hour).In(store.Lima).Format("2006-01-02T15:04")
	}
	return url.Values{"title": {title}, "description": {"Elección de la junta directiva."}, "scope": {scope}, "seats": {seats},
		"method": {"dhondt"}, "parity": {"on"}, "recall_share": {"50"},
		"registration_closes": {at(1)}, "voting_opens": {at(2)}, "voting_closes": {at(3)}}
}

// poList is the registration form of a list.
func poList(name, org string, cands ...string) url.Values {
	f := url.Values{"name": {name}, "organisation": {org}, "sector": {"workers"}}
	for i := 0; i+1 < len(cands); i += 2 {
		f.Add("cand_name", cands[i])
		f.Add("cand_gender", cands[i+1])
	}
	f.Add("cand_name", "") // a spare row
	f.Add("cand_gender", "")
	return f
}

// poID is an election's id from its path.
func poID(t *testing.T, path string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(strings.TrimPrefix(path, "/polls/"), 10, 64)
	if err != nil {
		t.Fatalf("not an election's path: %s", path)
	}
	return n
}

var poReceipt = regexp.MustCompile(`id="receipt">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<`)

// TestPollPages follows a committee's election through the pages: called
// (bad dates come back with the title kept and nothing stored), lists
// registered (one that breaks alternation is refused, one withdrawn),
// phases advanced, ballots cast online with receipts found on the public
// list, a second ballot refused, results published and corrected with the
// round report and a CSV that counts to the same seats, and a recall
// petition opened. Outsiders do not find the election; a public one is
// readable signed out.
func TestPollPages(t *testing.T) {
	e := newEnv(t)
	cs := moPeople(e, "Rosa", "Juan", "Ana", "Pedro", "Luz", "Intrusa")
	rosa, juan, ana, pedro, luz, intrusa := cs[0], cs[1], cs[2], cs[3], cs[4], cs[5]
	anon := e.client()
	body := moCommittee(t, rosa, "Sindicato de Construcción de Juliaca", "211101", juan, ana, pedro, luz)

	moHas(t, rosa, body, `href="`+body+`/polls"`)
	moHas(t, rosa, body+"/polls", `href="`+body+`/polls/new"`)
	if page := juan.get(body + "/polls"); strings.Contains(page.body, "/polls/new") {
		t.Error("a plain member is offered to call an election")
	}
	if res := juan.get(body + "/polls/new"); res.status != http.StatusForbidden {
		t.Errorf("a plain member opens the call form: %d", res.status)
	}

	// Bad input: the form comes back with the error and what was written.
	before := journalLen(t, e.db)
	bad := poForm("Junta directiva 2026", "body", "3")
	bad.Set("voting_opens", time.Now().Add(-time.Hour).In(store.Lima).Format("2006-01-02T15:04"))
	res := moRefused(t, rosa, body+"/polls/new", body+"/polls", bad, http.StatusUnprocessableEntity, "Las fechas deben seguir el orden")
	for _, want := range []string{`value="Junta directiva 2026"`, "Elección de la junta directiva.", `value="3"`, `name="parity" value="on" checked`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the refused form lost %q", want)
		}
	}
	bad = poForm("Junta directiva 2026", "body", "muchos")
	moRefused(t, rosa, body+"/polls/new", body+"/polls", bad, http.StatusUnprocessableEntity, "escaños debe estar entre 1 y 1000")
	bad = poForm("Junta directiva 2026", "body", "3")
	bad.Set("registration_closes", "mañana")
	moRefused(t, rosa, body+"/polls/new", body+"/polls", bad, http.StatusUnprocessableEntity, `value="mañana"`)
	if after := journalLen(t, e.db); after != before {
		t.Fatalf("refused calls wrote %d journal entries", after-before)
	}

	poll := moOK(t, rosa, body+"/polls/new", body+"/polls", poForm("Junta directiva 2026", "body", "3"))
	moHas(t, rosa, poll+"?done=polls_called", "Elección convocada", "Junta directiva 2026", `aria-current="step"`, "Cerrar las inscripciones ahora")

	// Lists: alternation is checked and the input kept.
	moHas(t, juan, poll, `href="`+poll+`/candidacies/new"`)
	moHas(t, juan, poll+"/candidacies/new", `name="cand_name"`, `id="cand-3"`)
	res = moRefused(t, juan, poll+"/candidacies/new", poll+"/candidacies",
		poList("Unidad", "Base Juliaca", "Ana Quispe", "F", "Luz Condori", "F"), http.StatusUnprocessableEntity, "no alterna mujeres y hombres: revisa la posición 2")
	if !strings.Contains(res.body, `value="Luz Condori"`) || !strings.Contains(res.body, `value="Base Juliaca"`) {
		t.Error("the refused list lost its candidates")
	}
	moOK(t, juan, poll+"/candidacies/new", poll+"/candidacies", poList("Unidad", "Base Juliaca", "Ana Quispe", "F", "Pedro Mamani", "M", "Luz Condori", "f"))
	moOK(t, rosa, poll+"/candidacies/new", poll+"/candidacies", poList("Renovación", "Base Caracoto", "Carlos Huanca", "M", "Rosa Apaza", "F"))
	moOK(t, ana, poll+"/candidacies/new", poll+"/candidacies", poList("Efímera", "Nadie", "Eva Ccori", "F"))
	page := moHas(t, ana, poll, "1. Unidad", "2. Renovación", "3. Efímera", "Pedro Mamani")
	m := regexp.MustCompile(`action="(/polls/candidacies/\d+/withdraw)"`).FindAllStringSubmatch(page, -1)
	if len(m) != 1 {
		t.Fatalf("Ana may withdraw %d lists, want her own only", len(m))
	}
	if loc := moOK(t, ana, poll, m[0][1], url.Values{"poll": {strings.TrimPrefix(poll, "/polls/")}}); loc != poll {
		t.Fatalf("withdrawal went to %s", loc)
	}
	moHas(t, ana, poll, "Retiradas: Efímera")

	// Phases: registration closes, voting opens.
	if res := juan.post(poll, poll+"/advance", url.Values{}); res.status != http.StatusForbidden {
		t.Fatalf("a member advances the election: %d", res.status)
	}
	moOK(t, rosa, poll, poll+"/advance", url.Values{})
	moHas(t, rosa, poll, "Abrir la votación ahora")
	moOK(t, rosa, poll, poll+"/advance", url.Values{})
	moHas(t, juan, poll, `action="`+poll+`/ballot"`, `name="list" value="1"`, `name="list" value="0"`)

	// Ballots: the receipt is shown on the page, not in an address, and is
	// on the public list.
	var receipts []string
	for _, v := range []struct {
		c    *client
		list string
	}{{juan, "1"}, {ana, "1"}, {pedro, "1"}, {rosa, "2"}, {luz, "2"}} {
		res := v.c.post(poll, poll+"/ballot", url.Values{"list": {v.list}})
		m := poReceipt.FindStringSubmatch(res.body)
		if res.status != http.StatusOK || m == nil || res.header.Get("Location") != "" {
			t.Fatalf("ballot: %d\n%s", res.status, res.body)
		}
		receipts = append(receipts, m[1])
	}
	moRefused(t, juan, poll, poll+"/ballot", url.Values{"list": {"2"}}, http.StatusConflict, "Ya votaste en esta elección")
	moRefused(t, intrusa, "/polls", poll+"/ballot", url.Values{"list": {"2"}}, http.StatusNotFound, "No existe esa elección")
	moHas(t, juan, poll, "Ya votaste", "5 de 5 votaron")
	list := moHas(t, juan, poll+"/receipts", receipts...)
	if strings.Count(list, "<code>") != 5 {
		t.Errorf("the receipt list holds %d codes, want 5", strings.Count(list, "<code>"))
	}
	typed := strings.ToLower(strings.ReplaceAll(receipts[0], "-", ""))
	moHas(t, juan, poll+"/receipts?code="+url.QueryEscape(typed), "está en la lista")
	moHas(t, juan, poll+"/receipts?code=ZZZZ-ZZZZ-ZZZZ", "no está en la lista")
	if res := juan.get(poll + "/receipts?code=hola"); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "no parece un código") {
		t.Errorf("a bad code: %d", res.status)
	}

	// The count: voting closes, the results are published.
	moOK(t, rosa, poll, poll+"/advance", url.Values{})
	moHas(t, rosa, poll, `action="`+poll+`/publish"`)
	if page := juan.get(poll); strings.Contains(page.body, poll+"/publish") {
		t.Error("a member is offered to publish")
	}
	if loc := moOK(t, rosa, poll, poll+"/publish", url.Values{}); loc != poll+"/results" {
		t.Fatalf("publication went to %s", loc)
	}
	results := moHas(t, anon, "/polls", "Elecciones públicas")
	_ = results
	results = moHas(t, juan, poll+"/results", "Ronda por ronda", "1. Unidad", "Ana Quispe", "Pedro Mamani", "Carlos Huanca",
		"escaño", "Primera publicación", poll+"/results/1/inputs", poll+"/results/1/report.json")
	sha := regexp.MustCompile(`SHA-256 del informe: ([0-9a-f]{64})`).FindStringSubmatch(results)
	if sha == nil {
		t.Fatal("the results page shows no SHA-256")
	}
	rep := juan.get(poll + "/results/1/report.json")
	if sum := sha256.Sum256([]byte(rep.body)); rep.status != 200 || hex.EncodeToString(sum[:]) != sha[1] {
		t.Errorf("report.json (%d) does not match the SHA-256 shown", rep.status)
	}
	csv := juan.get(poll + "/results/1/inputs")
	if csv.status != 200 || !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(csv.header.Get("Content-Disposition"), `attachment; filename="`) || !strings.Contains(csv.header.Get("Content-Disposition"), `.csv"`) {
		t.Fatalf("inputs: %d %v", csv.status, csv.header)
	}
	lists, _, err := tally.ParseListCSV(strings.NewReader(csv.body))
	if err != nil {
		t.Fatal(err)
	}
	again, err := tally.ListPR(lists, 3, tally.ListOptions{Method: tally.DHondt})
	if err != nil {
		t.Fatal(err)
	}
	if again.Seats["1. Unidad"] != 2 || again.Seats["2. Renovación"] != 1 {
		t.Fatalf("the CSV counts to %v", again.Seats)
	}
	for _, l := range again.Lists {
		for _, c := range l.Seated {
			if !strings.Contains(results, c.Name) {
				t.Errorf("the CSV seats %s, whom the results page does not name", c.Name)
			}
		}
	}
	page = moHas(t, juan, poll, "Electa o electo", "Representantes", "Pedir su revocatoria")

	// A correction needs a reason.
	moRefused(t, rosa, poll, poll+"/publish", url.Values{"reason": {""}}, http.StatusUnprocessableEntity, "necesita un motivo")
	moOK(t, rosa, poll, poll+"/publish", url.Values{"reason": {"Revisión del padrón"}})
	moHas(t, anon, "/polls", "Elecciones públicas")
	moHas(t, juan, poll+"/results", "Corrección:", "Revisión del padrón", poll+"/results/2/inputs", poll+"/results?version=1")

	// A recall petition against a representative.
	m = regexp.MustCompile(`action="(/polls/candidates/\d+/recall)"`).FindAllStringSubmatch(page, -1)
	if len(m) != 3 {
		t.Fatalf("%d representatives may be recalled, want 3", len(m))
	}
	res = luz.post(poll, m[0][1], url.Values{"reason": {"No rinde cuentas."}, "poll": {strings.TrimPrefix(poll, "/polls/")}})
	if loc := moLocation(t, res, "recall"); !strings.HasPrefix(loc, "/polls/recalls/") {
		t.Fatalf("the petition went to %s", loc)
	}
	moHas(t, luz, poll, "Revocatorias", "recogiendo firmas", "1 de 3 firmas")

	// Outsiders do not find a committee's election.
	for _, c := range []*client{intrusa, anon} {
		for _, path := range []string{poll, poll + "/results", poll + "/receipts", poll + "/results/1/inputs"} {
			if res := c.get(path); res.status != http.StatusNotFound {
				t.Errorf("an outsider gets %s: %d", path, res.status)
			}
		}
	}

	// A public election: readable signed out, listed, light.
	public := moOK(t, rosa, body+"/polls/new", body+"/polls", poForm("Asamblea Constituyente Popular", "public", "130"))
	moHas(t, anon, public, "Asamblea Constituyente Popular", "Pública, en mesas de votación", "0 de 0 actas contadas (0.0 %)")
	moHas(t, anon, "/polls", "Asamblea Constituyente Popular")
	pid := poID(t, public)
	moLight(t, rosa, public+"/candidacies/new")
	if _, err := e.db.AddStations(context.Background(), 1, pid, []polls.StationInput{
		{Code: "000101", Place: "211101", Electorate: 300}, {Code: "000102", Place: "211101", Electorate: 300}, {Code: "000201", Place: "150101", Electorate: 250},
	}, func(string) bool { return true }); err != nil {
		t.Fatal(err)
	}
	moOK(t, juan, public+"/candidacies/new", public+"/candidacies", poList("Frente Amplio del Sur", "Federación Campesina", "Ana Quispe", "F"))
	moOK(t, ana, public+"/candidacies/new", public+"/candidacies", poList("Unidad Popular", "CGTP Puno", "Carlos Huanca", "M"))
	moOK(t, rosa, public, public+"/advance", url.Values{})
	moOK(t, rosa, public, public+"/advance", url.Values{})
	stations, err := e.db.Stations(context.Background(), 1, pid, store.StationFilter{})
	if err != nil || len(stations) != 3 {
		t.Fatalf("stations: %v %d", err, len(stations))
	}
	for _, user := range []int64{1, 2} {
		for i, votes := range [][]int64{{120, 80}, {90, 100}} {
			if _, err := e.db.EnterSheet(context.Background(), user, stations[i].ID, 0, polls.Sheet{Votes: votes, Blank: 3, Null: 2}); err != nil {
				t.Fatal(err)
			}
		}
	}
	moHas(t, anon, public, "2 de 3 actas contadas (66.6 %)", "<td>210</td>", "<td>180</td>", "Puno", "<td>1. Frente Amplio del Sur</td>",
		"Nadie todavía", `href="`+public+`/stations"`, `href="`+public+`/areas"`, "<svg", "va adelante 1. Frente Amplio del Sur")
	if strings.Contains(anon.get("/polls").body, "Junta directiva 2026") {
		t.Error("the public list shows a committee's election")
	}
	for _, path := range []string{public, "/polls", poll, poll + "/results", poll + "/receipts", body + "/polls/new"} {
		moLight(t, rosa, path)
	}
}

// TestPollRankedBallot: a candidate election takes a ranking from number
// fields, refuses a number given twice, and counts a blank ballot.
func TestPollRankedBallot(t *testing.T) {
	e := newEnv(t)
	cs := moPeople(e, "Rosa", "Juan")
	rosa, juan := cs[0], cs[1]
	body := moCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101", juan)
	f := poForm("Comisión de ética", "body", "1")
	f.Set("method", "stv")
	f.Del("parity")
	poll := moOK(t, rosa, body+"/polls/new", body+"/polls", f)
	moHas(t, rosa, poll+"/candidacies/new", "Persona candidata")
	for _, name := range []string{"Ana Quispe", "Carlos Huanca"} {
		moOK(t, rosa, poll+"/candidacies/new", poll+"/candidacies", url.Values{"organisation": {"Base"}, "sector": {"workers"}, "cand_name": {name}, "cand_gender": {"X"}})
	}
	moOK(t, rosa, poll, poll+"/advance", url.Values{})
	moOK(t, rosa, poll, poll+"/advance", url.Values{})
	moHas(t, juan, poll, `name="rank-1"`, `name="rank-2"`)
	moRefused(t, juan, poll, poll+"/ballot", url.Values{"rank-1": {"1"}, "rank-2": {"1"}}, http.StatusUnprocessableEntity, "aparece dos veces")
	if res := juan.post(poll, poll+"/ballot", url.Values{"rank-1": {"2"}, "rank-2": {"1"}}); res.status != 200 || poReceipt.FindStringSubmatch(res.body) == nil {
		t.Fatalf("ranked ballot: %d", res.status)
	}
	if res := rosa.post(poll, poll+"/ballot", url.Values{}); res.status != 200 {
		t.Fatalf("blank ballot: %d", res.status)
	}
	moOK(t, rosa, poll, poll+"/advance", url.Values{})
	moOK(t, rosa, poll, poll+"/publish", url.Values{})
	moHas(t, juan, poll+"/results", "Papeletas (BLT)", "2. Carlos Huanca", "primeras preferencias")
	blt := juan.get(poll + "/results/1/inputs")
	if blt.status != 200 || !strings.HasPrefix(blt.header.Get("Content-Type"), "text/plain") || !strings.Contains(blt.header.Get("Content-Disposition"), `.blt"`) {
		t.Fatalf("BLT: %d %v", blt.status, blt.header)
	}
	if !strings.HasPrefix(blt.body, "2 1\n1 2 1 0\n") {
		t.Errorf("BLT:\n%s", blt.body)
	}
}
