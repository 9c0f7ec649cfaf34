// Package i18n holds asamblea's message catalogs and picks the language a
// person reads. Spanish is the default, English next; Quechua and Aymara are
// added by dropping a catalog file into locales/ and naming it in Supported.
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
	"sort"
	"strings"
	"time"

	"golang.org/x/text/language"
)

//go:embed locales/*.json
var localesFS embed.FS

// Default is the language shown when nothing else is known.
const Default = "es"

// Supported lists the languages with a complete catalog, default first.
var Supported = []string{"es", "en"}

// LanguageNames gives each language's name in itself, for the switch.
var LanguageNames = map[string]string{"es": "Español", "en": "English", "qu": "Runasimi", "ay": "Aymar aru"}

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
	langs   map[string]map[string]message
	matcher language.Matcher
	zone    *time.Location
}

// Load reads the embedded catalogs.
func Load() (*Catalogs, error) { return LoadFS(localesFS, "locales") }

// LoadFS reads catalogs named <lang>.json and <lang>.<area>.json from dir
// of fsys.
func LoadFS(fsys fs.FS, dir string) (*Catalogs, error) {
	c := &Catalogs{langs: map[string]map[string]message{}}
	var tags []language.Tag
	for _, lang := range Supported {
		if _, err := fs.Stat(fsys, dir+"/"+lang+".json"); err != nil {
			return nil, fmt.Errorf("i18n: catalog %s: %w", lang, err)
		}
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

// Forms returns the plural forms of key in lang (nil for a plain message).
func (c *Catalogs) Forms(lang, key string) map[string]string { return c.langs[lang][key].forms }

// Match picks the language: an explicit choice (cookie or query) if supported,
// otherwise the best match of the Accept-Language header, otherwise Default.
func (c *Catalogs) Match(choice, acceptLanguage string) string {
	if _, ok := c.langs[choice]; ok {
		return choice
	}
	if acceptLanguage != "" {
		tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
		if err == nil && len(tags) > 0 {
			_, idx, conf := c.matcher.Match(tags...)
			if conf > language.No {
				return Supported[idx]
			}
		}
	}
	return Default
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
	m, ok := l.c.langs[l.Lang][key]
	if !ok {
		return key
	}
	s := m.plain
	if m.forms != nil {
		s, ok = m.forms[PluralForm(l.Lang, n)]
		if !ok {
			s = m.forms["other"]
		}
	}
	return fmt.Sprintf(s, append([]any{n}, args...)...)
}

// PluralForm returns the CLDR plural category of n in lang (cardinal,
// integers only).
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
