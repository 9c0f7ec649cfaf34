package tally

import (
	"bufio"
	"errors"
	"io"
)

// lineReader streams lines (without the line ending) and counts them.
type lineReader struct {
	r    *bufio.Reader
	line int
	long []byte
	err  error
}

// maxLine bounds one line of input (a ballot ranking 65,535 candidates fits).
const maxLine = 16 << 20

func newLineReader(r io.Reader) *lineReader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 1<<16 {
		br = bufio.NewReaderSize(r, 1<<20)
	}
	return &lineReader{r: br}
}

// next returns the next line, or ok=false at the end of input or on a read
// error (then lr.err is set). The slice is valid until the next call.
func (lr *lineReader) next() (line []byte, ok bool) {
	if lr.err != nil {
		return nil, false
	}
	b, err := lr.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		lr.long = append(lr.long[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = lr.r.ReadSlice('\n')
			lr.long = append(lr.long, b...)
			if len(lr.long) > maxLine {
				lr.line++
				lr.err = parseErr(lr.line, "line longer than %d bytes", maxLine)
				return nil, false
			}
		}
		b = lr.long
	}
	if err != nil && err != io.EOF {
		lr.err = err
		return nil, false
	}
	if len(b) == 0 && err == io.EOF {
		return nil, false
	}
	lr.line++
	if lr.line == 1 {
		b = trimBOM(b)
	}
	n := len(b)
	if n > 0 && b[n-1] == '\n' {
		n--
	}
	if n > 0 && b[n-1] == '\r' {
		n--
	}
	return b[:n], true
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		return b[3:]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' }

// fields splits b on blanks into dst (reused).
func fields(dst [][]byte, b []byte) [][]byte {
	dst = dst[:0]
	i := 0
	for i < len(b) {
		for i < len(b) && isSpace(b[i]) {
			i++
		}
		j := i
		for j < len(b) && !isSpace(b[j]) {
			j++
		}
		if j > i {
			dst = append(dst, b[i:j])
		}
		i = j
	}
	return dst
}

// parseInt parses an optionally signed decimal integer no larger in absolute
// value than limit.
func parseInt(b []byte, limit int64) (int64, bool) {
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		if n > limit {
			return 0, false
		}
	}
	if neg {
		n = -n
	}
	return n, true
}
