package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

type runOptions struct {
	Members   int           // simulated at once; 0 for every member of the plan
	Duration  time.Duration // members start requests for this long
	Think     time.Duration // mean pause between a member's requests
	Timeout   time.Duration // of one request
	VoteShare float64       // share of members voting on each motion
	Rand      *rand.Rand    // seeds each member's choices
}

func (o runOptions) count(p plan) int {
	if o.Members > 0 {
		return o.Members
	}
	return len(p.Members)
}

// kind groups requests in the report.
type kind int

const (
	page    kind = iota // a server-rendered page
	apiRead             // a GET of the JSON API
	vote                // a ballot through the JSON API
	nKinds
)

var kindNames = [nKinds]string{"pages", "api reads", "votes"}

// Routes findVotes asks for too.
const (
	openMotionsLabel = "GET /api/v1/bodies/{id}/motions?status=open"
	motionLabel      = "GET /api/v1/motions/{id}"
)

// step is one request of a member's round.
type step struct {
	kind  kind
	label string                  // the route, as reported
	path  func(*simMember) string // the path to ask for; "" skips the step
}

// round is what each member does over and over, starting at a step of its
// own: the pages of its committee and of the movement, the same through the
// API, and a vote while there is a motion it has not voted on.
func round(p plan) []step {
	motion := func(m *simMember) int64 { return m.Motions[m.rng.IntN(len(m.Motions))] }
	steps := []step{
		{page, "GET /bodies/{id}", func(m *simMember) string { return fmt.Sprintf("/bodies/%d", m.Body) }},
		{apiRead, openMotionsLabel, func(m *simMember) string {
			return fmt.Sprintf("/api/v1/bodies/%d/motions?status=open", m.Body)
		}},
		{page, "GET /bodies/{id}/motions", func(m *simMember) string { return fmt.Sprintf("/bodies/%d/motions", m.Body) }},
		{page, "GET /motions/{id}", func(m *simMember) string {
			if len(m.Motions) == 0 {
				return ""
			}
			return fmt.Sprintf("/motions/%d", motion(m))
		}},
		{vote, "POST /api/v1/motions/{id}/ballot", func(m *simMember) string {
			if len(m.toVote) == 0 {
				return ""
			}
			return fmt.Sprintf("/api/v1/motions/%d/ballot", m.toVote[0])
		}},
		{page, "GET /actions", func(*simMember) string { return "/actions" }},
		{apiRead, "GET /api/v1/bodies/{id}", func(m *simMember) string { return fmt.Sprintf("/api/v1/bodies/%d", m.Body) }},
		{page, "GET /repression", func(*simMember) string { return "/repression" }},
		{apiRead, motionLabel, func(m *simMember) string {
			if len(m.Motions) == 0 {
				return ""
			}
			return fmt.Sprintf("/api/v1/motions/%d", motion(m))
		}},
		{apiRead, "GET /api/v1/actions", func(*simMember) string { return "/api/v1/actions" }},
	}
	if p.National != 0 {
		steps = append(steps,
			step{page, "GET /bodies/{national}/coordination", func(*simMember) string { return fmt.Sprintf("/bodies/%d/coordination", p.National) }},
			step{apiRead, "GET /api/v1/bodies/{national}/coordination", func(*simMember) string {
				return fmt.Sprintf("/api/v1/bodies/%d/coordination", p.National)
			}})
	}
	return steps
}

// simMember is one member at work, in its own goroutine.
type simMember struct {
	member
	rng    *rand.Rand
	toVote []int64 // motions still to vote on
	times  map[string][]time.Duration
	votes  int
}

// load runs the members against base for o.Duration and gathers the
// report. Members stop starting requests at the deadline; the ones under
// way are waited for and counted.
func load(ctx context.Context, base string, p plan, o runOptions) (*report, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--url %q: not an http(s) URL", base)
	}
	cookie := "asamblea"
	if u.Scheme == "https" {
		cookie = "__Host-asamblea"
	}
	n := o.count(p)
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        2 * n,
		MaxIdleConnsPerHost: 2 * n,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport:     tr,
		Timeout:       o.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	steps := round(p)
	rep := &report{Members: n, Steps: steps, Times: map[string][]time.Duration{}}
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		rep.Errors++
		if len(rep.FirstErrors) < 10 {
			rep.FirstErrors = append(rep.FirstErrors, err.Error())
		}
	}
	rng := o.Rand
	if rng == nil {
		rng = rand.New(rand.NewPCG(1, 2))
	}
	start := time.Now()
	deadline := start.Add(o.Duration)
	// Members arrive over the first second, or over one pause when they
	// pause: not all at once.
	ramp := min(max(time.Second, o.Think), o.Duration/10)
	var wg sync.WaitGroup
	for i := range n {
		m := &simMember{member: p.Members[i], rng: rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())), times: map[string][]time.Duration{}}
		csrf := fmt.Sprintf("load-%d-%016x%016x", m.User, m.rng.Uint64(), m.rng.Uint64())
		pageCookie := cookie + "=" + m.Session + "; " + cookie + "-csrf=" + csrf
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				mu.Lock()
				defer mu.Unlock()
				for k, ts := range m.times {
					rep.Times[k] = append(rep.Times[k], ts...)
				}
				rep.Votes += m.votes
			}()
			if ramp > 0 {
				time.Sleep(time.Duration(m.rng.Int64N(int64(ramp))))
			}
			if err := m.findVotes(ctx, client, base, o.VoteShare, o.Think); err != nil {
				fail(err)
				return
			}
			for i := m.rng.IntN(len(steps)); time.Now().Before(deadline); i++ {
				st := steps[i%len(steps)]
				path := st.path(m)
				if path == "" {
					continue
				}
				d, err := m.do(ctx, client, base, pageCookie, st, path, nil)
				if err != nil {
					fail(err)
				} else {
					m.times[st.label] = append(m.times[st.label], d)
				}
				m.pause(o.Think)
			}
		}()
	}
	wg.Wait()
	rep.Elapsed = time.Since(start)
	for k := range rep.Times {
		slices.Sort(rep.Times[k])
	}
	return rep, nil
}

// findVotes asks the API for the open motions of the member's committee
// and opens each that is put to a vote, as a client would, to pick those
// the member has not voted on yet (each with probability share): a plan
// may be run again.
func (m *simMember) findVotes(ctx context.Context, client *http.Client, base string, share float64, think time.Duration) error {
	type motion struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
		Voted  bool   `json:"voted"`
	}
	var list struct {
		Motions []motion `json:"motions"`
	}
	st := step{kind: apiRead, label: openMotionsLabel}
	d, err := m.do(ctx, client, base, "", st, fmt.Sprintf("/api/v1/bodies/%d/motions?status=open", m.Body), &list)
	if err != nil {
		return err
	}
	m.times[st.label] = append(m.times[st.label], d)
	for _, mo := range list.Motions {
		if mo.Status != "voting" {
			continue
		}
		m.pause(think)
		st := step{kind: apiRead, label: motionLabel}
		d, err := m.do(ctx, client, base, "", st, fmt.Sprintf("/api/v1/motions/%d", mo.ID), &mo)
		if err != nil {
			return err
		}
		m.times[st.label] = append(m.times[st.label], d)
		if !mo.Voted && m.rng.Float64() < share {
			m.toVote = append(m.toVote, mo.ID)
		}
	}
	return nil
}

// pause waits between think/2 and 3·think/2.
func (m *simMember) pause(think time.Duration) {
	if think > 0 {
		time.Sleep(think/2 + time.Duration(m.rng.Int64N(int64(think))))
	}
}

// do makes one request and returns how long it took to read the whole
// answer, or why it failed: a page must answer 200 (a redirect to the login
// page means the session was refused), an API read 200 and a ballot 204.
func (m *simMember) do(ctx context.Context, client *http.Client, base, cookie string, st step, path string, into any) (time.Duration, error) {
	method, want := http.MethodGet, http.StatusOK
	var body io.Reader
	if st.kind == vote {
		m.toVote = m.toVote[1:] // once, whatever the answer: a second ballot would be refused
		method, want = http.MethodPost, http.StatusNoContent
		choice := []string{"yes", "yes", "no", "abstain"}[m.rng.IntN(4)]
		body = strings.NewReader(`{"choice":"` + choice + `"}`)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return 0, err
	}
	if st.kind == page {
		req.Header.Set("Cookie", cookie)
		req.Header.Set("Accept", "text/html")
	} else {
		req.Header.Set("Authorization", "Bearer "+m.Token)
		req.Header.Set("Accept", "application/json")
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL is in the message already
		}
		return 0, fmt.Errorf("%s %s (member %d): %v", method, path, m.User, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		msg := string(bytes.Join(bytes.Fields(b), []byte(" ")))
		if loc := resp.Header.Get("Location"); loc != "" {
			msg = "to " + loc
		}
		return 0, fmt.Errorf("%s %s (member %d): %s %s", method, path, m.User, resp.Status, msg)
	}
	if into != nil {
		err = json.NewDecoder(resp.Body).Decode(into)
	} else {
		_, err = io.Copy(io.Discard, resp.Body)
	}
	if err != nil {
		return 0, fmt.Errorf("%s %s (member %d): reading the answer: %v", method, path, m.User, err)
	}
	d := time.Since(start)
	if st.kind == vote {
		m.votes++
	}
	return d, nil
}
