// Package crash_test shows that asamblea loses no acknowledged vote when its
// process is killed: it runs the real binary, casts votes over the API from
// many clients, kills the server with SIGKILL at random moments, restarts
// it, and checks the database and the journal afterwards.
package crash_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to make a schema

	"asamblea/accounts"
	"asamblea/journal"
	"asamblea/motions"
	"asamblea/store"
	"asamblea/voting"
)

// The load: voters goroutines, each casting the ballots of its own members
// on every motion in turn, until the last kill.
const (
	voters     = 16
	perVoter   = 32  // members each voter casts ballots for
	motionsN   = 100 // 51,200 ballots: more than the run can cast
	kills      = 5   // kills followed by a restart; one more ends the run
	minUptime  = 300 * time.Millisecond
	maxUptime  = 900 * time.Millisecond
	startLimit = 20 * time.Second // to answer /healthz after a (re)start
)

var choices = []string{voting.Yes, voting.No, voting.Abstain}

// choice is the ballot a member casts on a motion, the same on every retry.
func choice(user, motion int64) string { return choices[(user+motion)%3] }

// TestKilledServerKeepsAcknowledgedVotes casts votes under load, kills the
// server with SIGKILL at random moments, restarts it, and shows that every
// vote acknowledged with a 204 is in the database, that no vote is counted
// that was never cast, that the counts agree with the voters, and that
// `asamblea verify` passes — on SQLite, and on PostgreSQL when
// ASAMBLEA_TEST_POSTGRES is set.
func TestKilledServerKeepsAcknowledgedVotes(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds and kills the server repeatedly")
	}
	bin := buildBinary(t)
	t.Run("sqlite", func(t *testing.T) {
		// The keys are kept apart from the data, as a production node
		// must (serve refuses plain keys beside the database).
		crashRun(t, bin, t.TempDir(), filepath.Join(t.TempDir(), "asamblea.db"))
	})
	if os.Getenv("ASAMBLEA_TEST_POSTGRES") == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) {
		crashRun(t, bin, t.TempDir(), postgresSchema(t))
	})
}

// buildBinary builds cmd/asamblea once, into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "asamblea")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/asamblea")
	cmd.Dir = ".." // the module root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// postgresSchema creates a schema of its own in ASAMBLEA_TEST_POSTGRES's
// database, dropped when the test ends, and returns a URL that uses it.
func postgresSchema(t *testing.T) string {
	t.Helper()
	base := os.Getenv("ASAMBLEA_TEST_POSTGRES")
	b := make([]byte, 6)
	rand.Read(b)
	schema := "crash_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("postgres at ASAMBLEA_TEST_POSTGRES: %v", err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// fixture is what the run needs from the database set up before it.
type fixture struct {
	motions []int64
	members [][]int64  // per voter
	tokens  [][]string // per voter, as members
}

// setUp migrates the database, gives it the journal key the server will
// use (so that every entry is signed), and creates a committee of
// voters×perVoter members and a facilitator, motionsN motions open for 24
// hours, and an API token for each member. The facilitator never votes, so
// no motion closes by everyone having voted.
func setUp(t *testing.T, dsn, keyFile string) fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	k, err := journal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	pem, err := journal.MarshalKey(k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UseJournalKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	names := []string{"Facilitadora"}
	for i := range voters * perVoter {
		names = append(names, fmt.Sprintf("Votante %04d", i))
	}
	loaded, err := db.BulkLoad(ctx, "x", []store.BulkCommittee{{Name: "Comité de Lucha de Juliaca", Sector: "workers", Place: "211101", Members: names}})
	if err != nil {
		t.Fatal(err)
	}
	c := loaded[0]
	var f fixture
	for i := range motionsN {
		m, err := db.CreateMotion(ctx, c.Facilitator, c.Body, motions.Input{Title: fmt.Sprintf("Moción %d", i+1), Text: "¿Paro regional de 48 horas?"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveMotion(ctx, c.Facilitator, m.ID, motions.Voting, 24); err != nil {
			t.Fatal(err)
		}
		f.motions = append(f.motions, m.ID)
	}
	// BulkLoad numbers the members after the facilitator, in order.
	f.members = make([][]int64, voters)
	f.tokens = make([][]string, voters)
	for v := range voters {
		for i := range perVoter {
			id := c.Facilitator + 1 + int64(v*perVoter+i)
			tok, err := db.CreateToken(ctx, id, accounts.TokenSpec{Name: "crash", Scopes: []string{accounts.ScopeWrite}})
			if err != nil {
				t.Fatal(err)
			}
			f.members[v] = append(f.members[v], id)
			f.tokens[v] = append(f.tokens[v], tok.Secret)
		}
	}
	return f
}

// server is the asamblea process under test, started again after each
// kill on the same address.
type server struct {
	t      *testing.T
	args   []string
	base   string
	log    *os.File
	cmd    *exec.Cmd
	exited chan error
}

func newServer(t *testing.T, bin, dir, dsn string) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	log, err := os.OpenFile(filepath.Join(dir, "server.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, base: "http://" + addr, log: log, args: []string{bin, "serve", "--db", dsn, "--addr", addr,
		"--journal-key", filepath.Join(dir, "journal.key"), "--records-key", filepath.Join(dir, "records.key"), "--keys", dir}}
	t.Cleanup(func() {
		if s.cmd != nil {
			s.cmd.Process.Kill()
			<-s.exited
		}
		log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			if len(b) > 8<<10 {
				b = b[len(b)-8<<10:]
			}
			t.Logf("server log (end):\n%s", b)
		}
	})
	return s
}

// start starts the server and waits until /healthz answers.
func (s *server) start() {
	s.t.Helper()
	fmt.Fprintf(s.log, "--- start %s\n", time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(s.args[0], s.args[1:]...)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	if err := cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.cmd, s.exited = cmd, make(chan error, 1)
	go func(exited chan error) { exited <- cmd.Wait() }(s.exited)
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startLimit)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.exited:
			s.cmd = nil
			s.t.Fatalf("the server exited on start: %v", err)
		default:
		}
		if res, err := hc.Get(s.base + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.t.Fatalf("the server did not answer /healthz within %s", startLimit)
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	s.t.Helper()
	fmt.Fprintf(s.log, "--- SIGKILL %s\n", time.Now().Format(time.RFC3339Nano))
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatal(err)
	}
	<-s.exited
	s.cmd = nil
}

// outcome is what a member learned of one ballot.
type outcome uint8

const (
	untried outcome = iota
	acked           // 204: acknowledged, so it must be there
	maybe           // sent, answer lost; it may or may not be there
	durable         // a retry was refused as a second ballot: the lost one is there
)

// ledger is one voter's record: outcome[member][motion].
type ledger struct {
	members []int64
	outcome [][]outcome
	tries   int // requests sent, retries included
	retries int
	acks    *atomic.Int64 // acknowledgements of all the voters
}

// vote casts the member's ballot on the motion, retrying while the server
// is down, until it is acknowledged, known to be in, or stop is closed.
func vote(hc *http.Client, base, token string, user, motion int64, stop <-chan struct{}, l *ledger, i, j int) error {
	body := fmt.Sprintf(`{"choice":%q}`, choice(user, motion))
	for attempt := 0; ; attempt++ {
		select {
		case <-stop:
			if attempt > 0 {
				l.outcome[i][j] = maybe
			}
			return nil
		default:
		}
		if attempt > 0 {
			l.retries++
			time.Sleep(time.Duration(5+mrand.IntN(10)) * time.Millisecond)
		}
		l.tries++
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/motions/%d/ballot", base, motion), strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := hc.Do(req)
		if err != nil {
			continue // the server is down or was killed mid-request
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		switch {
		case res.StatusCode == http.StatusNoContent:
			l.outcome[i][j] = acked
			l.acks.Add(1)
			return nil
		case res.StatusCode == http.StatusConflict && errorKey(b) == "motion.vote.twice":
			if attempt == 0 {
				return fmt.Errorf("member %d, motion %d: a first ballot refused as a second one: %s", user, motion, b)
			}
			l.outcome[i][j] = durable
			return nil
		case res.StatusCode >= 500:
			continue // refused, not acknowledged: try again
		}
		return fmt.Errorf("member %d, motion %d: status %d: %s", user, motion, res.StatusCode, b)
	}
}

func errorKey(b []byte) string {
	var e struct {
		Error struct {
			Key string `json:"key"`
		} `json:"error"`
	}
	json.Unmarshal(b, &e)
	return e.Error.Key
}

func crashRun(t *testing.T, bin, dir, dsn string) {
	began := time.Now()
	f := setUp(t, dsn, filepath.Join(dir, "journal.key"))
	t.Logf("set up: %d members, %d motions in %s", voters*perVoter, motionsN, time.Since(began).Round(time.Millisecond))
	srv := newServer(t, bin, dir, dsn)
	srv.start()

	hc := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: voters, DisableCompression: true}}
	stop := make(chan struct{})
	halt := sync.OnceFunc(func() { close(stop) })
	ledgers := make([]*ledger, voters)
	errc := make(chan error, voters)
	var acks atomic.Int64
	var wg sync.WaitGroup
	for v := range voters {
		l := &ledger{members: f.members[v], outcome: make([][]outcome, perVoter), acks: &acks}
		for i := range l.outcome {
			l.outcome[i] = make([]outcome, motionsN)
		}
		ledgers[v] = l
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j, m := range f.motions {
				for i, user := range l.members {
					select {
					case <-stop:
						return
					default:
					}
					if err := vote(hc, srv.base, f.tokens[v][i], user, m, stop, l, i, j); err != nil {
						errc <- err
						return
					}
				}
			}
			errc <- fmt.Errorf("voter %d cast every ballot before the last kill: make the load larger", v)
		}()
	}

	t.Cleanup(func() { halt(); wg.Wait() }) // before the server's cleanup kills it

	// Kill at random moments once votes are being acknowledged, restart,
	// and kill once more at the end.
	var healthy, serving []time.Duration // from a kill to /healthz answering, to the next vote acknowledged
	loadStart := time.Now()
	killed := time.Time{}
	for k := 0; k <= kills; k++ {
		for n := acks.Load(); acks.Load() == n; {
			select {
			case err := <-errc:
				t.Fatal(err)
			case <-time.After(time.Millisecond):
			}
			if time.Since(loadStart) > time.Minute {
				t.Fatal("no vote acknowledged for a minute")
			}
		}
		if k > 0 {
			serving = append(serving, time.Since(killed))
		}
		select {
		case err := <-errc:
			t.Fatal(err)
		case <-time.After(minUptime + mrand.N(maxUptime-minUptime)):
		}
		killed = time.Now()
		srv.kill()
		if k == kills {
			break
		}
		srv.start()
		healthy = append(healthy, time.Since(killed))
	}
	loadTime := time.Since(loadStart)
	halt()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	hc.CloseIdleConnections()

	// Every ballot's outcome, by motion and member.
	type key struct{ motion, user int64 }
	want := map[key]outcome{}
	var tries, retries int
	var count [4]int
	for _, l := range ledgers {
		tries += l.tries
		retries += l.retries
		for i, user := range l.members {
			for j, m := range f.motions {
				o := l.outcome[i][j]
				count[o]++
				if o != untried {
					want[key{m, user}] = o
				}
			}
		}
	}

	// What the database holds, after the last kill.
	ctx := context.Background()
	db, err := store.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type tally struct{ yes, no, abstain, block, voters int64 }
	got := map[key]bool{}
	counts := map[int64]tally{}
	err = db.View(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT motion_id, user_id FROM motion_voters`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.motion, &k.user); err != nil {
				return err
			}
			got[k] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(`SELECT id, yes, no, abstain, block, voters FROM motions`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var c tally
			if err := rows.Scan(&id, &c.yes, &c.no, &c.abstain, &c.block, &c.voters); err != nil {
				return err
			}
			counts[id] = c
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}

	// Every acknowledged ballot is in; nothing is in that was not sent.
	lost, phantom, maybeIn := 0, 0, 0
	for k, o := range want {
		switch {
		case (o == acked || o == durable) && !got[k]:
			lost++
			if lost <= 10 {
				t.Errorf("motion %d: the acknowledged ballot of member %d is missing", k.motion, k.user)
			}
		case o == maybe && got[k]:
			maybeIn++
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			phantom++
			if phantom <= 10 {
				t.Errorf("motion %d: member %d is recorded as a voter but never sent a ballot", k.motion, k.user)
			}
		}
	}
	if lost > 0 || phantom > 0 {
		t.Errorf("%d acknowledged ballots lost, %d ballots recorded that were never sent", lost, phantom)
	}

	// Each motion's counts agree with its voters and with what was sent:
	// at least the acknowledged ballots of each choice, at most those sent.
	for _, m := range f.motions {
		var low, high tally
		for k, o := range want {
			if k.motion != m {
				continue
			}
			add := func(c *tally) {
				c.voters++
				switch choice(k.user, k.motion) {
				case voting.Yes:
					c.yes++
				case voting.No:
					c.no++
				case voting.Abstain:
					c.abstain++
				}
			}
			if o == acked || o == durable {
				add(&low)
			}
			add(&high)
		}
		c := counts[m]
		rows := int64(0)
		for k := range got {
			if k.motion == m {
				rows++
			}
		}
		if c.voters != rows || c.yes+c.no+c.abstain+c.block != c.voters || c.block != 0 {
			t.Errorf("motion %d: counts %+v disagree with its %d voters", m, c, rows)
		}
		if c.yes < low.yes || c.no < low.no || c.abstain < low.abstain || c.yes > high.yes || c.no > high.no || c.abstain > high.abstain {
			t.Errorf("motion %d: counts %+v outside the acknowledged %+v and the sent %+v", m, c, low, high)
		}
	}

	// The journal verifies, signatures included.
	out, err := exec.Command(bin, "verify", "--db", dsn, "--journal-key", filepath.Join(dir, "journal.key")).CombinedOutput()
	if err != nil {
		t.Errorf("asamblea verify: %v\n%s", err, out)
	}

	t.Logf("%d SIGKILLs under load in %s (%d restarts); ballots: %d acknowledged, %d lost in flight but found in by a retry, %d unanswered (%d of them in), %d sent requests (%d retries); votes/s %.0f",
		kills+1, loadTime.Round(time.Millisecond), len(healthy), count[acked], count[durable], count[maybe], maybeIn, tries, retries,
		float64(count[acked]+count[durable])/loadTime.Seconds())
	t.Logf("recovery from SIGKILL to /healthz answering: %s; to the next vote acknowledged: %s", spread(healthy), spread(serving))
	t.Logf("verify: %s", bytes.TrimSpace(out))
}

// spread is the minimum, mean and maximum of ds.
func spread(ds []time.Duration) string {
	ds = slices.Sorted(slices.Values(ds))
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	return fmt.Sprintf("min %s, mean %s, max %s", ms(ds[0]), ms(sum/time.Duration(len(ds))), ms(ds[len(ds)-1]))
}
