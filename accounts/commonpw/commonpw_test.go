package commonpw

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestIsCommon(t *testing.T) {
	tests := map[string]struct {
		pw   string
		want bool
	}{
		"digit run":               {"123456789012", true},
		"longer digit run":        {"1234567890123", true},
		"repeated digit":          {"111111111111", true},
		"keyboard walk":           {"qwertyuiopas", true},
		"keyboard columns":        {"1qaz2wsx3edc", true},
		"repeated word":           {"passwordpassword", true},
		"English phrase":          {"iloveyou1234", true},
		"Spanish with ñ":          {"contraseña123", true},
		"Spanish without ñ":       {"contrasena123", true},
		"country and digits":      {"peru12345678", true},
		"Spanish admin":           {"administrador", true},
		"club and year":           {"alianzalima2023", true},
		"name and year":           {"fernanda1990", true},
		"Spanish phrase":          {"teamomucho123", true},
		"upper case":              {"CONTRASEÑA123", true},
		"mixed case":              {"PassWordPassWord", true},
		"surrounding spaces":      {"  123456789012\n", true},
		"decomposed ñ":            {"contrasen\u0303a123", true},
		"random passphrase":       {"granito-vereda-colibrí-47", false},
		"random letters":          {"xk3Vq9LmT2pW", false},
		"short common":            {"123456", false},
		"empty":                   {"", false},
		"almost a digit run":      {"123456789013x", false},
		"common with a space in":  {"1234 56789012", false},
		"header line is not a pw": {"# Common passwords of 12 or more bytes", false},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			if got := IsCommon(tt.pw); got != tt.want {
				t.Errorf("IsCommon(%q) = %v, want %v", tt.pw, got, tt.want)
			}
		})
	}
}

// The list stays usable: thousands of lines, each a lower-case password of
// at least 12 bytes with no surrounding space.
func TestList(t *testing.T) {
	if n := Len(); n < 3000 {
		t.Errorf("Len() = %d, want thousands", n)
	}
	seen := map[string]bool{}
	for i, line := range strings.Split(commonTxt, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		switch {
		case !utf8.ValidString(line):
			t.Errorf("line %d: not UTF-8", i+1)
		case len(line) < 12:
			t.Errorf("line %d: %q is shorter than 12 bytes", i+1, line)
		case line != strings.ToLower(strings.TrimSpace(line)):
			t.Errorf("line %d: %q is not trimmed lower case", i+1, line)
		case seen[line]:
			t.Errorf("line %d: %q twice", i+1, line)
		}
		seen[line] = true
		if !IsCommon(line) {
			t.Errorf("IsCommon(%q) = false for a line of the list", line)
		}
	}
}

func BenchmarkIsCommon(b *testing.B) {
	IsCommon("")
	b.ReportAllocs()
	for b.Loop() {
		IsCommon("Contraseña12345")
	}
}
