package backup

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"
)

// The plaintext of a backup is a manifest, then its body: for KindSQLite the
// bytes of a SQLite database file, for KindRows the rows of every table.
//
//	manifest  4-byte big-endian length, then a JSON object (Manifest)
//	rows      't' table  (uvarint length, JSON object: Table)
//	          'r' row    (one value per column)
//	          'e' end of table (uvarint count of its rows)
//	          …
//	          'z' end    (uvarint count of tables), then nothing
//	value     0 NULL, 1 integer (varint), 2 float (8 bytes, IEEE 754
//	          big-endian), 3 text and 4 bytes (uvarint length, then
//	          the bytes), 5 false, 6 true

// The kinds of body.
const (
	KindSQLite = "sqlite-file" // a SQLite database file, as VACUUM INTO writes it
	KindRows   = "rows"        // the rows of every table, for any database
)

// Manifest says what a backup holds.
type Manifest struct {
	Format  int       `json:"format"`  // 1
	Kind    string    `json:"kind"`    // KindSQLite or KindRows
	Dialect string    `json:"dialect"` // the database it was taken from: sqlite or postgres
	Schema  int64     `json:"schema"`  // the last migration applied to it
	Journal int64     `json:"journal"` // the journal's last entry…
	Head    string    `json:"head"`    // …and its hash
	Size    int64     `json:"size,omitempty"`
	Taken   time.Time `json:"taken"`
	By      string    `json:"by"` // the asamblea that wrote it
}

const maxManifest = 1 << 16

// WriteManifest writes m.
func WriteManifest(w io.Writer, m Manifest) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(b)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// ReadManifest reads a manifest and checks that this asamblea knows its
// format and kind. It reads no more than the manifest.
func ReadManifest(r io.Reader) (Manifest, error) {
	var m Manifest
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return m, noEOF(err)
	}
	size := binary.BigEndian.Uint32(n[:])
	if size > maxManifest {
		return m, fmt.Errorf("%w: a manifest of %d bytes", ErrDamaged, size)
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(r, b); err != nil {
		return m, noEOF(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%w: manifest: %v", ErrDamaged, err)
	}
	if m.Format != 1 {
		return m, fmt.Errorf("backup format %d: this asamblea reads format 1", m.Format)
	}
	if m.Kind != KindSQLite && m.Kind != KindRows {
		return m, fmt.Errorf("backup of kind %q: this asamblea reads %q and %q", m.Kind, KindSQLite, KindRows)
	}
	if m.Kind == KindSQLite && m.Size < 0 {
		return m, fmt.Errorf("%w: a file of %d bytes", ErrDamaged, m.Size)
	}
	return m, nil
}

// noEOF turns an early end of the plaintext into ErrTruncated. (A Reader
// never ends early without an error of its own; other readers might.)
func noEOF(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return ErrTruncated
	}
	return err
}

// Table opens the rows of one table.
type Table struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	// Identity is the column whose values the database generates, if any,
	// and Last the last value it generated (0 when unknown), so that a
	// restored database does not hand out again the id of a deleted row.
	Identity string `json:"identity,omitempty"`
	Last     int64  `json:"last,omitempty"`
}

const (
	maxTableHeader = 1 << 20
	maxColumns     = 2000
	maxValue       = 1 << 30
)

const (
	frameTable = 't'
	frameRow   = 'r'
	frameEnd   = 'e'
	frameDone  = 'z'

	valNull  = 0
	valInt   = 1
	valFloat = 2
	valText  = 3
	valBytes = 4
	valFalse = 5
	valTrue  = 6
)

// RowWriter writes the rows of tables.
type RowWriter struct {
	w       *bufio.Writer
	buf     []byte
	table   *Table
	rows    int64
	tables  uint64
	scratch [binary.MaxVarintLen64]byte
}

// NewRowWriter returns a RowWriter writing to w.
func NewRowWriter(w io.Writer) *RowWriter {
	return &RowWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

// Table ends the table before, if any, and starts t.
func (e *RowWriter) Table(t Table) error {
	if len(t.Columns) == 0 || len(t.Columns) > maxColumns {
		return fmt.Errorf("backup: table %s with %d columns", t.Name, len(t.Columns))
	}
	if err := e.endTable(); err != nil {
		return err
	}
	b, err := json.Marshal(t)
	if err != nil {
		return err
	}
	e.w.WriteByte(frameTable)
	e.uvarint(uint64(len(b)))
	e.w.Write(b)
	e.table, e.rows = &t, 0
	e.tables++
	return nil
}

// Row writes one row of the current table: a value per column, each nil,
// int64, int, float64, string, []byte or bool.
func (e *RowWriter) Row(vals []any) error {
	if e.table == nil || len(vals) != len(e.table.Columns) {
		return errors.New("backup: a row outside a table or with the wrong number of values")
	}
	b := append(e.buf[:0], frameRow)
	for i, v := range vals {
		switch v := v.(type) {
		case nil:
			b = append(b, valNull)
		case int64:
			b = binary.AppendVarint(append(b, valInt), v)
		case int:
			b = binary.AppendVarint(append(b, valInt), int64(v))
		case float64:
			b = binary.BigEndian.AppendUint64(append(b, valFloat), math.Float64bits(v))
		case string:
			b = append(binary.AppendUvarint(append(b, valText), uint64(len(v))), v...)
		case []byte:
			b = append(binary.AppendUvarint(append(b, valBytes), uint64(len(v))), v...)
		case bool:
			if v {
				b = append(b, valTrue)
			} else {
				b = append(b, valFalse)
			}
		default:
			return fmt.Errorf("backup: %s.%s holds a %T", e.table.Name, e.table.Columns[i], v)
		}
	}
	e.buf = b
	e.rows++
	_, err := e.w.Write(b)
	return err
}

func (e *RowWriter) endTable() error {
	if e.table == nil {
		return nil
	}
	e.w.WriteByte(frameEnd)
	e.uvarint(uint64(e.rows))
	e.table = nil
	return nil
}

// Close ends the last table and the rows, and flushes. It does not close
// the underlying writer.
func (e *RowWriter) Close() error {
	if err := e.endTable(); err != nil {
		return err
	}
	e.w.WriteByte(frameDone)
	e.uvarint(e.tables)
	return e.w.Flush()
}

func (e *RowWriter) uvarint(v uint64) {
	n := binary.PutUvarint(e.scratch[:], v)
	e.w.Write(e.scratch[:n])
}

// RowReader reads what a RowWriter wrote.
type RowReader struct {
	r      *bufio.Reader
	table  *Table
	rows   int64
	tables uint64
	done   bool
}

// NewRowReader returns a RowReader reading from r.
func NewRowReader(r io.Reader) *RowReader {
	return &RowReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// Next skips what is left of the current table and returns the next one.
// After the last it returns io.EOF, once it has checked that nothing
// follows the end mark — so that the whole backup has been read and
// authenticated.
func (d *RowReader) Next() (Table, error) {
	if d.done {
		return Table{}, io.EOF
	}
	for d.table != nil {
		if _, err := d.Row(); err != nil {
			return Table{}, err
		}
	}
	f, err := d.r.ReadByte()
	if err != nil {
		return Table{}, noEOF(err)
	}
	switch f {
	case frameTable:
		n, err := d.uvarint()
		if err != nil {
			return Table{}, err
		}
		if n > maxTableHeader {
			return Table{}, fmt.Errorf("%w: a table header of %d bytes", ErrDamaged, n)
		}
		b, err := d.bytes(n)
		if err != nil {
			return Table{}, err
		}
		var t Table
		if err := json.Unmarshal(b, &t); err != nil {
			return Table{}, fmt.Errorf("%w: table header: %v", ErrDamaged, err)
		}
		if t.Name == "" || len(t.Columns) == 0 || len(t.Columns) > maxColumns {
			return Table{}, fmt.Errorf("%w: table %q with %d columns", ErrDamaged, t.Name, len(t.Columns))
		}
		d.table, d.rows = &t, 0
		d.tables++
		return t, nil
	case frameDone:
		n, err := d.uvarint()
		if err != nil {
			return Table{}, err
		}
		if n != d.tables {
			return Table{}, fmt.Errorf("%w: %d tables read, the end mark says %d", ErrDamaged, d.tables, n)
		}
		if _, err := d.r.ReadByte(); err != io.EOF {
			if err == nil {
				return Table{}, fmt.Errorf("%w: data after the end mark", ErrDamaged)
			}
			return Table{}, err
		}
		d.done = true
		return Table{}, io.EOF
	}
	return Table{}, fmt.Errorf("%w: frame %q where a table or the end was due", ErrDamaged, f)
}

// Row reads the next row of the current table, or returns nil at its end.
// The values are nil, int64, float64, string, []byte or bool, in a new slice.
func (d *RowReader) Row() ([]any, error) {
	if d.table == nil {
		return nil, nil
	}
	f, err := d.r.ReadByte()
	if err != nil {
		return nil, noEOF(err)
	}
	switch f {
	case frameEnd:
		n, err := d.uvarint()
		if err != nil {
			return nil, err
		}
		if n != uint64(d.rows) {
			return nil, fmt.Errorf("%w: table %s: %d rows read, its end mark says %d", ErrDamaged, d.table.Name, d.rows, n)
		}
		d.table = nil
		return nil, nil
	case frameRow:
	default:
		return nil, fmt.Errorf("%w: table %s: frame %q where a row was due", ErrDamaged, d.table.Name, f)
	}
	vals := make([]any, len(d.table.Columns))
	for i := range vals {
		if vals[i], err = d.value(); err != nil {
			return nil, fmt.Errorf("table %s, row %d, column %s: %w", d.table.Name, d.rows+1, d.table.Columns[i], err)
		}
	}
	d.rows++
	return vals, nil
}

func (d *RowReader) value() (any, error) {
	t, err := d.r.ReadByte()
	if err != nil {
		return nil, noEOF(err)
	}
	switch t {
	case valNull:
		return nil, nil
	case valInt:
		v, err := binary.ReadVarint(d.r)
		if err != nil {
			return nil, d.varintErr(err)
		}
		return v, nil
	case valFloat:
		var b [8]byte
		if _, err := io.ReadFull(d.r, b[:]); err != nil {
			return nil, noEOF(err)
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b[:])), nil
	case valText, valBytes:
		n, err := d.uvarint()
		if err != nil {
			return nil, err
		}
		if n > maxValue {
			return nil, fmt.Errorf("%w: a value of %d bytes", ErrDamaged, n)
		}
		b, err := d.bytes(n)
		if err != nil {
			return nil, err
		}
		if t == valText {
			return string(b), nil
		}
		return b, nil
	case valFalse:
		return false, nil
	case valTrue:
		return true, nil
	}
	return nil, fmt.Errorf("%w: value type %d", ErrDamaged, t)
}

func (d *RowReader) uvarint() (uint64, error) {
	v, err := binary.ReadUvarint(d.r)
	if err != nil {
		return 0, d.varintErr(err)
	}
	return v, nil
}

func (d *RowReader) varintErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return ErrTruncated
	}
	if errors.Is(err, ErrDamaged) || errors.Is(err, ErrTruncated) {
		return err
	}
	return fmt.Errorf("%w: %v", ErrDamaged, err)
}

// bytes reads n bytes, growing its buffer only as they arrive, so that a
// damaged length cannot make it allocate a gigabyte up front.
func (d *RowReader) bytes(n uint64) ([]byte, error) {
	if n <= 64<<10 {
		b := make([]byte, n)
		if _, err := io.ReadFull(d.r, b); err != nil {
			return nil, noEOF(err)
		}
		return b, nil
	}
	var buf bytes.Buffer
	if _, err := io.CopyN(&buf, d.r, int64(n)); err != nil {
		return nil, noEOF(err)
	}
	return buf.Bytes(), nil
}
