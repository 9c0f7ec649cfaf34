// Package po writes message catalogs as GNU gettext PO files, the format
// translators' tools (Poedit, Weblate, Pootle) read: one entry per message,
// msgctxt the catalog key, msgid the Spanish source, msgstr the translation,
// flagged fuzzy while it is a draft no speaker has approved.
package po

import (
	"fmt"
	"io"
	"strings"
)

// Entry is one message of a catalog.
type Entry struct {
	Key string
	// Source and Translation hold a plain message; for a plural message
	// SourceForms/TranslationForms hold its "one" and "other" forms.
	Source, Translation           string
	SourceForms, TranslationForms map[string]string
	Fuzzy                         bool // a draft: written without a speaker's approval
	Comment                       string
}

// Header describes the file.
type Header struct {
	Lang, LangName, Project string
}

// Write writes h and entries as a PO file. Messages with fmt verbs are
// flagged c-format: the catalogs use only %s, %d and %%, which are C
// directives too, so msgfmt --check-format checks them.
func Write(w io.Writer, h Header, entries []Entry) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s catalog of %s, exported for translators.\n", h.LangName, h.Project)
	b.WriteString("# msgctxt is the catalog key, msgid the Spanish source; entries flagged fuzzy\n# are drafts not yet approved by a speaker.\n")
	b.WriteString("msgid \"\"\nmsgstr \"\"\n")
	for _, l := range []string{
		"Project-Id-Version: " + h.Project,
		"Language: " + h.Lang,
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=UTF-8",
		"Content-Transfer-Encoding: 8bit",
		"Plural-Forms: nplurals=2; plural=(n != 1);",
	} {
		b.WriteString(quote(l + "\n"))
		b.WriteByte('\n')
	}
	for _, e := range entries {
		b.WriteByte('\n')
		if e.Comment != "" {
			for _, l := range strings.Split(e.Comment, "\n") {
				b.WriteString("#. " + l + "\n")
			}
		}
		var flags []string
		if e.Fuzzy {
			flags = append(flags, "fuzzy")
		}
		if hasVerb(e.Source) || hasVerb(e.SourceForms["one"]) || hasVerb(e.SourceForms["other"]) {
			flags = append(flags, "c-format")
		} else {
			flags = append(flags, "no-c-format")
		}
		b.WriteString("#, " + strings.Join(flags, ", ") + "\n")
		b.WriteString("msgctxt " + quote(e.Key) + "\n")
		if e.SourceForms != nil {
			b.WriteString("msgid " + quote(e.SourceForms["one"]) + "\n")
			b.WriteString("msgid_plural " + quote(e.SourceForms["other"]) + "\n")
			b.WriteString("msgstr[0] " + quote(e.TranslationForms["one"]) + "\n")
			b.WriteString("msgstr[1] " + quote(e.TranslationForms["other"]) + "\n")
			continue
		}
		b.WriteString("msgid " + quote(e.Source) + "\n")
		b.WriteString("msgstr " + quote(e.Translation) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// hasVerb reports whether s holds a fmt verb other than %%.
func hasVerb(s string) bool {
	return strings.Contains(strings.ReplaceAll(s, "%%", ""), "%")
}

// quote writes s as a PO string literal.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\r", `\r`)
	return `"` + r.Replace(s) + `"`
}
