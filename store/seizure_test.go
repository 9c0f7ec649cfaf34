package store_test

import (
	"bytes"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/incidents"
	"asamblea/journal"
	"asamblea/keyring"
	"asamblea/motions"
	"asamblea/store"
	"asamblea/vault"
)

// TestSeizure plays a raid: a node runs as in production — keys wrapped
// by a passphrase that is not on the disk — through a realistic day
// (invitations, sessions, a vote, an API token, an anonymous report of a
// detention with the detainee's name and ID number, a detainee record);
// then every file of its data directory is copied as it stands, and the
// copy is searched, with the database opened directly, for what the
// police would want. docs/security.md, "What a seized copy yields", says
// what this test shows.
func TestSeizure(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		start := time.Now()
		data := t.TempDir()
		if db.Dialect() == store.SQLite {
			data = filepath.Dir(db.FilePath())
		}
		const passphrase = "frase de la comisión guardada en otra parte"
		ring := keyring.New(data, data, []byte(passphrase))

		// The node's keys, created wrapped as serve creates them.
		jk, _ := journal.NewKey()
		jb, _ := journal.MarshalKey(jk)
		rk, _ := vault.NewKey()
		var pepper accounts.Pepper
		copy(pepper[:], bytes.Repeat([]byte{0x5a}, 32))
		for name, plain := range map[string][]byte{keyring.Journal: jb, keyring.Records: vault.EncodeKeyFile(rk), keyring.Pepper: []byte(hex.EncodeToString(pepper[:]))} {
			if err := ring.Create(ring.Path(name), plain); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.UseJournalKey(ctx, jk); err != nil {
			t.Fatal(err)
		}
		db.SetRecordsKey(&rk)
		db.SetPepper(&pepper)

		// The day: a committee, its commission, invitations, sessions.
		f := rightsSetup(t, db)
		if err := db.SetUpRecords(ctx, f.lawyer.ID, f.commission, store.RecordsSetup{File: true}); err != nil {
			t.Fatal(err)
		}
		inv, err := db.CreateInvitation(ctx, f.facilitator.ID, f.committee, bodies.InvitationInput{MaxUses: 30, Days: 2, Label: "plaza de Juliaca"})
		if err != nil {
			t.Fatal(err)
		}
		var sessions []string
		for _, u := range []accounts.User{f.facilitator, f.reporter, f.lawyer, f.second} {
			tok, err := db.CreateSession(ctx, u.ID, "Chrome · Android")
			if err != nil {
				t.Fatal(err)
			}
			sessions = append(sessions, tok)
		}
		tok, err := db.CreateToken(ctx, f.reporter.ID, accounts.TokenSpec{Name: "teléfono", Scopes: []string{"read"}})
		if err != nil {
			t.Fatal(err)
		}
		m, err := db.CreateMotion(ctx, f.facilitator.ID, f.committee, motions.Input{Title: "Paro regional el lunes", Text: "Proponemos el paro."})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveMotion(ctx, f.facilitator.ID, m.ID, motions.Voting, 24); err != nil {
			t.Fatal(err)
		}
		// The reporter is active: a vote, a page seen, then the report,
		// anonymous to all but the commission.
		if err := db.Vote(ctx, f.reporter.ID, m.ID, 0, motions.Ballot{Choice: "yes"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionUser(ctx, sessions[1], store.SessionLimits{Idle: time.Hour, Absolute: 12 * time.Hour}); err != nil {
			t.Fatal(err)
		}
		const detainee, dni, lawyer = "Yolanda Mamani Condori", "DNI 41234567", "Dra. Ruth Apaza Ticona"
		reported := time.Now()
		id, err := db.ReportIncident(ctx, f.reporter.ID, f.commission, store.Report{Input: incidents.Input{Kind: incidents.Detained, At: reported.Add(-2 * time.Hour), Place: "210101", Affected: 1,
			Description: "Detenida en el puente; " + detainee + ", " + dni + ", llevada a la DIVINCRI."}, People: []string{detainee},
			Evidence: []store.EvidenceFile{{Name: "foto.png", Data: pngBytes(t)}}}, validPlace)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddPerson(ctx, f.lawyer.ID, f.commission, incidents.PersonInput{IncidentID: id, Status: incidents.StillDetained,
			PersonSet: incidents.PersonSet{Name: detainee + " (" + dni + ")", Lawyer: lawyer, Held: "Comisaría de Juliaca"}}); err != nil {
			t.Fatal(err)
		}
		// The hourly write of sessions' activity may fall at any moment.
		if _, err := db.FlushSessions(ctx, store.SessionLimits{Idle: time.Hour, Absolute: 12 * time.Hour}); err != nil {
			t.Fatal(err)
		}

		// The raid: every file of the data directory, copied as it is
		// while the server runs (WAL and shared memory included).
		raid := t.TempDir()
		copyDir(t, data, raid)
		var blob []byte // everything the copy holds, as bytes
		if db.Dialect() == store.SQLite {
			blob = readAll(t, raid)
		} else {
			blob = append(readAll(t, raid), dumpPostgres(t, db)...)
		}

		// 1. No key opens without the passphrase; no key is in the clear.
		for _, name := range []string{keyring.Journal, keyring.Records, keyring.Pepper} {
			if _, err := keyring.New(raid, raid, nil).Read(filepath.Join(raid, name)); !errors.Is(err, keyring.ErrNoPassphrase) {
				t.Errorf("the seized %s opens without the passphrase: %v", name, err)
			}
		}
		for what, secret := range map[string][]byte{
			"the records key":     []byte(hex.EncodeToString(rk[:])),
			"the journal key":     []byte(hex.EncodeToString(jk.Seed())),
			"the journal key raw": jk.Seed(),
			"the password pepper": []byte(hex.EncodeToString(pepper[:])),
		} {
			if bytes.Contains(blob, secret) {
				t.Errorf("the copy holds %s in the clear", what)
			}
		}

		// 2. What was typed into the sealed records, and the credentials.
		for what, secret := range map[string]string{
			"the detainee's name":     detainee,
			"the detainee's ID":       "41234567",
			"the lawyer's name":       lawyer,
			"the report's text":       "llevada a la DIVINCRI",
			"the invitation code":     inv.Code,
			"the API token":           tok.Secret,
			"a session token":         sessions[1],
			"the reporter's password": mustPasswordOf(t, "Reportera"),
		} {
			if secret == "" {
				t.Fatalf("%s is empty", what)
			}
			if bytes.Contains(blob, []byte(secret)) {
				t.Errorf("the copy holds %s (%q)", what, secret)
			}
		}

		// Sealed evidence keeps no exact size: neither its size column nor
		// its ciphertext's length is the photo's.
		ev, err := db.RawRows(ctx, `SELECT size, length(sealed) FROM rights_evidence`)
		if err != nil || len(ev) != 1 {
			t.Fatalf("evidence rows: %v %v", ev, err)
		}
		photo := strconv.Itoa(len(pngBytes(t)))
		if ev[0][0] == photo || ev[0][1] == photo || ev[0][0] != strconv.Itoa(vault.PadSize(len(pngBytes(t)))) {
			t.Errorf("sealed evidence shows the photo's size (%s bytes): %v", photo, ev[0])
		}

		// 3. Offline guessing of a known password against the copy: even
		// the right password is not recognised without the pepper.
		hash := seizedHash(t, db, raid, f.reporter.ID)
		if !accounts.Peppered(hash) {
			t.Errorf("the reporter's stored hash is not peppered: %s", hash)
		}
		if accounts.VerifyPassword(hash, mustPasswordOf(t, "Reportera")) {
			t.Error("the right password is recognised from the copy without the pepper")
		}
		if !accounts.VerifyPeppered(hash, mustPasswordOf(t, "Reportera"), &pepper) {
			t.Fatal("the hash does not verify with the pepper: the test checks nothing")
		}

		// 4. Who reported: no row or journal entry of the report names the
		// reporter; its times are kept to the day; and nothing that names
		// the reporter carries a time within the hour of the report that
		// is not a whole hour.
		for _, q := range []string{
			`SELECT * FROM rights_incidents`, `SELECT * FROM rights_people`, `SELECT * FROM rights_evidence`,
			`SELECT seq, at, actor, kind, body, payload FROM journal WHERE kind LIKE 'incident.%' OR kind LIKE 'person.%' OR kind LIKE 'evidence.%'`,
		} {
			rows, err := db.RawRows(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rows {
				line := strings.Join(r, " | ")
				if strings.Contains(line, "Reportera") {
					t.Errorf("%s: a row names the reporter: %s", q, line)
				}
				for _, cell := range r {
					if n, err := strconv.ParseInt(cell, 10, 64); err == nil && near(n, reported) && !wholeDay(n) {
						t.Errorf("%s: a time within the hour of the report, kept to the microsecond: %s", q, line)
					}
				}
			}
		}
		entries, err := db.RawRows(ctx, `SELECT actor, at FROM journal WHERE kind = 'incident.reported'`)
		if err != nil || len(entries) != 1 || entries[0][0] != "0" {
			t.Fatalf("the report's journal entry: %v %v", entries, err)
		}
		// Sessions and tokens: to the hour or the day, never the
		// microsecond. (Accounts and memberships keep when they were made,
		// days before any report in real life; here they were made in the
		// same second, so they are not searched.)
		rid := strconv.FormatInt(f.reporter.ID, 10)
		for _, q := range []string{
			`SELECT created_at, last_seen_at FROM sessions WHERE user_id = ` + rid,
			`SELECT created_at, last_used_at FROM api_tokens WHERE user_id = ` + rid,
		} {
			rows, err := db.RawRows(ctx, q)
			if err != nil || len(rows) == 0 {
				t.Fatalf("%s: %v %v", q, rows, err)
			}
			for _, r := range rows {
				for _, cell := range r {
					if n, _ := strconv.ParseInt(cell, 10, 64); near(n, reported) && !wholeHour(n) {
						t.Errorf("%s: %s, kept to the microsecond, ties the reporter to the time of the report", q, cell)
					}
				}
			}
		}
		// Nothing in the copy opens the report's seal, which alone says
		// who reported: the records key is wrapped (1), and the
		// commission's key is wrapped by it.
		t.Logf("seizure: %d bytes searched; played in %s", len(blob), time.Since(start).Round(time.Millisecond))
	})
}

// near reports whether the stored time n (Unix µs) is within the hour of t.
func near(n int64, t time.Time) bool {
	d := time.UnixMicro(n).Sub(t)
	return n > 1e15 && d > -time.Hour && d < time.Hour
}

func wholeHour(n int64) bool { return n%int64(time.Hour/time.Microsecond) == 0 }

func wholeDay(n int64) bool {
	l := time.UnixMicro(n).In(store.Lima)
	return l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 && l.Nanosecond() == 0
}

// mustPasswordOf is the password mustUser gives name.
func mustPasswordOf(t *testing.T, name string) string {
	t.Helper()
	return "una contraseña larga de " + name
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		os.MkdirAll(filepath.Dir(filepath.Join(to, rel)), 0o700)
		dst, err := os.Create(filepath.Join(to, rel))
		if err != nil {
			return err
		}
		defer dst.Close()
		_, err = io.Copy(dst, src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, dir string) []byte {
	t.Helper()
	var all []byte
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			all = append(all, b...)
		}
		return nil
	})
	return all
}

// dumpPostgres is every cell of every table, with each row's xmin: what
// an image of the server's PostgreSQL files yields, read directly.
func dumpPostgres(t *testing.T, db *store.DB) []byte {
	t.Helper()
	tables, err := db.RawRows(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, tb := range tables {
		rows, err := db.RawRows(ctx, `SELECT xmin::text, * FROM `+tb[0])
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			fmt.Fprintln(&b, tb[0], strings.Join(r, "\x00"))
		}
	}
	return b.Bytes()
}

// seizedHash reads a password hash out of the copy (SQLite: the copied
// file itself; PostgreSQL: the rows).
func seizedHash(t *testing.T, db *store.DB, raid string, user int64) string {
	t.Helper()
	if db.Dialect() == store.SQLite {
		c, err := sql.Open("sqlite", filepath.Join(raid, filepath.Base(db.FilePath())))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		var h string
		if err := c.QueryRow(`SELECT password_hash FROM users WHERE id = ?`, user).Scan(&h); err != nil {
			t.Fatal(err)
		}
		return h
	}
	rows, err := db.RawRows(ctx, `SELECT password_hash FROM users WHERE id = `+strconv.FormatInt(user, 10))
	if err != nil || len(rows) != 1 {
		t.Fatal(rows, err)
	}
	return rows[0][0]
}
