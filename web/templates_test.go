package web_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"asamblea/i18n"
	"asamblea/places"
	"asamblea/voting"
	"asamblea/web"
)

// TestNoLiteralTextInTemplates: every word a person reads comes from the
// catalog. Outside {{…}} actions and HTML tags, a template may hold only
// punctuation and spaces.
func TestNoLiteralTextInTemplates(t *testing.T) {
	actions := regexp.MustCompile(`(?s){{.*?}}`)
	tags := regexp.MustCompile(`(?s)<[^>]*>`)
	letters := regexp.MustCompile(`\pL{2,}`)
	fs.WalkDir(web.TemplatesFS(), "templates", func(path string, d fs.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		b, _ := fs.ReadFile(web.TemplatesFS(), path)
		text := tags.ReplaceAllString(actions.ReplaceAllString(string(b), " "), " ")
		if w := letters.FindString(text); w != "" {
			t.Errorf("%s: literal text %q (put it in the catalog)", path, w)
		}
		return nil
	})
}

// TestCatalogKeys: every key a template or Go code names exists in every
// catalog, and the catalogs have the same keys.
func TestCatalogKeys(t *testing.T) {
	cat := i18n.MustLoad()
	for _, lang := range i18n.Supported[1:] {
		base, other := cat.Keys(i18n.Default), cat.Keys(lang)
		if strings.Join(base, "\n") != strings.Join(other, "\n") {
			for _, k := range base {
				if !cat.Has(lang, k) {
					t.Errorf("%s lacks %s", lang, k)
				}
			}
			for _, k := range other {
				if !cat.Has(i18n.Default, k) {
					t.Errorf("%s has %s, which %s lacks", lang, k, i18n.Default)
				}
			}
		}
	}
	used := map[string]string{}
	tmplKey := regexp.MustCompile(`\.L\.[TN] "([a-z_.]+)"`)
	fs.WalkDir(web.TemplatesFS(), "templates", func(path string, d fs.DirEntry, err error) error {
		if d.IsDir() {
			return nil
		}
		b, _ := fs.ReadFile(web.TemplatesFS(), path)
		for _, m := range tmplKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = path
		}
		return nil
	})
	// Message keys in Go code: errs.New(code, "key"…), errs.Field("f", "key"…),
	// page titles and flashes.
	goKey := regexp.MustCompile(`(?:errs\.New\(errs\.\w+, |errs\.Field\("\w+", |s\.page\(r, |titleKey |key := |key = )"([a-z_]+\.[a-z_.]+)"`)
	flashKey := regexp.MustCompile(`[?&]done=([a-z_]+)`)
	filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == ".git") {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, _ := os.ReadFile(path)
		for _, m := range goKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = path
		}
		for _, m := range flashKey.FindAllStringSubmatch(string(b), -1) {
			used["flash."+m[1]] = path
		}
		return nil
	})
	if len(used) < 50 {
		t.Fatalf("found only %d keys in use; the scan is broken", len(used))
	}
	for key, where := range used {
		for _, lang := range i18n.Supported {
			if !cat.Has(lang, key) {
				t.Errorf("%s: key %q missing from %s catalog", where, key, lang)
			}
		}
	}
	// Keys built from values: roles, sectors, kinds.
	for _, prefix := range []string{"role.member", "role.secretary", "role.facilitator", "role.count.member", "sector.workers", "sector.lgbtq", "kind.committee", "kind.commission"} {
		if !cat.Has("en", prefix) || !cat.Has("es", prefix) {
			t.Errorf("missing %s", prefix)
		}
	}
}

// TestMapStyles: the style sheet carries the department map's classes.
func TestMapStyles(t *testing.T) {
	b, err := os.ReadFile("static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), places.MapCSS) {
		t.Fatal("static/app.css lacks places.MapCSS: copy it again")
	}
}

// TestVotingKeys: every reason and error of the voting rules reads in
// every language.
func TestVotingKeys(t *testing.T) {
	cat := i18n.MustLoad()
	for _, k := range voting.MessageKeys {
		for _, lang := range i18n.Supported {
			if !cat.Has(lang, k) {
				t.Errorf("%s lacks %s", lang, k)
			}
		}
	}
}
