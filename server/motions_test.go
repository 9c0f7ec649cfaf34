package server_test

import (
	"compress/gzip"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"asamblea/i18n"
)

// moPeople signs up one client per name.
func moPeople(e *env, names ...string) []*client {
	cs := make([]*client, len(names))
	for i, n := range names {
		cs[i] = e.client()
		cs[i].signup(n)
	}
	return cs
}

// moCommittee has founder create a public committee in place through the
// pages and the others join it; it returns the committee's path.
func moCommittee(t *testing.T, founder *client, name, place string, others ...*client) string {
	t.Helper()
	res := founder.post("/bodies/new", "/bodies", url.Values{"name": {name}, "sector": {"workers"}, "place_q": {place}, "public": {"on"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create %s: %d %s", name, res.status, res.body)
	}
	path := strings.SplitN(res.header.Get("Location"), "?", 2)[0]
	if len(others) > 0 {
		res = founder.post(path+"/invitations", path+"/invitations", url.Values{"max_uses": {"20"}, "days": {"1"}})
		code := regexp.MustCompile(`id="invite-code">([A-Z0-9-]+)<`).FindStringSubmatch(res.body)[1]
		for _, c := range others {
			if res := c.post("/join", "/join", url.Values{"code": {code}}); res.status != http.StatusSeeOther {
				t.Fatalf("join %s: %d", name, res.status)
			}
		}
	}
	return path
}

// moLocation is where a redirect goes, without its query.
func moLocation(t *testing.T, res response, what string) string {
	t.Helper()
	if res.status != http.StatusSeeOther {
		t.Fatalf("%s: status %d\n%s", what, res.status, res.body)
	}
	return strings.SplitN(res.header.Get("Location"), "?", 2)[0]
}

// moOK posts a form and expects a redirect.
func moOK(t *testing.T, c *client, page, path string, form url.Values) string {
	t.Helper()
	return moLocation(t, c.post(page, path, form), "POST "+path)
}

// moRefused posts a form and expects status want with msg in the page.
func moRefused(t *testing.T, c *client, page, path string, form url.Values, want int, msg string) response {
	t.Helper()
	res := c.post(page, path, form)
	if res.status != want || !strings.Contains(res.body, msg) {
		t.Fatalf("POST %s: got %d, want %d with %q\n%s", path, res.status, want, msg, res.body)
	}
	return res
}

// moHas fails unless the page at path holds every want.
func moHas(t *testing.T, c *client, path string, want ...string) string {
	t.Helper()
	res := c.get(path)
	if res.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, res.status, res.body)
	}
	for _, w := range want {
		if !strings.Contains(res.body, w) {
			t.Errorf("GET %s lacks %q", path, w)
		}
	}
	if t.Failed() {
		t.Fatalf("page:\n%s", res.body)
	}
	return res.body
}

// moLight checks a page's weight and that it holds no inline code.
func moLight(t *testing.T, c *client, path string) {
	t.Helper()
	res := c.do("GET", path, nil, map[string]string{"Accept-Encoding": "gzip"})
	if res.status != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.status)
	}
	if n := len(res.body); res.header.Get("Content-Encoding") == "gzip" && n > 14*1024 {
		t.Errorf("%s: %d bytes gzipped, over 14 KB", path, n)
	}
	body := res.body
	if res.header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(strings.NewReader(res.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zr)
		body = string(b)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "style=") || strings.Contains(body, " on") && regexp.MustCompile(` on[a-z]+=`).MatchString(body) {
		t.Errorf("%s: inline code", path)
	}
}

// atomFeed is what the tests read of an Atom feed.
type atomFeed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string   `xml:"title"`
	Entries []struct {
		ID    string `xml:"id"`
		Title string `xml:"title"`
		Link  struct {
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

func moFeed(t *testing.T, c *client, path string) atomFeed {
	t.Helper()
	res := c.get(path)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("GET %s: %d %s", path, res.status, res.header.Get("Content-Type"))
	}
	var f atomFeed
	d := xml.NewDecoder(strings.NewReader(res.body))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("%s is not well-formed: %v\n%s", path, err, res.body)
		}
	}
	if err := xml.Unmarshal([]byte(res.body), &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f
}

// TestMotionPages follows a committee's motion through the pages: bad input
// kept in the form, proposed, discussed, amended and accepted, put to a
// secret vote, voted once by members only, closed early by the facilitator
// alone, recorded, published, and read by anyone and in the feeds.
func TestMotionPages(t *testing.T) {
	e := newEnv(t)
	cs := moPeople(e, "Rosa", "Juan", "Ana", "Carla", "Intrusa")
	rosa, juan, ana, carla, intrusa := cs[0], cs[1], cs[2], cs[3], cs[4]
	body := moCommittee(t, rosa, "Comité de Lucha de Juliaca", "211101", juan, ana, carla)
	list := body + "/motions"
	moHas(t, juan, body, `href="`+list+`"`)

	// Bad input: the form comes back with the message and what was written.
	res := moRefused(t, juan, list, list, url.Values{"title": {"Pa"}, "text": {"Paro regional los días 4 y 5 de enero."}, "rule": {"majority"}}, 422, "Debe tener al menos 3 caracteres.")
	if !strings.Contains(res.body, "Paro regional los días 4 y 5 de enero.</textarea>") || !strings.Contains(res.body, `value="Pa" required maxlength="200" aria-invalid="true"`) {
		t.Fatalf("the form lost the text:\n%s", res.body)
	}
	res = moRefused(t, juan, list, list, url.Values{"title": {"Paro de 48 horas"}, "text": {"Paro regional."}, "rule": {"majority"}, "options": {"Lunes\nMartes"}}, 422, "quita las opciones")
	if !strings.Contains(res.body, `value="Paro de 48 horas"`) || !strings.Contains(res.body, "Lunes\nMartes</textarea>") {
		t.Fatalf("the form lost the title or the options:\n%s", res.body)
	}
	moRefused(t, juan, list, list, url.Values{"title": {"Fecha del paro"}, "text": {"¿Qué día?"}, "rule": {"irv"}, "options": {"Lunes\nMartes"}, "winners": {"2"}}, 422, "elige una sola opción")

	motion := moOK(t, juan, list, list, url.Values{"title": {"Paro de 48 horas"}, "text": {"Paro regional los días 4 y 5.\n\n- Marcha a la plaza\n- Olla común"}, "rule": {"majority"}, "winners": {"1"}, "blocks": {"1"}})
	moHas(t, juan, motion+"?done=motion_created", "Moción propuesta", "<li>Marcha a la plaza</li>", "en debate", "propuesta por Juan", "Mayoría simple", "Quórum: al menos 1/3")
	moHas(t, ana, list, `href="`+motion+`"`, "Paro de 48 horas")
	if res := intrusa.get(motion); res.status != http.StatusForbidden {
		t.Fatalf("a stranger reads the motion: %d", res.status)
	}

	// Discussion.
	moOK(t, ana, motion, motion+"/comments", url.Values{"form": {"comment"}, "comment": {"Que incluya a los **transportistas**."}})
	moHas(t, juan, motion, "Que incluya a los <strong>transportistas</strong>.", "1 comentario")
	res = moRefused(t, ana, motion, motion+"/amendments", url.Values{"form": {"amendment"}, "amendment": {"Paro regional los días 4 y 5.\n\n- Marcha a la plaza\n- Olla común"}, "reason": {"Nada"}}, 422, "deja el texto igual")
	if !strings.Contains(res.body, `value="Nada"`) {
		t.Fatalf("the amendment's reason was lost:\n%s", res.body)
	}
	amended := "Paro regional los días 4 y 5, con los transportistas."
	moOK(t, ana, motion, motion+"/amendments", url.Values{"form": {"amendment"}, "amendment": {amended}, "reason": {"Más fuerza"}})
	page := moHas(t, juan, motion, "propuesta", "Más fuerza", `name="act" value="accept"`)
	decide := regexp.MustCompile(`action="(/motions/\d+/amendments/\d+/decide)"`).FindStringSubmatch(page)[1]
	moRefused(t, rosa, motion, decide, url.Values{"act": {"accept"}}, 403, "Solo quien propuso la moción")
	moOK(t, juan, motion, decide, url.Values{"act": {"accept"}})
	moHas(t, ana, motion, "<p>"+amended+"</p>", "aceptada por quien propuso la moción")

	// An amendment put to a vote: adopted by a majority of votes cast.
	second := amended + " Con olla común en cada plaza."
	moOK(t, carla, motion, motion+"/amendments", url.Values{"form": {"amendment"}, "amendment": {second}})
	page = moHas(t, rosa, motion, `name="act" value="vote"`)
	decide = regexp.MustCompile(`action="(/motions/\d+/amendments/\d+/decide)"`).FindStringSubmatch(page)[1]
	moRefused(t, juan, motion, decide, url.Values{"act": {"vote"}}, 403, "No tienes permiso")
	moOK(t, rosa, motion, decide, url.Values{"act": {"vote"}})
	vote := strings.Replace(decide, "/decide", "/vote", 1)
	for c, choice := range map[*client]string{ana: "yes", carla: "yes", juan: "no"} {
		moOK(t, c, motion, vote, url.Values{"choice": {choice}})
	}
	moRefused(t, juan, motion, vote, url.Values{"choice": {"yes"}}, 409, "Ya votaste.")
	moOK(t, rosa, motion, decide, url.Values{"act": {"close"}})
	moHas(t, ana, motion, "aprobada en votación", "Sí: 2 · No: 1 · Abstenciones: 0", "Con olla común en cada plaza.</p>")

	// Only a facilitator opens the vote, for a valid time.
	moRefused(t, juan, motion, motion+"/move", url.Values{"to": {"voting"}, "hours": {"24"}}, 403, "No tienes permiso")
	moRefused(t, rosa, motion, motion+"/move", url.Values{"to": {"voting"}, "hours": {"0"}}, 422, "entre 1 y 720 horas")
	moOK(t, rosa, motion, motion+"/move", url.Values{"to": {"voting"}, "hours": {"24"}})

	// The ballot is secret, once per member, for members only.
	moHas(t, ana, motion, "El voto es secreto", `name="choice" value="yes"`, `name="choice" value="abstain"`)
	moLight(t, ana, motion)
	for c, choice := range map[*client]string{rosa: "yes", juan: "yes", ana: "no"} {
		moOK(t, c, motion, motion+"/vote", url.Values{"choice": {choice}})
	}
	res = moRefused(t, juan, motion, motion+"/vote", url.Values{"choice": {"no"}}, 409, "Ya votaste.")
	if !strings.Contains(res.body, "<h1>Paro de 48 horas</h1>") {
		t.Fatalf("the refusal is not on the motion's page:\n%s", res.body)
	}
	if p := moHas(t, juan, motion, "Ya votaste. Tu voto es secreto", "3 votos emitidos"); strings.Contains(p, `name="choice"`) {
		t.Fatal("a ballot is offered to someone who voted")
	}
	moRefused(t, intrusa, motion, motion+"/vote", url.Values{"choice": {"yes"}}, 403, "No tienes permiso")
	moRefused(t, carla, motion, motion+"/vote", url.Values{"choice": {"maybe"}}, 422, "Elige una de las respuestas")
	moRefused(t, juan, motion, motion+"/close", url.Values{}, 403, "No tienes permiso")
	moOK(t, rosa, motion, motion+"/close", url.Values{})

	// The record: result, count, quorum, participation, how and when.
	moHas(t, carla, motion, "<strong>aprobada</strong>", "votada en línea el", "Aprobado: más votos a favor que en contra.",
		"Participaron 3 de 4 con derecho a voto.", "hacían falta 2 para el quórum", `<meter min="0" max="3" value="2">`)
	moHas(t, carla, list, "<strong>aprobada</strong>", "Sí 2 · No 1 · Abstención 0", "Mayoría simple · Quórum: al menos 1/3")
	moRefused(t, carla, motion, motion+"/comments", url.Values{"form": {"comment"}, "comment": {"Tarde"}}, 409, "no admite comentarios")

	// Published, it is public.
	if res := e.client().get("/communiques" + strings.TrimPrefix(motion, "/motions")); res.status != http.StatusNotFound {
		t.Fatalf("an unpublished communiqué: %d", res.status)
	}
	moRefused(t, ana, motion, motion+"/publish", url.Values{}, 403, "No tienes permiso")
	moOK(t, rosa, motion, motion+"/publish", url.Values{})
	moRefused(t, rosa, motion, motion+"/publish", url.Values{}, 409, "ya está publicada")
	anyone := e.client()
	communique := "/communiques" + strings.TrimPrefix(motion, "/motions")
	if p := moHas(t, anyone, communique, "<h1>Paro de 48 horas</h1>", amended, "Comunicado de Comité de Lucha de Juliaca", "<strong>aprobada</strong>"); strings.Contains(p, "Juan") {
		t.Fatal("the communiqué names the proposer")
	}
	moHas(t, anyone, "/communiques", `href="`+communique+`"`, "Paro de 48 horas", `href="/communiques.atom"`)
	moLight(t, anyone, "/communiques")
	moLight(t, anyone, communique)
	for _, feed := range []string{"/communiques.atom", body + "/communiques.atom"} {
		f := moFeed(t, anyone, feed)
		if len(f.Entries) != 1 || f.Entries[0].Title != "Paro de 48 horas" || !strings.HasSuffix(f.Entries[0].Link.Href, communique) ||
			!strings.HasPrefix(f.Entries[0].ID, "tag:127.0.0.1,") || !strings.Contains(f.Entries[0].Content, "transportistas") {
			t.Fatalf("%s: %+v", feed, f)
		}
	}
	if f := moFeed(t, anyone, body+"/communiques.atom"); f.Title != "Comunicados de Comité de Lucha de Juliaca" {
		t.Fatalf("the body's feed is titled %q", f.Title)
	}
	english := e.client()
	english.lang = "en"
	moHas(t, english, communique, "Communiqué of Comité de Lucha de Juliaca", "<strong>passed</strong>", "decided online on", "Passed: more votes for than against.")
	if res := anyone.get("/bodies/999/communiques.atom"); res.status != http.StatusNotFound {
		t.Fatalf("the feed of no body: %d", res.status)
	}

	// A draft is the proposer's alone until put to discussion; a motion
	// among options is ranked with numbers.
	draft := moOK(t, ana, list, list, url.Values{"title": {"Fecha del paro"}, "text": {"¿Qué día empezamos?"}, "rule": {"irv"}, "options": {"Lunes\nMartes\nMiércoles"}, "winners": {"1"}, "draft": {"on"}})
	moHas(t, ana, draft, "borrador", "Poner en debate", `href="`+draft+`/edit"`)
	moHas(t, ana, draft+"/edit", `value="Fecha del paro"`, "Lunes\nMartes\nMiércoles</textarea>", `value="irv" checked`)
	res = moRefused(t, ana, draft+"/edit", draft+"/edit", url.Values{"title": {"Fecha del paro"}, "text": {"¿Qué día empezamos la huelga?"}, "rule": {"irv"}, "options": {"Lunes\nlunes"}}, 422, "La opción «lunes» aparece dos veces.")
	if !strings.Contains(res.body, "¿Qué día empezamos la huelga?</textarea>") {
		t.Fatalf("the edit form lost the text:\n%s", res.body)
	}
	moOK(t, ana, draft+"/edit", draft+"/edit", url.Values{"title": {"Fecha del paro"}, "text": {"¿Qué día empezamos la huelga?"}, "rule": {"irv"}, "options": {"Lunes\nMartes\nMiércoles"}})
	if res := rosa.get(draft + "/edit"); res.status != http.StatusNotFound {
		t.Fatalf("someone else edits a draft: %d", res.status)
	}
	if res := rosa.get(draft); res.status != http.StatusNotFound {
		t.Fatalf("someone else reads a draft: %d", res.status)
	}
	moOK(t, ana, draft, draft+"/move", url.Values{"to": {"discussion"}})
	moOK(t, rosa, draft, draft+"/move", url.Values{"to": {"voting"}, "hours": {"24"}})
	moHas(t, juan, draft, `name="rank-0"`, `name="rank-2"`, "Numera las opciones")
	moRefused(t, juan, draft, draft+"/vote", url.Values{"rank-0": {"1"}, "rank-1": {"1"}}, 422, "Diste la preferencia 1 a dos opciones")
	for c, ranks := range map[*client][]string{rosa: {"1", "2", ""}, juan: {"2", "1", "3"}, ana: {"", "1", "2"}, carla: {"2", "1", ""}} {
		moOK(t, c, draft, draft+"/vote", url.Values{"rank-0": {ranks[0]}, "rank-1": {ranks[1]}, "rank-2": {ranks[2]}})
	}
	moHas(t, carla, draft, "<strong>decidida</strong>", "El recuento, ronda por ronda", "Ronda 1")
	if _, err := e.db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
}

// TestMotionBallots: each kind of ballot is offered, read and counted
// through the pages.
func TestMotionBallots(t *testing.T) {
	e := newEnv(t)
	cs := moPeople(e, "Rosa", "Juan", "Ana")
	body := moCommittee(t, cs[0], "Comité de Ilave", "210501", cs[1], cs[2])
	list := body + "/motions"
	for _, tc := range []struct {
		rule, options string
		offered       string
		ballots       []url.Values
		want          []string
	}{
		{"consent", "", `value="block"`, []url.Values{{"choice": {"yes"}}, {"choice": {"abstain"}}, {"choice": {"yes"}}},
			[]string{"<strong>aprobada</strong>", "Me hago a un lado", "Aprobado por consenso"}},
		{"two-thirds", "", `value="no"`, []url.Values{{"choice": {"yes"}}, {"choice": {"yes"}}, {"choice": {"no"}}},
			[]string{"<strong>aprobada</strong>", "Aprobado por dos tercios"}},
		{"plurality", "Puno\nJuliaca", `type="radio" name="option" value="1"`, []url.Values{{"option": {"1"}}, {"option": {"1"}}, {"option": {""}}},
			[]string{"<strong>decidida</strong>: Juliaca", "<th>En blanco</th><td>1</td>"}},
		{"approval", "Puno\nJuliaca\nIlave", `type="checkbox" name="option" value="2"`, []url.Values{{"option": {"0", "2"}}, {"option": {"2"}}, {"option": {"1", "2"}}},
			[]string{"<strong>decidida</strong>: Ilave", "<th><strong>Ilave</strong></th><td>3</td>"}},
		{"schulze", "Puno\nJuliaca\nIlave", `name="rank-2"`, []url.Values{{"rank-0": {"1"}, "rank-1": {"2"}}, {"rank-1": {"1"}, "rank-0": {"2"}}, {"rank-0": {"1"}, "rank-2": {"2"}}},
			[]string{"<strong>decidida</strong>: Puno", "Comparación de dos en dos", "caminos más fuertes"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			form := url.Values{"title": {"Moción por " + tc.rule}, "text": {"Texto."}, "rule": {tc.rule}, "options": {strings.ReplaceAll(tc.options, `\n`, "\n")}, "winners": {"1"}, "blocks": {"1"}}
			motion := moOK(t, cs[1], list, list, form)
			moOK(t, cs[0], motion, motion+"/move", url.Values{"to": {"voting"}, "hours": {"2"}})
			moHas(t, cs[2], motion, tc.offered)
			for i, b := range tc.ballots {
				moOK(t, cs[i], motion, motion+"/vote", b)
			}
			moHas(t, cs[2], motion, tc.want...)
			moLight(t, cs[2], motion)
		})
	}
	moLight(t, cs[0], list)
}

// moDelegate has a committee elect candidate as its delegate in assembly
// asm: the facilitator opens the election, the candidate stands, voters
// vote for them.
func moDelegate(t *testing.T, body, asm string, facilitator, candidate *client, name string, voters ...*client) {
	t.Helper()
	election := moOK(t, facilitator, body+"/delegates", body+"/elections", url.Values{"assembly": {strings.TrimPrefix(asm, "/bodies/")}, "alternates": {"0"}, "hours": {"24"}})
	moOK(t, candidate, election, election+"/stand", url.Values{"statement": {"Por la constituyente"}})
	m := regexp.MustCompile(`<option value="(\d+)">` + name + `</option>`).FindStringSubmatch(facilitator.get(election).body)
	if m == nil {
		t.Fatalf("no candidate %s on %s", name, election)
	}
	for _, v := range voters {
		moOK(t, v, election, election+"/ballot", url.Values{"pref1": {m[1]}})
	}
	moHas(t, facilitator, election, "Elegidos")
}

// TestReferralPages: an assembly refers a motion to its two bases, sees
// the live count by choice and by department, the bases decide and
// instruct their delegates, one delegate's ballot comes filled in with the
// instruction and he votes otherwise, and his base sees the deviation with a
// recall at hand.
func TestReferralPages(t *testing.T) {
	e := newEnv(t)
	cs := moPeople(e, "Rosa", "Juan", "Ana", "Carmen", "Edwin")
	rosa, juan, ana, carmen, edwin := cs[0], cs[1], cs[2], cs[3], cs[4]
	juliaca := moCommittee(t, rosa, "Comité de Juliaca", "211101", juan, ana)
	arequipa := moCommittee(t, carmen, "Comité de Arequipa", "040101", edwin)
	asm := moOK(t, rosa, "/assemblies/new", "/assemblies", url.Values{"founders": {strings.TrimPrefix(juliaca, "/bodies/")}, "name": {"Asamblea Macroregional Sur"},
		"level": {"regional"}, "sector": {"other"}, "place_q": {"210000"}, "seat_mode": {"fixed"}, "seat_fixed": {"1"}, "public": {"on"}})
	moOK(t, carmen, arequipa, arequipa+"/affiliations", url.Values{"assembly": {strings.TrimPrefix(asm, "/bodies/")}})
	decide := regexp.MustCompile(`action="(/bodies/\d+/affiliations/\d+/decide)"`).FindStringSubmatch(rosa.get(asm).body)[1]
	moOK(t, rosa, asm, decide, url.Values{"decision": {"accept"}})
	moDelegate(t, juliaca, asm, rosa, juan, "Juan", rosa, juan, ana)
	moDelegate(t, arequipa, asm, carmen, edwin, "Edwin", carmen, edwin)

	list := asm + "/motions"
	motion := moOK(t, rosa, list, list, url.Values{"title": {"¿Huelga general indefinida desde el 4 de enero?"}, "text": {"Consulta a las bases."}, "rule": {"majority"}})
	moRefused(t, juan, motion, motion+"/refer", url.Values{"hours": {"24"}}, 403, "No tienes permiso")
	moRefused(t, rosa, motion, motion+"/refer", url.Values{"hours": {"0"}}, 422, "entre 1 y 720 horas")
	moOK(t, rosa, motion, motion+"/refer", url.Values{"hours": {"48"}})
	page := moHas(t, rosa, motion, "Consultada a las bases hasta el", "Decidieron 0 de 2 comités consultados", "Comité de Arequipa", "decidiendo")
	referral := regexp.MustCompile(`href="(/referrals/\d+)"`).FindStringSubmatch(page)[1]

	// Each base votes on its own copy, which says whose consultation it is.
	copyOf := func(c *client, body string) string {
		t.Helper()
		m := regexp.MustCompile(`href="(/motions/\d+)">¿Huelga general`).FindStringSubmatch(c.get(body + "/motions").body)
		if m == nil {
			t.Fatalf("no copy on %s", body)
		}
		moHas(t, c, m[1], "Consulta a las bases de Asamblea Macroregional Sur", "será la instrucción de sus delegados", `name="choice" value="yes"`)
		return m[1]
	}
	c1 := copyOf(ana, juliaca)
	for _, c := range []*client{rosa, juan, ana} {
		moOK(t, c, c1, c1+"/vote", url.Values{"choice": {"yes"}})
	}
	moHas(t, rosa, motion, "Decidieron 1 de 2 comités consultados", "1 comité", "3 miembros", `<meter min="0" max="2" value="1">`, "falta 1")
	moHas(t, rosa, referral, "Consulta a las bases: ¿Huelga general", "<td>Puno</td>", "<svg", "Puno: 1 comité decidió: Sí 1", "2 miembros en los comités que faltan")
	moLight(t, rosa, referral)
	if res := carmen.get(referral); res.status != http.StatusForbidden && res.status != http.StatusNotFound {
		t.Fatalf("a base's member sees the assembly's whole count: %d", res.status)
	}
	c2 := copyOf(edwin, arequipa)
	for _, c := range []*client{carmen, edwin} {
		moOK(t, c, c2, c2+"/vote", url.Values{"choice": {"yes"}})
	}
	moHas(t, rosa, referral, "Decidieron 2 de 2 comités consultados", "<td>Arequipa</td>", "<td>Puno</td>")

	// The assembly's vote opened by itself: Juan's ballot carries his
	// base's instruction, and the warning.
	page = moHas(t, juan, motion, "en votación", "Tu base, Comité de Juliaca, te instruyó: Sí.", "desviación del mandato", `name="choice" value="yes" required checked`)
	seat := regexp.MustCompile(`name="seat" value="(\d+)"`).FindStringSubmatch(page)[1]
	moLight(t, juan, motion)
	moRefused(t, ana, motion, motion+"/vote", url.Values{"choice": {"yes"}}, 403, "No tienes permiso")
	moOK(t, juan, motion, motion+"/vote", url.Values{"seat": {seat}, "choice": {"no"}})
	moHas(t, juan, motion, "Por el escaño de Comité de Juliaca ya votaste: No.")
	moOK(t, edwin, motion, motion+"/vote", url.Values{"choice": {"yes"}})
	moHas(t, rosa, motion, "<strong>rechazada</strong>", "Rechazado: empate entre votos a favor y en contra.", "Votos de los delegados",
		"<td>Juan</td><td>No</td><td>Sí <strong class=\"error\">se desvió</strong></td>", "<td>Edwin</td><td>Sí</td><td>Sí</td>")

	// Juliaca sees the deviation, the compliance rate and a recall at hand.
	moHas(t, ana, juliaca+"/delegates", `href="`+juliaca+`/record"`)
	page = moHas(t, ana, juliaca+"/record", "Juan", "Cumplimiento del mandato: 0 % (0 de 1 votos con instrucción)", "La base instruyó «Sí»; votó «No».",
		"Votó en contra de la instrucción de la base en «¿Huelga general indefinida", "Mandatos por moción", "Mandato: Sí")
	recall := regexp.MustCompile(`action="(/delegates/\d+/recall)"`).FindStringSubmatch(page)
	if recall == nil {
		t.Fatalf("no recall button on the record:\n%s", page)
	}
	moLight(t, ana, juliaca+"/record")
	moHas(t, carmen, arequipa+"/record", "Edwin", "Cumplimiento del mandato: 100 %", "Ninguna desviación.")
	if strings.Contains(carmen.get(arequipa+"/record").body, "/recall") {
		t.Fatal("a recall is offered without a deviation")
	}
	moLocation(t, ana.post(juliaca+"/record", recall[1], url.Values{"reason": {"Votó en contra de la instrucción"}}), "open a recall")
	if p := moHas(t, ana, juliaca+"/record", "Hay una revocatoria abierta."); strings.Contains(p, `action="`+recall[1]+`"`) {
		t.Fatal("a second recall is offered while one is open")
	}
	if _, err := e.db.VerifyJournal(); err != nil {
		t.Fatal(err)
	}
}

// TestMotionCatalogKeys: every message the motion pages' Go code names
// reads in every language (the templates are checked by package web).
func TestMotionCatalogKeys(t *testing.T) {
	cat := i18n.MustLoad()
	key := regexp.MustCompile(`\bl\.[TN]\("([a-z_.-]+)"`)
	for _, f := range []string{"../web/motions.go", "../web/referrals.go", "../web/communiques.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range key.FindAllStringSubmatch(string(b), -1) {
			if strings.HasSuffix(m[1], ".") {
				continue // a prefix: checked below
			}
			for _, lang := range i18n.Supported {
				if !cat.Has(lang, m[1]) {
					t.Errorf("%s: %s lacks %s", f, lang, m[1])
				}
			}
		}
	}
	var prefixed []string
	for _, s := range []string{"draft", "discussion", "voting", "recorded", "passed", "rejected", "no_quorum", "decided", "tie", "withdrawn"} {
		prefixed = append(prefixed, "motion.status."+s)
	}
	for _, s := range []string{"open", "voting", "accepted", "adopted", "rejected", "withdrawn", "superseded"} {
		prefixed = append(prefixed, "amendment.status."+s)
	}
	for _, s := range []string{"majority", "absolute", "two-thirds", "consent", "plurality", "approval", "irv", "schulze"} {
		prefixed = append(prefixed, "motion.rule."+s, "motion.rule."+s+".help")
	}
	for _, k := range prefixed {
		for _, lang := range i18n.Supported {
			if !cat.Has(lang, k) {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
}
