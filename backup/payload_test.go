package backup

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestManifest(t *testing.T) {
	m := Manifest{Format: 1, Kind: KindRows, Dialect: "postgres", Schema: 11, Journal: 4120, Head: "ab12",
		Taken: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), By: "asamblea dev"}
	var b bytes.Buffer
	if err := WriteManifest(&b, m); err != nil {
		t.Fatal(err)
	}
	b.WriteString("body")
	got, err := ReadManifest(&b)
	if err != nil || got != m {
		t.Fatalf("got %+v, %v", got, err)
	}
	if b.String() != "body" {
		t.Fatalf("ReadManifest read into the body: %q left", b.String())
	}

	for name, tc := range map[string]struct {
		in   string
		want string
	}{
		"Truncated":   {"\x00\x00\x00\x20{}", "truncated"},
		"Huge":        {"\xff\xff\xff\xff", "damaged"},
		"NotJSON":     {"\x00\x00\x00\x02{[", "damaged"},
		"NewFormat":   {"\x00\x00\x00\x0c{\"format\":2}", "format 2"},
		"UnknownKind": {"\x00\x00\x00\x1a{\"format\":1,\"kind\":\"tape\"}", `kind "tape"`},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := ReadManifest(strings.NewReader(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

type table struct {
	Table
	rows [][]any
}

func writeRows(t testing.TB, tables []table) []byte {
	t.Helper()
	var b bytes.Buffer
	w := NewRowWriter(&b)
	for _, tb := range tables {
		if err := w.Table(tb.Table); err != nil {
			t.Fatal(err)
		}
		for _, r := range tb.rows {
			if err := w.Row(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readRows(r io.Reader) ([]table, error) {
	d := NewRowReader(r)
	var out []table
	for {
		t, err := d.Next()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		tb := table{Table: t}
		for {
			row, err := d.Row()
			if err != nil {
				return out, err
			}
			if row == nil {
				break
			}
			tb.rows = append(tb.rows, row)
		}
		out = append(out, tb)
	}
}

func sampleTables() []table {
	return []table{
		{Table{Name: "users", Columns: []string{"id", "name", "hash", "admin", "score"}, Identity: "id", Last: 9}, [][]any{
			{int64(1), "Quispe", []byte{0, 1, 2}, true, 1.5},
			{int64(-7), "", []byte{}, false, math.Inf(-1)},
			{int64(math.MaxInt64), strings.Repeat("ñ", 40000), bytes.Repeat([]byte{7}, 70000), nil, 0.0},
		}},
		{Table{Name: "empty", Columns: []string{"a"}}, nil},
		{Table{Name: "journal_head", Columns: []string{"id", "seq", "hash"}}, [][]any{{int64(1), int64(math.MinInt64), "00ff"}}},
	}
}

func TestRowsRoundTrip(t *testing.T) {
	in := sampleTables()
	got, err := readRows(bytes.NewReader(writeRows(t, in)))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Fatalf("got %v\nwant %v", got, in)
	}

	// Skipping rows: Next moves past what is left of a table.
	d := NewRowReader(bytes.NewReader(writeRows(t, in)))
	var names []string
	for {
		tb, err := d.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, tb.Name)
	}
	if strings.Join(names, " ") != "users empty journal_head" {
		t.Fatalf("tables %v", names)
	}

	// An int comes back as int64.
	got, err = readRows(bytes.NewReader(writeRows(t, []table{{Table{Name: "t", Columns: []string{"n"}}, [][]any{{42}}}})))
	if err != nil || got[0].rows[0][0] != int64(42) {
		t.Fatalf("got %v, %v", got, err)
	}
}

func TestRowWriterRefusals(t *testing.T) {
	w := NewRowWriter(io.Discard)
	if err := w.Row([]any{int64(1)}); err == nil {
		t.Error("a row before any table")
	}
	if err := w.Table(Table{Name: "t"}); err == nil {
		t.Error("a table with no columns")
	}
	if err := w.Table(Table{Name: "t", Columns: []string{"a", "b"}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Row([]any{int64(1)}); err == nil {
		t.Error("a row short of a value")
	}
	if err := w.Row([]any{int64(1), time.Now()}); err == nil {
		t.Error("a time.Time")
	}
}

func TestRowsDamage(t *testing.T) {
	good := writeRows(t, sampleTables())
	tests := map[string][]byte{
		"Empty":         nil,
		"CutMidRow":     good[:60],
		"NoEndMark":     good[:len(good)-2],
		"TrailingBytes": append(bytes.Clone(good), 'z'),
		"UnknownFrame":  append([]byte{'x'}, good[1:]...),
		"RowCountWrong": func() []byte {
			b := bytes.Clone(good)
			i := bytes.LastIndexByte(b, frameEnd) // journal_head's end: 1 row
			b[i+1] = 2
			return b
		}(),
		"TableCountWrong": func() []byte {
			b := bytes.Clone(good)
			b[len(b)-1] = 4
			return b
		}(),
	}
	for name, b := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := readRows(bytes.NewReader(b))
			if !errors.Is(err, ErrDamaged) && !errors.Is(err, ErrTruncated) {
				t.Fatalf("error %v", err)
			}
		})
	}
}

// FuzzRows: whatever the bytes, reading rows fails cleanly or returns
// values of the kinds documented.
func FuzzRows(f *testing.F) {
	small := sampleTables()
	small[0].rows = small[0].rows[:2]
	f.Add(writeRows(f, small))
	f.Add(writeRows(f, nil))
	f.Add([]byte{frameTable, 2, '{', '}'})
	f.Fuzz(func(t *testing.T, b []byte) {
		tables, _ := readRows(bytes.NewReader(b))
		for _, tb := range tables {
			for _, r := range tb.rows {
				if len(r) != len(tb.Columns) {
					t.Fatalf("row of %d values in a table of %d columns", len(r), len(tb.Columns))
				}
				for _, v := range r {
					switch v.(type) {
					case nil, int64, float64, string, []byte, bool:
					default:
						t.Fatalf("value of type %T", v)
					}
				}
			}
		}
	})
}
