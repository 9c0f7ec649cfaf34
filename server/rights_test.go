package server_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"asamblea/vault"
)

// upload is a file a form sends.
type upload struct {
	name string
	data []byte
}

// postFiles submits a multipart form as a browser does after loading page:
// the CSRF token first, then the fields, the files last.
func (c *client) postFiles(page, path string, fields url.Values, files ...upload) response {
	c.e.t.Helper()
	m := csrfField.FindStringSubmatch(c.get(page).body)
	if m == nil {
		c.e.t.Fatalf("no CSRF token on %s", page)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", m[1])
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("file", f.name)
		fw.Write(f.data)
	}
	mw.Close()
	return c.do("POST", path, &body, map[string]string{"Content-Type": mw.FormDataContentType()})
}

func rpPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 6, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rpBeside fails unless msg appears on the page after the field with id
// and before the next label: the error is shown beside its field.
func rpBeside(t *testing.T, page, id, msg string) {
	t.Helper()
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no field %s on the page", id)
	}
	rest := page[i:]
	j := strings.Index(rest, msg)
	next := strings.Index(rest[1:], "<label")
	if j < 0 || next >= 0 && j > next+1 {
		t.Fatalf("%q is not beside field %s:\n%s", msg, id, page)
	}
}

const (
	rpVictim = "Wilfredo Huamán Quispe"
	rpLawyer = "Dra. Carmen Apaza (CNDDHH)"
	rpStory  = "Detenido por la policía en la marcha al aeropuerto de Juliaca; llevado a la comisaría."
)

// TestRightsPages follows a detention through the pages: a committee's
// facilitator creates its human-rights commission, whose facilitator sets
// up its key; a member reports the detention with a photo (a future date
// and a .exe come back with the error beside the field and what was typed
// kept); the commission verifies it and adds the lawyer, who shows on the
// prisoners list; nobody outside the commission — the reporter included —
// finds any of it; the public page counts "fewer than 3" and names no one;
// the export carries the name; after a lockdown the record is sealed for
// good.
func TestRightsPages(t *testing.T) {
	e := newEnv(t)
	k, err := vault.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	e.db.SetRecordsKey(&k)
	cs := moPeople(e, "Rosa", "Lucia", "Juan", "Pedro", "Intrusa")
	rosa, lucia, juan, pedro, intrusa := cs[0], cs[1], cs[2], cs[3], cs[4]
	anon := e.client()
	body := moCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101", lucia, juan, pedro)
	moCommittee(t, intrusa, "Otro comité", "080101")
	luciaID, pedroID := meetingUser(t, e, "Lucia"), meetingUser(t, e, "Pedro")

	// The committee's facilitator creates the commission.
	moHas(t, rosa, body, body+"/commissions")
	moHas(t, juan, body+"/commissions", "Este organismo todavía no tiene comisiones")
	if p := juan.get(body + "/commissions"); strings.Contains(p.body, `name="members"`) {
		t.Fatal("a member who does not facilitate gets the form")
	}
	res := moRefused(t, rosa, body+"/commissions", body+"/commissions", url.Values{"name": {"Comisión de Derechos Humanos"}, "purpose": {"rights"}}, 422, "Elige al menos a una persona")
	if !strings.Contains(res.body, `value="Comisión de Derechos Humanos"`) {
		t.Fatal("the name typed was lost")
	}
	res = rosa.post(body+"/commissions", body+"/commissions", url.Values{"name": {"Comisión de Derechos Humanos"}, "purpose": {"rights"}, "members": {itoa(luciaID)}})
	com := moLocation(t, res, "create commission")
	if !regexp.MustCompile(`^/commissions/\d+$`).MatchString(com) {
		t.Fatalf("created commission goes to %s", res.header.Get("Location"))
	}
	cid := strings.TrimPrefix(com, "/commissions/")
	// Rosa facilitates the committee: she appoints, and reads nothing.
	page := moHas(t, rosa, com, `action="`+com+`/members"`)
	if strings.Contains(page, `action="`+com+`/setup"`) {
		t.Fatal("the committee's facilitator may set up the commission's key")
	}
	moOK(t, rosa, com, com+"/members", url.Values{"user": {itoa(pedroID)}, "role": {"member"}})
	if p := juan.get(com); p.status != http.StatusNotFound {
		t.Fatalf("a member of the committee sees the commission's page: %d", p.status)
	}

	// Its facilitator sets up the key: the key file is offered, ticked.
	moHas(t, lucia, com, "todavía no tiene llave", `name="file" checked`, "Pedro")
	moRefused(t, lucia, com, com+"/setup", url.Values{"passphrase": {"corta"}}, 422, "al menos 12 caracteres")
	if p := moHas(t, lucia, moOK(t, lucia, com, com+"/setup", url.Values{"file": {"on"}})+"?done=rp_key_created", "ya tiene su llave", "Destruir la llave"); !strings.Contains(p, com+"/export.csv") {
		t.Fatal("no export link once the key is set up")
	}
	if h := lucia.get(com).header.Get("Cache-Control"); h != "no-store" {
		t.Fatalf("commission page cached: %q", h)
	}

	// Juan reports the detention. Bad input comes back with everything
	// typed and the error beside its field.
	moHas(t, juan, "/incidents/new", `enctype="multipart/form-data"`, `value="`+cid+`" selected`, `name="date"`, `name="time"`, `name="file"`)
	report := url.Values{"commission": {cid}, "kind": {"detained"}, "date": {time.Now().AddDate(0, 0, 5).Format("2006-01-02")}, "time": {"15:30"},
		"place_q": {"210101"}, "lat": {"-15,49127"}, "lon": {"-70.13318"}, "force": {"police"}, "description": {rpStory}, "people": {rpVictim}}
	before := journalLen(t, e.db)
	res = juan.postFiles("/incidents/new", "/incidents", report, upload{"foto.png", rpPNG(t)})
	if res.status != 422 {
		t.Fatalf("future date: %d\n%s", res.status, res.body)
	}
	rpBeside(t, res.body, "date", "La fecha está en el futuro")
	for _, kept := range []string{rpStory, rpVictim, `value="-15,49127"`, `value="detained" required checked`, `value="police" selected`} {
		if !strings.Contains(res.body, kept) {
			t.Errorf("the form lost %q", kept)
		}
	}
	report.Set("date", "2023-01-09")
	res = juan.postFiles("/incidents/new", "/incidents", report, upload{"foto.png", rpPNG(t)}, upload{"virus.exe", []byte("MZ\x90\x00 no soy una foto")})
	if res.status != 422 || !strings.Contains(res.body, rpStory) || !strings.Contains(res.body, rpVictim) || !strings.Contains(res.body, `value="2023-01-09"`) {
		t.Fatalf(".exe: %d\n%s", res.status, res.body)
	}
	rpBeside(t, res.body, "file", "Solo se aceptan fotos (JPEG, PNG, GIF) y documentos PDF")
	if journalLen(t, e.db) != before {
		t.Fatal("refused reports wrote to the journal")
	}
	res = juan.postFiles("/incidents/new", "/incidents", report, upload{"foto.png", rpPNG(t)})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/incidents/new?done=rp_sent" {
		t.Fatalf("report: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	thanks := moHas(t, juan, res.header.Get("Location"), "Gracias. Tu reporte llegó sellado")
	if regexp.MustCompile(`/incidents/\d`).MatchString(thanks) {
		t.Fatal("the thank-you page links to the incident")
	}

	// The commission finds it, with its secret half and the photo.
	list := moHas(t, lucia, com+"/incidents", "Detención", "Por verificar", "Detenido por la policía en la marcha")
	m := regexp.MustCompile(`href="(/incidents/(\d+))"`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("no incident listed:\n%s", list)
	}
	inc := m[1]
	page = moHas(t, lucia, inc, rpStory, rpVictim, "Juan", "-15.49, -70.13", "Policía", "Puno")
	ev := regexp.MustCompile(`href="(/evidence/\d+)"`).FindStringSubmatch(page)
	pe := regexp.MustCompile(`href="(/people/\d+)"`).FindStringSubmatch(page)
	if ev == nil || pe == nil {
		t.Fatalf("no evidence or person on the incident's page:\n%s", page)
	}
	res = lucia.get(ev[1])
	h := res.header
	if res.status != 200 || h.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
		h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" || !strings.HasPrefix(res.body, "\xff\xd8") {
		t.Fatalf("evidence download: %d %v", res.status, h)
	}

	// It verifies it and keeps the detainee's record.
	moRefused(t, lucia, inc, inc+"/check", url.Values{"state": {"maybe"}, "note": {"Confirmado con la familia"}}, 422, "Elige verificado o rechazado")
	moHas(t, lucia, moOK(t, lucia, inc, inc+"/check", url.Values{"state": {"verified"}, "note": {"Confirmado con la familia"}})+"?done=rp_checked", "Verificado", "Confirmado con la familia")
	person := url.Values{"name": {rpVictim}, "age": {"34"}, "status": {"charged"}, "held": {"Penal de Challapalca"}, "charges": {"disturbios"}, "lawyer": {rpLawyer}, "next_hearing": {"2023-02-30"}}
	res = moRefused(t, lucia, pe[1], pe[1], person, 422, "Esa fecha no existe")
	rpBeside(t, res.body, "next_hearing", "Esa fecha no existe")
	if !strings.Contains(res.body, `value="`+rpLawyer+`"`) {
		t.Fatal("the lawyer typed was lost")
	}
	person.Set("next_hearing", "2023-02-15")
	moOK(t, lucia, pe[1], pe[1], person)
	moHas(t, lucia, com+"/prisoners", rpVictim, rpLawyer, "Penal de Challapalca", "2023-02-15", "Con proceso penal")
	// Pedro, appointed by the committee, reads it too (through the key file).
	moHas(t, pedro, inc, rpStory)

	// Outside the commission — the reporter and the committee's
	// facilitator included — nothing of it exists.
	for _, who := range []struct {
		name string
		c    *client
	}{{"reporter", juan}, {"outsider", intrusa}, {"committee facilitator", rosa}} {
		for _, path := range []string{inc, inc + "/edit", com + "/incidents", ev[1], pe[1], com + "/prisoners", com + "/export.csv", com + "/export.json", com + "/people/new"} {
			if res := who.c.get(path); res.status != http.StatusNotFound || strings.Contains(res.body, rpVictim) {
				t.Errorf("%s GET %s: %d", who.name, path, res.status)
			}
		}
		if res := who.c.post("/", inc+"/check", url.Values{"state": {"rejected"}}); res.status != http.StatusNotFound {
			t.Errorf("%s verifies: %d", who.name, res.status)
		}
	}
	for _, c := range []*client{juan, intrusa} {
		if res := c.get(com); res.status != http.StatusNotFound {
			t.Errorf("commission's home to a non-member: %d", res.status)
		}
	}

	// The public sees counts only.
	pub := moHas(t, anon, "/repression", "menos de 3", "Detención", "Puno")
	for _, secret := range []string{rpVictim, "aeropuerto", rpLawyer, "Challapalca"} {
		if strings.Contains(pub, secret) {
			t.Errorf("the public page shows %q", secret)
		}
	}
	moHas(t, anon, "/repression?department=08", "Todavía no hay hechos verificados")
	if !strings.Contains(anon.get("/").body, `href="/repression"`) {
		t.Error("the navigation does not link the public figures")
	}

	// The export carries everything, for lawyers.
	res = lucia.get(com + "/export.csv")
	if res.status != 200 || !strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment") || res.header.Get("Cache-Control") != "no-store" ||
		!strings.Contains(res.body, rpVictim) || !strings.Contains(res.body, rpLawyer) || !strings.HasPrefix(res.body, "incident,kind,at") {
		t.Fatalf("CSV export: %d %v\n%s", res.status, res.header, res.body)
	}
	if res := lucia.get(com + "/export.json"); res.status != 200 || !strings.Contains(res.body, `"lawyer": "`+rpLawyer+`"`) {
		t.Fatalf("JSON export: %d\n%s", res.status, res.body)
	}

	// Lockdown: the wrong name is refused; the right one destroys the key.
	moRefused(t, lucia, com, com+"/lockdown", url.Values{"confirm": {"no sé"}}, 422, "escribe el nombre exacto")
	moOK(t, pedro, com, com+"/lockdown", url.Values{"confirm": {"Comisión de Derechos Humanos"}})
	if res := lucia.get(inc); res.status != http.StatusConflict || !strings.Contains(res.body, "La llave de la comisión fue destruida") || strings.Contains(res.body, rpVictim) {
		t.Fatalf("incident after lockdown: %d\n%s", res.status, res.body)
	}
	moHas(t, lucia, com, "fue destruida el", `action="`+com+`/setup"`)
	// A new key: the old record is listed, sealed for good.
	moOK(t, lucia, com, com+"/setup", url.Values{"file": {"on"}})
	moHas(t, lucia, com+"/incidents", "Sellado con una llave destruida")
	moHas(t, lucia, inc, "ya no se pueden leer")
	moHas(t, anon, "/repression", "menos de 3")
}

// TestRightsPagesWeight keeps the new pages within one round trip.
func TestRightsPagesWeight(t *testing.T) {
	e := newEnv(t)
	k, _ := vault.NewKey()
	e.db.SetRecordsKey(&k)
	cs := moPeople(e, "Rosa", "Lucia")
	rosa, lucia := cs[0], cs[1]
	body := moCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101", lucia)
	com := moOK(t, rosa, body+"/commissions", body+"/commissions", url.Values{"name": {"Comisión de Derechos Humanos"}, "purpose": {"rights"}, "members": {itoa(meetingUser(t, e, "Lucia"))}})
	moOK(t, lucia, com, com+"/setup", url.Values{"file": {"on"}})
	for _, x := range []struct {
		c    *client
		path string
	}{{rosa, body + "/commissions"}, {lucia, com}, {lucia, "/incidents/new"}, {lucia, com + "/incidents"}, {lucia, com + "/prisoners"}, {lucia, com + "/people/new"}, {e.client(), "/repression"}} {
		moLight(t, x.c, x.path)
	}
}

// TestRightsPassphrasePages: on a node without a key file, the key is kept
// with passphrases only. A second member sets theirs, waits, is given
// access by the first, unlocks, reads, and locks again.
func TestRightsPassphrasePages(t *testing.T) {
	e := newEnv(t)
	cs := moPeople(e, "Rosa", "Lucia", "Pedro")
	rosa, lucia, pedro := cs[0], cs[1], cs[2]
	body := moCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101", lucia, pedro)
	com := moOK(t, rosa, body+"/commissions", body+"/commissions", url.Values{"name": {"Comisión de Derechos Humanos"}, "purpose": {"rights"},
		"members": {itoa(meetingUser(t, e, "Pedro")), itoa(meetingUser(t, e, "Lucia"))}, "facilitator": {itoa(meetingUser(t, e, "Lucia"))}})
	page := moHas(t, lucia, com, `action="`+com+`/setup"`)
	if strings.Contains(page, `name="file"`) {
		t.Fatal("the key file is offered on a node without one")
	}
	moRefused(t, lucia, com, com+"/setup", url.Values{}, 422, "Protege la llave con una frase secreta")
	const pass1, pass2 = "la memoria no se entierra", "justicia para las víctimas"
	moOK(t, lucia, com, com+"/setup", url.Values{"passphrase": {pass1}})
	moHas(t, lucia, com, "Puedes leer los registros", "la abren solo las frases secretas")

	// Pedro reads nothing until he has a passphrase and is given access.
	moHas(t, pedro, com, "pon tu frase secreta abajo")
	if res := pedro.get(com + "/incidents"); res.status != http.StatusConflict || !strings.Contains(res.body, "Abre la llave") || !strings.Contains(res.body, `href="`+com+`"`) {
		t.Fatalf("locked records: %d\n%s", res.status, res.body)
	}
	res := moRefused(t, pedro, com, com+"/passphrase", url.Values{"new_passphrase": {"corta"}}, 422, "al menos 12 caracteres")
	rpBeside(t, res.body, "new_passphrase", "al menos 12 caracteres")
	if strings.Contains(res.body, "corta") {
		t.Fatal("a passphrase was written back into the page")
	}
	moOK(t, pedro, com, com+"/passphrase", url.Values{"new_passphrase": {pass2}})
	moHas(t, pedro, com, "Falta que alguien de la comisión con acceso te lo dé")
	moHas(t, lucia, com, "Esperan acceso", `action="`+com+`/grant"`)
	moOK(t, lucia, com, com+"/grant", url.Values{"user": {itoa(meetingUser(t, e, "Pedro"))}})
	moRefused(t, pedro, com, com+"/unlock", url.Values{"passphrase": {pass1}}, 422, "Esa frase secreta no abre la llave")
	moOK(t, pedro, com, com+"/unlock", url.Values{"passphrase": {pass2}})
	moHas(t, pedro, com+"/incidents", "No hay registros")
	moOK(t, pedro, com, com+"/lock", url.Values{})
	if res := pedro.get(com + "/prisoners"); res.status != http.StatusConflict {
		t.Fatalf("after locking: %d", res.status)
	}
}
