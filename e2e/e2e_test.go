// Package e2e_test drives the real asamblea server with a real browser
// (Debian's chromium through the DevTools protocol), along the path a new
// person takes: sign up, create a committee, invite two comrades, give them
// roles, switch the language, and get a bad form rejected.
//
// It needs /usr/bin/chromium. Without it the test is skipped, unless
// ASAMBLEA_E2E=1 (as in CI), where a missing browser is a failure.
// Screenshots go to $ASAMBLEA_E2E_OUT when set, else to a temporary directory;
// their paths are logged.
package e2e_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"asamblea/accounts"
	"asamblea/server"
	"asamblea/store"
)

const chromiumPath = "/usr/bin/chromium"

// Phone-sized viewport, like a cheap Android phone.
const viewW, viewH = 390, 844

// fastHasher keeps sign-ups quick; the real parameters are tested elsewhere.
var fastHasher = accounts.Hasher{Time: 1, MemoryKiB: 64, Threads: 1}

func TestPersonPath(t *testing.T) {
	requireChromium(t)
	start := time.Now()
	db, base := startServer(t)
	out := shotDir(t)

	// The whole walk is bounded; each step has its own, shorter bound.
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	browser := startBrowser(t, ctx)

	rosa := newPerson(t, browser, base, "Rosa")
	nina := newPerson(t, browser, base, "Nina")
	wayra := newPerson(t, browser, base, "Wayra")
	bad := newPerson(t, browser, base, "Quispe")

	// Rosa opens the site and creates her account.
	rosa.open("/")
	rosa.expectText("main h1", "Organízate con tu comité", true)
	rosa.click(`main a[href="/signup"]`, http.StatusOK)
	rosa.expectPath("/signup")
	rosa.signup("la tierra es de quien la trabaja")
	rosa.expectPath("/")
	rosa.expectText("main h1", "Hola, Rosa", true)
	rosa.expectText("main .flash", "Tu cuenta está lista", false)

	// She creates a committee in Juliaca.
	const committee = "Comité de Lucha de Juliaca"
	rosa.click(`main a[href="/bodies/new"]`, http.StatusOK)
	rosa.expectPath("/bodies/new")
	rosa.run("fill committee form",
		chromedp.SendKeys("#name", committee, chromedp.ByQuery),
		chromedp.SetValue("#sector", "campesinos", chromedp.ByQuery),
		chromedp.SendKeys("#place_q", "Juliaca", chromedp.ByQuery),
		chromedp.SendKeys("#description", "Rondas y comunidades de San Román por la asamblea constituyente.", chromedp.ByQuery),
	)
	var public bool
	rosa.run("public checkbox", chromedp.Evaluate(`document.querySelector('input[name=public]').checked`, &public))
	if !public {
		rosa.run("tick public", chromedp.Click(`input[name=public]`, chromedp.ByQuery))
	}
	rosa.click(`main form button[type=submit]`, http.StatusOK)
	bodyPath := rosa.path()
	if !strings.HasPrefix(bodyPath, "/bodies/") {
		rosa.fatalf("after creating the committee the page is %s, want /bodies/{id}", bodyPath)
	}
	rosa.expectText("main h1", committee, true)
	rosa.expectText("main p.muted", "Juliaca", false)
	rosa.expectText("main", "Tu rol: Facilitación", false)

	// She opens Invitations and creates a code for two people.
	rosa.click(`main a[href$="/invitations"]`, http.StatusOK)
	rosa.expectPath(bodyPath + "/invitations")
	rosa.run("fill invitation form",
		chromedp.SendKeys("#label", "Vecinas del mercado", chromedp.ByQuery),
		chromedp.SetValue("#max_uses", "2", chromedp.ByQuery),
	)
	rosa.click(`main form[action$="/invitations"] button[type=submit]`, http.StatusCreated)
	code := strings.TrimSpace(rosa.text("#invite-code"))
	if code == "" {
		rosa.fatalf("no invitation code shown")
	}
	t.Logf("invitation code: %s", code)
	rosa.expectText("main table", "0 / 2", false)
	rosa.screenshot(out, "invitations.png")

	// Nina and Wayra, each in their own browser, sign up from the join page
	// and type the code as people do: lower case, spaces for dashes.
	typed := strings.ToLower(strings.ReplaceAll(code, "-", " "))
	for _, p := range []*person{nina, wayra} {
		p.open("/")
		p.click(`header a[href="/join"]`, http.StatusOK)
		p.expectPath("/join")
		p.click(`main a[href^="/signup"]`, http.StatusOK)
		p.expectPath("/signup")
		p.signup("ninguna lucha es en vano " + strings.ToLower(p.name))
		p.expectPath("/join")
		p.run("type code", chromedp.SendKeys("#code", typed, chromedp.ByQuery))
		p.click(`main form[action="/join"] button[type=submit]`, http.StatusOK)
		p.expectPath(bodyPath)
		p.expectText("main h1", committee, true)
		p.expectText("main", "Tu rol: Miembro", false)
	}

	// Rosa gives them roles from the committee page.
	rosa.open(bodyPath)
	for _, c := range []struct{ who, role, label string }{
		{"Nina", "secretary", "Secretaría"},
		{"Wayra", "facilitator", "Facilitación"},
	} {
		row := fmt.Sprintf(`//table[contains(@class,"members")]//tr[td[1][normalize-space()=%q]]`, c.who)
		// The role is changed either in the row itself (select + button) or
		// on the member's own page, reached from the row's manage link.
		form := row + `//form[contains(@action,"/role")]`
		if !rosa.exists(form) {
			rosa.click(row+`//a[contains(@href,"/members/")]`, http.StatusOK)
			rosa.expectText("main h1", c.who, true)
			form = `//main//form[contains(@action,"/role")]`
			if c.who == "Nina" {
				rosa.screenshot(out, "member.png")
			}
		}
		rosa.run("choose role for "+c.who, chromedp.SetValue(form+`//select[@name="role"]`, c.role, chromedp.BySearch))
		rosa.click(form+`//button`, http.StatusOK)
		rosa.expectPath(bodyPath)
		rosa.expectText("main .flash", "Rol cambiado", false)
		if got := strings.TrimSpace(rosa.textBy(row + `/td[2]`)); got != c.label {
			rosa.fatalf("%s's role shows %q, want %q", c.who, got, c.label)
		}
	}
	rosa.expectText("main", "Tu rol: Facilitación", false)
	rosa.screenshot(out, "committee.png")

	// The language switch in the header turns the page into English.
	rosa.click(`header form.lang button[value="en"]`, http.StatusOK)
	rosa.expectPath(bodyPath)
	var lang string
	rosa.run("html lang", chromedp.Evaluate(`document.documentElement.lang`, &lang))
	if lang != "en" {
		rosa.fatalf(`<html lang> is %q after switching to English, want "en"`, lang)
	}
	rosa.expectText("main", "Your role: Facilitator", false)
	rosa.expectText("header", "Sign out", false)
	rosa.screenshot(out, "committee-en.png")

	// A password that is too short: the form comes back in Spanish with the
	// error, status 422, and no account is made.
	before, err := db.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bad.open("/signup")
	bad.run("fill bad sign-up",
		chromedp.SendKeys("#name", "Quispe", chromedp.ByQuery),
		chromedp.SendKeys("#password", "corta", chromedp.ByQuery),
		chromedp.SendKeys("#password2", "corta", chromedp.ByQuery),
	)
	bad.click(`main form[action="/signup"] button[type=submit]`, http.StatusUnprocessableEntity)
	bad.expectPath("/signup")
	bad.expectText("#form-error", "La contraseña debe tener al menos 12 caracteres", false)
	bad.run("html lang", chromedp.Evaluate(`document.documentElement.lang`, &lang))
	if lang != "es" {
		bad.fatalf(`<html lang> is %q on the rejected form, want "es"`, lang)
	}
	var name string
	bad.run("name kept", chromedp.Value("#name", &name, chromedp.ByQuery))
	if name != "Quispe" {
		bad.fatalf("the pseudonym field holds %q after the error, want it kept", name)
	}
	bad.screenshot(out, "signup-error.png")
	after, err := db.CountUsers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("a rejected sign-up changed the number of users from %d to %d", before, after)
	}
	t.Logf("walk done in %s", time.Since(start).Round(time.Millisecond))
}

// startServer runs asamblea in-process, as cmd/asamblea does, on a fresh
// SQLite file, and returns its store and base URL.
// requireChromium skips the test without a browser, unless ASAMBLEA_E2E=1
// (as in CI), where a missing browser is a failure.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("ASAMBLEA_E2E") == "1" {
			t.Fatalf("chromium not found at %s and ASAMBLEA_E2E=1: %v", chromiumPath, err)
		}
		t.Skip("chromium not found at /usr/bin/chromium; install it with apt-get install chromium or set ASAMBLEA_E2E=1 to make this a failure")
	}
}

func startServer(t *testing.T) (*store.DB, string) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "e2e.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	cfg := server.DefaultConfig()
	cfg.Hasher = fastHasher
	// Only warnings and errors: a failing request shows up in the test log.
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	srv, err := server.New(cfg, db, log)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return db, ts.URL
}

// shotDir is where screenshots go.
func shotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("ASAMBLEA_E2E_OUT")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// startBrowser starts headless chromium with a fresh profile and returns the
// browser's context. It is stopped when the test ends.
func startBrowser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	// Chromium's helper processes may still be writing to the profile for a
	// moment after the browser is told to quit: the profile is removed after
	// the browser, and a straggler file is not a test failure.
	profile, err := os.MkdirTemp("", "asamblea-e2e-profile-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 20; i++ {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "es-PE"),
		chromedp.UserDataDir(profile),
	)
	// chromedp reports protocol errors from its own goroutines; none may
	// reach t.Logf once the test is over.
	var over atomic.Bool
	t.Cleanup(func() { over.Store(true) })
	logf := func(format string, args ...any) {
		if !over.Load() {
			t.Logf("chromedp: "+format, args...)
		}
	}
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	bctx, bcancel := chromedp.NewContext(actx, chromedp.WithErrorf(logf))
	t.Cleanup(func() { bcancel(); acancel() })
	// The first Run starts the browser and ties its life to the context it
	// is given: bctx, not a shorter per-step timeout (ctx bounds it anyway).
	if err := chromedp.Run(bctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return bctx
}

// person is one browser context (own cookies) on a phone-sized screen.
type person struct {
	t    *testing.T
	name string
	base string
	ctx  context.Context
}

func newPerson(t *testing.T, browser context.Context, base, name string) *person {
	t.Helper()
	// Each person gets a browser context of their own: cookies and storage
	// apart, like separate phones. chromedp.WithNewBrowserContext would do
	// this, but chromedp v0.14.2 asks for the tab with newWindow:false, which
	// Chromium 156 refuses ("no browser is open") for a new context; asking
	// for a new window works.
	bexec := cdp.WithExecutor(browser, chromedp.FromContext(browser).Browser)
	setup, cancelSetup := context.WithTimeout(bexec, stepTimeout)
	defer cancelSetup()
	bcid, err := target.CreateBrowserContext().WithDisposeOnDetach(true).Do(setup)
	if err != nil {
		t.Fatalf("%s: new browser context: %v", name, err)
	}
	tid, err := target.CreateTarget("about:blank").WithBrowserContextID(bcid).WithNewWindow(true).Do(setup)
	if err != nil {
		t.Fatalf("%s: new tab: %v", name, err)
	}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithTargetID(tid))
	t.Cleanup(cancel)
	// As with the browser, the first Run attaches to the tab for the life of
	// the context it is given, so it must not be a per-step timeout.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("%s: attach to tab: %v", name, err)
	}
	p := &person{t: t, name: name, base: base, ctx: ctx}
	p.run("set up the phone",
		chromedp.EmulateViewport(viewW, viewH, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
		// A reader in Peru: Spanish first.
		network.SetExtraHTTPHeaders(network.Headers{"Accept-Language": "es-PE,es;q=0.9"}),
	)
	return p
}

const stepTimeout = 15 * time.Second

func (p *person) fatalf(format string, args ...any) {
	p.t.Helper()
	var loc, html string
	ctx, cancel := context.WithTimeout(p.ctx, 3*time.Second)
	defer cancel()
	chromedp.Run(ctx, chromedp.Location(&loc), chromedp.OuterHTML("main", &html, chromedp.ByQuery))
	if len(html) > 3000 {
		html = html[:3000] + "…"
	}
	p.t.Fatalf("%s: %s\n  at %s\n  page: %s", p.name, fmt.Sprintf(format, args...), loc, html)
}

// run runs actions with a bounded time.
func (p *person) run(what string, actions ...chromedp.Action) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		p.fatalf("%s: %v", what, err)
	}
}

// open loads a page by path, as typing its address.
func (p *person) open(path string) {
	p.t.Helper()
	p.openStatus(path, http.StatusOK)
}

// openStatus loads a page by path and checks the status it answers with.
func (p *person) openStatus(path string, want int) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(p.base+path))
	if err != nil {
		p.fatalf("open %s: %v", path, err)
	}
	if resp.Status != int64(want) {
		p.fatalf("open %s: status %d, want %d", path, resp.Status, want)
	}
}

// click clicks what leads to a new page (a link or a submit button) and
// checks the final status of the page that loads, after redirects.
func (p *person) click(sel string, want int) {
	p.t.Helper()
	by := chromedp.ByQuery
	if strings.HasPrefix(sel, "/") {
		by = chromedp.BySearch
	}
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(sel, by, chromedp.NodeVisible))
	if err != nil {
		p.fatalf("click %s: %v", sel, err)
	}
	if int(resp.Status) != want {
		p.fatalf("click %s: status %d, want %d", sel, resp.Status, want)
	}
}

// signup fills and sends the sign-up form the person is on.
func (p *person) signup(password string) {
	p.t.Helper()
	p.run("fill sign-up",
		chromedp.SendKeys("#name", p.name, chromedp.ByQuery),
		chromedp.SendKeys("#password", password, chromedp.ByQuery),
		chromedp.SendKeys("#password2", password, chromedp.ByQuery),
	)
	p.click(`main form[action="/signup"] button[type=submit]`, http.StatusOK)
}

func (p *person) path() string {
	p.t.Helper()
	var loc string
	p.run("location", chromedp.Location(&loc))
	u, err := url.Parse(loc)
	if err != nil {
		p.fatalf("bad location %q: %v", loc, err)
	}
	return u.Path
}

func (p *person) expectPath(want string) {
	p.t.Helper()
	if got := p.path(); got != want {
		p.fatalf("on page %s, want %s", got, want)
	}
}

// exists reports whether the page has a node matching the XPath expression.
func (p *person) exists(xpath string) bool {
	p.t.Helper()
	var ok bool
	js := fmt.Sprintf(`document.evaluate(%q, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue !== null`, xpath)
	p.run("look for "+xpath, chromedp.Evaluate(js, &ok))
	return ok
}

func (p *person) text(sel string) string {
	p.t.Helper()
	var s string
	p.run("read "+sel, chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
	return s
}

func (p *person) textBy(xpath string) string {
	p.t.Helper()
	var s string
	p.run("read "+xpath, chromedp.Text(xpath, &s, chromedp.BySearch))
	return s
}

// expectText checks the text of the first element matching sel: equal to
// want when exact, else containing it.
func (p *person) expectText(sel, want string, exact bool) {
	p.t.Helper()
	got := strings.Join(strings.Fields(p.text(sel)), " ")
	if exact && got != want || !exact && !strings.Contains(got, want) {
		p.fatalf("%s reads %q, want %q", sel, got, want)
	}
}

// screenshot saves a full-page PNG and logs its path.
func (p *person) screenshot(dir, name string) {
	p.t.Helper()
	var png []byte
	p.run("screenshot "+name, chromedp.FullScreenshot(&png, 100))
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", path)
}
