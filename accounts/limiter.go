package accounts

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"asamblea/errs"
)

// Limiter slows down password guessing: after Max failures within Window,
// for one account or from one client, further attempts are refused until the
// window has passed. Keys are kept only in memory, and client keys only as
// keyed hashes, so no address is ever held in the clear.
type Limiter struct {
	Max    int
	Window time.Duration

	mu      sync.Mutex
	key     []byte
	entries map[string]*window
}

type window struct {
	start    time.Time
	failures int
}

// NewLimiter returns a limiter allowing max failures per window.
func NewLimiter(max int, win time.Duration) *Limiter {
	k := make([]byte, 32)
	rand.Read(k)
	return &Limiter{Max: max, Window: win, key: k, entries: map[string]*window{}}
}

func (l *Limiter) hash(kind, s string) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(kind + "\x00" + s))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Attempt asks for a login try for account from client. It is refused once
// either has used up its allowance within the window; otherwise the try is
// counted at once as a failure, before the password is checked, so that
// tries sent all together cannot all pass before the first has failed.
// Succeed gives a successful try back.
func (l *Limiter) Attempt(now time.Time, account, client string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) > 100000 {
		for k, w := range l.entries {
			if now.Sub(w.start) >= l.Window {
				delete(l.entries, k)
			}
		}
	}
	keys := []string{l.hash("a", account), l.hash("c", client)}
	// A client (one address) may fail for several accounts: it gets four
	// times an account's allowance before it is slowed down.
	for i, k := range keys {
		max := l.Max
		if i == 1 {
			max = 4 * l.Max
		}
		if w, ok := l.entries[k]; ok && now.Sub(w.start) < l.Window && w.failures >= max {
			return errs.New(errs.TooMany, "account.login.too_many", int(l.Window.Minutes()))
		}
	}
	for _, k := range keys {
		w, ok := l.entries[k]
		if !ok || now.Sub(w.start) >= l.Window {
			w = &window{start: now}
			l.entries[k] = w
		}
		w.failures++
	}
	return nil
}

// Succeed clears the account's failures and gives the client back the try
// Attempt counted.
func (l *Limiter) Succeed(account, client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, l.hash("a", account))
	if w, ok := l.entries[l.hash("c", client)]; ok && w.failures > 0 {
		w.failures--
	}
}
