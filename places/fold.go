package places

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s as search compares it: in lower case, without accents (ñ is
// n), without apostrophes ("Q'eswachaka" is "qeswachaka"), with every other
// run of characters that are not letters or digits as one space, and trimmed.
// So Fold("  NUÑOA ") == Fold("Ñuñoa") == "nunoa" and
// Fold("Anco-Huallo") == "anco huallo".
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending
	put := func(f string) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(f)
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				if space && b.Len() > 0 {
					b.WriteByte(' ')
				}
				space = false
				b.WriteByte(c)
			case 'A' <= c && c <= 'Z':
				if space && b.Len() > 0 {
					b.WriteByte(' ')
				}
				space = false
				b.WriteByte(c + 'a' - 'A')
			case c == '\'' || c == '`':
			default:
				space = true
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		var f foldedRune
		if r >= latinFirst && r < latinFirst+rune(len(latin)) {
			f = latin[r-latinFirst]
		} else {
			f = foldRune(r)
		}
		switch f.kind {
		case foldLetters:
			put(f.s)
		case foldSpace:
			space = true
		}
	}
	return b.String()
}

// foldedRune is what Fold makes of a rune.
type foldedRune struct {
	kind uint8
	s    string
}

const (
	foldDrop    = iota // nothing: accents, apostrophes
	foldSpace          // a word separator
	foldLetters        // s
)

// latin caches foldRune for U+00C0 to U+024F (Latin-1 letters, Latin
// Extended-A and -B), the non-ASCII letters of Spanish and most of Quechua
// and Aymara spellings.
const latinFirst = 0xC0

var latin = func() (t [0x250 - latinFirst]foldedRune) {
	for i := range t {
		t[i] = foldRune(rune(latinFirst + i))
	}
	return t
}()

func foldRune(r rune) foldedRune {
	switch {
	case unicode.Is(unicode.Mn, r):
		return foldedRune{kind: foldDrop} // a combining accent
	case r == '’' || r == '‘' || r == 'ʼ' || r == '´' || r == 'ʻ':
		return foldedRune{kind: foldDrop} // apostrophes
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		var b strings.Builder
		for _, d := range norm.NFD.String(string(r)) {
			if unicode.Is(unicode.Mn, d) {
				continue
			}
			d = unicode.ToLower(d)
			if f, ok := special[d]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(d)
			}
		}
		if b.Len() == 0 {
			return foldedRune{kind: foldDrop}
		}
		return foldedRune{kind: foldLetters, s: b.String()}
	}
	return foldedRune{kind: foldSpace}
}

// special folds the letters that NFD does not decompose (in lower case).
var special = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ł': "l", 'ı': "i",
	'ð': "d", 'þ': "th",
}
