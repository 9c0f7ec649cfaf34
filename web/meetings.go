package web

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/motions"
	"asamblea/store"
	"asamblea/voting"
)

// meetingRoutes lists the pages of meetings, initiatives and what awaits a
// person.
func (s *Server) meetingRoutes() []httpauth.Route {
	in := httpauth.SignedIn
	return []httpauth.Route{
		{Method: "GET", Pattern: "/bodies/{id}/meetings", Access: in, Handler: s.meetingList},
		{Method: "POST", Pattern: "/bodies/{id}/meetings", Access: in, Handler: s.recordMeeting},
		{Method: "GET", Pattern: "/meetings/{id}", Access: in, Handler: s.meetingPage},
		{Method: "POST", Pattern: "/meetings/{id}/confirm", Access: in, Handler: s.confirmMeeting},
		{Method: "GET", Pattern: "/bodies/{id}/initiatives", Access: in, Handler: s.initiativeList},
		{Method: "GET", Pattern: "/motions/{id}/initiative", Access: in, Handler: s.initiativeForm},
		{Method: "POST", Pattern: "/motions/{id}/initiative", Access: in, Handler: s.sendInitiative},
		{Method: "POST", Pattern: "/initiatives/{id}/endorse", Access: in, Handler: s.endorseInitiative},
		{Method: "GET", Pattern: "/awaiting", Access: in, Handler: s.awaitingPage},
	}
}

// meetingDay renders a meeting's date (YYYY-MM-DD) in the reader's
// language. It is read at noon, so that no zone moves it to another day.
func meetingDay(l *i18n.Localizer, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return l.Date(t.Add(12 * time.Hour))
}

// handField is the form field of one count of a motion's row: yes, no,
// abstain, block, or an option's index.
func handField(motion int64, count string) string { return fmt.Sprintf("m%d_%s", motion, count) }

// handRow is one motion of the form that records a meeting.
type handRow struct {
	Motion  motions.Motion
	Field   string // the row's error field, m<id>
	Counts  []handCount
	Options bool
}

// handCount is one box of a row: its label and form field.
type handCount struct {
	Label, Name string
}

func newHandRow(l *i18n.Localizer, m motions.Motion) handRow {
	row := handRow{Motion: m, Field: fmt.Sprintf("m%d", m.ID), Options: m.IsOptions()}
	if m.IsOptions() {
		for i, o := range m.Options {
			row.Counts = append(row.Counts, handCount{Label: o, Name: handField(m.ID, strconv.Itoa(i))})
		}
		return row
	}
	for _, c := range motions.Choices(m.Rule) {
		row.Counts = append(row.Counts, handCount{Label: l.T("meeting.hands." + c), Name: handField(m.ID, c)})
	}
	return row
}

type meetingsData struct {
	Body      bodies.Body
	Role      bodies.Role
	Meetings  []motions.Meeting
	Rows      []handRow
	CanRecord bool
	Today     string
}

// Day renders a meeting's date.
func (d meetingsData) Day(l *i18n.Localizer, day string) string { return meetingDay(l, day) }

// meetingList is a body's meeting records and, for its secretaries and
// facilitators, the form to record one.
func (s *Server) meetingList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.meetingsPage(r, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "meetings", p)
}

func (s *Server) meetingsPage(r *http.Request, body int64) (*Page, error) {
	viewer := httpauth.From(r).UserID()
	var d meetingsData
	var err error
	if d.Body, d.Role, err = s.db.Body(r.Context(), viewer, body); err != nil {
		return nil, err
	}
	if d.Meetings, err = s.db.Meetings(r.Context(), viewer, body); err != nil {
		return nil, err
	}
	p := s.page(r, "", nil)
	d.CanRecord = d.Role == bodies.Facilitator || d.Role == bodies.Secretary
	if d.CanRecord {
		ms, err := s.db.MeetingMotions(r.Context(), viewer, body)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			d.Rows = append(d.Rows, newHandRow(p.L, m))
		}
	}
	d.Today = time.Now().In(time.FixedZone("PET", -5*3600)).Format(time.DateOnly)
	p.Data = d
	p.Title = p.L.T("meeting.list.title", d.Body.Name)
	p.Form.Set("held_on", d.Today)
	return p, nil
}

var handName = regexp.MustCompile(`^m(\d+)_(yes|no|abstain|block|\d+)$`)

// meetingForm reads the form of a meeting record. A motion whose boxes are
// all empty is not part of it; an empty box counts no hands.
func meetingForm(f url.Values) (motions.MeetingInput, error) {
	in := motions.MeetingInput{HeldOn: f.Get("held_on"), Place: f.Get("place"), Notes: f.Get("notes")}
	if a := strings.TrimSpace(f.Get("attendance")); a != "" {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil {
			return in, errs.Field("attendance", "meeting.form.number")
		}
		in.Attendance = n
	}
	type counts struct {
		h       motions.Hands
		options map[int]int64
		filled  bool
	}
	rows := map[int64]*counts{}
	var order []int64
	for _, v := range f["motion"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || rows[id] != nil {
			continue
		}
		rows[id] = &counts{options: map[int]int64{}}
		order = append(order, id)
	}
	for name, vs := range f {
		m := handName.FindStringSubmatch(name)
		if m == nil {
			continue
		}
		id, _ := strconv.ParseInt(m[1], 10, 64)
		c := rows[id]
		if c == nil {
			continue
		}
		v := strings.TrimSpace(vs[0])
		var n int64
		if v != "" {
			var err error
			if n, err = strconv.ParseInt(v, 10, 64); err != nil {
				return in, errs.Field(fmt.Sprintf("m%d", id), "meeting.form.number")
			}
			c.filled = true
		}
		switch m[2] {
		case voting.Yes:
			c.h.Yes = n
		case voting.No:
			c.h.No = n
		case voting.Abstain:
			c.h.Abstain = n
		case voting.Block:
			c.h.Block = n
		default:
			i, _ := strconv.Atoi(m[2])
			if i < motions.MaxOptions {
				c.options[i] = n
			}
		}
	}
	for _, id := range order {
		c := rows[id]
		if !c.filled {
			continue
		}
		n := 0
		for i := range c.options {
			n = max(n, i+1)
		}
		for i := range n {
			c.h.Options = append(c.h.Options, c.options[i])
		}
		in.Decisions = append(in.Decisions, motions.MeetingDecision{MotionID: id, Hands: c.h})
	}
	return in, nil
}

var decisionField = regexp.MustCompile(`^decisions\[(\d+)\]`)

// recordMeeting records a meeting; bad input shows the form again with
// everything the person wrote and the error beside the motion concerned.
func (s *Server) recordMeeting(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	in, err := meetingForm(r.PostForm)
	var g motions.Meeting
	if err == nil {
		g, err = s.db.RecordMeeting(r.Context(), httpauth.From(r).UserID(), id, in)
	}
	if err != nil {
		e := errs.As(err)
		if e.Code != errs.Invalid && e.Code != errs.Conflict {
			s.fail(w, r, err, "", nil)
			return
		}
		// The store names a decision by its place in the record; the form
		// by its motion.
		if m := decisionField.FindStringSubmatch(e.Field); m != nil {
			if i, _ := strconv.Atoi(m[1]); i < len(in.Decisions) {
				c := *e
				c.Field = fmt.Sprintf("m%d", in.Decisions[i].MotionID)
				err = &c
			}
		}
		p, perr := s.meetingsPage(r, id)
		if perr != nil {
			s.fail(w, r, perr, "", nil)
			return
		}
		p.Form = r.PostForm
		s.fail(w, r, err, "meetings", p)
		return
	}
	redirect(w, r, "/meetings/"+strconv.FormatInt(g.ID, 10)+"?done=meeting_recorded")
}

type meetingData struct {
	Meeting    motions.Meeting
	Body       bodies.Body
	Day        string
	Decisions  []decisionRow
	CanConfirm bool
	Own        bool // the viewer recorded it
}

// decisionRow is one decision of a meeting record as the page shows it.
type decisionRow struct {
	MotionID int64
	Title    string
	Counts   []handShown
	Result   string // once in force: what was decided, and when
}

type handShown struct {
	Label string
	N     int64
}

// meetingPage shows a meeting record, with the button to confirm it for
// the members who may.
func (s *Server) meetingPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.meetingView(r, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "meeting", p)
}

func (s *Server) meetingView(r *http.Request, id int64) (*Page, error) {
	viewer := httpauth.From(r).UserID()
	g, err := s.db.Meeting(r.Context(), viewer, id)
	if err != nil {
		return nil, err
	}
	d := meetingData{Meeting: g}
	var role bodies.Role
	if d.Body, role, err = s.db.Body(r.Context(), viewer, g.BodyID); err != nil {
		return nil, err
	}
	p := s.page(r, "", nil)
	d.Day = meetingDay(p.L, g.HeldOn)
	d.Own = g.RecordedBy == viewer
	d.CanConfirm = g.Status == motions.MeetingPending && role != bodies.None && !d.Own
	for _, dc := range g.Decisions {
		row := decisionRow{MotionID: dc.MotionID, Title: dc.Title}
		m, err := s.db.Motion(r.Context(), viewer, dc.MotionID)
		if err != nil {
			return nil, err
		}
		if m.IsOptions() {
			for i, n := range dc.Hands.Options {
				label := strconv.Itoa(i + 1)
				if i < len(m.Options) {
					label = m.Options[i]
				}
				row.Counts = append(row.Counts, handShown{Label: label, N: n})
			}
		} else {
			h := dc.Hands
			n := map[string]int64{voting.Yes: h.Yes, voting.No: h.No, voting.Abstain: h.Abstain, voting.Block: h.Block}
			for _, c := range motions.Choices(m.Rule) {
				row.Counts = append(row.Counts, handShown{Label: p.L.T("meeting.hands." + c), N: n[c]})
			}
		}
		if motions.Closed(m.Status) && m.MeetingID == g.ID {
			row.Result = p.L.T("meeting.result", meetingOutcome(p.L, m), meetingDay(p.L, m.DecidedOn))
		}
		d.Decisions = append(d.Decisions, row)
	}
	p.Data = d
	p.Title = p.L.T("meeting.title", d.Body.Name, d.Day)
	return p, nil
}

// meetingOutcome names what a meeting decided on m.
func meetingOutcome(l *i18n.Localizer, m motions.Motion) string {
	if m.Status == motions.Decided && m.Result != "" {
		return l.T("meeting.outcome.decided", m.ResultLabel(m.Result))
	}
	return l.T("meeting.outcome." + m.Status)
}

func (s *Server) confirmMeeting(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if err := s.db.ConfirmMeeting(r.Context(), httpauth.From(r).UserID(), id); err != nil {
		if e := errs.As(err); e.Code == errs.Conflict || e.Code == errs.Forbidden && e.Key == "meeting.confirm.own" {
			if p, perr := s.meetingView(r, id); perr == nil {
				p.Error = p.L.T(e.Key, e.Args...)
				s.render(w, r, errs.Status(e.Code), "meeting", p)
				return
			}
		}
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, "/meetings/"+r.PathValue("id")+"?done=meeting_confirmed")
}

// initiativeRow is an initiative with the bodies in whose name the viewer
// may still endorse it.
type initiativeRow struct {
	motions.Initiative
	Can []store.Endorser
}

type initiativesData struct {
	Body     bodies.Body
	Received []initiativeRow
	Sent     []motions.Initiative
}

// initiativeList shows the initiatives sent to an assembly, with a form to
// endorse each in the name of the viewer's bodies, and those a body has
// sent up.
func (s *Server) initiativeList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.initiativesPage(r, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "initiatives", p)
}

func (s *Server) initiativesPage(r *http.Request, body int64) (*Page, error) {
	viewer := httpauth.From(r).UserID()
	var d initiativesData
	var role bodies.Role
	var err error
	if d.Body, role, err = s.db.Body(r.Context(), viewer, body); err != nil {
		return nil, err
	}
	if d.Body.Kind == bodies.Assembly {
		list, err := s.db.Initiatives(r.Context(), viewer, body)
		if err != nil {
			return nil, err
		}
		es, err := s.db.Endorsers(r.Context(), viewer, body)
		if err != nil {
			return nil, err
		}
		for _, in := range list {
			row := initiativeRow{Initiative: in}
			if in.Status == motions.InitiativeOpen {
				for _, e := range es {
					if !e.Supports(in.ID) {
						row.Can = append(row.Can, e)
					}
				}
			}
			d.Received = append(d.Received, row)
		}
	}
	// What a body sent up is for those who see its motions; an assembly's
	// page also serves the facilitators of its bodies, who are not its
	// members.
	if role != bodies.None || d.Body.Kind != bodies.Assembly {
		if d.Sent, err = s.db.SentInitiatives(r.Context(), viewer, body); err != nil {
			return nil, err
		}
	}
	p := s.page(r, "", d)
	p.Title = p.L.T("initiative.list.title", d.Body.Name)
	return p, nil
}

func (s *Server) endorseInitiative(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	body, _ := strconv.ParseInt(r.PostForm.Get("body"), 10, 64)
	assembly, _ := strconv.ParseInt(r.PostForm.Get("assembly"), 10, 64)
	err = s.db.EndorseInitiative(r.Context(), httpauth.From(r).UserID(), id, body)
	if err != nil {
		if e := errs.As(err); (e.Code == errs.Invalid || e.Code == errs.Conflict) && assembly > 0 {
			if p, perr := s.initiativesPage(r, assembly); perr == nil {
				p.Form = r.PostForm
				s.fail(w, r, err, "initiatives", p)
				return
			}
		}
		s.fail(w, r, err, "", nil)
		return
	}
	to := "/bodies/" + strconv.FormatInt(assembly, 10) + "/initiatives?done=initiative_endorsed"
	if assembly <= 0 {
		to = "/awaiting?done=initiative_endorsed"
	}
	redirect(w, r, to)
}

// InitiativeSend is what the "initiative_send" template needs: the form
// that sends a decided motion up to an assembly its body belongs to.
type InitiativeSend struct {
	L          *i18n.Localizer
	CSRF       string
	MotionID   int64
	Assemblies []store.Affiliation // those it may still be sent to
	Sent       []motions.Initiative
	Selected   string
	Error      string
}

// initiativeSend returns the form to send motion m up, for a page about it:
// nil unless the viewer facilitates its body and it was passed or decided
// there. Pages include it with {{with …}}{{template "initiative_send" .}}{{end}}.
func (s *Server) initiativeSend(r *http.Request, p *Page, m motions.Motion) (*InitiativeSend, error) {
	if (m.Status != motions.Passed && m.Status != motions.Decided) || m.ReferralID != 0 {
		return nil, nil
	}
	viewer := httpauth.From(r).UserID()
	_, role, err := s.db.Body(r.Context(), viewer, m.BodyID)
	if err != nil || role != bodies.Facilitator {
		return nil, err
	}
	affs, err := s.db.Assemblies(r.Context(), viewer, m.BodyID)
	if err != nil {
		return nil, err
	}
	sent, err := s.db.SentInitiatives(r.Context(), viewer, m.BodyID)
	if err != nil {
		return nil, err
	}
	f := &InitiativeSend{L: p.L, CSRF: p.ID.CSRF, MotionID: m.ID, Selected: p.Form.Get("assembly"), Error: p.Errors["assembly"]}
	to := map[int64]bool{}
	for _, in := range sent {
		if in.MotionID == m.ID {
			f.Sent = append(f.Sent, in)
			to[in.AssemblyID] = true
		}
	}
	for _, a := range affs {
		if a.Status == "accepted" && !to[a.Assembly.ID] {
			f.Assemblies = append(f.Assemblies, a)
		}
	}
	if len(f.Assemblies) == 0 && len(f.Sent) == 0 {
		return nil, nil
	}
	return f, nil
}

type initiativeFormData struct {
	Motion motions.Motion
	Send   *InitiativeSend
}

// initiativeForm is a page of its own with the form that sends a motion
// up (and what it was sent to).
func (s *Server) initiativeForm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.renderInitiativeForm(w, r, id, nil)
}

func (s *Server) renderInitiativeForm(w http.ResponseWriter, r *http.Request, id int64, formErr error) {
	viewer := httpauth.From(r).UserID()
	m, err := s.db.Motion(r.Context(), viewer, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	status := http.StatusOK
	if formErr != nil {
		e := errs.As(formErr)
		p.Form = r.PostForm
		p.Error = p.L.T(e.Key, e.Args...)
		p.Errors["assembly"] = p.Error
		status = errs.Status(e.Code)
	}
	d := initiativeFormData{Motion: m}
	if d.Send, err = s.initiativeSend(r, p, m); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if d.Send == nil && formErr == nil {
		s.fail(w, r, errs.New(errs.Conflict, "initiative.not_passed"), "", nil)
		return
	}
	p.Data = d
	p.Title = p.L.T("initiative.send.title", m.Title)
	s.render(w, r, status, "initiative_form", p)
}

func (s *Server) sendInitiative(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	assembly, _ := strconv.ParseInt(r.PostForm.Get("assembly"), 10, 64)
	in, err := s.db.SendInitiative(r.Context(), httpauth.From(r).UserID(), id, assembly)
	if err != nil {
		if e := errs.As(err); e.Code == errs.Invalid || e.Code == errs.Conflict {
			s.renderInitiativeForm(w, r, id, err)
			return
		}
		s.fail(w, r, err, "", nil)
		return
	}
	done := "?done=initiative_sent"
	if in.Status == motions.InitiativeAdmitted {
		done = "?done=initiative_admitted"
	}
	redirect(w, r, "/bodies/"+strconv.FormatInt(assembly, 10)+"/initiatives"+done)
}

// awaitingItem is one thing waiting for the viewer, in words.
type awaitingItem struct {
	motions.Awaiting
	Kind, Title string
}

// awaitingPage lists what waits for the viewer's act, newest first.
func (s *Server) awaitingPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.db.Awaiting(r.Context(), httpauth.From(r).UserID())
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "awaiting.title", nil)
	items := make([]awaitingItem, 0, len(list))
	for _, a := range list {
		it := awaitingItem{Awaiting: a, Kind: p.L.T("awaiting.kind." + a.Kind), Title: a.Title}
		switch a.Kind {
		case motions.AwaitElection:
			it.Title = p.L.T("election.title", a.Title)
		case motions.AwaitRecall:
			it.Title = p.L.T("recall.title", a.Title)
		case motions.AwaitConfirmation:
			it.Title = p.L.T("awaiting.meeting", a.Title)
		}
		items = append(items, it)
	}
	p.Data = items
	s.render(w, r, http.StatusOK, "awaiting", p)
}
