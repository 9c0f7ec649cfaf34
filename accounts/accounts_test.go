package accounts

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"asamblea/errs"
)

var fast = Hasher{Time: 1, MemoryKiB: 64, Threads: 1}

func TestPasswordRules(t *testing.T) {
	tests := map[string]struct {
		pw  string
		key string
	}{
		"Phrase":        {"la tierra es de quien la trabaja", ""},
		"Exactly12":     {"ñandú ñandú1", ""},
		"Short":         {"corta", "account.password.too_short"},
		"ElevenRunes":   {"ñññññññññññ", "account.password.too_short"},
		"TooLong":       {strings.Repeat("a", 129), "account.password.too_long"},
		"Common":        {"123456789012", "account.password.common"},
		"CommonUpper":   {"PASSWORDPASSWORD", "account.password.common"},
		"NoComposition": {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := CheckPassword(tc.pw)
			if tc.key == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if errs.As(err).Key != tc.key {
				t.Fatalf("got %v, want %s", err, tc.key)
			}
		})
	}
}

func TestHash(t *testing.T) {
	h := fast.Hash("la tierra es de quien la trabaja")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if !VerifyPassword(h, "la tierra es de quien la trabaja") {
		t.Fatal("right password refused")
	}
	for _, bad := range []string{"", "la tierra es de quien la trabaj", "La tierra es de quien la trabaja"} {
		if VerifyPassword(h, bad) {
			t.Fatalf("wrong password %q accepted", bad)
		}
	}
	if VerifyPassword("$argon2id$garbage", "x") || VerifyPassword("", "") {
		t.Fatal("malformed hash accepted")
	}
	if h1, h2 := fast.Hash("x"), fast.Hash("x"); h1 == h2 {
		t.Fatal("salt is not random")
	}
	if !strings.HasPrefix(DefaultHasher.Hash("x"), "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatal("default parameters are not OWASP's")
	}
}

func TestCleanName(t *testing.T) {
	tests := map[string]struct{ in, want, key string }{
		"Spaces":  {"  Rosa   Quispe ", "Rosa Quispe", ""},
		"Accents": {"Ayelén Huamán", "Ayelén Huamán", ""},
		"Empty":   {" ", "", "error.required"},
		"One":     {"R", "", "error.too_short"},
		"Long":    {strings.Repeat("a", 41), "", "error.too_long"},
		"Markup":  {"<b>Rosa</b>", "", "error.bad_characters"},
		"Control": {"Ro\x07sa", "", "error.bad_characters"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := CleanName("name", tc.in)
			if tc.key != "" {
				if errs.As(err).Key != tc.key {
					t.Fatalf("got %v, want %s", err, tc.key)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
	if NameKey("ROSA") != NameKey("rosa") || NameKey("Ａna") != NameKey("ana") {
		t.Fatal("name keys differ by case or width")
	}
}

// A password with an ñ matches whichever way a keyboard composes it.
func TestPasswordNormalForm(t *testing.T) {
	composed, decomposed := "contraseña del año", "contrasen\u0303a del an\u0303o"
	if composed == decomposed {
		t.Fatal("the test strings are equal")
	}
	if h := fast.Hash(composed); !VerifyPassword(h, decomposed) || !VerifyPassword(h, composed) {
		t.Fatal("composed hash: the other form does not match")
	}
	if h := fast.Hash(decomposed); !VerifyPassword(h, composed) {
		t.Fatal("decomposed hash: the composed form does not match")
	}
	if VerifyPassword(fast.Hash(composed), "contrasena del ano") {
		t.Fatal("a password without its tildes matched")
	}
}

func TestVerifyPasswordDamagedHash(t *testing.T) {
	h := fast.Hash("una contraseña larga")
	for _, bad := range []string{
		strings.Replace(h, "t=1", "t=0", 1),
		strings.Replace(h, "p=1", "p=0", 1),
		strings.Replace(h, "m=64", "m=99999999", 1),
		"$argon2id$v=19$m=64,t=1,p=1$$",
		"nothing",
	} {
		if VerifyPassword(bad, "una contraseña larga") {
			t.Errorf("a damaged hash matched: %s", bad)
		}
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(3, 15*time.Minute)
	now := time.Date(2023, 1, 9, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if err := l.Attempt(now, "rosa", "c1"); err != nil {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if err := l.Attempt(now, "rosa", "c2"); !errs.Is(err, errs.TooMany) {
		t.Fatal("account not limited from another client")
	}
	if err := l.Attempt(now, "juan", "c1"); err != nil {
		t.Fatal("client limited too early for another account")
	}
	l.Succeed("juan", "c1")
	if err := l.Attempt(now.Add(16*time.Minute), "rosa", "c1"); err != nil {
		t.Fatal("limit did not expire")
	}
	// A client guessing across many accounts is limited after 4×max.
	for i := 0; i < 12; i++ {
		if err := l.Attempt(now, string(rune('a'+i)), "c9"); err != nil {
			t.Fatalf("try %d refused", i)
		}
	}
	if err := l.Attempt(now, "zzz", "c9"); !errs.Is(err, errs.TooMany) {
		t.Fatal("client spraying accounts not limited")
	}
	// A success gives its try back: signing in many times is not guessing.
	for i := 0; i < 50; i++ {
		if err := l.Attempt(now, "ana", "c3"); err != nil {
			t.Fatalf("sign-in %d refused", i)
		}
		l.Succeed("ana", "c3")
	}
}

// Tries sent all at once cannot get past the limit: each is counted when
// it starts, not when its password check fails.
func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(5, 15*time.Minute)
	now := time.Date(2023, 1, 9, 0, 0, 0, 0, time.UTC)
	var allowed atomic.Int32
	var wg sync.WaitGroup
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if l.Attempt(now, "rosa", fmt.Sprint("c", i)) == nil {
				allowed.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := allowed.Load(); n != 5 {
		t.Fatalf("%d tries passed at once, want 5", n)
	}
}

func TestDevice(t *testing.T) {
	tests := map[string]string{
		"Mozilla/5.0 (Linux; Android 13; SM-A145M) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36": "Chrome · Android",
		"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0":                                             "Firefox · Linux",
		"": "?",
	}
	for ua, want := range tests {
		if got := Device(ua); got != want {
			t.Errorf("Device(%q) = %q, want %q", ua, got, want)
		}
	}
}

func TestPepper(t *testing.T) {
	var p, other Pepper
	p[0], other[0] = 1, 2
	plain := fast.Hash("una contraseña larga de Rosa")
	h := WithPepper(plain, &p)
	if !Peppered(h) || Peppered(plain) || h == plain {
		t.Fatalf("peppered hash %q", h)
	}
	if WithPepper(h, &p) != h {
		t.Fatal("peppering twice changed the hash")
	}
	if !VerifyPeppered(h, "una contraseña larga de Rosa", &p) {
		t.Fatal("the right password with the right pepper is refused")
	}
	// What a seized database alone allows: nothing, not even to recognise
	// the right password.
	if VerifyPassword(h, "una contraseña larga de Rosa") || VerifyPeppered(h, "una contraseña larga de Rosa", &other) {
		t.Fatal("a peppered hash was checked without its pepper")
	}
	if VerifyPeppered(h, "otra contraseña cualquiera", &p) {
		t.Fatal("a wrong password matched")
	}
	// Hashes made before the pepper still work until they are peppered.
	if !VerifyPeppered(plain, "una contraseña larga de Rosa", &p) {
		t.Fatal("an unpeppered hash is refused once there is a pepper")
	}
}

// Failures delay an account's next try, growing, never locking it: and a
// device that signed in before is not delayed by others' failures.
func TestLimiterDelayAndDevices(t *testing.T) {
	l := NewLimiter(5, 15*time.Minute)
	now := time.Date(2023, 1, 9, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 5; i++ {
		if err := l.Attempt(now, "rosa", "atacante"); err != nil {
			t.Fatalf("free try %d refused", i)
		}
	}
	err := l.Attempt(now, "rosa", "otro")
	if e := errs.As(err); !errs.Is(err, errs.TooMany) || e.Key != "account.login.wait" || e.Args[0] != 2 {
		t.Fatalf("sixth try: %v", err)
	}
	// Waiting the delay gives a try; each failure doubles the next delay,
	// up to a minute.
	at := now
	for _, wait := range []time.Duration{2, 4, 8, 16, 32, 60, 60} {
		at = at.Add(wait*time.Second - time.Millisecond)
		if l.Attempt(at, "rosa", "atacante") == nil {
			t.Fatalf("a try before the %s delay passed", wait*time.Second)
		}
		at = at.Add(time.Millisecond)
		if err := l.Attempt(at, "rosa", "atacante"); err != nil {
			t.Fatalf("a try after the %s delay: %v", wait*time.Second, err)
		}
	}
	// Rosa's own phone gets in at once, however hard her name is hammered.
	if err := l.AttemptFrom(at, "rosa", "casa", "telefono-de-rosa"); err != nil {
		t.Fatalf("a known device was held back: %v", err)
	}
	// A stolen device cookie buys only its own few tries, then is a
	// stranger's like any other.
	for i := 0; i < 10; i++ {
		if err := l.AttemptFrom(at, "juan", "x", "robado"); err != nil {
			t.Fatalf("try %d: %v", i, err)
		}
	}
	if l.AttemptFrom(at, "juan", "x", "robado") == nil {
		t.Fatal("a failing device kept its pass")
	}
}

func TestSignupBucket(t *testing.T) {
	b := NewSignupBucket()
	now := time.Date(2023, 1, 9, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 40; i++ {
		if err := b.Take(now); err != nil {
			t.Fatalf("sign-up %d of a plaza meeting refused", i)
		}
	}
	err := b.Take(now)
	if e := errs.As(err); !errs.Is(err, errs.TooMany) || e.Args[0] != 1 {
		t.Fatalf("41st at once: %v", err)
	}
	b.Give() // a sign-up refused for its name does not count
	if err := b.Take(now); err != nil {
		t.Fatal("a given-back sign-up was not there")
	}
	if b.Take(now.Add(59*time.Second)) == nil {
		t.Fatal("more than one a minute")
	}
	if err := b.Take(now.Add(61 * time.Second)); err != nil {
		t.Fatalf("one a minute: %v", err)
	}
}
