package motions

import (
	"html"
	"html/template"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format renders the plain text of a motion, amendment or comment as HTML with
// light formatting. Everything the author wrote is escaped (html.EscapeString);
// the only markup in the result is the one these rules produce:
//
//   - CRLF and lone CR become LF; invalid UTF-8 becomes U+FFFD; control
//     characters other than tab and newline are dropped.
//   - A blank line (empty or only spaces) separates paragraphs, each a <p>.
//     A single newline inside a paragraph becomes <br>.
//   - A paragraph whose lines all start with "- " or "* " is a <ul>, one <li>
//     per line.
//   - A paragraph whose lines all start with a number and ". " ("1. ", "2. ",
//     at most 9 digits) is an <ol>, one <li> per line; when the first number
//     is not 1 the list gets start="N".
//   - Nested lists are not supported: an indented "- " line is ordinary text,
//     so a paragraph mixing it with list lines is a plain paragraph.
//   - Within one line, **bold** becomes <strong> and _italic_ becomes <em>,
//     only when the marks are balanced in that line and the marked text
//     neither starts nor ends with a space (nor, for italic, with "_"). An
//     italic "_" must not touch a letter, digit or "_" on its outer side, so
//     snake_case and __init__ stay as they are. A pair closes at the first
//     possible closing mark. Unbalanced marks are shown as they are.
//   - A bare URL starting with "https://" or "http://" becomes
//     <a href="URL" rel="nofollow noopener">URL</a>, the URL escaped (and its
//     scheme lower-cased in the href). The URL ends at white space, '<', '>'
//     or '"'; trailing ".,;:)!?" are not part of it. No other scheme is
//     linked ("javascript:" stays text).
//
// Nothing else is interpreted: no raw HTML, no images, no headings. Blocks are
// separated by a newline in the result.
func Format(text string) template.HTML {
	var b strings.Builder
	w := &inlineWriter{b: &b, html: true}
	for i, para := range textParagraphs(text) {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch kind, start := blockKindOf(para); kind {
		case blockBullets:
			b.WriteString("<ul>")
			for _, line := range para {
				b.WriteString("<li>")
				w.line(line[2:])
				b.WriteString("</li>")
			}
			b.WriteString("</ul>")
		case blockNumbers:
			if start == 1 {
				b.WriteString("<ol>")
			} else {
				b.WriteString(`<ol start="` + strconv.Itoa(start) + `">`)
			}
			for _, line := range para {
				_, rest, _ := numberPrefix(line)
				b.WriteString("<li>")
				w.line(rest)
				b.WriteString("</li>")
			}
			b.WriteString("</ol>")
		default:
			b.WriteString("<p>")
			for j, line := range para {
				if j > 0 {
					b.WriteString("<br>")
				}
				w.line(line)
			}
			b.WriteString("</p>")
		}
	}
	return template.HTML(b.String()) // #nosec G203 -- everything the author wrote is escaped with html.EscapeString above; FuzzFormat checks the output
}

// Excerpt returns the first n runes of text for listings and feeds: the
// formatting marks Format understands (list markers, balanced ** and _) are
// removed, URLs are kept as text, and all runs of whitespace, newlines
// included, become one space. When the text is longer than n runes it is cut
// there, trailing space removed, and "…" appended. n <= 0 gives "".
//
// The result is plain text, not HTML: it must still be escaped (html/template
// does so).
func Excerpt(text string, n int) string {
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	w := &inlineWriter{b: &b}
	for _, para := range textParagraphs(text) {
		kind, _ := blockKindOf(para)
		for _, line := range para {
			switch kind {
			case blockBullets:
				line = line[2:]
			case blockNumbers:
				_, line, _ = numberPrefix(line)
			}
			w.line(line)
			b.WriteByte(' ')
		}
	}
	s := strings.Join(strings.Fields(b.String()), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if n == 0 {
			cut = i
			break
		}
		n--
	}
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace) + "…"
}

// textParagraphs cleans text and splits it into paragraphs of non-blank lines,
// each line without trailing spaces.
func textParagraphs(text string) [][]string {
	text = cleanText(text)
	var paras [][]string
	var cur []string
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimRightFunc(line, unicode.IsSpace)
		if line == "" {
			if cur != nil {
				paras = append(paras, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, line)
	}
	if cur != nil {
		paras = append(paras, cur)
	}
	return paras
}

// cleanText normalises line ends to LF, replaces invalid UTF-8 with U+FFFD and
// drops control characters other than tab and newline.
func cleanText(text string) string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = strings.ToValidUTF8(text, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' {
			return r
		}
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, text)
}

type blockKind int

const (
	blockPlain blockKind = iota
	blockBullets
	blockNumbers
)

// blockKindOf tells whether every line of para is a list item, and for a
// numbered list the number of its first item.
func blockKindOf(para []string) (blockKind, int) {
	bullets, numbers := true, true
	for _, line := range para {
		if !strings.HasPrefix(line, "- ") && !strings.HasPrefix(line, "* ") {
			bullets = false
		}
		if _, _, ok := numberPrefix(line); !ok {
			numbers = false
		}
	}
	switch {
	case bullets:
		return blockBullets, 0
	case numbers:
		start, _, _ := numberPrefix(para[0])
		return blockNumbers, start
	}
	return blockPlain, 0
}

// numberPrefix splits "12. text" into 12 and "text".
func numberPrefix(line string) (int, string, bool) {
	i := 0
	for i < len(line) && i < 10 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i == 0 || i > 9 || !strings.HasPrefix(line[i:], ". ") {
		return 0, "", false
	}
	n, err := strconv.Atoi(line[:i])
	if err != nil {
		return 0, "", false
	}
	return n, line[i+2:], true
}

// inlineWriter writes the inline content of one line: escaped HTML with <strong>,
// <em> and <a> when html is set, the bare text otherwise.
type inlineWriter struct {
	b    *strings.Builder
	html bool
}

func (w *inlineWriter) text(s string) {
	if w.html {
		s = html.EscapeString(s)
	}
	w.b.WriteString(s)
}

func (w *inlineWriter) tag(s string) {
	if w.html {
		w.b.WriteString(s)
	}
}

func (w *inlineWriter) link(url string) {
	if !w.html {
		w.b.WriteString(url)
		return
	}
	// The scheme is lower-cased in the href: "HTTPS://" works but is unusual.
	scheme, rest, _ := strings.Cut(url, "://")
	href := html.EscapeString(strings.ToLower(scheme) + "://" + rest)
	w.b.WriteString(`<a href="` + href + `" rel="nofollow noopener">` + html.EscapeString(url) + `</a>`)
}

// line writes s, which holds no newline. Links, bold and italic are looked
// for from left to right; the text between a pair of marks is written by a
// nested call, so the tags produced are always properly nested. A pair closes
// at the first possible closing mark, so bold never holds bold nor italic
// italic, and the work stays linear in the length of the line.
func (w *inlineWriter) line(s string) {
	c := italicClosers{s: s, cand: closerUnknown}
	start := 0 // start of the pending plain text
	for i := 0; i < len(s); {
		if url := urlAt(s, i); url != "" {
			w.text(s[start:i])
			w.link(url)
			i += len(url)
			start = i
			continue
		}
		if inner, end, ok := boldAt(s, i); ok {
			w.text(s[start:i])
			w.tag("<strong>")
			w.line(inner)
			w.tag("</strong>")
			i, start = end, end
			continue
		}
		if inner, end, ok := c.italicAt(i); ok {
			w.text(s[start:i])
			w.tag("<em>")
			w.line(inner)
			w.tag("</em>")
			i, start = end, end
			continue
		}
		i++
	}
	w.text(s[start:])
}

// urlAt returns the http or https URL starting at s[i], or "".
func urlAt(s string, i int) string {
	rest := s[i:]
	var scheme int
	switch {
	case hasPrefixFold(rest, "https://"):
		scheme = len("https://")
	case hasPrefixFold(rest, "http://"):
		scheme = len("http://")
	default:
		return ""
	}
	if wordBefore(s, i) {
		return "" // as in "xhttps://"
	}
	end := strings.IndexFunc(rest, func(r rune) bool {
		return unicode.IsSpace(r) || r == '<' || r == '>' || r == '"'
	})
	if end < 0 {
		end = len(rest)
	}
	url := strings.TrimRight(rest[:end], ".,;:)!?")
	if len(url) <= scheme {
		return ""
	}
	return url
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// boldAt reports whether s[i:] starts a "**text**" pair closed by the next
// "**"; it returns the text and the index after the closing marks.
func boldAt(s string, i int) (string, int, bool) {
	if !strings.HasPrefix(s[i:], "**") {
		return "", 0, false
	}
	from := i + 2
	j := strings.Index(s[from:], "**")
	if j <= 0 {
		return "", 0, false
	}
	inner := s[from : from+j]
	if !markTrimmed(inner) {
		return "", 0, false
	}
	return inner, from + j + 2, true
}

const closerUnknown = -2

// italicClosers finds the italic closing marks of one line: a "_" not followed by a
// letter, digit or "_". It remembers the last one found, so that the openers
// before it do not search again.
type italicClosers struct {
	s    string
	from int // cand is the first closing mark at or after from
	cand int // or -1 for none, or unknown
}

func (c *italicClosers) next(from int) int {
	if c.cand != closerUnknown && from >= c.from && (c.cand < 0 || from <= c.cand) {
		return c.cand
	}
	c.from, c.cand = from, -1
	for j := from; j < len(c.s); j++ {
		if c.s[j] == '_' && !wordAt(c.s, j+1) {
			c.cand = j
			break
		}
	}
	return c.cand
}

// italicAt reports whether s[i:] starts a "_text_" pair closed by the next
// closing mark; it returns the text and the index after the closing mark.
func (c *italicClosers) italicAt(i int) (string, int, bool) {
	s := c.s
	if s[i] != '_' || wordBefore(s, i) {
		return "", 0, false
	}
	j := c.next(i + 2)
	if j < 0 {
		return "", 0, false
	}
	inner := s[i+1 : j]
	if !markTrimmed(inner) || inner[0] == '_' || inner[len(inner)-1] == '_' {
		return "", 0, false
	}
	return inner, j + 1, true
}

// markTrimmed reports whether s is not empty and neither starts nor ends with a
// space.
func markTrimmed(s string) bool {
	if s == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	return !unicode.IsSpace(first) && !unicode.IsSpace(last)
}

// wordBefore reports whether the rune before s[i] is a letter, digit or "_".
func wordBefore(s string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return i > 0 && isWordRune(r)
}

// wordAt reports whether the rune at s[i] is a letter, digit or "_".
func wordAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return i < len(s) && isWordRune(r)
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}
