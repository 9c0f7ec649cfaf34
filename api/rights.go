package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/incidents"
	"asamblea/places"
	"asamblea/store"
)

// rightsRoutes lists the routes of commissions and their repression records.
//
// A commission is a body: its page, members and journal are the body
// routes'. What is its own are the members its parent body appoints and,
// for a rights commission, the key its records are sealed to and the
// records themselves. Anyone outside the commission — the person who
// reported included — gets 404 from every route of its records, as for a
// record that does not exist. None of them is ever cached.
func (a *API) rightsRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	pub := httpauth.Public
	in := func(method, path string, h http.HandlerFunc) httpauth.Route {
		return rt(method, path, httpauth.SignedIn, noStore(h))
	}
	return []httpauth.Route{
		in("GET", "/bodies/{id}/commissions", a.commissionsOf),
		in("POST", "/bodies/{id}/commissions", a.createCommission),
		in("PUT", "/commissions/{id}/members/{user}", a.appointCommissioner),
		in("DELETE", "/commissions/{id}/members/{user}", a.removeCommissioner),
		in("GET", "/commissions/{id}/records", a.recordsState),
		in("POST", "/commissions/{id}/records", a.setUpRecords),
		in("POST", "/commissions/{id}/unlock", a.unlockRecords),
		in("POST", "/commissions/{id}/lock", a.lockRecords),
		in("PUT", "/commissions/{id}/passphrase", a.setPassphrase),
		in("POST", "/commissions/{id}/grants", a.grantKey),
		in("PUT", "/commissions/{id}/settings", a.recordsSettings),
		in("POST", "/commissions/{id}/lockdown", a.lockdown),
		in("GET", "/report-targets", a.reportTargets),
		in("POST", "/commissions/{id}/incidents", a.reportIncident),
		in("GET", "/commissions/{id}/incidents", a.incidentsOf),
		in("GET", "/incidents/{id}", a.getIncident),
		in("PUT", "/incidents/{id}", a.correctIncident),
		in("POST", "/incidents/{id}/check", a.checkIncident),
		in("POST", "/incidents/{id}/evidence", a.addEvidence),
		in("GET", "/evidence/{id}", a.evidenceFile),
		in("POST", "/commissions/{id}/people", a.addPerson),
		in("GET", "/people/{id}", a.getPerson),
		in("PUT", "/people/{id}", a.updatePerson),
		in("GET", "/commissions/{id}/prisoners", a.prisoners),
		in("GET", "/commissions/{id}/export", a.exportRecords),
		rt("GET", "/repression", pub, a.repression),
	}
}

// noStore marks every answer of h, a 204 included, as not to be cached.
func noStore(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h(w, r)
	}
}

// commissionsOf lists a body's commissions to its members.
func (a *API) commissionsOf(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(body int64) (any, error) {
		list, err := a.db.Commissions(r.Context(), actor(r), body)
		return map[string]any{"commissions": nonNil(list)}, err
	})
}

// createCommission sets up a commission of a body (its facilitators); the
// first member named facilitates it.
func (a *API) createCommission(w http.ResponseWriter, r *http.Request) {
	var in store.CommissionInput
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(body int64) (any, error) {
		c, err := a.db.CreateCommission(r.Context(), actor(r), body, in)
		if err == nil {
			w.Header().Set("Location", Prefix+"/bodies/"+strconv.FormatInt(c.ID, 10))
		}
		return c, err
	})
}

// appointCommissioner adds a member of the parent body to a commission or
// changes their role in it (the parent body's facilitators); role ""
// removes them.
func (a *API) appointCommissioner(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Role *bodies.Role `json:"role"`
	}
	if !a.input(w, r, &in) {
		return
	}
	if in.Role == nil {
		a.Error(w, r, errs.Field("role", "error.required"))
		return
	}
	a.appoint(w, r, *in.Role)
}

// removeCommissioner takes someone off a commission, with their passphrase.
func (a *API) removeCommissioner(w http.ResponseWriter, r *http.Request) {
	if a.csrf(w, r) {
		a.appoint(w, r, bodies.None)
	}
}

func (a *API) appoint(w http.ResponseWriter, r *http.Request, role bodies.Role) {
	user, err := pathID(r, "user")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	a.change(w, r, 0, func(commission int64) (any, error) {
		return nil, a.db.AppointCommissioner(r.Context(), actor(r), commission, user, role)
	})
}

// recordsState tells a member how the commission's key stands for them.
func (a *API) recordsState(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(commission int64) (any, error) {
		return a.state(r, commission)
	})
}

func (a *API) state(r *http.Request, commission int64) (any, error) {
	info, err := a.db.RecordsState(r.Context(), actor(r), commission)
	if err != nil {
		return nil, err
	}
	info.Pending = nonNil(info.Pending)
	return info, nil
}

// setUpRecords creates the commission's key (its facilitators), the first
// time or after a lockdown.
func (a *API) setUpRecords(w http.ResponseWriter, r *http.Request) {
	var in store.RecordsSetup
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(commission int64) (any, error) {
		if err := a.db.SetUpRecords(r.Context(), actor(r), commission, in); err != nil {
			return nil, err
		}
		return a.state(r, commission)
	})
}

// passphraseInput is a member's passphrase.
type passphraseInput struct {
	Passphrase string `json:"passphrase"`
}

// unlockRecords opens the commission's key with the caller's passphrase,
// for store.UnlockFor on this node.
func (a *API) unlockRecords(w http.ResponseWriter, r *http.Request) {
	var in passphraseInput
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, 0, func(commission int64) (any, error) {
		return nil, a.db.Unlock(r.Context(), actor(r), commission, in.Passphrase)
	})
}

// lockRecords forgets the key the caller unlocked.
func (a *API) lockRecords(w http.ResponseWriter, r *http.Request) {
	if !a.csrf(w, r) {
		return
	}
	a.change(w, r, 0, func(commission int64) (any, error) {
		return nil, a.db.Lock(r.Context(), actor(r), commission)
	})
}

// setPassphrase sets or changes the caller's passphrase for the key.
func (a *API) setPassphrase(w http.ResponseWriter, r *http.Request) {
	var in passphraseInput
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusOK, func(commission int64) (any, error) {
		if err := a.db.SetPassphrase(r.Context(), actor(r), commission, in.Passphrase); err != nil {
			return nil, err
		}
		return a.state(r, commission)
	})
}

// grantKey gives the key to a member who set a passphrase; the caller
// must be able to read it.
func (a *API) grantKey(w http.ResponseWriter, r *http.Request) {
	var in struct {
		User int64 `json:"user"`
	}
	if !a.input(w, r, &in) {
		return
	}
	if in.User <= 0 {
		a.Error(w, r, errs.Field("user", "error.required"))
		return
	}
	a.change(w, r, 0, func(commission int64) (any, error) {
		return nil, a.db.Grant(r.Context(), actor(r), commission, in.User)
	})
}

// recordsSettings changes whether coordinates and images are kept as given.
func (a *API) recordsSettings(w http.ResponseWriter, r *http.Request) {
	var in incidents.Settings
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusOK, func(commission int64) (any, error) {
		if err := a.db.UpdateRecordsSettings(r.Context(), actor(r), commission, in.ExactCoords, in.OriginalImages); err != nil {
			return nil, err
		}
		return a.state(r, commission)
	})
}

// lockdown destroys the commission's key; confirm must be its name.
func (a *API) lockdown(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Confirm string `json:"confirm"`
	}
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, 0, func(commission int64) (any, error) {
		return nil, a.db.Lockdown(r.Context(), actor(r), commission, in.Confirm)
	})
}

// reportTargets lists the commissions the caller may report to.
func (a *API) reportTargets(w http.ResponseWriter, r *http.Request) {
	list, err := a.db.ReportTargets(r.Context(), actor(r))
	if err != nil {
		a.Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"targets": nonNil(list)})
}

// evidenceInput is a file sent in JSON, its bytes in base64.
type evidenceInput struct {
	Name string `json:"name"`
	Data string `json:"data"`
}

// file decodes the file; field names it in errors.
func (in evidenceInput) file(field string) (store.EvidenceFile, error) {
	b, err := base64.StdEncoding.DecodeString(in.Data)
	if err != nil {
		e := errs.New(errs.Invalid, "error.bad_json", fmt.Sprintf("field %q must be base64", field))
		e.Field = field
		return store.EvidenceFile{}, e
	}
	return store.EvidenceFile{Name: in.Name, Data: b}, nil
}

// base64Len is the length of n bytes in base64.
func base64Len(n int) int64 { return int64(base64.StdEncoding.EncodedLen(n)) }

// reportMax bounds a report's body: its files at their largest in base64,
// and the rest.
var reportMax = store.ReportMaxFiles*base64Len(incidents.EvidenceMax) + bodyMax

// evidenceMax bounds the body of one file sent in JSON.
var evidenceMax = base64Len(incidents.EvidenceMax) + bodyMax

// renameField gives an invalid-input error the field names[field] instead of
// the field it names, when names has it: the store names fields as the
// pages' forms do, the API names them as its JSON does.
func renameField(err error, names map[string]string) error {
	if err == nil {
		return nil
	}
	e := errs.As(err)
	to, ok := names[e.Field]
	if e.Code != errs.Invalid || !ok {
		return err
	}
	c := *e
	c.Field = to
	return &c
}

// withFiles runs fn, when a request carries files, in one of the slots that
// bound how many images are decoded at once.
func withFiles[T any](r *http.Request, files int, fn func() (T, error)) (T, error) {
	if files > 0 {
		select {
		case photoSlots <- struct{}{}:
			defer func() { <-photoSlots }()
		case <-r.Context().Done():
			var zero T
			return zero, r.Context().Err()
		}
	}
	return fn()
}

// reportIncident reports an incident to a commission: store.Report with
// the time in RFC 3339 and files in base64. Whoever reports cannot read it
// afterwards; the answer is only its id.
func (a *API) reportIncident(w http.ResponseWriter, r *http.Request) {
	var in struct {
		incidents.Input
		// This shadows Input's own, so that a bad time names its field.
		At       json.RawMessage `json:"at"`
		People   []string        `json:"people"`
		Evidence []evidenceInput `json:"evidence"`
	}
	if !a.inputMax(w, r, &in, reportMax) {
		return
	}
	rep := store.Report{Input: in.Input, People: in.People}
	var err error
	if rep.At, err = jsonTime("at", in.At); err != nil {
		a.Error(w, r, err)
		return
	}
	if len(in.Evidence) > store.ReportMaxFiles {
		a.Error(w, r, errs.Field("evidence", "incident.evidence.too_many", store.ReportMaxFiles))
		return
	}
	for i, f := range in.Evidence {
		ef, err := f.file(fmt.Sprintf("evidence[%d].data", i))
		if err != nil {
			a.Error(w, r, err)
			return
		}
		rep.Evidence = append(rep.Evidence, ef)
	}
	in.Evidence = nil
	a.change(w, r, http.StatusCreated, func(commission int64) (any, error) {
		id, err := withFiles(r, len(rep.Evidence), func() (int64, error) {
			return a.db.ReportIncident(r.Context(), actor(r), commission, rep, a.places.Valid)
		})
		if err != nil {
			return nil, renameField(err, map[string]string{"file": "evidence", "name": "people"})
		}
		return map[string]int64{"id": id}, nil
	})
}

// incidentsOf lists a commission's incidents, newest first: ?state= and
// ?kind= narrow it, ?before= (an id) pages back, ?limit= bounds it.
func (a *API) incidentsOf(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.IncidentFilter{State: incidents.State(q.Get("state")), Kind: incidents.Kind(q.Get("kind"))}
	switch f.State {
	case "", incidents.Reported, incidents.Verified, incidents.Rejected:
	default:
		a.Error(w, r, errs.Field("state", "incident.state.unknown"))
		return
	}
	if f.Kind != "" && !f.Kind.Valid() {
		a.Error(w, r, errs.Field("kind", "incident.kind.unknown"))
		return
	}
	var err error
	if f.Before, err = queryNumber(r, "before", 1, math.MaxInt64); err != nil {
		a.Error(w, r, err)
		return
	}
	limit, err := queryNumber(r, "limit", 1, store.IncidentPageSize)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	f.Limit = int(limit)
	a.change(w, r, http.StatusOK, func(commission int64) (any, error) {
		list, err := a.db.Incidents(r.Context(), actor(r), commission, f)
		return map[string]any{"incidents": nonNil(list)}, err
	})
}

// getIncident answers an incident with its people and its evidence's
// metadata.
func (a *API) getIncident(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		return a.record(r, id)
	})
}

func (a *API) record(r *http.Request, id int64) (any, error) {
	rec, err := a.db.Incident(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	rec.People, rec.Evidence = nonNil(rec.People), nonNil(rec.Evidence)
	return rec, nil
}

// correctIncident rewrites an incident's details; who reported it and its
// verification stay.
func (a *API) correctIncident(w http.ResponseWriter, r *http.Request) {
	var in struct {
		incidents.Input
		// This shadows Input's own, so that a bad time names its field.
		At json.RawMessage `json:"at"`
	}
	if !a.input(w, r, &in) {
		return
	}
	var err error
	if in.Input.At, err = jsonTime("at", in.At); err != nil {
		a.Error(w, r, err)
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		if err := a.db.CorrectIncident(r.Context(), actor(r), id, in.Input, a.places.Valid); err != nil {
			return nil, err
		}
		return a.record(r, id)
	})
}

// checkIncident records the commission's verdict on a report.
func (a *API) checkIncident(w http.ResponseWriter, r *http.Request) {
	var in incidents.Check
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		if err := a.db.CheckIncident(r.Context(), actor(r), id, in); err != nil {
			return nil, err
		}
		return a.record(r, id)
	})
}

// addEvidence adds a file to an incident: the file itself as the body
// (named by ?name=), or JSON {"name", "data"} with data in base64.
func (a *API) addEvidence(w http.ResponseWriter, r *http.Request) {
	var f store.EvidenceFile
	field := "file"
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/json" {
		var in evidenceInput
		if !a.inputMax(w, r, &in, evidenceMax) {
			return
		}
		var err error
		field = "data"
		if f, err = in.file(field); err != nil {
			a.Error(w, r, err)
			return
		}
	} else {
		if !a.csrf(w, r) {
			return
		}
		data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, incidents.EvidenceMax))
		var big *http.MaxBytesError
		switch {
		case errors.As(err, &big):
			a.Error(w, r, errs.Field(field, "incident.evidence.too_large", incidents.EvidenceMax>>20))
			return
		case err != nil:
			a.Error(w, r, errs.New(errs.Invalid, "error.bad_form"))
			return
		}
		f = store.EvidenceFile{Name: r.URL.Query().Get("name"), Data: data}
	}
	a.change(w, r, http.StatusCreated, func(id int64) (any, error) {
		e, err := withFiles(r, 1, func() (incidents.Evidence, error) {
			return a.db.AddEvidence(r.Context(), actor(r), id, f)
		})
		if err != nil {
			return nil, renameField(err, map[string]string{"file": field})
		}
		w.Header().Set("Location", Prefix+"/evidence/"+strconv.FormatInt(e.ID, 10))
		return e, nil
	})
}

// evidenceFile serves an evidence file, as a download.
func (a *API) evidenceFile(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	e, err := a.db.EvidenceFile(r.Context(), actor(r), id)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", e.Type)
	h.Set("Content-Length", strconv.Itoa(len(e.Data)))
	h.Set("Content-Disposition", attachment(e.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(e.Data)
}

// attachment is a Content-Disposition that downloads a file as name.
func attachment(name string) string {
	if d := mime.FormatMediaType("attachment", map[string]string{"filename": name}); d != "" {
		return d
	}
	return "attachment"
}

// addPerson records a person affected or detained.
func (a *API) addPerson(w http.ResponseWriter, r *http.Request) {
	var in incidents.PersonInput
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusCreated, func(commission int64) (any, error) {
		id, err := a.db.AddPerson(r.Context(), actor(r), commission, in)
		if err != nil {
			return nil, err
		}
		p, err := a.db.Person(r.Context(), actor(r), id)
		if err == nil {
			w.Header().Set("Location", Prefix+"/people/"+strconv.FormatInt(id, 10))
		}
		return p, err
	})
}

// getPerson answers a person's record.
func (a *API) getPerson(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		return a.db.Person(r.Context(), actor(r), id)
	})
}

// updatePerson rewrites a person's record; the incident it belongs to
// stays (incident_id is ignored).
func (a *API) updatePerson(w http.ResponseWriter, r *http.Request) {
	var in incidents.PersonInput
	if !a.input(w, r, &in) {
		return
	}
	a.change(w, r, http.StatusOK, func(id int64) (any, error) {
		if err := a.db.UpdatePerson(r.Context(), actor(r), id, in); err != nil {
			return nil, err
		}
		return a.db.Person(r.Context(), actor(r), id)
	})
}

// prisoners is the commission's political-prisoners list.
func (a *API) prisoners(w http.ResponseWriter, r *http.Request) {
	a.change(w, r, http.StatusOK, func(commission int64) (any, error) {
		list, err := a.db.Prisoners(r.Context(), actor(r), commission)
		return map[string]any{"prisoners": nonNil(list)}, err
	})
}

// exportRecords downloads every record the commission can read, as CSV or
// JSON (?format=); the journal records who took it.
func (a *API) exportRecords(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		a.Error(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	x, err := a.db.ExportRecords(r.Context(), actor(r), id, format)
	if err != nil {
		a.Error(w, r, err)
		return
	}
	var b bytes.Buffer
	ctype := "application/json; charset=utf-8"
	if format == "csv" {
		ctype = "text/csv; charset=utf-8"
		err = incidents.WriteCSV(&b, x, store.Lima)
	} else {
		x.Records, x.Detainees = nonNil(x.Records), nonNil(x.Detainees)
		err = incidents.WriteJSON(&b, x)
	}
	if err != nil {
		a.Error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="registros-%d-%s.%s"`, id, x.At.In(store.Lima).Format("20060102-1504"), format))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	w.Write(b.Bytes())
}

// repression answers the public figures of repression, of the whole
// country or of one department (?department=, as the figures name it: "21",
// or its code in the place table: "210000").
func (a *API) repression(w http.ResponseWriter, r *http.Request) {
	d := r.URL.Query().Get("department")
	if d != "" {
		var ok bool
		if d, ok = a.department(d); !ok {
			a.Error(w, r, errs.Field("department", "body.place.unknown", r.URL.Query().Get("department")))
			return
		}
	}
	f, err := a.db.RepressionFigures(r.Context(), store.FiguresFilter{Department: d})
	if err != nil {
		a.Error(w, r, err)
		return
	}
	f.Totals, f.Cells = nonNil(f.Totals), nonNil(f.Cells)
	writeJSON(w, http.StatusOK, f)
}

// department returns the department code the figures use (places.DepartmentOf)
// for a department given by that code or its code in the place table.
func (a *API) department(code string) (string, bool) {
	for _, p := range a.places.Departments() {
		if d := places.DepartmentOf(p.Code); code == d || code == p.Code {
			return d, true
		}
	}
	return "", false
}
