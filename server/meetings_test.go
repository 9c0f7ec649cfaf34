package server_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"asamblea/bodies"
	"asamblea/federation"
	"asamblea/i18n"
	"asamblea/motions"
	"asamblea/store"
)

// meetingUser returns the id of the account named name.
func meetingUser(t *testing.T, e *env, name string) int64 {
	t.Helper()
	u, err := e.db.UserByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// TestMeetingPages: a facilitator records a plaza meeting through the
// form (bad input comes back with everything written and the error beside
// its motion), cannot confirm her own record, another member finds it in
// what awaits him and confirms it, and the motion is decided "in a
// meeting" on its date.
func TestMeetingPages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rosa, juan, ana := e.client(), e.client(), e.client()
	rosa.signup("Rosa")
	juan.signup("Juan")
	ana.signup("Ana")
	rosa.post("/bodies/new", "/bodies", url.Values{"name": {"Comité de Lucha de Ayaviri"}, "sector": {"campesinos"}, "place_q": {"211101"}, "public": {"on"}})
	res := rosa.post("/bodies/1/invitations", "/bodies/1/invitations", url.Values{"max_uses": {"3"}, "days": {"1"}})
	code := regexp.MustCompile(`id="invite-code">([A-Z0-9-]+)<`).FindStringSubmatch(res.body)[1]
	for _, c := range []*client{juan, ana} {
		c.post("/join", "/join", url.Values{"code": {code}})
	}
	m, err := e.db.CreateMotion(ctx, meetingUser(t, e, "Rosa"), 1, motions.Input{Title: "Paro de 72 horas", Text: "Que el comité se sume al paro."})
	if err != nil {
		t.Fatal(err)
	}
	mid := itoa(m.ID)
	route, err := e.db.CreateMotion(ctx, meetingUser(t, e, "Rosa"), 1, motions.Input{Title: "Ruta de la marcha", Text: "¿Por dónde marchamos?",
		Options: []string{"Por la carretera", "Por el centro"}, Rule: "plurality"})
	if err != nil {
		t.Fatal(err)
	}
	rid := itoa(route.ID)

	if p := ana.get("/bodies/1"); !strings.Contains(p.body, `href="/bodies/1/meetings"`) || !strings.Contains(p.body, `href="/bodies/1/initiatives"`) {
		t.Fatal("the body page does not link to its meetings and initiatives")
	}
	page := rosa.get("/bodies/1/meetings")
	if page.status != 200 || !strings.Contains(page.body, `name="m`+mid+`_yes"`) || !strings.Contains(page.body, `<label for="m`+rid+`_1">Por el centro</label>`) {
		t.Fatalf("meetings page:\n%s", page.body)
	}
	lima := time.FixedZone("PET", -5*3600)
	yesterday := time.Now().In(lima).AddDate(0, 0, -1)
	form := url.Values{"held_on": {yesterday.Format(time.DateOnly)}, "place": {"Plaza de Armas de Ayaviri"}, "attendance": {"3"},
		"notes": {"Se votó a mano alzada."}, "motion": {mid, rid}, "m" + mid + "_yes": {"3"}, "m" + mid + "_no": {"1"},
		"m" + rid + "_0": {"1"}, "m" + rid + "_1": {"2"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	before := journalLen(t, e.db)
	res = rosa.post("/bodies/1/meetings", "/bodies/1/meetings", bad)
	if res.status != 422 || !strings.Contains(res.body, "Hay más manos que asistentes (3)") ||
		!strings.Contains(res.body, `value="Plaza de Armas de Ayaviri"`) || !strings.Contains(res.body, `name="m`+mid+`_no" type="number" min="0" inputmode="numeric" value="1"`) ||
		!strings.Contains(res.body, "Se votó a mano alzada.") {
		t.Fatalf("hands over attendance: %d\n%s", res.status, res.body)
	}
	bad.Set("m"+mid+"_no", "uno")
	if res := rosa.post("/bodies/1/meetings", "/bodies/1/meetings", bad); res.status != 422 || !strings.Contains(res.body, "Escribe un número entero") {
		t.Fatalf("a count in letters: %d", res.status)
	}
	bad.Set("m"+mid+"_no", "0")
	bad.Set("held_on", time.Now().In(lima).AddDate(0, 0, 3).Format(time.DateOnly))
	if res := rosa.post("/bodies/1/meetings", "/bodies/1/meetings", bad); res.status != 422 || !strings.Contains(res.body, "no puede ser futura") {
		t.Fatalf("a meeting in the future: %d", res.status)
	}
	if res := ana.post("/bodies/1/meetings", "/bodies/1/meetings", form); res.status != 403 {
		t.Fatalf("a member records a meeting: %d", res.status)
	}
	if after := journalLen(t, e.db); after != before {
		t.Fatalf("refused records wrote %d journal entries", after-before)
	}

	form.Set("m"+mid+"_no", "0")
	res = rosa.post("/bodies/1/meetings", "/bodies/1/meetings", form)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/meetings/") {
		t.Fatalf("record: %d %s", res.status, res.body)
	}
	meeting := strings.SplitN(res.header.Get("Location"), "?", 2)[0]
	day := i18n.MustLoad().Localizer("es").Date(time.Date(yesterday.Year(), yesterday.Month(), yesterday.Day(), 12, 0, 0, 0, time.UTC))
	page = rosa.get(res.header.Get("Location"))
	for _, want := range []string{"Acta registrada", "por confirmar", "Reunión de Comité de Lucha de Ayaviri del " + day, "A favor: 3", "Registraste esta acta"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("recorded meeting lacks %q", want)
		}
	}
	if strings.Contains(page.body, meeting+"/confirm") {
		t.Error("the recorder is offered to confirm")
	}
	// Posting anyway is refused, on the page, with the reason.
	if res := rosa.post(meeting, meeting+"/confirm", url.Values{}); res.status != 403 || !strings.Contains(res.body, "No puedes confirmar un acta que registraste tú") {
		t.Fatalf("own confirmation: %d", res.status)
	}

	// Juan finds it in what awaits him, from the navigation.
	if p := juan.get("/"); !strings.Contains(p.body, `<a href="/awaiting">Pendientes</a>`) {
		t.Fatal("no link to what awaits in the navigation")
	}
	aw := juan.get("/awaiting")
	if !strings.Contains(aw.body, "Acta por confirmar") || !strings.Contains(aw.body, `href="`+meeting+`"`) || !strings.Contains(aw.body, "Reunión en Plaza de Armas de Ayaviri") {
		t.Fatalf("awaiting:\n%s", aw.body)
	}
	res = juan.post(meeting, meeting+"/confirm", url.Values{})
	if res.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", res.status, res.body)
	}
	page = juan.get(res.header.Get("Location"))
	for _, want := range []string{"Acta confirmada", "Aprobada en la reunión del " + day, "Decidida: Por el centro en la reunión del " + day, "Por la carretera: 1 · Por el centro: 2", `href="/motions/` + mid + `"`, "confirmada por Juan"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("confirmed meeting lacks %q", want)
		}
	}
	if aw := juan.get("/awaiting"); strings.Contains(aw.body, meeting) || !strings.Contains(aw.body, "Nada espera") {
		t.Fatalf("awaiting after confirming:\n%s", aw.body)
	}
	if res := ana.post(meeting, meeting+"/confirm", url.Values{}); res.status != 409 || !strings.Contains(res.body, "ya fue confirmada") {
		t.Fatalf("second confirmation: %d", res.status)
	}
	// The motion's own page (web/motions.go) says so too.
	if mp := ana.get("/motions/" + mid); mp.status != 200 || !strings.Contains(mp.body, "reunión el "+day) || !strings.Contains(mp.body, `href="`+meeting+`"`) {
		t.Fatalf("motion page does not say it was decided in a meeting: %d\n%s", mp.status, mp.body)
	}
	got, err := e.db.Motion(ctx, meetingUser(t, e, "Ana"), m.ID)
	if err != nil || got.Status != motions.Passed || got.Mode != motions.InMeeting || got.DecidedOn != yesterday.Format(time.DateOnly) {
		t.Fatalf("motion after the meeting: %+v %v", got, err)
	}
	if p := ana.get("/bodies/1/meetings"); !strings.Contains(p.body, day+" · Plaza de Armas de Ayaviri") || strings.Contains(p.body, `action="/bodies/1/meetings"`) {
		t.Fatalf("meeting list for a member:\n%s", p.body)
	}
	outsider := e.client()
	outsider.signup("Intrusa")
	if res := outsider.get(meeting); res.status != 403 {
		t.Fatalf("an outsider sees the record: %d", res.status)
	}
	if res := e.client().get("/awaiting"); res.status != http.StatusSeeOther {
		t.Fatalf("awaiting without signing in: %d", res.status)
	}
	journalLen(t, e.db)
}

// TestInitiativePages: a committee sends its decision up to its assembly
// through the form, and the endorsements of two more bodies put it on the
// assembly's agenda.
func TestInitiativePages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rosa, juan := e.client(), e.client()
	rosa.signup("Rosa")
	juan.signup("Juan")
	rosaID := meetingUser(t, e, "Rosa")
	for _, name := range []string{"Comité de Juliaca", "Comité de Puno", "Comité de Lampa"} {
		rosa.post("/bodies/new", "/bodies", url.Values{"name": {name}, "sector": {"workers"}, "place_q": {"211101"}, "public": {"on"}})
	}
	a, err := e.db.CreateAssembly(ctx, rosaID, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea Regional de Puno", Sector: "other", Place: "210000", Public: true},
		Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 1}, Founders: []int64{1, 2, 3}}, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.db.CreateMotion(ctx, rosaID, 1, motions.Input{Title: "Asamblea constituyente", Text: "Exigimos una asamblea constituyente."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.MoveMotion(ctx, rosaID, m.ID, motions.Voting, 24); err != nil {
		t.Fatal(err)
	}
	send := "/motions/" + itoa(m.ID) + "/initiative"
	if res := rosa.get(send); res.status != 409 {
		t.Fatalf("send form for a motion under vote: %d", res.status)
	}
	if err := e.db.Vote(ctx, rosaID, m.ID, 0, motions.Ballot{Choice: "yes"}); err != nil {
		t.Fatal(err)
	}
	page := rosa.get(send)
	if page.status != 200 || !strings.Contains(page.body, `<option value="`+itoa(a.ID)+`">Asamblea Regional de Puno</option>`) {
		t.Fatalf("send form:\n%s", page.body)
	}
	if res := rosa.post(send, send, url.Values{"assembly": {"2"}}); res.status != 422 || !strings.Contains(res.body, "Elige una asamblea de la que forme parte") {
		t.Fatalf("send to a committee: %d\n%s", res.status, res.body)
	}
	if res := juan.post("/", send, url.Values{"assembly": {itoa(a.ID)}}); res.status != 403 {
		t.Fatalf("a stranger sends: %d", res.status)
	}
	res := rosa.post(send, send, url.Values{"assembly": {itoa(a.ID)}})
	list := "/bodies/" + itoa(a.ID) + "/initiatives"
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), list) {
		t.Fatalf("send: %d %s", res.status, res.body)
	}
	page = rosa.get(res.header.Get("Location"))
	for _, want := range []string{"Iniciativa enviada", "Asamblea constituyente", "1 de 3 respaldos", "reuniendo respaldos", `<option value="2">Comité de Puno</option>`} {
		if !strings.Contains(page.body, want) {
			t.Errorf("initiatives page lacks %q", want)
		}
	}
	if strings.Contains(page.body, `<option value="1">`) {
		t.Error("the sender is offered to endorse its own initiative")
	}
	endorse := regexp.MustCompile(`action="(/initiatives/\d+/endorse)"`).FindStringSubmatch(page.body)[1]
	if res := rosa.post(list, endorse, url.Values{"body": {"2"}, "assembly": {itoa(a.ID)}}); res.status != http.StatusSeeOther {
		t.Fatalf("endorse: %d %s", res.status, res.body)
	}
	if res := rosa.post(list, endorse, url.Values{"body": {"2"}, "assembly": {itoa(a.ID)}}); res.status != 409 || !strings.Contains(res.body, "Comité de Puno ya respaldó esta iniciativa") {
		t.Fatalf("endorse twice: %d", res.status)
	}
	if res := rosa.post(list, endorse, url.Values{"body": {"3"}, "assembly": {itoa(a.ID)}}); res.status != http.StatusSeeOther {
		t.Fatalf("third endorsement: %d %s", res.status, res.body)
	}
	page = rosa.get(list)
	agenda := regexp.MustCompile(`href="/motions/(\d+)">Ver la moción en la agenda`).FindStringSubmatch(page.body)
	if !strings.Contains(page.body, "en la agenda") || !strings.Contains(page.body, "3 de 3 respaldos") || agenda == nil || strings.Contains(page.body, endorse) {
		t.Fatalf("after the threshold:\n%s", page.body)
	}
	if p := rosa.get("/bodies/1/initiatives"); !strings.Contains(p.body, "Enviada a Asamblea Regional de Puno") {
		t.Fatalf("the sender's initiatives:\n%s", p.body)
	}
	if p := rosa.get(send); !strings.Contains(p.body, "Enviada a Asamblea Regional de Puno") || strings.Contains(p.body, `name="assembly"`) {
		t.Fatalf("send form once sent everywhere:\n%s", p.body)
	}
	journalLen(t, e.db)
}
