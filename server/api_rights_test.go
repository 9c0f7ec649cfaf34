package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/png"
	"strings"
	"testing"

	"asamblea/incidents"
	"asamblea/store"
	"asamblea/vault"
)

// recordOut is an incident as the API answers it.
type recordOut struct {
	incidents.Incident
	People   []incidents.Person   `json:"people"`
	Evidence []incidents.Evidence `json:"evidence"`
}

// recordsOut is a commission's key as the API answers it.
type recordsOut struct {
	Live     bool    `json:"live"`
	File     bool    `json:"file"`
	Readable bool    `json:"readable"`
	HasSlot  bool    `json:"has_slot"`
	Granted  bool    `json:"granted"`
	Pending  []int64 `json:"pending"`
	Exact    bool    `json:"exact_coords"`
}

func pngData(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload sends a file as the raw body of a request.
func (c *client) upload(path, ctype string, data []byte) response {
	c.e.t.Helper()
	return c.do("POST", "/api/v1"+path, bytes.NewReader(data), map[string]string{"Content-Type": ctype, "X-CSRF-Token": c.csrf})
}

const apiVictim = "Wilfredo Huamán Quispe"

// TestAPIRightsRecords follows a rights commission's records through the
// API: set up with the node's key file, a detention reported with a photo
// and a name, hidden from everyone outside the commission (the reporter
// included) as if it did not exist, bad reports refused with their field
// and nothing stored, verified and counted in the public figures only as
// "fewer than 3", the lawyer recorded, the prisoners listed, exported in
// both formats, and finally the key destroyed.
func TestAPIRightsRecords(t *testing.T) {
	e := newEnv(t)
	key, _ := vault.NewKey()
	e.db.SetRecordsKey(&key)
	rosa, abogada, segundo, reportera, intrusa := e.client(), e.client(), e.client(), e.client(), e.client()
	rosa.apiAccount("Rosa")
	abogadaID := abogada.apiAccount("Abogada")
	segundoID := segundo.apiAccount("Segundo")
	reporteraID := reportera.apiAccount("Reportera")
	intrusaID := intrusa.apiAccount("Intrusa")
	committee := apiCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101", abogada, segundo, reportera)
	cs := "/bodies/" + itoa(committee) + "/commissions"

	// The commission: its body's facilitator chooses among the body's members.
	name := "Comisión de Derechos Humanos"
	for _, tc := range []struct {
		name, field string
		in          map[string]any
	}{
		{"unknown purpose", "purpose", map[string]any{"name": name, "purpose": "espionaje", "members": []int64{abogadaID}}},
		{"an outsider", "members", map[string]any{"name": name, "purpose": "rights", "members": []int64{intrusaID}}},
		{"nobody", "members", map[string]any{"name": name, "purpose": "rights", "members": []int64{}}},
		{"members not a list", "members", map[string]any{"name": name, "purpose": "rights", "members": "todos"}},
	} {
		t.Run(tc.name, func(t *testing.T) { rosa.refused(422, `"field":"`+tc.field+`"`, "POST", cs, tc.in) })
	}
	abogada.refused(403, "", "POST", cs, map[string]any{"name": name, "purpose": "rights", "members": []int64{abogadaID}})
	var com store.Commission
	res := rosa.must(201, "POST", cs, map[string]any{"name": name, "purpose": "rights", "members": []int64{abogadaID}}, &com)
	cp := "/commissions/" + itoa(com.ID)
	if com.Purpose != "rights" || com.ParentID != committee || com.Records || res.header.Get("Location") != "/api/v1/bodies/"+itoa(com.ID) {
		t.Fatalf("commission: %+v %s", com, res.header.Get("Location"))
	}
	rosa.refused(422, `"field":"role"`, "PUT", cp+"/members/"+itoa(segundoID), map[string]any{})
	rosa.refused(422, `"field":"user"`, "PUT", cp+"/members/"+itoa(intrusaID), map[string]any{"role": "member"})
	abogada.refused(404, "", "PUT", cp+"/members/"+itoa(reporteraID), map[string]any{"role": "member"})
	rosa.must(204, "PUT", cp+"/members/"+itoa(segundoID), map[string]any{"role": "member"}, nil)
	var list struct{ Commissions []store.Commission }
	reportera.must(200, "GET", cs, nil, &list)
	if len(list.Commissions) != 1 || list.Commissions[0].ID != com.ID {
		t.Fatalf("commissions: %+v", list)
	}
	intrusa.refused(404, "", "GET", cs, nil) // only a body's members see its commissions; to others they do not exist

	// The key, with the node's key file: its facilitator sets it up.
	segundo.refused(403, "", "POST", cp+"/records", map[string]any{"file": true})
	intrusa.refused(404, "", "POST", cp+"/records", map[string]any{"file": true})
	abogada.refused(422, `"field":"passphrase"`, "POST", cp+"/records", map[string]any{})
	var st recordsOut
	abogada.must(201, "POST", cp+"/records", map[string]any{"file": true}, &st)
	if !st.Live || !st.File || !st.Readable {
		t.Fatalf("records: %+v", st)
	}
	abogada.refused(409, "ya tiene su llave", "POST", cp+"/records", map[string]any{"file": true})
	res = segundo.must(200, "GET", cp+"/records", nil, &st)
	if !st.Readable || res.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("a member's records: %+v %v", st, res.header)
	}
	intrusa.refused(404, "", "GET", cp+"/records", nil)
	var targets struct{ Targets []store.ReportTarget }
	reportera.must(200, "GET", "/report-targets", nil, &targets)
	if len(targets.Targets) != 1 || targets.Targets[0].ID != com.ID {
		t.Fatalf("targets: %+v", targets)
	}
	intrusa.must(200, "GET", "/report-targets", nil, &targets)
	if len(targets.Targets) != 0 {
		t.Fatalf("an outsider may report to %+v", targets)
	}

	// A detention reported with a photo and a name; bad reports first.
	photo := base64.StdEncoding.EncodeToString(pngData(t))
	report := func() map[string]any {
		return map[string]any{"kind": "detained", "at": "2023-01-09T15:30:00-05:00", "place": "210101", "lat": -15.49127, "lon": -70.13318,
			"force": "police", "affected": 1, "description": "Detenido en la marcha al aeropuerto; " + apiVictim + " fue llevado a la comisaría.",
			"people": []string{apiVictim}, "evidence": []map[string]string{{"name": "foto.png", "data": photo}}}
	}
	with := func(k string, v any) map[string]any { in := report(); in[k] = v; return in }
	big := base64.StdEncoding.EncodeToString(append([]byte("%PDF-"), make([]byte, incidents.EvidenceMax)...))
	ip := cp + "/incidents"
	before := journalLen(t, e.db)
	for _, tc := range []struct {
		name, field, msg string
		in               map[string]any
	}{
		{"impossible date", "at", "RFC 3339", with("at", "2023-02-30T10:00:00-05:00")},
		{"date with no zone", "at", "RFC 3339", with("at", "2023-01-09 15:30")},
		{"unknown kind", "kind", "tipo de hecho", with("kind", "arrest")},
		{"future", "at", "futuro", with("at", "2099-01-01T00:00:00-05:00")},
		{"unknown place", "place", "", with("place", "999999")},
		{"affected not a number", "affected", "whole number", with("affected", "uno")},
		{"one coordinate", "lat", "", with("lon", nil)},
		{"wrong file type", "evidence", "PDF", with("evidence", []map[string]string{{"name": "x.exe", "data": base64.StdEncoding.EncodeToString([]byte("MZ\x90\x00"))}})},
		{"oversize file", "evidence", "pasa de 10 MB", with("evidence", []map[string]string{{"name": "big.pdf", "data": big}})},
		{"not base64", "evidence[0].data", "base64", with("evidence", []map[string]string{{"name": "foto.png", "data": "%%%"}})},
		{"too many files", "evidence", "5", with("evidence", make([]map[string]string, 6))},
		{"unknown field", "reporter", "unknown field", with("reporter", "alguien")},
		{"name too long", "people", "", with("people", []string{strings.Repeat("x", 300)})},
		{"too many people", "people", "50", with("people", make([]string, 51))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reportera.refused(422, `"field":"`+tc.field+`"`, "POST", ip, tc.in)
			if tc.msg != "" {
				reportera.refused(422, tc.msg, "POST", ip, tc.in)
			}
		})
	}
	intrusa.refused(404, "", "POST", ip, report())
	if journalLen(t, e.db) != before {
		t.Fatal("a refused report changed the journal")
	}
	var rep struct{ ID int64 }
	reportera.must(201, "POST", ip, report(), &rep)
	incident := "/incidents/" + itoa(rep.ID)

	var rec recordOut
	abogada.must(200, "GET", incident, nil, &rec)
	s := rec.Secret
	if s == nil || !strings.Contains(s.Description, apiVictim) || s.ReporterAs != "Reportera" || *s.Lat != -15.49 || rec.State != incidents.Reported ||
		rec.At.Format("2006-01-02T15:04:05Z07:00") != "2023-01-09T15:30:00-05:00" || len(rec.People) != 1 || rec.People[0].Secret.Name != apiVictim ||
		rec.People[0].Status != incidents.StillDetained || len(rec.Evidence) != 1 || rec.Evidence[0].Type != "image/jpeg" {
		t.Fatalf("record: %+v %+v", rec, s)
	}
	person := "/people/" + itoa(rec.People[0].ID)
	evidence := "/evidence/" + itoa(rec.Evidence[0].ID)
	res = abogada.must(200, "GET", evidence, nil, nil)
	if h := res.header; h.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment") ||
		h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" || !strings.HasPrefix(res.body, "\xFF\xD8") {
		t.Fatalf("evidence: %v %q", res.header, res.body[:min(len(res.body), 8)])
	}

	// Outside the commission — the reporter and the body's facilitator
	// included — a record does not exist, just as one that does not.
	private := []string{incident, person, evidence, ip, cp + "/prisoners", cp + "/export?format=csv", cp + "/export?format=json", cp + "/records"}
	for _, c := range []*client{reportera, intrusa, rosa, e.client()} {
		for _, p := range private {
			res := c.api("GET", p, nil)
			if res.status != 404 && (c.csrf != "" || res.status != 401) {
				t.Errorf("GET %s from outside the commission: %d %s", p, res.status, res.body)
			}
		}
	}
	known, guessed := intrusa.api("GET", incident, nil), intrusa.api("GET", "/incidents/"+itoa(rep.ID+1000), nil)
	if known.body != guessed.body {
		t.Errorf("an outsider tells a record from a guessed id:\n%s\n%s", known.body, guessed.body)
	}
	abogada.refused(404, "", "GET", "/incidents/"+itoa(rep.ID+1000), nil)
	reportera.refused(404, "", "POST", incident+"/check", map[string]any{"state": "verified"})
	intrusa.refused(404, "", "PUT", person, map[string]any{"name": "x"})
	intrusa.refused(404, "", "POST", cp+"/people", map[string]any{"name": "x"})
	reportera.refused(404, "", "POST", cp+"/lock", nil)

	// Listing, with filters.
	var incs struct{ Incidents []incidents.Incident }
	segundo.must(200, "GET", ip+"?kind=detained", nil, &incs)
	if len(incs.Incidents) != 1 || incs.Incidents[0].Secret == nil {
		t.Fatalf("incidents: %+v", incs)
	}
	segundo.must(200, "GET", ip+"?state=verified", nil, &incs)
	if len(incs.Incidents) != 0 {
		t.Fatalf("verified before verification: %+v", incs)
	}
	segundo.refused(422, `"field":"state"`, "GET", ip+"?state=maybe", nil)
	segundo.refused(422, `"field":"kind"`, "GET", ip+"?kind=arrest", nil)
	segundo.refused(422, `"field":"limit"`, "GET", ip+"?limit=0", nil)

	// More evidence: a PDF as the raw body, a photo in JSON.
	var ev incidents.Evidence
	pdf := []byte("%PDF-1.4\nacta de detención\n%%EOF\n")
	res = segundo.upload(incident+"/evidence?name=acta.pdf", "application/pdf", pdf)
	if res.status != 201 || json.Unmarshal([]byte(res.body), &ev) != nil || ev.Type != "application/pdf" || ev.Name != "acta.pdf" || ev.Size != len(pdf) {
		t.Fatalf("raw upload: %d %s", res.status, res.body)
	}
	if res := segundo.upload(incident+"/evidence", "application/octet-stream", []byte("MZ\x90\x00")); res.status != 422 || !strings.Contains(res.body, `"field":"file"`) {
		t.Fatalf("raw upload of a program: %d %s", res.status, res.body)
	}
	if res := segundo.upload(incident+"/evidence", "application/pdf", append([]byte("%PDF-"), make([]byte, incidents.EvidenceMax)...)); res.status != 422 || !strings.Contains(res.body, `"field":"file"`) {
		t.Fatalf("raw upload too large: %d %s", res.status, res.body)
	}
	if res := reportera.upload(incident+"/evidence", "application/pdf", pdf); res.status != 404 {
		t.Fatalf("the reporter adds evidence: %d %s", res.status, res.body)
	}
	segundo.must(201, "POST", incident+"/evidence", map[string]string{"name": "otra.png", "data": photo}, &ev)
	segundo.refused(422, `"field":"data"`, "POST", incident+"/evidence", map[string]string{"name": "x", "data": "bm90aGluZw=="})

	// Corrected, then verified: the public sees a count, and a small one
	// only as "fewer than 3".
	fix := report()
	delete(fix, "people")
	delete(fix, "evidence")
	fix["affected"] = 2
	fix["at"] = "2023-02-30T10:00:00-05:00"
	segundo.refused(422, `"field":"at"`, "PUT", incident, fix)
	fix["at"] = "2023-01-09T15:30:00-05:00"
	fix["people"] = []string{"Otra Persona"} // people are added on their own
	segundo.refused(422, `"field":"people"`, "PUT", incident, fix)
	delete(fix, "people")
	segundo.must(200, "PUT", incident, fix, &rec)
	if rec.Affected != 2 || rec.Secret.ReporterAs != "Reportera" || rec.Evidence == nil || len(rec.Evidence) != 3 {
		t.Fatalf("corrected: %+v", rec)
	}
	abogada.refused(422, `"field":"state"`, "POST", incident+"/check", map[string]any{"state": "maybe"})
	abogada.must(200, "POST", incident+"/check", map[string]any{"state": "verified", "note": "Confirmado con la familia"}, &rec)
	if rec.State != incidents.Verified || rec.Secret.CheckedNote != "Confirmado con la familia" {
		t.Fatalf("verified: %+v", rec)
	}
	public := e.client()
	var fig store.Figures
	res = public.must(200, "GET", "/repression", nil, &fig)
	if len(fig.Cells) != 1 || !fig.Cells[0].Incidents.Fewer || fig.Cells[0].Incidents.N != 0 || !fig.Cells[0].People.Fewer ||
		fig.Cells[0].Department != "21" || fig.Cells[0].Week != "2023-01-09" || !fig.Prisoners.Fewer || fig.Pending != 0 ||
		!strings.Contains(res.body, `"fewer_than_3":true`) {
		t.Fatalf("figures: %s", res.body)
	}
	for _, secret := range []string{"Wilfredo", "aeropuerto", "Reportera"} {
		if strings.Contains(res.body, secret) {
			t.Fatalf("the public figures hold %q", secret)
		}
	}
	var puno, lima store.Figures
	public.must(200, "GET", "/repression?department=21", nil, &puno)
	if len(puno.Cells) != 1 {
		t.Fatalf("figures of Puno: %+v", puno)
	}
	public.must(200, "GET", "/repression?department=15", nil, &lima)
	if len(lima.Cells) != 0 || lima.Cells == nil {
		t.Fatalf("figures of Lima: %+v", lima)
	}
	public.refused(422, `"field":"department"`, "GET", "/repression?department=99", nil)
	public.refused(422, `"field":"department"`, "GET", "/repression?department=211101", nil)
	var puno2 store.Figures
	public.must(200, "GET", "/repression?department=210000", nil, &puno2)
	if len(puno2.Cells) != 1 {
		t.Fatalf("figures of Puno by its code in the place table: %+v", puno2)
	}

	// The lawyer, and someone released; the prisoners list.
	lawyer := map[string]any{"status": "charged", "name": apiVictim, "age": 34, "held": "Penal de Challapalca", "charges": "disturbios",
		"lawyer": "Dra. Carmen Apaza (CNDDHH)", "next_hearing": "2023-02-15"}
	bad := func(k string, v any) map[string]any {
		in := map[string]any{}
		for k, v := range lawyer {
			in[k] = v
		}
		in[k] = v
		return in
	}
	abogada.refused(422, `"field":"next_hearing"`, "PUT", person, bad("next_hearing", "2023-02-30"))
	abogada.refused(422, `"field":"status"`, "PUT", person, bad("status", "free"))
	abogada.refused(422, `"field":"age"`, "PUT", person, bad("age", "treinta"))
	var p incidents.Person
	abogada.must(200, "PUT", person, lawyer, &p)
	if p.Status != incidents.Charged || p.Secret.Lawyer != "Dra. Carmen Apaza (CNDDHH)" || p.IncidentID != rep.ID {
		t.Fatalf("person: %+v", p)
	}
	segundo.refused(422, `"field":"incident_id"`, "POST", cp+"/people", map[string]any{"name": "Nadie", "incident_id": rep.ID + 1000})
	res = segundo.must(201, "POST", cp+"/people", map[string]any{"status": "released", "name": "Liberada Pronto"}, &p)
	if p.Secret.Name != "Liberada Pronto" || res.header.Get("Location") != "/api/v1/people/"+itoa(p.ID) {
		t.Fatalf("new person: %+v", p)
	}
	segundo.must(200, "GET", "/people/"+itoa(p.ID), nil, &p)
	var pris struct{ Prisoners []incidents.Person }
	segundo.must(200, "GET", cp+"/prisoners", nil, &pris)
	if len(pris.Prisoners) != 1 || pris.Prisoners[0].Secret.Name != apiVictim || pris.Prisoners[0].Secret.Lawyer == "" {
		t.Fatalf("prisoners: %+v", pris)
	}

	// Export, each journalled.
	n := journalLen(t, e.db)
	res = abogada.must(200, "GET", cp+"/export?format=csv", nil, nil)
	if !strings.HasPrefix(res.header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment") ||
		res.header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(res.body, strings.Join(incidents.CSVHeader, ",")) ||
		!strings.Contains(res.body, apiVictim) || !strings.Contains(res.body, "Carmen Apaza") || !strings.Contains(res.body, "2023-01-09 15:30") {
		t.Fatalf("CSV export: %v\n%s", res.header, res.body)
	}
	if journalLen(t, e.db) != n+1 {
		t.Fatal("a CSV export was not journalled")
	}
	var x incidents.Export
	abogada.must(200, "GET", cp+"/export?format=json", nil, &x)
	if x.Commission != name || len(x.Records) != 1 || len(x.Detainees) != 1 || x.Records[0].People[0].Secret.Lawyer == "" || len(x.Records[0].Evidence) != 3 {
		t.Fatalf("JSON export: %+v", x)
	}
	if journalLen(t, e.db) != n+2 {
		t.Fatal("a JSON export was not journalled")
	}
	abogada.refused(422, `"field":"format"`, "GET", cp+"/export?format=xls", nil)

	// Settings, by the facilitator only.
	segundo.refused(403, "", "PUT", cp+"/settings", map[string]any{"exact_coords": true})
	abogada.must(200, "PUT", cp+"/settings", map[string]any{"exact_coords": true}, &st)
	if !st.Exact {
		t.Fatalf("settings: %+v", st)
	}

	// Lockdown: nobody reads the records again; the public figures stay.
	abogada.refused(422, `"field":"confirm"`, "POST", cp+"/lockdown", map[string]string{"confirm": "no sé"})
	reportera.refused(404, "", "POST", cp+"/lockdown", map[string]string{"confirm": name})
	segundo.must(204, "POST", cp+"/lockdown", map[string]string{"confirm": name}, nil)
	for _, path := range []string{incident, person, evidence, ip, cp + "/prisoners", cp + "/export?format=csv"} {
		abogada.refused(409, "fue destruida", "GET", path, nil)
	}
	abogada.refused(409, "fue destruida", "POST", incident+"/check", map[string]any{"state": "rejected"})
	reportera.refused(409, "todavía no tiene llave", "POST", ip, report())
	var after store.Figures
	public.must(200, "GET", "/repression", nil, &after)
	if len(after.Cells) != 1 {
		t.Fatalf("the public figures went with the key: %+v", after)
	}
}

// TestAPIRightsPassphrases follows a commission whose key is protected by
// passphrases alone: the facilitator sets it up with hers, a second member
// sets his, waits, is granted the key and unlocks it; locking forgets it,
// and removal from the commission takes it away.
func TestAPIRightsPassphrases(t *testing.T) {
	e := newEnv(t)
	key, _ := vault.NewKey()
	e.db.SetRecordsKey(&key)
	rosa, abogada, segundo, reportera, intrusa := e.client(), e.client(), e.client(), e.client(), e.client()
	rosa.apiAccount("Rosa")
	abogadaID := abogada.apiAccount("Abogada")
	segundoID := segundo.apiAccount("Segundo")
	reportera.apiAccount("Reportera")
	intrusa.apiAccount("Intrusa")
	committee := apiCommittee(t, rosa, "Comité de Huamanga", "050101", abogada, segundo, reportera)
	var com store.Commission
	rosa.must(201, "POST", "/bodies/"+itoa(committee)+"/commissions", map[string]any{"name": "Comisión de Derechos de Huamanga", "purpose": "rights",
		"members": []int64{abogadaID, segundoID}}, &com)
	cp := "/commissions/" + itoa(com.ID)

	const pass1, pass2 = "la memoria no se entierra", "justicia para las víctimas"
	abogada.refused(422, `"field":"passphrase"`, "POST", cp+"/records", map[string]any{"passphrase": "corta"})
	var st recordsOut
	abogada.must(201, "POST", cp+"/records", map[string]any{"passphrase": pass1}, &st)
	if !st.Live || st.File || !st.Readable || !st.HasSlot || !st.Granted || st.Pending == nil {
		t.Fatalf("set up with a passphrase: %+v", st)
	}
	var rep struct{ ID int64 }
	reportera.must(201, "POST", cp+"/incidents", map[string]any{"kind": "killed", "at": "2022-12-15T11:00:00-05:00", "place": "050101",
		"affected": 1, "description": "Muerto por proyectil: " + apiVictim}, &rep)
	incident := "/incidents/" + itoa(rep.ID)
	var rec recordOut
	abogada.must(200, "GET", incident, nil, &rec)

	// The second member: a passphrase, a wait, the grant, the unlock.
	segundo.refused(409, "Abre la llave de la comisión", "GET", incident, nil)
	segundo.refused(422, `"field":"passphrase"`, "POST", cp+"/unlock", map[string]string{"passphrase": pass2})
	segundo.refused(422, `"field":"passphrase"`, "PUT", cp+"/passphrase", map[string]string{"passphrase": "corta"})
	segundo.must(200, "PUT", cp+"/passphrase", map[string]string{"passphrase": pass2}, &st)
	if !st.HasSlot || st.Granted || st.Readable {
		t.Fatalf("a passphrase set, not granted: %+v", st)
	}
	segundo.refused(409, "falta que otra persona", "POST", cp+"/unlock", map[string]string{"passphrase": pass2})
	abogada.must(200, "GET", cp+"/records", nil, &st)
	if len(st.Pending) != 1 || st.Pending[0] != segundoID {
		t.Fatalf("pending: %+v", st)
	}
	segundo.refused(409, "", "POST", cp+"/grants", map[string]int64{"user": segundoID})
	intrusa.refused(404, "", "POST", cp+"/grants", map[string]int64{"user": segundoID})
	abogada.refused(422, `"field":"user"`, "POST", cp+"/grants", map[string]int64{})
	abogada.must(204, "POST", cp+"/grants", map[string]int64{"user": segundoID}, nil)
	segundo.refused(422, `"field":"passphrase"`, "POST", cp+"/unlock", map[string]string{"passphrase": pass1})
	intrusa.refused(404, "", "POST", cp+"/unlock", map[string]string{"passphrase": pass2})
	res := segundo.must(204, "POST", cp+"/unlock", map[string]string{"passphrase": pass2}, nil)
	if res.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("unlock: %v", res.header)
	}
	segundo.must(200, "GET", incident, nil, &rec)
	if rec.Secret == nil || !strings.Contains(rec.Secret.Description, apiVictim) {
		t.Fatalf("unlocked: %+v", rec)
	}

	// Locking forgets the key on this node.
	segundo.must(204, "POST", cp+"/lock", nil, nil)
	segundo.refused(409, "Abre la llave de la comisión", "GET", incident, nil)
	segundo.must(204, "POST", cp+"/unlock", map[string]string{"passphrase": pass2}, nil)
	segundo.must(200, "GET", incident, nil, &rec)

	// Removed from the commission, he loses his passphrase and the key.
	abogada.refused(404, "", "DELETE", cp+"/members/"+itoa(segundoID), nil)
	rosa.must(204, "DELETE", cp+"/members/"+itoa(segundoID), nil, nil)
	segundo.refused(404, "", "GET", incident, nil)
	rosa.must(204, "PUT", cp+"/members/"+itoa(segundoID), map[string]any{"role": "member"}, nil)
	segundo.refused(409, "Abre la llave de la comisión", "GET", incident, nil)
	segundo.refused(422, `"field":"passphrase"`, "POST", cp+"/unlock", map[string]string{"passphrase": pass2})
}
