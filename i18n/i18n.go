// Package i18n holds asamblea's message catalogs and picks the language a
// person reads. Spanish is the default and the source of every translation,
// English is complete too; Southern Quechua (qu) and Aymara (ay) are drafts
// being reviewed by their speakers: each of their messages falls back to
// Spanish while it is missing, and review/<lang>.json lists the messages a
// speaker approved (see docs/i18n.md).
//
// A language's catalog is locales/<lang>.json plus any locales/<lang>.<area>.json
// (one file per area of the product, so that work on one area does not touch
// another's file); a key defined in two files of one language is an error.
//
// A catalog is a JSON object from key to message. A message is a string, or an
// object of plural forms ("one", "other", ...) chosen by the language's plural
// rule. Messages are fmt formats: arguments are inserted with %s, %d or, when a
// translation needs another order, %[2]s.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"
)

//go:embed locales/*.json review/*.json
var localesFS embed.FS

// Default is the language shown when nothing else is known, and the source
// every translation is made from.
const Default = "es"

// Supported lists the languages whose catalogs are complete, default first:
// a key missing in one of them fails the tests.
var Supported = []string{"es", "en"}

// Drafts lists the languages whose catalogs are still being written and
// reviewed: a message missing in one of them, or whose format verbs do not
// match the Spanish source, falls back to Spanish, message by message — never
// to the key and never to English, which the bases may not read.
var Drafts = []string{"qu", "ay"}

// Languages lists every language a person can choose: Supported, then Drafts.
func Languages() []string { return append(append([]string{}, Supported...), Drafts...) }

// LanguageNames gives each language's name in itself, for the switch.
var LanguageNames = map[string]string{"es": "Español", "en": "English", "qu": "Runasimi", "ay": "Aymar aru"}

// aliases maps the tags people's phones send for the varieties of a
// language to the catalog that serves them: Southern Quechua (quz Cusco,
// quy Chanka/Ayacucho, qxp Puno, qwh…) and Central Aymara (ayr, ayc).
// x/text's matcher does not fold these individual languages into their
// macrolanguage, so they are looked up before it.
var aliases = map[string]string{
	"qu": "qu", "quz": "qu", "quy": "qu", "qxp": "qu", "qwa": "qu", "que": "qu", "qub": "qu", "qul": "qu",
	"ay": "ay", "ayr": "ay", "ayc": "ay", "aym": "ay",
	"es": "es", "spa": "es", "en": "en", "eng": "en",
}

type message struct {
	plain string
	forms map[string]string
}

func (m *message) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &m.plain)
	}
	return json.Unmarshal(b, &m.forms)
}

// Catalogs holds every loaded language.
type Catalogs struct {
	langs    map[string]map[string]message
	reviewed map[string]map[string]bool // draft languages: the keys a speaker approved
	refused  map[string][]string        // draft languages: keys dropped at load (verbs differ)
	matcher  language.Matcher
	zone     *time.Location
}

// Load reads the embedded catalogs.
func Load() (*Catalogs, error) { return LoadFS(localesFS, "locales") }

// LoadFS reads catalogs named <lang>.json and <lang>.<area>.json from dir
// of fsys, and the review states of draft languages from ../review/<lang>.json
// beside dir. A supported language without its catalog is an error; a draft
// language without one is simply not offered.
func LoadFS(fsys fs.FS, dir string) (*Catalogs, error) {
	c := &Catalogs{langs: map[string]map[string]message{}, reviewed: map[string]map[string]bool{}, refused: map[string][]string{}}
	var tags []language.Tag
	for _, lang := range Languages() {
		draft := !slices.Contains(Supported, lang)
		if _, err := fs.Stat(fsys, dir+"/"+lang+".json"); err != nil {
			if draft {
				continue
			}
			return nil, fmt.Errorf("i18n: catalog %s: %w", lang, err)
		}
		m, err := readCatalog(fsys, dir, lang)
		if err != nil {
			return nil, err
		}
		if draft {
			src := c.langs[Default]
			for k, msg := range m {
				base, ok := src[k]
				if !ok || !sameVerbs(base, msg) {
					// An unknown key or a translation whose verbs differ
					// from the source would render wrong: Spanish instead.
					delete(m, k)
					c.refused[lang] = append(c.refused[lang], k)
				}
			}
			sort.Strings(c.refused[lang])
			c.reviewed[lang] = map[string]bool{}
			if b, err := fs.ReadFile(fsys, path.Join(path.Dir(dir), "review", lang+".json")); err == nil {
				var states map[string]string
				if err := json.Unmarshal(b, &states); err != nil {
					return nil, fmt.Errorf("i18n: review states of %s: %w", lang, err)
				}
				for k, st := range states {
					if st == "reviewed" {
						if _, ok := m[k]; ok {
							c.reviewed[lang][k] = true
						}
					}
				}
			}
		}
		c.langs[lang] = m
		tags = append(tags, language.Make(lang))
	}
	c.matcher = language.NewMatcher(tags)
	zone, err := time.LoadLocation("America/Lima")
	if err != nil {
		zone = time.FixedZone("PET", -5*3600)
	}
	c.zone = zone
	return c, nil
}

func readCatalog(fsys fs.FS, dir, lang string) (map[string]message, error) {
	parts, err := fs.Glob(fsys, dir+"/"+lang+".*json")
	if err != nil {
		return nil, fmt.Errorf("i18n: catalog %s: %w", lang, err)
	}
	m := map[string]message{}
	for _, name := range parts {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", lang, err)
		}
		part := map[string]message{}
		if err := json.Unmarshal(b, &part); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", name, err)
		}
		for k, v := range part {
			if _, dup := m[k]; dup {
				return nil, fmt.Errorf("i18n: catalog %s: key %q defined twice", name, k)
			}
			m[k] = v
		}
	}
	return m, nil
}

// verbRE finds fmt verbs: %s, %d, %v, %[2]s, %.1f; %% is no verb.
var verbRE = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[a-zA-Z%]`)

// Verbs returns the fmt verbs of s as a sorted multiset (order may differ
// in a translation that uses indexed verbs), %% left out.
func Verbs(s string) []string {
	var vs []string
	for _, v := range verbRE.FindAllString(s, -1) {
		if v == "%%" {
			continue
		}
		if !strings.Contains(v, "[") {
			v = fmt.Sprintf("%%[%d]%s", len(vs)+1, v[1:])
		}
		vs = append(vs, v)
	}
	sort.Strings(vs)
	return vs
}

// SameVerbs reports whether a translation uses the same verbs as its source.
func SameVerbs(source, translation string) bool {
	return slices.Equal(Verbs(source), Verbs(translation))
}

func sameVerbs(src, tr message) bool {
	if src.forms == nil && tr.forms == nil {
		return SameVerbs(src.plain, tr.plain)
	}
	if src.forms == nil || tr.forms == nil {
		return false
	}
	if _, ok := tr.forms["other"]; !ok {
		return false
	}
	for _, f := range tr.forms {
		if !SameVerbs(src.forms["other"], f) {
			return false
		}
	}
	return true
}

// MustLoad is Load for program start-up and tests.
func MustLoad() *Catalogs {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Keys returns the sorted keys of lang's catalog.
func (c *Catalogs) Keys(lang string) []string {
	var ks []string
	for k := range c.langs[lang] {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Has reports whether lang's catalog has key.
func (c *Catalogs) Has(lang, key string) bool {
	_, ok := c.langs[lang][key]
	return ok
}

// Offered lists the languages loaded, in the switch's order.
func (c *Catalogs) Offered() []string {
	var ls []string
	for _, l := range Languages() {
		if _, ok := c.langs[l]; ok {
			ls = append(ls, l)
		}
	}
	return ls
}

// IsDraft reports whether lang is a draft language.
func IsDraft(lang string) bool { return slices.Contains(Drafts, lang) }

// Status counts a language's catalog against the Spanish source.
type Status struct {
	Lang       string
	Keys       int // keys of the Spanish source
	Translated int // keys this language renders itself
	Reviewed   int // of those, approved by a speaker (all, for a complete language)
	Fallback   int // keys shown in Spanish instead
	Refused    []string
}

// Status reports every offered language's state, for `asamblea i18n status`.
func (c *Catalogs) Status() []Status {
	src := c.langs[Default]
	var out []Status
	for _, l := range c.Offered() {
		st := Status{Lang: l, Keys: len(src), Refused: c.refused[l]}
		for k := range src {
			if _, ok := c.langs[l][k]; ok {
				st.Translated++
				if !IsDraft(l) || c.reviewed[l][k] {
					st.Reviewed++
				}
			}
		}
		st.Fallback = st.Keys - st.Translated
		out = append(out, st)
	}
	return out
}

// Reviewed reports whether lang's message for key was approved by a
// speaker (always true for the complete languages).
func (c *Catalogs) Reviewed(lang, key string) bool {
	if !IsDraft(lang) {
		return c.Has(lang, key)
	}
	return c.reviewed[lang][key]
}

// Message returns lang's own message for key — a plain string, or its plural
// forms — with no fallback; ok is false when lang renders key in Spanish.
func (c *Catalogs) Message(lang, key string) (plain string, forms map[string]string, ok bool) {
	m, ok := c.langs[lang][key]
	return m.plain, m.forms, ok
}

// Forms returns the plural forms of key in lang (nil for a plain message).
func (c *Catalogs) Forms(lang, key string) map[string]string { return c.langs[lang][key].forms }

// Match picks the language: an explicit choice (cookie or query) if offered,
// otherwise the best match of the Accept-Language header, otherwise Default.
func (c *Catalogs) Match(choice, acceptLanguage string) string {
	if l := c.alias(choice); l != "" {
		return l
	}
	if acceptLanguage != "" {
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(tags) > 0 {
			// Tags come sorted by weight: the first that names an offered
			// language or one of its varieties wins (quz-PE before es).
			for _, t := range tags {
				base, _ := t.Base()
				if l := c.alias(base.String()); l != "" {
					return l
				}
			}
			_, idx, conf := c.matcher.Match(tags...)
			if conf > language.No {
				return c.Offered()[idx]
			}
		}
	}
	return Default
}

// Resolve returns the offered language a tag or choice names ("quz-PE" →
// "qu"), or "" when none does.
func (c *Catalogs) Resolve(tag string) string { return c.alias(tag) }

// alias resolves a language tag or choice to an offered language, or "".
func (c *Catalogs) alias(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i > 0 {
		tag = tag[:i]
	}
	l, ok := aliases[tag]
	if !ok {
		return ""
	}
	if _, ok := c.langs[l]; !ok {
		return ""
	}
	return l
}

// Localizer renders messages in one language.
func (c *Catalogs) Localizer(lang string) *Localizer {
	if _, ok := c.langs[lang]; !ok {
		lang = Default
	}
	return &Localizer{c: c, Lang: lang}
}

// Localizer renders messages in one language. Its methods are called from
// templates as {{.L.T "key" args}}.
type Localizer struct {
	c    *Catalogs
	Lang string
}

// T renders key with args. A missing key renders as the key itself (tests
// keep every key present in every catalog).
func (l *Localizer) T(key string, args ...any) string {
	m, ok := l.c.langs[l.Lang][key]
	if !ok {
		m, ok = l.c.langs[Default][key]
		if !ok {
			return key
		}
	}
	s := m.plain
	if m.forms != nil {
		s = m.forms["other"]
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// N renders the plural form of key for n; n is the first argument.
func (l *Localizer) N(key string, n int, args ...any) string {
	lang := l.Lang
	m, ok := l.c.langs[lang][key]
	if !ok {
		lang = Default
		if m, ok = l.c.langs[Default][key]; !ok {
			return key
		}
	}
	s := m.plain
	if m.forms != nil {
		s, ok = m.forms[PluralForm(lang, n)]
		if !ok {
			s = m.forms["other"]
		}
	}
	return fmt.Sprintf(s, append([]any{n}, args...)...)
}

// PluralForm returns the CLDR plural category of n in lang (cardinal,
// integers only). CLDR has no plural rules for Quechua or Aymara; both mark
// the plural with a suffix (-kuna, -naka) that a numeral makes optional, so
// their catalogs use "one" for 1 and "other" for every other number.
func PluralForm(lang string, n int) string {
	switch lang {
	case "es", "en", "qu", "ay":
		if n == 1 {
			return "one"
		}
		if lang == "es" && n != 0 && n%1000000 == 0 {
			return "many"
		}
	}
	return "other"
}

// Offered lists the languages a person can switch to.
func (l *Localizer) Offered() []string { return l.c.Offered() }

// Draft reports whether the language shown is a draft with messages not yet
// approved by a speaker: pages then say so once and invite corrections.
func (l *Localizer) Draft() bool {
	if !IsDraft(l.Lang) {
		return false
	}
	return len(l.c.reviewed[l.Lang]) < len(l.c.langs[Default])
}

// Date formats t as a date in the viewer's zone.
func (l *Localizer) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(l.c.zone)
	return fmt.Sprintf("%d %s %d", t.Day(), l.T("month."+strings.ToLower(t.Month().String()[:3])), t.Year())
}

// DateTime formats t as date and time in the viewer's zone.
func (l *Localizer) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return l.Date(t) + " " + t.In(l.c.zone).Format("15:04")
}
