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

// Allow reports whether a login for account from client may be tried now.
func (l *Limiter) Allow(now time.Time, account, client string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	// A client (one address) may fail for several accounts: it gets four
	// times an account's allowance before it is slowed down.
	for i, k := range []string{l.hash("a", account), l.hash("c", client)} {
		max := l.Max
		if i == 1 {
			max = 4 * l.Max
		}
		if w, ok := l.entries[k]; ok && now.Sub(w.start) < l.Window && w.failures >= max {
			return errs.New(errs.TooMany, "account.login.too_many", int(l.Window.Minutes()))
		}
	}
	return nil
}

// Fail records a failed attempt.
func (l *Limiter) Fail(now time.Time, account, client string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) > 100000 {
		for k, w := range l.entries {
			if now.Sub(w.start) >= l.Window {
				delete(l.entries, k)
			}
		}
	}
	for _, k := range []string{l.hash("a", account), l.hash("c", client)} {
		w, ok := l.entries[k]
		if !ok || now.Sub(w.start) >= l.Window {
			w = &window{start: now}
			l.entries[k] = w
		}
		w.failures++
	}
}

// Succeed clears the account's failures.
func (l *Limiter) Succeed(account string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.entries, l.hash("a", account))
}
