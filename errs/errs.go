// Package errs defines the error type every asamblea service returns.
//
// An Error carries a Code (what kind of failure, mapped to an HTTP status at
// the edge), a message Key in the catalog (so the person reads it in their
// language), optional Args for the message and the Field it concerns. Any other
// error is internal: it is logged and shown to people as "internal error".
package errs

import (
	"errors"
	"fmt"
	"net/http"
)

// Code classifies a failure.
type Code string

// The codes a service may return.
const (
	Invalid      Code = "invalid"
	NotFound     Code = "not_found"
	Forbidden    Code = "forbidden"
	Unauthorized Code = "unauthorized"
	Conflict     Code = "conflict"
	TooMany      Code = "too_many_requests"
	Internal     Code = "internal"
)

// Error is a failure whose message is safe to show.
type Error struct {
	Code  Code
	Key   string // message catalog key
	Args  []any  // arguments of the message
	Field string // form field concerned, if any
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (%s) %v", e.Code, e.Key, e.Field, e.Args)
	}
	return fmt.Sprintf("%s: %s %v", e.Code, e.Key, e.Args)
}

// New returns an Error with code, message key and arguments.
func New(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args}
}

// Field returns an Invalid error about one form field.
func Field(field, key string, args ...any) *Error {
	return &Error{Code: Invalid, Key: key, Args: args, Field: field}
}

// As returns the *Error inside err, or an Internal one.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: Internal, Key: "error.internal"}
}

// CodeOf returns the code of err (Internal for foreign errors, "" for nil).
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	return As(err).Code
}

// Is reports whether err carries code.
func Is(err error, code Code) bool { return CodeOf(err) == code }

// Status maps a code to its HTTP status.
func Status(code Code) int {
	switch code {
	case Invalid:
		return http.StatusUnprocessableEntity
	case NotFound:
		return http.StatusNotFound
	case Forbidden:
		return http.StatusForbidden
	case Unauthorized:
		return http.StatusUnauthorized
	case Conflict:
		return http.StatusConflict
	case TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}
