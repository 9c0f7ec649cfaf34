package motions

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFormat(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"Empty":          {"", ""},
		"OnlyBlank":      {" \n\t\n", ""},
		"Paragraph":      {"Hello", "<p>Hello</p>"},
		"LineBreak":      {"one\ntwo", "<p>one<br>two</p>"},
		"Paragraphs":     {"one\n\ntwo", "<p>one</p>\n<p>two</p>"},
		"BlankWithSpace": {"one\n   \n\n two", "<p>one</p>\n<p> two</p>"},
		"CRLF":           {"one\r\ntwo\r\n\r\nthree\rfour", "<p>one<br>two</p>\n<p>three<br>four</p>"},
		"TrailingSpace":  {"one  \ntwo\t", "<p>one<br>two</p>"},
		"Escaped":        {`a < b & c > "d" 'e'`, "<p>a &lt; b &amp; c &gt; &#34;d&#34; &#39;e&#39;</p>"},
		"Controls":       {"a\x00b\x07c\x1bd\u0085e", "<p>abcde</p>"},
		"InvalidUTF8":    {"a\xffb", "<p>a\uFFFDb</p>"},

		"Bullets":       {"- one\n- two", "<ul><li>one</li><li>two</li></ul>"},
		"Stars":         {"* one\n- two", "<ul><li>one</li><li>two</li></ul>"},
		"BulletsAfterP": {"Points:\n\n- one\n- two", "<p>Points:</p>\n<ul><li>one</li><li>two</li></ul>"},
		"MixedIsPlain":  {"Points:\n- one\n- two", "<p>Points:<br>- one<br>- two</p>"},
		"NoSpaceBullet": {"-one\n-two", "<p>-one<br>-two</p>"},
		"EmptyBullet":   {"- \n- two", "<p>-<br>- two</p>"},
		"Nested":        {"- one\n  - inner\n- two", "<p>- one<br>  - inner<br>- two</p>"},
		"Numbers":       {"1. one\n2. two\n10. ten", "<ol><li>one</li><li>two</li><li>ten</li></ol>"},
		"NumbersStart":  {"3. three\n4. four", `<ol start="3"><li>three</li><li>four</li></ol>`},
		"NumbersZero":   {"0. zero", `<ol start="0"><li>zero</li></ol>`},
		"NumberNoSpace": {"1.one", "<p>1.one</p>"},
		"NumberTooLong": {"1234567890. x", "<p>1234567890. x</p>"},
		"Year":          {"2026. A year.", `<ol start="2026"><li>A year.</li></ol>`},
		"ListEscaped":   {"- <b>x</b>", "<ul><li>&lt;b&gt;x&lt;/b&gt;</li></ul>"},
		"ListInline":    {"- **a** and _b_", "<ul><li><strong>a</strong> and <em>b</em></li></ul>"},

		"Bold":             {"a **b** c", "<p>a <strong>b</strong> c</p>"},
		"BoldTwice":        {"**a** **b**", "<p><strong>a</strong> <strong>b</strong></p>"},
		"BoldUnbalanced":   {"a **b c", "<p>a **b c</p>"},
		"BoldOdd":          {"**a** **b", "<p><strong>a</strong> **b</p>"},
		"BoldAcrossLines":  {"**a\nb**", "<p>**a<br>b**</p>"},
		"BoldEmpty":        {"****", "<p>****</p>"},
		"BoldSpaced":       {"** a **", "<p>** a **</p>"},
		"BoldEscaped":      {"**<i>**", "<p><strong>&lt;i&gt;</strong></p>"},
		"Italic":           {"a _b_ c", "<p>a <em>b</em> c</p>"},
		"ItalicPhrase":     {"_a b_.", "<p><em>a b</em>.</p>"},
		"ItalicUnbalanced": {"a _b c", "<p>a _b c</p>"},
		"SnakeCase":        {"snake_case_name", "<p>snake_case_name</p>"},
		"SnakeInItalic":    {"_a_b c_", "<p><em>a_b c</em></p>"},
		"Dunder":           {"__init__", "<p>__init__</p>"},
		"ItalicAccented":   {"«_él_»", "<p>«<em>él</em>»</p>"},
		"ItalicWordBefore": {"año_x_", "<p>año_x_</p>"},
		"ItalicInBold":     {"**a _b_ c**", "<p><strong>a <em>b</em> c</strong></p>"},
		"BoldInItalic":     {"_a **b** c_", "<p><em>a <strong>b</strong> c</em></p>"},
		"Crossed":          {"**a _b** c_", "<p><strong>a _b</strong> c_</p>"},

		"Link":          {"see https://example.org/a?b=1&c=2", `<p>see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener">https://example.org/a?b=1&amp;c=2</a></p>`},
		"LinkHTTP":      {"http://example.org", `<p><a href="http://example.org" rel="nofollow noopener">http://example.org</a></p>`},
		"LinkPunct":     {"(see https://example.org/x).", `<p>(see <a href="https://example.org/x" rel="nofollow noopener">https://example.org/x</a>).</p>`},
		"LinkPunctRun":  {"https://example.org!?;:,", `<p><a href="https://example.org" rel="nofollow noopener">https://example.org</a>!?;:,</p>`},
		"LinkQuote":     {`https://example.org/"onmouseover="x`, `<p><a href="https://example.org/" rel="nofollow noopener">https://example.org/</a>&#34;onmouseover=&#34;x</p>`},
		"LinkApos":      {`https://example.org/'x`, `<p><a href="https://example.org/&#39;x" rel="nofollow noopener">https://example.org/&#39;x</a></p>`},
		"LinkAngle":     {"https://example.org/<script>", `<p><a href="https://example.org/" rel="nofollow noopener">https://example.org/</a>&lt;script&gt;</p>`},
		"LinkBare":      {"https://", "<p>https://</p>"},
		"LinkInWord":    {"xhttps://example.org", "<p>xhttps://example.org</p>"},
		"LinkUnder":     {"https://example.org/a_b_c", `<p><a href="https://example.org/a_b_c" rel="nofollow noopener">https://example.org/a_b_c</a></p>`},
		"LinkInBold":    {"**https://example.org**", `<p><strong><a href="https://example.org" rel="nofollow noopener">https://example.org</a></strong></p>`},
		"LinkInItalic":  {"_https://example.org_", `<p><em><a href="https://example.org" rel="nofollow noopener">https://example.org</a></em></p>`},
		"LinkUpper":     {"HTTPS://EXAMPLE.ORG", `<p><a href="https://EXAMPLE.ORG" rel="nofollow noopener">HTTPS://EXAMPLE.ORG</a></p>`},
		"LinkInList":    {"- https://a.example", `<ul><li><a href="https://a.example" rel="nofollow noopener">https://a.example</a></li></ul>`},
		"OtherSchemes":  {"ftp://x mailto:a@b data:text/html,x", "<p>ftp://x mailto:a@b data:text/html,x</p>"},
		"Javascript":    {"javascript:alert(1)", "<p>javascript:alert(1)</p>"},
		"JavascriptURL": {"https://x.example/javascript:alert(1)", `<p><a href="https://x.example/javascript:alert(1" rel="nofollow noopener">https://x.example/javascript:alert(1</a>)</p>`},

		"Script":    {"<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"},
		"Onerror":   {`"><img src=x onerror=alert(1)>`, "<p>&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</p>"},
		"Entity":    {"&lt;script&gt;", "<p>&amp;lt;script&amp;gt;</p>"},
		"Image":     {"![x](https://example.org/x.png)", `<p>![x](<a href="https://example.org/x.png" rel="nofollow noopener">https://example.org/x.png</a>)</p>`},
		"MarkdownA": {"[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := string(Format(tc.in)); got != tc.want {
				t.Fatalf("Format(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestExcerpt(t *testing.T) {
	tests := map[string]struct {
		in   string
		n    int
		want string
	}{
		"Empty":      {"", 10, ""},
		"Short":      {"Hello", 10, "Hello"},
		"Exact":      {"Hello", 5, "Hello"},
		"Cut":        {"Hello world", 5, "Hello…"},
		"CutAtSpace": {"Hello world", 6, "Hello…"},
		"Runes":      {"ñandú ñandú", 3, "ñan…"},
		"Zero":       {"Hello", 0, ""},
		"Negative":   {"Hello", -1, ""},
		"Whitespace": {"  a \n\n b\r\n\tc  ", 10, "a b c"},
		"Marks":      {"**Bold** and _it_, snake_case", 40, "Bold and it, snake_case"},
		"Unbalanced": {"**a _b", 10, "**a _b"},
		"Lists":      {"Intro\n\n- one\n- two\n\n1. uno\n2. dos", 40, "Intro one two uno dos"},
		"Link":       {"see https://example.org.", 40, "see https://example.org."},
		"NotEscaped": {"a < b & c", 40, "a < b & c"},
		"Controls":   {"a\x00b", 40, "ab"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := Excerpt(tc.in, tc.n); got != tc.want {
				t.Fatalf("Excerpt(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
			}
		})
	}
}

// TestFormatLongLine guards against quadratic work on hostile input.
func TestFormatLongLine(t *testing.T) {
	for _, unit := range []string{" _a", "_ a ", "** a ", "https://", "__", "*_"} {
		s := strings.Repeat(unit, 200000) + "_"
		if got := Format(s); !strings.HasPrefix(string(got), "<p>") {
			t.Fatalf("%q: got %.40q", unit, got)
		}
	}
}

// allowedTag matches the start of every tag Format may produce.
var allowedTag = regexp.MustCompile(`^<(/?(p|br|ul|li|strong|em|a)>|ol>|ol start="[0-9]+">|/ol>|a href="https?://[^"<>]*" rel="nofollow noopener">)`)

var anyTag = regexp.MustCompile(`<[^>]*>`)

func FuzzFormat(f *testing.F) {
	for _, s := range []string{
		"", "Hello\n\nworld", "- a\n- b", "1. a\n2. b", "**a** _b_ https://x.example/a_b.",
		"<script>alert(1)</script>", `"><img onerror=alert(1)>`, "javascript:alert(1)",
		"**a _b** c_", "- a\n  - b", "a\r\nb\rc", "a\x00\xff", "_**https://x**_",
		`https://x.example/"><script>`, "https://x.example/<!--", "3. x\n4. <y>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(Format(s))
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Fatalf("Format(%q) = %q holds <script", s, out)
		}
		for i := strings.IndexByte(out, '<'); i >= 0; {
			if !allowedTag.MatchString(out[i:]) {
				t.Fatalf("Format(%q) = %q: unexpected tag at %d: %.30q", s, out, i, out[i:])
			}
			j := strings.IndexByte(out[i+1:], '<')
			if j < 0 {
				break
			}
			i += 1 + j
		}
		if !utf8.ValidString(out) {
			t.Fatalf("Format(%q) = %q is not UTF-8", s, out)
		}
		// Without its tags, the output is escaped text.
		text := anyTag.ReplaceAllString(out, "")
		if strings.ContainsAny(text, `<>"'`) {
			t.Fatalf("Format(%q) = %q leaves an unescaped character", s, out)
		}
		for _, n := range []int{0, 1, 10, 200} {
			e := Excerpt(s, n)
			if c := utf8.RuneCountInString(e); c > n+1 {
				t.Fatalf("Excerpt(%q, %d) = %q has %d runes", s, n, e, c)
			}
		}
	})
}
