package server_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"asamblea/polls"
	"asamblea/tally"
)

// pollPageOut is an election's page as the API answers it.
type pollPageOut struct {
	Poll        polls.Poll        `json:"poll"`
	Candidacies []polls.Candidacy `json:"candidacies"`
	National    *polls.Area       `json:"national"`
	Departments []polls.Area      `json:"departments"`
	Result      *struct {
		Version int            `json:"version"`
		Seats   map[string]int `json:"seats"`
		Inputs  string         `json:"inputs"`
	} `json:"result"`
	Versions int            `json:"versions"`
	Recalls  []polls.Recall `json:"recalls"`
	Viewer   struct {
		Manage, Enter, Register, Voted bool
		CanVote                        bool `json:"can_vote"`
		TakePart                       bool `json:"take_part"`
	} `json:"viewer"`
}

// pollResultOut is a published result as the API answers it.
type pollResultOut struct {
	Version int           `json:"version"`
	Report  *tally.Report `json:"report"`
	Reason  string        `json:"reason"`
	SHA256  string        `json:"sha256"`
	Inputs  string        `json:"inputs"`
}

type areasOut struct {
	Total polls.Area   `json:"total"`
	Areas []polls.Area `json:"areas"`
}

// pollDates is a calendar starting in an hour, in RFC 3339.
func pollDates(in map[string]any) map[string]any {
	now := time.Now().Truncate(time.Second)
	in["registration_closes"] = now.Add(time.Hour).Format(time.RFC3339)
	in["voting_opens"] = now.Add(2 * time.Hour).Format(time.RFC3339)
	in["voting_closes"] = now.Add(3 * time.Hour).Format(time.RFC3339)
	return in
}

// alternating is a list of n candidates alternating genders from first.
func alternating(list string, n int, first string) []map[string]string {
	var cs []map[string]string
	g := first
	for i := range n {
		cs = append(cs, map[string]string{"name": fmt.Sprintf("%s %d", list, i+1), "gender": g})
		if g == "F" {
			g = "M"
		} else {
			g = "F"
		}
	}
	return cs
}

// TestAPIPollPaper follows a constituent assembly through the API: called
// with 20 seats in one national district, five lists that alternate
// genders, ten polling stations whose tally sheets two different people
// enter (a mismatch resolved by a third entry, a sheet with more votes
// than electors annulled), the count by department as it comes, the
// results published and corrected, their inputs re-counted apart, and a
// representative recalled and replaced by the next on her list.
func TestAPIPollPaper(t *testing.T) {
	e := newEnv(t)
	rosa, juan, ana, pedro := e.client(), e.client(), e.client(), e.client()
	carla, diego, intrusa := e.client(), e.client(), e.client()
	rosa.apiAccount("Rosa")
	juan.apiAccount("Juan")
	ana.apiAccount("Ana")
	pedro.apiAccount("Pedro")
	carla.apiAccount("Carla")
	diego.apiAccount("Diego")
	intrusa.apiAccount("Intrusa")
	jne := apiCommittee(t, rosa, "Comisión Electoral Nacional", "150101", juan, ana, pedro)
	bp := "/bodies/" + itoa(jne) + "/polls"

	// Calling it: bad input is refused with its field, and nothing stored.
	call := func() map[string]any {
		return pollDates(map[string]any{"title": "Asamblea Constituyente Plurinacional", "scope": "public", "seats": 20,
			"method": "dhondt", "parity": true, "recall_share": "0.1"})
	}
	with := func(k string, v any) map[string]any { in := call(); in[k] = v; return in }
	for _, tc := range []struct {
		name, field, msg string
		in               map[string]any
	}{
		{"date not a time", "voting_opens", "RFC 3339", with("voting_opens", "el domingo")},
		{"seats not a number", "seats", "whole number", with("seats", "veinte")},
		{"unknown field", "secret", `unknown field \"secret\"`, with("secret", true)},
		{"too many seats", "seats", "escaños", with("seats", 5000)},
		{"candidate method on paper", "method", "listas", with("method", "stv")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rosa.refused(422, `"field":"`+tc.field+`"`, "POST", bp, tc.in)
			rosa.refused(422, tc.msg, "POST", bp, tc.in)
		})
	}
	juan.refused(403, "No tienes permiso", "POST", bp, call())
	var list struct{ Polls []polls.Poll }
	e.client().must(200, "GET", "/polls", nil, &list)
	if len(list.Polls) != 0 {
		t.Fatalf("refused calls left elections: %+v", list.Polls)
	}

	var poll polls.Poll
	res := rosa.must(201, "POST", bp, call(), &poll)
	pp := "/polls/" + itoa(poll.ID)
	if res.header.Get("Location") != "/api/v1"+pp || poll.Phase != polls.Registration || poll.Seats != 20 || !poll.Parity || poll.RecallShare != "0.1" {
		t.Fatalf("called: %s %+v", res.header.Get("Location"), poll)
	}
	rosa.refused(422, `"field":"voting_closes"`, "PUT", pp+"/calendar", map[string]any{"voting_closes": "ayer"})
	closes := time.Now().Add(5 * time.Hour).Truncate(time.Second)
	rosa.must(200, "PUT", pp+"/calendar", map[string]any{"voting_closes": closes.Format(time.RFC3339)}, &poll)
	if !poll.VotingCloses.Equal(closes) {
		t.Fatalf("calendar: %+v", poll.Calendar)
	}
	juan.refused(403, "No tienes permiso", "PUT", pp+"/calendar", map[string]any{"voting_closes": closes.Format(time.RFC3339)})

	// Five lists, registered by anyone signed in; one that does not
	// alternate is refused; one is withdrawn, and the others move up.
	lists := []struct {
		name, org, first string
		by               *client
	}{
		{"Frente Obrero Campesino", "CGTP", "F", juan},
		{"Rondas y Comunidades", "CUNARC", "M", carla},
		{"Lista de Prueba", "Nadie", "F", diego},
		{"Mujeres en Lucha", "FENMUCARINAP", "F", ana},
		{"Juventud Estudiantil", "FEP", "M", diego},
		{"Frente Amazónico", "AIDESEP", "F", carla},
	}
	cp := pp + "/candidacies"
	broken := map[string]any{"name": "Lista Desordenada", "organisation": "Nadie", "sector": "workers",
		"candidates": []map[string]string{{"name": "Uno Uno", "gender": "F"}, {"name": "Dos Dos", "gender": "F"}}}
	juan.refused(422, `"field":"candidates"`, "POST", cp, broken)
	juan.refused(422, "posición 2", "POST", cp, broken)
	juan.refused(422, `"field":"candidates"`, "POST", cp, map[string]any{"name": "Lista Vacía", "organisation": "Nadie", "candidates": "todos"})
	e.client().refused(401, "", "POST", cp, broken)
	var withdrawn int64
	for _, l := range lists {
		var c polls.Candidacy
		l.by.must(201, "POST", cp, map[string]any{"name": l.name, "organisation": l.org, "sector": "workers",
			"candidates": alternating(l.name, 10, l.first)}, &c)
		if len(c.Candidates) != 10 || c.Status != polls.Registered || c.Candidates[0].Gender != l.first {
			t.Fatalf("candidacy %s: %+v", l.name, c)
		}
		if l.name == "Lista de Prueba" {
			withdrawn = c.ID
		}
	}
	carla.refused(403, "No tienes permiso", "DELETE", "/poll-candidacies/"+itoa(withdrawn), nil)
	diego.must(204, "DELETE", "/poll-candidacies/"+itoa(withdrawn), nil, nil)
	diego.refused(409, "ya fue retirada", "DELETE", "/poll-candidacies/"+itoa(withdrawn), nil)

	// Ten stations in four departments; a batch with a bad one stores none.
	places := []string{"150101", "150101", "150101", "211101", "211101", "211101", "080101", "080101", "040101", "040101"}
	var stations []map[string]any
	for i, p := range places {
		stations = append(stations, map[string]any{"code": fmt.Sprintf("%06d", i+1), "place": p, "electorate": 300})
	}
	bad := make([]map[string]any, len(stations))
	copy(bad, stations)
	bad[6] = map[string]any{"code": "000007", "place": "999999", "electorate": 300}
	sp := pp + "/stations"
	rosa.refused(422, `"field":"place"`, "POST", sp, map[string]any{"stations": bad})
	rosa.refused(422, "Mesa 000007 (línea 7)", "POST", sp, map[string]any{"stations": bad})
	rosa.refused(422, `"field":"stations.electorate"`, "POST", sp, map[string]any{"stations": []map[string]any{{"code": "1", "place": "150101", "electorate": "mucho"}}})
	juan.refused(403, "No tienes permiso", "POST", sp, map[string]any{"stations": stations})
	var page struct {
		Stations []polls.Station `json:"stations"`
	}
	e.client().must(200, "GET", sp, nil, &page)
	if len(page.Stations) != 0 {
		t.Fatalf("a refused batch left stations: %+v", page.Stations)
	}
	var added struct{ Added int }
	rosa.must(201, "POST", sp, map[string]any{"stations": stations}, &added)
	if added.Added != 10 {
		t.Fatalf("added: %+v", added)
	}
	rosa.refused(422, "ya estaba declarada", "POST", sp, map[string]any{"stations": stations[:1]})
	e.client().must(200, "GET", sp+"?place=21", nil, &page)
	if len(page.Stations) != 3 || page.Stations[0].Code != "000004" || page.Stations[0].Status != polls.Awaiting {
		t.Fatalf("stations of Puno: %+v", page.Stations)
	}
	e.client().refused(422, `"field":"status"`, "GET", sp+"?status=perdida", nil)
	e.client().must(200, "GET", sp+"?limit=4", nil, &page)
	ids := map[string]int64{}
	for after := ""; ; {
		var p struct {
			Stations []polls.Station `json:"stations"`
			Next     string          `json:"next_after"`
		}
		e.client().must(200, "GET", sp+"?limit=4&after="+after, nil, &p)
		for _, s := range p.Stations {
			ids[s.Code] = s.ID
		}
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	if len(ids) != 10 {
		t.Fatalf("pages of stations: %v", ids)
	}
	station := func(i int) string { return "/poll-stations/" + itoa(ids[fmt.Sprintf("%06d", i)]) }

	var pg pollPageOut
	e.client().must(200, "GET", pp, nil, &pg)
	if len(pg.Candidacies) != 6 || pg.Candidacies[2].Name != "Mujeres en Lucha" || pg.Candidacies[2].Number != 3 ||
		pg.Candidacies[5].Status != polls.Withdrawn || pg.Poll.Stations != 10 || pg.Poll.Electorate != 3000 ||
		len(pg.Departments) != 4 || pg.Departments[0].Name != "Arequipa" || pg.Viewer.Manage {
		t.Fatalf("page before the vote: %+v", pg)
	}

	// The vote: no sheet before it opens.
	sheet := func(votes ...int64) map[string]any {
		return map[string]any{"votes": votes, "blank": 10, "null": 5}
	}
	rosa.must(200, "POST", pp+"/advance", nil, &poll)
	if poll.Phase != polls.Campaign {
		t.Fatalf("advanced: %+v", poll)
	}
	juan.refused(409, "No se pueden ingresar actas", "POST", station(1)+"/sheets", sheet(80, 60, 50, 30, 20))
	rosa.must(200, "POST", pp+"/advance", nil, &poll)
	if poll.Phase != polls.Voting {
		t.Fatalf("advanced: %+v", poll)
	}
	juan.refused(422, `"field":"votes"`, "POST", station(1)+"/sheets", sheet(80, 60, 50, 30))
	juan.refused(422, `"field":"votes"`, "POST", station(1)+"/sheets", map[string]any{"votes": []string{"ochenta"}})
	intrusa.refused(403, "No tienes permiso", "POST", station(1)+"/sheets", sheet(80, 60, 50, 30, 20))

	// Lima's three stations, each entered by two different people.
	var want [5]int64
	for i := 1; i <= 8; i++ {
		v := []int64{80 + int64(i), 60, 50, 30, 20}
		for k := range v {
			want[k] += v[k]
		}
		var s polls.Station
		juan.must(201, "POST", station(i)+"/sheets", sheet(v...), &s)
		if s.Status != polls.FirstEntered || s.Sheet != nil {
			t.Fatalf("first entry of %d: %+v", i, s)
		}
		if i == 2 {
			juan.refused(409, "la segunda digitación debe hacerla otra persona", "POST", station(i)+"/sheets", sheet(v...))
		}
		ana.must(201, "POST", station(i)+"/sheets", sheet(v...), &s)
		if s.Status != polls.CountedSheet || s.Sheet == nil || s.Sheet.Votes[0] != v[0] {
			t.Fatalf("second entry of %d: %+v", i, s)
		}
		if i == 3 {
			// The count by department as it comes.
			var a areasOut
			e.client().must(200, "GET", pp+"/areas", nil, &a)
			if a.Total.Name != "Perú" || a.Total.Stations != 10 || a.Total.Counted != 3 || a.Total.Sheet.Votes[0] != want[0] ||
				len(a.Areas) != 4 || a.Areas[2].Code != "15" || a.Areas[2].Name != "Lima" || a.Areas[2].Counted != 3 ||
				a.Areas[3].Name != "Puno" || a.Areas[3].Counted != 0 || a.Areas[2].Leader != 0 {
				t.Fatalf("areas after Lima: %+v", a)
			}
			e.client().must(200, "GET", pp+"/areas?parent=15", nil, &a)
			if a.Total.Name != "Lima" || len(a.Areas) != 1 || a.Areas[0].Code != "150101" || a.Areas[0].Counted != 3 {
				t.Fatalf("districts of Lima: %+v", a)
			}
			e.client().refused(422, `"field":"parent"`, "GET", pp+"/areas?parent=99", nil)
		}
	}

	// A mismatch, resolved by a third entry that agrees with the first.
	good, typo := sheet(70, 70, 40, 30, 20), sheet(70, 70, 40, 30, 2)
	for k, v := range []int64{70, 70, 40, 30, 20} {
		want[k] += v
	}
	var s polls.Station
	juan.must(201, "POST", station(9)+"/sheets", good, nil)
	ana.must(201, "POST", station(9)+"/sheets", typo, &s)
	if s.Status != polls.Mismatch {
		t.Fatalf("mismatch: %+v", s)
	}
	e.client().must(200, "GET", sp+"?status=flagged", nil, &page)
	if len(page.Stations) != 1 || page.Stations[0].Code != "000009" {
		t.Fatalf("flagged: %+v", page.Stations)
	}
	// Members see each entry and who made it; the public, the status.
	rosa.must(200, "GET", station(9), nil, &s)
	if len(s.Entries) != 2 || s.Entries[0].UserName != "Juan" || s.Entries[1].Sheet.Votes[4] != 2 {
		t.Fatalf("entries: %+v", s)
	}
	var pub polls.Station
	e.client().must(200, "GET", station(9), nil, &pub)
	if len(pub.Entries) != 0 || pub.Status != polls.Mismatch {
		t.Fatalf("the public's station: %+v", pub)
	}
	pedro.must(201, "POST", station(9)+"/sheets", good, &s)
	if s.Status != polls.CountedSheet || s.Sheet.Votes[4] != 20 {
		t.Fatalf("resolved: %+v", s)
	}

	// More votes than electors: flagged, then annulled with a reason.
	over := sheet(200, 60, 50, 30, 20)
	juan.must(201, "POST", station(10)+"/sheets", over, nil)
	ana.must(201, "POST", station(10)+"/sheets", over, &s)
	if s.Status != polls.OverElectorate {
		t.Fatalf("over the electorate: %+v", s)
	}
	juan.refused(403, "No tienes permiso", "POST", station(10)+"/annulment", map[string]any{"reason": "Más votos que electores"})
	rosa.refused(422, `"field":"reason"`, "POST", station(10)+"/annulment", map[string]any{"reason": "x"})
	rosa.must(200, "POST", station(10)+"/annulment", map[string]any{"reason": "Acta con 375 votos en una mesa de 300 electores"}, &s)
	if s.Status != polls.Annulled || s.Note == "" {
		t.Fatalf("annulled: %+v", s)
	}
	rosa.refused(409, "ya fue anulada", "POST", station(10)+"/annulment", map[string]any{"reason": "Otra vez"})

	// Not before the vote closes; then the result.
	rosa.refused(409, "cuando cierra la votación", "POST", pp+"/results", map[string]any{})
	rosa.must(200, "POST", pp+"/advance", nil, &poll)
	if poll.Phase != polls.Count || poll.Counted != 10 || poll.Flagged != 0 {
		t.Fatalf("closed: %+v", poll)
	}
	juan.refused(403, "No tienes permiso", "POST", pp+"/results", nil)
	var r1 pollResultOut
	res = rosa.must(201, "POST", pp+"/results", nil, &r1)
	seats := 0
	for _, n := range r1.Report.Seats {
		seats += n
	}
	if r1.Version != 1 || seats != 20 || len(r1.Report.Rounds) == 0 || r1.SHA256 == "" || res.header.Get("Location") != "/api/v1"+pp+"/results/1/inputs" {
		t.Fatalf("published: %d seats %+v", seats, r1)
	}
	e.client().must(200, "GET", pp, nil, &pg)
	for i, c := range pg.Candidacies[:5] {
		if c.Votes != want[i] || c.Seats != r1.Report.Seats[polls.ListLabel(c)] {
			t.Fatalf("list %d: %d votes %d seats, want %d and %v", i+1, c.Votes, c.Seats, want[i], r1.Report.Seats)
		}
	}
	if pg.Poll.Phase != polls.Published || pg.Result == nil || pg.Result.Version != 1 || pg.National.Counted != 10 {
		t.Fatalf("published page: %+v", pg)
	}

	// The inputs, counted again apart, give the same seats.
	res = e.client().api("GET", pp+"/results/1/inputs", nil)
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("inputs: %d %s", res.status, res.header.Get("Content-Type"))
	}
	lvs, _, err := tally.ParseListCSV(strings.NewReader(res.body))
	if err != nil {
		t.Fatalf("inputs: %v\n%s", err, res.body)
	}
	again, err := tally.ListPR(lvs, 20, tally.ListOptions{Method: tally.DHondt, Seed: r1.Report.Seed})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(again.Seats) != fmt.Sprint(r1.Report.Seats) {
		t.Fatalf("counted again: %v, published %v", again.Seats, r1.Report.Seats)
	}
	e.client().refused(404, "Todavía no hay resultados", "GET", pp+"/results/3/inputs", nil)

	// A correction needs a reason, and is a new version.
	rosa.refused(422, `"field":"reason"`, "POST", pp+"/results", map[string]any{})
	var r2 pollResultOut
	rosa.must(201, "POST", pp+"/results", map[string]any{"reason": "Revisión del acta 000009 a pedido de los personeros"}, &r2)
	var rs struct{ Results []pollResultOut }
	e.client().must(200, "GET", pp+"/results", nil, &rs)
	if r2.Version != 2 || len(rs.Results) != 2 || rs.Results[0].Version != 2 || rs.Results[0].Reason == "" || rs.Results[1].Version != 1 {
		t.Fatalf("results: %+v", rs)
	}

	// A recall: the first of the first list.
	var reps struct{ Candidacies []polls.Candidacy }
	e.client().must(200, "GET", pp+"/representatives", nil, &reps)
	seated := 0
	for _, c := range reps.Candidacies {
		seated += len(c.Candidates)
	}
	first := reps.Candidacies[0]
	if seated != 20 || first.Name != "Frente Obrero Campesino" || first.Candidates[0].Position != 1 {
		t.Fatalf("representatives: %+v", reps)
	}
	recalled := first.Candidates[0]
	carla.refused(422, `"field":"reason"`, "POST", "/poll-candidates/"+itoa(recalled.ID)+"/recalls", map[string]any{"reason": ""})
	var rc polls.Recall
	res = carla.must(201, "POST", "/poll-candidates/"+itoa(recalled.ID)+"/recalls", map[string]any{"reason": "Votó contra el mandato de las bases"}, &rc)
	rp := "/poll-recalls/" + itoa(rc.ID)
	if res.header.Get("Location") != "/api/v1"+rp || rc.Status != polls.Collecting || rc.Needed != 3 || rc.Signatures != 1 {
		t.Fatalf("petition: %+v", rc)
	}
	diego.must(201, "POST", rp+"/signatures", nil, &rc)
	diego.refused(409, "Ya firmaste", "POST", rp+"/signatures", nil)
	if rc.Status != polls.Collecting || rc.Signatures != 2 {
		t.Fatalf("two signatures: %+v", rc)
	}
	intrusa.must(201, "POST", rp+"/signatures", nil, &rc)
	if rc.Status != polls.RecallVote || rc.VotingCloses == nil {
		t.Fatalf("the vote opens: %+v", rc)
	}
	// The same stations vote on it, entered twice.
	for i := 1; i <= 10; i++ {
		v := map[string]any{"contest": rc.ID, "votes": []int64{150, 100}, "blank": 5, "null": 5}
		juan.must(201, "POST", station(i)+"/sheets", v, nil)
		if i == 5 {
			rosa.refused(409, "Faltan 6 actas", "POST", rp+"/close", nil)
		}
		ana.must(201, "POST", station(i)+"/sheets", v, &s)
		if s.Status != polls.CountedSheet {
			t.Fatalf("recall sheet %d: %+v", i, s)
		}
	}
	var a areasOut
	e.client().must(200, "GET", pp+"/areas?contest="+itoa(rc.ID), nil, &a)
	if a.Total.Counted != 10 || a.Total.Sheet.Votes[0] != 1500 || a.Total.Sheet.Votes[1] != 1000 {
		t.Fatalf("recall areas: %+v", a)
	}
	juan.refused(403, "No tienes permiso", "POST", rp+"/close", nil)
	rosa.must(200, "POST", rp+"/close", nil, &rc)
	if rc.Status != polls.RecallPass || rc.Yes != 1500 || rc.No != 1000 || rc.ReplacementID == 0 {
		t.Fatalf("closed: %+v", rc)
	}
	var rpg struct {
		Recall polls.Recall `json:"recall"`
	}
	e.client().must(200, "GET", rp, nil, &rpg)
	if rpg.Recall.Status != polls.RecallPass || rpg.Recall.Replacement == "" {
		t.Fatalf("recall page: %+v", rpg)
	}

	// The next woman on the same list takes the seat.
	e.client().must(200, "GET", pp+"/representatives", nil, &reps)
	var gone, next *polls.Candidate
	for _, c := range reps.Candidacies {
		for i, p := range c.Candidates {
			if p.ID == recalled.ID {
				gone = &c.Candidates[i]
			}
			if p.ID == rc.ReplacementID {
				next = &c.Candidates[i]
			}
		}
	}
	if gone == nil || gone.Status != polls.Recalled || next == nil || next.Status != polls.Elected || next.Replaces != recalled.ID ||
		next.CandidacyID != recalled.CandidacyID || next.Gender != recalled.Gender || next.Position <= first.Candidates[len(first.Candidates)-1].Position {
		t.Fatalf("after the recall: gone %+v next %+v", gone, next)
	}
	rosa.refused(409, "los resultados no pueden corregirse", "POST", pp+"/results", map[string]any{"reason": "Otra corrección"})
}

// TestAPIPollOnline follows a committee's election of its board through
// the API: candidates stand, members vote online for a receipt they then
// find in the published list, nobody votes twice, an outsider does not
// see the election, and the ranked ballots are published in BLT.
func TestAPIPollOnline(t *testing.T) {
	e := newEnv(t)
	rosa, juan, ana, intrusa := e.client(), e.client(), e.client(), e.client()
	rosa.apiAccount("Rosa")
	juan.apiAccount("Juan")
	ana.apiAccount("Ana")
	intrusa.apiAccount("Intrusa")
	c := apiCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101", juan, ana)

	var poll polls.Poll
	rosa.must(201, "POST", "/bodies/"+itoa(c)+"/polls", pollDates(map[string]any{"title": "Junta directiva 2026", "scope": "body", "seats": 2, "method": "stv"}), &poll)
	pp := "/polls/" + itoa(poll.ID)
	for _, who := range []struct {
		c    *client
		name string
	}{{rosa, "Rosa Quispe"}, {juan, "Juan Mamani"}, {ana, "Ana Condori"}} {
		who.c.must(201, "POST", pp+"/candidacies", map[string]any{"organisation": "Comité de Lucha de Juliaca",
			"candidates": []map[string]string{{"name": who.name, "gender": "X"}}}, nil)
	}
	intrusa.refused(404, "No existe esa elección", "GET", pp, nil)
	intrusa.refused(404, "No existe esa elección", "POST", pp+"/candidacies", map[string]any{"organisation": "Nadie",
		"candidates": []map[string]string{{"name": "Intrusa", "gender": "F"}}})
	e.client().refused(404, "No existe esa elección", "GET", pp+"/receipts", nil)
	var list struct{ Polls []polls.Poll }
	e.client().must(200, "GET", "/polls", nil, &list)
	if len(list.Polls) != 0 {
		t.Fatalf("a committee's election is public: %+v", list.Polls)
	}
	e.client().must(200, "GET", "/bodies/"+itoa(c)+"/polls", nil, &list)
	if len(list.Polls) != 0 {
		t.Fatalf("a committee's election shown to the public: %+v", list.Polls)
	}
	juan.must(200, "GET", "/bodies/"+itoa(c)+"/polls", nil, &list)
	if len(list.Polls) != 1 {
		t.Fatalf("a committee's election not shown to a member: %+v", list.Polls)
	}
	rosa.refused(409, "se vota en línea", "POST", pp+"/stations", map[string]any{"stations": []map[string]any{{"code": "1", "place": "211101", "electorate": 3}}})

	rosa.must(200, "POST", pp+"/advance", nil, nil)
	juan.refused(409, "La votación no está abierta", "POST", pp+"/ballots", map[string]any{"ranking": []int{2, 1}})
	rosa.must(200, "POST", pp+"/advance", nil, &poll)
	if poll.Phase != polls.Voting || poll.Electorate != 3 {
		t.Fatalf("voting: %+v", poll)
	}
	var pg pollPageOut
	juan.must(200, "GET", pp, nil, &pg)
	if !pg.Viewer.CanVote || pg.Viewer.Voted || len(pg.Candidacies) != 3 || pg.National != nil {
		t.Fatalf("page before voting: %+v", pg)
	}

	juan.refused(422, `"field":"ranking"`, "POST", pp+"/ballots", map[string]any{"list": 1})
	juan.refused(422, `"field":"ranking"`, "POST", pp+"/ballots", map[string]any{"ranking": []int{2, 2}})
	juan.refused(422, `"field":"ranking"`, "POST", pp+"/ballots", map[string]any{"ranking": "2,1"})
	var receipt struct{ Receipt string }
	juan.must(201, "POST", pp+"/ballots", map[string]any{"ranking": []int{2, 1}}, &receipt)
	if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`).MatchString(receipt.Receipt) {
		t.Fatalf("receipt: %q", receipt.Receipt)
	}
	juan.refused(409, "Ya votaste", "POST", pp+"/ballots", map[string]any{"ranking": []int{1}})
	intrusa.refused(404, "No existe esa elección", "POST", pp+"/ballots", map[string]any{"ranking": []int{1}})
	juan.must(200, "GET", pp, nil, &pg)
	if pg.Viewer.CanVote || !pg.Viewer.Voted || pg.Poll.Voters != 1 {
		t.Fatalf("page after voting: %+v", pg)
	}

	// The receipt, as the voter types it, is in the list.
	var found struct {
		Receipts []string
		Found    bool
	}
	typed := strings.ToLower(strings.ReplaceAll(receipt.Receipt, "-", " "))
	ana.must(200, "GET", pp+"/receipts?code="+strings.ReplaceAll(typed, " ", "%20"), nil, &found)
	if !found.Found || len(found.Receipts) != 1 || found.Receipts[0] != receipt.Receipt {
		t.Fatalf("receipt looked up: %+v", found)
	}
	ana.must(200, "GET", pp+"/receipts?code=0000-0000-0000", nil, &found)
	if found.Found || len(found.Receipts) != 0 {
		t.Fatalf("a receipt nobody has: %+v", found)
	}
	ana.must(201, "POST", pp+"/ballots", map[string]any{"ranking": []int{2, 3}}, nil)
	rosa.must(201, "POST", pp+"/ballots", map[string]any{"ranking": []int{1, 2}}, nil)
	var all struct{ Receipts []string }
	juan.must(200, "GET", pp+"/receipts", nil, &all)
	if len(all.Receipts) != 3 || !strings.Contains(strings.Join(all.Receipts, " "), receipt.Receipt) {
		t.Fatalf("receipts: %+v", all)
	}

	rosa.must(200, "POST", pp+"/advance", nil, &poll)
	var r pollResultOut
	rosa.must(201, "POST", pp+"/results", nil, &r)
	if r.Version != 1 || len(r.Report.Elected) != 2 || r.Report.Elected[0] != "2. Juan Mamani" {
		t.Fatalf("result: %+v", r.Report)
	}
	res := juan.api("GET", pp+"/results/1/inputs", nil)
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Type"), "text/plain") || !strings.HasPrefix(res.body, "3 2\n") {
		t.Fatalf("BLT: %d %s\n%s", res.status, res.header.Get("Content-Type"), res.body)
	}
	var reps struct{ Candidacies []polls.Candidacy }
	juan.must(200, "GET", pp+"/representatives", nil, &reps)
	if len(reps.Candidacies) != 2 {
		t.Fatalf("representatives: %+v", reps)
	}
	var b []byte
	b, _ = json.Marshal(reps)
	if !strings.Contains(string(b), "Juan Mamani") {
		t.Fatalf("representatives: %s", b)
	}
}
