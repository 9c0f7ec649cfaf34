package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/incidents"
	"asamblea/places"
	"asamblea/store"
	"asamblea/vault"
)

// rightsRoutes lists the pages of commissions and their repression records:
// a body's commissions, a commission's home (its key, its members), the
// report form any member fills, the commission's incidents, people,
// evidence, prisoners and exports, and the public figures.
func (s *Server) rightsRoutes() []httpauth.Route {
	pub, in := httpauth.Public, httpauth.SignedIn
	return []httpauth.Route{
		{Method: "GET", Pattern: "/bodies/{id}/commissions", Access: in, Handler: s.commissionList},
		{Method: "POST", Pattern: "/bodies/{id}/commissions", Access: in, Handler: s.createCommission},
		{Method: "GET", Pattern: "/commissions/{id}", Access: in, Handler: s.commissionHome},
		{Method: "POST", Pattern: "/commissions/{id}/setup", Access: in, Handler: s.setUpRecords},
		{Method: "POST", Pattern: "/commissions/{id}/unlock", Access: in, Handler: s.unlockRecords},
		{Method: "POST", Pattern: "/commissions/{id}/lock", Access: in, Handler: s.lockRecords},
		{Method: "POST", Pattern: "/commissions/{id}/passphrase", Access: in, Handler: s.setPassphrase},
		{Method: "POST", Pattern: "/commissions/{id}/grant", Access: in, Handler: s.grantRecords},
		{Method: "POST", Pattern: "/commissions/{id}/settings", Access: in, Handler: s.recordsSettings},
		{Method: "POST", Pattern: "/commissions/{id}/lockdown", Access: in, Handler: s.lockdown},
		{Method: "POST", Pattern: "/commissions/{id}/members", Access: in, Handler: s.appointCommissioner},
		{Method: "GET", Pattern: "/commissions/{id}/incidents", Access: in, Handler: s.incidentList},
		{Method: "GET", Pattern: "/commissions/{id}/prisoners", Access: in, Handler: s.prisoners},
		{Method: "GET", Pattern: "/commissions/{id}/people/new", Access: in, Handler: s.newPerson},
		{Method: "POST", Pattern: "/commissions/{id}/people", Access: in, Handler: s.addPerson},
		{Method: "GET", Pattern: "/commissions/{id}/export.csv", Access: in, Handler: s.exportRecords},
		{Method: "GET", Pattern: "/commissions/{id}/export.json", Access: in, Handler: s.exportRecords},
		{Method: "GET", Pattern: "/incidents/new", Access: in, Handler: s.reportForm},
		{Method: "POST", Pattern: "/incidents", Access: in, Handler: s.reportIncident},
		{Method: "GET", Pattern: "/incidents/{id}", Access: in, Handler: s.incidentPage},
		{Method: "GET", Pattern: "/incidents/{id}/edit", Access: in, Handler: s.editIncident},
		{Method: "POST", Pattern: "/incidents/{id}/edit", Access: in, Handler: s.correctIncident},
		{Method: "POST", Pattern: "/incidents/{id}/check", Access: in, Handler: s.checkIncident},
		{Method: "POST", Pattern: "/incidents/{id}/evidence", Access: in, Handler: s.addEvidence},
		{Method: "GET", Pattern: "/evidence/{id}", Access: in, Handler: s.evidence},
		{Method: "GET", Pattern: "/people/{id}", Access: in, Handler: s.personPage},
		{Method: "POST", Pattern: "/people/{id}", Access: in, Handler: s.updatePerson},
		{Method: "GET", Pattern: "/repression", Access: pub, Handler: s.repression},
	}
}

// commissionMembersShown is how many of a body's members the forms that
// choose a commission's members offer.
const commissionMembersShown = 200

func commissionPath(id int64) string { return "/commissions/" + strconv.FormatInt(id, 10) }

func incidentPath(id int64) string { return "/incidents/" + strconv.FormatInt(id, 10) }

// --- a body's commissions ---

// choiceRow is one of a body's members as a checkbox of the form.
type choiceRow struct {
	bodies.Person
	Checked bool
}

type commissionRow struct {
	store.Commission
	Open bool // the viewer may open its page: a member, or the body's facilitator
}

type commissionListData struct {
	Body        bodies.Body
	Commissions []commissionRow
	CanCreate   bool
	Purposes    []string
	Members     []choiceRow
	MoreMembers bool // the body has more members than the form offers
}

// commissionListView builds a body's commissions page; f holds the values
// of a create form that came back.
func (s *Server) commissionListView(r *http.Request, body int64, p *Page) (*Page, error) {
	viewer := httpauth.From(r).UserID()
	b, role, err := s.db.Body(r.Context(), viewer, body)
	if err != nil {
		return nil, err
	}
	list, err := s.db.Commissions(r.Context(), viewer, body)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = s.page(r, "", nil)
	}
	d := commissionListData{Body: b, CanCreate: role == bodies.Facilitator && b.Kind != bodies.Commission, Purposes: store.Purposes}
	mine := map[int64]bool{}
	if ms, err := s.db.Memberships(r.Context(), viewer); err == nil {
		for _, m := range ms {
			mine[m.Body.ID] = true
		}
	}
	for _, c := range list {
		d.Commissions = append(d.Commissions, commissionRow{Commission: c, Open: mine[c.ID] || role == bodies.Facilitator})
	}
	if d.CanCreate {
		members, _, err := s.db.Members(r.Context(), viewer, body, commissionMembersShown, 0)
		if err != nil {
			return nil, err
		}
		chosen := map[string]bool{}
		for _, m := range p.Form["members"] {
			chosen[m] = true
		}
		for _, m := range members {
			d.Members = append(d.Members, choiceRow{Person: m, Checked: chosen[strconv.FormatInt(m.UserID, 10)]})
		}
		d.MoreMembers = b.Members > len(members)
		if p.Form.Get("purpose") == "" {
			p.Form.Set("purpose", "rights")
		}
	}
	p.Data = d
	p.Title = p.L.T("rp.commissions.title", b.Name)
	return p, nil
}

// showByID renders tmpl with the page view makes of the record the path
// names; a bad id or a refusal gets the error page (404 outside a
// commission).
func (s *Server) showByID(w http.ResponseWriter, r *http.Request, tmpl string, view func(*http.Request, int64, *Page) (*Page, error)) {
	id, err := pathID(r, "id")
	if err == nil {
		var p *Page
		if p, err = view(r, id, nil); err == nil {
			s.render(w, r, http.StatusOK, tmpl, p)
			return
		}
	}
	s.fail(w, r, err, "", nil)
}

// commissionList shows a body's commissions to its members and, to its
// facilitators, the form that sets one up.
func (s *Server) commissionList(w http.ResponseWriter, r *http.Request) {
	s.showByID(w, r, "rights_commissions", s.commissionListView)
}

// createCommission sets up a commission. The members are the boxes ticked;
// the one chosen to facilitate (or else the first ticked) facilitates.
func (s *Server) createCommission(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	body, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	f := r.PostForm
	in := store.CommissionInput{Name: f.Get("name"), Purpose: f.Get("purpose")}
	if fac := f.Get("facilitator"); fac != "" {
		if n, perr := strconv.ParseInt(fac, 10, 64); perr == nil {
			in.Members = append(in.Members, n)
		} else {
			err = errs.Field("members", "commission.members.outsider")
		}
	}
	for _, m := range f["members"] {
		n, perr := strconv.ParseInt(m, 10, 64)
		if perr != nil {
			err = errs.Field("members", "commission.members.outsider")
			break
		}
		if !slices.Contains(in.Members, n) {
			in.Members = append(in.Members, n)
		}
	}
	var c store.Commission
	if err == nil {
		c, err = s.db.CreateCommission(r.Context(), httpauth.From(r).UserID(), body, in)
	}
	if err != nil {
		p := s.page(r, "", nil)
		p.Form = url.Values{"name": {f.Get("name")}, "purpose": {f.Get("purpose")}, "facilitator": {f.Get("facilitator")}, "members": f["members"]}
		p, perr := s.commissionListView(r, body, p)
		if perr != nil {
			s.fail(w, r, perr, "", nil)
			return
		}
		s.fail(w, r, err, "rights_commissions", p)
		return
	}
	redirect(w, r, commissionPath(c.ID)+"?done=rp_commission_created")
}

// --- a commission's home ---

type commissionData struct {
	ID         int64
	Name       string
	Purpose    string
	ParentID   int64
	ParentName string
	Role       bodies.Role // the viewer's, in the commission
	Member     bool
	Rights     bool              // a rights commission, and the viewer is in it
	Info       store.RecordsInfo // its key, as the viewer sees it
	Members    []bodies.Person
	Pending    []bodies.Person // members with a passphrase who wait for the key
	Manage     bool            // the viewer facilitates the body above
	Candidates []bodies.Person // the body's members, for the appoint form
	Roles      []bodies.Role
	PassMin    int
	Lock       bool // the viewer holds the key unlocked with a passphrase on this node
}

// commissionView builds a commission's home. Its members see it; the
// facilitators of the body above see the form that appoints its members.
// Anyone else finds nothing (404).
func (s *Server) commissionView(r *http.Request, id int64, p *Page) (*Page, error) {
	ctx := r.Context()
	viewer := httpauth.From(r).UserID()
	notFound := errs.New(errs.NotFound, "body.not_found")
	// A commission is private: Body finds it only for its members. The
	// facilitator of the body above, who appoints them, finds it among
	// that body's commissions below.
	b, role, err := s.db.Body(ctx, viewer, id)
	switch {
	case errs.Is(err, errs.NotFound):
		b, role = bodies.Body{ID: id, Kind: bodies.Commission}, bodies.None
	case err != nil:
		return nil, err
	}
	if b.Kind != bodies.Commission {
		return nil, notFound
	}
	d := commissionData{ID: id, Name: b.Name, Role: role, Member: role != bodies.None, Roles: bodies.Roles, PassMin: vault.PassphraseMin}
	if d.Member {
		d.ParentID = b.ParentID
		info, err := s.db.RecordsState(ctx, viewer, id)
		switch {
		case err == nil:
			d.Rights, d.Info, d.Purpose, d.ParentName = true, info, "rights", info.Commission.ParentName
			d.Lock = info.Live && info.Readable && info.Granted && !(info.File && info.NodeHasKey)
		case errs.Is(err, errs.NotFound):
		default:
			return nil, err
		}
		if d.Members, _, err = s.db.Members(ctx, viewer, id, commissionMembersShown, 0); err != nil {
			return nil, err
		}
		if d.Info.Readable {
			for _, u := range d.Info.Pending {
				for _, m := range d.Members {
					if m.UserID == u {
						d.Pending = append(d.Pending, m)
					}
				}
			}
		}
		if pb, prole, err := s.db.Body(ctx, viewer, d.ParentID); err == nil {
			d.ParentName, d.Manage = pb.Name, prole == bodies.Facilitator
		}
		if d.Purpose == "" {
			if cs, err := s.db.Commissions(ctx, viewer, d.ParentID); err == nil {
				for _, c := range cs {
					if c.ID == id {
						d.Purpose = c.Purpose
					}
				}
			}
		}
	} else {
		// The facilitator of the body above: found among the viewer's
		// bodies.
		ms, err := s.db.Memberships(ctx, viewer)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Role != bodies.Facilitator || m.Body.Kind == bodies.Commission || d.Manage {
				continue
			}
			cs, err := s.db.Commissions(ctx, viewer, m.Body.ID)
			if err != nil {
				continue
			}
			for _, c := range cs {
				if c.ID == id {
					d.Manage, d.ParentID, d.ParentName, d.Purpose = true, m.Body.ID, m.Body.Name, c.Purpose
					d.Name, b.Name = c.Name, c.Name
				}
			}
		}
		if !d.Manage {
			return nil, notFound
		}
	}
	if d.Manage {
		if d.Candidates, _, err = s.db.Members(ctx, viewer, d.ParentID, commissionMembersShown, 0); err != nil {
			return nil, err
		}
	}
	if p == nil {
		p = s.page(r, "", nil)
		if d.Info.NodeHasKey {
			p.Form.Set("file", "on")
		}
	}
	p.Data = d
	p.Title = b.Name
	return p, nil
}

func (s *Server) commissionHome(w http.ResponseWriter, r *http.Request) {
	s.showByID(w, r, "rights_commission", s.commissionView)
}

// secretFields are the fields never written back into a page.
var secretFields = []string{"csrf", "passphrase", "new_passphrase"}

// commissionPost runs a form of a commission's home; do returns the flash
// to show. A refusal the person can act on comes back on the same page.
func (s *Server) commissionPost(w http.ResponseWriter, r *http.Request, do func(actor, id int64) (string, error)) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	done, err := do(httpauth.From(r).UserID(), id)
	if err != nil {
		p := s.page(r, "", nil)
		for k, v := range r.PostForm {
			if !slices.Contains(secretFields, k) {
				p.Form[k] = v
			}
		}
		p, perr := s.commissionView(r, id, p)
		if perr != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		s.fail(w, r, err, "rights_commission", p)
		return
	}
	redirect(w, r, commissionPath(id)+"?done="+done)
}

// refield moves a field error to another field of the page (two forms of
// one page may ask for a passphrase).
func refield(err error, from, to string) error {
	if e := errs.As(err); e.Field == from {
		c := *e
		c.Field = to
		return &c
	}
	return err
}

func (s *Server) setUpRecords(w http.ResponseWriter, r *http.Request) {
	s.commissionPost(w, r, func(actor, id int64) (string, error) {
		f := r.PostForm
		in := store.RecordsSetup{Passphrase: f.Get("passphrase"), File: f.Get("file") == "on", ExactCoords: f.Get("exact") == "on", OriginalImages: f.Get("originals") == "on"}
		return "rp_key_created", s.db.SetUpRecords(r.Context(), actor, id, in)
	})
}

func (s *Server) unlockRecords(w http.ResponseWriter, r *http.Request) {
	s.commissionPost(w, r, func(actor, id int64) (string, error) {
		return "rp_unlocked", s.db.Unlock(r.Context(), actor, id, r.PostForm.Get("passphrase"))
	})
}

func (s *Server) lockRecords(w http.ResponseWriter, r *http.Request) {
	s.commissionPost(w, r, func(actor, id int64) (string, error) {
		return "rp_locked", s.db.Lock(r.Context(), actor, id)
	})
}

func (s *Server) setPassphrase(w http.ResponseWriter, r *http.Request) {
	s.commissionPost(w, r, func(actor, id int64) (string, error) {
		err := s.db.SetPassphrase(r.Context(), actor, id, r.PostForm.Get("new_passphrase"))
		return "rp_passphrase_set", refield(err, "passphrase", "new_passphrase")
	})
}

func (s *Server) grantRecords(w http.ResponseWriter, r *http.Request) {
	s.commissionPost(w, r, func(actor, id int64) (string, error) {
		user, err := strconv.ParseInt(r.PostForm.Get("user"), 10, 64)
		if err != nil {
			return "", errs.New(errs.NotFound, "rights.no_slot")
		}
		return "rp_granted", s.db.Grant(r.Context(), actor, id, user)
	})
}

func (s *Server) recordsSettings(w http.ResponseWriter, r *http.Request) {
	s.commissionPost(w, r, func(actor, id int64) (string, error) {
		f := r.PostForm
		return "rp_settings_saved", s.db.UpdateRecordsSettings(r.Context(), actor, id, f.Get("exact") == "on", f.Get("originals") == "on")
	})
}

func (s *Server) lockdown(w http.ResponseWriter, r *http.Request) {
	s.commissionPost(w, r, func(actor, id int64) (string, error) {
		return "rp_locked_down", s.db.Lockdown(r.Context(), actor, id, r.PostForm.Get("confirm"))
	})
}

func (s *Server) appointCommissioner(w http.ResponseWriter, r *http.Request) {
	s.commissionPost(w, r, func(actor, id int64) (string, error) {
		user, err := strconv.ParseInt(r.PostForm.Get("user"), 10, 64)
		if err != nil {
			return "", errs.Field("user", "error.required")
		}
		role := bodies.Role(r.PostForm.Get("role"))
		done := "rp_member_appointed"
		if role == bodies.None {
			done = "rp_member_removed"
		}
		return done, s.db.AppointCommissioner(r.Context(), actor, id, user, role)
	})
}

// --- the report form, and the correction of an incident ---

type reportData struct {
	Edit       bool
	IncidentID int64
	Commission int64 // of the incident corrected
	Post       string
	Targets    []store.ReportTarget
	Kinds      []incidents.Kind
	Forces     []incidents.Force
	Candidates []places.Place
	MaxFiles   int
	MaxMB      int
}

// reportView builds the report form (or, with edit, the correction of
// incident edit) showing the values in p.Form.
func (s *Server) reportView(r *http.Request, p *Page, edit incidents.Incident) (*Page, *reportData, error) {
	d := &reportData{Post: "/incidents", Kinds: incidents.Kinds, Forces: incidents.Forces, MaxFiles: store.ReportMaxFiles, MaxMB: incidents.EvidenceMax >> 20}
	if edit.ID != 0 {
		d.Edit, d.IncidentID, d.Commission, d.Post = true, edit.ID, edit.CommissionID, incidentPath(edit.ID)+"/edit"
		p.Title = p.L.T("rp.edit.title")
	} else {
		ts, err := s.db.ReportTargets(r.Context(), httpauth.From(r).UserID())
		if err != nil {
			return nil, nil, err
		}
		d.Targets = ts
		if len(ts) == 1 {
			p.Form.Set("commission", strconv.FormatInt(ts[0].ID, 10))
		}
		p.Title = p.L.T("rp.report.title")
	}
	p.Data = d
	return p, d, nil
}

// reportForm is the form in which any member reports an incident to a
// rights commission of their bodies or of an assembly above them.
// ?commission=ID and ?action=ID pre-fill it.
func (s *Server) reportForm(w http.ResponseWriter, r *http.Request) {
	p := s.page(r, "", nil)
	q := r.URL.Query()
	p.Form.Set("date", time.Now().In(store.Lima).Format(time.DateOnly))
	p.Form.Set("force", string(incidents.UnknownForce))
	if c := q.Get("commission"); c != "" {
		p.Form.Set("commission", c)
	}
	if a, err := strconv.ParseInt(q.Get("action"), 10, 64); err == nil && a > 0 {
		p.Form.Set("action_id", strconv.FormatInt(a, 10))
	}
	p, _, err := s.reportView(r, p, incidents.Incident{})
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "rights_report", p)
}

// incidentFields are the fields of the report form written back when it
// comes back with an error.
var incidentFields = []string{"commission", "kind", "date", "time", "place_q", "lat", "lon", "force", "affected", "description", "action_id", "people"}

// readIncidentForm reads the incident's fields. It returns the input, the
// values to show again (the place as its label) and, when the place's
// words match several places, the candidates. Its errors are about fields
// it cannot read; the rest is checked by the store.
func (s *Server) readIncidentForm(f url.Values) (incidents.Input, url.Values, []places.Place, error) {
	shown := url.Values{}
	for _, k := range incidentFields {
		if v := f.Get(k); v != "" {
			shown.Set(k, v)
		}
	}
	in := incidents.Input{Kind: incidents.Kind(f.Get("kind")), Force: incidents.Force(f.Get("force")), Description: f.Get("description")}
	var err error
	if in.At, err = incidents.ParseWhen("at", f.Get("date"), f.Get("time"), store.Lima); err != nil {
		return in, shown, nil, err
	}
	code, candidates := s.placeFromForm(f)
	if code == "" {
		key := "body.place.choose"
		if len(candidates) == 0 {
			key = "body.place.none"
			if strings.TrimSpace(f.Get("place_q")) == "" {
				key = "error.required"
			}
		}
		return in, shown, candidates, errs.Field("place", key)
	}
	in.Place = code
	shown.Set("place_q", s.placeText(code))
	if in.Lat, err = incidents.ParseCoord("lat", f.Get("lat")); err != nil {
		return in, shown, nil, err
	}
	if in.Lon, err = incidents.ParseCoord("lon", f.Get("lon")); err != nil {
		return in, shown, nil, err
	}
	if v := strings.TrimSpace(f.Get("affected")); v != "" {
		if in.Affected, err = strconv.Atoi(v); err != nil {
			return in, shown, nil, errs.Field("affected", "incident.affected.range", incidents.AffectedMax)
		}
	}
	if v := strings.TrimSpace(f.Get("action_id")); v != "" {
		if in.ActionID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return in, shown, nil, errs.Field("action_id", "incident.action.unknown")
		}
	}
	return in, shown, nil, nil
}

// lines splits a text area into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// evidenceFormMax bounds the fields of a form beside its files: the
// description, the names and the rest.
const evidenceFormMax = 256 << 10

// readEvidenceForm reads a form that may carry evidence files (field
// "file", at most max of them) as it streams in. The form sends its CSRF
// token first, so it is checked before any file is read. It returns the
// fields, the files, and fileErr when a file cannot be taken (too large,
// too many), with the fields read so far kept. err is a form that cannot be
// read, or a bad CSRF token.
func (s *Server) readEvidenceForm(w http.ResponseWriter, r *http.Request, max int) (f url.Values, files []store.EvidenceFile, fileErr, err error) {
	f = url.Values{}
	r.Body = http.MaxBytesReader(w, r.Body, int64(max)*(incidents.EvidenceMax+4<<10)+evidenceFormMax)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		if err := r.ParseForm(); err != nil {
			return f, nil, nil, errs.New(errs.Invalid, "error.bad_form")
		}
		if !httpauth.CheckCSRF(r, r.PostForm.Get("csrf")) {
			return f, nil, nil, errCSRF
		}
		return r.PostForm, nil, nil, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return f, nil, nil, errs.New(errs.Invalid, "error.bad_form")
	}
	tooLarge := errs.Field("file", "incident.evidence.too_large", incidents.EvidenceMax>>20)
	var mb *http.MaxBytesError
	fieldBytes := 0
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if errors.As(err, &mb) {
			if fileErr == nil {
				fileErr = tooLarge
			}
			break
		}
		if err != nil || parts > 40+max {
			return f, nil, nil, errs.New(errs.Invalid, "error.bad_form")
		}
		name := part.FormName()
		if name != "file" {
			b, err := io.ReadAll(io.LimitReader(part, evidenceFormMax-int64(fieldBytes)))
			if errors.As(err, &mb) {
				if fileErr == nil {
					fileErr = tooLarge
				}
				break
			}
			if err != nil {
				return f, nil, nil, errs.New(errs.Invalid, "error.bad_form")
			}
			fieldBytes += len(b)
			f.Add(name, string(b))
			continue
		}
		if !httpauth.CheckCSRF(r, f.Get("csrf")) {
			return f, nil, nil, errCSRF
		}
		b, err := io.ReadAll(io.LimitReader(part, incidents.EvidenceMax+1))
		switch {
		case errors.As(err, &mb):
			if fileErr == nil {
				fileErr = tooLarge
			}
		case err != nil:
			return f, nil, nil, errs.New(errs.Invalid, "error.bad_form")
		case len(b) == 0 && part.FileName() == "":
			// The file field was left empty.
		case fileErr != nil:
			// One file was refused already: the others are not kept.
		case len(b) > incidents.EvidenceMax:
			fileErr = tooLarge
		case len(files) == max:
			fileErr = errs.Field("file", "incident.evidence.too_many", max)
			files = nil
		default:
			files = append(files, store.EvidenceFile{Name: part.FileName(), Data: b})
		}
		if errors.As(err, &mb) {
			break
		}
	}
	if !httpauth.CheckCSRF(r, f.Get("csrf")) {
		return f, nil, nil, errCSRF
	}
	if fileErr != nil {
		files = nil
	}
	return f, files, fileErr, nil
}

// reportIncident records a report. The reporter is thanked on the form
// again: the record is the commission's, and they cannot see it.
func (s *Server) reportIncident(w http.ResponseWriter, r *http.Request) {
	f, files, fileErr, err := s.readEvidenceForm(w, r, store.ReportMaxFiles)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	actor := httpauth.From(r).UserID()
	in, shown, candidates, err := s.readIncidentForm(f)
	var commission int64
	if err == nil {
		commission, _ = strconv.ParseInt(f.Get("commission"), 10, 64)
		var ts []store.ReportTarget
		if ts, err = s.db.ReportTargets(r.Context(), actor); err == nil &&
			!slices.ContainsFunc(ts, func(t store.ReportTarget) bool { return t.ID == commission }) {
			err = errs.Field("commission", "rp.report.commission.choose")
		}
	}
	names := lines(f.Get("people"))
	if err == nil && strings.TrimSpace(f.Get("affected")) == "" {
		in.Affected = len(names)
	}
	if err == nil && fileErr != nil {
		err = fileErr
	}
	if err == nil {
		_, err = s.db.ReportIncident(r.Context(), actor, commission, store.Report{Input: in, People: names, Evidence: files}, s.places.Valid)
	}
	if err != nil {
		p := s.page(r, "", nil)
		p.Form = shown
		p, d, perr := s.reportView(r, p, incidents.Incident{})
		if perr != nil {
			s.fail(w, r, perr, "", nil)
			return
		}
		if c := shown.Get("commission"); c != "" {
			p.Form.Set("commission", c)
		}
		d.Candidates = candidates
		s.fail(w, r, err, "rights_report", p)
		return
	}
	redirect(w, r, "/incidents/new?done=rp_sent")
}

// incidentValues are the form's values of an incident.
func (s *Server) incidentValues(in incidents.Incident) url.Values {
	at := in.At.In(store.Lima)
	f := url.Values{"kind": {string(in.Kind)}, "date": {at.Format(time.DateOnly)}, "time": {at.Format("15:04")}, "place_q": {s.placeText(in.Place)},
		"force": {string(in.Force)}, "affected": {strconv.Itoa(in.Affected)}}
	if in.ActionID != 0 {
		f.Set("action_id", strconv.FormatInt(in.ActionID, 10))
	}
	if sec := in.Secret; sec != nil {
		f.Set("description", sec.Description)
		if sec.Lat != nil && sec.Lon != nil {
			f.Set("lat", strconv.FormatFloat(*sec.Lat, 'f', -1, 64))
			f.Set("lon", strconv.FormatFloat(*sec.Lon, 'f', -1, 64))
		}
	}
	return f
}

// editIncident is the report form filled with an incident, for the
// commission to correct it.
func (s *Server) editIncident(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	rec, err := s.db.Incident(r.Context(), httpauth.From(r).UserID(), id)
	if err == nil && rec.Secret == nil {
		err = errs.New(errs.Conflict, "rights.locked_down")
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	p.Form = s.incidentValues(rec.Incident)
	if p, _, err = s.reportView(r, p, rec.Incident); err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "rights_report", p)
}

func (s *Server) correctIncident(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	actor := httpauth.From(r).UserID()
	in, shown, candidates, err := s.readIncidentForm(r.PostForm)
	if err == nil {
		err = s.db.CorrectIncident(r.Context(), actor, id, in, s.places.Valid)
	}
	if err != nil {
		// The form again, with the record it corrects (read only now).
		rec, rerr := s.db.Incident(r.Context(), actor, id)
		if rerr != nil {
			s.fail(w, r, rerr, "", nil)
			return
		}
		p := s.page(r, "", nil)
		p.Form = shown
		p, d, perr := s.reportView(r, p, rec.Incident)
		if perr != nil {
			s.fail(w, r, perr, "", nil)
			return
		}
		d.Candidates = candidates
		s.fail(w, r, err, "rights_report", p)
		return
	}
	redirect(w, r, incidentPath(id)+"?done=rp_corrected")
}

// --- a commission's incidents ---

type incidentRow struct {
	incidents.Incident
	Excerpt string
}

type incidentListData struct {
	Commission int64
	Rows       []incidentRow
	Kinds      []incidents.Kind
	States     []incidents.State
	Next       string // the next page's address
}

// excerptLen is how much of a description the list shows.
const excerptLen = 140

func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= excerptLen {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:excerptLen])) + "…"
}

// recordsFailed shows why a commission's records cannot be read (the key
// to unlock, or destroyed) with the way to its home; anything else as
// usual.
func (s *Server) recordsFailed(w http.ResponseWriter, r *http.Request, err error, commission int64) {
	e := errs.As(err)
	if e.Code != errs.Conflict {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "rp.records.closed", commission)
	p.Error = p.L.T(e.Key, e.Args...)
	s.render(w, r, http.StatusConflict, "rights_closed", p)
}

// incidentList lists a commission's incidents, for its members.
func (s *Server) incidentList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	q := r.URL.Query()
	f := store.IncidentFilter{State: incidents.State(q.Get("state")), Kind: incidents.Kind(q.Get("kind"))}
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	list, err := s.db.Incidents(r.Context(), httpauth.From(r).UserID(), id, f)
	if err != nil {
		s.recordsFailed(w, r, err, id)
		return
	}
	d := incidentListData{Commission: id, Kinds: incidents.Kinds, States: []incidents.State{incidents.Reported, incidents.Verified, incidents.Rejected}}
	for _, in := range list {
		row := incidentRow{Incident: in}
		if in.Secret != nil {
			row.Excerpt = excerpt(in.Secret.Description)
		}
		d.Rows = append(d.Rows, row)
	}
	kept := url.Values{}
	for _, k := range []string{"state", "kind"} {
		if v := q.Get(k); v != "" {
			kept.Set(k, v)
		}
	}
	if len(list) == store.IncidentPageSize {
		next := url.Values{"before": {strconv.FormatInt(list[len(list)-1].ID, 10)}}
		for k, v := range kept {
			next[k] = v
		}
		d.Next = commissionPath(id) + "/incidents?" + next.Encode()
	}
	p := s.page(r, "rp.incidents.title", d)
	p.Form = kept
	s.render(w, r, http.StatusOK, "rights_incidents", p)
}

// --- one incident ---

type incidentData struct {
	incidents.Record
	Coords   string
	Statuses []incidents.Status
	MaxMB    int
}

func (s *Server) incidentView(r *http.Request, id int64, p *Page) (*Page, error) {
	rec, err := s.db.Incident(r.Context(), httpauth.From(r).UserID(), id)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = s.page(r, "", nil)
		if rec.Kind == incidents.Detained {
			p.Form.Set("status", string(incidents.StillDetained))
		}
	}
	d := incidentData{Record: rec, Statuses: incidents.Statuses, MaxMB: incidents.EvidenceMax >> 20}
	if sec := rec.Secret; sec != nil && sec.Lat != nil && sec.Lon != nil {
		d.Coords = strconv.FormatFloat(*sec.Lat, 'f', -1, 64) + ", " + strconv.FormatFloat(*sec.Lon, 'f', -1, 64)
	}
	p.Data = d
	p.Title = p.L.T("rp.incident.title", p.L.T("rp.kind."+string(rec.Kind)), p.L.Date(rec.At))
	return p, nil
}

// incidentPage shows one incident to its commission's members: both its
// halves, its people and evidence, and the forms that verify, correct and
// complete it.
func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request) {
	s.showByID(w, r, "rights_incident", s.incidentView)
}

// incidentFailed shows the incident's page again with a refusal, the form's
// values kept.
func (s *Server) incidentFailed(w http.ResponseWriter, r *http.Request, id int64, f url.Values, err error) {
	p := s.page(r, "", nil)
	for k, v := range f {
		if k != "csrf" {
			p.Form[k] = v
		}
	}
	p, perr := s.incidentView(r, id, p)
	if perr != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.fail(w, r, err, "rights_incident", p)
}

func (s *Server) checkIncident(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	c := incidents.Check{State: incidents.State(r.PostForm.Get("state")), Note: r.PostForm.Get("note")}
	if err := s.db.CheckIncident(r.Context(), httpauth.From(r).UserID(), id, c); err != nil {
		s.incidentFailed(w, r, id, r.PostForm, err)
		return
	}
	redirect(w, r, incidentPath(id)+"?done=rp_checked")
}

// addEvidence adds one file to an incident.
func (s *Server) addEvidence(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	f, files, err, ferr := s.readEvidenceForm(w, r, 1)
	if ferr != nil {
		s.fail(w, r, ferr, "", nil)
		return
	}
	if err == nil && len(files) == 0 {
		err = errs.Field("file", "incident.evidence.empty")
	}
	if err == nil {
		_, err = s.db.AddEvidence(r.Context(), httpauth.From(r).UserID(), id, files[0])
	}
	if err != nil {
		s.incidentFailed(w, r, id, f, err)
		return
	}
	redirect(w, r, incidentPath(id)+"?done=rp_evidence_added#evidence")
}

// evidence serves an evidence file to its commission's members, as a
// download only.
func (s *Server) evidence(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	e, err := s.db.EvidenceFile(r.Context(), httpauth.From(r).UserID(), id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	h := w.Header()
	h.Set("Content-Type", e.Type)
	h.Set("Content-Length", strconv.Itoa(len(e.Data)))
	h.Set("Content-Disposition", attachment(e.Name, "evidencia"))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(e.Data)
}

// attachment is a Content-Disposition that downloads a file as name.
func attachment(name, fallback string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return mime.FormatMediaType("attachment", map[string]string{"filename": fallback})
}

// --- people ---

type personData struct {
	Post       string
	Commission int64
	IncidentID int64
	PersonID   int64
	Sealed     bool
	Statuses   []incidents.Status
}

// personFields are the fields of the person form.
var personFields = []string{"name", "age", "status", "held", "charges", "lawyer", "next_hearing", "notes", "incident_id"}

func readPersonForm(f url.Values) (incidents.PersonInput, error) {
	in := incidents.PersonInput{Status: incidents.Status(f.Get("status")), PersonSet: incidents.PersonSet{Name: f.Get("name"), Held: f.Get("held"),
		Charges: f.Get("charges"), Lawyer: f.Get("lawyer"), NextHearing: f.Get("next_hearing"), Notes: f.Get("notes")}}
	if v := strings.TrimSpace(f.Get("age")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return in, errs.Field("age", "incident.age.range", incidents.AgeMax)
		}
		in.Age = n
	}
	if v := strings.TrimSpace(f.Get("incident_id")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return in, errs.Field("incident_id", "incident.not_found")
		}
		in.IncidentID = n
	}
	return in, nil
}

func personValues(pe incidents.Person) url.Values {
	f := url.Values{"status": {string(pe.Status)}}
	if sec := pe.Secret; sec != nil {
		f.Set("name", sec.Name)
		if sec.Age > 0 {
			f.Set("age", strconv.Itoa(sec.Age))
		}
		f.Set("held", sec.Held)
		f.Set("charges", sec.Charges)
		f.Set("lawyer", sec.Lawyer)
		f.Set("next_hearing", sec.NextHearing)
		f.Set("notes", sec.Notes)
	}
	return f
}

func keptForm(f url.Values, keys []string) url.Values {
	out := url.Values{}
	for _, k := range keys {
		if v := f.Get(k); v != "" {
			out.Set(k, v)
		}
	}
	return out
}

// newPerson is the form that records a detainee with no incident.
func (s *Server) newPerson(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	// Only its members reach the form; the records must be open.
	if err := s.db.RecordsOpen(r.Context(), httpauth.From(r).UserID(), id); err != nil {
		s.recordsFailed(w, r, err, id)
		return
	}
	p := s.page(r, "rp.person.new", personData{Post: commissionPath(id) + "/people", Commission: id, Statuses: incidents.Statuses})
	p.Form.Set("status", string(incidents.StillDetained))
	s.render(w, r, http.StatusOK, "rights_person", p)
}

// addPerson records a person: of an incident, from the incident's page, or
// a detainee with no incident, from the person form.
func (s *Server) addPerson(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	in, err := readPersonForm(r.PostForm)
	var person int64
	if err == nil {
		person, err = s.db.AddPerson(r.Context(), httpauth.From(r).UserID(), id, in)
	}
	if err != nil {
		if in.IncidentID > 0 {
			s.incidentFailed(w, r, in.IncidentID, keptForm(r.PostForm, personFields), err)
			return
		}
		p := s.page(r, "rp.person.new", personData{Post: commissionPath(id) + "/people", Commission: id, Statuses: incidents.Statuses})
		p.Form = keptForm(r.PostForm, personFields)
		s.fail(w, r, err, "rights_person", p)
		return
	}
	if in.IncidentID > 0 {
		redirect(w, r, incidentPath(in.IncidentID)+"?done=rp_person_added#people")
		return
	}
	redirect(w, r, "/people/"+strconv.FormatInt(person, 10)+"?done=rp_person_added")
}

func (s *Server) personView(r *http.Request, id int64, p *Page) (*Page, incidents.Person, error) {
	pe, err := s.db.Person(r.Context(), httpauth.From(r).UserID(), id)
	if err != nil {
		return nil, pe, err
	}
	if p == nil {
		p = s.page(r, "", nil)
		p.Form = personValues(pe)
	}
	p.Data = personData{Post: "/people/" + strconv.FormatInt(id, 10), Commission: pe.CommissionID, IncidentID: pe.IncidentID, PersonID: id,
		Sealed: pe.Secret == nil, Statuses: incidents.Statuses}
	p.Title = p.L.T("rp.person.edit")
	return p, pe, nil
}

// personPage is the form that keeps a person's record: where they are
// held, charges, lawyer, next hearing.
func (s *Server) personPage(w http.ResponseWriter, r *http.Request) {
	s.showByID(w, r, "rights_person", func(r *http.Request, id int64, p *Page) (*Page, error) {
		p, _, err := s.personView(r, id, p)
		return p, err
	})
}

func (s *Server) updatePerson(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	in, err := readPersonForm(r.PostForm)
	if err == nil {
		err = s.db.UpdatePerson(r.Context(), httpauth.From(r).UserID(), id, in)
	}
	if err != nil {
		p := s.page(r, "", nil)
		p.Form = keptForm(r.PostForm, personFields)
		p, _, perr := s.personView(r, id, p)
		if perr != nil {
			s.fail(w, r, err, "", nil)
			return
		}
		s.fail(w, r, err, "rights_person", p)
		return
	}
	redirect(w, r, "/people/"+strconv.FormatInt(id, 10)+"?done=rp_person_saved")
}

type prisonersData struct {
	Commission int64
	People     []incidents.Person
}

// prisoners is a commission's list of political prisoners.
func (s *Server) prisoners(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	list, err := s.db.Prisoners(r.Context(), httpauth.From(r).UserID(), id)
	if err != nil {
		s.recordsFailed(w, r, err, id)
		return
	}
	s.render(w, r, http.StatusOK, "rights_prisoners", s.page(r, "rp.prisoners.title", prisonersData{Commission: id, People: list}))
}

// exportRecords downloads everything the commission can read, as CSV or
// JSON, for lawyers and human-rights organisations. The store journals it.
func (s *Server) exportRecords(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	format, ctype := "csv", "text/csv; charset=utf-8"
	if strings.HasSuffix(r.URL.Path, ".json") {
		format, ctype = "json", "application/json"
	}
	x, err := s.db.ExportRecords(r.Context(), httpauth.From(r).UserID(), id, format)
	if err != nil {
		s.recordsFailed(w, r, err, id)
		return
	}
	var buf bytes.Buffer
	if format == "csv" {
		err = incidents.WriteCSV(&buf, x, store.Lima)
	} else {
		err = incidents.WriteJSON(&buf, x)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", attachment("registros-"+strconv.FormatInt(id, 10)+"-"+x.At.In(store.Lima).Format("2006-01-02")+"."+format, "registros."+format))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
}

// --- the public figures ---

type figureRow struct {
	Kind      incidents.Kind
	Incidents string
	People    string
}

type cellRow struct {
	figureRow
	Department string
	Week       string
}

type figuresData struct {
	Totals      []figureRow
	Cells       []cellRow
	More        int // cells beyond those shown
	Prisoners   string
	Pending     int
	Departments []places.Place
	Department  string // the filter, its name
}

// figureCells is how many cells of the table the page shows.
const figureCells = 150

// countText is a public count in words: "fewer than 3", "more than N" or N.
func countText(l *i18n.Localizer, c incidents.Count) string {
	switch {
	case c.Fewer, c.More && c.N == 0:
		// A total whose only cell is hidden is that cell: fewer than 3.
		return l.T("rp.count.fewer", incidents.Fewer)
	case c.More:
		return l.T("rp.count.more", c.N)
	}
	return strconv.Itoa(c.N)
}

// repression is the public page of the figures of repression: verified
// incidents by kind, department and week, small counts hidden, and the
// number of political prisoners. No record is shown, only counts.
func (s *Server) repression(w http.ResponseWriter, r *http.Request) {
	dept := r.URL.Query().Get("department")
	if len(dept) == 6 && strings.HasSuffix(dept, "0000") {
		dept = dept[:2]
	}
	if len(dept) != 2 || !s.places.Valid(dept+"0000") {
		dept = ""
	}
	fig, err := s.db.RepressionFigures(r.Context(), store.FiguresFilter{Department: dept})
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "rp.public.title", nil)
	l := p.L
	d := figuresData{Prisoners: countText(l, fig.Prisoners), Pending: fig.Pending, Departments: s.places.Departments()}
	if dept != "" {
		p.Form.Set("department", dept)
		d.Department = s.departmentName(dept)
	}
	for _, t := range fig.Totals {
		d.Totals = append(d.Totals, figureRow{Kind: t.Kind, Incidents: countText(l, t.Incidents), People: countText(l, t.People)})
	}
	for i, c := range fig.Cells {
		if i == figureCells {
			d.More = len(fig.Cells) - i
			break
		}
		week := c.Week
		if t, err := time.ParseInLocation(time.DateOnly, c.Week, store.Lima); err == nil {
			week = l.Date(t.Add(12 * time.Hour))
		}
		d.Cells = append(d.Cells, cellRow{figureRow: figureRow{Kind: c.Kind, Incidents: countText(l, c.Incidents), People: countText(l, c.People)},
			Department: s.departmentName(c.Department), Week: week})
	}
	p.Data = d
	s.render(w, r, http.StatusOK, "rights_public", p)
}

// departmentName is a department's name from its two-digit code.
func (s *Server) departmentName(code string) string {
	if pl, ok := s.places.Lookup(code + "0000"); ok {
		return pl.Name
	}
	return code
}
