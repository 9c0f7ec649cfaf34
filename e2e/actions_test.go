package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asamblea/bodies"
	"asamblea/federation"
	"asamblea/places"
	"asamblea/store"
)

// TestCoordinatedAction is issue #6's scenario in a real browser: a
// committee calls a roadblock on the Juliaca–Puno highway (a first try with
// its end before its start is refused, nothing lost); two other committees
// of the regional assembly join it; a member posts a situation report with
// a phone photo whose GPS metadata is gone once stored; the calling
// committee needs water, another committee offers it, the system proposes
// the match, the offer is pledged and its arrival confirmed; the assembly's
// coordinating view shows the roadblock on its map and timeline.
func TestCoordinatedAction(t *testing.T) {
	requireChromium(t)
	start := time.Now()
	db, base := startServer(t)
	out := shotDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	bg := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("set-up: %s: %v", what, err)
		}
	}
	password := func(name string) string { return "contraseña de " + name + " 2023" }

	// Three committees of the Asamblea Regional de Puno, set up through the
	// store as the pages would.
	committees := []struct {
		name, place string
		members     []string
		id          int64
	}{
		{"Comité de Lucha de Juliaca", "211101", []string{"Rosa", "Juan", "Carmen"}, 0},
		{"Comité de Defensa de Puno", "210101", []string{"Yola", "Fermín"}, 0},
		{"Comité de Huancané", "210601", []string{"Hilda", "Pedro"}, 0},
	}
	ids := map[string]int64{}
	for i := range committees {
		c := &committees[i]
		for _, n := range c.members {
			u, err := db.CreateUser(bg, fastHasher, n, password(n), "es")
			must("user "+n, err)
			ids[n] = u.ID
		}
		b, err := db.CreateCommittee(bg, ids[c.members[0]], bodies.Input{Name: c.name, Sector: "campesinos", Place: c.place, Public: true}, places.Peru().Valid)
		must(c.name, err)
		c.id = b.ID
		inv, err := db.CreateInvitation(bg, ids[c.members[0]], c.id, bodies.InvitationInput{MaxUses: 5, Days: 1})
		must("invitation", err)
		for _, n := range c.members[1:] {
			_, err := db.Join(bg, ids[n], inv.Code)
			must(n+" joins", err)
		}
	}
	juliaca, puno, huancane := committees[0].id, committees[1].id, committees[2].id
	region, err := db.CreateAssembly(bg, ids["Rosa"], store.AssemblyInput{Input: bodies.Input{Name: "Asamblea Regional de Puno", Sector: "other", Place: "210000", Public: true},
		Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 1}, Founders: []int64{juliaca}}, places.Peru().Valid)
	must("assembly", err)
	for _, b := range []struct {
		id  int64
		fac string
	}{{puno, "Yola"}, {huancane, "Hilda"}} {
		f, err := db.RequestAffiliation(bg, ids[b.fac], b.id, region.ID, "Por mandato de la asamblea de base")
		must("affiliation", err)
		must("accept", db.DecideAffiliation(bg, ids["Rosa"], region.ID, f.ID, true, ""))
	}

	browser := startBrowser(t, ctx)
	rosa := newPerson(t, browser, base, "Rosa")
	juan := newPerson(t, browser, base, "Juan")
	yola := newPerson(t, browser, base, "Yola")
	hilda := newPerson(t, browser, base, "Hilda")
	for _, p := range []*person{rosa, juan, yola, hilda} {
		p.login(password(p.name))
	}

	// Rosa calls the roadblock. Her first try ends before it starts: the
	// form comes back with the error and everything she wrote.
	const title = "Bloqueo de la carretera Juliaca–Puno"
	lima := time.FixedZone("PET", -5*3600)
	tomorrow := time.Now().In(lima).AddDate(0, 0, 1)
	at := func(hour int) string {
		return time.Date(tomorrow.Year(), tomorrow.Month(), tomorrow.Day(), hour, 0, 0, 0, lima).Format("2006-01-02T15:04")
	}
	rosa.open(fmt.Sprintf("/bodies/%d/actions", juliaca))
	rosa.click(fmt.Sprintf(`main a[href="/bodies/%d/actions/new"]`, juliaca), http.StatusOK)
	rosa.run("fill the call",
		chromedp.SetValue("#kind", "roadblock", chromedp.ByQuery),
		chromedp.SendKeys("#title", title, chromedp.ByQuery),
		chromedp.SendKeys("#description", "Puente Maravillas, km 12. Turnos de seis horas por comunidad.", chromedp.ByQuery),
		chromedp.SetValue("#place_q", "Juliaca", chromedp.ByQuery),
		chromedp.SetValue("#lat", "-15.4951", chromedp.ByQuery),
		chromedp.SetValue("#lon", "-70.1340", chromedp.ByQuery),
		chromedp.SetValue("#start", at(5), chromedp.ByQuery),
		chromedp.SetValue("#end", at(4), chromedp.ByQuery),
		chromedp.Click(`input[name=visibility][value=federation]`, chromedp.ByQuery),
	)
	rosa.click(`main form button[type=submit]`, http.StatusUnprocessableEntity)
	rosa.expectText("main #end ~ small.error", "El fin debe ser después del inicio", false)
	var kept string
	rosa.run("read the kept title", chromedp.Value("#title", &kept, chromedp.ByQuery))
	if kept != title {
		rosa.fatalf("the title was not kept: %q", kept)
	}
	if as, err := db.BodyActions(bg, ids["Rosa"], juliaca, 10); err != nil || len(as) != 0 {
		t.Fatalf("a refused call left %d actions (%v)", len(as), err)
	}
	// An indefinite roadblock: no end.
	rosa.run("clear the end", chromedp.SetValue("#end", "", chromedp.ByQuery))
	rosa.click(`main form button[type=submit]`, http.StatusOK)
	rosa.expectText("main h1", title, true)
	as, err := db.BodyActions(bg, ids["Rosa"], juliaca, 10)
	if err != nil || len(as) != 1 {
		t.Fatalf("actions of Juliaca: %v %v", as, err)
	}
	action := as[0]
	rosa.expectPath(fmt.Sprintf("/actions/%d", action.ID))
	if action.End != nil || action.Place != "211101" || action.Lat == nil {
		t.Fatalf("stored: %+v", action)
	}

	// Yola and Hilda join it in their committees' names.
	for _, p := range []*person{yola, hilda} {
		p.open(fmt.Sprintf("/actions/%d", action.ID))
		p.click(fmt.Sprintf(`main form[action="/actions/%d/adhere"] button`, action.ID), http.StatusOK)
	}
	hilda.expectText("main", "Comité de Defensa de Puno", false)
	hilda.expectText("main", "Comité de Huancané", false)
	hilda.expectText("main", "2 organizaciones", false)

	// Juan, a member of the calling committee, reports with a photo from
	// his phone: it carries the camera's EXIF with the GPS position.
	dir := t.TempDir()
	photoPath := filepath.Join(dir, "puente.jpg")
	if err := os.WriteFile(photoPath, phonePhoto(t), 0o600); err != nil {
		t.Fatal(err)
	}
	juan.open(fmt.Sprintf("/actions/%d", action.ID))
	juan.run("write the report",
		chromedp.SendKeys("#report-text", "05:10 — Llegamos al puente con 300 compañeros de Caracoto.", chromedp.ByQuery),
		chromedp.SetUploadFiles("#report-photo", []string{photoPath}, chromedp.ByQuery),
	)
	juan.click(fmt.Sprintf(`main form[action="/actions/%d/reports"] button`, action.ID), http.StatusOK)
	juan.expectText("#reports", "Llegamos al puente", false)
	var loaded bool
	juan.run("see the photo", chromedp.Evaluate(`(() => { const i = document.querySelector("#reports img"); return !!i && i.complete && i.naturalWidth > 0 })()`, &loaded))
	if !loaded {
		juan.fatalf("the report's photo did not load")
	}
	page, err := db.Action(bg, ids["Juan"], action.ID, 0)
	if err != nil || len(page.Reports) != 1 || page.Reports[0].PhotoID == 0 {
		t.Fatalf("reports: %+v %v", page.Reports, err)
	}
	stored, err := db.ReportPhoto(bg, ids["Juan"], page.Reports[0].PhotoID)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Exif", "GPS", "SecretPhone", "-15.49512"} {
		if bytes.Contains(stored, []byte(secret)) {
			t.Fatalf("the stored photo still holds %q", secret)
		}
	}
	juan.screenshot(out, "action-report.png")

	// Rosa asks for 500 litres of water for the roadblock; Yola's committee
	// offers 1,000 litres from Puno.
	rosa.open(fmt.Sprintf("/actions/%d", action.ID))
	rosa.click(fmt.Sprintf(`main a[href="/bodies/%d/needs?action=%d"]`, juliaca, action.ID), http.StatusOK)
	rosa.run("fill the need",
		chromedp.Evaluate(`document.querySelector("#post-need").open = true`, nil),
		chromedp.SetValue("#need-kind", "water", chromedp.ByQuery),
		chromedp.SetValue("#need-quantity", "500", chromedp.ByQuery),
		chromedp.SetValue("#need-unit", "litros", chromedp.ByQuery),
		chromedp.SetValue("#need-place_q", "Juliaca", chromedp.ByQuery),
		chromedp.SendKeys("#need-description", "Para los turnos del puente.", chromedp.ByQuery),
	)
	rosa.click("#post-need button", http.StatusOK)
	needs, err := db.ActionNeeds(bg, ids["Rosa"], action.ID)
	if err != nil || len(needs) != 1 {
		t.Fatalf("needs of the action: %+v %v", needs, err)
	}
	need := needs[0]
	yola.open(fmt.Sprintf("/bodies/%d/needs", puno))
	yola.run("fill the offer",
		chromedp.Evaluate(`document.querySelector("#post-offer").open = true`, nil),
		chromedp.SetValue("#offer-kind", "water", chromedp.ByQuery),
		chromedp.SetValue("#offer-quantity", "1000", chromedp.ByQuery),
		chromedp.SetValue("#offer-unit", "litros", chromedp.ByQuery),
		chromedp.SetValue("#offer-place_q", "Puno", chromedp.ByQuery),
	)
	// "Puno" is a district, a province and a department: she picks the
	// district from the list the form offers.
	yola.click("#post-offer button", http.StatusUnprocessableEntity)
	yola.run("pick the district", chromedp.Click(`#post-offer input[name=place][value="210101"]`, chromedp.ByQuery))
	yola.click("#post-offer button", http.StatusOK)

	// The need's page proposes Yola's offer, with the distance; she
	// pledges 500 litres.
	yola.open(fmt.Sprintf("/needs/%d", need.ID))
	yola.expectText("main", "Comité de Defensa de Puno", false)
	yola.expectText("main", "km", false)
	yola.click(`main form[action^="/offers/"][action$="/pledges"] button`, http.StatusOK)

	// The water arrives: Rosa confirms, and the need is met.
	rosa.open(fmt.Sprintf("/needs/%d", need.ID))
	rosa.click(`main form[action$="/arrived"] button`, http.StatusOK)
	rosa.expectText("main", "Cubierta", false)
	if n, err := db.ActionNeeds(bg, ids["Rosa"], action.ID); err != nil || n[0].Status != "met" || n[0].Received != 500 {
		t.Fatalf("the need after arrival: %+v %v", n, err)
	}

	// The regional assembly's coordinating view: the roadblock on the map
	// of Puno and in the timeline.
	rosa.open(fmt.Sprintf("/bodies/%d/coordination", region.ID))
	rosa.expectText("main", title, false)
	if !rosa.exists(`//*[local-name()="svg"]//*[local-name()="title" and contains(., "Puno")]`) {
		rosa.fatalf("the map does not name Puno")
	}
	rosa.screenshot(out, "action-coordination.png")
	if _, err := db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
	t.Logf("coordinated action: %s", time.Since(start).Round(time.Millisecond))
}

// phonePhoto is a JPEG as a phone writes it: EXIF first, with the camera
// and the GPS position.
func phonePhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := 0; y < 48; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, img, nil); err != nil {
		t.Fatal(err)
	}
	exif := []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08SecretPhone GPSLatitude -15.49512 GPSLongitude -70.13401")
	seg := append([]byte{0xff, 0xe1, byte((len(exif) + 2) >> 8), byte(len(exif) + 2)}, exif...)
	data := enc.Bytes()
	return append(append(append([]byte{}, data[:2]...), seg...), data[2:]...)
}
