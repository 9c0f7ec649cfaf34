// Package ical writes iCalendar feeds (RFC 5545) of protest actions —
// strikes, road blockades, marches, caravans — called by a body or an
// assembly, so that people can subscribe to them from their phone calendars.
//
// It only writes: a Calendar is filled by the caller and written with Write.
// Text is never trusted: invalid UTF-8 and control characters other than tab
// and newline are dropped, a carriage return (alone or before a newline) is
// read as a newline, and TEXT values are escaped, so whatever a member typed
// stays inside its own property and cannot start a new line, property or
// component. Lines end in CRLF and are folded at 75 octets without splitting
// a UTF-8 sequence. Times are written in UTC with the Z suffix.
package ical

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ContentType is the media type of what Write writes.
const ContentType = "text/calendar; charset=utf-8"

// DefaultProdID is the PRODID written when a Calendar has none.
const DefaultProdID = "-//asamblea//asamblea//ES"

// OpenEndProp is the property that marks an event without an end; see Event.
const OpenEndProp = "X-ASAMBLEA-OPEN-END"

// Calendar is an iCalendar object: a feed of events.
//
// Name is the calendar's display name, written as X-WR-CALNAME (read by most
// clients) and NAME (RFC 7986); it is left out when empty. ProdID identifies
// the product that wrote the feed; when empty, DefaultProdID is used.
type Calendar struct {
	Name   string
	ProdID string
	Events []Event
}

// Event is one action, written as a VEVENT.
//
// UID is the event's permanent identifier, such as "action-42@asamblea"; it
// must not be empty and must be unique within the calendar, since clients use
// it to update the copy they hold. Summary is the title; Description,
// Location and Categories are plain text. URL is the action's page. Empty
// fields are left out.
//
// Status is "CONFIRMED", "CANCELLED", "TENTATIVE" (in any case) or empty.
// Sequence is the revision number (RFC 5545 3.8.7.4): raise it when Start,
// End or Status change so that clients take the new version; it is written
// when positive.
//
// Start is required. End, when not zero, must not be before Start; an End
// equal to Start is an event with no duration and is written without DTEND.
//
// A zero End is an open end, such as a strike called "until further notice".
// iCalendar has no way to say that: an event with a DATE-TIME DTSTART and
// neither DTEND nor DURATION takes no time at all (RFC 5545 3.6.1), and an
// invented end would be read as a promise. So such an event is written with
// DTSTART only — clients show it at its start — and marked with
// X-ASAMBLEA-OPEN-END:TRUE (OpenEndProp); the caller should say in
// Description that the action goes on until called off.
//
// Updated is when the event last changed; it is written as DTSTAMP and
// LAST-MODIFIED. When zero, DTSTAMP, which RFC 5545 requires, is the Unix
// epoch (a fixed value, so that an unchanged feed reads the same each time)
// and LAST-MODIFIED is left out.
//
// Lat and Lon, in decimal degrees, are written as GEO when HasGeo is set.
type Event struct {
	UID         string
	Summary     string
	Description string
	Location    string
	URL         string
	Categories  []string
	Status      string
	Start       time.Time
	End         time.Time
	Updated     time.Time
	Sequence    int
	Lat, Lon    float64
	HasGeo      bool
}

// Write writes c to w as an iCalendar object. It checks every event first and
// writes nothing when one is invalid: an empty or repeated UID, a zero Start,
// an End before Start, an unknown Status, a negative Sequence, a GEO out of
// range, or a time that does not fit in a four-digit year in UTC.
func (c Calendar) Write(w io.Writer) error {
	if err := c.validate(); err != nil {
		return err
	}
	lw := &lineWriter{w: bufio.NewWriter(w)}
	lw.line("BEGIN", "VCALENDAR")
	lw.line("VERSION", "2.0")
	lw.line("PRODID", text(first(c.ProdID, DefaultProdID)))
	lw.line("CALSCALE", "GREGORIAN")
	if name := text(c.Name); name != "" {
		lw.line("X-WR-CALNAME", name)
		lw.line("NAME", name)
	}
	for _, e := range c.Events {
		e.write(lw)
	}
	lw.line("END", "VCALENDAR")
	if lw.err != nil {
		return lw.err
	}
	return lw.w.Flush()
}

// validate checks the events as Write documents.
func (c Calendar) validate() error {
	uids := make(map[string]bool, len(c.Events))
	for i, e := range c.Events {
		uid := text(e.UID)
		if err := e.validate(); err != nil {
			return fmt.Errorf("ical: event %d (%q): %w", i, uid, err)
		}
		if uids[uid] {
			return fmt.Errorf("ical: event %d (%q): UID repeated", i, uid)
		}
		uids[uid] = true
	}
	return nil
}

func (e Event) validate() error {
	switch {
	case text(e.UID) == "":
		return errors.New("empty UID")
	case e.Start.IsZero():
		return errors.New("zero Start")
	case !e.End.IsZero() && e.End.Before(e.Start):
		return fmt.Errorf("the end %s is before the start %s", stamp(e.End), stamp(e.Start))
	case status(e.Status) == "" && e.Status != "":
		return fmt.Errorf("unknown Status %q", e.Status)
	case e.Sequence < 0:
		return fmt.Errorf("negative Sequence %d", e.Sequence)
	case e.HasGeo && !(math.Abs(e.Lat) <= 90 && math.Abs(e.Lon) <= 180):
		return fmt.Errorf("GEO %v;%v out of range", e.Lat, e.Lon)
	}
	for _, t := range []time.Time{e.Start, e.End, e.Updated} {
		if y := t.UTC().Year(); !t.IsZero() && (y < 0 || y > 9999) {
			return fmt.Errorf("time %v out of range", t)
		}
	}
	return nil
}

// write writes e as a VEVENT; e has been validated.
func (e Event) write(lw *lineWriter) {
	lw.line("BEGIN", "VEVENT")
	lw.line("UID", text(e.UID))
	if e.Updated.IsZero() {
		lw.line("DTSTAMP", stamp(time.Unix(0, 0)))
	} else {
		lw.line("DTSTAMP", stamp(e.Updated))
		lw.line("LAST-MODIFIED", stamp(e.Updated))
	}
	lw.line("DTSTART", stamp(e.Start))
	switch {
	case e.End.IsZero():
		lw.line(OpenEndProp, "TRUE")
	case e.End.After(e.Start):
		lw.line("DTEND", stamp(e.End))
	}
	if e.Sequence > 0 {
		lw.line("SEQUENCE", strconv.Itoa(e.Sequence))
	}
	if s := status(e.Status); s != "" {
		lw.line("STATUS", s)
	}
	lw.text("SUMMARY", e.Summary)
	lw.text("DESCRIPTION", e.Description)
	lw.text("LOCATION", e.Location)
	if e.HasGeo {
		lw.line("GEO", degrees(e.Lat)+";"+degrees(e.Lon))
	}
	var cats []string
	for _, c := range e.Categories {
		if c := text(c); c != "" {
			cats = append(cats, c)
		}
	}
	if len(cats) > 0 {
		lw.line("CATEGORIES", strings.Join(cats, ","))
	}
	if u := uri(e.URL); u != "" {
		lw.line("URL", u)
	}
	lw.line("END", "VEVENT")
}

// status returns s upper-cased when it is a VEVENT status, and "" otherwise.
func status(s string) string {
	switch s := strings.ToUpper(s); s {
	case "CONFIRMED", "CANCELLED", "TENTATIVE":
		return s
	}
	return ""
}

// stamp formats t as a DATE-TIME in UTC.
func stamp(t time.Time) string {
	return t.UTC().Format("20060102T150405Z")
}

// degrees formats a latitude or longitude to six decimal places, the
// precision RFC 5545 asks for.
func degrees(f float64) string {
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// first returns the first of ss that is not empty.
func first(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// text cleans s and escapes it as a TEXT value: backslash, semicolon and
// comma are escaped with a backslash and a newline is written as \n. A
// carriage return, alone or before a newline, counts as one newline; invalid
// UTF-8 and the other control characters except tab are dropped (C0, DEL and
// C1). Nothing in the result can end the content line.
func text(s string) string {
	s = strings.ToValidUTF8(s, "")
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\r':
			if i+1 >= len(s) || s[i+1] != '\n' {
				b.WriteString(`\n`)
			}
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteRune(r)
		case r < 0x20, 0x7F <= r && r <= 0x9F:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// uri cleans a URI value, which is written without escaping: invalid UTF-8,
// white space and control characters are dropped.
func uri(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= 0x20 || 0x7F <= r && r <= 0x9F {
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// maxLine is the longest a line may be, in octets, not counting its CRLF.
const maxLine = 75

// lineWriter writes content lines, folded, keeping the first error.
type lineWriter struct {
	w   *bufio.Writer
	err error
}

// text writes a TEXT property, unless its cleaned value is empty.
func (lw *lineWriter) text(name, value string) {
	if v := text(value); v != "" {
		lw.line(name, v)
	}
}

// line writes the content line "name:value", which must hold no CR or LF,
// folding it so that no line is longer than maxLine octets: a long line is
// cut before a rune, or an escape, that does not fit and goes on in the next
// line after a space (RFC 5545 3.1).
func (lw *lineWriter) line(name, value string) {
	if lw.err != nil {
		return
	}
	if len(name)+1+len(value) <= maxLine {
		lw.w.WriteString(name)
		lw.w.WriteByte(':')
		lw.w.WriteString(value)
		_, lw.err = lw.w.WriteString("\r\n")
		return
	}
	s := name + ":" + value
	limit := maxLine
	for len(s) > limit {
		i := limit
		for !utf8.RuneStart(s[i]) {
			i--
		}
		// Keep an escape such as "\;" whole: a decoder must unfold
		// before it unescapes, but not every one does.
		if n := len(s[:i]) - len(strings.TrimRight(s[:i], `\`)); n%2 == 1 {
			i--
		}
		lw.w.WriteString(s[:i])
		lw.w.WriteString("\r\n ")
		s = s[i:]
		limit = maxLine - 1
	}
	lw.w.WriteString(s)
	_, lw.err = lw.w.WriteString("\r\n")
}
