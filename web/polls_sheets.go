package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/places"
	"asamblea/polls"
	"asamblea/store"
)

// sheetRoutes lists the pages of counting on paper and of recalls: polling
// stations, tally sheets entered twice, progress by area, recall petitions
// and their votes.
//
// A station's page is /polls/stations/{id} and a recall's /polls/recalls/{id}.
// ServeMux refuses to hold those patterns beside the election's literal
// /polls/{id}/… ones (/polls/stations/results would match both, neither
// more specific), so one wide pattern per method carries them and
// dispatches on the kind; every /polls/{id}/… pattern is more specific
// than it and keeps its paths.
func (s *Server) sheetRoutes() []httpauth.Route {
	pub, in := httpauth.Public, httpauth.SignedIn
	return []httpauth.Route{
		{Method: "GET", Pattern: "/polls/{id}/stations", Access: pub, Handler: s.sheetStationList},
		{Method: "POST", Pattern: "/polls/{id}/stations", Access: in, Handler: s.sheetDeclareStations},
		{Method: "GET", Pattern: "/polls/{id}/areas", Access: pub, Handler: s.sheetAreaProgress},
		{Method: "GET", Pattern: "/polls/{kind}/{id}", Access: pub, Handler: s.sheetItem},
		{Method: "POST", Pattern: "/polls/{kind}/{id}/{do}", Access: in, Handler: s.sheetItemPost},
	}
}

// sheetItem serves the page of one station or one recall.
func (s *Server) sheetItem(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("kind") {
	case "stations":
		s.sheetStationPage(w, r)
	case "recalls":
		s.pollRecallPage(w, r)
	default:
		s.NotFound(w, r)
	}
}

// sheetItemPost serves the forms of a station's and a recall's pages.
func (s *Server) sheetItemPost(w http.ResponseWriter, r *http.Request) {
	switch r.PathValue("kind") + "/" + r.PathValue("do") {
	case "stations/sheet":
		s.sheetPost(w, r, s.sheetEnterID)
	case "stations/annul":
		s.sheetPost(w, r, s.sheetAnnulID)
	case "recalls/sign":
		s.sheetPost(w, r, s.pollSignRecallID)
	case "recalls/vote":
		s.sheetPost(w, r, s.pollVoteRecallID)
	case "recalls/close":
		s.sheetPost(w, r, s.pollCloseRecallID)
	default:
		s.NotFound(w, r)
	}
}

// How many stations a page of the list shows.
const sheetStationsShown = 100

// sheetStationsFormMax bounds the form that declares stations: the store takes
// up to 5,000 stations a call, each line some 30 bytes once encoded.
const sheetStationsFormMax = 256 << 10

// sheetPost reads a station's or a recall's form, checks its CSRF token
// and its id, then runs do.
func (s *Server) sheetPost(w http.ResponseWriter, r *http.Request, do func(http.ResponseWriter, *http.Request, int64)) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	do(w, r, id)
}

// --- the contest a page is about ---

// sheetContestView is a paper election and one of its contests: the election
// itself (0) or the vote of one of its recalls.
type sheetContestView struct {
	Poll    polls.Poll
	Contest int64
	Recall  *polls.Recall // the recall whose vote the contest is
	Options []string      // the sheet's options, named, in ballot order
	Open    bool          // sheets may be entered now
	Manage  bool          // the viewer organises the election
	Enter   bool          // the viewer may enter sheets
}

// Query is the contest as a link carries it: "" or "?contest=N".
func (c sheetContestView) Query() string {
	if c.Contest == 0 {
		return ""
	}
	return "?contest=" + strconv.FormatInt(c.Contest, 10)
}

// Base is the election's address.
func (c sheetContestView) Base() string { return "/polls/" + strconv.FormatInt(c.Poll.ID, 10) }

// link is an address under the election with the contest and more
// parameters.
func (c sheetContestView) link(path string, q url.Values) string {
	if q == nil {
		q = url.Values{}
	}
	if c.Contest != 0 {
		q.Set("contest", strconv.FormatInt(c.Contest, 10))
	}
	u := c.Base() + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// readSheetContest reads the contest of a query or a form: none is the
// election's.
func readSheetContest(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, errs.New(errs.NotFound, "poll.recall.not_found")
	}
	return n, nil
}

// sheetContest loads a paper election's contest for the viewer.
func (s *Server) sheetContest(r *http.Request, l *i18n.Localizer, election, contest int64) (sheetContestView, error) {
	ep, err := s.db.PollPage(r.Context(), httpauth.From(r).UserID(), election)
	if err != nil {
		return sheetContestView{}, err
	}
	if !ep.Poll.Scope.Paper() {
		return sheetContestView{}, errs.New(errs.NotFound, "poll.stations.online")
	}
	c := sheetContestView{Poll: ep.Poll, Contest: contest, Manage: ep.Manage, Enter: ep.Enter}
	if contest == 0 {
		for _, cd := range ep.Candidacies {
			if cd.Status == polls.Registered {
				c.Options = append(c.Options, polls.ListLabel(cd))
			}
		}
		c.Open = ep.Poll.Phase == polls.Voting || ep.Poll.Phase == polls.Count
		return c, nil
	}
	i := slices.IndexFunc(ep.Recalls, func(rc polls.Recall) bool { return rc.ID == contest })
	if i < 0 {
		return sheetContestView{}, errs.New(errs.NotFound, "poll.recall.not_found")
	}
	c.Recall = &ep.Recalls[i]
	for _, o := range polls.RecallOptions {
		c.Options = append(c.Options, l.T("sheets.option."+o))
	}
	c.Open = c.Recall.Status == polls.RecallVote
	return c, nil
}

// sheetPercent writes a share in per mille as a percentage with one decimal.
func sheetPercent(l *i18n.Localizer, perMille int64) string {
	return l.T("sheets.percent", perMille/10, perMille%10)
}

// sheetShare is part of whole in per mille, 0 for an empty whole.
func sheetShare(part, whole int64) int64 {
	if whole <= 0 {
		return 0
	}
	return part * 1000 / whole
}

// --- the list of stations, and declaring them ---

type sheetStationsData struct {
	sheetContestView
	Stations    []polls.Station
	Departments []places.Place
	Statuses    []string
	NextPage    string
	Declare     bool // the viewer may declare stations
}

// sheetStationList lists an election's stations with where their sheets stand,
// by code, filtered by department, district and status.
func (s *Server) sheetStationList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.sheetStationsView(r, id, r.URL.Query())
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	s.render(w, r, status, "poll_stations", p)
}

// sheetStationsView builds the list's page for the query q. A filter that
// cannot be read is dropped, with its error beside it.
func (s *Server) sheetStationsView(r *http.Request, id int64, q url.Values) (*Page, error) {
	p := s.page(r, "", nil)
	contest, err := readSheetContest(q.Get("contest"))
	if err != nil {
		return nil, err
	}
	c, err := s.sheetContest(r, p.L, id, contest)
	if err != nil {
		return nil, err
	}
	f := store.StationFilter{Contest: contest, After: q.Get("after"), Limit: sheetStationsShown + 1}
	kept := url.Values{}
	if dep := strings.TrimSpace(q.Get("department")); dep != "" {
		if len(dep) == 2 && s.places.Valid(dep+"0000") {
			f.Place = dep
			kept.Set("department", dep)
		} else {
			p.Errors["department"] = p.L.T("action.department.unknown")
		}
	}
	if place := strings.TrimSpace(q.Get("place")); place != "" {
		if pl, ok := s.places.Lookup(place); ok && pl.Level == places.District {
			f.Place = place
			kept.Set("place", place)
		} else {
			p.Errors["place"] = p.L.T("sheets.filter.place.bad")
		}
	}
	if st := q.Get("status"); st != "" {
		if st == "flagged" || slices.Contains(polls.StationStatuses, st) {
			f.Status = st
			kept.Set("status", st)
		} else {
			p.Errors["status"] = p.L.T("sheets.filter.status.bad")
		}
	}
	ss, err := s.db.Stations(r.Context(), httpauth.From(r).UserID(), id, f)
	if err != nil {
		return nil, err
	}
	d := sheetStationsData{sheetContestView: c, Stations: ss, Departments: s.places.Departments(), Statuses: polls.StationStatuses,
		Declare: c.Manage && contest == 0 && c.Poll.Phase != polls.Published}
	if len(ss) > sheetStationsShown {
		d.Stations = ss[:sheetStationsShown]
		next := url.Values{"after": {d.Stations[sheetStationsShown-1].Code}}
		for k, v := range kept {
			next[k] = v
		}
		d.NextPage = c.link("/stations", next)
	}
	if len(p.Errors) > 0 {
		p.Error = p.L.T("sheets.filter.bad")
	}
	for k, v := range kept {
		p.Form[k] = v
	}
	p.Data = d
	p.Title = p.L.T("sheets.stations.title", c.Poll.Title)
	return p, nil
}

// sheetDeclareStations declares polling stations, one a line "code,district,
// electorate". A bad line is refused with its number and nothing is
// stored; the text comes back as it was written.
func (s *Server) sheetDeclareStations(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, sheetStationsFormMax)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errs.New(errs.Invalid, "sheets.declare.too_large"), "", nil)
		return
	}
	if !httpauth.CheckCSRF(r, r.PostForm.Get("csrf")) {
		s.fail(w, r, errs.New(errs.Forbidden, "error.csrf"), "", nil)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	in, err := readSheetStations(r.PostForm.Get("stations"), s.places.Valid)
	if err == nil {
		_, err = s.db.AddStations(r.Context(), httpauth.From(r).UserID(), id, in, s.places.Valid)
	}
	if err != nil {
		p, perr := s.sheetStationsView(r, id, url.Values{})
		if perr != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		if e := errs.As(err); e.Field != "" {
			// Every field of the text is the text's.
			c := *e
			c.Field = "stations"
			err = &c
		}
		p.Form.Set("stations", r.PostForm.Get("stations"))
		s.fail(w, r, err, "poll_stations", p)
		return
	}
	redirect(w, r, "/polls/"+strconv.FormatInt(id, 10)+"/stations?done=sheets_declared")
}

// readSheetStations reads the declaring text: one station a line, its code,
// district (UBIGEO) and electorate apart by commas (or semicolons or tabs,
// as spreadsheets export them). Blank lines are skipped; errors name the
// line as the person sees it.
func readSheetStations(text string, valid func(string) bool) ([]polls.StationInput, error) {
	var in []polls.StationInput
	seen := map[string]int{}
	for n, line := range strings.Split(text, "\n") {
		n++
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		fields := strings.FieldsFunc(line, func(r rune) bool { return r == ',' || r == ';' || r == '\t' })
		if len(fields) != 3 {
			return nil, errs.Field("stations", "sheets.declare.fields", n)
		}
		st := polls.StationInput{Code: fields[0], Place: fields[1]}
		e, err := strconv.ParseInt(strings.TrimSpace(fields[2]), 10, 64)
		if err != nil {
			return nil, errs.Field("stations", "sheets.declare.electorate", n, strings.TrimSpace(fields[2]))
		}
		st.Electorate = e
		if err := st.Clean(valid); err != nil {
			ce := errs.As(err)
			if ce.Key == "error.required" {
				return nil, errs.Field("stations", "sheets.declare.fields", n)
			}
			// The domain's message for the line: "….at" with the
			// station's code and the line first.
			return nil, &errs.Error{Code: errs.Invalid, Field: "stations", Key: ce.Key + ".at", Args: append([]any{st.Code, n}, ce.Args...)}
		}
		if first, ok := seen[st.Code]; ok {
			return nil, errs.Field("stations", "sheets.declare.twice", st.Code, n, first)
		}
		seen[st.Code] = n
		in = append(in, st)
	}
	if len(in) == 0 {
		return nil, errs.Field("stations", "poll.stations.none")
	}
	return in, nil
}

// --- a station's page: its sheet, the entries, the forms ---

type sheetStationData struct {
	sheetContestView
	Station    polls.Station
	Counted    []sheetFigure // the figures that count, once they do
	Turnout    string        // the ballots over the electorate
	OverTotal  int64         // the agreed ballots of a sheet over the electorate
	Entries    []polls.Entry
	Rows       []sheetEntryRow  // the entries side by side
	Fields     []sheetFormField // the entry form's numbers
	CanEnter   bool
	YouEntered bool // the viewer made the entry awaiting a second
	CanAnnul   bool
	List       string // the stations list of the station's district
}

// sheetFigure is one line of a counted sheet.
type sheetFigure struct {
	Label string
	N     int64
	Total bool
}

// sheetEntryRow is one figure across the entries; Differs marks a figure the
// entries disagree on.
type sheetEntryRow struct {
	Label   string
	Cells   []int64
	Differs bool
	Total   bool
}

// sheetFormField is one number of the entry form.
type sheetFormField struct {
	Name, Label string
}

// sheetStationPage shows a polling station's sheet in a contest.
func (s *Server) sheetStationPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	contest, err := readSheetContest(r.URL.Query().Get("contest"))
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, _, err := s.sheetStationView(r, id, contest)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "poll_station", p)
}

func (s *Server) sheetStationView(r *http.Request, id, contest int64) (*Page, *sheetStationData, error) {
	viewer := httpauth.From(r).UserID()
	st, enter, err := s.db.Station(r.Context(), viewer, id, contest)
	if err != nil {
		return nil, nil, err
	}
	p := s.page(r, "", nil)
	c, err := s.sheetContest(r, p.L, st.PollID, contest)
	if err != nil {
		return nil, nil, err
	}
	c.Enter = enter
	d := &sheetStationData{sheetContestView: c, Station: st, Entries: st.Entries, CanAnnul: c.Manage && st.Status != polls.Annulled,
		List: c.link("/stations", url.Values{"place": {st.Place}})}
	labels := append(slices.Clip(c.Options), p.L.T("sheets.blank"), p.L.T("sheets.null"))
	figures := func(sh polls.Sheet) []int64 {
		v := make([]int64, len(c.Options))
		copy(v, sh.Votes)
		return append(v, sh.Blank, sh.Null, sh.Total())
	}
	if st.Sheet != nil {
		for i, n := range figures(*st.Sheet) {
			f := sheetFigure{N: n, Total: i == len(labels)}
			if f.Total {
				f.Label = p.L.T("sheets.total")
			} else {
				f.Label = labels[i]
			}
			d.Counted = append(d.Counted, f)
		}
		d.Turnout = sheetPercent(p.L, sheetShare(st.Sheet.Total(), st.Electorate))
	}
	if len(st.Entries) > 0 {
		cols := make([][]int64, len(st.Entries))
		for j, e := range st.Entries {
			cols[j] = figures(e.Sheet)
		}
		for i := range len(labels) + 1 {
			row := sheetEntryRow{Total: i == len(labels)}
			if row.Total {
				row.Label = p.L.T("sheets.total")
			} else {
				row.Label = labels[i]
			}
			for j := range cols {
				row.Cells = append(row.Cells, cols[j][i])
				row.Differs = row.Differs || cols[j][i] != cols[0][i]
			}
			d.Rows = append(d.Rows, row)
		}
		if st.Status == polls.OverElectorate {
			if _, sh := polls.Reconcile(st.Entries, st.Electorate); sh != nil {
				d.OverTotal = sh.Total()
			}
		}
		d.YouEntered = st.Status == polls.FirstEntered && st.Entries[0].UserID == viewer
	}
	d.CanEnter = enter && c.Open && !polls.Done(st.Status) && !d.YouEntered
	for i, o := range c.Options {
		d.Fields = append(d.Fields, sheetFormField{Name: "v" + strconv.Itoa(i+1), Label: o})
	}
	d.Fields = append(d.Fields, sheetFormField{Name: "blank", Label: p.L.T("sheets.blank")}, sheetFormField{Name: "null", Label: p.L.T("sheets.null")})
	p.Data = d
	p.Title = p.L.T("sheets.station.title", st.Code)
	return p, d, nil
}

// sheetStationPath is a station's page in a contest.
func sheetStationPath(id, contest int64) string {
	u := "/polls/stations/" + strconv.FormatInt(id, 10)
	if contest != 0 {
		u += "?contest=" + strconv.FormatInt(contest, 10)
	}
	return u
}

// sheetDone adds the flash to an address.
func sheetDone(u, done string) string {
	if strings.Contains(u, "?") {
		return u + "&done=" + done
	}
	return u + "?done=" + done
}

// readSheetForm reads the entry form: a whole number, zero or more, in every
// field. It returns an error per field that cannot be read.
func readSheetForm(f url.Values, fields []sheetFormField) (polls.Sheet, []*errs.Error) {
	var sh polls.Sheet
	var bad []*errs.Error
	for _, fl := range fields {
		v := strings.ReplaceAll(strings.TrimSpace(f.Get(fl.Name)), " ", "")
		var n int64
		var err error
		switch {
		case v == "":
			bad = append(bad, errs.Field(fl.Name, "sheets.figure.required", fl.Label))
			continue
		default:
			n, err = strconv.ParseInt(v, 10, 64)
		}
		switch {
		case err != nil && strings.HasPrefix(v, "-"):
			bad = append(bad, errs.Field(fl.Name, "sheets.figure.negative", fl.Label))
			continue
		case err != nil:
			bad = append(bad, errs.Field(fl.Name, "sheets.figure.number", fl.Label))
			continue
		case n < 0:
			bad = append(bad, errs.Field(fl.Name, "sheets.figure.negative", fl.Label))
			continue
		}
		switch fl.Name {
		case "blank":
			sh.Blank = n
		case "null":
			sh.Null = n
		default:
			sh.Votes = append(sh.Votes, n)
		}
	}
	return sh, bad
}

// sheetEnter enters the station's sheet as the person read it.
func (s *Server) sheetEnterID(w http.ResponseWriter, r *http.Request, id int64) {
	contest, err := readSheetContest(r.Form.Get("contest"))
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, d, err := s.sheetStationView(r, id, contest)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	sheet, bad := readSheetForm(r.PostForm, d.Fields)
	var st polls.Station
	if len(bad) > 0 {
		err = bad[0]
	} else {
		st, err = s.db.EnterSheet(r.Context(), httpauth.From(r).UserID(), id, contest, sheet)
	}
	if err != nil {
		p.Form = r.PostForm
		for _, e := range bad {
			p.Errors[e.Field] = p.L.T(e.Key, e.Args...)
		}
		if len(bad) > 1 {
			err = errs.New(errs.Invalid, "sheets.figures.bad", len(bad))
		}
		s.fail(w, r, err, "poll_station", p)
		return
	}
	done := "sheets_entered"
	switch st.Status {
	case polls.CountedSheet:
		done = "sheets_counted"
	case polls.Mismatch:
		done = "sheets_mismatch"
	case polls.OverElectorate:
		done = "sheets_over"
	}
	redirect(w, r, sheetDone(sheetStationPath(id, contest), done))
}

// sheetAnnul annuls the station's sheet, with the reason for all to see.
func (s *Server) sheetAnnulID(w http.ResponseWriter, r *http.Request, id int64) {
	contest, err := readSheetContest(r.Form.Get("contest"))
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	err = s.db.AnnulSheet(r.Context(), httpauth.From(r).UserID(), id, contest, r.PostForm.Get("reason"))
	if err != nil {
		p, _, perr := s.sheetStationView(r, id, contest)
		if perr != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		p.Form = r.PostForm
		s.fail(w, r, err, "poll_station", p)
		return
	}
	redirect(w, r, sheetDone(sheetStationPath(id, contest), "sheets_annulled"))
}

// --- progress by area ---

type sheetAreasData struct {
	sheetContestView
	Parent     string // the department's code, "" for the country
	ParentName string
	Top        sheetAreaRow
	Rows       []sheetAreaRow
	Map        template.HTML
	Up         string // the country's page, from a department's
	Self       string // this page, to refresh it
	At         string // when it was read
}

// sheetAreaRow is one area's line of the progress table.
type sheetAreaRow struct {
	polls.Area
	Name    string
	Href    string // its districts, or its stations
	Percent string
	Votes   []int64 // per option, in ballot order
	Leader  string
	List    string // its stations' list
	Flags   string // its flagged stations
}

// sheetAreaProgress shows how far the count has gone by department, or by
// district of a department, with the votes counted so far.
func (s *Server) sheetAreaProgress(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	q := r.URL.Query()
	contest, err := readSheetContest(q.Get("contest"))
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	parent := q.Get("parent")
	if parent != "" && (len(parent) != 2 || !s.places.Valid(parent+"0000")) {
		s.fail(w, r, errs.New(errs.NotFound, "action.department.unknown"), "", nil)
		return
	}
	p := s.page(r, "", nil)
	c, err := s.sheetContest(r, p.L, id, contest)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	top, as, err := s.db.Areas(r.Context(), httpauth.From(r).UserID(), id, contest, parent)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	d := sheetAreasData{sheetContestView: c, Parent: parent, Self: c.link("/areas", nil), At: p.L.DateTime(s.db.Now())}
	row := func(a polls.Area) sheetAreaRow {
		ar := sheetAreaRow{Area: a, Percent: sheetPercent(p.L, int64(a.Progress())), Votes: make([]int64, len(c.Options))}
		copy(ar.Votes, a.Sheet.Votes)
		if a.Leader >= 0 && a.Leader < len(c.Options) {
			ar.Leader = c.Options[a.Leader]
		}
		return ar
	}
	d.Top = row(top)
	if parent != "" {
		pl, _ := s.places.Lookup(parent + "0000")
		d.ParentName = pl.Name
		d.Top.Name = p.L.T("sheets.areas.total.department", pl.Name)
		d.Top.List = c.link("/stations", url.Values{"department": {parent}})
		d.Up = c.link("/areas", nil)
		d.Self = c.link("/areas", url.Values{"parent": {parent}})
	} else {
		d.Top.Name = p.L.T("sheets.areas.total.national")
		d.Top.List = c.link("/stations", nil)
	}
	counts := map[string]int{}
	for _, a := range as {
		ar := row(a)
		if len(a.Code) == 2 {
			pl, _ := s.places.Lookup(a.Code + "0000")
			ar.Name = pl.Name
			ar.Href = c.link("/areas", url.Values{"parent": {a.Code}})
			ar.List = c.link("/stations", url.Values{"department": {a.Code}})
			ar.Flags = c.link("/stations", url.Values{"department": {a.Code}, "status": {"flagged"}})
			// Shaded by the share settled; any progress shows.
			counts[a.Code+"0000"] = a.Progress() / 10
			if a.Counted > 0 && a.Progress() < 10 {
				counts[a.Code+"0000"] = 1
			}
		} else {
			pl, _ := s.places.Lookup(a.Code)
			ar.Name = pl.Name
			if pl.Province != "" {
				ar.Name += " — " + pl.Province
			}
			ar.Href = c.link("/stations", url.Values{"place": {a.Code}})
			ar.List = ar.Href
			ar.Flags = c.link("/stations", url.Values{"place": {a.Code}, "status": {"flagged"}})
		}
		if ar.Name == "" {
			ar.Name = a.Code
		}
		d.Rows = append(d.Rows, ar)
	}
	if parent == "" && len(as) > 0 {
		d.Map = trustedSVG(s.places.DepartmentMap(places.MapOptions{
			Title:  p.L.T("sheets.areas.map", c.Poll.Title),
			Counts: counts,
			Label: func(code string, n int) string {
				pl, _ := s.places.Lookup(code)
				return p.L.T("sheets.areas.map.department", pl.Name, n)
			},
			Href: func(code string) string {
				return c.link("/areas", url.Values{"parent": {code[:2]}})
			},
		}))
	}
	p.Data = d
	p.Title = p.L.T("sheets.areas.title", c.Poll.Title)
	if parent != "" {
		p.Title = p.L.T("sheets.areas.title.department", d.ParentName, c.Poll.Title)
	}
	s.render(w, r, http.StatusOK, "poll_areas", p)
}

// --- a recall's page ---

type pollRecallData struct {
	store.PollRecallPage
	Paper    bool
	Share    string // the signatures' share of those needed
	Settled  string // the recall's sheets settled, paper
	Passed   bool
	Closed   bool
	Stations string // the recall's stations and areas, paper
	Areas    string
	Back     string // the election's page
}

// recallPage shows a recall: the petition and its signatures, then its
// vote, online or on paper, then its result.
func (s *Server) pollRecallPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.pollRecallView(r, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "poll_recall", p)
}

func (s *Server) pollRecallView(r *http.Request, id int64) (*Page, error) {
	rp, err := s.db.PollRecallPage(r.Context(), httpauth.From(r).UserID(), id)
	if err != nil {
		return nil, err
	}
	p := s.page(r, "", nil)
	rc := rp.Recall
	c := sheetContestView{Poll: rp.Poll, Contest: rc.ID}
	d := pollRecallData{PollRecallPage: rp, Paper: rp.Poll.Scope.Paper(), Back: c.Base(),
		Share:   sheetPercent(p.L, sheetShare(rc.Signatures, rc.Needed)),
		Settled: sheetPercent(p.L, sheetShare(int64(rc.Counted), int64(rc.Stations))),
		Passed:  rc.Status == polls.RecallPass, Closed: rc.Status == polls.RecallPass || rc.Status == polls.RecallFail,
		Stations: c.link("/stations", nil), Areas: c.link("/areas", nil)}
	p.Data = d
	p.Title = p.L.T("recall_page.title", rc.CandidateName)
	return p, nil
}

// pollRecallPost runs a form of the recall's page; a refusal the person can act
// on shows on the page.
func (s *Server) pollRecallPost(w http.ResponseWriter, r *http.Request, id int64, do func(actor int64) (string, error)) {
	done, err := do(httpauth.From(r).UserID())
	if err != nil {
		p, perr := s.pollRecallView(r, id)
		if perr != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		p.Form = r.PostForm
		s.fail(w, r, err, "poll_recall", p)
		return
	}
	redirect(w, r, "/polls/recalls/"+strconv.FormatInt(id, 10)+"?done="+done)
}

func (s *Server) pollSignRecallID(w http.ResponseWriter, r *http.Request, id int64) {
	s.pollRecallPost(w, r, id, func(actor int64) (string, error) {
		rc, err := s.db.SignPollRecall(r.Context(), actor, id)
		if err == nil && rc.Status == polls.RecallVote {
			return "recall_page_voting", nil
		}
		return "recall_page_signed", err
	})
}

func (s *Server) pollVoteRecallID(w http.ResponseWriter, r *http.Request, id int64) {
	s.pollRecallPost(w, r, id, func(actor int64) (string, error) {
		choice := r.PostForm.Get("choice")
		if choice != "yes" && choice != "no" {
			return "", errs.Field("choice", "recall_page.choice.bad")
		}
		return "recall_page_voted", s.db.VotePollRecall(r.Context(), actor, id, choice == "yes")
	})
}

func (s *Server) pollCloseRecallID(w http.ResponseWriter, r *http.Request, id int64) {
	s.pollRecallPost(w, r, id, func(actor int64) (string, error) {
		_, err := s.db.ClosePollRecall(r.Context(), actor, id)
		return "recall_page_closed", err
	})
}
