package i18n

import (
	"testing"
	"testing/fstest"
)

// FuzzLoadFS: a catalog file of any content is refused or loaded, and every
// key it loads renders with and without a count without panicking.
func FuzzLoadFS(f *testing.F) {
	f.Add([]byte(`{"a": "A", "b": {"one": "%d thing", "other": "%d things"}}`), []byte(`{"c": "C %s"}`))
	f.Add([]byte(`{"a": "A"}`), []byte(`{"a": "again"}`))
	f.Add([]byte(`{"a": {"many": "x"}}`), []byte(`[]`))
	f.Add([]byte(`{"a": 1}`), []byte(`{`))
	f.Add([]byte(`null`), []byte(`{"x": null, "y": {}}`))
	f.Fuzz(func(t *testing.T, main, part []byte) {
		fsys := fstest.MapFS{
			"l/es.json":      {Data: main},
			"l/es.area.json": {Data: part},
			"l/en.json":      {Data: []byte(`{"a": "A"}`)},
		}
		c, err := LoadFS(fsys, "l")
		if err != nil {
			return
		}
		for _, lang := range Supported {
			l := c.Localizer(lang)
			for _, k := range c.Keys(lang) {
				l.T(k)
				l.T(k, "x", 2)
				l.N(k, 1)
				l.N(k, 1000000, "x")
				c.Forms(lang, k)
			}
		}
		c.Match("", "es-PE,en;q=0.5")
	})
}
