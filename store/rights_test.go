package store_test

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/incidents"
	"asamblea/store"
	"asamblea/vault"
)

// rightsFixture is a committee with a reporter, a commission of two and an
// outsider.
type rightsFixture struct {
	committee, commission         int64
	facilitator, reporter, lawyer accounts.User
	second, outsider              accounts.User
}

func rightsSetup(t testing.TB, db *store.DB) rightsFixture {
	t.Helper()
	var f rightsFixture
	f.facilitator = mustUser(t, db, "Facilitadora Puno")
	c := mustCommittee(t, db, f.facilitator.ID, true)
	f.committee = c.ID
	inv, err := db.CreateInvitation(ctx, f.facilitator.ID, c.ID, bodies.InvitationInput{MaxUses: 10, Days: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []*accounts.User{&f.reporter, &f.lawyer, &f.second} {
		*u = mustUser(t, db, map[*accounts.User]string{&f.reporter: "Reportera", &f.lawyer: "Abogada Comisión", &f.second: "Segundo Comisionado"}[u])
		if _, err := db.Join(ctx, u.ID, inv.Code); err != nil {
			t.Fatal(err)
		}
	}
	f.outsider = mustUser(t, db, "Alguien de Fuera")

	// Bad input first: nothing is stored.
	before := journalLen(t, db)
	_, err = db.CreateCommission(ctx, f.facilitator.ID, c.ID, store.CommissionInput{Name: "Comisión", Purpose: "rights", Members: []int64{f.outsider.ID}})
	wantCode(t, err, errs.Invalid, "commission.members.outsider")
	_, err = db.CreateCommission(ctx, f.facilitator.ID, c.ID, store.CommissionInput{Name: "Comisión", Purpose: "espionaje", Members: []int64{f.lawyer.ID}})
	wantCode(t, err, errs.Invalid, "commission.purpose.unknown")
	_, err = db.CreateCommission(ctx, f.reporter.ID, c.ID, store.CommissionInput{Name: "Comisión", Purpose: "rights", Members: []int64{f.lawyer.ID}})
	wantCode(t, err, errs.Forbidden, "")
	if journalLen(t, db) != before {
		t.Fatal("a refused commission changed the journal")
	}

	com, err := db.CreateCommission(ctx, f.facilitator.ID, c.ID, store.CommissionInput{Name: "Comisión de Derechos Humanos", Purpose: "rights", Members: []int64{f.lawyer.ID}})
	if err != nil {
		t.Fatal(err)
	}
	f.commission = com.ID
	if com.Kind != bodies.Commission || com.ParentID != c.ID || com.Public {
		t.Fatalf("commission: %+v", com)
	}
	// The body chooses its commission's members.
	if err := db.AppointCommissioner(ctx, f.facilitator.ID, com.ID, f.second.ID, bodies.Member); err != nil {
		t.Fatal(err)
	}
	wantCode(t, db.AppointCommissioner(ctx, f.lawyer.ID, com.ID, f.reporter.ID, bodies.Member), errs.NotFound, "")
	wantCode(t, db.AppointCommissioner(ctx, f.facilitator.ID, com.ID, f.outsider.ID, bodies.Member), errs.Invalid, "commission.members.outsider")
	// No one joins a commission by invitation.
	_, err = db.CreateInvitation(ctx, f.lawyer.ID, com.ID, bodies.InvitationInput{MaxUses: 1, Days: 1})
	wantCode(t, err, errs.Forbidden, "")
	list, err := db.Commissions(ctx, f.reporter.ID, c.ID)
	if err != nil || len(list) != 1 || list[0].Records {
		t.Fatalf("commissions: %+v %v", list, err)
	}
	return f
}

func pngBytes(t testing.TB) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 3))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const victim = "Wilfredo Huamán Quispe"

func TestRepressionRecords(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		f := rightsSetup(t, db)
		key, _ := vault.NewKey()
		db.SetRecordsKey(&key)

		// Before the commission has a key, no one can report to it.
		if ts, _ := db.ReportTargets(ctx, f.reporter.ID); len(ts) != 0 {
			t.Fatalf("targets before a key: %+v", ts)
		}
		wantCode(t, db.SetUpRecords(ctx, f.second.ID, f.commission, store.RecordsSetup{File: true}), errs.Forbidden, "")
		wantCode(t, db.SetUpRecords(ctx, f.lawyer.ID, f.commission, store.RecordsSetup{Passphrase: "corta"}), errs.Invalid, "rights.passphrase.short")
		if err := db.SetUpRecords(ctx, f.lawyer.ID, f.commission, store.RecordsSetup{File: true}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.SetUpRecords(ctx, f.lawyer.ID, f.commission, store.RecordsSetup{File: true}), errs.Conflict, "rights.key_exists")
		ts, err := db.ReportTargets(ctx, f.reporter.ID)
		if err != nil || len(ts) != 1 || ts[0].ID != f.commission {
			t.Fatalf("targets: %+v %v", ts, err)
		}
		if ts, _ := db.ReportTargets(ctx, f.outsider.ID); len(ts) != 0 {
			t.Fatalf("an outsider may report to %+v", ts)
		}

		at := time.Date(2023, 1, 9, 15, 30, 0, 0, store.Lima)
		lat, lon := -15.49127, -70.13318
		report := store.Report{Input: incidents.Input{Kind: incidents.Detained, At: at, Place: "210101", Lat: &lat, Lon: &lon, Force: incidents.Police, Affected: 1,
			Description: "Detenido por la policía en la marcha al aeropuerto de Juliaca; " + victim + " fue llevado a la comisaría."},
			People:   []string{victim},
			Evidence: []store.EvidenceFile{{Name: "foto.png", Data: pngBytes(t)}}}

		// Bad input: a clear error, nothing stored.
		before := journalLen(t, db)
		for _, c := range []struct {
			mutate func(*store.Report)
			key    string
		}{
			{func(r *store.Report) { r.Kind = "arrest" }, "incident.kind.unknown"},
			{func(r *store.Report) { r.At = time.Now().Add(72 * time.Hour) }, "incident.when.future"},
			{func(r *store.Report) { r.At = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC) }, "incident.when.too_old"},
			{func(r *store.Report) { r.Place = "999999" }, "body.place.unknown"},
			{func(r *store.Report) { r.Lon = nil }, "incident.coords.both"},
			{func(r *store.Report) { r.Affected = -1 }, "incident.affected.range"},
			{func(r *store.Report) { r.Evidence = []store.EvidenceFile{{Name: "x.exe", Data: []byte("MZ\x90\x00")}} }, "incident.evidence.type"},
			{func(r *store.Report) {
				r.Evidence = []store.EvidenceFile{{Name: "big.pdf", Data: append([]byte("%PDF-"), make([]byte, incidents.EvidenceMax)...)}}
			}, "incident.evidence.too_large"},
			{func(r *store.Report) { r.ActionID = 987654 }, "incident.action.unknown"},
		} {
			r := report
			c.mutate(&r)
			_, err := db.ReportIncident(ctx, f.reporter.ID, f.commission, r, validPlace)
			wantCode(t, err, errs.Invalid, c.key)
		}
		_, err = db.ReportIncident(ctx, f.outsider.ID, f.commission, report, validPlace)
		wantCode(t, err, errs.NotFound, "body.not_found")
		if journalLen(t, db) != before {
			t.Fatal("a refused report changed the journal")
		}

		id, err := db.ReportIncident(ctx, f.reporter.ID, f.commission, report, validPlace)
		if err != nil {
			t.Fatal(err)
		}

		// Outside the commission — the reporter included — an incident
		// does not exist, just as one that does not exist.
		for _, u := range []int64{f.reporter.ID, f.outsider.ID, f.facilitator.ID, 0} {
			_, err := db.Incident(ctx, u, id)
			wantCode(t, err, errs.NotFound, "incident.not_found")
			_, err = db.Incidents(ctx, u, f.commission, store.IncidentFilter{})
			wantCode(t, err, errs.NotFound, "body.not_found")
		}
		_, err = db.Incident(ctx, f.lawyer.ID, id+1000)
		wantCode(t, err, errs.NotFound, "incident.not_found")

		n0 := journalLen(t, db)
		r, err := db.Incident(ctx, f.lawyer.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		// Reading a record is audited: who read which, never what.
		if journalLen(t, db) != n0+1 {
			t.Fatal("reading a record was not journalled")
		}
		if rows, _ := db.RawRows(ctx, `SELECT actor, payload FROM journal WHERE kind = 'records.viewed'`); len(rows) != 1 || rows[0][0] != strconv.FormatInt(f.lawyer.ID, 10) || strings.Contains(rows[0][1], "Wilfredo") {
			t.Fatalf("the audit entry: %v", rows)
		}
		s := r.Secret
		if s == nil || !strings.Contains(s.Description, victim) || s.Reporter != f.reporter.ID || s.ReporterAs != "Reportera" {
			t.Fatalf("secret: %+v", s)
		}
		if *s.Lat != -15.49 || *s.Lon != -70.13 {
			t.Errorf("coordinates kept as %v, %v; want them rounded to -15.49, -70.13", *s.Lat, *s.Lon)
		}
		if r.State != incidents.Reported || !r.At.Equal(at) || r.Kind != incidents.Detained || len(r.People) != 1 || r.People[0].Secret.Name != victim ||
			r.People[0].Status != incidents.StillDetained || len(r.Evidence) != 1 || r.Evidence[0].Type != "image/jpeg" {
			t.Fatalf("record: %+v", r)
		}
		ev, err := db.EvidenceFile(ctx, f.lawyer.ID, r.Evidence[0].ID)
		if err != nil || !bytes.HasPrefix(ev.Data, []byte{0xFF, 0xD8}) || ev.Original == ev.SHA256 {
			t.Fatalf("evidence: the image was not re-encoded (%v)", err)
		}
		_, err = db.EvidenceFile(ctx, f.reporter.ID, r.Evidence[0].ID)
		wantCode(t, err, errs.NotFound, "incident.evidence.not_found")

		// The commission verifies it and adds the lawyer.
		wantCode(t, db.CheckIncident(ctx, f.lawyer.ID, id, incidents.Check{State: "maybe"}), errs.Invalid, "incident.state.unknown")
		wantCode(t, db.CheckIncident(ctx, f.reporter.ID, id, incidents.Check{State: incidents.Verified}), errs.NotFound, "incident.not_found")
		if err := db.CheckIncident(ctx, f.lawyer.ID, id, incidents.Check{State: incidents.Verified, Note: "Confirmado con la familia"}); err != nil {
			t.Fatal(err)
		}
		p := r.People[0]
		upd := incidents.PersonInput{Status: incidents.Charged, PersonSet: *p.Secret}
		upd.Lawyer, upd.Held, upd.Charges, upd.NextHearing, upd.Age = "Dra. Carmen Apaza (CNDDHH)", "Penal de Challapalca", "disturbios", "2023-02-15", 34
		wantCode(t, db.UpdatePerson(ctx, f.lawyer.ID, p.ID, incidents.PersonInput{Status: incidents.Charged, PersonSet: incidents.PersonSet{Name: victim, NextHearing: "2023-02-30"}}), errs.Invalid, "incident.when.bad")
		if err := db.UpdatePerson(ctx, f.lawyer.ID, p.ID, upd); err != nil {
			t.Fatal(err)
		}
		other, err := db.AddPerson(ctx, f.second.ID, f.commission, incidents.PersonInput{Status: incidents.Released, PersonSet: incidents.PersonSet{Name: "Liberada Pronto"}})
		if err != nil {
			t.Fatal(err)
		}
		pris, err := db.Prisoners(ctx, f.second.ID, f.commission)
		if err != nil || len(pris) != 1 || pris[0].Secret.Lawyer != upd.Lawyer || pris[0].Secret.Name != victim || pris[0].Status != incidents.Charged {
			t.Fatalf("prisoners: %+v %v", pris, err)
		}
		if _, err := db.Person(ctx, f.reporter.ID, other); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a person's record outside the commission: %v", err)
		}

		// The public sees counts only, a small one as "fewer than 3".
		fig, err := db.RepressionFigures(ctx, store.FiguresFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(fig.Cells) != 1 || fig.Cells[0].Incidents.N != 0 || !fig.Cells[0].Incidents.Fewer || fig.Cells[0].Department != "21" || fig.Cells[0].Week != "2023-01-09" ||
			!fig.Prisoners.Fewer || fig.Pending != 0 {
			t.Fatalf("figures: %+v", fig)
		}
		b, _ := json.Marshal(fig)
		if bytes.Contains(b, []byte("Wilfredo")) {
			t.Fatal("the public figures name someone")
		}

		// Export, journalled.
		n := journalLen(t, db)
		x, err := db.ExportRecords(ctx, f.lawyer.ID, f.commission, "csv")
		if err != nil || len(x.Records) != 1 || len(x.Detainees) != 1 || x.Records[0].People[0].Secret.Lawyer != upd.Lawyer {
			t.Fatalf("export: %+v %v", x, err)
		}
		if journalLen(t, db) != n+1 {
			t.Fatal("an export was not journalled")
		}
		_, err = db.ExportRecords(ctx, f.reporter.ID, f.commission, "csv")
		wantCode(t, err, errs.NotFound, "")

		// Nothing that identifies anyone is in the database in the clear,
		// the journal included.
		wantNoPlaintext(t, db, victim, "Challapalca", "Carmen Apaza", "aeropuerto")
		rows, err := db.RawRows(ctx, `SELECT actor, payload FROM journal WHERE kind = 'incident.reported'`)
		if err != nil || len(rows) != 1 || rows[0][0] != "0" {
			t.Fatalf("the journal names the reporter: %v %v", rows, err)
		}

		// Another node without the key file cannot read the records.
		db.SetRecordsKey(nil)
		_, err = db.Incident(ctx, f.lawyer.ID, id)
		wantCode(t, err, errs.Conflict, "rights.unlock_needed")
		wrong, _ := vault.NewKey()
		db.SetRecordsKey(&wrong)
		_, err = db.Incident(ctx, f.lawyer.ID, id)
		wantCode(t, err, errs.Conflict, "rights.wrong_key_file")
		db.SetRecordsKey(&key)

		// Lockdown: the key is destroyed; even with the key file, nobody
		// reads the records again. The public figures stay.
		kr, err := db.RawRows(ctx, `SELECT file_wrapped FROM rights_keys WHERE commission_id = ?`, f.commission)
		if err != nil || len(kr) != 1 {
			t.Fatal(err)
		}
		wrapped := kr[0][0]
		wantCode(t, db.Lockdown(ctx, f.lawyer.ID, f.commission, "no sé"), errs.Invalid, "rights.lockdown.confirm")
		wantCode(t, db.Lockdown(ctx, f.reporter.ID, f.commission, "Comisión de Derechos Humanos"), errs.NotFound, "")
		n = journalLen(t, db)
		if err := db.Lockdown(ctx, f.second.ID, f.commission, "Comisión de Derechos Humanos"); err != nil {
			t.Fatal(err)
		}
		// Two entries: the erasure of what the journal said of the records
		// in the clear, then the lockdown.
		if journalLen(t, db) != n+2 {
			t.Fatal("a lockdown was not journalled, or its erasure")
		}
		if left, _ := db.RawRows(ctx, `SELECT seq FROM journal WHERE body = ? AND kind LIKE 'incident.%' AND payload NOT LIKE '{"erased_by":%'`, f.commission); len(left) != 0 {
			t.Fatalf("after the lockdown the journal still describes incidents: %v", left)
		}
		if _, err := db.VerifyJournal(); err != nil {
			t.Fatalf("the journal does not verify after the lockdown: %v", err)
		}
		_, err = db.Incident(ctx, f.lawyer.ID, id)
		wantCode(t, err, errs.Conflict, "rights.locked_down")
		_, err = db.Prisoners(ctx, f.lawyer.ID, f.commission)
		wantCode(t, err, errs.Conflict, "rights.locked_down")
		if ts, _ := db.ReportTargets(ctx, f.reporter.ID); len(ts) != 0 {
			t.Fatal("a locked-down commission still takes reports")
		}
		wantNoPlaintext(t, db, wrapped)
		if fig2, _ := db.RepressionFigures(ctx, store.FiguresFilter{}); len(fig2.Cells) != 1 {
			t.Fatal("the public figures went with the key")
		}

		// A new key starts a new epoch: the old records stay sealed.
		if err := db.SetUpRecords(ctx, f.lawyer.ID, f.commission, store.RecordsSetup{File: true}); err != nil {
			t.Fatal(err)
		}
		list, err := db.Incidents(ctx, f.lawyer.ID, f.commission, store.IncidentFilter{})
		if err != nil || len(list) != 1 || list[0].Secret != nil || list[0].Kind != incidents.Detained {
			t.Fatalf("after a new key: %+v %v", list, err)
		}
		wantCode(t, db.CheckIncident(ctx, f.lawyer.ID, id, incidents.Check{State: incidents.Rejected}), errs.Conflict, "rights.locked_down")
	})
}

func TestRecordsPassphrases(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		f := rightsSetup(t, db)
		// This node has no key file: only passphrases.
		wantCode(t, db.SetUpRecords(ctx, f.lawyer.ID, f.commission, store.RecordsSetup{File: true}), errs.Invalid, "rights.no_key_file")
		const pass1, pass2 = "la memoria no se entierra", "justicia para las víctimas"
		if err := db.SetUpRecords(ctx, f.lawyer.ID, f.commission, store.RecordsSetup{Passphrase: pass1, ExactCoords: true}); err != nil {
			t.Fatal(err)
		}
		lat, lon := -13.16123, -74.22456
		id, err := db.ReportIncident(ctx, f.reporter.ID, f.commission, store.Report{Input: incidents.Input{Kind: incidents.Killed, At: time.Date(2022, 12, 15, 11, 0, 0, 0, store.Lima),
			Place: "080101", Lat: &lat, Lon: &lon, Affected: 1, Description: "Muerto por proyectil en " + victim}}, validPlace)
		if err != nil {
			t.Fatal(err)
		}
		r, err := db.Incident(ctx, f.lawyer.ID, id)
		if err != nil || *r.Secret.Lat != lat {
			t.Fatalf("the setter reads at once, coordinates exact: %+v %v", r.Secret, err)
		}

		// The second member sets a passphrase and waits to be granted.
		_, err = db.Incident(ctx, f.second.ID, id)
		wantCode(t, err, errs.Conflict, "rights.unlock_needed")
		wantCode(t, db.SetPassphrase(ctx, f.second.ID, f.commission, "corta"), errs.Invalid, "rights.passphrase.short")
		if err := db.SetPassphrase(ctx, f.second.ID, f.commission, pass2); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Unlock(ctx, f.second.ID, f.commission, pass2), errs.Conflict, "rights.not_granted")
		info, err := db.RecordsState(ctx, f.lawyer.ID, f.commission)
		if err != nil || !info.Readable || len(info.Pending) != 1 || info.Pending[0] != f.second.ID || info.File {
			t.Fatalf("state: %+v %v", info, err)
		}
		wantCode(t, db.Grant(ctx, f.second.ID, f.commission, f.second.ID), errs.Conflict, "rights.unlock_needed")
		if err := db.Grant(ctx, f.lawyer.ID, f.commission, f.second.ID); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.Unlock(ctx, f.second.ID, f.commission, pass1), errs.Invalid, "rights.passphrase.wrong")
		if err := db.Unlock(ctx, f.second.ID, f.commission, pass2); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Incident(ctx, f.second.ID, id); err != nil {
			t.Fatal(err)
		}
		// Locking forgets the key on this node; the passphrase opens it again.
		wantCode(t, db.Lock(ctx, f.reporter.ID, f.commission), errs.NotFound, "")
		if err := db.Lock(ctx, f.lawyer.ID, f.commission); err != nil {
			t.Fatal(err)
		}
		_, err = db.Incident(ctx, f.lawyer.ID, id)
		wantCode(t, err, errs.Conflict, "rights.unlock_needed")
		if err := db.Unlock(ctx, f.lawyer.ID, f.commission, pass1); err != nil {
			t.Fatal(err)
		}
		// Removed from the commission, a member loses their slot and key.
		if err := db.AppointCommissioner(ctx, f.facilitator.ID, f.commission, f.second.ID, bodies.None); err != nil {
			t.Fatal(err)
		}
		_, err = db.Incident(ctx, f.second.ID, id)
		wantCode(t, err, errs.NotFound, "incident.not_found")
		wantNoPlaintext(t, db, victim, pass1, pass2)
	})
}

// wantNoPlaintext reads everything the database stores — on SQLite the
// raw files, on PostgreSQL every row of every table — and fails if any of
// the strings is there.
func wantNoPlaintext(t *testing.T, db *store.DB, secrets ...string) {
	t.Helper()
	if db.Dialect() == store.SQLite {
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(db.FilePath() + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for _, s := range secrets {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("the raw database file%s holds %q in the clear", suffix, s)
				}
			}
		}
		return
	}
	tables, err := db.RawRows(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil || len(tables) < 20 {
		t.Fatalf("tables: %v %v", tables, err)
	}
	for _, tb := range tables {
		rows, err := db.RawRows(ctx, `SELECT * FROM `+tb[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range rows {
			for _, cell := range row {
				for _, s := range secrets {
					if strings.Contains(cell, s) {
						t.Errorf("table %s holds %q in the clear", tb[0], s)
					}
				}
			}
		}
	}
}
