package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"asamblea/bodies"
	"asamblea/delegates"
	"asamblea/federation"
	"asamblea/motions"
	"asamblea/places"
	"asamblea/store"
)

// refCommittee is one committee of the consultation, with how its members
// vote on the referred motion (in order; "" does not vote).
type refCommittee struct {
	name, place, sector string
	members             []string // the first facilitates
	delegate            string   // its delegate to the regional assembly
	votes               []string
	id                  int64
	copy                int64 // its copy of the referred motion
}

// refRegion is a regional assembly: the first of its committees founds it.
type refRegion struct {
	name, place string
	committees  []*refCommittee
	delegate    string // its delegate to the national assembly
	id          int64
	copy        int64
}

// TestReferral: the national assembly refers "indefinite general strike from
// 4 January?" to three regional assemblies and their nine committees; the
// committees decide (one online in the browser, one in a plaza meeting
// recorded and confirmed in the browser); the aggregation shows by choice
// and by department; the regional assemblies decide and instruct their
// delegates, whose ballots in the national assembly come pre-filled; one
// delegate deviates, and the deviation shows on the base's record with a
// recall at hand.
func TestReferral(t *testing.T) {
	requireChromium(t)
	start := time.Now()
	db, base := startServer(t)
	out := shotDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	t.Cleanup(cancel)
	bg := context.Background()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("set-up: %s: %v", what, err)
		}
	}
	password := func(name string) string { return "contraseña de " + name + " 2023" }

	// Nine committees of three or four in Puno, Cusco and Arequipa. The
	// votes give: Puno yes, yes, yes (Huancané in a plaza meeting); Cusco
	// yes, yes, no; Arequipa no, yes, no (Mollendo closed early).
	const huancane = 2 // the committee that decides in a meeting
	regions := []*refRegion{
		{name: "Asamblea Regional de Puno", place: "210000", delegate: "Juan", committees: []*refCommittee{
			{name: "Comité de Lucha de Juliaca", place: "211101", sector: "workers", members: []string{"Rosa", "Juan", "Carmen", "Edwin"}, delegate: "Juan",
				votes: []string{"yes", "yes", "no", "yes"}}, // Juan votes in the browser
			{name: "Comité de Defensa de Puno", place: "210101", sector: "neighbourhood", members: []string{"Yola", "Fermín", "Nilda"}, delegate: "Fermín",
				votes: []string{"yes", "yes", "yes"}},
			{name: "Comité de Huancané", place: "210601", sector: "campesinos", members: []string{"Hilda", "Pedro", "Sabina", "Teófilo"}, delegate: "Sabina"},
		}},
		{name: "Asamblea Regional de Cusco", place: "080000", delegate: "Killa", committees: []*refCommittee{
			{name: "Comité de Lucha del Cusco", place: "080101", sector: "workers", members: []string{"Ayar", "Killa", "Wayra", "Túpac"}, delegate: "Killa",
				votes: []string{"yes", "yes", "yes", "no"}},
			{name: "Comité de Sicuani", place: "080601", sector: "campesinos", members: []string{"Mamani", "Quispe", "Sonia"}, delegate: "Quispe",
				votes: []string{"yes", "no", "yes"}},
			{name: "Comité de Urubamba", place: "081301", sector: "indigenous", members: []string{"Nina", "Inti", "Rosario"}, delegate: "Inti",
				votes: []string{"no", "no", "yes"}},
		}},
		{name: "Asamblea Regional de Arequipa", place: "040000", delegate: "Ernesto", committees: []*refCommittee{
			{name: "Comité de Arequipa", place: "040101", sector: "workers", members: []string{"Lucía", "Ernesto", "Beatriz", "Walter"}, delegate: "Ernesto",
				votes: []string{"no", "no", "yes", "no"}},
			{name: "Comité de Paucarpata", place: "040112", sector: "women", members: []string{"Flor", "Ramiro", "Elena"}, delegate: "Ramiro",
				votes: []string{"yes", "yes", "no"}},
			{name: "Comité de Mollendo", place: "040701", sector: "workers", members: []string{"Julia", "Marco", "Rocío"}, delegate: "Marco",
				votes: []string{"no", "no", ""}}, // Rocío does not vote: Julia closes early
		}},
	}
	const (
		national = "Asamblea Nacional de los Pueblos"
		title    = "¿Huelga general indefinida desde el 4 de enero?"
		text     = "Las bases deciden si el paro nacional indefinido empieza el 4 de enero, hasta la renuncia del gobierno y la convocatoria a la asamblea constituyente."
	)
	seat1 := federation.SeatRule{Mode: federation.Fixed, Fixed: 1}

	// The set-up goes through the store, as the pages would.
	ids := map[string]int64{}
	for _, r := range regions {
		for _, c := range r.committees {
			for _, n := range c.members {
				u, err := db.CreateUser(bg, fastHasher, n, password(n), "es")
				must("user "+n, err)
				ids[n] = u.ID
			}
			fac := ids[c.members[0]]
			b, err := db.CreateCommittee(bg, fac, bodies.Input{Name: c.name, Sector: bodies.Sector(c.sector), Place: c.place, Public: true}, places.Peru().Valid)
			must(c.name, err)
			c.id = b.ID
			inv, err := db.CreateInvitation(bg, fac, c.id, bodies.InvitationInput{MaxUses: len(c.members), Days: 1})
			must("invitation to "+c.name, err)
			for _, n := range c.members[1:] {
				_, err := db.Join(bg, ids[n], inv.Code)
				must(n+" joins "+c.name, err)
			}
		}
	}
	join := func(actor, body, assembly, assemblyFacilitator int64) {
		t.Helper()
		f, err := db.RequestAffiliation(bg, actor, body, assembly, "Por mandato de nuestra asamblea de base")
		must("affiliation request", err)
		must("affiliation accepted", db.DecideAffiliation(bg, assemblyFacilitator, assembly, f.ID, true, ""))
	}
	regionFac := func(r *refRegion) int64 { return ids[r.committees[0].members[0]] }
	for _, r := range regions {
		first := r.committees[0]
		a, err := db.CreateAssembly(bg, regionFac(r), store.AssemblyInput{Input: bodies.Input{Name: r.name, Sector: "other", Place: r.place, Public: true},
			Level: "regional", SeatRule: seat1, Founders: []int64{first.id}}, places.Peru().Valid)
		must(r.name, err)
		r.id = a.ID
		for _, c := range r.committees[1:] {
			join(ids[c.members[0]], c.id, r.id, regionFac(r))
		}
	}
	rosa := regionFac(regions[0]) // facilitates Juliaca, Puno's regional assembly and the national one
	nat, err := db.CreateAssembly(bg, rosa, store.AssemblyInput{Input: bodies.Input{Name: national, Sector: "other", Place: "150000", Public: true},
		Level: "national", SeatRule: seat1, Founders: []int64{regions[0].id}}, places.Peru().Valid)
	must(national, err)
	for _, r := range regions[1:] {
		join(regionFac(r), r.id, nat.ID, rosa)
	}
	// elect runs an election of one delegate that everyone votes in, so
	// that it closes by itself.
	elect := func(facilitator, body, assembly int64, candidate string, voters []int64) {
		t.Helper()
		e, err := db.OpenElection(bg, facilitator, body, delegates.ElectionInput{Assembly: assembly, Hours: 24})
		must("election", err)
		must(candidate+" stands", db.Stand(bg, ids[candidate], e.ID, "Por la huelga que decidan las bases", ""))
		for _, v := range voters {
			must("ranking", db.CastRanking(bg, v, e.ID, []int64{ids[candidate]}))
		}
		seated, err := db.SeatedIn(bg, assembly)
		must("seated", err)
		if !contains(seated, ids[candidate]) {
			t.Fatalf("set-up: %s is not seated in assembly %d after the election: seated %v", candidate, assembly, seated)
		}
	}
	for _, r := range regions {
		for _, c := range r.committees {
			var voters []int64
			for _, n := range c.members {
				voters = append(voters, ids[n])
			}
			elect(ids[c.members[0]], c.id, r.id, c.delegate, voters)
		}
	}
	for _, r := range regions {
		voters, err := db.SeatedIn(bg, r.id)
		must("seated in "+r.name, err)
		if len(voters) != 3 {
			t.Fatalf("set-up: %d delegates seated in %s, want 3", len(voters), r.name)
		}
		elect(regionFac(r), r.id, nat.ID, r.delegate, voters)
	}
	t.Logf("set-up done in %s", time.Since(start).Round(time.Millisecond))

	browser := startBrowser(t, ctx)
	login := func(name string) *person {
		p := newPerson(t, browser, base, name)
		p.login(password(name))
		return p
	}
	rosaP := login("Rosa")

	// 1. Rosa, who facilitates the national assembly, proposes the motion
	// on its motions page and refers it to the bases from the motion page.
	rosaP.open(fmt.Sprintf("/bodies/%d/motions", nat.ID))
	rosaP.expectText("main h1", national, false)
	rosaP.run("fill the motion",
		chromedp.SendKeys("#title", title, chromedp.ByQuery),
		chromedp.SendKeys("#text", text, chromedp.ByQuery),
	)
	if !radioChecked(rosaP, `main input[name=rule][value=majority]`) {
		rosaP.fatalf("the simple-majority rule is not the default of the new-motion form")
	}
	rosaP.click(fmt.Sprintf(`main form[action="/bodies/%d/motions"] button`, nat.ID), http.StatusOK)
	motionPath := rosaP.path()
	var natMotion int64
	if _, err := fmt.Sscanf(motionPath, "/motions/%d", &natMotion); err != nil {
		rosaP.fatalf("after proposing the motion the page is %s, want /motions/{id}", motionPath)
	}
	rosaP.expectText("main h1", title, true)
	rosaP.expectText("main .flash", "Moción propuesta", false)
	rosaP.run("hours of the consultation", chromedp.SetValue("#refer-hours", "72", chromedp.ByQuery))
	rosaP.click(`main form[action$="/refer"] button`, http.StatusOK)
	rosaP.expectPath(motionPath)
	rosaP.expectText("main .flash", "Moción consultada a las bases.", true)
	rosaP.expectText("main p.notice", "Consultada a las bases hasta el", false)
	rosaP.expectText("main", "Decidieron 0 de 9 comités consultados", false)
	ref, err := db.ReferralOf(bg, rosa, natMotion)
	if err != nil {
		t.Fatalf("the motion has no referral after referring it: %v", err)
	}
	if ref.Committees != 9 || ref.Members != 31 {
		t.Fatalf("the referral consults %d committees and %d members, want 9 and 31", ref.Committees, ref.Members)
	}

	// Each body below has its copy: the committees' are open to vote.
	copyOf := func(viewer, body int64) int64 {
		t.Helper()
		ms, err := db.Motions(bg, viewer, body, store.MotionFilter{Open: true})
		must("motions", err)
		for _, m := range ms {
			if m.ReferralID == ref.ID {
				return m.ID
			}
		}
		t.Fatalf("body %d has no copy of the referral", body)
		return 0
	}
	for _, r := range regions {
		r.copy = copyOf(regionFac(r), r.id)
		for _, c := range r.committees {
			c.copy = copyOf(ids[c.members[0]], c.id)
		}
	}
	status := func(viewer, motion int64) motions.Motion {
		t.Helper()
		m, err := db.Motion(bg, viewer, motion)
		must("motion", err)
		return m
	}

	// 2. The bases vote. Juan finds his committee's copy among what awaits
	// him and votes in the browser; his comrades vote through the store.
	juliaca := regions[0].committees[0]
	juan := login("Juan")
	juan.open("/awaiting")
	juan.expectText("main .cards", "Consulta a las bases", false)
	juan.expectText("main .cards", juliaca.name, false)
	juan.click(fmt.Sprintf(`main a[href="/motions/%d"]`, juliaca.copy), http.StatusOK)
	juan.expectText("main h1", title, true)
	juan.expectText("main p.notice", "Consulta a las bases de "+national, false)
	juan.expectText("#ballot", "El voto es secreto", false)
	juan.run("choose yes", chromedp.Click(`#ballot input[name=choice][value=yes]`, chromedp.ByQuery, chromedp.NodeVisible))
	juan.click(`#ballot form[action$="/vote"] button`, http.StatusOK)
	juan.expectText("main .flash", "Tu voto quedó registrado.", true)
	juan.expectText("#ballot", "Ya votaste", false)

	for ri, r := range regions {
		for ci, c := range r.committees {
			if ri == 0 && ci == huancane {
				continue
			}
			for i, choice := range c.votes {
				if choice == "" || c.members[i] == "Juan" {
					continue
				}
				must(c.members[i]+" votes", db.Vote(bg, ids[c.members[i]], c.copy, 0, motions.Ballot{Choice: choice}))
			}
		}
	}
	mollendo := regions[2].committees[2]
	if m := status(ids[mollendo.members[0]], mollendo.copy); m.Status != motions.Voting {
		t.Fatalf("%s's copy is %s with one member yet to vote, want voting", mollendo.name, m.Status)
	}
	_, err = db.CloseVote(bg, ids[mollendo.members[0]], mollendo.copy)
	must("Julia closes the vote early", err)

	// Huancané decides in a plaza meeting: Hilda, who facilitates it,
	// records the show of hands; Pedro confirms the record.
	hc := regions[0].committees[huancane]
	hilda := login("Hilda")
	hilda.open(fmt.Sprintf("/bodies/%d/meetings", hc.id))
	hilda.expectText("main h1", hc.name, false)
	row := fmt.Sprintf("m%d", hc.copy)
	if !hilda.exists(fmt.Sprintf(`//fieldset[@id=%q]`, row)) {
		hilda.fatalf("the meeting form has no row for the committee's copy of the referral (motion %d)", hc.copy)
	}
	hilda.run("fill the meeting record",
		chromedp.SendKeys("#place", "Plaza de Armas de Huancané", chromedp.ByQuery),
		chromedp.SetValue("#attendance", "4", chromedp.ByQuery),
		chromedp.SendKeys("#notes", "Asamblea popular en la plaza, a mano alzada.", chromedp.ByQuery),
		chromedp.SetValue("#"+row+"_yes", "3", chromedp.ByQuery),
		chromedp.SetValue("#"+row+"_no", "1", chromedp.ByQuery),
		chromedp.SetValue("#"+row+"_abstain", "0", chromedp.ByQuery),
	)
	hilda.click(fmt.Sprintf(`main form[action="/bodies/%d/meetings"] button`, hc.id), http.StatusOK)
	meetingPath := hilda.path()
	if !strings.HasPrefix(meetingPath, "/meetings/") {
		hilda.fatalf("after recording the meeting the page is %s, want /meetings/{id}", meetingPath)
	}
	hilda.expectText("main .flash", "Acta registrada", false)
	hilda.expectText("main", "por confirmar", false)
	hilda.expectText("main", "en Plaza de Armas de Huancané · 4 asistentes", false)
	hilda.expectText("main table", "A favor: 3 · En contra: 1", false)

	pedro := login("Pedro")
	pedro.open("/awaiting")
	pedro.expectText("main .cards", "Acta por confirmar", false)
	pedro.click(fmt.Sprintf(`main a[href="%s"]`, meetingPath), http.StatusOK)
	pedro.click(`main form[action$="/confirm"] button`, http.StatusOK)
	pedro.expectPath(meetingPath)
	pedro.expectText("main .flash", "Acta confirmada: sus decisiones ya rigen.", true)
	pedro.expectText("main table", "Aprobada en la reunión del", false)
	pedro.click(fmt.Sprintf(`main table a[href="/motions/%d"]`, hc.copy), http.StatusOK)
	pedro.expectText("main h1", title, true)
	pedro.expectText("main section", "decidida en una reunión el", false)
	pedro.expectText("main", "aprobada", false)
	if !pedro.exists(fmt.Sprintf(`//main//a[@href=%q][contains(., "Ver el acta de la reunión")]`, meetingPath)) {
		pedro.fatalf("the copy decided in the meeting does not link to its record")
	}
	pedro.screenshot(out, "referral-meeting-copy.png")

	// Every committee has decided.
	want := map[string]string{}
	for _, r := range regions {
		for _, c := range r.committees {
			m := status(ids[c.members[0]], c.copy)
			if !motions.Closed(m.Status) {
				t.Fatalf("%s's copy is still %s after its bases voted", c.name, m.Status)
			}
			want[c.name] = m.Status
		}
	}
	t.Logf("committees decided: %v", want)

	// 3. Rosa sees the aggregation on the motion and, by department, on the
	// referral's page.
	rosaP.open(motionPath)
	rosaP.expectText("main", "Resultado de la consulta, en vivo", false)
	rosaP.expectText("main", "Decidieron 9 de 9 comités consultados", false)
	aggRow := func(p *person, label string, want ...string) {
		t.Helper()
		xp := fmt.Sprintf(`//main//table//tr[th[normalize-space()=%q]]`, label)
		if !p.exists(xp) {
			p.fatalf("the aggregation has no row %q", label)
		}
		got := strings.Join(strings.Fields(p.textBy(xp)), " ")
		for _, w := range want {
			if !strings.Contains(got, w) {
				p.fatalf("the aggregation's row %q reads %q, want %q in it", label, got, w)
			}
		}
	}
	aggRow(rosaP, "Sí", "6 comités", "21 miembros")
	aggRow(rosaP, "No", "3 comités", "10 miembros")
	rosaP.click(`main a[href^="/referrals/"]`, http.StatusOK)
	rosaP.expectPath(fmt.Sprintf("/referrals/%d", ref.ID))
	rosaP.expectText("main h1", "Consulta a las bases: "+title, true)
	rosaP.expectText("main", "Decidieron 9 de 9 comités consultados", false)
	aggRow(rosaP, "Sí", "6 comités", "66 %", "21 miembros", "67 %")
	aggRow(rosaP, "No", "3 comités", "33 %", "10 miembros", "32 %")
	if !rosaP.exists(`//main//figure[contains(@class,"map")]//*[local-name()="svg"]`) {
		rosaP.fatalf("the referral's page has no map")
	}
	for _, d := range []struct{ name, yes, no string }{
		{"Puno", "3 (11)", "0 (0)"},
		{"Cusco", "2 (7)", "1 (3)"},
		{"Arequipa", "1 (3)", "2 (7)"},
	} {
		xp := fmt.Sprintf(`//main//table[thead//th[normalize-space()="Departamento"]]//tr[td[1][normalize-space()=%q]]`, d.name)
		if !rosaP.exists(xp) {
			rosaP.fatalf("the table by department has no row for %s", d.name)
		}
		yes := strings.Join(strings.Fields(rosaP.textBy(xp+"/td[2]")), " ")
		no := strings.Join(strings.Fields(rosaP.textBy(xp+"/td[3]")), " ")
		if yes != d.yes || no != d.no {
			rosaP.fatalf("%s reads Sí %q, No %q; want %q and %q", d.name, yes, no, d.yes, d.no)
		}
	}
	rosaP.screenshot(out, "referral-aggregation.png")

	// 4. The regional assemblies' copies opened by themselves; their
	// delegates vote as their committees instructed.
	for _, r := range regions {
		if m := status(regionFac(r), r.copy); m.Status != motions.Voting {
			t.Fatalf("%s's copy is %s after its three committees decided, want it open to vote by itself", r.name, m.Status)
		}
		seated, err := db.SeatedIn(bg, r.id)
		must("seated", err)
		for _, u := range seated {
			seats, err := db.Seats(bg, u, r.copy)
			must("seats", err)
			if len(seats) != 1 || seats[0].Instruction == "" {
				t.Fatalf("delegate %d in %s: seats %+v, want one seat with its committee's instruction", u, r.name, seats)
			}
			must("regional vote", db.Vote(bg, u, r.copy, 0, motions.Ballot{Choice: seats[0].Instruction}))
		}
		if m := status(regionFac(r), r.copy); !motions.Closed(m.Status) {
			t.Fatalf("%s's copy is still %s after all its delegates voted", r.name, m.Status)
		}
	}
	if m := status(rosa, natMotion); m.Status != motions.Voting {
		t.Fatalf("the national motion is %s after the three regional assemblies decided, want it open to vote by itself", m.Status)
	}
	rosaP.open(motionPath)
	for _, b := range []struct{ name, result string }{
		{"Asamblea Regional de Arequipa", "No"}, {"Asamblea Regional de Cusco", "Sí"}, {"Asamblea Regional de Puno", "Sí"},
	} {
		xp := fmt.Sprintf(`//main//tr[td[1][normalize-space()=%q]]/td[2]`, b.name)
		if !rosaP.exists(xp) {
			rosaP.fatalf("the motion page does not list how %s decided", b.name)
		}
		if got := strings.Fields(rosaP.textBy(xp)); len(got) == 0 || got[0] != b.result {
			rosaP.fatalf("%s decided %q, want %q", b.name, got, b.result)
		}
	}

	// In the national assembly the ballots come marked with each base's
	// instruction: Juan (Puno, Sí) and Ernesto (Arequipa, No) vote as
	// instructed; Killa (Cusco, Sí) votes No.
	ernesto := login("Ernesto")
	killa := login("Killa")
	for _, v := range []struct {
		p                *person
		region, instr    string
		prefilled, voted string
	}{
		{juan, "Asamblea Regional de Puno", "Sí", "yes", "yes"},
		{ernesto, "Asamblea Regional de Arequipa", "No", "no", "no"},
		{killa, "Asamblea Regional de Cusco", "Sí", "yes", "no"},
	} {
		p := v.p
		p.open(motionPath)
		p.expectText("#ballot legend", "Tu voto por el escaño de "+v.region, true)
		p.expectText("#ballot", fmt.Sprintf("Tu base, %s, te instruyó: %s.", v.region, v.instr), false)
		p.expectText("#ballot p.error", "La papeleta viene marcada con esa instrucción", false)
		sel := `#ballot input[name=choice][value=` + v.prefilled + `]`
		if !radioChecked(p, sel) {
			p.fatalf("the ballot is not pre-filled with the instruction %q", v.prefilled)
		}
		if v.voted != v.prefilled {
			p.run("change the choice", chromedp.Click(`#ballot input[name=choice][value=`+v.voted+`]`, chromedp.ByQuery, chromedp.NodeVisible))
			if radioChecked(p, sel) {
				p.fatalf("the pre-filled choice is still marked after choosing another")
			}
			p.expectText("#ballot p.error", "quedará registrado públicamente como desviación del mandato", false)
			p.screenshot(out, "referral-deviating-ballot.png")
		}
		p.click(`#ballot form[action$="/vote"] button`, http.StatusOK)
		p.expectText("main .flash", "Tu voto quedó registrado.", true)
		if p != killa { // the last vote closes it, and the ballot goes
			name := map[string]string{"yes": "Sí", "no": "No"}[v.voted]
			p.expectText("#ballot", fmt.Sprintf("Por el escaño de %s ya votaste: %s.", v.region, name), false)
		}
	}
	m := status(rosa, natMotion)
	if m.Status != motions.Rejected {
		t.Fatalf("the national motion is %s after the three seats voted, want rejected (Sí 1, No 2)", m.Status)
	}
	killa.expectText("main section", "rechazada", false)
	rosaP.open(motionPath)
	rosaP.expectText("main", "rechazada", false)
	dev := `//main//table//tr[td[1][normalize-space()="Killa"]]`
	if !rosaP.exists(dev + `/td[3][contains(., "Sí") and contains(., "se desvió")]`) {
		rosaP.fatalf("the national motion's votes do not show Killa's deviation")
	}
	for _, n := range []string{"Juan", "Ernesto"} {
		if rosaP.exists(fmt.Sprintf(`//main//table//tr[td[1][normalize-space()=%q]]/td[3][contains(., "se desvió")]`, n)) {
			rosaP.fatalf("%s voted as instructed but shows as deviating", n)
		}
	}

	// 5. Quispe, Sicuani's delegate in Cusco's regional assembly, opens its
	// delegates' record: Killa's deviation, her compliance rate and a
	// recall at hand.
	cusco := regions[1]
	quispe := login("Quispe")
	quispe.open(fmt.Sprintf("/bodies/%d/delegates", cusco.id))
	quispe.click(fmt.Sprintf(`main a[href="/bodies/%d/record"]`, cusco.id), http.StatusOK)
	quispe.expectText("main h1", "Votos de los delegados de "+cusco.name, true)
	sec := `//main//section[h2[normalize-space()="Killa"]]`
	if !quispe.exists(sec) {
		quispe.fatalf("the record does not list Killa")
	}
	got := strings.Join(strings.Fields(quispe.textBy(sec)), " ")
	for _, w := range []string{
		national, "delegado/a en funciones",
		"Cumplimiento del mandato: 0 % (0 de 1 votos con instrucción)",
		"Desviaciones del mandato", title, "La base instruyó «Sí»; votó «No».",
	} {
		if !strings.Contains(got, w) {
			quispe.fatalf("Killa's record reads %q, want %q in it", got, w)
		}
	}
	li := sec + fmt.Sprintf(`//ul[contains(@class,"cards")]/li[strong[normalize-space()=%q]]`, title)
	if !quispe.exists(li + `//details/summary[normalize-space()="Abrir una revocatoria"]`) {
		quispe.fatalf("the deviation has no button to open a recall")
	}
	if !quispe.exists(li + `//form[contains(@action,"/recall")]//input[@name="reason"][contains(@value, "Votó en contra de la instrucción de la base")]`) {
		quispe.fatalf("the recall form beside the deviation is not filled with its reason")
	}
	// The base's own instruction on the motion, beside its delegates'
	// votes, links to the decision that gave it.
	instr := fmt.Sprintf(`//main//section[h2[normalize-space()="Mandatos por moción"]]//li[a[@href="/motions/%d"]][contains(., "Mandato: Sí")]`, natMotion)
	if !quispe.exists(instr) {
		quispe.fatalf("the record does not list the base's instruction (Mandato: Sí) on the motion")
	}
	if !quispe.exists(instr + fmt.Sprintf(`//a[@href="/motions/%d"]`, cusco.copy)) {
		quispe.fatalf("the base's instruction does not link to its own decision (motion %d)", cusco.copy)
	}
	quispe.run("open the recall form", chromedp.Click(li+`//details/summary`, chromedp.BySearch, chromedp.NodeVisible))
	quispe.screenshot(out, "referral-record.png")
	t.Logf("referral walk done in %s", time.Since(start).Round(time.Millisecond))
}

// radioChecked reports whether the input matching sel is checked.
func radioChecked(p *person, sel string) bool {
	p.t.Helper()
	var ok bool
	p.run("is "+sel+" checked", chromedp.Evaluate(fmt.Sprintf(`(function(){var e=document.querySelector(%q);return !!(e&&e.checked)})()`, sel), &ok))
	return ok
}
