package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestI18nStatus: one line per language, with no database needed.
func TestI18nStatus(t *testing.T) {
	code, out, errs := runCmd("i18n", "status", "--db", filepath.Join(t.TempDir(), "none.db"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	line := regexp.MustCompile(`(?m)^(es|en|qu|ay): (\d+) keys, (\d+) translated, (\d+) reviewed, (\d+) fallback$`)
	got := line.FindAllStringSubmatch(out, -1)
	if len(got) != 4 {
		t.Fatalf("want a line for es, en, qu and ay:\n%s", out)
	}
	for _, m := range got {
		if m[1] == "es" && (m[2] != m[3] || m[5] != "0") {
			t.Errorf("Spanish is the source, complete: %s", m[0])
		}
	}
}

// TestI18nExportPO: the exported catalog is a PO file that GNU gettext's
// msgfmt accepts with its format checks, keyed by msgctxt, drafts fuzzy.
func TestI18nExportPO(t *testing.T) {
	for _, lang := range []string{"ay", "qu", "en"} {
		t.Run(lang, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), lang+".po")
			if code, _, errs := runCmd("i18n", "export", "--lang", lang, "--out", file); code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			po := string(b)
			for _, want := range []string{`"Language: ` + lang + `\n"`, `msgctxt "home.title"`, `msgid "Organízate con tu comité"`, "msgid_plural"} {
				if !strings.Contains(po, want) {
					t.Errorf("%s.po lacks %s", lang, want)
				}
			}
			if lang != "en" && !strings.Contains(po, "#, fuzzy") {
				t.Errorf("drafts of %s must be fuzzy", lang)
			}
			if lang == "en" && strings.Contains(po, "#, fuzzy") {
				t.Error("English is complete, nothing fuzzy")
			}
			msgfmt, err := exec.LookPath("msgfmt")
			if err != nil {
				if os.Getenv("CI") != "" {
					t.Fatal("msgfmt (Debian gettext) is required in CI")
				}
				t.Skip("msgfmt not installed (Debian package gettext)")
			}
			if out, err := exec.Command(msgfmt, "--check-format", "-o", os.DevNull, file).CombinedOutput(); err != nil {
				t.Fatalf("msgfmt refused %s.po: %v\n%s", lang, err, out)
			}
		})
	}
	if code, _, errs := runCmd("i18n", "export", "--lang", "xx"); code != 2 || !strings.Contains(errs, "not a language") {
		t.Fatalf("unknown language: %d %s", code, errs)
	}
}
