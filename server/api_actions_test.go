package server_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"strings"
	"testing"
	"time"

	"asamblea/actions"
	"asamblea/photos"
	"asamblea/store"
)

// multipart posts a multipart/form-data request to the API with fields
// and, when photo is not nil, a file part "photo".
func (c *client) multipart(path string, fields map[string]string, photo []byte) response {
	c.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if photo != nil {
		fw, err := mw.CreateFormFile("photo", "IMG_20260104_101500.jpg")
		if err != nil {
			c.e.t.Fatal(err)
		}
		fw.Write(photo)
	}
	mw.Close()
	hdr := map[string]string{"Content-Type": mw.FormDataContentType()}
	if c.csrf != "" {
		hdr["X-CSRF-Token"] = c.csrf
	}
	return c.do("POST", "/api/v1"+path, &buf, hdr)
}

// phoneJPEG is a small JPEG as a phone writes it: an EXIF APP1 segment
// right after the start of image, with the camera's make and a GPS
// position (15° 29' 42.43" S, 70° 8' 2.44" W: the Juliaca bridge).
func phoneJPEG(t *testing.T) []byte {
	t.Helper()
	m := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for y := range 32 {
		for x := range 48 {
			m.Set(x, y, color.RGBA{uint8(x * 5), uint8(y * 7), 120, 255})
		}
	}
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, m, nil); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	var tiff bytes.Buffer
	u16 := func(v uint16) { binary.Write(&tiff, le, v) }
	u32 := func(v uint32) { binary.Write(&tiff, le, v) }
	entry := func(tag, typ uint16, count, value uint32) { u16(tag); u16(typ); u32(count); u32(value) }
	const (
		ifd0  = 8
		maker = ifd0 + 2 + 2*12 + 4 // the Make string
		gps   = maker + 16          // the GPS IFD
		lat   = gps + 2 + 4*12 + 4  // three rationals each
		lon   = lat + 24
	)
	tiff.WriteString("II")
	u16(42)
	u32(ifd0)
	u16(2)
	entry(0x010f, 2, 16, maker) // Make
	entry(0x8825, 4, 1, gps)    // GPSInfo
	u32(0)
	tiff.WriteString("SecretPhone 9A\x00\x00")
	u16(4)
	entry(1, 2, 2, 'S') // GPSLatitudeRef, inline
	entry(2, 5, 3, lat) // GPSLatitude
	entry(3, 2, 2, 'W') // GPSLongitudeRef, inline
	entry(4, 5, 3, lon) // GPSLongitude
	u32(0)
	for _, v := range []uint32{15, 1, 29, 1, 4243, 100, 70, 1, 8, 1, 244, 100} {
		u32(v)
	}
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xff, 0xe1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	out := append([]byte{0xff, 0xd8}, seg...)
	out = append(out, payload...)
	return append(out, plain.Bytes()[2:]...)
}

// TestAPIActionPath: a committee of Juliaca calls a roadblock over the API;
// two other bases of the regional assembly join it, a member reports with a
// photo whose GPS position does not survive, a base that did not join may
// not report, an outsider does not see it; the assembly's coordinating view
// and daily summary count it, and the public sees only the public march.
func TestAPIActionPath(t *testing.T) {
	e := newEnv(t)
	rosa, juan, carmen, edwin, lucia, intrusa := e.client(), e.client(), e.client(), e.client(), e.client(), e.client()
	rosa.apiAccount("Rosa")
	juan.apiAccount("Juan")
	carmen.apiAccount("Carmen")
	edwin.apiAccount("Edwin")
	lucia.apiAccount("Lucía")
	intrusa.apiAccount("Intrusa")
	c1 := apiCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101", juan)
	c2 := apiCommittee(t, carmen, "Frente de Defensa de Puno", "210101")
	c3 := apiCommittee(t, edwin, "Comité de Ilave", "210501")
	c4 := apiCommittee(t, lucia, "Comité de Acora", "210102")
	c5 := apiCommittee(t, intrusa, "Comité de Miraflores", "150122")
	var asm struct{ ID int64 }
	rosa.must(201, "POST", "/assemblies", map[string]any{"name": "Asamblea Regional de Puno", "sector": "other", "place": "210000", "level": "regional",
		"seat_rule": map[string]any{"mode": "fixed", "fixed": 1}, "founders": []int64{c1}, "public": true}, &asm)
	ap := "/bodies/" + itoa(asm.ID)
	for _, base := range []struct {
		c    *client
		body int64
	}{{carmen, c2}, {edwin, c3}, {lucia, c4}} {
		var aff struct{ ID int64 }
		base.c.must(201, "POST", "/bodies/"+itoa(base.body)+"/affiliations", map[string]any{"assembly": asm.ID}, &aff)
		rosa.must(204, "POST", ap+"/affiliations/"+itoa(aff.ID)+"/decision", map[string]any{"accept": true}, nil)
	}

	// Bad calls: a clear error with its field, and nothing stored.
	cp := "/bodies/" + itoa(c1) + "/actions"
	start := time.Now().In(store.Lima).Add(-time.Hour).Truncate(time.Minute)
	roadblock := func() map[string]any {
		return map[string]any{"kind": "roadblock", "title": "Bloqueo del puente Maravillas", "description": "Carretera Juliaca–Puno, km 12.",
			"place": "211101", "lat": -15.49512, "lon": -70.13401, "start": start.Format(time.RFC3339),
			"end": start.Add(10 * time.Hour).Format(time.RFC3339), "visibility": "federation"}
	}
	with := func(k string, v any) map[string]any {
		in := roadblock()
		if v == nil {
			delete(in, k)
		} else {
			in[k] = v
		}
		return in
	}
	before := journalLen(t, e.db)
	for _, tc := range []struct {
		name  string
		in    map[string]any
		field string
		msg   string
	}{
		{"end before start", with("end", start.Add(-time.Hour).Format(time.RFC3339)), "end", "después del inicio"},
		{"unknown place", with("place", "999999"), "place", "No conocemos el lugar 999999"},
		{"route of one place", with("route", []string{"211101"}), "route", "Solo una marcha"},
		{"caravan with a route of one place", func() map[string]any { in := with("route", []string{"211101"}); in["kind"] = "caravan"; return in }(), "route", "al menos dos lugares"},
		{"start not a time", with("start", "el lunes"), "start", "RFC 3339"},
		{"no start", with("start", nil), "start", "obligatorio"},
		{"unknown kind", with("kind", "huelga de hambre"), "kind", "tipo de acción"},
		{"unknown field", with("secret", true), "secret", `unknown field \"secret\"`},
		{"outside Peru", with("lat", 40.4), "lat", "fuera del Perú"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rosa.refused(422, `"field":"`+tc.field+`"`, "POST", cp, tc.in)
			rosa.refused(422, tc.msg, "POST", cp, tc.in)
		})
	}
	juan.refused(403, "No tienes permiso", "POST", cp, roadblock())
	if res := rosa.do("POST", "/api/v1"+cp, strings.NewReader(`{"title":"Bloqueo"}`), map[string]string{"Content-Type": "application/json"}); res.status != 403 {
		t.Fatalf("a call without the CSRF token: %d %s", res.status, res.body)
	}
	var list struct{ Actions []actions.Action }
	rosa.must(200, "GET", cp, nil, &list)
	if len(list.Actions) != 0 {
		t.Fatalf("refused calls left actions: %+v", list.Actions)
	}
	if journalLen(t, e.db) != before {
		t.Fatal("refused calls wrote to the journal")
	}

	// The call, and two other bases join.
	var act actions.Action
	res := rosa.must(201, "POST", cp, roadblock(), &act)
	ac := "/actions/" + itoa(act.ID)
	if res.header.Get("Location") != "/api/v1"+ac || act.Status != actions.Called || act.Kind != actions.Roadblock || !act.Start.Equal(start) ||
		act.End == nil || act.Visibility != actions.Federation || act.Mobilised != 2 {
		t.Fatalf("called: %s %+v", res.header.Get("Location"), act)
	}
	carmen.must(200, "POST", ac+"/adhesions", map[string]any{"body_id": c2}, &act)
	edwin.must(200, "POST", ac+"/adhesions", map[string]any{"body_id": c3}, &act)
	if act.Adherents != 2 || act.Mobilised != 4 {
		t.Fatalf("after two adhesions: %+v", act)
	}
	carmen.refused(409, "ya se sumó", "POST", ac+"/adhesions", map[string]any{"body_id": c2})
	rosa.refused(409, "convocó esta acción", "POST", ac+"/adhesions", map[string]any{"body_id": c1})
	carmen.refused(422, `"field":"body_id"`, "POST", ac+"/adhesions", map[string]any{})
	carmen.refused(422, `"field":"body_id"`, "POST", ac+"/adhesions", map[string]any{"body_id": "dos"})

	// An outsider, signed in or not, does not learn that it exists.
	intrusa.refused(404, "No encontramos esa acción", "GET", ac, nil)
	e.client().refused(404, "No encontramos esa acción", "GET", ac, nil)
	intrusa.refused(404, "No encontramos esa acción", "POST", ac+"/adhesions", map[string]any{"body_id": c5})

	// A report with a phone's photo: what is served back has no metadata.
	phone := phoneJPEG(t)
	for _, s := range []string{"Exif", "SecretPhone"} {
		if !bytes.Contains(phone, []byte(s)) {
			t.Fatalf("the test photo lacks %q", s)
		}
	}
	var rep actions.Report
	res = juan.multipart(ac+"/reports", map[string]string{"body_id": itoa(c1), "text": "Bloqueo firme en el puente; llegan los de Ilave."}, phone)
	if res.status != 201 || json.Unmarshal([]byte(res.body), &rep) != nil || rep.PhotoID == 0 || rep.PhotoW != 48 || rep.PhotoH != 32 || rep.BodyID != c1 {
		t.Fatalf("report with a photo: %d %s", res.status, res.body)
	}
	res = juan.api("GET", "/photos/"+itoa(rep.PhotoID), nil)
	if res.status != 200 || res.header.Get("Content-Type") != "image/jpeg" || res.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("photo: %d %v", res.status, res.header)
	}
	for _, s := range []string{"Exif", "SecretPhone", string([]byte{4243 & 0xff, 4243 >> 8, 0, 0, 100, 0, 0, 0})} {
		if strings.Contains(res.body, s) {
			t.Fatalf("the served photo still carries %q", s)
		}
	}
	if cfg, err := jpeg.DecodeConfig(strings.NewReader(res.body)); err != nil || cfg.Width != 48 || cfg.Height != 32 {
		t.Fatalf("the served photo: %v %+v", err, cfg)
	}
	intrusa.refused(404, "No encontramos esa foto", "GET", "/photos/"+itoa(rep.PhotoID), nil)
	e.client().refused(404, "No encontramos esa foto", "GET", "/photos/"+itoa(rep.PhotoID), nil)
	juan.refused(404, "No encontramos esa foto", "GET", "/photos/99999", nil)

	// Carmen reports in JSON; Lucía's base did not join, so she may not.
	carmen.must(201, "POST", ac+"/reports", map[string]any{"body_id": c2, "text": "Cien compañeros de Puno en el km 12."}, &rep)
	before = journalLen(t, e.db)
	lucia.refused(403, "no convocó ni se sumó a esta acción", "POST", ac+"/reports", map[string]any{"body_id": c4, "text": "Vamos en camino."})
	if r := lucia.multipart(ac+"/reports", map[string]string{"body_id": itoa(c4), "text": "Vamos."}, phone); r.status != 403 || !strings.Contains(r.body, "no convocó ni se sumó") {
		t.Fatalf("a multipart report from a base that did not join: %d %s", r.status, r.body)
	}

	// Bad reports: the field at fault, nothing stored.
	for _, tc := range []struct {
		name   string
		do     func() response
		status int
		field  string
	}{
		{"not an image", func() response {
			return juan.multipart(ac+"/reports", map[string]string{"body_id": itoa(c1), "text": "Foto"}, []byte("%PDF-1.4 no soy una foto"))
		}, 422, "photo"},
		{"photo too large", func() response {
			return juan.multipart(ac+"/reports", map[string]string{"body_id": itoa(c1), "text": "Foto"}, append(phone, make([]byte, photos.MaxBytes)...))
		}, 422, "photo"},
		{"request over the limit", func() response {
			return juan.multipart(ac+"/reports", map[string]string{"body_id": itoa(c1), "text": "Foto"}, make([]byte, photos.MaxBytes+256<<10))
		}, 422, "photo"},
		{"empty file", func() response {
			return juan.multipart(ac+"/reports", map[string]string{"body_id": itoa(c1), "text": "Foto"}, []byte{})
		}, 422, "photo"},
		{"no text", func() response {
			return juan.multipart(ac+"/reports", map[string]string{"body_id": itoa(c1)}, phone)
		}, 422, "text"},
		{"text too long", func() response {
			return juan.api("POST", ac+"/reports", map[string]any{"body_id": c1, "text": strings.Repeat("a", actions.ReportMax+1)})
		}, 422, "text"},
		{"no body", func() response {
			return juan.multipart(ac+"/reports", map[string]string{"text": "Foto"}, phone)
		}, 422, "body_id"},
		{"body not a number", func() response {
			return juan.multipart(ac+"/reports", map[string]string{"body_id": "Juliaca", "text": "Foto"}, nil)
		}, 422, "body_id"},
		{"unknown field", func() response {
			return juan.multipart(ac+"/reports", map[string]string{"body_id": itoa(c1), "text": "Foto", "gps": "-15.49,-70.13"}, nil)
		}, 422, "gps"},
		{"no CSRF token", func() response {
			saved := juan.csrf
			juan.csrf = ""
			defer func() { juan.csrf = saved }()
			return juan.multipart(ac+"/reports", map[string]string{"body_id": itoa(c1), "text": "Foto"}, phone)
		}, 403, ""},
		{"plain text", func() response {
			return juan.do("POST", "/api/v1"+ac+"/reports", strings.NewReader("Foto"), map[string]string{"Content-Type": "text/plain", "X-CSRF-Token": juan.csrf})
		}, 422, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.do()
			var out struct {
				Error struct{ Code, Message, Field string }
			}
			json.Unmarshal([]byte(res.body), &out)
			if res.status != tc.status || out.Error.Field != tc.field || out.Error.Message == "" {
				t.Fatalf("got %d %s; want %d, field %q", res.status, res.body, tc.status, tc.field)
			}
		})
	}
	if journalLen(t, e.db) != before {
		t.Fatal("refused reports wrote to the journal")
	}

	// The action's page, as a member of the caller sees it.
	type actionPage struct {
		Action    actions.Action
		Adhesions []actions.Adhesion
		Reports   []actions.Report
		Manage    bool                 `json:"can_manage"`
		ReportFor []struct{ ID int64 } `json:"report_for"`
		AdhereFor []struct{ ID int64 } `json:"adhere_for"`
	}
	pageOf := func(c *client, path string) (p actionPage) {
		t.Helper()
		c.must(200, "GET", path, nil, &p)
		return p
	}
	if p := pageOf(juan, ac); p.Action.ID != act.ID || len(p.Adhesions) != 2 || len(p.Reports) != 2 || p.Reports[1].AuthorName != "Juan" ||
		p.Manage || len(p.ReportFor) != 1 || p.ReportFor[0].ID != c1 {
		t.Fatalf("the action's page for Juan: %+v", p)
	}
	if p := pageOf(rosa, ac); !p.Manage {
		t.Fatalf("Rosa may not manage her committee's action: %+v", p)
	}
	if p := pageOf(lucia, ac+"?before="+itoa(rep.ID)); len(p.Reports) != 1 || p.Reports[0].AuthorName != "" || len(p.AdhereFor) != 1 || p.AdhereFor[0].ID != c4 {
		t.Fatalf("the action's page for Lucía, older reports: %+v", p)
	}
	lucia.refused(422, `"field":"before"`, "GET", ac+"?before=ayer", nil)

	// Its course: ongoing, then repressed; a correction.
	juan.refused(403, "No tienes permiso", "POST", ac+"/status", map[string]string{"status": "ongoing"})
	rosa.refused(422, `"field":"status"`, "POST", ac+"/status", map[string]string{"status": "victorious"})
	rosa.refused(422, `"field":"status"`, "POST", ac+"/status", map[string]string{})
	rosa.must(200, "POST", ac+"/status", map[string]string{"status": "ongoing"}, &act)
	if act.Status != actions.Ongoing {
		t.Fatalf("status: %+v", act)
	}
	rosa.refused(409, "no pasa de", "POST", ac+"/status", map[string]string{"status": "called"})
	carmen.refused(422, `"field":"repressed"`, "POST", ac+"/repressed", map[string]any{"body_id": c2})
	lucia.refused(403, "no convocó ni se sumó", "POST", ac+"/repressed", map[string]any{"body_id": c4, "repressed": true})
	carmen.must(200, "POST", ac+"/repressed", map[string]any{"body_id": c2, "repressed": true}, &act)
	if !act.Repressed || act.RepressedAt == nil {
		t.Fatalf("repressed: %+v", act)
	}
	edited := roadblock()
	edited["title"] = "Bloqueo del puente Maravillas y de la vía a Arequipa"
	rosa.must(200, "PUT", ac, edited, &act)
	if act.Title != edited["title"] || act.Status != actions.Ongoing {
		t.Fatalf("edited: %+v", act)
	}
	rosa.refused(422, `"field":"end"`, "PUT", ac, with("end", start.Format(time.RFC3339)))
	juan.refused(403, "No tienes permiso", "PUT", ac, edited)

	// Ilave also calls a public march from Ilave to Puno, tomorrow.
	var march actions.Action
	edwin.must(201, "POST", "/bodies/"+itoa(c3)+"/actions", map[string]any{"kind": "march", "title": "Marcha de Ilave a Puno",
		"route": []string{"210501", "210101"}, "start": start.Add(24 * time.Hour).Format(time.RFC3339), "visibility": "public"}, &march)
	if march.Place != "210501" || len(march.Route) != 2 || march.End != nil {
		t.Fatalf("march: %+v", march)
	}
	edwin.must(200, "GET", "/bodies/"+itoa(c3)+"/actions", nil, &list)
	if len(list.Actions) != 2 || list.Actions[0].ID != march.ID || list.Actions[1].ID != act.ID {
		t.Fatalf("Ilave's actions (called and joined): %+v", list.Actions)
	}
	edwin.must(204, "DELETE", ac+"/adhesions/"+itoa(c3), nil, nil)
	edwin.refused(404, "no convocó ni se sumó", "DELETE", ac+"/adhesions/"+itoa(c3), nil)
	edwin.must(200, "GET", "/bodies/"+itoa(c3)+"/actions?limit=5", nil, &list)
	if len(list.Actions) != 1 {
		t.Fatalf("Ilave's actions after leaving the roadblock: %+v", list.Actions)
	}

	// The assembly's coordinating view.
	var co store.Coordination
	lucia.must(200, "GET", ap+"/coordination", nil, &co)
	if co.Public || co.Summary.Total != 2 || co.Summary.ByKind[actions.Roadblock] != 1 || co.Summary.ByKind[actions.March] != 1 ||
		co.Summary.ByStatus[actions.Ongoing] != 1 || co.Summary.ByStatus[actions.Called] != 1 || co.Summary.ByDepartment["21"] != 2 ||
		len(co.Timeline) != 2 || co.Timeline[0].ID != march.ID || co.Next != "" {
		t.Fatalf("coordination: %+v", co)
	}
	lucia.must(200, "GET", ap+"/coordination?kind=march&active=true&department=21", nil, &co)
	if co.Summary.Total != 1 || len(co.Timeline) != 1 || co.Timeline[0].ID != march.ID {
		t.Fatalf("coordination of marches: %+v", co)
	}
	day := start.Format(time.DateOnly)
	lucia.must(200, "GET", ap+"/coordination?status=ongoing&from="+day+"&to="+start.Add(48*time.Hour).Format(time.DateOnly), nil, &co)
	if co.Summary.Total != 1 || co.Summary.ByStatus[actions.Ongoing] != 1 || len(co.Timeline) != 1 || co.Timeline[0].ID != act.ID {
		t.Fatalf("coordination of ongoing actions: %+v", co)
	}
	e.client().must(200, "GET", ap+"/coordination", nil, &co)
	if !co.Public || co.Summary.Total != 1 || len(co.Timeline) != 1 || co.Timeline[0].ID != march.ID {
		t.Fatalf("the public's coordination: %+v", co)
	}
	for _, tc := range []struct{ query, field string }{
		{"kind=huelga", "kind"},
		{"status=victorious", "status"},
		{"active=maybe", "active"},
		{"department=Puno", "department"},
		{"from=ayer", "from"},
		{"to=2026-13-01", "to"},
		{"from=2026-01-05&to=2026-01-04", "to"},
		{"cursor=abc", "cursor"},
	} {
		lucia.refused(422, `"field":"`+tc.field+`"`, "GET", ap+"/coordination?"+tc.query, nil)
	}

	// The daily summary of the day the roadblock started, and of today.
	var daily store.Daily
	lucia.must(200, "GET", ap+"/coordination/daily?day="+day, nil, &daily)
	if daily.Day != day || len(daily.Started) != 1 || daily.Started[0].ID != act.ID || daily.Ongoing != 1 {
		t.Fatalf("daily summary of %s: %+v", day, daily)
	}
	lucia.must(200, "GET", ap+"/coordination/daily", nil, &daily)
	if daily.Day != time.Now().In(store.Lima).Format(time.DateOnly) || len(daily.Repressed) != 1 || daily.Repressed[0].ID != act.ID {
		t.Fatalf("today's summary: %+v", daily)
	}
	lucia.refused(422, `"field":"day"`, "GET", ap+"/coordination/daily?day=04/01/2026", nil)
	intrusa.must(200, "GET", ap+"/coordination/daily?day="+day, nil, &daily)
	if !daily.Public || len(daily.Started) != 0 || daily.Ongoing != 0 {
		t.Fatalf("an outsider's daily summary: %+v", daily)
	}

	// Public actions: the march only.
	for _, path := range []string{"/actions", "/actions?body=" + itoa(asm.ID), "/actions?body=" + itoa(c3) + "&limit=10"} {
		e.client().must(200, "GET", path, nil, &list)
		if len(list.Actions) != 1 || list.Actions[0].ID != march.ID {
			t.Fatalf("%s: %+v", path, list.Actions)
		}
	}
	e.client().must(200, "GET", "/bodies/"+itoa(c1)+"/actions", nil, &list)
	if len(list.Actions) != 0 {
		t.Fatalf("the public sees Juliaca's federation roadblock: %+v", list.Actions)
	}
	if p := pageOf(e.client(), "/actions/"+itoa(march.ID)); p.Action.ID != march.ID || p.Manage || p.AdhereFor != nil || p.ReportFor != nil {
		t.Fatalf("the public march's page for a visitor: %+v", p)
	}
	e.client().refused(422, `"field":"body"`, "GET", "/actions?body=Puno", nil)
	e.client().refused(422, `"field":"limit"`, "GET", "/actions?limit=0", nil)
	if _, err := e.db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
}
