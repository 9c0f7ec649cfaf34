package tally

import "fmt"

// ParseError reports malformed input. Line is 1-based; 0 means the error
// concerns the input as a whole (an empty file, a missing section at the end).
type ParseError struct {
	Line int    `json:"line"`
	Msg  string `json:"message"`
}

func (e *ParseError) Error() string {
	if e.Line <= 0 {
		return e.Msg
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
}

func parseErr(line int, format string, args ...any) *ParseError {
	return &ParseError{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// InputError reports an election that cannot be counted as asked: more seats
// than candidates, no valid votes, an unknown method, a bad option.
type InputError struct {
	Msg string `json:"message"`
}

func (e *InputError) Error() string { return e.Msg }

func inputErr(format string, args ...any) *InputError {
	return &InputError{Msg: fmt.Sprintf(format, args...)}
}
