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

// Limiter slows down password guessing without letting anyone lock a
// member out. Failures for one account grow a delay before its next try
// (Max free tries, then 2 s, 4 s, … up to MaxDelay), never a fixed lock:
// whoever waits the delay gets a try, so the owner typing the right
// password still gets in while someone hammers their pseudonym. A device
// that signed in to the account before (a device cookie, see OWASP's
// "Slow down online guessing attacks with device cookies") is not slowed
// by others' failures at all, only by its own. One client (address) is
// limited across accounts too. Keys are kept only in memory, and only as
// keyed hashes, so no name or address is ever held in the clear.
type Limiter struct {
	Max      int           // free failures per account (and per device) in a window
	Window   time.Duration // failures older than this are forgotten
	MaxDelay time.Duration // the longest an account's delay grows to

	mu      sync.Mutex
	key     []byte
	entries map[string]*window
}

type window struct {
	start    time.Time // first failure counted
	last     time.Time // latest try counted
	failures int
}

// NewLimiter returns a limiter allowing max free failures per window, then
// delays growing to a minute.
func NewLimiter(max int, win time.Duration) *Limiter {
	k := make([]byte, 32)
	rand.Read(k)
	return &Limiter{Max: max, Window: win, MaxDelay: time.Minute, key: k, entries: map[string]*window{}}
}

func (l *Limiter) hash(kind, s string) string {
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(kind + "\x00" + s))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// delay is how long an account with n failures waits between tries.
func (l *Limiter) delay(n int) time.Duration {
	if n < l.Max {
		return 0
	}
	d := 2 * time.Second
	for i := l.Max; i < n && d < l.MaxDelay; i++ {
		d *= 2
	}
	return min(d, l.MaxDelay)
}

// Attempt asks for a login try for account from client, on a device not
// known to the account.
func (l *Limiter) Attempt(now time.Time, account, client string) error {
	return l.AttemptFrom(now, account, client, "")
}

// AttemptFrom asks for a login try for account from client on device (the
// verified device-cookie id for this account, or ""). The try is counted
// at once as a failure, before the password is checked, so that tries
// sent all together cannot all pass before the first has failed; Succeed
// gives a successful try back.
func (l *Limiter) AttemptFrom(now time.Time, account, client, device string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) > 100000 {
		for k, w := range l.entries {
			if now.Sub(w.last) >= l.Window {
				delete(l.entries, k)
			}
		}
	}
	get := func(k string) *window {
		w, ok := l.entries[k]
		if !ok || now.Sub(w.last) >= l.Window {
			w = &window{start: now}
			l.entries[k] = w
		}
		return w
	}
	if device != "" {
		// A known device is slowed only by its own failures: someone
		// guessing elsewhere does not keep the owner out.
		d := get(l.hash("d", device))
		if d.failures < l.Max {
			d.failures++
			d.last = now
			return nil
		}
		// A device that keeps failing is a stranger again.
	}
	a, c := get(l.hash("a", account)), get(l.hash("c", client))
	// A client (one address, perhaps a whole community hall behind one
	// router) may fail for several accounts: four times an account's
	// allowance within the window before it waits.
	if wait := l.delay(c.failures-3*l.Max) - now.Sub(c.last); c.failures >= 4*l.Max && wait > 0 {
		return errs.New(errs.TooMany, "account.login.wait", seconds(wait))
	}
	if wait := l.delay(a.failures) - now.Sub(a.last); wait > 0 {
		return errs.New(errs.TooMany, "account.login.wait", seconds(wait))
	}
	a.failures++
	a.last = now
	c.failures++
	c.last = now
	return nil
}

// Succeed clears the account's failures and gives the client back the try
// Attempt counted.
func (l *Limiter) Succeed(account, client string) { l.SucceedFrom(account, client, "") }

// SucceedFrom is Succeed for a try made on device.
func (l *Limiter) SucceedFrom(account, client, device string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if device != "" {
		delete(l.entries, l.hash("d", device))
	}
	delete(l.entries, l.hash("a", account))
	if w, ok := l.entries[l.hash("c", client)]; ok && w.failures > 0 {
		w.failures--
	}
}

// seconds is d in whole seconds, rounded up.
func seconds(d time.Duration) int { return int((d + time.Second - 1) / time.Second) }

// Bucket limits how many accounts a server makes per time: a token
// bucket that holds Cap sign-ups and gains one every Every. The defaults
// (NewSignupBucket) let a plaza meeting sign up thirty people at once from
// one laptop, and hold a script creating accounts to one a minute.
type Bucket struct {
	Cap   int
	Every time.Duration

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

// NewSignupBucket returns the server's default sign-up limit: 40 at once,
// then one a minute.
func NewSignupBucket() *Bucket { return &Bucket{Cap: 40, Every: time.Minute, tokens: 40} }

// Take takes a sign-up, or says in how many minutes the next one is.
func (b *Bucket) Take(now time.Time) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(float64(b.Cap), b.tokens+float64(now.Sub(b.last))/float64(b.Every))
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
	if b.tokens < 1 {
		wait := time.Duration((1 - b.tokens) * float64(b.Every))
		return errs.New(errs.TooMany, "account.signup.busy", int((wait+time.Minute-1)/time.Minute))
	}
	b.tokens--
	return nil
}

// Give gives back a sign-up that did not happen (a name taken, say).
func (b *Bucket) Give() {
	b.mu.Lock()
	b.tokens = min(float64(b.Cap), b.tokens+1)
	b.mu.Unlock()
}
