package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/places"
	"asamblea/polls"
)

// StationsMaxPerCall bounds the stations one call declares.
const StationsMaxPerCall = 5000

// AddStations declares polling stations of a paper election: its
// organisers may, until results are published. A code already declared is
// refused and nothing of the call is stored.
func (db *DB) AddStations(ctx context.Context, actor, id int64, in []polls.StationInput, valid func(string) bool) (int, error) {
	if len(in) == 0 {
		return 0, errs.Field("stations", "poll.stations.none")
	}
	if len(in) > StationsMaxPerCall {
		return 0, errs.Field("stations", "poll.stations.too_many", StationsMaxPerCall)
	}
	seen := map[string]bool{}
	for i := range in {
		if err := in[i].Clean(valid); err != nil {
			e := errs.As(err)
			e.Args = append([]any{in[i].Code, i + 1}, e.Args...)
			e.Key += ".at"
			return 0, e
		}
		if seen[in[i].Code] {
			return 0, errs.Field("code", "poll.station.twice", in[i].Code)
		}
		seen[in[i].Code] = true
	}
	err := db.Update(ctx, actor, func(tx *Tx) error {
		e, err := tx.managePoll(id)
		if err != nil {
			return err
		}
		if !e.Scope.Paper() {
			return errs.New(errs.Conflict, "poll.stations.online")
		}
		if e.Phase == polls.Published {
			return errs.New(errs.Conflict, "poll.published")
		}
		if e.Stations+len(in) > polls.StationsMax {
			return errs.Field("stations", "poll.stations.too_many", polls.StationsMax)
		}
		sums := map[string]*polls.Area{}
		const per = 200
		for start := 0; start < len(in); start += per {
			chunk := in[start:min(start+per, len(in))]
			var q strings.Builder
			q.WriteString(`INSERT INTO poll_stations (election_id, code, place, department, electorate) VALUES `)
			args := make([]any, 0, 5*len(chunk))
			for i, s := range chunk {
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(?, ?, ?, ?, ?)")
				args = append(args, id, s.Code, s.Place, places.DepartmentOf(s.Place), s.Electorate)
				for _, code := range polls.Areas(s.Place) {
					a := sums[code]
					if a == nil {
						a = &polls.Area{Code: code}
						sums[code] = a
					}
					a.Stations++
					a.Electorate += s.Electorate
				}
			}
			if _, err := tx.Exec(q.String(), args...); err != nil {
				if isUnique(err) {
					return errs.Field("code", "poll.station.taken")
				}
				return err
			}
		}
		for _, a := range sums {
			if _, err := tx.Exec(`INSERT INTO poll_areas (election_id, contest, area, stations, electorate) VALUES (?, 0, ?, ?, ?)
				ON CONFLICT (election_id, contest, area) DO UPDATE SET stations = poll_areas.stations + excluded.stations,
				electorate = poll_areas.electorate + excluded.electorate`, id, a.Code, a.Stations, a.Electorate); err != nil {
				return err
			}
		}
		return tx.Record("poll.stations", e.BodyID, map[string]any{"election": id, "stations": in})
	})
	return len(in), err
}

func scanArea(row scanner, a *polls.Area) error {
	var sheet string
	if err := row.Scan(&a.Code, &a.Stations, &a.Counted, &a.Flagged, &a.Electorate, &sheet); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(sheet), &a.Sheet); err != nil {
		return err
	}
	a.Lead()
	return nil
}

const areaColumns = `area, stations, counted, flagged, electorate, sheet`

// area loads one area's count; an area with no stations is empty.
func (tx *Tx) area(id, contest int64, code string) (polls.Area, error) {
	var a polls.Area
	err := scanArea(tx.QueryRow(`SELECT `+areaColumns+` FROM poll_areas WHERE election_id = ? AND contest = ? AND area = ?`, id, contest, code), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return polls.Area{Code: code, Leader: -1}, nil
	}
	return a, err
}

// areas lists the departments (parent "") or the districts of a department.
func (tx *Tx) areas(id, contest int64, parent string) ([]polls.Area, error) {
	q := `SELECT ` + areaColumns + ` FROM poll_areas WHERE election_id = ? AND contest = ? AND LENGTH(area) = 2 ORDER BY area`
	args := []any{id, contest}
	if parent != "" {
		q = `SELECT ` + areaColumns + ` FROM poll_areas WHERE election_id = ? AND contest = ? AND area > ? AND area < ? ORDER BY area`
		args = append(args, parent+"0000", parent+"9999")
	}
	return queryAll(tx, scanArea, q, args...)
}

// Areas lists an election's count by department (parent "") or by district
// of a department, for a contest (0 the election, or a recall).
func (db *DB) Areas(ctx context.Context, viewer, id, contest int64, parent string) (polls.Area, []polls.Area, error) {
	var top polls.Area
	var as []polls.Area
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.visiblePoll(id); err != nil {
			return err
		}
		if err := tx.checkContest(id, contest); err != nil {
			return err
		}
		var err error
		if top, err = tx.area(id, contest, parent); err != nil {
			return err
		}
		as, err = tx.areas(id, contest, parent)
		return err
	})
	return top, as, err
}

func (tx *Tx) checkContest(id, contest int64) error {
	if contest == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_recalls WHERE id = ? AND election_id = ?`, contest, id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.New(errs.NotFound, "poll.recall.not_found")
	}
	return nil
}

// StationFilter narrows a list of stations.
type StationFilter struct {
	Contest int64
	Place   string // a department's or a district's code, "" for all
	Status  string // a station status, "flagged" for both flags, "" for all
	After   string // the last code of the previous page
	Limit   int
}

// Stations lists an election's stations with where their sheets stand, by code.
func (db *DB) Stations(ctx context.Context, viewer, id int64, f StationFilter) ([]polls.Station, error) {
	var ss []polls.Station
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.visiblePoll(id); err != nil {
			return err
		}
		if err := tx.checkContest(id, f.Contest); err != nil {
			return err
		}
		q := `SELECT s.id, s.election_id, s.code, s.place, s.department, s.electorate, COALESCE(h.status, 'awaiting'), COALESCE(h.sheet, ''),
				COALESCE(h.note, ''), COALESCE(h.updated_at, 0)
			FROM poll_stations s LEFT JOIN poll_sheets h ON h.station_id = s.id AND h.contest = ? WHERE s.election_id = ? AND s.code > ?`
		args := []any{f.Contest, id, f.After}
		switch len(f.Place) {
		case 0:
		case 2:
			q += ` AND s.department = ?`
			args = append(args, f.Place)
		default:
			q += ` AND s.place = ?`
			args = append(args, f.Place)
		}
		switch f.Status {
		case "":
		case "flagged":
			q += ` AND h.status IN ('mismatch', 'over')`
		case polls.Awaiting:
			q += ` AND h.status IS NULL`
		default:
			q += ` AND h.status = ?`
			args = append(args, f.Status)
		}
		if f.Limit <= 0 || f.Limit > 500 {
			f.Limit = 100
		}
		var err error
		ss, err = queryAll(tx, scanStation, q+` ORDER BY s.code LIMIT ?`, append(args, f.Limit)...)
		return err
	})
	return ss, err
}

func scanStation(row scanner, s *polls.Station) error {
	var sheet string
	var updated int64
	if err := row.Scan(&s.ID, &s.PollID, &s.Code, &s.Place, &s.Department, &s.Electorate, &s.Status, &sheet, &s.Note, &updated); err != nil {
		return err
	}
	s.UpdatedAt = fromUS(updated)
	if sheet != "" {
		s.Sheet = new(polls.Sheet)
		return json.Unmarshal([]byte(sheet), s.Sheet)
	}
	return nil
}

// Station loads a station's sheet in a contest; the organisers' members
// (who enter sheets) also see each entry and who made it.
func (db *DB) Station(ctx context.Context, viewer, station, contest int64) (polls.Station, bool, error) {
	var s polls.Station
	var enter bool
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var id int64
		if err := tx.QueryRow(`SELECT election_id FROM poll_stations WHERE id = ?`, station).Scan(&id); err != nil {
			return notFound(err, "poll.station.not_found")
		}
		e, subj, err := tx.visiblePoll(id)
		if err != nil {
			return err
		}
		if err := tx.checkContest(id, contest); err != nil {
			return err
		}
		if s, err = tx.station(station, contest); err != nil {
			return err
		}
		enter = e.Scope.Paper() && authz.Allowed(authz.EnterSheet, subj)
		if enter {
			s.Entries, err = tx.entries(station, contest)
		}
		return err
	})
	return s, enter, err
}

func (tx *Tx) station(station, contest int64) (polls.Station, error) {
	var s polls.Station
	err := scanStation(tx.QueryRow(`SELECT s.id, s.election_id, s.code, s.place, s.department, s.electorate, COALESCE(h.status, 'awaiting'),
			COALESCE(h.sheet, ''), COALESCE(h.note, ''), COALESCE(h.updated_at, 0)
		FROM poll_stations s LEFT JOIN poll_sheets h ON h.station_id = s.id AND h.contest = ? WHERE s.id = ?`, contest, station), &s)
	return s, notFound(err, "poll.station.not_found")
}

func (tx *Tx) entries(station, contest int64) ([]polls.Entry, error) {
	return queryAll(tx, func(row scanner, e *polls.Entry) error {
		var sheet string
		var created int64
		if err := row.Scan(&e.N, &e.UserID, &e.UserName, &sheet, &created); err != nil {
			return err
		}
		e.CreatedAt = fromUS(created)
		return json.Unmarshal([]byte(sheet), &e.Sheet)
	}, `SELECT x.n, x.user_id, u.name, x.sheet, x.created_at FROM poll_entries x JOIN users u ON u.id = x.user_id
		WHERE x.station_id = ? AND x.contest = ? ORDER BY x.n`, station, contest)
}

// contestState is what entering a sheet in a contest needs to know.
type contestState struct {
	options int
	open    bool
}

// sheetContest tells how many options a contest's sheets carry and
// whether they may be entered now: an election's from the opening of the
// vote until its results are published, a recall's while its vote is on.
func (tx *Tx) sheetContest(e polls.Poll, contest int64) (contestState, error) {
	if contest == 0 {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_candidacies WHERE election_id = ? AND status = 'registered'`, e.ID).Scan(&n); err != nil {
			return contestState{}, err
		}
		return contestState{options: n, open: e.Phase == polls.Voting || e.Phase == polls.Count}, nil
	}
	var status string
	err := tx.QueryRow(`SELECT status FROM poll_recalls WHERE id = ? AND election_id = ?`, contest, e.ID).Scan(&status)
	if err != nil {
		return contestState{}, notFound(err, "poll.recall.not_found")
	}
	return contestState{options: len(polls.RecallOptions), open: status == polls.RecallVote}, nil
}

// EnterSheet enters a station's tally sheet: a member of the organising
// body may, once for each sheet. The second entry by someone else settles
// it when both agree; a disagreement, or more votes than electors, flags
// it for review, and a further entry that agrees with one by someone else
// resolves it. Sheets arriving together share a transaction.
func (db *DB) EnterSheet(ctx context.Context, actor, station, contest int64, sheet polls.Sheet) (polls.Station, error) {
	var s polls.Station
	err := db.updateBatchedClean(ctx, actor, func(tx *Tx) error {
		var err error
		s, err = tx.enterSheet(station, contest, sheet)
		return err
	})
	return s, err
}

func (tx *Tx) enterSheet(station, contest int64, sheet polls.Sheet) (polls.Station, error) {
	s, err := tx.station(station, contest)
	if err != nil {
		return s, err
	}
	e, subj, err := tx.visiblePollRow(s.PollID)
	if err != nil {
		return s, err
	}
	if err := authz.Check(authz.EnterSheet, subj); err != nil {
		return s, err
	}
	c, err := tx.sheetContest(e, contest)
	if err != nil {
		return s, err
	}
	if !c.open {
		return s, errs.New(errs.Conflict, "poll.sheet.closed")
	}
	if polls.Done(s.Status) {
		return s, errs.New(errs.Conflict, "poll.sheet.settled")
	}
	if err := sheet.Clean(c.options); err != nil {
		return s, err
	}
	entries, err := tx.entries(station, contest)
	if err != nil {
		return s, err
	}
	if s.Status == polls.FirstEntered {
		if err := polls.CheckEntrant(entries, tx.Actor); err != nil {
			return s, err
		}
	}
	for _, x := range entries {
		if x.UserID == tx.Actor && x.Sheet.Equal(sheet) {
			return s, errs.New(errs.Conflict, "poll.sheet.same_person")
		}
	}
	was := s.Status
	n := len(entries) + 1
	entries = append(entries, polls.Entry{N: n, UserID: tx.Actor, Sheet: sheet, CreatedAt: tx.Now})
	status, counted := polls.Reconcile(entries, s.Electorate)
	// Nothing is written before this point.
	raw, err := json.Marshal(sheet)
	if err != nil {
		return s, err
	}
	if _, err := tx.Exec(`INSERT INTO poll_entries (station_id, contest, n, user_id, sheet, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		station, contest, n, tx.Actor, string(raw), us(tx.Now)); err != nil {
		return s, err
	}
	var settled string
	if counted != nil && status == polls.CountedSheet {
		b, err := json.Marshal(counted)
		if err != nil {
			return s, err
		}
		settled = string(b)
	}
	if _, err := tx.Exec(`INSERT INTO poll_sheets (station_id, contest, status, sheet, entries, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (station_id, contest) DO UPDATE SET status = excluded.status, sheet = excluded.sheet, entries = excluded.entries, updated_at = excluded.updated_at`,
		station, contest, status, settled, n, us(tx.Now)); err != nil {
		return s, err
	}
	if err := tx.moveAreas(s, contest, was, status, counted, 1); err != nil {
		return s, err
	}
	payload := map[string]any{"election": s.PollID, "station": station, "code": s.Code, "entry": n, "status": status, "sheet": sheet}
	if contest != 0 {
		payload["recall"] = contest
	}
	if err := tx.Record("poll.sheet", e.BodyID, payload); err != nil {
		return s, err
	}
	s.Status, s.Sheet, s.Entries = status, nil, entries
	if status == polls.CountedSheet {
		s.Sheet = counted
	}
	return s, nil
}

// moveAreas keeps the areas' figures in step as a station's sheet moves
// from status was to status now: counted figures are added (sign 1) or
// taken away (sign -1), flags counted.
func (tx *Tx) moveAreas(s polls.Station, contest int64, was, now string, sheet *polls.Sheet, sign int64) error {
	dc, df := 0, 0
	if polls.Done(now) && !polls.Done(was) {
		dc = 1
	}
	if polls.Flagged(now) != polls.Flagged(was) {
		df = 1
		if polls.Flagged(was) {
			df = -1
		}
	}
	addSheet := now == polls.CountedSheet && was != polls.CountedSheet
	if dc == 0 && df == 0 && !addSheet && sheet == nil {
		return nil
	}
	for _, code := range polls.Areas(s.Place) {
		a, err := tx.area(s.PollID, contest, code)
		if err != nil {
			return err
		}
		if sheet != nil && (addSheet || sign < 0) {
			a.Add(*sheet, sign)
		}
		raw, err := json.Marshal(a.Sheet)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE poll_areas SET counted = counted + ?, flagged = flagged + ?, sheet = ? WHERE election_id = ? AND contest = ? AND area = ?`,
			dc, df, string(raw), s.PollID, contest, code); err != nil {
			return err
		}
	}
	return nil
}

// AnnulSheet annuls a station's sheet, with the reason: its organisers may,
// for a sheet flagged for review, one never received, or one counted that
// proved wrong. An annulled sheet counts no votes. After results are
// published, the change shows in a correction.
func (db *DB) AnnulSheet(ctx context.Context, actor, station, contest int64, reason string) error {
	reason, err := bodies.CleanText("reason", reason, 3, polls.ReasonMax, true)
	if err != nil {
		return err
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		s, err := tx.station(station, contest)
		if err != nil {
			return err
		}
		e, err := tx.managePoll(s.PollID)
		if err != nil {
			return err
		}
		if _, err := tx.sheetContest(e, contest); err != nil {
			return err
		}
		if s.Status == polls.Annulled {
			return errs.New(errs.Conflict, "poll.sheet.annulled")
		}
		if _, err := tx.Exec(`INSERT INTO poll_sheets (station_id, contest, status, sheet, entries, note, updated_at) VALUES (?, ?, 'annulled', '', 0, ?, ?)
			ON CONFLICT (station_id, contest) DO UPDATE SET status = 'annulled', sheet = '', note = excluded.note, updated_at = excluded.updated_at`,
			station, contest, reason, us(tx.Now)); err != nil {
			return err
		}
		if err := tx.moveAreas(s, contest, s.Status, polls.Annulled, s.Sheet, -1); err != nil {
			return err
		}
		payload := map[string]any{"election": s.PollID, "station": station, "code": s.Code, "was": s.Status, "reason": reason}
		if contest != 0 {
			payload["recall"] = contest
		}
		return tx.Record("poll.sheet.annulled", e.BodyID, payload)
	})
}
