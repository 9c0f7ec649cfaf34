package accounts

import (
	"slices"
	"strings"
	"time"

	"asamblea/errs"
)

// Token scopes. A read token may only look (GET and HEAD); a write token
// may also act as its owner (vote, post, change). No token, whatever its
// scopes, can make another token or open a web page: a stolen token is
// bounded by what it was made for and by its expiry.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// Token lifetimes: 90 days unless asked otherwise, a year at most.
const (
	DefaultTokenDays = 90
	MaxTokenDays     = 365
)

// TokenSpec is what a person asks for when making a token.
type TokenSpec struct {
	Name   string
	Scopes []string
	// Days until it expires; 0 means DefaultTokenDays.
	Days int
}

// CleanTokenSpec validates s and returns it normalised: scopes known,
// sorted, without duplicates, read when none is given; days in range.
func CleanTokenSpec(s TokenSpec) (TokenSpec, error) {
	name, err := CleanName("name", s.Name)
	if err != nil {
		return s, err
	}
	s.Name = name
	var scopes []string
	for _, sc := range s.Scopes {
		sc = strings.ToLower(strings.TrimSpace(sc))
		if sc != ScopeRead && sc != ScopeWrite {
			return s, errs.Field("scopes", "acct.token.scope_unknown", sc)
		}
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	if len(scopes) == 0 {
		scopes = []string{ScopeRead}
	}
	slices.Sort(scopes)
	s.Scopes = scopes
	if s.Days == 0 {
		s.Days = DefaultTokenDays
	}
	if s.Days < 1 || s.Days > MaxTokenDays {
		return s, errs.Field("expires_in_days", "acct.token.days", MaxTokenDays)
	}
	return s, nil
}

// Expiry is when a token made at now with s expires.
func (s TokenSpec) Expiry(now time.Time) time.Time {
	return now.Add(time.Duration(s.Days) * 24 * time.Hour)
}

// AllowsMethod reports whether a token with scopes may make a request of
// method: reads need read or write, anything else needs write.
func AllowsMethod(scopes []string, method string) bool {
	if slices.Contains(scopes, ScopeWrite) {
		return true
	}
	return slices.Contains(scopes, ScopeRead) && (method == "GET" || method == "HEAD")
}
