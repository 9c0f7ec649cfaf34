package places

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// DefaultLimit is the number of results Search returns when asked for 0 or
// fewer.
const DefaultLimit = 10

// maxQuery bounds the folded query Search looks at, in bytes.
const maxQuery = 100

// searchKey is a place's folded text, computed once at load.
type searchKey struct {
	name  string // " " + Fold(name): a word prefix q is a substring " "+q
	full  string // " " + Fold(name province department), for queries of several words
	first byte   // name[1], the first letter of the folded name
}

func (t *Table) buildSearch() {
	t.keys = make([]searchKey, len(t.places))
	for i, p := range t.places {
		name := " " + Fold(p.Name)
		t.keys[i].name = name
		if len(name) > 1 {
			t.keys[i].first = name[1]
		}
	}
	for i, p := range t.places {
		k := &t.keys[i]
		switch p.Level {
		case Department:
			k.full = k.name
		case Province:
			k.full = k.name + t.keys[t.index[p.DepartmentCode]].name
		case District:
			k.full = k.name + t.keys[t.index[p.ProvinceCode]].name + t.keys[t.index[p.DepartmentCode]].name
		}
	}
	t.order = make([]int32, len(t.places))
	for i := range t.order {
		t.order[i] = int32(i)
	}
	slices.SortFunc(t.order, func(a, b int32) int {
		if c := cmp.Compare(t.places[a].Level, t.places[b].Level); c != 0 {
			return c
		}
		if c := strings.Compare(t.keys[a].name, t.keys[b].name); c != 0 {
			return c
		}
		return strings.Compare(t.places[a].Code, t.places[b].Code)
	})
	t.names = newBlob(t.order, func(i int32) string { return t.keys[i].name })
	t.fulls = newBlob(t.order, func(i int32) string { return t.keys[i].full })
}

// blob is the keys of the places in result order, each followed by a NUL,
// so that strings.Index over it finds the candidates of a query.
type blob struct {
	s      string
	starts []int32 // where each key is in s, then len(s)
}

func newBlob(order []int32, key func(int32) string) blob {
	var s strings.Builder
	starts := make([]int32, len(order)+1)
	for k, i := range order {
		starts[k] = int32(s.Len())
		s.WriteString(key(i))
		s.WriteByte(0)
	}
	starts[len(order)] = int32(s.Len())
	return blob{s: s.String(), starts: starts}
}

// each calls f with the positions in result order of the keys that
// contain sub, until f returns true.
func (b *blob) each(sub string, f func(k int) bool) {
	for k, off := 0, 0; ; {
		j := strings.Index(b.s[off:], sub)
		if j < 0 {
			return
		}
		for int(b.starts[k+1]) <= off+j {
			k++
		}
		if f(k) {
			return
		}
		k++
		off = int(b.starts[k])
	}
}

// The ranks of a match, best first.
const (
	rankExact       = iota // the name (or code) is the query
	rankPrefix             // the name (or code) starts with the query
	rankWordPrefix         // a word of the name starts with the query
	rankSubstring          // the name contains the query
	rankAllWords           // each word of the query starts a word of the label
	rankAllSubwords        // the label contains each word of the query
	nRanks
)

// Search returns up to limit places (DefaultLimit if limit <= 0) whose name
// matches query, compared without case, accents or punctuation (see Fold), so
// "ñuñoa", "NUNOA", "Juliaca" and "juli" all find what one expects.
//
// Results come best first: names equal to the query, then names that start
// with it, then names with a word that starts with it ("roman" finds
// "San Román"), then names that contain it ("liaca" finds "Juliaca"). A query
// of several words that no name matches as a whole is matched word by word
// against the place's label ("juliaca puno", "san miguel cajamarca"). Within
// each rank departments come before provinces and provinces before
// districts, then by name. A query of digits also matches codes ("2111" finds
// the province of San Román and its districts). An empty query matches
// nothing.
func (t *Table) Search(query string, limit int) []Place {
	if limit <= 0 {
		limit = DefaultLimit
	}
	q := Fold(truncate(query, 4*maxQuery))
	q = strings.TrimSpace(truncate(q, maxQuery))
	if q == "" {
		return nil
	}
	sq := " " + q
	var words []string // " "+each word, if q has several
	if strings.IndexByte(q, ' ') > 0 {
		words = strings.Split(q, " ")
		for j := range words {
			words[j] = " " + words[j]
		}
	}
	digits := strings.Trim(q, "0123456789") == ""

	// Visit candidates in result order, keeping the first limit of each rank.
	var buckets [nRanks][]int32
	add := func(i int32) (done bool) {
		rank := t.match(i, q, sq, words, digits)
		if rank < 0 || len(buckets[rank]) >= limit {
			return false
		}
		if buckets[rank] == nil {
			buckets[rank] = make([]int32, 0, min(limit, 16))
		}
		buckets[rank] = append(buckets[rank], i)
		return len(buckets[rankExact]) >= limit // nothing can displace them
	}
	if digits {
		// Codes are not in the blob: look at every place.
		for _, i := range t.order {
			if add(i) {
				break
			}
		}
	} else {
		// A name that matches contains the query; a label that matches
		// contains the query's longest word.
		names, probe := &t.names, q
		if words != nil {
			names, probe = &t.fulls, ""
			for _, w := range words {
				if len(w)-1 > len(probe) {
					probe = w[1:]
				}
			}
		}
		names.each(probe, func(k int) bool { return add(t.order[k]) })
	}
	var out []Place
	for _, b := range buckets {
		for _, i := range b {
			if len(out) == limit {
				return out
			}
			out = append(out, t.places[i])
		}
	}
	return out
}

// match returns the rank of place i for the folded query q, or -1. sq is
// " "+q and words, if q has several, are " "+each word.
func (t *Table) match(i int32, q, sq string, words []string, digits bool) int {
	if digits {
		code := t.places[i].Code
		switch {
		case code == q:
			return rankExact
		case strings.HasPrefix(code, q):
			return rankPrefix
		}
	}
	k := &t.keys[i]
	switch {
	case k.first == q[0] && k.name[1:] == q:
		return rankExact
	case k.first == q[0] && strings.HasPrefix(k.name[1:], q):
		return rankPrefix
	case strings.Contains(k.name, sq):
		return rankWordPrefix
	case strings.Contains(k.name, q):
		return rankSubstring
	}
	if words == nil {
		return -1
	}
	all := true
	for _, w := range words {
		if !strings.Contains(k.full, w) {
			all = false
			break
		}
	}
	if all {
		return rankAllWords
	}
	for _, w := range words {
		if !strings.Contains(k.full, w[1:]) {
			return -1
		}
	}
	return rankAllSubwords
}

// truncate returns s cut to at most n bytes at a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
