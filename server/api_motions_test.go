package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"asamblea/motions"
)

// apiAccount signs a new person up through the API and keeps the CSRF
// token; it returns their user id.
func (c *client) apiAccount(name string) int64 {
	c.e.t.Helper()
	res := c.api("POST", "/accounts", map[string]string{"name": name, "password": "contraseña de " + name + " 2023"})
	var out struct {
		User struct {
			ID int64 `json:"id"`
		} `json:"user"`
		CSRF string `json:"csrf_token"`
	}
	if res.status != http.StatusCreated || json.Unmarshal([]byte(res.body), &out) != nil {
		c.e.t.Fatalf("sign up %s: %d %s", name, res.status, res.body)
	}
	c.csrf = out.CSRF
	return out.User.ID
}

// must calls the API and fails the test unless the answer has status want;
// it decodes a JSON answer into out when out is not nil.
func (c *client) must(want int, method, path string, in, out any) response {
	c.e.t.Helper()
	res := c.api(method, path, in)
	if res.status != want {
		c.e.t.Fatalf("%s %s: status %d, want %d\n%s", method, path, res.status, want, res.body)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(res.body), out); err != nil {
			c.e.t.Fatalf("%s %s: %v\n%s", method, path, err, res.body)
		}
	}
	return res
}

// refused fails the test unless the call is refused with status want and
// a message containing msg.
func (c *client) refused(want int, msg, method, path string, in any) {
	c.e.t.Helper()
	res := c.api(method, path, in)
	if res.status != want || !strings.Contains(res.body, msg) {
		c.e.t.Fatalf("%s %s: got %d %s, want %d with %q", method, path, res.status, res.body, want, msg)
	}
}

// apiCommittee creates a public committee in place and has each of the
// others join it; it returns its id.
func apiCommittee(t *testing.T, founder *client, name, place string, others ...*client) int64 {
	t.Helper()
	var b struct{ ID int64 }
	founder.must(201, "POST", "/bodies", map[string]any{"name": name, "sector": "workers", "place": place, "public": true}, &b)
	var inv struct{ Code string }
	founder.must(201, "POST", "/bodies/"+itoa(b.ID)+"/invitations", map[string]any{"max_uses": 10, "days": 1}, &inv)
	for _, c := range others {
		c.must(200, "POST", "/join", map[string]string{"code": inv.Code}, nil)
	}
	return b.ID
}

// TestAPIMotionPath follows a committee's motion through the API: proposed,
// discussed, amended, put to a vote, voted in secret, closed early by the
// facilitator, published, and read by anyone as a communiqué.
func TestAPIMotionPath(t *testing.T) {
	e := newEnv(t)
	rosa, juan, ana, intrusa := e.client(), e.client(), e.client(), e.client()
	rosa.apiAccount("Rosa")
	juan.apiAccount("Juan")
	ana.apiAccount("Ana")
	intrusa.apiAccount("Intrusa")
	c := apiCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101", juan, ana)
	cp := "/bodies/" + itoa(c)

	var m motions.Motion
	res := juan.must(201, "POST", cp+"/motions", motions.Input{Title: "Paro de 48 horas", Text: "Paro regional los días 4 y 5."}, &m)
	mp := "/motions/" + itoa(m.ID)
	if res.header.Get("Location") != "/api/v1"+mp || m.Status != motions.Discussion || m.Rule.Kind != "majority" {
		t.Fatalf("new motion: %s %+v", res.header.Get("Location"), m)
	}
	if juan.must(200, "GET", mp, nil, &m); m.Proposer != "Juan" {
		t.Fatalf("proposer: %+v", m)
	}
	intrusa.refused(403, "No tienes permiso", "GET", mp, nil)
	if res := e.client().api("GET", mp, nil); res.status != 401 {
		t.Fatalf("a motion without signing in: %d", res.status)
	}
	var page struct {
		Motions []motions.Motion `json:"motions"`
	}
	ana.must(200, "GET", cp+"/motions?status=open", nil, &page)
	if len(page.Motions) != 1 || page.Motions[0].ID != m.ID {
		t.Fatalf("open motions: %+v", page.Motions)
	}
	ana.must(200, "GET", cp+"/motions?status=closed", nil, &page)
	if len(page.Motions) != 0 {
		t.Fatalf("closed motions before any vote: %+v", page.Motions)
	}

	// Discussion and an amendment the proposer accepts.
	var cm motions.Comment
	ana.must(201, "POST", mp+"/comments", map[string]string{"text": "Que incluya a los transportistas."}, &cm)
	var comments struct{ Comments []motions.Comment }
	juan.must(200, "GET", mp+"/comments", nil, &comments)
	if len(comments.Comments) != 1 || comments.Comments[0].Name != "Ana" {
		t.Fatalf("comments: %+v", comments)
	}
	amended := "Paro regional los días 4 y 5, con los transportistas."
	var am motions.Amendment
	ana.must(201, "POST", mp+"/amendments", map[string]string{"text": amended, "reason": "Más fuerza"}, &am)
	rosa.refused(403, "Solo quien propuso la moción", "POST", "/amendments/"+itoa(am.ID)+"/decision", map[string]string{"action": "accept"})
	juan.must(204, "POST", "/amendments/"+itoa(am.ID)+"/decision", map[string]string{"action": "accept"}, nil)
	var ams struct{ Amendments []motions.Amendment }
	juan.must(200, "GET", mp+"/amendments", nil, &ams)
	if len(ams.Amendments) != 1 || ams.Amendments[0].Status != motions.AmendAccepted {
		t.Fatalf("amendments: %+v", ams)
	}
	rosa.must(200, "GET", mp, nil, &m)
	if m.Text != amended {
		t.Fatalf("text after the amendment: %q", m.Text)
	}

	// Only a facilitator opens the vote, for a valid time.
	juan.refused(403, "No tienes permiso", "POST", mp+"/status", map[string]any{"status": "voting", "hours": 24})
	rosa.refused(422, `"field":"hours"`, "POST", mp+"/status", map[string]any{"status": "voting"})
	rosa.must(200, "POST", mp+"/status", map[string]any{"status": "voting", "hours": 24}, &m)
	if m.Status != motions.Voting || m.ClosesAt.IsZero() {
		t.Fatalf("after opening the vote: %+v", m)
	}

	// Ballots: secret, once, members only.
	res = juan.must(204, "POST", mp+"/ballot", map[string]string{"choice": "yes"}, nil)
	if res.body != "" {
		t.Fatalf("a ballot's answer carries %q", res.body)
	}
	juan.refused(409, "Ya votaste", "POST", mp+"/ballot", map[string]string{"choice": "no"})
	intrusa.refused(403, "No tienes permiso", "POST", mp+"/ballot", map[string]string{"choice": "no"})
	ana.refused(422, `"field":"choice"`, "POST", mp+"/ballot", map[string]string{"choice": "quizás"})
	ana.refused(422, `"field":"ranking"`, "POST", mp+"/ballot", map[string]any{"ranking": []int{0}})
	ana.must(204, "POST", mp+"/ballot", map[string]string{"choice": "yes"}, nil)
	juan.must(200, "GET", mp, nil, &m)
	if m.Voters != 2 || m.Decision != nil || !m.Voted {
		t.Fatalf("motion during the vote: %+v", m)
	}
	if res := rosa.api("GET", mp, nil); strings.Contains(res.body, `"decision"`) || strings.Contains(res.body, `"voted"`) {
		t.Fatalf("the motion shows more than the number of voters during the vote:\n%s", res.body)
	}

	// Closing early is the facilitator's; after it, no more ballots.
	juan.refused(403, "No tienes permiso", "POST", mp+"/close", nil)
	rosa.must(200, "POST", mp+"/close", nil, &m)
	if m.Status != motions.Passed || m.Decision == nil || m.Decision.Count.Yes != 2 || m.Decision.Count.Entitled != 3 || m.Result != "yes" {
		t.Fatalf("closed motion: %+v %+v", m, m.Decision)
	}
	rosa.refused(409, "La votación no está abierta", "POST", mp+"/ballot", map[string]string{"choice": "no"})
	rosa.refused(409, "La votación no está abierta", "POST", mp+"/close", nil)
	ana.must(200, "GET", mp, nil, &m)
	if m.Status != motions.Passed || m.Decision.Outcome == nil || m.Decision.Outcome.Result != "passed" {
		t.Fatalf("decision in GET: %+v", m)
	}
	ana.must(200, "GET", cp+"/motions?status=closed", nil, &page)
	if len(page.Motions) != 1 {
		t.Fatalf("closed motions: %+v", page.Motions)
	}

	// Publishing: secretaries and facilitators, once; anyone reads it.
	juan.refused(403, "No tienes permiso", "POST", mp+"/publication", nil)
	var pub motions.Motion
	res = rosa.must(201, "POST", mp+"/publication", nil, &pub)
	if res.header.Get("Location") != "/api/v1/communiques/"+itoa(m.ID) || pub.PublishedAt.IsZero() {
		t.Fatalf("publication: %s %s", res.header.Get("Location"), res.body)
	}
	rosa.refused(409, "ya está publicada", "POST", mp+"/publication", nil)
	anyone := e.client()
	res = anyone.must(200, "GET", "/communiques/"+itoa(m.ID), nil, &pub)
	if pub.Title != "Paro de 48 horas" || pub.Status != motions.Passed || pub.Decision == nil || pub.BodyName != "Comité de Lucha de Juliaca" {
		t.Fatalf("public communiqué: %s", res.body)
	}
	if strings.Contains(res.body, "Juan") || strings.Contains(res.body, "proposer") {
		t.Fatalf("the communiqué names who proposed it:\n%s", res.body)
	}
	var list struct{ Communiques []motions.Motion }
	anyone.must(200, "GET", "/communiques", nil, &list)
	if len(list.Communiques) != 1 || list.Communiques[0].ID != m.ID {
		t.Fatalf("communiqués: %+v", list)
	}
	anyone.must(200, "GET", cp+"/communiques?limit=5", nil, &list)
	if len(list.Communiques) != 1 {
		t.Fatalf("the body's communiqués: %+v", list)
	}
	anyone.refused(404, "No encontramos ese comunicado", "GET", "/communiques/999", nil)

	// A withdrawn motion: its proposer may; it is then closed.
	var m2 motions.Motion
	ana.must(201, "POST", cp+"/motions", motions.Input{Title: "Olla común", Text: "Cada sábado.", Draft: true}, &m2)
	juan.refused(404, "No encontramos esa moción", "GET", "/motions/"+itoa(m2.ID), nil)
	ana.must(200, "PUT", "/motions/"+itoa(m2.ID), motions.Input{Title: "Olla común", Text: "Cada sábado y domingo."}, &m2)
	ana.must(200, "POST", "/motions/"+itoa(m2.ID)+"/status", map[string]string{"status": "discussion"}, &m2)
	juan.refused(403, "Solo quien propuso", "PUT", "/motions/"+itoa(m2.ID), motions.Input{Title: "Olla", Text: "No."})
	ana.must(200, "POST", "/motions/"+itoa(m2.ID)+"/status", map[string]string{"status": "withdrawn"}, &m2)
	if m2.Status != motions.Withdrawn || m2.Text != "Cada sábado y domingo." {
		t.Fatalf("withdrawn: %+v", m2)
	}
	ana.refused(409, "no puede pasar", "POST", "/motions/"+itoa(m2.ID)+"/status", map[string]string{"status": "discussion"})
	rosa.refused(409, "Solo se publica una moción ya decidida", "POST", "/motions/"+itoa(m2.ID)+"/publication", nil)
	if _, err := e.db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
}

// TestAPIMotionReferral: an assembly refers a motion to its two bases; each
// base votes, the assembly sees the aggregation grow, its vote opens by
// itself, one delegate votes against the instruction of his base, and the
// base sees the deviation and his compliance rate.
func TestAPIMotionReferral(t *testing.T) {
	e := newEnv(t)
	rosa, juan, ana, carmen, edwin := e.client(), e.client(), e.client(), e.client(), e.client()
	rosa.apiAccount("Rosa")
	juanID := juan.apiAccount("Juan")
	ana.apiAccount("Ana")
	carmen.apiAccount("Carmen")
	edwinID := edwin.apiAccount("Edwin")
	c1 := apiCommittee(t, rosa, "Comité de Juliaca", "211101", juan, ana)
	c2 := apiCommittee(t, carmen, "Comité de Arequipa", "040101", edwin)

	var asm struct{ ID int64 }
	rosa.must(201, "POST", "/assemblies", map[string]any{"name": "Asamblea Macroregional Sur", "sector": "other", "place": "210000", "level": "regional",
		"seat_rule": map[string]any{"mode": "fixed", "fixed": 1}, "founders": []int64{c1}, "public": true}, &asm)
	ap := "/bodies/" + itoa(asm.ID)
	var aff struct{ ID int64 }
	carmen.must(201, "POST", "/bodies/"+itoa(c2)+"/affiliations", map[string]any{"assembly": asm.ID}, &aff)
	rosa.must(204, "POST", ap+"/affiliations/"+itoa(aff.ID)+"/decision", map[string]any{"accept": true}, nil)

	// Each base elects its delegate: Juan for Juliaca, Edwin for Arequipa.
	elect := func(facilitator *client, body int64, candidate *client, id int64, voters ...*client) {
		t.Helper()
		var el struct{ ID int64 }
		facilitator.must(201, "POST", "/bodies/"+itoa(body)+"/elections", map[string]any{"assembly": asm.ID, "hours": 24}, &el)
		candidate.must(204, "POST", "/elections/"+itoa(el.ID)+"/candidacy", map[string]string{"statement": "Por la constituyente"}, nil)
		for _, v := range voters {
			v.must(204, "POST", "/elections/"+itoa(el.ID)+"/ballot", map[string]any{"ranking": []int64{id}}, nil)
		}
	}
	elect(rosa, c1, juan, juanID, rosa, juan, ana)
	elect(carmen, c2, edwin, edwinID, carmen, edwin)

	var m motions.Motion
	rosa.must(201, "POST", ap+"/motions", motions.Input{Title: "¿Huelga general indefinida desde el 4 de enero?", Text: "Consulta a las bases."}, &m)
	mp := "/motions/" + itoa(m.ID)
	juan.refused(403, "No tienes permiso", "POST", mp+"/referral", map[string]int{"hours": 24})
	rosa.refused(422, `"field":"hours"`, "POST", mp+"/referral", map[string]int{"hours": 0})
	var ref motions.Referral
	res := rosa.must(201, "POST", mp+"/referral", map[string]int{"hours": 24}, &ref)
	if ref.Committees != 2 || ref.Members != 5 || res.header.Get("Location") != "/api/v1/referrals/"+itoa(ref.ID) {
		t.Fatalf("referral: %s %+v", res.header.Get("Location"), ref)
	}
	rosa.refused(409, "ya fue consultada", "POST", mp+"/referral", map[string]int{"hours": 24})

	// Each base votes on its own copy, which closes when all have voted.
	copyOf := func(c *client, body int64) string {
		t.Helper()
		var page struct{ Motions []motions.Motion }
		c.must(200, "GET", "/bodies/"+itoa(body)+"/motions?status=open", nil, &page)
		if len(page.Motions) != 1 || page.Motions[0].ReferralID != ref.ID || page.Motions[0].Status != motions.Voting {
			t.Fatalf("the base's copy: %+v", page.Motions)
		}
		var got motions.Referral
		c.must(200, "GET", "/motions/"+itoa(page.Motions[0].ID)+"/referral", nil, &got)
		if got.ID != ref.ID || got.MotionID != m.ID {
			t.Fatalf("referral of the copy: %+v", got)
		}
		return "/motions/" + itoa(page.Motions[0].ID)
	}
	cp1 := copyOf(ana, c1)
	for _, c := range []*client{rosa, juan, ana} {
		c.must(204, "POST", cp1+"/ballot", map[string]string{"choice": "yes"}, nil)
	}
	var agg motions.Aggregation
	rosa.must(200, "GET", "/referrals/"+itoa(ref.ID), nil, &agg)
	if agg.Decided != 1 || agg.Pending != 1 || agg.PendingMembers != 2 || len(agg.Choices) != 3 ||
		agg.Choices[0].Choice != "yes" || agg.Choices[0].Committees != 1 || agg.Choices[0].Members != 3 {
		t.Fatalf("aggregation after Juliaca: %+v", agg)
	}
	if len(agg.Departments) != 1 || agg.Departments[0].Department != "21" {
		t.Fatalf("aggregation by department: %+v", agg.Departments)
	}
	rosa.must(200, "GET", mp, nil, &m)
	if m.Status != motions.Discussion {
		t.Fatalf("the assembly votes before every base decided: %s", m.Status)
	}
	cp2 := copyOf(edwin, c2)
	for _, c := range []*client{carmen, edwin} {
		c.must(204, "POST", cp2+"/ballot", map[string]string{"choice": "yes"}, nil)
	}
	rosa.must(200, "GET", "/referrals/"+itoa(ref.ID), nil, &agg)
	if agg.Decided != 2 || agg.Pending != 0 || agg.Choices[0].Members != 5 || len(agg.Departments) != 2 {
		t.Fatalf("aggregation after both bases: %+v", agg)
	}
	var bases struct{ Bases []motions.Instruction }
	rosa.must(200, "GET", mp+"/bases", nil, &bases)
	if len(bases.Bases) != 2 || bases.Bases[0].Choice != "yes" || bases.Bases[1].Choice != "yes" {
		t.Fatalf("bases: %+v", bases)
	}
	var instr struct{ Instructions []motions.Instruction }
	ana.must(200, "GET", "/bodies/"+itoa(c1)+"/instructions", nil, &instr)
	if len(instr.Instructions) != 1 || instr.Instructions[0].MotionID != m.ID || instr.Instructions[0].Choice != "yes" {
		t.Fatalf("instructions: %+v", instr)
	}

	// The assembly's vote opened by itself; Juan votes against his
	// instruction, Edwin follows his.
	juan.must(200, "GET", mp, nil, &m)
	if m.Status != motions.Voting || m.Instruction != "yes" {
		t.Fatalf("the assembly's motion for Juan: %+v", m)
	}
	var seats struct {
		Seats []struct{ Instruction string }
	}
	juan.must(200, "GET", mp+"/seats", nil, &seats)
	if len(seats.Seats) != 1 || seats.Seats[0].Instruction != "yes" {
		t.Fatalf("Juan's seats: %+v", seats)
	}
	ana.refused(403, "No tienes permiso", "POST", mp+"/ballot", map[string]string{"choice": "yes"})
	juan.refused(422, `"field":"seat"`, "POST", mp+"/ballot", map[string]any{"choice": "no", "seat": 999})
	juan.must(204, "POST", mp+"/ballot", map[string]string{"choice": "no"}, nil)
	juan.refused(409, "Ya votaste", "POST", mp+"/ballot", map[string]string{"choice": "yes"})
	edwin.must(204, "POST", mp+"/ballot", map[string]string{"choice": "yes"}, nil)
	var votes struct{ Votes []motions.DelegateVote }
	rosa.must(200, "GET", mp+"/votes", nil, &votes)
	if len(votes.Votes) != 2 {
		t.Fatalf("the assembly's votes: %+v", votes)
	}
	rosa.must(200, "GET", mp, nil, &m)
	if motions.Open(m.Status) || m.Decision == nil {
		t.Fatalf("the assembly's motion after every seat voted: %+v", m)
	}

	// Juliaca sees Juan's deviation and his compliance; Arequipa sees
	// Edwin's record.
	ana.must(200, "GET", "/bodies/"+itoa(c1)+"/record?deviations=1", nil, &votes)
	if len(votes.Votes) != 1 || votes.Votes[0].Name != "Juan" || !votes.Votes[0].Deviates || votes.Votes[0].Choice != "no" || votes.Votes[0].Instruction != "yes" {
		t.Fatalf("Juliaca's deviations: %+v", votes)
	}
	ana.must(200, "GET", "/bodies/"+itoa(c1)+"/record", nil, &votes)
	if len(votes.Votes) != 1 {
		t.Fatalf("Juliaca's record: %+v", votes)
	}
	carmen.must(200, "GET", "/bodies/"+itoa(c2)+"/record?deviations=true", nil, &votes)
	if len(votes.Votes) != 0 {
		t.Fatalf("Arequipa's deviations: %+v", votes)
	}
	ana.refused(422, `"field":"deviations"`, "GET", "/bodies/"+itoa(c1)+"/record?deviations=maybe", nil)
	var comp struct{ Compliance []motions.Compliance }
	ana.must(200, "GET", "/bodies/"+itoa(c1)+"/compliance", nil, &comp)
	if len(comp.Compliance) != 1 || comp.Compliance[0].Name != "Juan" || comp.Compliance[0].Instructed != 1 || comp.Compliance[0].Followed != 0 || comp.Compliance[0].Rate != 0 {
		t.Fatalf("Juan's compliance: %+v", comp)
	}
	carmen.must(200, "GET", "/bodies/"+itoa(c2)+"/compliance", nil, &comp)
	if len(comp.Compliance) != 1 || comp.Compliance[0].Rate != 100 {
		t.Fatalf("Edwin's compliance: %+v", comp)
	}
	carmen.refused(403, "No tienes permiso", "GET", "/bodies/"+itoa(c1)+"/compliance", nil)
	if _, err := e.db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
}

// TestAPIMotionValidation: bad input is refused with the field at fault,
// and nothing is saved.
func TestAPIMotionValidation(t *testing.T) {
	e := newEnv(t)
	rosa := e.client()
	rosa.apiAccount("Rosa")
	c := apiCommittee(t, rosa, "Comité de Ilave", "210501")
	cp := "/bodies/" + itoa(c)
	var m motions.Motion
	rosa.must(201, "POST", cp+"/motions", motions.Input{Title: "Marcha a Puno", Text: "El lunes."}, &m)
	mp := "/motions/" + itoa(m.ID)
	before := journalLen(t, e.db)

	raw := func(method, path, body string) func() response {
		return func() response {
			return rosa.do(method, "/api/v1"+path, strings.NewReader(body), map[string]string{"Content-Type": "application/json", "X-CSRF-Token": rosa.csrf})
		}
	}
	call := func(method, path string, v any) func() response {
		return func() response { return rosa.api(method, path, v) }
	}
	cases := []struct {
		name   string
		do     func() response
		status int
		field  string
		msg    string
	}{
		{"title too short", call("POST", cp+"/motions", map[string]any{"title": "x", "text": "y"}), 422, "title", "al menos 3"},
		{"no text", call("POST", cp+"/motions", map[string]any{"title": "Marcha"}), 422, "text", "obligatorio"},
		{"unknown field", raw("POST", cp+"/motions", `{"title":"Marcha","text":"y","admin":true}`), 422, "admin", `unknown field \"admin\"`},
		{"title a number", raw("POST", cp+"/motions", `{"title":5,"text":"y"}`), 422, "title", "must be a string"},
		{"options not a list", raw("POST", cp+"/motions", `{"title":"Marcha","text":"y","options":"a,b"}`), 422, "options", "must be a list"},
		{"unknown rule", call("POST", cp+"/motions", map[string]any{"title": "Marcha", "text": "y", "rule": "dictadura"}), 422, "rule", "dictadura"},
		{"one option", call("POST", cp+"/motions", map[string]any{"title": "Marcha", "text": "y", "rule": "plurality", "options": []string{"a"}}), 422, "options", "al menos dos"},
		{"not JSON", raw("POST", cp+"/motions", `{"title":`), 422, "", "no es JSON válido"},
		{"an array", raw("POST", cp+"/motions", `[1]`), 422, "", "must be a JSON object"},
		{"form body", func() response {
			return rosa.do("POST", "/api/v1"+cp+"/motions", strings.NewReader("title=x"), map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": rosa.csrf})
		}, 422, "", "Content-Type"},
		{"no CSRF token", func() response {
			return rosa.do("POST", "/api/v1"+cp+"/motions", strings.NewReader(`{"title":"Marcha","text":"y"}`), map[string]string{"Content-Type": "application/json"})
		}, 403, "", "caducó"},
		{"bad status filter", call("GET", cp+"/motions?status=all", nil), 422, "status", "all"},
		{"bad before", call("GET", cp+"/motions?before=abc", nil), 422, "before", "Debe ser un número"},
		{"bad limit", call("GET", cp+"/motions?limit=1000", nil), 422, "limit", "entre 1 y 200"},
		{"malformed motion id", call("GET", "/motions/abc", nil), 404, "", "No encontramos"},
		{"no such motion", call("GET", "/motions/99999", nil), 404, "", "No encontramos esa moción"},
		{"no status", call("POST", mp+"/status", map[string]any{"hours": 24}), 422, "status", "obligatorio"},
		{"unknown status", call("POST", mp+"/status", map[string]any{"status": "passed"}), 422, "status", "passed"},
		{"hours not a number", raw("POST", mp+"/status", `{"status":"voting","hours":"24"}`), 422, "hours", "must be a whole number"},
		{"hours out of range", call("POST", mp+"/status", map[string]any{"status": "voting", "hours": 5000}), 422, "hours", "entre 1 y 720"},
		{"vote not open", call("POST", mp+"/ballot", map[string]any{"choice": "yes"}), 409, "", "no está abierta"},
		{"seat not a number", raw("POST", mp+"/ballot", `{"choice":"yes","seat":"x"}`), 422, "seat", "must be a whole number"},
		{"ranking of words", raw("POST", mp+"/ballot", `{"ranking":["a"]}`), 422, "ranking", "must be"},
		{"empty comment", call("POST", mp+"/comments", map[string]any{"text": " "}), 422, "text", ""},
		{"amendment unchanged", call("POST", mp+"/amendments", map[string]any{"text": "El lunes."}), 422, "text", "deja el texto igual"},
		{"no action", call("POST", "/amendments/1/decision", map[string]any{}), 422, "action", "obligatorio"},
		{"no such amendment", call("POST", "/amendments/1/decision", map[string]any{"action": "accept"}), 404, "", "No encontramos esa enmienda"},
		{"referral of a committee's motion", call("POST", mp+"/referral", map[string]any{"hours": 24}), 409, "", "Solo una asamblea"},
		{"referral hours a string", raw("POST", mp+"/referral", `{"hours":"x"}`), 422, "hours", "must be a whole number"},
		{"no such referral", call("GET", "/referrals/12345", nil), 404, "", "No encontramos esa consulta"},
		{"not yet referred", call("GET", mp+"/referral", nil), 404, "", "No encontramos esa consulta"},
		{"bad communiqué limit", call("GET", "/communiques?limit=0", nil), 422, "limit", "entre 1 y 100"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.do()
			var out struct {
				Error struct{ Code, Message, Field string }
			}
			json.Unmarshal([]byte(res.body), &out)
			if res.status != tc.status || out.Error.Field != tc.field || !strings.Contains(res.body, tc.msg) {
				t.Fatalf("got %d %s; want %d, field %q, %q", res.status, res.body, tc.status, tc.field, tc.msg)
			}
		})
	}
	if after := journalLen(t, e.db); after != before {
		t.Fatalf("refused requests changed the journal: %d → %d entries", before, after)
	}
	rosa.must(200, "GET", mp, nil, &m)
	if m.Status != motions.Discussion || m.Text != "El lunes." {
		t.Fatalf("the motion after refused requests: %+v", m)
	}
}

// TestAPIMotionMeeting: a committee decides a motion by a show of hands in
// the plaza; the record waits for a second member, shows among what awaits
// them, and once confirmed decides the motion. The decision goes up to the
// assembly as an initiative that two other bases endorse into its agenda.
func TestAPIMotionMeeting(t *testing.T) {
	e := newEnv(t)
	rosa, juan, ana, carmen, edwin := e.client(), e.client(), e.client(), e.client(), e.client()
	rosa.apiAccount("Rosa")
	juan.apiAccount("Juan")
	ana.apiAccount("Ana")
	carmen.apiAccount("Carmen")
	edwin.apiAccount("Edwin")
	c1 := apiCommittee(t, rosa, "Comité de Juliaca", "211101", juan, ana)
	cp := "/bodies/" + itoa(c1)
	var m, other motions.Motion
	ana.must(201, "POST", cp+"/motions", motions.Input{Title: "Bloqueo del puente", Text: "Desde el lunes, con rondas."}, &m)
	ana.must(201, "POST", cp+"/motions", motions.Input{Title: "Colecta", Text: "Para los detenidos."}, &other)
	rosa.must(200, "POST", "/motions/"+itoa(other.ID)+"/status", map[string]any{"status": "voting", "hours": 24}, nil)

	today := time.Now().In(time.FixedZone("PET", -5*3600)).Format("2006-01-02")
	rec := func(hands map[string]any) map[string]any {
		return map[string]any{"held_on": today, "place": "Plaza de Armas", "attendance": 3, "notes": "Asamblea abierta",
			"decisions": []map[string]any{{"motion_id": m.ID, "hands": hands}}}
	}
	juan.refused(403, "No tienes permiso", "POST", cp+"/meetings", rec(map[string]any{"yes": 2, "no": 1}))
	rosa.refused(422, `"field":"decisions[0].hands"`, "POST", cp+"/meetings", rec(map[string]any{"yes": 3, "no": 2}))
	rosa.refused(422, `"field":"attendance"`, "POST", cp+"/meetings", map[string]any{"held_on": today, "place": "Plaza", "attendance": 9,
		"decisions": []map[string]any{{"motion_id": m.ID, "hands": map[string]any{"yes": 1}}}})
	rosa.refused(422, `"field":"held_on"`, "POST", cp+"/meetings", map[string]any{"held_on": "4 de enero", "place": "Plaza", "attendance": 3,
		"decisions": []map[string]any{{"motion_id": m.ID, "hands": map[string]any{"yes": 1}}}})
	rosa.refused(422, `"field":"decisions.hands.yes"`, "POST", cp+"/meetings", rec(map[string]any{"yes": "dos"}))
	var g motions.Meeting
	res := rosa.must(201, "POST", cp+"/meetings", rec(map[string]any{"yes": 2, "no": 1}), &g)
	gp := "/meetings/" + itoa(g.ID)
	if g.Status != motions.MeetingPending || len(g.Decisions) != 1 || g.Recorder != "Rosa" || res.header.Get("Location") != "/api/v1"+gp {
		t.Fatalf("recorded meeting: %s %+v", res.header.Get("Location"), g)
	}
	juan.must(200, "GET", "/motions/"+itoa(m.ID), nil, &m)
	if m.Status != motions.Recorded {
		t.Fatalf("motion waiting for the confirmation: %s", m.Status)
	}

	// What awaits Juan: the other motion's vote and the record to confirm.
	var aw struct{ Awaiting []motions.Awaiting }
	juan.must(200, "GET", "/me/awaiting", nil, &aw)
	kinds := map[string]int64{}
	for _, a := range aw.Awaiting {
		kinds[a.Kind] = a.ID
	}
	if kinds[motions.AwaitConfirmation] != g.ID || kinds[motions.AwaitVote] != other.ID {
		t.Fatalf("what awaits Juan: %+v", aw)
	}
	if res := e.client().api("GET", "/me/awaiting", nil); res.status != 401 {
		t.Fatalf("awaiting without signing in: %d", res.status)
	}

	rosa.refused(403, "", "POST", gp+"/confirmation", nil)
	juan.must(200, "POST", gp+"/confirmation", nil, &g)
	if g.Status != motions.MeetingConfirmed || g.Confirmer != "Juan" {
		t.Fatalf("confirmed meeting: %+v", g)
	}
	ana.refused(409, "", "POST", gp+"/confirmation", nil)
	ana.must(200, "GET", "/motions/"+itoa(m.ID), nil, &m)
	if m.Status != motions.Passed || m.Mode != motions.InMeeting || m.MeetingID != g.ID || m.DecidedOn != today {
		t.Fatalf("motion decided in the meeting: %+v", m)
	}
	var gs struct{ Meetings []motions.Meeting }
	ana.must(200, "GET", cp+"/meetings", nil, &gs)
	if len(gs.Meetings) != 1 || gs.Meetings[0].ID != g.ID || len(gs.Meetings[0].Decisions) != 1 || gs.Meetings[0].Decisions[0].Title != "Bloqueo del puente" {
		t.Fatalf("meetings: %+v", gs)
	}
	intrusa := e.client()
	intrusa.apiAccount("Intrusa")
	intrusa.refused(403, "", "GET", gp, nil)

	// Up to the assembly, where two other bases endorse it.
	c2 := apiCommittee(t, carmen, "Comité de Arequipa", "040101")
	c3 := apiCommittee(t, edwin, "Comité de Cusco", "080101")
	var asm struct{ ID int64 }
	rosa.must(201, "POST", "/assemblies", map[string]any{"name": "Asamblea Macroregional Sur", "sector": "other", "place": "210000", "level": "regional",
		"seat_rule": map[string]any{"mode": "fixed", "fixed": 1}, "founders": []int64{c1}, "public": true}, &asm)
	ap := "/bodies/" + itoa(asm.ID)
	for _, b := range []struct {
		c  *client
		id int64
	}{{carmen, c2}, {edwin, c3}} {
		var aff struct{ ID int64 }
		b.c.must(201, "POST", "/bodies/"+itoa(b.id)+"/affiliations", map[string]any{"assembly": asm.ID}, &aff)
		rosa.must(204, "POST", ap+"/affiliations/"+itoa(aff.ID)+"/decision", map[string]any{"accept": true}, nil)
	}
	mi := "/motions/" + itoa(m.ID) + "/initiatives"
	ana.refused(403, "No tienes permiso", "POST", mi, map[string]any{"assembly": asm.ID})
	rosa.refused(422, `"field":"assembly"`, "POST", mi, map[string]any{})
	rosa.refused(422, `"field":"assembly"`, "POST", mi, map[string]any{"assembly": c2})
	var ini motions.Initiative
	rosa.must(201, "POST", mi, map[string]any{"assembly": asm.ID}, &ini)
	if ini.Status != motions.InitiativeOpen || ini.Supporters != 1 || ini.AssemblyID != asm.ID {
		t.Fatalf("initiative: %+v", ini)
	}
	rosa.refused(409, "", "POST", mi, map[string]any{"assembly": asm.ID})
	ip := "/initiatives/" + itoa(ini.ID) + "/endorsements"
	rosa.refused(409, "", "POST", ip, map[string]any{"body": c1})
	carmen.refused(422, `"field":"body"`, "POST", ip, map[string]any{"body": "Arequipa"})
	carmen.must(204, "POST", ip, map[string]any{"body": c2}, nil)
	carmen.refused(409, "", "POST", ip, map[string]any{"body": c2})
	edwin.must(204, "POST", ip, map[string]any{"body": c3}, nil)
	var inis struct{ Initiatives []motions.Initiative }
	rosa.must(200, "GET", ap+"/initiatives", nil, &inis)
	if len(inis.Initiatives) != 1 || inis.Initiatives[0].Status != motions.InitiativeAdmitted || inis.Initiatives[0].Supporters != 3 ||
		inis.Initiatives[0].AgendaID == 0 || len(inis.Initiatives[0].Endorsers) != 2 {
		t.Fatalf("initiatives of the assembly: %+v", inis)
	}
	var agenda motions.Motion
	rosa.must(200, "GET", "/motions/"+itoa(inis.Initiatives[0].AgendaID), nil, &agenda)
	if agenda.BodyID != asm.ID || agenda.Status != motions.Discussion || agenda.InitiativeID != ini.ID {
		t.Fatalf("the initiative on the agenda: %+v", agenda)
	}
	if _, err := e.db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
}
