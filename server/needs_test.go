package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"asamblea/actions"
	"asamblea/bodies"
	"asamblea/federation"
	"asamblea/places"
	"asamblea/store"
)

// supplyAssembly founds, through the store, an assembly of the committees
// given, each facilitated by the person named beside it: the first founds
// it, the others are accepted into it.
func supplyAssembly(t *testing.T, e *env, facilitators []string, committees ...int64) int64 {
	t.Helper()
	ctx := context.Background()
	founder := meetingUser(t, e, facilitators[0])
	a, err := e.db.CreateAssembly(ctx, founder, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea Regional de Puno", Sector: "other", Place: "210000", Public: true},
		Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 1}, Founders: committees[:1]}, places.Peru().Valid)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range committees[1:] {
		aff, err := e.db.RequestAffiliation(ctx, meetingUser(t, e, facilitators[i+1]), c, a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.db.DecideAffiliation(ctx, founder, a.ID, aff.ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	return a.ID
}

// TestNeedsPages: a committee in Juliaca needs 500 litres of water; a
// committee in Puno offers 1,000 litres, one in Cusco 2,000; the need's
// page proposes Puno first, its secretary pledges 500 with the form on his
// offer, and Juliaca's secretary confirms it arrived: the need is met. A
// committee outside the assembly sees none of it.
func TestNeedsPages(t *testing.T) {
	e := newEnv(t)
	rosa, pedro, carla, ana := e.client(), e.client(), e.client(), e.client()
	for c, name := range map[*client]string{rosa: "Rosa", pedro: "Pedro", carla: "Carla", ana: "Ana"} {
		c.signup(name)
	}
	for _, x := range []struct {
		c           *client
		name, place string
	}{{rosa, "Comité de Lucha de Juliaca", "211101"}, {pedro, "Comité de Puno", "210101"}, {carla, "Comité del Cusco", "080101"}, {ana, "Comité de Ilave", "210501"}} {
		if res := x.c.post("/bodies/new", "/bodies", url.Values{"name": {x.name}, "sector": {"workers"}, "place_q": {x.place}, "public": {"on"}}); res.status != http.StatusSeeOther {
			t.Fatalf("committee %s: %d", x.name, res.status)
		}
	}
	asm := supplyAssembly(t, e, []string{"Rosa", "Pedro", "Carla"}, 1, 2, 3)

	page := rosa.get("/bodies/1/needs")
	if page.status != 200 || !strings.Contains(page.body, `id="need-kind"`) || !strings.Contains(page.body, `id="offer-kind"`) ||
		!strings.Contains(page.body, `value="Juliaca — San Román, Puno (211101)"`) {
		t.Fatalf("needs page:\n%s", page.body)
	}
	if p := ana.get("/bodies/1/needs"); p.status != http.StatusForbidden {
		t.Fatalf("an outsider sees the needs: %d", p.status)
	}

	// Bad input comes back with what was written and the error beside it.
	before := journalLen(t, e.db)
	form := url.Values{"kind": {"water"}, "quantity": {"0"}, "unit": {"litros"}, "place_q": {"juliaca"}, "description": {"Para la olla común del paro."}}
	res := rosa.post("/bodies/1/needs", "/bodies/1/needs", form)
	if res.status != 422 || !strings.Contains(res.body, "La cantidad debe ser un número entero entre 1 y 1000000") ||
		!strings.Contains(res.body, "Para la olla común del paro.") || !strings.Contains(res.body, `<details id="post-need" open>`) {
		t.Fatalf("quantity 0: %d\n%s", res.status, res.body)
	}
	form.Set("quantity", "500")
	form.Set("place_q", "San Juan")
	if res := rosa.post("/bodies/1/needs", "/bodies/1/needs", form); res.status != 422 || !strings.Contains(res.body, `name="place" value=`) {
		t.Fatalf("ambiguous place: %d", res.status)
	}
	form.Set("place_q", "juliaca")
	if res := pedro.post("/bodies/2/needs", "/bodies/1/needs", form); res.status != http.StatusForbidden {
		t.Fatalf("another body's facilitator posts a need: %d", res.status)
	}
	if journalLen(t, e.db) != before {
		t.Fatal("refused posts wrote to the journal")
	}
	res = rosa.post("/bodies/1/needs", "/bodies/1/needs", form)
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/needs/") {
		t.Fatalf("post need: %d\n%s", res.status, res.body)
	}
	needPath := strings.SplitN(res.header.Get("Location"), "?", 2)[0]
	if p := rosa.get(res.header.Get("Location")); !strings.Contains(p.body, "Necesidad publicada") || !strings.Contains(p.body, "Ninguna organización de la federación ofrece esto") {
		t.Fatalf("posted need:\n%s", p.body)
	}

	for _, x := range []struct {
		c           *client
		body, place string
		qty         string
	}{{pedro, "2", "210101", "1000"}, {carla, "3", "080101", "2000"}, {ana, "4", "210501", "5000"}} {
		res := x.c.post("/bodies/"+x.body+"/needs", "/bodies/"+x.body+"/offers", url.Values{"kind": {"water"}, "quantity": {x.qty}, "unit": {"litros"}, "place_q": {x.place}})
		if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/offers/") {
			t.Fatalf("offer of %s: %d\n%s", x.body, res.status, res.body)
		}
	}

	// Pedro sees Puno proposed first, with a form on his own offer only.
	page = pedro.get(needPath)
	puno, cusco := strings.Index(page.body, "Comité de Puno"), strings.Index(page.body, "Comité del Cusco")
	if page.status != 200 || puno < 0 || cusco < puno || strings.Contains(page.body, "Comité de Ilave") ||
		!strings.Contains(page.body, "a 41 km") || !strings.Contains(page.body, "a 295 km") {
		t.Fatalf("matches:\n%s", page.body)
	}
	if !strings.Contains(page.body, `action="/offers/1/pledges"`) || strings.Contains(page.body, `action="/offers/2/pledges"`) || !strings.Contains(page.body, "Comprometer 500") {
		t.Fatal("the pledge form is not on Pedro's offer alone")
	}
	if p := ana.get(needPath); p.status != http.StatusNotFound {
		t.Fatalf("an outsider sees the need: %d", p.status)
	}
	if res := pedro.post(needPath, "/offers/1/pledges", url.Values{"need_id": {"1"}, "quantity": {"600"}}); res.status != 422 ||
		!strings.Contains(res.body, "A la necesidad solo le faltan 500") || !strings.Contains(res.body, `value="600"`) {
		t.Fatalf("pledge over the need: %d\n%s", res.status, res.body)
	}
	res = pedro.post(needPath, "/offers/1/pledges", url.Values{"need_id": {"1"}, "quantity": {"500"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != needPath+"?done=pledged" {
		t.Fatalf("pledge: %d %s", res.status, res.body)
	}
	if p := pedro.get(needPath); strings.Contains(p.body, `action="/pledges/1/arrived"`) || !strings.Contains(p.body, `action="/pledges/1/cancel"`) {
		t.Fatal("the offering side is offered to confirm, or not to cancel")
	}
	if res := pedro.post(needPath, "/pledges/1/arrived", url.Values{"need_id": {"1"}}); res.status != http.StatusForbidden {
		t.Fatalf("the offering side confirms: %d", res.status)
	}

	// Rosa was told, and confirms.
	if p := rosa.get("/notices"); !strings.Contains(p.body, "Comité de Puno se comprometió a enviar 500 litros") {
		t.Fatalf("notices:\n%s", p.body)
	}
	page = rosa.get(needPath)
	if !strings.Contains(page.body, "En camino") || !strings.Contains(page.body, `action="/pledges/1/arrived"`) || !strings.Contains(page.body, "Ya está todo comprometido") {
		t.Fatalf("need with a pledge on its way:\n%s", page.body)
	}
	res = rosa.post(needPath, "/pledges/1/arrived", url.Values{"need_id": {"1"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", res.status, res.body)
	}
	page = rosa.get(res.header.Get("Location"))
	for _, want := range []string{"Llegada confirmada", "<strong>Cubierta</strong>", "Llegó", "recibido: 500 de 500"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("met need lacks %q", want)
		}
	}
	if strings.Contains(page.body, "/cancel") || strings.Contains(page.body, "/pledges\"") {
		t.Error("a met need still offers to cancel or pledge")
	}
	if res := rosa.post(needPath, "/pledges/1/arrived", url.Values{"need_id": {"1"}}); res.status != 409 || !strings.Contains(res.body, "Ya se confirmó que esto llegó") {
		t.Fatalf("confirm twice: %d", res.status)
	}
	if p := pedro.get("/offers/1"); !strings.Contains(p.body, "quedan 500") || !strings.Contains(p.body, `href="/needs/1"`) {
		t.Fatalf("offer page:\n%s", p.body)
	}

	// A need for one of the body's actions, from the link on the action's
	// page; the assembly's open needs, by kind.
	act, err := e.db.CallAction(context.Background(), meetingUser(t, e, "Rosa"), 1, actions.Input{Kind: actions.March, Title: "Marcha a Lima",
		Place: "211101", Start: time.Now().Add(24 * time.Hour)}, places.Peru().Valid)
	if err != nil {
		t.Fatal(err)
	}
	page = rosa.get("/bodies/1/needs?action=" + itoa(act.ID))
	if !strings.Contains(page.body, `name="action_id" value="`+itoa(act.ID)+`"`) || !strings.Contains(page.body, `<details id="post-need" open>`) {
		t.Fatalf("need for an action:\n%s", page.body)
	}
	res = rosa.post("/bodies/1/needs", "/bodies/1/needs", url.Values{"kind": {"transport"}, "quantity": {"3"}, "unit": {"buses"}, "place_q": {"211101"}, "action_id": {itoa(act.ID)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("need for an action: %d %s", res.status, res.body)
	}
	if p := rosa.get(res.header.Get("Location")); !strings.Contains(p.body, `href="/actions/`+itoa(act.ID)+`"`) {
		t.Fatal("the need does not link to its action")
	}
	supplies := "/bodies/" + itoa(asm) + "/supplies"
	if p := carla.get(supplies); p.status != 200 || !strings.Contains(p.body, "1 necesidad abierta.") || !strings.Contains(p.body, "Transporte") {
		t.Fatalf("open needs:\n%s", p.body)
	}
	if p := carla.get(supplies + "?kind=water"); !strings.Contains(p.body, "No hay necesidades abiertas.") {
		t.Fatalf("open water needs:\n%s", p.body)
	}
	if p := ana.get(supplies); p.status != http.StatusForbidden {
		t.Fatalf("an outsider sees the assembly's needs: %d", p.status)
	}
	if p := rosa.get("/bodies/" + itoa(asm) + "/needs"); !strings.Contains(p.body, `href="`+supplies+`"`) {
		t.Fatal("the assembly's needs page does not link to the open needs under it")
	}
	if _, err := e.db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
}

// TestNeedsAPI: the same flow over JSON.
func TestNeedsAPI(t *testing.T) {
	e := newEnv(t)
	rosa, pedro, ana := e.client(), e.client(), e.client()
	for c, name := range map[*client]string{rosa: "Rosa", pedro: "Pedro", ana: "Ana"} {
		c.signup(name)
		c.apiLogin(name)
	}
	for _, x := range []struct {
		c           *client
		name, place string
	}{{rosa, "Comité de Lucha de Juliaca", "211101"}, {pedro, "Comité de Puno", "210101"}, {ana, "Comité de Ilave", "210501"}} {
		if res := x.c.api("POST", "/bodies", map[string]any{"name": x.name, "sector": "workers", "place": x.place, "public": true}); res.status != 201 {
			t.Fatalf("committee: %d %s", res.status, res.body)
		}
	}
	asm := supplyAssembly(t, e, []string{"Rosa", "Pedro"}, 1, 2)

	res := rosa.api("POST", "/bodies/1/needs", map[string]any{"kind": "water", "quantity": 0, "unit": "litros", "place": "211101"})
	if res.status != 422 || !strings.Contains(res.body, `"field":"quantity"`) {
		t.Fatalf("quantity 0: %d %s", res.status, res.body)
	}
	if res := rosa.api("POST", "/bodies/1/needs", map[string]any{"kind": "water", "quantity": 5, "place": "211101", "colour": "red"}); res.status != 422 {
		t.Fatalf("unknown field: %d", res.status)
	}
	res = rosa.api("POST", "/bodies/1/needs", map[string]any{"kind": "water", "quantity": 500, "unit": "litros", "place": "211101", "description": "Olla común"})
	if res.status != 201 || res.header.Get("Location") != "/api/v1/needs/1" {
		t.Fatalf("post need: %d %s", res.status, res.body)
	}
	if res := pedro.api("POST", "/bodies/2/offers", map[string]any{"kind": "water", "quantity": 1000, "unit": "litros", "place": "210101"}); res.status != 201 {
		t.Fatalf("post offer: %d %s", res.status, res.body)
	}
	if res := ana.api("POST", "/bodies/3/offers", map[string]any{"kind": "water", "quantity": 1000, "unit": "litros", "place": "211101"}); res.status != 201 {
		t.Fatalf("post outside offer: %d %s", res.status, res.body)
	}

	var matches struct {
		Matches []struct {
			Offer    actions.Offer `json:"offer"`
			Km       float64       `json:"km"`
			Quantity int64         `json:"quantity"`
		} `json:"matches"`
	}
	res = rosa.api("GET", "/needs/1/matches", nil)
	if err := json.Unmarshal([]byte(res.body), &matches); err != nil || res.status != 200 {
		t.Fatalf("matches: %d %s", res.status, res.body)
	}
	if len(matches.Matches) != 1 || matches.Matches[0].Offer.ID != 1 || matches.Matches[0].Km != 41.2 || matches.Matches[0].Quantity != 500 {
		t.Fatalf("matches: %+v", matches)
	}
	if res := ana.api("GET", "/needs/1", nil); res.status != 404 {
		t.Fatalf("an outsider reads the need: %d", res.status)
	}
	if res := ana.api("POST", "/offers/2/pledges", map[string]any{"need_id": 1, "quantity": 10}); res.status != 404 || !strings.Contains(res.body, `"field":"need_id"`) {
		t.Fatalf("an outsider pledges: %d %s", res.status, res.body)
	}
	if res := pedro.api("POST", "/offers/1/pledges", map[string]any{"need_id": 1, "quantity": 501}); res.status != 422 || !strings.Contains(res.body, "solo le faltan 500") {
		t.Fatalf("pledge over the need: %d %s", res.status, res.body)
	}
	res = pedro.api("POST", "/offers/1/pledges", map[string]any{"need_id": 1, "quantity": 500})
	var pledge actions.Pledge
	if json.Unmarshal([]byte(res.body), &pledge); res.status != 201 || pledge.Status != actions.Pledged || pledge.NeedBodyName != "Comité de Lucha de Juliaca" {
		t.Fatalf("pledge: %d %s", res.status, res.body)
	}
	if res := pedro.api("POST", "/pledges/1/arrived", nil); res.status != 403 {
		t.Fatalf("the offering side confirms: %d", res.status)
	}
	res = rosa.api("POST", "/pledges/1/arrived", nil)
	var need store.NeedDetail
	if json.Unmarshal([]byte(res.body), &need); res.status != 200 || need.Status != actions.NeedMet || need.Received != 500 || len(need.Pledges) != 1 || !need.Manage {
		t.Fatalf("arrived: %d %s", res.status, res.body)
	}
	if res := rosa.api("POST", "/pledges/1/arrived", nil); res.status != 409 {
		t.Fatalf("arrived twice: %d", res.status)
	}

	var list store.Supplies
	if res := rosa.api("GET", "/bodies/2/needs", nil); json.Unmarshal([]byte(res.body), &list) != nil || len(list.Offers) != 1 || list.Offers[0].Pledged != 500 {
		t.Fatalf("Puno's offers: %s", res.body)
	}
	if res := rosa.api("POST", "/bodies/1/needs", map[string]any{"kind": "medical", "quantity": 2, "unit": "botiquines", "place": "211101"}); res.status != 201 {
		t.Fatalf("second need: %d", res.status)
	}
	var open struct {
		Needs []actions.Need `json:"needs"`
		Total int            `json:"total"`
	}
	if res := pedro.api("GET", "/bodies/"+itoa(asm)+"/open-needs?kind=medical&limit=5", nil); json.Unmarshal([]byte(res.body), &open) != nil || open.Total != 1 || open.Needs[0].Kind != actions.Medical {
		t.Fatalf("open needs: %s", res.body)
	}
	for _, q := range []string{"?kind=weapons", "?limit=0", "?limit=501"} {
		if res := pedro.api("GET", "/bodies/"+itoa(asm)+"/open-needs"+q, nil); res.status != 422 {
			t.Errorf("open needs %s: %d", q, res.status)
		}
	}
	if res := ana.api("GET", "/bodies/"+itoa(asm)+"/open-needs", nil); res.status != 403 {
		t.Fatalf("an outsider lists the open needs: %d", res.status)
	}
	if res := rosa.api("DELETE", "/offers/1", nil); res.status != 403 {
		t.Fatalf("another body withdraws the offer: %d", res.status)
	}
	if res := pedro.api("DELETE", "/offers/1", nil); res.status != 204 {
		t.Fatalf("withdraw: %d %s", res.status, res.body)
	}
	if res := pedro.api("DELETE", "/offers/1", nil); res.status != 409 {
		t.Fatalf("withdraw twice: %d", res.status)
	}
	if res := rosa.api("DELETE", "/needs/2", nil); res.status != 204 {
		t.Fatalf("cancel need: %d", res.status)
	}
	if res := rosa.api("DELETE", "/pledges/1", nil); res.status != 409 {
		t.Fatalf("cancel an arrived pledge: %d", res.status)
	}
	if _, err := e.db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
}
