package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asamblea/actions"
	"asamblea/bodies"
	"asamblea/places"
	"asamblea/vault"
)

// TestRepressionRecords is issue #7's scenario in a real browser: a
// committee sets up its human-rights commission; a member reports a
// detention at a march (the first try, dated in the future, comes back with
// everything kept); the commission verifies it and adds the lawyer; the
// political-prisoners list shows them; the reporter cannot open the record
// (404); and the public page, signed out, shows only a count.
func TestRepressionRecords(t *testing.T) {
	requireChromium(t)
	db, base := startServer(t)
	key, err := vault.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	db.SetRecordsKey(&key)
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

	// The committee, its members and the march it called, as earlier
	// pages would have made them.
	ids := map[string]int64{}
	for _, n := range []string{"Rosa", "Juan", "Abogada"} {
		u, err := db.CreateUser(bg, fastHasher, n, password(n), "es")
		must("user "+n, err)
		ids[n] = u.ID
	}
	c, err := db.CreateCommittee(bg, ids["Rosa"], bodies.Input{Name: "Frente de Defensa de Juliaca", Sector: "workers", Place: "211101", Public: true}, places.Peru().Valid)
	must("committee", err)
	inv, err := db.CreateInvitation(bg, ids["Rosa"], c.ID, bodies.InvitationInput{MaxUses: 5, Days: 1})
	must("invitation", err)
	for _, n := range []string{"Juan", "Abogada"} {
		_, err := db.Join(bg, ids[n], inv.Code)
		must(n+" joins", err)
	}
	lima := time.FixedZone("PET", -5*3600)
	yesterday := time.Now().In(lima).AddDate(0, 0, -1)
	march, err := db.CallAction(bg, ids["Rosa"], c.ID, actions.Input{Kind: actions.March, Title: "Marcha al aeropuerto", Place: "211101",
		Start: time.Date(yesterday.Year(), yesterday.Month(), yesterday.Day(), 9, 0, 0, 0, lima), Visibility: actions.Public}, places.Peru().Valid)
	must("march", err)

	browser := startBrowser(t, ctx)
	rosa := newPerson(t, browser, base, "Rosa")
	juan := newPerson(t, browser, base, "Juan")
	abogada := newPerson(t, browser, base, "Abogada")
	public := newPerson(t, browser, base, "Público")
	for _, p := range []*person{rosa, juan, abogada} {
		p.login(password(p.name))
	}

	// Rosa sets up the commission and chooses its member.
	rosa.open(fmt.Sprintf("/bodies/%d", c.ID))
	rosa.click(fmt.Sprintf(`main a[href="/bodies/%d/commissions"]`, c.ID), http.StatusOK)
	rosa.run("fill the commission",
		chromedp.SendKeys("#name", "Comisión de Derechos Humanos", chromedp.ByQuery),
		chromedp.SetValue("#purpose", "rights", chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`input[name=members][value="%d"]`, ids["Abogada"]), chromedp.ByQuery),
	)
	rosa.click(fmt.Sprintf(`main form[action="/bodies/%d/commissions"] button`, c.ID), http.StatusOK)
	commission := strings.TrimPrefix(rosa.path(), "/commissions/")
	if commission == "" || strings.Contains(commission, "/") {
		rosa.fatalf("after creating the commission: %s", rosa.path())
	}
	cpath := "/commissions/" + commission

	// The commission's member sets up its key with the server's key file.
	abogada.open(cpath)
	abogada.click(`main form[action="`+cpath+`/setup"] button`, http.StatusOK)
	if !abogada.exists(`//a[@href="` + cpath + `/incidents"]`) {
		abogada.fatalf("no link to the records after setting up the key")
	}

	// Juan reports a detention from the march's page.
	juan.open(fmt.Sprintf("/actions/%d", march.ID))
	juan.click(fmt.Sprintf(`main a[href="/incidents/new?action=%d"]`, march.ID), http.StatusOK)
	const detained = "Wilber Condori Mamani"
	fill := func(date string) {
		juan.run("fill the report",
			chromedp.Click(`input[name=kind][value=detained]`, chromedp.ByQuery),
			chromedp.SetValue("#date", date, chromedp.ByQuery),
			chromedp.SetValue("#time", "11:40", chromedp.ByQuery),
			chromedp.SetValue("#place_q", "Juliaca", chromedp.ByQuery),
			chromedp.SetValue("#force", "police", chromedp.ByQuery),
			chromedp.SetValue("#affected", "1", chromedp.ByQuery),
			chromedp.SetValue("#description", "Detenido por agentes de civil al final de la marcha, frente al aeropuerto.", chromedp.ByQuery),
			chromedp.SetValue("#people", detained, chromedp.ByQuery),
		)
	}
	fill(time.Now().In(lima).AddDate(0, 0, 3).Format(time.DateOnly))
	juan.click(`main form[action="/incidents"] button`, http.StatusUnprocessableEntity)
	juan.expectText("main #date ~ small.error", "futuro", false)
	var kept string
	juan.run("read the kept names", chromedp.Value("#people", &kept, chromedp.ByQuery))
	if kept != detained {
		juan.fatalf("the names were not kept: %q", kept)
	}
	juan.run("correct the date", chromedp.SetValue("#date", yesterday.Format(time.DateOnly), chromedp.ByQuery))
	if juan.exists(`//input[@name="place"][@value="211101"]`) {
		juan.run("pick the district", chromedp.Click(`input[name=place][value="211101"]`, chromedp.ByQuery))
	}
	juan.click(`main form[action="/incidents"] button`, http.StatusOK)
	if strings.HasPrefix(juan.path(), "/incidents/") && juan.path() != "/incidents/new" {
		juan.fatalf("the reporter was taken to the record: %s", juan.path())
	}
	juan.screenshot(out, "repression-1-reported")
	if strings.Contains(juan.text("main"), detained) {
		juan.fatalf("the thank-you page repeats the name")
	}

	// The commission sees it, verifies it and adds the lawyer.
	abogada.open(cpath + "/incidents")
	abogada.expectText("main", "Detenido por agentes de civil", false)
	abogada.click(`main a[href^="/incidents/"]:not([href="/incidents/new"])`, http.StatusOK)
	incident := abogada.path()
	abogada.expectText("main", detained, false)
	abogada.expectText("main", "Juan", false) // who reported, for the commission's eyes only
	abogada.run("verify",
		chromedp.Click(`input[name=state][value=verified]`, chromedp.ByQuery),
		chromedp.SetValue("#note", "Confirmado con su familia y la comisaría.", chromedp.ByQuery),
	)
	abogada.click(`main form[action="`+incident+`/check"] button`, http.StatusOK)
	abogada.click(`main a[href^="/people/"]`, http.StatusOK)
	abogada.run("add the lawyer",
		chromedp.SetValue("#status", "charged", chromedp.ByQuery),
		chromedp.SetValue("#held", "Penal de Challapalca", chromedp.ByQuery),
		chromedp.SetValue("#lawyer", "Dra. Carmen Apaza", chromedp.ByQuery),
		chromedp.SetValue("#next_hearing", time.Now().In(lima).AddDate(0, 0, 20).Format(time.DateOnly), chromedp.ByQuery),
	)
	abogada.click(`main form button`, http.StatusOK)

	// The prisoners list shows him with his lawyer.
	abogada.open(cpath + "/prisoners")
	abogada.expectText("main", detained, false)
	abogada.expectText("main", "Dra. Carmen Apaza", false)
	abogada.expectText("main", "Challapalca", false)
	abogada.screenshot(out, "repression-2-prisoners")

	// Outside the commission the record does not exist, for the reporter
	// and the committee's facilitator alike.
	juan.openStatus(incident, http.StatusNotFound)
	juan.openStatus(cpath+"/incidents", http.StatusNotFound)
	rosa.openStatus(incident, http.StatusNotFound)
	rosa.openStatus(cpath+"/prisoners", http.StatusNotFound)
	if strings.Contains(rosa.text("main"), detained) {
		rosa.fatalf("the 404 page names the prisoner")
	}

	// The public page, signed out, shows only a count.
	public.open("/repression")
	text := public.text("main")
	if !strings.Contains(text, "menos de 3") {
		public.fatalf("the public page does not hide the small count: %q", text)
	}
	for _, secret := range []string{detained, "Apaza", "Challapalca", "aeropuerto"} {
		if strings.Contains(text, secret) {
			public.fatalf("the public page shows %q", secret)
		}
	}
	public.screenshot(out, "repression-3-public")
	if _, err := db.VerifyJournal(); err != nil {
		t.Fatalf("journal: %v", err)
	}
}
