package server_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"asamblea/actions"
	"asamblea/i18n"
	"asamblea/photos"
	"asamblea/places"
	"asamblea/store"
)

// acAssembly has rosa found a provincial assembly with her committee, and
// ana's committee join it; it returns the assembly's path.
func acAssembly(t *testing.T, rosa, ana *client, rosaBody, anaBody string) string {
	t.Helper()
	form := url.Values{"founders": {strings.TrimPrefix(rosaBody, "/bodies/")}, "name": {"Asamblea Provincial de San Román"}, "level": {"provincial"},
		"sector": {"other"}, "place_q": {"211100"}, "seat_mode": {"fixed"}, "seat_fixed": {"2"}, "public": {"on"}}
	asm := moOK(t, rosa, "/assemblies/new", "/assemblies", form)
	moOK(t, ana, anaBody, anaBody+"/affiliations", url.Values{"assembly": {strings.TrimPrefix(asm, "/bodies/")}})
	m := regexp.MustCompile(`action="(` + asm + `/affiliations/\d+/decide)"`).FindStringSubmatch(rosa.get(asm).body)
	if m == nil {
		t.Fatal("the affiliation request is not on the assembly's page")
	}
	moOK(t, rosa, asm, m[1], url.Values{"decision": {"accept"}})
	return asm
}

// acForm is the call form filled in for a roadblock.
func acForm(title string, start time.Time) url.Values {
	return url.Values{"kind": {"roadblock"}, "title": {title}, "description": {"Bloqueo pacífico del puente."}, "place_q": {"211101"},
		"start": {start.In(store.Lima).Format("2006-01-02T15:04")}, "visibility": {"public"}}
}

// exifJPEG is a small JPEG as a phone writes it: an APP1 segment of EXIF
// whose GPS directory says where it was taken, and a maker's note naming the
// phone.
func exifJPEG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, nil); err != nil {
		t.Fatal(err)
	}
	// TIFF, big-endian: IFD0 with a pointer to the GPS IFD, which holds
	// GPSLatitudeRef "S" and the latitude's marker text.
	var tiff bytes.Buffer
	be := binary.BigEndian
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, be, uint32(8))
	binary.Write(&tiff, be, uint16(1))                                         // IFD0: one entry
	binary.Write(&tiff, be, []uint16{0x8825, 4})                               // GPSInfo, LONG
	binary.Write(&tiff, be, []uint32{1, 26})                                   // count 1, GPS IFD at 26
	binary.Write(&tiff, be, uint32(0))                                         // no next IFD
	binary.Write(&tiff, be, uint16(2))                                         // GPS IFD: two entries
	binary.Write(&tiff, be, []uint16{1, 2})                                    // GPSLatitudeRef, ASCII
	binary.Write(&tiff, be, uint32(2))                                         // count 2
	tiff.WriteString("S\x00\x00\x00")                                          // "S"
	binary.Write(&tiff, be, []uint16{0x1b, 7})                                 // GPSProcessingMethod, UNDEFINED
	binary.Write(&tiff, be, []uint32{uint32(len(gpsMarker)), 26 + 2 + 24 + 4}) // after this IFD
	binary.Write(&tiff, be, uint32(0))
	tiff.WriteString(gpsMarker)
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	var out bytes.Buffer
	out.Write(enc.Bytes()[:2]) // SOI
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, be, uint16(len(seg)+2))
	out.Write(seg)
	out.Write(enc.Bytes()[2:])
	if _, err := jpeg.Decode(bytes.NewReader(out.Bytes())); err != nil {
		t.Fatalf("the test photo is not a JPEG: %v", err)
	}
	return out.Bytes()
}

const gpsMarker = "GPS-15.49990S-70.13340W-Samsung-SM-A146"

// postReport sends the report form as a browser does: multipart, the CSRF
// token of the action's page first, then the fields, the file last.
func (c *client) postReport(action string, fields url.Values, file string, data []byte) response {
	c.e.t.Helper()
	m := csrfField.FindStringSubmatch(c.get(action).body)
	if m == nil {
		c.e.t.Fatalf("no CSRF token on %s", action)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", m[1])
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("photo", file)
	fw.Write(data)
	mw.Close()
	return c.do("POST", action+"/reports", &body, map[string]string{"Content-Type": mw.FormDataContentType()})
}

// TestActionPages follows a roadblock and a march through the pages: called
// by a committee's facilitator (a bad end comes back with the title kept),
// joined by another committee of the assembly, reported on with a photo
// that loses its GPS position, seen on the assembly's coordinating view,
// map and daily summary, and in the public calendar, which carries the
// public action only. An outsider finds neither the march nor its photo.
func TestActionPages(t *testing.T) {
	e := newEnv(t)
	cs := moPeople(e, "Rosa", "Juan", "Ana", "Intrusa")
	rosa, juan, ana, intrusa := cs[0], cs[1], cs[2], cs[3]
	anon := e.client()
	juliaca := moCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101", juan)
	caracoto := moCommittee(t, ana, "Frente de Defensa de Caracoto", "211102")
	asm := acAssembly(t, rosa, ana, juliaca, caracoto)
	jid := strings.TrimPrefix(juliaca, "/bodies/")

	moHas(t, rosa, juliaca, `href="`+juliaca+`/actions"`)
	moHas(t, rosa, asm, `href="`+asm+`/coordination"`)
	moHas(t, rosa, juliaca+"/actions", `href="`+juliaca+`/actions/new"`)
	if body := juan.get(juliaca + "/actions").body; strings.Contains(body, "/actions/new") {
		t.Error("a plain member is offered to call an action")
	}

	// An end before the start comes back with everything written.
	start := time.Now().Add(24 * time.Hour).Truncate(time.Hour)
	bad := acForm("Bloqueo del puente Maravillas", start)
	bad.Set("end", start.Add(-2*time.Hour).In(store.Lima).Format("2006-01-02T15:04"))
	res := moRefused(t, rosa, juliaca+"/actions/new", juliaca+"/actions", bad, http.StatusUnprocessableEntity, "El fin debe ser después del inicio.")
	for _, want := range []string{`value="Bloqueo del puente Maravillas"`, "Bloqueo pacífico del puente.", `value="roadblock" selected`, "Juliaca — San Román, Puno (211101)"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the form lost %q", want)
		}
	}
	if juan.post(juliaca+"/actions", juliaca+"/actions", acForm("Bloqueo de Juan", start)).status != http.StatusForbidden {
		t.Error("a plain member called an action")
	}

	// The public roadblock, open-ended.
	road := moOK(t, rosa, juliaca+"/actions/new", juliaca+"/actions", acForm("Bloqueo del puente Maravillas", start))
	moHas(t, anon, road, "Bloqueo del puente Maravillas", "Bloqueo de vías", "Convocada", "indefinida, hasta que se levante", "Juliaca — San Román, Puno", "Comité de Lucha de Juliaca")

	// A march along a route, for the assembly's bodies only.
	march := acForm("Marcha de Juliaca a Puno", start.Add(48*time.Hour))
	march.Set("kind", "march")
	march.Set("visibility", "federation")
	march.Del("place_q")
	march["route"] = []string{"211101", "", "210101", ""}
	march.Set("end", start.Add(56*time.Hour).In(store.Lima).Format("2006-01-02T15:04"))
	mpath := moOK(t, rosa, juliaca+"/actions/new", juliaca+"/actions", march)
	moHas(t, rosa, mpath, "<ol><li>Juliaca — San Román, Puno</li><li>Puno — Puno, Puno</li></ol>", "Marcha", "Para las organizaciones de sus asambleas")

	// An outsider, signed in or not, finds nothing of the march.
	for _, c := range []*client{intrusa, anon} {
		if res := c.get(mpath); res.status != http.StatusNotFound || strings.Contains(res.body, "Marcha de Juliaca") {
			t.Fatalf("an outsider reads the federation's march: %d", res.status)
		}
	}

	// Ana's committee, under the same assembly, joins the march.
	page := moHas(t, ana, mpath, "Sumarse en nombre de Frente de Defensa de Caracoto")
	if strings.Contains(page, "/status") {
		t.Error("another body's facilitator may change the march's status")
	}
	res = ana.post(mpath, mpath+"/adhere", url.Values{"body": {strings.TrimPrefix(caracoto, "/bodies/")}})
	moLocation(t, res, "adhere")
	moHas(t, ana, res.header.Get("Location"), "Tu organización se sumó a la acción.", `<a href="`+caracoto+`">Frente de Defensa de Caracoto</a>`, "1 organización adherida", "Retirar la adhesión de Frente de Defensa de Caracoto")
	moRefused(t, ana, mpath, mpath+"/adhere", url.Values{"body": {strings.TrimPrefix(caracoto, "/bodies/")}}, http.StatusConflict, "Tu organización ya se sumó a esta acción.")

	// Juan reports with a photo straight from his phone: what is served
	// carries the pixels and nothing else.
	original := exifJPEG(t)
	res = juan.postReport(mpath, url.Values{"body": {jid}, "text": {"Ya somos dos mil en la plaza de armas."}}, "IMG_20260315_081500.jpg", original)
	if res.status != http.StatusSeeOther {
		t.Fatalf("report with a photo: %d\n%s", res.status, res.body)
	}
	page = moHas(t, juan, res.header.Get("Location"), "Reporte publicado.", "Ya somos dos mil en la plaza de armas.", `loading="lazy"`)
	m := regexp.MustCompile(`<img src="(/photos/\d+)" width="64" height="48"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no photo on the page:\n%s", page)
	}
	photo := m[1]
	res = juan.get(photo)
	if res.status != 200 || res.header.Get("Content-Type") != "image/jpeg" || res.header.Get("Cache-Control") != "private, no-store" || res.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("photo: %d %v", res.status, res.header)
	}
	for _, leak := range []string{"Exif", "GPS", "Samsung", "-15.49"} {
		if strings.Contains(res.body, leak) {
			t.Errorf("the served photo still holds %q", leak)
		}
	}
	if !strings.Contains(string(original), "Exif") || !strings.Contains(string(original), gpsMarker) {
		t.Fatal("the test photo carries no EXIF")
	}
	if _, err := jpeg.Decode(strings.NewReader(res.body)); err != nil {
		t.Fatalf("the served photo is not a JPEG: %v", err)
	}
	for _, c := range []*client{intrusa, anon} {
		if res := c.get(photo); res.status != http.StatusNotFound || len(res.body) > 0 && res.body[0] == 0xFF {
			t.Errorf("an outsider gets the photo: %d", res.status)
		}
	}
	if ana.get(photo).status != 200 {
		t.Error("the adhering body's facilitator cannot see the photo")
	}

	// A photo too large, or not a photo: the error, and the text kept.
	huge := append([]byte{0xFF, 0xD8, 0xFF}, make([]byte, photos.MaxBytes)...)
	res = juan.postReport(mpath, url.Values{"body": {jid}, "text": {"La policía cerró el puente."}}, "grande.jpg", huge)
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "La foto no puede pesar más de 8 MB.") || !strings.Contains(res.body, ">La policía cerró el puente.</textarea>") {
		t.Fatalf("a photo over the limit: %d\n%.2000s", res.status, res.body)
	}
	res = juan.postReport(mpath, url.Values{"body": {jid}, "text": {"Llegan refuerzos."}}, "nota.txt", []byte("esto no es una foto"))
	if res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "No es una foto que podamos leer") || !strings.Contains(res.body, ">Llegan refuerzos.</textarea>") {
		t.Fatalf("not a photo: %d", res.status)
	}
	// A report without a photo, and one with a forged token.
	if res := juan.postReport(road, url.Values{"body": {jid}, "text": {"Todo tranquilo por ahora."}}, "", nil); res.status != http.StatusSeeOther {
		t.Fatalf("report without a photo: %d\n%s", res.status, res.body)
	}
	var forged bytes.Buffer
	mw := multipart.NewWriter(&forged)
	mw.WriteField("csrf", strings.Repeat("x", 43))
	mw.WriteField("text", "Falso")
	fw, _ := mw.CreateFormFile("photo", "a.jpg")
	fw.Write(original)
	mw.Close()
	if res := juan.do("POST", road+"/reports", &forged, map[string]string{"Content-Type": mw.FormDataContentType()}); res.status != http.StatusForbidden {
		t.Fatalf("a report with a forged CSRF token: %d", res.status)
	}
	if res := intrusa.postReport(road, url.Values{"body": {jid}, "text": {"Soy de fuera."}}, "", nil); res.status != http.StatusForbidden {
		t.Fatalf("an outsider reports: %d", res.status)
	}

	// The facilitator moves the roadblock on, marks the march repressed,
	// and corrects the roadblock's title.
	moOK(t, rosa, road, road+"/status", url.Values{"status": {"ongoing"}})
	moHas(t, anon, road, "En curso")
	moRefused(t, rosa, road, road+"/status", url.Values{"status": {"called"}}, http.StatusConflict, "Una acción no pasa")
	moOK(t, rosa, mpath, mpath+"/repressed", url.Values{"body": {jid}})
	moHas(t, ana, mpath, "Reprimida", "Los registros de represión de esta acción se enlazarán aquí cuando existan.")
	moHas(t, rosa, road+"/edit", `value="Bloqueo del puente Maravillas"`, `name="place_q" value="Juliaca — San Román, Puno (211101)"`)
	edit := acForm("Bloqueo indefinido del puente Maravillas", start)
	moOK(t, rosa, road+"/edit", road, edit)
	moHas(t, anon, road, "Bloqueo indefinido del puente Maravillas")

	// The assembly's coordinating view: totals, the map by department
	// (each linking to the view narrowed to it), the timeline, filters.
	coord := asm + "/coordination"
	page = moHas(t, rosa, coord, "<svg", "Puno: 2 acciones", `href="`+coord+`?department=21"`, "Bloqueo indefinido del puente Maravillas", "Marcha de Juliaca a Puno",
		"Bloqueo de vías <strong>1</strong>", "Reprimida", `rel="alternate" type="text/calendar"`, `href="`+asm+`/actions.atom"`)
	if strings.Contains(page, "Ves solo las acciones públicas") {
		t.Error("a member of the assembly's bodies is told she sees public actions only")
	}
	page = moHas(t, rosa, coord+"?kind=march", "Marcha de Juliaca a Puno", "Puno: 1 acción")
	if strings.Contains(page, "Bloqueo indefinido") {
		t.Error("the kind filter lets a roadblock through")
	}
	moHas(t, rosa, coord+"?department=15", "Ninguna acción con estos filtros.")
	moHas(t, rosa, coord+"?status=ongoing", "Bloqueo indefinido del puente Maravillas")
	if res := rosa.get(coord + "?from=2026-13-45"); res.status != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Escribe la fecha como AAAA-MM-DD.") {
		t.Errorf("a bad date in the filter: %d", res.status)
	}
	page = moHas(t, anon, coord, "Ves solo las acciones públicas", "Bloqueo indefinido del puente Maravillas")
	if strings.Contains(page, "Marcha de Juliaca") {
		t.Error("the public coordinating view shows a federation action")
	}

	// The daily summary of the roadblock's first day, with the needs still
	// open for the federation's eyes only.
	if _, err := e.db.PostNeed(context.Background(), meetingUser(t, e, "Rosa"), 1, actions.NeedInput{
		SupplyInput: actions.SupplyInput{Kind: actions.Water, Quantity: 200, Unit: "litros", Description: "Para el bloqueo del puente", Place: "211101"}}, places.Peru().Valid); err != nil {
		t.Fatal(err)
	}
	day := start.In(store.Lima).Format(time.DateOnly)
	daily := asm + "/coordination/daily?day=" + day
	page = moHas(t, rosa, daily, "Empezó 1 acción", "Bloqueo indefinido del puente Maravillas", "1 acción en curso ahora",
		"?day="+start.In(store.Lima).AddDate(0, 0, -1).Format(time.DateOnly), "Necesidades todavía abiertas", "Agua", "faltan 200 de 200 litros")
	if strings.Contains(page, "Marcha de Juliaca") {
		t.Error("the daily summary lists the march on the roadblock's day")
	}
	page = moHas(t, anon, daily, "Bloqueo indefinido del puente Maravillas")
	if strings.Contains(page, "litros") {
		t.Error("the public daily summary shows the federation's needs")
	}

	// The public calendars and feeds carry the public action only.
	for _, path := range []string{"/actions.ics", asm + "/actions.ics", juliaca + "/actions.ics"} {
		res := anon.get(path)
		if res.status != 200 || res.header.Get("Content-Type") != "text/calendar; charset=utf-8" {
			t.Fatalf("GET %s: %d %s", path, res.status, res.header.Get("Content-Type"))
		}
		cal, err := goical.NewDecoder(strings.NewReader(res.body)).Decode()
		if err != nil {
			t.Fatalf("%s does not parse: %v\n%s", path, err, res.body)
		}
		evs := cal.Events()
		if len(evs) != 1 {
			t.Fatalf("%s: %d events, want the roadblock only\n%s", path, len(evs), res.body)
		}
		summary, _ := evs[0].Props.Text(goical.PropSummary)
		loc, _ := evs[0].Props.Text(goical.PropLocation)
		if summary != "Bloqueo de vías: Bloqueo indefinido del puente Maravillas" || loc != "Juliaca — San Román, Puno" {
			t.Errorf("%s: event %q at %q", path, summary, loc)
		}
		if st, err := evs[0].DateTimeStart(time.UTC); err != nil || !st.Equal(start) {
			t.Errorf("%s: starts %v (%v), want %v", path, st, err, start)
		}
		if evs[0].Props.Get(goical.PropDateTimeEnd) != nil || evs[0].Props.Get("X-ASAMBLEA-OPEN-END") == nil {
			t.Errorf("%s: the open-ended roadblock has an end", path)
		}
		if strings.Contains(res.body, "Marcha de Juliaca") {
			t.Errorf("%s carries the federation's march", path)
		}
	}
	for _, path := range []string{"/actions.atom", asm + "/actions.atom"} {
		f := moFeed(t, anon, path)
		if len(f.Entries) != 1 || !strings.Contains(f.Entries[0].Title, "Bloqueo indefinido del puente Maravillas") || !strings.HasSuffix(f.Entries[0].Link.Href, road) {
			t.Errorf("%s: %+v", path, f.Entries)
		}
	}
	moHas(t, anon, "/actions", "Bloqueo indefinido del puente Maravillas", `href="/actions.ics"`)

	// Every page stays light.
	for _, path := range []string{road, mpath, juliaca + "/actions/new", juliaca + "/actions", coord, asm + "/coordination/daily", "/actions"} {
		moLight(t, rosa, path)
	}
}

// TestCoordinationTimeline: an assembly's view of many actions pages
// through them 25 at a time, keeping its filter, and stays within the page
// budget with long titles and descriptions.
func TestCoordinationTimeline(t *testing.T) {
	e := newEnv(t)
	cs := moPeople(e, "Rosa", "Ana")
	rosa, ana := cs[0], cs[1]
	juliaca := moCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101")
	caracoto := moCommittee(t, ana, "Frente de Defensa de Caracoto", "211102")
	asm := acAssembly(t, rosa, ana, juliaca, caracoto)
	ctx := context.Background()
	valid := places.Peru().Valid
	start := time.Now().Add(time.Hour).Truncate(time.Minute)
	for i := range 32 {
		kind := actions.Strike
		if i%4 == 0 {
			kind = actions.Roadblock
		}
		in := actions.Input{Kind: kind, Title: fmt.Sprintf("Acción %02d %s", i, strings.Repeat("con un título largo ", 5)), Description: strings.Repeat("Descripción larga. ", 100),
			Place: []string{"211101", "210101", "080101", "040101"}[i%4], Start: start.Add(time.Duration(i) * time.Hour), Visibility: actions.Public}
		if _, err := e.db.CallAction(ctx, meetingUser(t, e, "Rosa"), 1, in, valid); err != nil {
			t.Fatal(err)
		}
	}
	coord := asm + "/coordination"
	page := moHas(t, ana, coord, "32 acciones", "Acción 31", "Acción 07", "Cusco: 8 acciones")
	if strings.Contains(page, "Acción 06") {
		t.Error("the first page goes past 25 actions")
	}
	next := regexp.MustCompile(`<a href="(/bodies/\d+/coordination\?cursor=[^"]+)">Siguiente</a>`).FindStringSubmatch(page)
	if next == nil {
		t.Fatal("no next page")
	}
	page = moHas(t, ana, strings.ReplaceAll(next[1], "&amp;", "&"), "Acción 06", "Acción 00")
	if strings.Contains(page, "Acción 07") || strings.Contains(page, ">Siguiente<") {
		t.Error("the second page repeats the first, or goes on")
	}
	page = moHas(t, ana, coord+"?kind=roadblock&department=21", "Puno: 8 acciones", "Acción 28", `href="`+coord+`?department=08&amp;kind=roadblock"`)
	if strings.Contains(page, "Acción 31") {
		t.Error("the kind filter lets a strike through")
	}
	moLight(t, ana, coord)
	moLight(t, ana, juliaca+"/actions")
	moLight(t, ana, "/actions")
}

// TestActionCatalogKeys: every kind, status and visibility of an action
// reads in every language, as do the form's flashes.
func TestActionCatalogKeys(t *testing.T) {
	cat := i18n.MustLoad()
	var keys []string
	for _, k := range actions.Kinds {
		keys = append(keys, "action.kind."+string(k))
	}
	for _, s := range actions.Statuses {
		keys = append(keys, "action.status."+string(s))
	}
	for _, v := range actions.Visibilities {
		keys = append(keys, "action.visibility."+string(v), "action.seen_by."+string(v))
	}
	for _, k := range keys {
		for _, lang := range i18n.Supported {
			if !cat.Has(lang, k) {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
}
