// Package commonpw tells whether a password is one that people commonly
// choose, so that accounts can refuse it even when it is long enough.
//
// asamblea requires passwords of at least 12 characters, so the embedded list
// (common.txt) holds common passwords of that length or more: digit runs,
// keyboard walks, words and names with digits or years, repeated words and
// phrases, in Spanish, English, Quechua and Aymara. Its header says how it
// was made; lines may be added by hand, in lower case.
package commonpw

import (
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:embed common.txt
var commonTxt string

var list = sync.OnceValue(func() []string {
	var out []string
	for line := range strings.Lines(commonTxt) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, normalize(line))
	}
	slices.Sort(out)
	return slices.Compact(out)
})

// normalize trims pw, composes its accents (NFC) and lowers its case.
func normalize(pw string) string {
	pw = strings.TrimSpace(pw)
	for i := 0; i < len(pw); i++ {
		if pw[i] >= utf8.RuneSelf {
			pw = norm.NFC.String(pw)
			break
		}
	}
	return strings.ToLower(pw)
}

// IsCommon reports whether pw, ignoring case and surrounding spaces, is on the
// list of common passwords.
func IsCommon(pw string) bool {
	l := list()
	_, found := slices.BinarySearch(l, normalize(pw))
	return found
}

// Len returns the number of passwords on the list.
func Len() int { return len(list()) }
