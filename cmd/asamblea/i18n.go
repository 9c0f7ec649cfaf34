package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"asamblea/i18n"
	"asamblea/i18n/po"
)

// cmdI18n runs `asamblea i18n status|export`: the state of each language's
// catalog, and a catalog as a gettext PO file for translators' tools.
//
// The catalogs are the ones embedded in the binary; --db is accepted like
// every command's, for the server's corrections once they are kept there.
func cmdI18n(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: asamblea i18n status | export --lang L [--out FILE]\n")
		return 2
	}
	fs := flag.NewFlagSet("i18n "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.String("db", env("ASAMBLEA_DB", DefaultDB), "database (SQLite file or postgres:// URL)")
	lang := fs.String("lang", "", "language to export (qu, ay, en, es)")
	out := fs.String("out", "", "file to write (default: standard output)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	cat, err := i18n.Load()
	if err != nil {
		fmt.Fprintf(stderr, "asamblea: %v\n", err)
		return 1
	}
	switch args[0] {
	case "status":
		for _, st := range cat.Status() {
			fmt.Fprintf(stdout, "%s: %d keys, %d translated, %d reviewed, %d fallback\n", st.Lang, st.Keys, st.Translated, st.Reviewed, st.Fallback)
			if len(st.Refused) > 0 {
				fmt.Fprintf(stdout, "  %d messages refused (format verbs differ from the Spanish): %v\n", len(st.Refused), st.Refused)
			}
		}
		return 0
	case "export":
		l := cat.Resolve(*lang)
		if l == "" {
			fmt.Fprintf(stderr, "asamblea: --lang %q: not a language of this server (%v)\n", *lang, cat.Offered())
			return 2
		}
		var entries []po.Entry
		for _, k := range cat.Keys(i18n.Default) {
			src, srcForms, _ := cat.Message(i18n.Default, k)
			tr, trForms, ok := cat.Message(l, k)
			e := po.Entry{Key: k, Source: src, SourceForms: srcForms, Translation: tr, TranslationForms: trForms,
				Fuzzy: ok && !cat.Reviewed(l, k)}
			if srcForms != nil && trForms == nil {
				e.TranslationForms = map[string]string{}
			}
			entries = append(entries, e)
		}
		w := stdout
		if *out != "" {
			f, err := os.Create(*out)
			if err != nil {
				fmt.Fprintf(stderr, "asamblea: %v\n", err)
				return 1
			}
			defer f.Close()
			w = f
		}
		if err := po.Write(w, po.Header{Lang: l, LangName: i18n.LanguageNames[l], Project: "asamblea"}, entries); err != nil {
			fmt.Fprintf(stderr, "asamblea: %v\n", err)
			return 1
		}
		return 0
	}
	fmt.Fprintf(stderr, "asamblea: unknown i18n command %q (status, export)\n", args[0])
	return 2
}
