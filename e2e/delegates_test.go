package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/federation"
	"asamblea/places"
	"asamblea/store"
)

// TestElectAndRecallDelegates: a committee of four, in a regional assembly
// with two seats, elects two delegates and an alternate in the browser,
// recalls one, and sees the alternate seated in the regional assembly.
func TestElectAndRecallDelegates(t *testing.T) {
	requireChromium(t)
	db, base := startServer(t)
	out := shotDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)

	// The committee and its assembly exist already; the election and the
	// recall happen in the browser.
	bg := context.Background()
	hasher := accounts.Hasher{Time: 1, MemoryKiB: 64, Threads: 1}
	names := []string{"Rosa", "Juan", "Carmen", "Edwin"}
	var ids []int64
	for _, n := range names {
		u, err := db.CreateUser(bg, hasher, n, "contraseña de "+n+" 2023", "es")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	c, err := db.CreateCommittee(bg, ids[0], bodies.Input{Name: "Comité de Lucha de Juliaca", Sector: "workers", Place: "211101", Public: true}, places.Peru().Valid)
	if err != nil {
		t.Fatal(err)
	}
	inv, _ := db.CreateInvitation(bg, ids[0], c.ID, bodies.InvitationInput{MaxUses: 3, Days: 1})
	for _, id := range ids[1:] {
		if _, err := db.Join(bg, id, inv.Code); err != nil {
			t.Fatal(err)
		}
	}
	reg, err := db.CreateAssembly(bg, ids[0], store.AssemblyInput{Input: bodies.Input{Name: "Asamblea Regional de Puno", Sector: "other", Place: "210000", Public: true},
		Level: "regional", SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 2}, Founders: []int64{c.ID}}, places.Peru().Valid)
	if err != nil {
		t.Fatal(err)
	}

	browser := startBrowser(t, ctx)
	people := make([]*person, len(names))
	for i, n := range names {
		people[i] = newPerson(t, browser, base, n)
		people[i].login("contraseña de " + n + " 2023")
	}
	rosa := people[0]
	delegatesPage := fmt.Sprintf("/bodies/%d/delegates", c.ID)

	// Rosa, the facilitator, opens the election: 2 seats and 1 alternate.
	rosa.open(delegatesPage)
	rosa.run("choose", chromedp.SetValue("#alternates", "1", chromedp.ByQuery))
	rosa.click(`main form[action$="/elections"] button`, http.StatusOK)
	election := rosa.path()
	rosa.expectText("main h1", "Asamblea Regional de Puno", false)

	// Juan, Carmen and Edwin stand.
	for _, p := range people[1:] {
		p.open(election)
		p.click(`main form[action$="/stand"] button`, http.StatusOK)
		p.expectText("main .flash", "Candidatura registrada", false)
	}
	// Everyone ranks: Juan and Carmen lead, Edwin follows.
	prefs := [][]string{{"Juan", "Carmen"}, {"Juan", "Edwin"}, {"Carmen", "Juan"}, {"Juan", "Carmen", "Edwin"}}
	for i, p := range people {
		p.open(election)
		for j, n := range prefs[i] {
			p.run("rank "+n, chromedp.SetValue(fmt.Sprintf("#pref%d", j+1), fmt.Sprint(ids[indexOf(names, n)]), chromedp.ByQuery))
		}
		p.click(`main form[action$="/ballot"] button`, http.StatusOK)
	}
	rosa.open(election)
	rosa.expectText("main", "Elegidos", false)
	rosa.expectText("main", "Suplentes, en orden: Edwin", false)
	rosa.screenshot(out, "election.png")

	// Carmen opens the recall of Juan; everyone votes, and it passes.
	carmen := people[2]
	carmen.open(delegatesPage)
	xp := `//li[strong[text()="Juan"]]`
	if !carmen.exists(xp) {
		carmen.fatalf("Juan is not listed as a delegate")
	}
	carmen.run("open the recall form", chromedp.Click(xp+`//summary[contains(., "Abrir una revocatoria")]`, chromedp.BySearch))
	carmen.run("reason", chromedp.SendKeys(xp+`//input[@name="reason"]`, "Negoció con el gobierno sin mandato", chromedp.BySearch))
	carmen.click(xp+`//form[contains(@action, "/recall")]//button`, http.StatusOK)
	recall := carmen.path()
	for i, p := range people {
		p.open(recall)
		vote := `main button[value="yes"]`
		if i == 1 {
			vote = `main button[value="no"]`
		}
		p.click(vote, http.StatusOK)
	}
	people[1].open(recall)
	people[1].expectText("main", "Revocado", false)

	// Edwin, the alternate, now sits in the regional assembly.
	rosa.open(delegatesPage)
	rosa.expectText("main", "Asamblea Regional de Puno", false)
	if rosa.exists(`//li[strong[text()="Juan"]]`) {
		rosa.fatalf("Juan is still listed after the recall")
	}
	if !rosa.exists(`//li[strong[text()="Edwin"] and span[contains(., "delegado/a en funciones")]]`) {
		rosa.fatalf("Edwin is not seated")
	}
	rosa.screenshot(out, "delegates-after-recall.png")
	if seated, _ := db.SeatedIn(bg, reg.ID); len(seated) != 2 || !contains(seated, ids[2]) || !contains(seated, ids[3]) {
		t.Fatalf("seated in the regional assembly: %v", seated)
	}
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func contains(s []int64, v int64) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// login signs in from the login page.
func (p *person) login(password string) {
	p.t.Helper()
	p.open("/login")
	p.run("fill login",
		chromedp.SendKeys("#name", p.name, chromedp.ByQuery),
		chromedp.SendKeys("#password", password, chromedp.ByQuery),
	)
	p.click(`main form[action="/login"] button[type=submit]`, http.StatusOK)
	if !strings.Contains(p.text("header"), p.name) {
		p.fatalf("not signed in")
	}
}
