package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"asamblea/authz"
	"asamblea/errs"
	"asamblea/incidents"
	"asamblea/places"
	"asamblea/vault"
)

// Report is what a person reports: the incident, the names of the people
// affected, if known, and evidence files.
type Report struct {
	incidents.Input
	People   []string       `json:"people"` // names or aliases
	Evidence []EvidenceFile `json:"evidence"`
}

// EvidenceFile is an uploaded file.
type EvidenceFile struct {
	Name string `json:"name"`
	Data []byte `json:"data"` // base64 in JSON
}

// ReportMaxPeople is how many names a report may carry.
const ReportMaxPeople = 50

// ReportMaxFiles is how many evidence files a report may carry.
const ReportMaxFiles = 5

// ReportTarget is a commission a person may report to.
type ReportTarget struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	ParentID   int64  `json:"parent_id"`
	ParentName string `json:"parent_name"`
}

// ReportTargets lists the rights commissions with a live key of the bodies
// actor belongs to and of every assembly above them, nearest first.
func (db *DB) ReportTargets(ctx context.Context, actor int64) ([]ReportTarget, error) {
	var out []ReportTarget
	err := db.View(ctx, func(tx *Tx) error {
		var err error
		out, err = queryAll(tx, func(row scanner, t *ReportTarget) error {
			return row.Scan(&t.ID, &t.Name, &t.ParentID, &t.ParentName)
		}, `SELECT c.id, c.name, p.id, p.name FROM bodies c JOIN bodies p ON p.id = c.parent_id JOIN rights_keys k ON k.commission_id = c.id AND k.public_key IS NOT NULL
			WHERE c.kind = 'commission' AND c.purpose = 'rights' AND c.parent_id IN (
				SELECT a.ancestor_id FROM memberships m JOIN body_ancestry a ON a.body_id = m.body_id WHERE m.user_id = ?
				UNION SELECT assembly_id FROM delegates WHERE user_id = ? AND status = 'seated')
			ORDER BY p.kind DESC, c.id`, actor, actor)
		return err
	})
	return out, err
}

// reporter authorizes actor to report to commission: a member of its body,
// of any body below it, or a delegate seated in it. Anyone else learns
// nothing of it.
func (tx *Tx) reporter(commission int64) (Commission, keyRow, error) {
	c, err := tx.commission(commission)
	if err != nil || c.Purpose != "rights" {
		return c, keyRow{}, errs.New(errs.NotFound, "body.not_found")
	}
	_, s, err := tx.subject(c.ParentID, tx.Actor)
	if err != nil {
		return c, keyRow{}, err
	}
	if tx.Actor != 0 && s.Role == "" && !s.Delegate {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM memberships m JOIN body_ancestry a ON a.body_id = m.body_id WHERE m.user_id = ? AND a.ancestor_id = ?`,
			tx.Actor, c.ParentID).Scan(&n); err != nil {
			return c, keyRow{}, err
		}
		s.Within = n > 0
	}
	if !authz.Allowed(authz.ReportIncident, s) {
		return c, keyRow{}, errs.New(errs.NotFound, "body.not_found")
	}
	k, err := tx.keyRow(commission)
	if err != nil {
		return c, k, err
	}
	if _, ok := k.pub(); !ok {
		return c, k, errs.New(errs.Conflict, "rights.no_key")
	}
	return c, k, nil
}

// seal seals v as JSON to the commission's public key, for the record named.
func seal(k keyRow, v any, context string) ([]byte, error) {
	pub, ok := k.pub()
	if !ok {
		return nil, errs.New(errs.Conflict, "rights.locked_down")
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	// Padded with spaces, which JSON ignores, to a size bucket: a sealed
	// name's length, or a sealed photo's size, is not the clear one's.
	padded := make([]byte, vault.PadSize(len(b)))
	copy(padded, b)
	for i := len(b); i < len(padded); i++ {
		padded[i] = ' '
	}
	return vault.Seal(pub, padded, context)
}

// unseal opens a sealed JSON value into v.
func unseal(priv vault.Private, sealed []byte, context string, v any) error {
	b, err := vault.Open(priv, sealed, context)
	if err != nil {
		return fmt.Errorf("store: %s does not open with the commission's key: %w", context, err)
	}
	return json.Unmarshal(b, v)
}

func incidentContext(commission, id int64, epoch int) string {
	return fmt.Sprintf("incident/%d/%d/%d", commission, epoch, id)
}

func personContext(commission, id int64, epoch int) string {
	return fmt.Sprintf("person/%d/%d/%d", commission, epoch, id)
}

func evidenceContext(commission, id int64, epoch int) string {
	return fmt.Sprintf("evidence/%d/%d/%d", commission, epoch, id)
}

// sealedEvidence is what an evidence row seals: the metadata and the file.
type sealedEvidence struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	SHA256   string `json:"sha256"`
	Original string `json:"original"`
	Data     []byte `json:"data"`
}

// ReportIncident records a report to a commission. It starts as reported;
// everything that identifies anyone — who reported included — is sealed to
// the commission's key before it is written.
func (db *DB) ReportIncident(ctx context.Context, actor, commission int64, in Report, validPlace func(string) bool) (int64, error) {
	if len(in.People) > ReportMaxPeople {
		return 0, errs.Field("people", "incident.people.too_many", ReportMaxPeople)
	}
	names := make([]string, 0, len(in.People))
	for _, n := range in.People {
		p := incidents.PersonInput{PersonSet: incidents.PersonSet{Name: n}}
		if strings.TrimSpace(n) == "" {
			continue
		}
		if err := p.Clean(db.Now()); err != nil {
			if e := errs.As(err); e.Code == errs.Invalid {
				e.Field = "people"
			}
			return 0, err
		}
		names = append(names, p.Name)
	}
	if len(in.Evidence) > ReportMaxFiles {
		return 0, errs.Field("file", "incident.evidence.too_many", ReportMaxFiles)
	}
	// Images are re-encoded before the write transaction, which they would
	// otherwise hold for as long as decoding takes.
	var files []incidents.Evidence
	if len(in.Evidence) > 0 {
		k, err := db.reportKey(ctx, actor, commission)
		if err != nil {
			return 0, err
		}
		if files, err = cleanFiles(in.Evidence, k.originals); err != nil {
			return 0, err
		}
	}
	var id int64
	err := db.Update(ctx, actor, func(tx *Tx) error {
		c, k, err := tx.reporter(commission)
		if err != nil {
			return err
		}
		if err := in.Input.Clean(tx.Now, validPlace, k.exact); err != nil {
			return err
		}
		if in.ActionID != 0 {
			if err := tx.linkableAction(in.ActionID, c.ParentID); err != nil {
				return err
			}
		}
		if len(files) > 0 && k.originals != files[0].KeptOriginal {
			// The setting changed meanwhile: clean again as it says now.
			if files, err = cleanFiles(in.Evidence, k.originals); err != nil {
				return err
			}
		}
		var name string
		if err := tx.QueryRow(`SELECT name FROM users WHERE id = ?`, actor).Scan(&name); err != nil {
			return err
		}
		status := incidents.NotHeld
		if in.Kind == incidents.Detained {
			status = incidents.StillDetained
		}
		at := in.At.In(Lima)
		if id, err = tx.Insert(`INSERT INTO rights_incidents (commission_id, epoch, kind, at, week, place, department, force, affected, action_id, state, sealed, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, commission, k.epoch, in.Kind, us(at), us(incidents.WeekOf(at)), in.Place, places.DepartmentOf(in.Place),
			in.Force, in.Affected, in.ActionID, incidents.Reported, []byte{}, usDay(tx.Now), usDay(tx.Now)); err != nil {
			return err
		}
		sealed, err := seal(k, incidents.Secret{Description: in.Description, Lat: in.Lat, Lon: in.Lon, Reporter: actor, ReporterAs: name, ReportedAt: tx.Now.UTC().Format(time.RFC3339)}, incidentContext(commission, id, k.epoch))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE rights_incidents SET sealed = ? WHERE id = ?`, sealed, id); err != nil {
			return err
		}
		// The journal says who reported, sealed for the commission: the
		// chain proves a report was made then, not by whom.
		who, err := seal(k, map[string]any{"reporter": actor}, fmt.Sprintf("journal/incident/%d", id))
		if err != nil {
			return err
		}
		actorWas := tx.Actor
		tx.Actor = 0
		defer func() { tx.Actor = actorWas }()
		payload := map[string]any{"incident": id, "kind": in.Kind, "place": in.Place, "at": at.Format(time.RFC3339), "force": in.Force, "affected": in.Affected,
			"sealed_sha256": sealedSum(sealed), "reporter_sealed": sealedB64(who)}
		if err := tx.Record("incident.reported", commission, payload); err != nil {
			return err
		}
		for _, n := range names {
			if _, err := tx.addPerson(commission, k, incidents.PersonInput{IncidentID: id, Status: status, PersonSet: incidents.PersonSet{Name: n}}); err != nil {
				return err
			}
		}
		for _, e := range files {
			if _, err := tx.addEvidence(commission, id, k, e); err != nil {
				return err
			}
		}
		return nil
	})
	return id, err
}

// reportKey reads, for a reporter, how the commission keeps evidence.
func (db *DB) reportKey(ctx context.Context, actor, commission int64) (keyRow, error) {
	var k keyRow
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = actor
		var err error
		_, k, err = tx.reporter(commission)
		return err
	})
	return k, err
}

func cleanFiles(files []EvidenceFile, originals bool) ([]incidents.Evidence, error) {
	out := make([]incidents.Evidence, 0, len(files))
	for _, f := range files {
		e, err := incidents.CleanEvidence(f.Name, f.Data, originals)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// linkableAction checks that action exists and is visible from body: a
// public action, one body called, or one in body's coordinating view. Any
// other id is refused the same way as one that does not exist.
func (tx *Tx) linkableAction(action, body int64) error {
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM actions a WHERE a.id = ? AND (a.visibility = 'public' OR a.body_id = ?
		OR EXISTS (SELECT 1 FROM action_scope s WHERE s.action_id = a.id AND s.assembly_id = ?))`, action, body, body).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.Field("action_id", "incident.action.unknown")
	}
	return nil
}

func (tx *Tx) addPerson(commission int64, k keyRow, in incidents.PersonInput) (int64, error) {
	id, err := tx.Insert(`INSERT INTO rights_people (commission_id, epoch, incident_id, status, sealed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		commission, k.epoch, in.IncidentID, in.Status, []byte{}, usDay(tx.Now), usDay(tx.Now))
	if err != nil {
		return 0, err
	}
	sealed, err := seal(k, in.PersonSet, personContext(commission, id, k.epoch))
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(`UPDATE rights_people SET sealed = ? WHERE id = ?`, sealed, id); err != nil {
		return 0, err
	}
	return id, tx.Record("person.recorded", commission, map[string]any{"person": id, "incident": in.IncidentID, "status": in.Status, "sealed_sha256": sealedSum(sealed)})
}

func (tx *Tx) addEvidence(commission, incident int64, k keyRow, e incidents.Evidence) (int64, error) {
	id, err := tx.Insert(`INSERT INTO rights_evidence (commission_id, incident_id, epoch, size, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		commission, incident, k.epoch, vault.PadSize(len(e.Data)), []byte{}, usDay(tx.Now))
	if err != nil {
		return 0, err
	}
	sealed, err := seal(k, sealedEvidence{Name: e.Name, Type: e.Type, SHA256: e.SHA256, Original: e.Original, Data: e.Data}, evidenceContext(commission, id, k.epoch))
	if err != nil {
		return 0, err
	}
	if _, err := tx.Exec(`UPDATE rights_evidence SET sealed = ? WHERE id = ?`, sealed, id); err != nil {
		return 0, err
	}
	return id, tx.Record("evidence.added", commission, map[string]any{"evidence": id, "incident": incident, "sealed_sha256": sealedSum(sealed)})
}

// IncidentFilter narrows a commission's list of incidents.
type IncidentFilter struct {
	State  incidents.State `json:"state"`
	Kind   incidents.Kind  `json:"kind"`
	Before int64           `json:"before"` // the id to page from (exclusive); 0 for the newest
	Limit  int             `json:"limit"`
}

// IncidentPageSize is the default page of incidents.
const IncidentPageSize = 50

const incidentColumns = `i.id, i.commission_id, i.epoch, i.kind, i.at, i.place, i.force, i.affected, i.action_id, i.state, i.checked_by, i.checked_at, i.sealed, i.created_at, i.updated_at,
	(SELECT COUNT(*) FROM rights_evidence e WHERE e.incident_id = i.id)`

// scanIncident scans incidentColumns and opens the secret half with priv
// when the record is of the key's epoch (ok).
func scanIncident(row scanner, in *incidents.Incident, priv vault.Private, epoch int, ok bool) error {
	var at, checked, created, updated int64
	var e int
	var sealed []byte
	if err := row.Scan(&in.ID, &in.CommissionID, &e, &in.Kind, &at, &in.Place, &in.Force, &in.Affected, &in.ActionID, &in.State, &in.CheckedBy, &checked, &sealed, &created, &updated, &in.Evidence); err != nil {
		return err
	}
	in.At, in.CreatedAt, in.UpdatedAt = fromUS(at).In(Lima), fromUS(created), fromUS(updated)
	if checked != 0 {
		in.CheckedAt = fromUS(checked)
	}
	if ok && e == epoch {
		var s incidents.Secret
		if err := unseal(priv, sealed, incidentContext(in.CommissionID, in.ID, e), &s); err != nil {
			return err
		}
		in.Secret = &s
	}
	return nil
}

// openRecords authorizes a commission member and returns the key to read
// its records with.
func (tx *Tx) openRecords(commission int64) (Commission, keyRow, vault.Private, error) {
	c, k, err := tx.keyFor(commission, authz.KeepRecords)
	if err != nil {
		return c, k, vault.Private{}, err
	}
	priv, err := tx.privateKey(commission, k)
	return c, k, priv, err
}

// RecordsOpen tells whether viewer may read commission's records now: a
// member, with the key at hand. It reads (and journals) nothing.
func (db *DB) RecordsOpen(ctx context.Context, viewer, commission int64) error {
	return db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		_, _, _, err := tx.openRecords(commission)
		return err
	})
}

// Incidents lists a commission's incidents, newest first, for its members.
// Records sealed to a key since destroyed are listed without their secret
// half.
func (db *DB) Incidents(ctx context.Context, viewer, commission int64, f IncidentFilter) ([]incidents.Incident, error) {
	var out []incidents.Incident
	err := db.Update(ctx, viewer, func(tx *Tx) error {
		_, k, priv, err := tx.openRecords(commission)
		if err != nil {
			return err
		}
		q := `SELECT ` + incidentColumns + ` FROM rights_incidents i WHERE i.commission_id = ?`
		args := []any{commission}
		if f.State != "" {
			q += ` AND i.state = ?`
			args = append(args, f.State)
		}
		if f.Kind != "" {
			q += ` AND i.kind = ?`
			args = append(args, f.Kind)
		}
		if f.Before > 0 {
			q += ` AND i.id < ?`
			args = append(args, f.Before)
		}
		if f.Limit <= 0 || f.Limit > IncidentPageSize {
			f.Limit = IncidentPageSize
		}
		q += fmt.Sprintf(` ORDER BY i.id DESC LIMIT %d`, f.Limit)
		out, err = queryAll(tx, func(row scanner, in *incidents.Incident) error {
			return scanIncident(row, in, priv, k.epoch, true)
		}, q, args...)
		if err != nil {
			return err
		}
		return tx.viewed(commission, "incidents", 0, len(out))
	})
	return out, err
}

// viewed records in the journal that the actor read a commission's
// records: reading sensitive data is audited, without the data itself.
func (tx *Tx) viewed(commission int64, what string, id int64, n int) error {
	p := map[string]any{"what": what}
	if id != 0 {
		p["id"] = id
	} else {
		p["count"] = n
	}
	return tx.Record("records.viewed", commission, p)
}

// loadIncident loads incident id for a commission member: anyone else gets
// NotFound, whether it exists or not.
func (tx *Tx) loadIncident(id int64) (incidents.Incident, keyRow, vault.Private, error) {
	var in incidents.Incident
	var commission int64
	if err := tx.QueryRow(`SELECT commission_id FROM rights_incidents WHERE id = ?`, id).Scan(&commission); err != nil {
		return in, keyRow{}, vault.Private{}, notFound(err, "incident.not_found")
	}
	_, k, priv, err := tx.openRecords(commission)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			err = errs.New(errs.NotFound, "incident.not_found")
		}
		return in, k, priv, err
	}
	err = scanIncident(tx.QueryRow(`SELECT `+incidentColumns+` FROM rights_incidents i WHERE i.id = ?`, id), &in, priv, k.epoch, true)
	return in, k, priv, err
}

// Incident returns an incident with its people and its evidence (without
// the files), for the commission's members.
func (db *DB) Incident(ctx context.Context, viewer, id int64) (incidents.Record, error) {
	var r incidents.Record
	err := db.Update(ctx, viewer, func(tx *Tx) error {
		in, k, priv, err := tx.loadIncident(id)
		if err != nil {
			return err
		}
		r.Incident = in
		if r.People, err = tx.people(in.CommissionID, k, priv, `incident_id = ?`, id); err != nil {
			return err
		}
		if r.Evidence, err = tx.evidenceOf(in.CommissionID, id, k, priv, false); err != nil {
			return err
		}
		return tx.viewed(in.CommissionID, "incident", id, 0)
	})
	return r, err
}

func (tx *Tx) people(commission int64, k keyRow, priv vault.Private, where string, args ...any) ([]incidents.Person, error) {
	return queryAll(tx, func(row scanner, p *incidents.Person) error {
		var e int
		var sealed []byte
		var created, updated int64
		if err := row.Scan(&p.ID, &p.CommissionID, &e, &p.IncidentID, &p.Status, &sealed, &created, &updated); err != nil {
			return err
		}
		p.CreatedAt, p.UpdatedAt = fromUS(created), fromUS(updated)
		if e == k.epoch {
			var s incidents.PersonSet
			if err := unseal(priv, sealed, personContext(commission, p.ID, e), &s); err != nil {
				return err
			}
			p.Secret = &s
		}
		return nil
	}, `SELECT id, commission_id, epoch, incident_id, status, sealed, created_at, updated_at FROM rights_people WHERE commission_id = ? AND `+where+` ORDER BY id`,
		append([]any{commission}, args...)...)
}

func (tx *Tx) evidenceOf(commission, incident int64, k keyRow, priv vault.Private, data bool) ([]incidents.Evidence, error) {
	return queryAll(tx, func(row scanner, e *incidents.Evidence) error {
		var epoch int
		var sealed []byte
		if err := row.Scan(&e.ID, &e.IncidentID, &epoch, &e.Size, &sealed); err != nil {
			return err
		}
		if epoch != k.epoch {
			return nil
		}
		var s sealedEvidence
		if err := unseal(priv, sealed, evidenceContext(commission, e.ID, epoch), &s); err != nil {
			return err
		}
		e.Name, e.Type, e.SHA256, e.Original = s.Name, s.Type, s.SHA256, s.Original
		if data {
			e.Data = s.Data
		}
		return nil
	}, `SELECT id, incident_id, epoch, size, sealed FROM rights_evidence WHERE commission_id = ? AND incident_id = ? ORDER BY id`, commission, incident)
}

// EvidenceFile returns one evidence file, for the commission's members.
func (db *DB) EvidenceFile(ctx context.Context, viewer, id int64) (incidents.Evidence, error) {
	var e incidents.Evidence
	err := db.Update(ctx, viewer, func(tx *Tx) error {
		var incident int64
		if err := tx.QueryRow(`SELECT incident_id FROM rights_evidence WHERE id = ?`, id).Scan(&incident); err != nil {
			return notFound(err, "incident.evidence.not_found")
		}
		in, k, priv, err := tx.loadIncident(incident)
		if err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.New(errs.NotFound, "incident.evidence.not_found")
			}
			return err
		}
		all, err := tx.evidenceOf(in.CommissionID, incident, k, priv, true)
		if err != nil {
			return err
		}
		for _, x := range all {
			if x.ID == id && x.Type != "" {
				e = x
				return tx.viewed(in.CommissionID, "evidence", id, 0)
			}
		}
		return errs.New(errs.Conflict, "rights.locked_down")
	})
	return e, err
}

// AddEvidence adds a file to an incident, for the commission's members.
func (db *DB) AddEvidence(ctx context.Context, actor, incident int64, f EvidenceFile) (incidents.Evidence, error) {
	var originals bool
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = actor
		_, k, _, err := tx.loadIncident(incident)
		originals = k.originals
		return err
	})
	if err != nil {
		return incidents.Evidence{}, err
	}
	e, err := incidents.CleanEvidence(f.Name, f.Data, originals)
	if err != nil {
		return e, err
	}
	err = db.Update(ctx, actor, func(tx *Tx) error {
		in, k, _, err := tx.loadIncident(incident)
		if err != nil {
			return err
		}
		if k.originals != originals {
			if e, err = incidents.CleanEvidence(f.Name, f.Data, k.originals); err != nil {
				return err
			}
		}
		e.IncidentID = incident
		e.ID, err = tx.addEvidence(in.CommissionID, incident, k, e)
		e.Data = nil
		return err
	})
	return e, err
}

// CheckIncident records the commission's verdict: verified or rejected, by
// whom and when; a note goes in the sealed half.
func (db *DB) CheckIncident(ctx context.Context, actor, id int64, c incidents.Check) error {
	if err := c.Clean(); err != nil {
		return err
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		in, k, _, err := tx.loadIncident(id)
		if err != nil {
			return err
		}
		if in.Secret == nil {
			return errs.New(errs.Conflict, "rights.locked_down")
		}
		s := *in.Secret
		s.CheckedNote = c.Note
		sealed, err := seal(k, s, incidentContext(in.CommissionID, id, k.epoch))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE rights_incidents SET state = ?, checked_by = ?, checked_at = ?, sealed = ?, updated_at = ? WHERE id = ?`,
			c.State, actor, usDay(tx.Now), sealed, usDay(tx.Now), id); err != nil {
			return err
		}
		return tx.Record("incident.checked", in.CommissionID, map[string]any{"incident": id, "state": c.State, "was": in.State, "sealed_sha256": sealedSum(sealed)})
	})
}

// CorrectIncident rewrites an incident's details, for the commission's
// members. Its verification and who reported it stay.
func (db *DB) CorrectIncident(ctx context.Context, actor, id int64, ni incidents.Input, validPlace func(string) bool) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		in, k, _, err := tx.loadIncident(id)
		if err != nil {
			return err
		}
		if in.Secret == nil {
			return errs.New(errs.Conflict, "rights.locked_down")
		}
		if err := ni.Clean(tx.Now, validPlace, k.exact); err != nil {
			return err
		}
		if ni.ActionID != 0 && ni.ActionID != in.ActionID {
			c, err := tx.commission(in.CommissionID)
			if err != nil {
				return err
			}
			if err := tx.linkableAction(ni.ActionID, c.ParentID); err != nil {
				return err
			}
		}
		s := *in.Secret
		s.Description, s.Lat, s.Lon = ni.Description, ni.Lat, ni.Lon
		sealed, err := seal(k, s, incidentContext(in.CommissionID, id, k.epoch))
		if err != nil {
			return err
		}
		at := ni.At.In(Lima)
		if _, err := tx.Exec(`UPDATE rights_incidents SET kind = ?, at = ?, week = ?, place = ?, department = ?, force = ?, affected = ?, action_id = ?, sealed = ?, updated_at = ? WHERE id = ?`,
			ni.Kind, us(at), us(incidents.WeekOf(at)), ni.Place, places.DepartmentOf(ni.Place), ni.Force, ni.Affected, ni.ActionID, sealed, usDay(tx.Now), id); err != nil {
			return err
		}
		return tx.Record("incident.corrected", in.CommissionID, map[string]any{"incident": id, "kind": ni.Kind, "place": ni.Place, "at": at.Format(time.RFC3339),
			"force": ni.Force, "affected": ni.Affected, "sealed_sha256": sealedSum(sealed)})
	})
}

// AddPerson records a person affected or detained, for the commission's
// members; with an incident, of that incident.
func (db *DB) AddPerson(ctx context.Context, actor, commission int64, in incidents.PersonInput) (int64, error) {
	if err := in.Clean(db.Now()); err != nil {
		return 0, err
	}
	var id int64
	err := db.Update(ctx, actor, func(tx *Tx) error {
		_, k, _, err := tx.openRecords(commission)
		if err != nil {
			return err
		}
		if in.IncidentID != 0 {
			var c int64
			if err := tx.QueryRow(`SELECT commission_id FROM rights_incidents WHERE id = ?`, in.IncidentID).Scan(&c); err != nil || c != commission {
				return errs.Field("incident_id", "incident.not_found")
			}
		}
		id, err = tx.addPerson(commission, k, in)
		return err
	})
	return id, err
}

// loadPerson loads a person for a commission member; NotFound to anyone else.
func (tx *Tx) loadPerson(id int64) (incidents.Person, keyRow, error) {
	var commission int64
	if err := tx.QueryRow(`SELECT commission_id FROM rights_people WHERE id = ?`, id).Scan(&commission); err != nil {
		return incidents.Person{}, keyRow{}, notFound(err, "incident.person.not_found")
	}
	_, k, priv, err := tx.openRecords(commission)
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			err = errs.New(errs.NotFound, "incident.person.not_found")
		}
		return incidents.Person{}, k, err
	}
	ps, err := tx.people(commission, k, priv, `id = ?`, id)
	if err != nil {
		return incidents.Person{}, k, err
	}
	return ps[0], k, nil
}

// Person returns one person's record, for the commission's members.
func (db *DB) Person(ctx context.Context, viewer, id int64) (incidents.Person, error) {
	var p incidents.Person
	err := db.Update(ctx, viewer, func(tx *Tx) error {
		var err error
		if p, _, err = tx.loadPerson(id); err != nil {
			return err
		}
		return tx.viewed(p.CommissionID, "person", id, 0)
	})
	return p, err
}

// UpdatePerson rewrites a person's record: status, where held, charges,
// lawyer, next hearing. The incident it belongs to stays.
func (db *DB) UpdatePerson(ctx context.Context, actor, id int64, in incidents.PersonInput) error {
	if err := in.Clean(db.Now()); err != nil {
		return err
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		p, k, err := tx.loadPerson(id)
		if err != nil {
			return err
		}
		if p.Secret == nil {
			return errs.New(errs.Conflict, "rights.locked_down")
		}
		sealed, err := seal(k, in.PersonSet, personContext(p.CommissionID, id, k.epoch))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE rights_people SET status = ?, sealed = ?, updated_at = ? WHERE id = ?`, in.Status, sealed, usDay(tx.Now), id); err != nil {
			return err
		}
		return tx.Record("person.updated", p.CommissionID, map[string]any{"person": id, "status": in.Status, "was": p.Status, "sealed_sha256": sealedSum(sealed)})
	})
}

// Prisoners is a commission's political-prisoners list: the people still
// deprived of liberty, the nearest hearing first.
func (db *DB) Prisoners(ctx context.Context, viewer, commission int64) ([]incidents.Person, error) {
	var out []incidents.Person
	err := db.Update(ctx, viewer, func(tx *Tx) error {
		_, k, priv, err := tx.openRecords(commission)
		if err != nil {
			return err
		}
		if out, err = tx.people(commission, k, priv, `status IN ('detained', 'charged', 'convicted')`); err != nil {
			return err
		}
		return tx.viewed(commission, "prisoners", 0, len(out))
	})
	slices.SortStableFunc(out, func(a, b incidents.Person) int {
		ha, hb := hearing(a), hearing(b)
		switch {
		case ha == hb:
			return 0
		case ha == "":
			return 1
		case hb == "":
			return -1
		}
		return strings.Compare(ha, hb)
	})
	return out, err
}

func hearing(p incidents.Person) string {
	if p.Secret == nil {
		return ""
	}
	return p.Secret.NextHearing
}

// ExportRecords gives a commission member every record the commission can
// read, and records in the journal that they took it (and in which format).
func (db *DB) ExportRecords(ctx context.Context, actor, commission int64, format string) (incidents.Export, error) {
	var x incidents.Export
	if format != "csv" && format != "json" {
		return x, errs.Field("format", "rights.export.format")
	}
	err := db.Update(ctx, actor, func(tx *Tx) error {
		c, k, priv, err := tx.openRecords(commission)
		if err != nil {
			return err
		}
		x.Commission, x.At = c.Name, tx.Now
		all, err := queryAll(tx, func(row scanner, in *incidents.Incident) error {
			return scanIncident(row, in, priv, k.epoch, true)
		}, `SELECT `+incidentColumns+` FROM rights_incidents i WHERE i.commission_id = ? ORDER BY i.id`, commission)
		if err != nil {
			return err
		}
		people, err := tx.people(commission, k, priv, `1 = 1`)
		if err != nil {
			return err
		}
		byIncident := map[int64][]incidents.Person{}
		for _, p := range people {
			if p.IncidentID == 0 {
				x.Detainees = append(x.Detainees, p)
			} else {
				byIncident[p.IncidentID] = append(byIncident[p.IncidentID], p)
			}
		}
		for _, in := range all {
			r := incidents.Record{Incident: in, People: byIncident[in.ID]}
			if r.Evidence, err = tx.evidenceOf(commission, in.ID, k, priv, false); err != nil {
				return err
			}
			x.Records = append(x.Records, r)
		}
		return tx.Record("records.exported", commission, map[string]any{"format": format, "incidents": len(x.Records), "people": len(people)})
	})
	return x, err
}

// FiguresFilter narrows the public figures.
type FiguresFilter struct {
	Department string `json:"department"`
}

// Figures are the public figures of repression: verified incidents by kind,
// department and week, small counts hidden, and the number of political
// prisoners.
type Figures struct {
	incidents.Figures
	Prisoners incidents.Count `json:"prisoners"`
	Pending   int             `json:"pending"` // reports not yet verified
}

// RepressionFigures counts every commission's verified incidents for the
// public. Nothing of any one record leaves this function.
func (db *DB) RepressionFigures(ctx context.Context, f FiguresFilter) (Figures, error) {
	var out Figures
	err := db.View(ctx, func(tx *Tx) error {
		q := `SELECT kind, department, week, COUNT(*), SUM(affected) FROM rights_incidents WHERE state = 'verified'`
		args := []any{}
		if f.Department != "" {
			q += ` AND department = ?`
			args = append(args, f.Department)
		}
		rows, err := queryAll(tx, func(row scanner, r *incidents.Row) error {
			var week int64
			if err := row.Scan(&r.Kind, &r.Department, &week, &r.Incidents, &r.People); err != nil {
				return err
			}
			r.Week = fromUS(week).In(Lima)
			return nil
		}, q+` GROUP BY kind, department, week`, args...)
		if err != nil {
			return err
		}
		out.Figures = incidents.Aggregate(rows)
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM rights_people WHERE status IN ('detained', 'charged', 'convicted')`).Scan(&n); err != nil {
			return err
		}
		out.Prisoners = incidents.Hide(n)
		return tx.QueryRow(`SELECT COUNT(*) FROM rights_incidents WHERE state = 'reported'`).Scan(&out.Pending)
	})
	return out, err
}
