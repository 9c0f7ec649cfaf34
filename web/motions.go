package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
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

// motionRoutes lists the pages of motions, votes, referrals, decisions and
// communiqués.
func (s *Server) motionRoutes() []httpauth.Route {
	pub, in := httpauth.Public, httpauth.SignedIn
	return []httpauth.Route{
		{Method: "GET", Pattern: "/bodies/{id}/motions", Access: in, Handler: s.motionList},
		{Method: "POST", Pattern: "/bodies/{id}/motions", Access: in, Handler: s.createMotion},
		{Method: "GET", Pattern: "/motions/{id}", Access: in, Handler: s.motion},
		{Method: "GET", Pattern: "/motions/{id}/edit", Access: in, Handler: s.editMotion},
		{Method: "POST", Pattern: "/motions/{id}/edit", Access: in, Handler: s.updateMotion},
		{Method: "POST", Pattern: "/motions/{id}/move", Access: in, Handler: s.moveMotion},
		{Method: "POST", Pattern: "/motions/{id}/close", Access: in, Handler: s.closeVote},
		{Method: "POST", Pattern: "/motions/{id}/vote", Access: in, Handler: s.voteMotion},
		{Method: "POST", Pattern: "/motions/{id}/comments", Access: in, Handler: s.addComment},
		{Method: "POST", Pattern: "/motions/{id}/amendments", Access: in, Handler: s.proposeAmendment},
		{Method: "POST", Pattern: "/motions/{id}/amendments/{am}/decide", Access: in, Handler: s.decideAmendment},
		{Method: "POST", Pattern: "/motions/{id}/amendments/{am}/vote", Access: in, Handler: s.voteAmendment},
		{Method: "POST", Pattern: "/motions/{id}/publish", Access: in, Handler: s.publish},
		{Method: "POST", Pattern: "/motions/{id}/refer", Access: in, Handler: s.refer},
		{Method: "GET", Pattern: "/referrals/{id}", Access: in, Handler: s.referral},
		{Method: "GET", Pattern: "/bodies/{id}/record", Access: in, Handler: s.record},
		{Method: "GET", Pattern: "/communiques", Access: pub, Handler: s.communiques},
		{Method: "GET", Pattern: "/communiques/{id}", Access: pub, Handler: s.communique},
		{Method: "GET", Pattern: "/communiques.atom", Access: pub, Handler: s.communiquesFeed},
		{Method: "GET", Pattern: "/bodies/{id}/communiques.atom", Access: pub, Handler: s.communiquesFeed},
	}
}

// Page sizes of the motions list.
const (
	openShown    = 50
	decidedShown = 30
	excerptRunes = 240
)

// ruleChoice is one rule of the new-motion form.
type ruleChoice struct{ Kind, Name, Help string }

// ruleChoices lists the voting rules with their explanations.
func ruleChoices(l *i18n.Localizer) []ruleChoice {
	var out []ruleChoice
	for _, k := range append(slices.Clone(voting.YesNoKinds), voting.OptionKinds...) {
		out = append(out, ruleChoice{Kind: k, Name: l.T("motion.rule." + k), Help: l.T("motion.rule." + k + ".help")})
	}
	return out
}

// motionItem is a motion in a list: the permanent record in a few words.
type motionItem struct {
	M        motions.Motion
	Status   string
	Excerpt  string
	RuleName string
	Quorum   string
	Decision *decisionView
}

type motionsData struct {
	Body    bodies.Body
	Open    []motionItem
	Decided []motionItem
	Older   int64 // the id to page decisions from, 0 when there are no more
	Rules   []ruleChoice
	// The form: a new motion in Body, or editing Editing.
	Action  string
	Editing *motions.Motion
}

// motionList is a body's motions: those open, then its decisions.
func (s *Server) motionList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.motionsPage(r, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p.Form = url.Values{"rule": {voting.Majority}, "winners": {"1"}, "blocks": {"1"}}
	s.render(w, r, http.StatusOK, "motions", p)
}

func (s *Server) motionsPage(r *http.Request, body int64) (*Page, error) {
	viewer := httpauth.From(r).UserID()
	var d motionsData
	var err error
	if d.Body, _, err = s.db.Body(r.Context(), viewer, body); err != nil {
		return nil, err
	}
	before, err := queryID(r, "before")
	if err != nil {
		return nil, err
	}
	var open, decided []motions.Motion
	if before == 0 {
		if open, err = s.db.Motions(r.Context(), viewer, body, store.MotionFilter{Open: true, Limit: openShown}); err != nil {
			return nil, err
		}
	}
	if decided, err = s.db.Motions(r.Context(), viewer, body, store.MotionFilter{Closed: true, Limit: decidedShown + 1, Before: before}); err != nil {
		return nil, err
	}
	if len(decided) > decidedShown {
		decided = decided[:decidedShown]
		d.Older = decided[len(decided)-1].ID
	}
	p := s.page(r, "", nil)
	for _, m := range open {
		d.Open = append(d.Open, newMotionItem(p.L, m, false))
	}
	for _, m := range decided {
		d.Decided = append(d.Decided, newMotionItem(p.L, m, true))
	}
	d.Rules = ruleChoices(p.L)
	d.Action = "/bodies/" + strconv.FormatInt(body, 10) + "/motions"
	p.Data = d
	p.Title = p.L.T("motions.title", d.Body.Name)
	return p, nil
}

func newMotionItem(l *i18n.Localizer, m motions.Motion, record bool) motionItem {
	it := motionItem{M: m, Status: statusLabel(l, m), Excerpt: motions.Excerpt(m.Text, excerptRunes), RuleName: l.T("motion.rule." + m.Rule.Kind)}
	if record {
		it.Quorum = quorumText(l, m.Rule)
		it.Decision = decision(l, m)
	}
	return it
}

// motionInput reads the motion form.
func motionInput(f url.Values) motions.Input {
	in := motions.Input{Title: f.Get("title"), Text: f.Get("text"), Rule: f.Get("rule"), Draft: f.Get("draft") == "on"}
	for line := range strings.SplitSeq(f.Get("options"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Options = append(in.Options, line)
		}
	}
	r := voting.Rule{Kind: in.Rule}
	if r.IsOptions() {
		in.Winners = atoi(f.Get("winners"))
	}
	if in.Rule == voting.Consent {
		in.Blocks = int64(atoi(f.Get("blocks")))
	}
	return in
}

func (s *Server) createMotion(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	in := motionInput(r.PostForm)
	m, err := s.db.CreateMotion(r.Context(), httpauth.From(r).UserID(), id, in)
	if err != nil {
		p, perr := s.motionsPage(r, id)
		if perr != nil {
			s.fail(w, r, perr, "", nil)
			return
		}
		p.Form = r.PostForm
		s.fail(w, r, err, "motions", p)
		return
	}
	if in.Draft {
		redirect(w, r, "/motions/"+strconv.FormatInt(m.ID, 10)+"?done=motion_drafted")
		return
	}
	redirect(w, r, "/motions/"+strconv.FormatInt(m.ID, 10)+"?done=motion_created")
}

// editMotion shows a motion's form to its proposer.
func (s *Server) editMotion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, m, err := s.editPage(r, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p.Form = url.Values{"title": {m.Title}, "text": {m.Text}, "options": {strings.Join(m.Options, "\n")}, "rule": {m.Rule.Kind},
		"winners": {strconv.Itoa(max(m.Rule.Winners, 1))}, "blocks": {strconv.FormatInt(max(m.Rule.Blocks, 1), 10)}}
	s.render(w, r, http.StatusOK, "motions", p)
}

func (s *Server) editPage(r *http.Request, id int64) (*Page, motions.Motion, error) {
	viewer := httpauth.From(r).UserID()
	m, err := s.db.Motion(r.Context(), viewer, id)
	if err != nil {
		return nil, m, err
	}
	if m.ProposerID != viewer {
		return nil, m, errs.New(errs.Forbidden, "motion.edit.proposer_only")
	}
	p := s.page(r, "", nil)
	d := motionsData{Rules: ruleChoices(p.L), Action: "/motions/" + strconv.FormatInt(id, 10) + "/edit", Editing: &m}
	d.Body = bodies.Body{ID: m.BodyID, Name: m.BodyName, Kind: m.BodyKind}
	p.Data = d
	p.Title = p.L.T("motion.edit.title", m.Title)
	return p, m, nil
}

func (s *Server) updateMotion(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	in := motionInput(r.PostForm)
	in.Draft = false
	if _, err := s.db.EditMotion(r.Context(), httpauth.From(r).UserID(), id, in); err != nil {
		p, _, perr := s.editPage(r, id)
		if perr != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		p.Form = r.PostForm
		s.fail(w, r, err, "motions", p)
		return
	}
	redirect(w, r, "/motions/"+r.PathValue("id")+"?done=saved")
}

// choiceOption is one answer of a ballot.
type choiceOption struct {
	Value, Label string
	Checked      bool
}

// optionChoice is one option of a ballot among options.
type optionChoice struct {
	Index   int
	Name    string
	Checked bool
	Rank    int // irv, schulze: the preference it is given (0: none)
}

// ballotView is a ballot form: a member's, or a delegate's for one seat.
type ballotView struct {
	L           *i18n.Localizer
	CSRF        string
	MotionID    int64
	Kind        string // yesno, plurality, approval, ranked
	Seat        int64  // a delegate's seat (0 for a member)
	Base        string // the base the seat represents
	Instruction string // what the base instructed, in words
	Voted       bool
	VotedAs     string // a delegate's vote already cast for the seat
	Choices     []choiceOption
	Options     []optionChoice
	Ranks       []int
}

// newBallot builds the ballot of motion m, filled in with b.
func newBallot(l *i18n.Localizer, m motions.Motion, b motions.Ballot) ballotView {
	v := ballotView{Kind: "yesno"}
	if !m.IsOptions() {
		for _, c := range motions.Choices(m.Rule) {
			v.Choices = append(v.Choices, choiceOption{Value: c, Label: choiceName(l, m.Rule, c), Checked: c == b.Choice})
		}
		return v
	}
	switch m.Rule.Kind {
	case voting.Plurality:
		v.Kind = "plurality"
	case voting.Approval:
		v.Kind = "approval"
	default:
		v.Kind = "ranked"
		for i := range m.Options {
			v.Ranks = append(v.Ranks, i+1)
		}
	}
	for i, o := range m.Options {
		oc := optionChoice{Index: i, Name: o}
		if at := slices.Index(b.Ranking, i); at >= 0 {
			oc.Checked, oc.Rank = true, at+1
		}
		v.Options = append(v.Options, oc)
	}
	return v
}

// choiceName names a yes/no choice under rule r (consent has its own words).
func choiceName(l *i18n.Localizer, r voting.Rule, c string) string {
	if r.Kind == voting.Consent {
		switch c {
		case voting.Yes:
			return l.T("motion.choice.consent")
		case voting.Abstain:
			return l.T("motion.choice.stand_aside")
		}
	}
	switch c {
	case voting.Yes:
		return l.T("motion.choice.yes")
	case voting.No:
		return l.T("motion.choice.no")
	case voting.Abstain:
		return l.T("motion.choice.abstain")
	case voting.Block:
		return l.T("motion.choice.block")
	}
	return c
}

// storedChoice names a stored choice of m: a yes/no answer, or the options
// of a ranking in order; a blank ballot.
func storedChoice(l *i18n.Localizer, m motions.Motion, choice string) string {
	if !m.IsOptions() {
		return choiceName(l, m.Rule, choice)
	}
	rk, err := motions.DecodeRanking(choice)
	if err != nil || len(rk) == 0 {
		return l.T("motion.choice.blank")
	}
	names := make([]string, 0, len(rk))
	for _, i := range rk {
		if i < len(m.Options) {
			names = append(names, m.Options[i])
		}
	}
	sep := " › "
	if m.Rule.Kind == voting.Approval {
		sep = ", "
	}
	return strings.Join(names, sep)
}

// resultName names what a base decided (an instruction): yes, no, an
// option; nothing decided.
func resultName(l *i18n.Localizer, m motions.Motion, result string) string {
	if result == "" {
		return l.T("motion.result.none")
	}
	if m.IsOptions() {
		return m.ResultLabel(result)
	}
	if m.Rule.Kind == voting.Consent && result == voting.No {
		result = voting.Block // a base that stopped it instructs to block
	}
	return choiceName(l, m.Rule, result)
}

// labelled localizes a label the store made without the rule (yes, no,
// abstain, block for a yes/no motion; option names otherwise).
func labelled(l *i18n.Localizer, label, stored string) string {
	if label == stored {
		return choiceName(l, voting.Rule{}, label)
	}
	return label
}

// ballotFrom reads a ballot from the form, as motion m asks for it.
func ballotFrom(f url.Values, m motions.Motion) (motions.Ballot, error) {
	var b motions.Ballot
	if !m.IsOptions() {
		b.Choice = f.Get("choice")
		return b, nil
	}
	index := func(v string) (int, error) {
		i, err := strconv.Atoi(v)
		if err != nil || i < 0 || i >= len(m.Options) {
			return 0, errs.Field("ranking", "motion.ballot.unknown_option")
		}
		return i, nil
	}
	switch m.Rule.Kind {
	case voting.Plurality, voting.Approval:
		for _, v := range f["option"] {
			if v == "" {
				continue // the blank choice
			}
			i, err := index(v)
			if err != nil {
				return b, err
			}
			b.Ranking = append(b.Ranking, i)
		}
		return b, nil
	}
	type pref struct{ rank, option int }
	var prefs []pref
	for i := range m.Options {
		v := f.Get("rank-" + strconv.Itoa(i))
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > len(m.Options) {
			return b, errs.Field("ranking", "motion.ballot.rank_range", len(m.Options))
		}
		if slices.ContainsFunc(prefs, func(p pref) bool { return p.rank == n }) {
			return b, errs.Field("ranking", "motion.ballot.same_rank", n)
		}
		prefs = append(prefs, pref{n, i})
	}
	slices.SortFunc(prefs, func(a, b pref) int { return a.rank - b.rank })
	for _, p := range prefs {
		b.Ranking = append(b.Ranking, p.option)
	}
	return b, nil
}

// statusLabel says where a motion stands.
func statusLabel(l *i18n.Localizer, m motions.Motion) string {
	return l.T("motion.status." + m.Status)
}

// ruleText explains a motion's rule in words.
func ruleText(l *i18n.Localizer, m motions.Motion) string {
	r := m.Rule
	s := l.T("motion.rule."+r.Kind) + ": " + l.T("motion.rule."+r.Kind+".help")
	switch {
	case r.Kind == voting.Consent:
		s += " " + l.N("motion.rule.blocks", int(r.Blocks))
	case r.IsOptions() && r.Winners > 1:
		s += " " + l.N("motion.rule.winners", r.Winners)
	}
	return s
}

// quorumText explains a rule's quorum in words.
func quorumText(l *i18n.Localizer, r voting.Rule) string {
	q := r.Quorum
	switch {
	case q.IsZero() || q.Den == 0:
		return l.T("motion.quorum.none")
	case q.Num == q.Den:
		return l.T("motion.quorum.all")
	case r.QuorumStrict:
		return l.T("motion.quorum.more", q.Num, q.Den)
	}
	return l.T("motion.quorum.least", q.Num, q.Den)
}

// countItem is one line of a tally.
type countItem struct {
	Label  string
	N, Max int64
	Winner bool
}

// decisionView is the record of a decided motion, in words.
type decisionView struct {
	Result        string
	Reason        string
	When          string // online on a date, or in a meeting on a date
	Counts        []countItem
	CountsOf      string // what the counts count, among options
	Participation string
	Quorum        string
	Winners       []string
	Tied          []string
	Rounds        []roundView
	Pairwise      *pairwiseView
}

// pairwiseView is a Schulze count's table of pairwise preferences.
type pairwiseView struct {
	Names []string
	Rows  [][]int64
}

// decision renders the record of a closed motion; nil while open.
func decision(l *i18n.Localizer, m motions.Motion) *decisionView {
	if !motions.Closed(m.Status) {
		return nil
	}
	v := &decisionView{Result: l.T("motion.status." + m.Status)}
	switch {
	case m.Mode == motions.InMeeting:
		day := m.DecidedOn
		if t, err := time.Parse(time.DateOnly, m.DecidedOn); err == nil {
			day = l.Date(t.Add(12 * time.Hour)) // at noon: no zone moves it to another day
		}
		v.When = l.T("motion.when.meeting", day)
	case m.Status == motions.Withdrawn:
		v.When = l.T("motion.when.withdrawn", l.Date(m.ClosedAt))
	default:
		v.When = l.T("motion.when.online", l.Date(m.ClosedAt))
	}
	d := m.Decision
	if d == nil {
		return v
	}
	if o := d.Outcome; o != nil {
		c := d.Count
		v.Reason = l.T(o.Reason)
		total := c.Participation()
		for _, ch := range motions.Choices(m.Rule) {
			n := map[string]int64{voting.Yes: c.Yes, voting.No: c.No, voting.Abstain: c.Abstain, voting.Block: c.Block}[ch]
			v.Counts = append(v.Counts, countItem{Label: choiceName(l, m.Rule, ch), N: n, Max: total})
		}
		v.Participation = l.T("motion.participation", o.Participation, c.Entitled)
		if o.Quorum > 0 {
			v.Quorum = l.N("motion.quorum.needed", int(o.Quorum))
		}
		if m.Status == motions.Passed && !m.IsOptions() {
			v.Counts[0].Winner = true
		}
		return v
	}
	if o := d.Options; o != nil {
		v.Reason = l.T(o.Reason)
		v.Winners, v.Tied = o.Winners, o.Tied
		var most int64
		for _, n := range d.Tallies {
			most = max(most, n)
		}
		for i, name := range m.Options {
			var n int64
			if i < len(d.Tallies) {
				n = d.Tallies[i]
			}
			v.Counts = append(v.Counts, countItem{Label: name, N: n, Max: max(most, o.Participation), Winner: slices.Contains(o.Winners, name)})
		}
		if o.Blank > 0 {
			v.Counts = append(v.Counts, countItem{Label: l.T("motion.choice.blank"), N: o.Blank, Max: max(most, o.Participation)})
		}
		switch m.Rule.Kind {
		case voting.Approval:
			v.CountsOf = l.T("motion.counts.approvals")
		case voting.IRV, voting.Schulze:
			v.CountsOf = l.T("motion.counts.first")
		}
		v.Participation = l.T("motion.participation.options", o.Participation)
		if o.Quorum > 0 {
			v.Quorum = l.N("motion.quorum.needed", int(o.Quorum))
		}
		if rep := o.Report; rep != nil && (m.Rule.Kind == voting.IRV || m.Rule.Kind == voting.Schulze) {
			for _, rd := range rep.Rounds {
				if rd.Action == "pairwise" && len(rd.Matrix) > 0 {
					v.Pairwise = &pairwiseView{Names: rep.Candidates, Rows: rd.Matrix}
				}
			}
			for _, rv := range roundViews(l, rep) {
				if len(rv.Rows) > 0 {
					v.Rounds = append(v.Rounds, rv)
				}
			}
		}
	}
	return v
}

// Row pairs an option's name with its row of the pairwise table.
func (p *pairwiseView) Row(i int) []int64 { return p.Rows[i] }

// commentView is a comment with its formatted text.
type commentView struct {
	motions.Comment
	HTML template.HTML
}

// amendmentView is an amendment with what the viewer may do with it.
type amendmentView struct {
	motions.Amendment
	HTML                                   template.HTML
	Status                                 string
	Tally                                  string
	Accept, PutToVote, CloseVote, Withdraw bool
	Vote                                   bool
}

// voteRow is a delegate's public vote as the motion page shows it.
type voteRow struct {
	motions.DelegateVote
	Choice, Instruction string
}

// permissions says which actions the viewer has on a motion.
type permissions struct {
	Edit, Discuss, OpenVote, Close, Withdraw, Publish, Refer, Comment, Amend bool
}

type motionData struct {
	M        motions.Motion
	Body     bodies.Body
	Text     template.HTML
	Status   string
	Rule     string
	Quorum   string
	Decision *decisionView
	Can      permissions
	Secret   bool         // a committee's secret ballot
	Ballot   *ballotView  // a member's ballot, while the vote is open
	Seats    []ballotView // a delegate's ballots, one per seat
	Comments []commentView
	// CommentsTotal counts them all, those left out too.
	CommentsTotal int
	Amendments    []amendmentView
	Votes         []voteRow // an assembly's public votes, once closed
	Referral      *referralView
	Send          *InitiativeSend // the form that sends it up as an initiative (web/meetings.go)
	Hours         int
	// Long lists are cut to keep the page light on slow links, unless the
	// reader asks for all (?all=1): how many were left out.
	Hidden Hidden
}

// Hidden counts what a page left out of its long lists.
type Hidden struct{ Comments, Votes, Bases int }

// Any reports whether anything was left out.
func (h Hidden) Any() bool { return h.Comments+h.Votes+h.Bases > 0 }

// Shown on a page unless the reader asks for all.
const (
	commentsShown = 30
	votesShown    = 200
	basesShown    = 100
)

// lastN keeps the last n of xs unless all; it returns how many it left out.
func lastN[T any](xs []T, n int, all bool) ([]T, int) {
	if all || len(xs) <= n {
		return xs, 0
	}
	return xs[len(xs)-n:], len(xs) - n
}

// firstN keeps the first n of xs unless all; it returns how many it left out.
func firstN[T any](xs []T, n int, all bool) ([]T, int) {
	if all || len(xs) <= n {
		return xs, 0
	}
	return xs[:n], len(xs) - n
}

// motion is a motion's page.
func (s *Server) motion(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.renderMotion(w, r, id, nil)
}

func (s *Server) renderMotion(w http.ResponseWriter, r *http.Request, id int64, formErr error) {
	ctx := r.Context()
	viewer := httpauth.From(r).UserID()
	m, err := s.db.Motion(ctx, viewer, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	l := p.L
	d := motionData{M: m, Text: motions.Format(m.Text), Status: statusLabel(l, m), Rule: ruleText(l, m), Quorum: quorumText(l, m.Rule),
		Decision: decision(l, m), Hours: int(motions.DefaultVoting.Hours())}
	var role bodies.Role
	if d.Body, role, err = s.db.Body(ctx, viewer, m.BodyID); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	assembly := m.BodyKind == bodies.Assembly
	proposer, facilitator := m.ProposerID == viewer, role == bodies.Facilitator
	editable := m.Status == motions.Draft || m.Status == motions.Discussion
	d.Can = permissions{
		Edit:     proposer && editable && m.ReferralID == 0 && m.InitiativeID == 0,
		Discuss:  proposer && m.Status == motions.Draft,
		OpenVote: facilitator && editable,
		Close:    facilitator && m.Status == motions.Voting,
		Withdraw: (proposer || facilitator) && motions.Open(m.Status) && (m.ReferralID == 0 || assembly),
		Publish:  (facilitator || role == bodies.Secretary) && motions.Closed(m.Status) && m.Status != motions.Withdrawn && m.PublishedAt.IsZero(),
		Refer:    facilitator && assembly && m.ReferralID == 0 && editable,
		Comment:  motions.Open(m.Status),
		Amend:    editable,
	}
	voter := role != bodies.None
	if assembly {
		seats, err := s.db.Seats(ctx, viewer, id)
		if err != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		voter = len(seats) > 0
		if m.Status == motions.Voting {
			for _, st := range seats {
				b := newBallot(l, m, motions.Prefill(m, st.Instruction))
				b.Seat, b.Base, b.Voted = st.DelegateID, st.BodyName, st.Voted
				if st.Instruction != "" {
					b.Instruction = resultName(l, m, st.Instruction)
				}
				if st.Voted {
					b.VotedAs = storedChoice(l, m, st.Choice)
				}
				d.Seats = append(d.Seats, b)
			}
		}
	} else {
		d.Secret = true
		if m.Status == motions.Voting && voter && !m.Voted {
			b := newBallot(l, m, motions.Ballot{})
			d.Ballot = &b
		}
	}
	all := r.URL.Query().Get("all") == "1"
	comments, err := s.db.Comments(ctx, viewer, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	d.CommentsTotal = len(comments)
	comments, d.Hidden.Comments = lastN(comments, commentsShown, all)
	for _, c := range comments {
		d.Comments = append(d.Comments, commentView{Comment: c, HTML: motions.Format(c.Text)})
	}
	ams, err := s.db.Amendments(ctx, viewer, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	for _, a := range ams {
		pending := a.Status == motions.AmendOpen || a.Status == motions.AmendVoting
		v := amendmentView{Amendment: a, HTML: motions.Format(a.Text), Status: l.T("amendment.status." + a.Status),
			Accept:    proposer && editable && pending,
			PutToVote: facilitator && editable && a.Status == motions.AmendOpen,
			CloseVote: facilitator && editable && a.Status == motions.AmendVoting,
			Withdraw:  a.ProposerID == viewer && pending && editable,
			Vote:      voter && editable && a.Status == motions.AmendVoting && !a.Voted,
		}
		switch a.Status {
		case motions.AmendVoting:
			v.Tally = l.N("amendment.cast", int(a.Count.Yes))
		case motions.AmendAdopted, motions.AmendRejected:
			v.Tally = l.T("amendment.tally", a.Count.Yes, a.Count.No, a.Count.Abstain)
		}
		d.Amendments = append(d.Amendments, v)
	}
	if assembly && motions.Closed(m.Status) {
		votes, err := s.db.MotionVotes(ctx, viewer, id)
		if err != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		votes, d.Hidden.Votes = firstN(votes, votesShown, all)
		for _, v := range votes {
			row := voteRow{DelegateVote: v, Choice: storedChoice(l, m, v.Choice)}
			if v.Instruction != "" {
				row.Instruction = resultName(l, m, v.Instruction)
			}
			d.Votes = append(d.Votes, row)
		}
	}
	if m.ReferralID != 0 {
		if d.Referral, err = s.referralOf(r, l, m); err != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		d.Referral.Bases, d.Hidden.Bases = firstN(d.Referral.Bases, basesShown, all)
	}
	for _, b := range append([]*ballotView{d.Ballot}, pointers(d.Seats)...) {
		if b != nil {
			b.L, b.CSRF, b.MotionID = l, p.ID.CSRF, m.ID
		}
	}
	p.Title = m.Title
	if formErr != nil {
		p.Form = r.PostForm
	}
	if p.Form.Get("hours") == "" {
		p.Form.Set("hours", strconv.Itoa(d.Hours))
	}
	if d.Send, err = s.initiativeSend(r, p, m); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p.Data = d
	if formErr != nil {
		s.fail(w, r, formErr, "motion", p)
		return
	}
	s.render(w, r, http.StatusOK, "motion", p)
}

func pointers[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}

// motionAction runs fn for a form posted about motion {id} and goes back to
// the motion with the flash done. A refusal the person can act on (an
// invalid form, a conflict) shows the motion again with the message and what
// they wrote.
func (s *Server) motionAction(w http.ResponseWriter, r *http.Request, fn func(actor, motion int64) (done string, err error)) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	done, err := fn(httpauth.From(r).UserID(), id)
	if err != nil {
		if e := errs.As(err); e.Code == errs.Invalid || e.Code == errs.Conflict {
			s.renderMotion(w, r, id, err)
			return
		}
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, "/motions/"+strconv.FormatInt(id, 10)+"?done="+done)
}

func (s *Server) moveMotion(w http.ResponseWriter, r *http.Request) {
	s.motionAction(w, r, func(actor, id int64) (string, error) {
		to := r.PostForm.Get("to")
		done, ok := map[string]string{motions.Discussion: "motion_discussion", motions.Voting: "motion_vote_opened", motions.Withdrawn: "motion_withdrawn"}[to]
		if !ok {
			return "", errs.Field("to", "motion.move.unknown")
		}
		hours := 0
		if to == motions.Voting {
			hours = atoi(r.PostForm.Get("hours"))
		}
		_, err := s.db.MoveMotion(r.Context(), actor, id, to, hours)
		return done, err
	})
}

func (s *Server) closeVote(w http.ResponseWriter, r *http.Request) {
	s.motionAction(w, r, func(actor, id int64) (string, error) {
		_, err := s.db.CloseVote(r.Context(), actor, id)
		return "motion_vote_closed", err
	})
}

func (s *Server) voteMotion(w http.ResponseWriter, r *http.Request) {
	s.motionAction(w, r, func(actor, id int64) (string, error) {
		m, err := s.db.Motion(r.Context(), actor, id)
		if err != nil {
			return "", err
		}
		b, err := ballotFrom(r.PostForm, m)
		if err != nil {
			return "", err
		}
		seat, _ := strconv.ParseInt(r.PostForm.Get("seat"), 10, 64)
		return "voted", s.db.Vote(r.Context(), actor, id, seat, b)
	})
}

func (s *Server) addComment(w http.ResponseWriter, r *http.Request) {
	s.motionAction(w, r, func(actor, id int64) (string, error) {
		_, err := s.db.AddComment(r.Context(), actor, id, r.PostForm.Get("comment"))
		return "motion_commented", err
	})
}

func (s *Server) proposeAmendment(w http.ResponseWriter, r *http.Request) {
	s.motionAction(w, r, func(actor, id int64) (string, error) {
		_, err := s.db.ProposeAmendment(r.Context(), actor, id, r.PostForm.Get("amendment"), r.PostForm.Get("reason"))
		return "amendment_proposed", err
	})
}

func (s *Server) decideAmendment(w http.ResponseWriter, r *http.Request) {
	s.motionAction(w, r, func(actor, id int64) (string, error) {
		am, err := pathID(r, "am")
		if err != nil {
			return "", err
		}
		act := r.PostForm.Get("act")
		done, ok := map[string]string{"accept": "amendment_accepted", "vote": "amendment_voting", "close": "amendment_closed", "withdraw": "amendment_withdrawn"}[act]
		if !ok {
			return "", errs.Field("act", "amendment.action.unknown", act)
		}
		if err := s.checkAmendment(r, actor, id, am); err != nil {
			return "", err
		}
		return done, s.db.DecideAmendment(r.Context(), actor, am, act)
	})
}

func (s *Server) voteAmendment(w http.ResponseWriter, r *http.Request) {
	s.motionAction(w, r, func(actor, id int64) (string, error) {
		am, err := pathID(r, "am")
		if err != nil {
			return "", err
		}
		if err := s.checkAmendment(r, actor, id, am); err != nil {
			return "", err
		}
		return "voted", s.db.VoteAmendment(r.Context(), actor, am, r.PostForm.Get("choice"))
	})
}

// checkAmendment makes sure amendment am belongs to motion id, so that the
// page the person goes back to is the right one.
func (s *Server) checkAmendment(r *http.Request, actor, id, am int64) error {
	ams, err := s.db.Amendments(r.Context(), actor, id)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(ams, func(a motions.Amendment) bool { return a.ID == am }) {
		return errs.New(errs.NotFound, "amendment.not_found")
	}
	return nil
}

func (s *Server) publish(w http.ResponseWriter, r *http.Request) {
	s.motionAction(w, r, func(actor, id int64) (string, error) {
		return "motion_published", s.db.Publish(r.Context(), actor, id)
	})
}

func (s *Server) refer(w http.ResponseWriter, r *http.Request) {
	s.motionAction(w, r, func(actor, id int64) (string, error) {
		_, err := s.db.Refer(r.Context(), actor, id, atoi(r.PostForm.Get("hours")))
		return "motion_referred", err
	})
}
