package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"asamblea/bodies"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/motions"
	"asamblea/places"
)

// referralView is a referral as a motion's page shows it: on the referring
// assembly's motion its live aggregation and its bases' results; on a
// base's copy, whose consultation it is.
type referralView struct {
	R      motions.Referral
	Origin bool     // the motion is the referring assembly's own
	Agg    *aggView // nil when the viewer may not see the whole count
	Bases  []baseRow
}

// aggView is a referral's live aggregation.
type aggView struct {
	Choices                    []aggChoice
	Committees, Members        int // consulted
	Decided, Pending, Awaiting int // committees decided, still deciding; members of these
	Columns                    []string
	Departments                []deptRow
	Map                        template.HTML
}

// aggChoice is the committees and members behind one choice, with their
// shares of all consulted.
type aggChoice struct {
	Label                   string
	Committees, Members     int
	CommitteesPC, MembersPC int
}

// deptRow is one department's committees (and members) per choice.
type deptRow struct {
	Name  string
	Cells []deptCell
	Total int
}

type deptCell struct{ Committees, Members int }

// baseRow is how one base below decided.
type baseRow struct {
	Name    string
	Result  string
	Pending bool
	At      time.Time
}

func percent(n, of int) int {
	if of <= 0 {
		return 0
	}
	return n * 100 / of
}

// department names a department code of an aggregation ("21").
func (s *Server) department(l *i18n.Localizer, code string) string {
	if pl, ok := s.places.Lookup(code + "0000"); ok && code != "" {
		return pl.Name
	}
	return l.T("referral.department.unknown")
}

// aggregation renders a referral's aggregation for motion m.
func (s *Server) aggregation(l *i18n.Localizer, m motions.Motion, a motions.Aggregation) *aggView {
	v := &aggView{Committees: int(a.Referral.Committees), Members: int(a.Referral.Members), Decided: int(a.Decided), Pending: int(a.Pending), Awaiting: int(a.PendingMembers)}
	for _, c := range a.Choices {
		label := resultName(l, m, c.Choice)
		v.Columns = append(v.Columns, label)
		ch := aggChoice{Label: label, Committees: int(c.Committees), Members: int(c.Members)}
		ch.CommitteesPC, ch.MembersPC = percent(ch.Committees, v.Committees), percent(ch.Members, v.Members)
		v.Choices = append(v.Choices, ch)
	}
	for _, dt := range a.Departments {
		row := deptRow{Name: s.department(l, dt.Department)}
		for i := range dt.Committees {
			row.Cells = append(row.Cells, deptCell{Committees: int(dt.Committees[i]), Members: int(dt.Members[i])})
			row.Total += int(dt.Committees[i])
		}
		v.Departments = append(v.Departments, row)
	}
	return v
}

// referralOf gathers the referral of motion m for its page.
func (s *Server) referralOf(r *http.Request, l *i18n.Localizer, m motions.Motion) (*referralView, error) {
	viewer := httpauth.From(r).UserID()
	ref, err := s.db.ReferralOf(r.Context(), viewer, m.ID)
	if err != nil {
		return nil, err
	}
	v := &referralView{R: ref, Origin: ref.MotionID == m.ID}
	if m.BodyKind != bodies.Assembly {
		return v, nil
	}
	if v.Origin {
		a, err := s.db.Aggregation(r.Context(), viewer, ref.ID)
		if err != nil {
			return nil, err
		}
		v.Agg = s.aggregation(l, m, a)
	}
	if v.Bases, err = s.baseRows(r, l, m); err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Server) baseRows(r *http.Request, l *i18n.Localizer, m motions.Motion) ([]baseRow, error) {
	ins, err := s.db.BaseResults(r.Context(), httpauth.From(r).UserID(), m.ID)
	if err != nil {
		return nil, err
	}
	var out []baseRow
	for _, in := range ins {
		row := baseRow{Name: in.BodyName, Pending: !motions.Closed(in.Status), At: in.CreatedAt}
		switch {
		case row.Pending:
		case in.Choice != "":
			row.Result = resultName(l, m, in.Choice)
		default: // no quorum, a tie
			row.Result = l.T("motion.status." + in.Status)
		}
		out = append(out, row)
	}
	return out, nil
}

type referralData struct {
	M      motions.Motion
	R      motions.Referral
	Agg    *aggView
	Bases  []baseRow
	Hidden int // bases left out
}

// Bases shown on the referral's page, beside its map, unless ?all=1.
const referralBasesShown = 50

// referral is a referral's page: the whole live count, by choice and by
// department, with a map, and the direct bases' results.
func (s *Server) referral(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	a, err := s.db.Aggregation(r.Context(), viewer, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	m, err := s.db.Motion(r.Context(), viewer, a.Referral.MotionID)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	d := referralData{M: m, R: a.Referral, Agg: s.aggregation(p.L, m, a)}
	if d.Bases, err = s.baseRows(r, p.L, m); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	d.Bases, d.Hidden = firstN(d.Bases, referralBasesShown, r.URL.Query().Get("all") == "1")
	counts := map[string]int{}
	detail := map[string]string{}
	for _, dt := range a.Departments {
		if dt.Department == "" {
			continue
		}
		code := dt.Department + "0000"
		var parts []string
		for i, n := range dt.Committees {
			counts[code] += int(n)
			if n > 0 {
				parts = append(parts, d.Agg.Columns[i]+" "+strconv.FormatInt(n, 10))
			}
		}
		detail[code] = strings.Join(parts, ", ")
	}
	d.Agg.Map = trustedSVG(s.places.DepartmentMap(places.MapOptions{
		Title:  p.L.T("referral.map", m.Title),
		Counts: counts,
		Label: func(code string, n int) string {
			pl, _ := s.places.Lookup(code)
			if n == 0 {
				return p.L.N("referral.map.department", n, pl.Name)
			}
			return p.L.N("referral.map.department", n, pl.Name) + ": " + detail[code]
		},
	}))
	p.Data = d
	p.Title = p.L.T("referral.title", m.Title)
	s.render(w, r, http.StatusOK, "referral", p)
}

// delegateRecord is one delegate's record as their base sees it.
type delegateRecord struct {
	motions.Compliance
	Rate       string
	Record     []recordRow
	Deviations []recordRow
	Current    bool
	RecallOpen bool
}

// recordRow is one vote of a delegate.
type recordRow struct {
	motions.DelegateVote
	Choice, Instruction, Status string
}

type recordData struct {
	Body      bodies.Body
	CanRecall bool
	Delegates []delegateRecord
	// Instructions are the base's per-motion instructions to its delegates,
	// newest first: what each of its decisions on a referral told them.
	Instructions []instructionRow
}

type instructionRow struct {
	motions.Instruction
	Choice string // the instructed choice, in words
}

// record is a base's page of its delegates' voting records: each one's
// compliance rate, votes and deviations from the base's instructions, with
// a recall at hand.
func (s *Server) record(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	ctx := r.Context()
	viewer := httpauth.From(r).UserID()
	var d recordData
	var role bodies.Role
	if d.Body, role, err = s.db.Body(ctx, viewer, id); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	// A committee's members may open a recall; in an assembly its seated
	// delegates may, which the store checks.
	d.CanRecall = role != bodies.None || d.Body.Kind == bodies.Assembly
	cs, err := s.db.Compliance(ctx, viewer, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	votes, err := s.db.VotingRecord(ctx, viewer, id, false)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	devs, err := s.db.VotingRecord(ctx, viewer, id, true)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	ins, err := s.db.Instructions(ctx, viewer, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	l := p.L
	for _, in := range ins {
		d.Instructions = append(d.Instructions, instructionRow{Instruction: in, Choice: labelled(l, in.Label, in.Choice)})
	}
	row := func(v motions.DelegateVote) recordRow {
		rr := recordRow{DelegateVote: v, Choice: labelled(l, v.Label, v.Choice), Status: l.T("motion.status." + v.MotionStatus)}
		if v.Instruction != "" {
			rr.Instruction = labelled(l, v.InstrLabel, v.Instruction)
		}
		return rr
	}
	for _, c := range cs {
		dr := delegateRecord{Compliance: c, Current: c.Status == "seated", Rate: l.T("compliance.rate.none")}
		if c.Rate >= 0 {
			dr.Rate = l.T("compliance.rate", c.Rate, c.Followed, c.Instructed)
		}
		for _, v := range votes {
			if v.DelegateID == c.DelegateID {
				dr.Record = append(dr.Record, row(v))
				dr.RecallOpen = dr.RecallOpen || v.RecallOpen
			}
		}
		for _, v := range devs {
			if v.DelegateID == c.DelegateID {
				dr.Deviations = append(dr.Deviations, row(v))
				dr.RecallOpen = dr.RecallOpen || v.RecallOpen
			}
		}
		d.Delegates = append(d.Delegates, dr)
	}
	p.Data = d
	p.Title = p.L.T("compliance.title", d.Body.Name)
	s.render(w, r, http.StatusOK, "compliance", p)
}
