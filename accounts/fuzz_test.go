package accounts

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzCleanName: any pseudonym is either refused or comes back valid UTF-8,
// trimmed, within the length limits, without '<', '>' or control
// characters, and unchanged when cleaned again.
func FuzzCleanName(f *testing.F) {
	for _, s := range []string{"Rosa", "  rosa  quispe ", "a", "<b>", "Ana\x00", "\xff\xfe", "e\u0301", strings.Repeat("x", NameMax+1)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := CleanName("name", s)
		if err != nil {
			return
		}
		n := utf8.RuneCountInString(got)
		if !utf8.ValidString(got) || n < NameMin || n > NameMax || got != strings.TrimSpace(got) || strings.ContainsAny(got, "<>\x00\n\t") {
			t.Fatalf("CleanName(%q) = %q", s, got)
		}
		if again, err := CleanName("name", got); err != nil || again != got {
			t.Fatalf("CleanName(%q) = %q, %v; not idempotent", got, again, err)
		}
	})
}

// FuzzCheckPassword: the password rules never panic, and a password they
// accept has PasswordMin to PasswordMax characters.
func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"", "password1234", "asamblea demo 2023", "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", strings.Repeat("ñ", 129)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := CheckPassword(s); err != nil {
			return
		}
		if n := utf8.RuneCountInString(s); n < PasswordMin || n > PasswordMax {
			t.Fatalf("CheckPassword accepted %d characters", n)
		}
	})
}
