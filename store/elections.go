package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/elections"
	"asamblea/errs"
	"asamblea/places"
	"asamblea/tally"
)

const electionColumns = `e.id, e.body_id, b.name, e.title, e.description, e.scope, e.seats, e.method, e.threshold, e.parity, e.recall_share,
	e.registration_closes, e.voting_opens, e.voting_closes, e.publish_by, e.voters, e.version, e.published_at, e.created_by, e.created_at`

const electionFrom = ` FROM polls e JOIN bodies b ON b.id = e.body_id`

func (tx *Tx) scanElection(row scanner, e *elections.Election) error {
	var reg, opens, closes, pub, published, created int64
	if err := row.Scan(&e.ID, &e.BodyID, &e.BodyName, &e.Title, &e.Description, &e.Scope, &e.Seats, &e.Method, &e.Threshold, &e.Parity, &e.RecallShare,
		&reg, &opens, &closes, &pub, &e.Voters, &e.Version, &published, &e.CreatedBy, &created); err != nil {
		return err
	}
	e.RegistrationCloses, e.VotingOpens, e.VotingCloses, e.PublishBy = fromUS(reg), fromUS(opens), fromUS(closes), fromUS(pub)
	e.CreatedAt, e.PublishedAt = fromUS(created), optTime(published)
	e.Phase = e.PhaseAt(tx.Now, e.Version > 0)
	return nil
}

// electionRow loads election id as stored, without its figures (the
// electorate and the count so far), or NotFound.
func (tx *Tx) electionRow(id int64) (elections.Election, error) {
	var e elections.Election
	err := tx.scanElection(tx.QueryRow(`SELECT `+electionColumns+electionFrom+` WHERE e.id = ?`, id), &e)
	return e, notFound(err, "poll.not_found")
}

// loadElection loads election id with its figures, or NotFound.
func (tx *Tx) loadElection(id int64) (elections.Election, error) {
	e, err := tx.electionRow(id)
	if err != nil {
		return e, err
	}
	if e.Scope.Paper() {
		a, err := tx.area(id, 0, "")
		if err != nil {
			return e, err
		}
		e.Stations, e.Counted, e.Flagged, e.Electorate = a.Stations, a.Counted, a.Flagged, a.Electorate
		return e, nil
	}
	n, err := tx.onlineElectorate(e.BodyID, e.Scope)
	e.Electorate = n
	return e, err
}

// onlineElectorate is how many people may vote online: a committee's
// members, or the people holding seats in an assembly.
func (tx *Tx) onlineElectorate(body int64, scope elections.Scope) (int64, error) {
	var n int64
	q := `SELECT COUNT(*) FROM memberships WHERE body_id = ?`
	if scope == elections.AssemblyScope {
		q = `SELECT COUNT(DISTINCT user_id) FROM delegates WHERE assembly_id = ? AND status = 'seated'`
	}
	err := tx.QueryRow(q, body).Scan(&n)
	return n, err
}

// visibleElection loads election id, with its figures, if the actor may
// see it: a public election anyone may; a body's or an assembly's, its
// members and delegates. Others get NotFound. It returns the actor as the
// organising body sees them.
func (tx *Tx) visibleElection(id int64) (elections.Election, authz.Subject, error) {
	e, err := tx.loadElection(id)
	if err != nil {
		return e, authz.Subject{}, err
	}
	return tx.seeElection(e)
}

// visibleElectionRow is visibleElection without the figures, for the hot
// paths (a ballot, a tally sheet) that do not need them.
func (tx *Tx) visibleElectionRow(id int64) (elections.Election, authz.Subject, error) {
	e, err := tx.electionRow(id)
	if err != nil {
		return e, authz.Subject{}, err
	}
	return tx.seeElection(e)
}

func (tx *Tx) seeElection(e elections.Election) (elections.Election, authz.Subject, error) {
	_, s, err := tx.subject(e.BodyID, tx.Actor)
	if err != nil {
		return e, s, err
	}
	if e.Scope != elections.PublicScope && !authz.Allowed(authz.ViewElection, s) {
		return elections.Election{}, s, errs.New(errs.NotFound, "poll.not_found")
	}
	return e, s, nil
}

// manageElection loads election id for a change only its organisers may make.
func (tx *Tx) manageElection(id int64) (elections.Election, error) {
	e, s, err := tx.visibleElection(id)
	if err != nil {
		return e, err
	}
	return e, authz.Check(authz.ManageElection, s)
}

// takePart checks that the actor may register or sign a petition in e: in
// a public election anyone signed in, otherwise its voters.
func takePart(e elections.Election, s authz.Subject) error {
	if e.Scope == elections.PublicScope {
		return authz.Check(authz.TakePartPublicly, s)
	}
	return authz.Check(authz.VoteElection, s)
}

// CallElection calls an election organised by a body: its facilitators may.
func (db *DB) CallElection(ctx context.Context, actor, body int64, in elections.Input) (elections.Election, error) {
	var e elections.Election
	err := db.Update(ctx, actor, func(tx *Tx) error {
		b, _, err := tx.authorize(authz.ManageElection, body)
		if err != nil {
			return err
		}
		if err := in.Clean(tx.Now); err != nil {
			return err
		}
		if in.Scope == elections.AssemblyScope && b.Kind != bodies.Assembly {
			return errs.Field("scope", "poll.scope.assembly")
		}
		if in.Scope == elections.BodyScope && b.Kind == bodies.Assembly {
			return errs.Field("scope", "poll.scope.body")
		}
		seed := rand.Int64N(1<<62) + 1 // #nosec G404 -- a tie-break seed, not a secret: math/rand/v2's top-level source is ChaCha8 seeded by the runtime, and the seed is kept so a recount gives the same result
		id, err := tx.Insert(`INSERT INTO polls (body_id, title, description, scope, seats, method, threshold, parity, recall_share,
				registration_closes, voting_opens, voting_closes, publish_by, seed, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			body, in.Title, in.Description, in.Scope, in.Seats, in.Method, in.Threshold, in.Parity, in.RecallShare,
			us(in.RegistrationCloses), us(in.VotingOpens), us(in.VotingCloses), us(in.PublishBy), seed, actor, us(tx.Now))
		if err != nil {
			return err
		}
		if in.Scope.Paper() {
			if _, err := tx.Exec(`INSERT INTO poll_areas (election_id, contest, area) VALUES (?, 0, '')`, id); err != nil {
				return err
			}
		}
		if err := tx.Record("poll.called", body, map[string]any{"election": id, "input": in, "seed": seed}); err != nil {
			return err
		}
		e, err = tx.loadElection(id)
		return err
	})
	return e, err
}

// SetCalendar moves an election's dates: its organisers may, for dates
// still to come. Advancing a phase now (closing registration, opening or
// closing the vote) is setting its date to now.
func (db *DB) SetCalendar(ctx context.Context, actor, id int64, c elections.Calendar) (elections.Election, error) {
	var e elections.Election
	err := db.Update(ctx, actor, func(tx *Tx) error {
		old, err := tx.manageElection(id)
		if err != nil {
			return err
		}
		if err := tx.setCalendar(old, c); err != nil {
			return err
		}
		e, err = tx.loadElection(id)
		return err
	})
	return e, err
}

func (tx *Tx) setCalendar(old elections.Election, c elections.Calendar) error {
	if old.Phase == elections.Published {
		return errs.New(errs.Conflict, "poll.published")
	}
	// A date already past stays as it was: the phase it closed is over.
	keep := func(field string, was, now time.Time) (time.Time, error) {
		if now.IsZero() || now.Equal(was) {
			return was, nil
		}
		if !was.After(tx.Now) {
			return was, errs.Field(field, "poll.date.passed")
		}
		if now.Before(tx.Now) {
			now = tx.Now
		}
		return now, nil
	}
	var err error
	in := old.Input
	if in.RegistrationCloses, err = keep("registration_closes", old.RegistrationCloses, c.RegistrationCloses); err != nil {
		return err
	}
	if in.VotingOpens, err = keep("voting_opens", old.VotingOpens, c.VotingOpens); err != nil {
		return err
	}
	if in.VotingCloses, err = keep("voting_closes", old.VotingCloses, c.VotingCloses); err != nil {
		return err
	}
	if !c.PublishBy.IsZero() {
		in.PublishBy = c.PublishBy
	}
	switch {
	case in.VotingOpens.Before(in.RegistrationCloses):
		return errs.Field("voting_opens", "poll.date.order")
	case !in.VotingCloses.After(in.VotingOpens):
		return errs.Field("voting_closes", "poll.date.order")
	case in.PublishBy.Before(in.VotingCloses):
		in.PublishBy = in.VotingCloses
	}
	if !in.VotingOpens.After(tx.Now) && old.VotingOpens.After(tx.Now) {
		// Voting opens now: there must be something to vote for.
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_candidacies WHERE election_id = ? AND status = 'registered'`, old.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errs.Field("voting_opens", "poll.candidacies.none")
		}
	}
	if _, err := tx.Exec(`UPDATE polls SET registration_closes = ?, voting_opens = ?, voting_closes = ?, publish_by = ? WHERE id = ?`,
		us(in.RegistrationCloses), us(in.VotingOpens), us(in.VotingCloses), us(in.PublishBy), old.ID); err != nil {
		return err
	}
	return tx.Record("poll.calendar", old.BodyID, map[string]any{"election": old.ID, "calendar": in.Calendar})
}

// Advance ends the election's current phase now: registration closes, the
// vote opens, or the vote closes.
func (db *DB) Advance(ctx context.Context, actor, id int64) (elections.Election, error) {
	var e elections.Election
	err := db.Update(ctx, actor, func(tx *Tx) error {
		old, err := tx.manageElection(id)
		if err != nil {
			return err
		}
		var c elections.Calendar
		switch old.Phase {
		case elections.Registration:
			c.RegistrationCloses = tx.Now
		case elections.Campaign:
			c.VotingOpens = tx.Now
		case elections.Voting:
			c.VotingCloses = tx.Now
		default:
			return errs.New(errs.Conflict, "poll.phase.last")
		}
		if err := tx.setCalendar(old, c); err != nil {
			return err
		}
		e, err = tx.loadElection(id)
		return err
	})
	return e, err
}

// BodyElections lists the elections a body organises, newest first, as the
// viewer may see them.
func (db *DB) BodyElections(ctx context.Context, viewer, body int64) ([]elections.Election, error) {
	var es []elections.Election
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		_, s, err := tx.subject(body, viewer)
		if err != nil {
			return err
		}
		q := `SELECT ` + electionColumns + electionFrom + ` WHERE e.body_id = ?`
		if !authz.Allowed(authz.ViewElection, s) {
			q += ` AND e.scope = 'public'`
		}
		es, err = tx.elections(q+` ORDER BY e.id DESC LIMIT 200`, body)
		return err
	})
	return es, err
}

// PublicElections lists public elections, newest first.
func (db *DB) PublicElections(ctx context.Context) ([]elections.Election, error) {
	var es []elections.Election
	err := db.View(ctx, func(tx *Tx) error {
		var err error
		es, err = tx.elections(`SELECT ` + electionColumns + electionFrom + ` WHERE e.scope = 'public' ORDER BY e.id DESC LIMIT 200`)
		return err
	})
	return es, err
}

func (tx *Tx) elections(q string, args ...any) ([]elections.Election, error) {
	es, err := queryAll(tx, tx.scanElection, q, args...)
	if err != nil {
		return nil, err
	}
	for i := range es {
		if es[i].Scope.Paper() {
			a, err := tx.area(es[i].ID, 0, "")
			if err != nil {
				return nil, err
			}
			es[i].Stations, es[i].Counted, es[i].Flagged, es[i].Electorate = a.Stations, a.Counted, a.Flagged, a.Electorate
		}
	}
	return es, nil
}

// ElectionPage is an election with its candidacies, its count, its recalls
// and what the viewer may do.
type ElectionPage struct {
	Election    elections.Election
	Candidacies []elections.Candidacy
	National    elections.Area   // paper: the count so far
	Departments []elections.Area // paper: by department
	Result      *Result          // the latest published result
	Versions    int
	Recalls     []elections.Recall

	Manage      bool // the viewer organises it
	Enter       bool // the viewer may enter tally sheets
	Register    bool // the viewer may register a candidacy now
	CanVote     bool // the viewer may vote online now
	Voted       bool // the viewer has voted
	TakePart    bool // the viewer may open and sign recall petitions
	RecallVoter bool // the viewer may vote in recalls online
}

// Result is one publication of an election's results.
type Result struct {
	Version     int           `json:"version"`
	Report      *tally.Report `json:"report"`
	Inputs      string        `json:"-"`
	Reason      string        `json:"reason,omitempty"`
	PublishedBy int64         `json:"published_by"`
	PublishedAt time.Time     `json:"published_at"`
	SHA256      string        `json:"sha256"` // of the report as published
}

// ElectionPage loads an election's page for viewer.
func (db *DB) ElectionPage(ctx context.Context, viewer, id int64) (ElectionPage, error) {
	var p ElectionPage
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		e, s, err := tx.visibleElection(id)
		if err != nil {
			return err
		}
		p.Election = e
		if p.Candidacies, err = tx.candidacies(id, true); err != nil {
			return err
		}
		if e.Scope.Paper() {
			if p.National, err = tx.area(id, 0, ""); err != nil {
				return err
			}
			if p.Departments, err = tx.areas(id, 0, ""); err != nil {
				return err
			}
			// Registered candidacies come first, in ballot order: the
			// order of the sheets' figures.
			for i, c := range p.Candidacies {
				if c.Status == elections.Registered && i < len(p.National.Sheet.Votes) {
					p.Candidacies[i].Votes = p.National.Sheet.Votes[i]
				}
			}
		}
		if e.Version > 0 {
			r, err := tx.result(id, e.Version)
			if err != nil {
				return err
			}
			p.Result, p.Versions = &r, e.Version
		}
		if p.Recalls, err = tx.recalls(`WHERE r.election_id = ? ORDER BY r.id DESC`, id); err != nil {
			return err
		}
		p.Manage = authz.Allowed(authz.ManageElection, s)
		p.Enter = e.Scope.Paper() && authz.Allowed(authz.EnterSheet, s)
		p.TakePart = takePart(e, s) == nil
		p.Register = p.TakePart && e.Phase == elections.Registration
		if !e.Scope.Paper() && authz.Allowed(authz.VoteElection, s) {
			p.RecallVoter = true
			if p.Voted, err = tx.hasVotedIn(id, 0); err != nil {
				return err
			}
			p.CanVote = e.Phase == elections.Voting && !p.Voted
		}
		return nil
	})
	return p, err
}

func (tx *Tx) hasVotedIn(id, contest int64) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT COUNT(*) FROM poll_voters WHERE election_id = ? AND contest = ? AND user_id = ?`, id, contest, tx.Actor).Scan(&n)
	return n > 0, err
}

// candidacies lists an election's candidacies in ballot order, with their
// candidates; withdrawn ones (after the others) only when all is set.
func (tx *Tx) candidacies(id int64, all bool) ([]elections.Candidacy, error) {
	q := `SELECT id, election_id, number, name, organisation, sector, status, seats, votes, registered_by, created_at FROM poll_candidacies WHERE election_id = ?`
	if !all {
		q += ` AND status = 'registered'`
	}
	cs, err := queryAll(tx, func(row scanner, c *elections.Candidacy) error {
		var created int64
		err := row.Scan(&c.ID, &c.ElectionID, &c.Number, &c.Name, &c.Organisation, &c.Sector, &c.Status, &c.Seats, &c.Votes, &c.RegisteredBy, &created)
		c.CreatedAt = fromUS(created)
		return err
	}, q+` ORDER BY status, number`, id)
	if err != nil {
		return nil, err
	}
	rows, err := queryAll(tx, func(row scanner, c *elections.Candidate) error {
		return row.Scan(&c.ID, &c.CandidacyID, &c.Position, &c.Name, &c.Gender, &c.Status, &c.Replaces)
	}, `SELECT id, candidacy_id, position, name, gender, status, replaces FROM poll_candidates WHERE election_id = ? ORDER BY candidacy_id, position`, id)
	if err != nil {
		return nil, err
	}
	at := map[int64]int{}
	for i, c := range cs {
		at[c.ID] = i
	}
	for _, c := range rows {
		if i, ok := at[c.CandidacyID]; ok {
			cs[i].Candidates = append(cs[i].Candidates, c)
		}
	}
	return cs, nil
}

// RegisterCandidacy registers a list or a candidate while registration is
// open: in a public election anyone signed in may (for an organisation),
// in a body's or an assembly's its voters.
func (db *DB) RegisterCandidacy(ctx context.Context, actor, id int64, in elections.CandidacyInput) (elections.Candidacy, error) {
	var c elections.Candidacy
	err := db.Update(ctx, actor, func(tx *Tx) error {
		e, s, err := tx.visibleElection(id)
		if err != nil {
			return err
		}
		if err := takePart(e, s); err != nil {
			return err
		}
		if e.Phase != elections.Registration {
			return errs.New(errs.Conflict, "poll.registration.closed")
		}
		if err := in.Clean(e.Input); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_candidacies WHERE election_id = ? AND status = 'registered' AND LOWER(name) = LOWER(?)`, id, in.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.Field("name", "poll.candidacy.taken")
		}
		var number int
		if err := tx.QueryRow(`SELECT COALESCE(MAX(number), 0) + 1 FROM poll_candidacies WHERE election_id = ?`, id).Scan(&number); err != nil {
			return err
		}
		cid, err := tx.Insert(`INSERT INTO poll_candidacies (election_id, number, name, organisation, sector, status, registered_by, created_at)
			VALUES (?, ?, ?, ?, ?, 'registered', ?, ?)`, id, number, in.Name, in.Organisation, in.Sector, actor, us(tx.Now))
		if err != nil {
			return err
		}
		for i, p := range in.Candidates {
			if _, err := tx.Exec(`INSERT INTO poll_candidates (candidacy_id, election_id, position, name, gender) VALUES (?, ?, ?, ?, ?)`,
				cid, id, i+1, p.Name, p.Gender); err != nil {
				return err
			}
		}
		if err := tx.Record("poll.candidacy", e.BodyID, map[string]any{"election": id, "candidacy": cid, "number": number, "input": in}); err != nil {
			return err
		}
		cs, err := tx.candidacies(id, true)
		for _, x := range cs {
			if x.ID == cid {
				c = x
			}
		}
		return err
	})
	return c, err
}

// WithdrawCandidacy takes a candidacy off the ballot while registration is
// open: whoever registered it or the organisers may. The lists below it
// move up a number.
func (db *DB) WithdrawCandidacy(ctx context.Context, actor, candidacy int64) error {
	return db.Update(ctx, actor, func(tx *Tx) error {
		var id, by int64
		var number int
		var status string
		err := tx.QueryRow(`SELECT election_id, registered_by, number, status FROM poll_candidacies WHERE id = ?`, candidacy).Scan(&id, &by, &number, &status)
		if err != nil {
			return notFound(err, "poll.candidacy.not_found")
		}
		e, s, err := tx.visibleElection(id)
		if err != nil {
			return err
		}
		if by != actor && !authz.Allowed(authz.ManageElection, s) {
			return authz.Check(authz.ManageElection, s)
		}
		if e.Phase != elections.Registration {
			return errs.New(errs.Conflict, "poll.registration.closed")
		}
		if status != elections.Registered {
			return errs.New(errs.Conflict, "poll.candidacy.withdrawn")
		}
		if _, err := tx.Exec(`UPDATE poll_candidacies SET status = 'withdrawn', number = ? WHERE id = ?`, -candidacy, candidacy); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE poll_candidacies SET number = number - 1 WHERE election_id = ? AND number > ?`, id, number); err != nil {
			return err
		}
		return tx.Record("poll.candidacy.withdrawn", e.BodyID, map[string]any{"election": id, "candidacy": candidacy})
	})
}

// StationsMaxPerCall bounds the stations one call declares.
const StationsMaxPerCall = 5000

// AddStations declares polling stations of a paper election: its
// organisers may, until results are published. A code already declared is
// refused and nothing of the call is stored.
func (db *DB) AddStations(ctx context.Context, actor, id int64, in []elections.StationInput, valid func(string) bool) (int, error) {
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
		e, err := tx.manageElection(id)
		if err != nil {
			return err
		}
		if !e.Scope.Paper() {
			return errs.New(errs.Conflict, "poll.stations.online")
		}
		if e.Phase == elections.Published {
			return errs.New(errs.Conflict, "poll.published")
		}
		if e.Stations+len(in) > elections.StationsMax {
			return errs.Field("stations", "poll.stations.too_many", elections.StationsMax)
		}
		sums := map[string]*elections.Area{}
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
				for _, code := range elections.Areas(s.Place) {
					a := sums[code]
					if a == nil {
						a = &elections.Area{Code: code}
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

func scanArea(row scanner, a *elections.Area) error {
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
func (tx *Tx) area(id, contest int64, code string) (elections.Area, error) {
	var a elections.Area
	err := scanArea(tx.QueryRow(`SELECT `+areaColumns+` FROM poll_areas WHERE election_id = ? AND contest = ? AND area = ?`, id, contest, code), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return elections.Area{Code: code, Leader: -1}, nil
	}
	return a, err
}

// areas lists the departments (parent "") or the districts of a department.
func (tx *Tx) areas(id, contest int64, parent string) ([]elections.Area, error) {
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
func (db *DB) Areas(ctx context.Context, viewer, id, contest int64, parent string) (elections.Area, []elections.Area, error) {
	var top elections.Area
	var as []elections.Area
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.visibleElection(id); err != nil {
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
func (db *DB) Stations(ctx context.Context, viewer, id int64, f StationFilter) ([]elections.Station, error) {
	var ss []elections.Station
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.visibleElection(id); err != nil {
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
		case elections.Awaiting:
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

func scanStation(row scanner, s *elections.Station) error {
	var sheet string
	var updated int64
	if err := row.Scan(&s.ID, &s.ElectionID, &s.Code, &s.Place, &s.Department, &s.Electorate, &s.Status, &sheet, &s.Note, &updated); err != nil {
		return err
	}
	s.UpdatedAt = fromUS(updated)
	if sheet != "" {
		s.Sheet = new(elections.Sheet)
		return json.Unmarshal([]byte(sheet), s.Sheet)
	}
	return nil
}

// Station loads a station's sheet in a contest; the organisers' members
// (who enter sheets) also see each entry and who made it.
func (db *DB) Station(ctx context.Context, viewer, station, contest int64) (elections.Station, bool, error) {
	var s elections.Station
	var enter bool
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var id int64
		if err := tx.QueryRow(`SELECT election_id FROM poll_stations WHERE id = ?`, station).Scan(&id); err != nil {
			return notFound(err, "poll.station.not_found")
		}
		e, subj, err := tx.visibleElection(id)
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

func (tx *Tx) station(station, contest int64) (elections.Station, error) {
	var s elections.Station
	err := scanStation(tx.QueryRow(`SELECT s.id, s.election_id, s.code, s.place, s.department, s.electorate, COALESCE(h.status, 'awaiting'),
			COALESCE(h.sheet, ''), COALESCE(h.note, ''), COALESCE(h.updated_at, 0)
		FROM poll_stations s LEFT JOIN poll_sheets h ON h.station_id = s.id AND h.contest = ? WHERE s.id = ?`, contest, station), &s)
	return s, notFound(err, "poll.station.not_found")
}

func (tx *Tx) entries(station, contest int64) ([]elections.Entry, error) {
	return queryAll(tx, func(row scanner, e *elections.Entry) error {
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
func (tx *Tx) sheetContest(e elections.Election, contest int64) (contestState, error) {
	if contest == 0 {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_candidacies WHERE election_id = ? AND status = 'registered'`, e.ID).Scan(&n); err != nil {
			return contestState{}, err
		}
		return contestState{options: n, open: e.Phase == elections.Voting || e.Phase == elections.Count}, nil
	}
	var status string
	err := tx.QueryRow(`SELECT status FROM poll_recalls WHERE id = ? AND election_id = ?`, contest, e.ID).Scan(&status)
	if err != nil {
		return contestState{}, notFound(err, "poll.recall.not_found")
	}
	return contestState{options: len(elections.RecallOptions), open: status == elections.RecallVote}, nil
}

// EnterSheet enters a station's tally sheet: a member of the organising
// body may, once for each sheet. The second entry by someone else settles
// it when both agree; a disagreement, or more votes than electors, flags
// it for review, and a further entry that agrees with one by someone else
// resolves it. Sheets arriving together share a transaction.
func (db *DB) EnterSheet(ctx context.Context, actor, station, contest int64, sheet elections.Sheet) (elections.Station, error) {
	var s elections.Station
	err := db.updateBatchedClean(ctx, actor, func(tx *Tx) error {
		var err error
		s, err = tx.enterSheet(station, contest, sheet)
		return err
	})
	return s, err
}

func (tx *Tx) enterSheet(station, contest int64, sheet elections.Sheet) (elections.Station, error) {
	s, err := tx.station(station, contest)
	if err != nil {
		return s, err
	}
	e, subj, err := tx.visibleElectionRow(s.ElectionID)
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
	if elections.Done(s.Status) {
		return s, errs.New(errs.Conflict, "poll.sheet.settled")
	}
	if err := sheet.Clean(c.options); err != nil {
		return s, err
	}
	entries, err := tx.entries(station, contest)
	if err != nil {
		return s, err
	}
	if s.Status == elections.FirstEntered {
		if err := elections.CheckEntrant(entries, tx.Actor); err != nil {
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
	entries = append(entries, elections.Entry{N: n, UserID: tx.Actor, Sheet: sheet, CreatedAt: tx.Now})
	status, counted := elections.Reconcile(entries, s.Electorate)
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
	if counted != nil && status == elections.CountedSheet {
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
	payload := map[string]any{"election": s.ElectionID, "station": station, "code": s.Code, "entry": n, "status": status, "sheet": sheet}
	if contest != 0 {
		payload["recall"] = contest
	}
	if err := tx.Record("poll.sheet", e.BodyID, payload); err != nil {
		return s, err
	}
	s.Status, s.Sheet, s.Entries = status, nil, entries
	if status == elections.CountedSheet {
		s.Sheet = counted
	}
	return s, nil
}

// moveAreas keeps the areas' figures in step as a station's sheet moves
// from status was to status now: counted figures are added (sign 1) or
// taken away (sign -1), flags counted.
func (tx *Tx) moveAreas(s elections.Station, contest int64, was, now string, sheet *elections.Sheet, sign int64) error {
	dc, df := 0, 0
	if elections.Done(now) && !elections.Done(was) {
		dc = 1
	}
	if elections.Flagged(now) != elections.Flagged(was) {
		df = 1
		if elections.Flagged(was) {
			df = -1
		}
	}
	addSheet := now == elections.CountedSheet && was != elections.CountedSheet
	if dc == 0 && df == 0 && !addSheet && sheet == nil {
		return nil
	}
	for _, code := range elections.Areas(s.Place) {
		a, err := tx.area(s.ElectionID, contest, code)
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
			dc, df, string(raw), s.ElectionID, contest, code); err != nil {
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
	reason, err := bodies.CleanText("reason", reason, 3, elections.ReasonMax, true)
	if err != nil {
		return err
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		s, err := tx.station(station, contest)
		if err != nil {
			return err
		}
		e, err := tx.manageElection(s.ElectionID)
		if err != nil {
			return err
		}
		if _, err := tx.sheetContest(e, contest); err != nil {
			return err
		}
		if s.Status == elections.Annulled {
			return errs.New(errs.Conflict, "poll.sheet.annulled")
		}
		if _, err := tx.Exec(`INSERT INTO poll_sheets (station_id, contest, status, sheet, entries, note, updated_at) VALUES (?, ?, 'annulled', '', 0, ?, ?)
			ON CONFLICT (station_id, contest) DO UPDATE SET status = 'annulled', sheet = '', note = excluded.note, updated_at = excluded.updated_at`,
			station, contest, reason, us(tx.Now)); err != nil {
			return err
		}
		if err := tx.moveAreas(s, contest, s.Status, elections.Annulled, s.Sheet, -1); err != nil {
			return err
		}
		payload := map[string]any{"election": s.ElectionID, "station": station, "code": s.Code, "was": s.Status, "reason": reason}
		if contest != 0 {
			payload["recall"] = contest
		}
		return tx.Record("poll.sheet.annulled", e.BodyID, payload)
	})
}

// CastBallot casts an online ballot: the election's voters may, once,
// while the vote is open. It returns the voter's receipt code, which the
// published list of codes will show. Who voted is kept apart from what
// was chosen, and the receipt is kept apart from both.
func (db *DB) CastBallot(ctx context.Context, actor, id int64, b elections.Ballot) (string, error) {
	receipt := elections.NewReceipt()
	err := db.updateBatchedClean(ctx, actor, func(tx *Tx) error {
		e, s, err := tx.visibleElectionRow(id)
		if err != nil {
			return err
		}
		if e.Scope.Paper() {
			return errs.New(errs.Conflict, "poll.vote.paper")
		}
		if err := authz.Check(authz.VoteElection, s); err != nil {
			return err
		}
		if e.Phase != elections.Voting {
			return errs.New(errs.Conflict, "poll.vote.closed")
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_candidacies WHERE election_id = ? AND status = 'registered'`, id).Scan(&n); err != nil {
			return err
		}
		key, err := b.Encode(e.Lists(), n)
		if err != nil {
			return err
		}
		return tx.castOnline(id, 0, key, receipt, e.BodyID)
	})
	if err != nil {
		return "", err
	}
	return receipt, nil
}

// castOnline records an online ballot with its key in a contest: the
// voter, the choice counted, the receipt (elections only). A second ballot
// is refused without a failed statement.
func (tx *Tx) castOnline(id, contest int64, key, receipt string, body int64) error {
	res, err := tx.Exec(`INSERT INTO poll_voters (election_id, contest, user_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, id, contest, tx.Actor)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return errs.New(errs.Conflict, "poll.vote.twice")
	}
	if _, err := tx.Exec(`INSERT INTO poll_choices (election_id, contest, choice, weight) VALUES (?, ?, ?, 1)
		ON CONFLICT (election_id, contest, choice) DO UPDATE SET weight = poll_choices.weight + 1`, id, contest, key); err != nil {
		return err
	}
	if contest == 0 {
		if _, err := tx.Exec(`INSERT INTO poll_receipts (election_id, code) VALUES (?, ?)`, id, receipt); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE polls SET voters = voters + 1 WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.Record("poll.voted", body, map[string]any{"election": id})
	}
	if _, err := tx.Exec(`UPDATE poll_recalls SET voters = voters + 1 WHERE id = ?`, contest); err != nil {
		return err
	}
	return tx.Record("poll.recall.voted", body, map[string]any{"election": id, "recall": contest})
}

// Receipts lists an election's receipt codes in order, a page at a time;
// with code given, only that code if it is there.
func (db *DB) Receipts(ctx context.Context, viewer, id int64, after, code string, limit int) ([]string, error) {
	var cs []string
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.visibleElection(id); err != nil {
			return err
		}
		if limit <= 0 || limit > 2000 {
			limit = 500
		}
		q, args := `SELECT code FROM poll_receipts WHERE election_id = ? AND code > ? ORDER BY code LIMIT ?`, []any{id, after, limit}
		if code != "" {
			q, args = `SELECT code FROM poll_receipts WHERE election_id = ? AND code = ?`, []any{id, code}
		}
		var err error
		cs, err = queryAll(tx, func(row scanner, s *string) error { return row.Scan(s) }, q, args...)
		return err
	})
	return cs, err
}

// choices reads a contest's online ballots: their counts per key.
func (tx *Tx) choices(id, contest int64) (map[string]int64, error) {
	rows, err := tx.Query(`SELECT choice, weight FROM poll_choices WHERE election_id = ? AND contest = ?`, id, contest)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]int64{}
	for rows.Next() {
		var k string
		var w int64
		if err := rows.Scan(&k, &w); err != nil {
			return nil, err
		}
		m[k] = w
	}
	return m, rows.Err()
}

// PublishResults counts the election and publishes the result: its
// organisers may, once the vote has closed and, on paper, every sheet is
// settled. A published result is never changed: publishing again is a
// correction, a new version with its reason, while no representative has
// been recalled.
func (db *DB) PublishResults(ctx context.Context, actor, id int64, reason string) (Result, error) {
	var r Result
	err := db.Update(ctx, actor, func(tx *Tx) error {
		e, err := tx.manageElection(id)
		if err != nil {
			return err
		}
		switch e.Phase {
		case elections.Count:
		case elections.Published:
			if reason, err = bodies.CleanText("reason", reason, 3, elections.ReasonMax, true); err != nil {
				return errs.Field("reason", "poll.correction.reason")
			}
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_candidates WHERE election_id = ? AND (status = 'recalled' OR replaces <> 0)`, id).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return errs.New(errs.Conflict, "poll.correction.recalled")
			}
		default:
			return errs.New(errs.Conflict, "poll.publish.early")
		}
		if e.Scope.Paper() && (e.Flagged > 0 || e.Counted < e.Stations) {
			return errs.New(errs.Conflict, "poll.publish.pending", e.Stations-e.Counted, e.Flagged)
		}
		if e.Scope.Paper() && e.Stations == 0 {
			return errs.New(errs.Conflict, "poll.publish.no_stations")
		}
		var seed int64
		if err := tx.QueryRow(`SELECT seed FROM polls WHERE id = ?`, id).Scan(&seed); err != nil {
			return err
		}
		cs, err := tx.candidacies(id, false)
		if err != nil {
			return err
		}
		rep, inputs, err := tx.count(e, cs, uint64(seed))
		if err != nil {
			return err
		}
		seated, perList := seatedBy(e, cs, rep)
		if _, err := tx.Exec(`UPDATE poll_candidates SET status = 'standing' WHERE election_id = ? AND status = 'elected'`, id); err != nil {
			return err
		}
		for _, c := range seated {
			if _, err := tx.Exec(`UPDATE poll_candidates SET status = 'elected' WHERE id = ?`, c); err != nil {
				return err
			}
		}
		for i, c := range cs {
			if _, err := tx.Exec(`UPDATE poll_candidacies SET seats = ?, votes = ? WHERE id = ?`, perList[i].seats, perList[i].votes, c.ID); err != nil {
				return err
			}
		}
		raw, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(raw)
		r = Result{Version: e.Version + 1, Report: rep, Inputs: inputs, Reason: reason, PublishedBy: actor, PublishedAt: tx.Now, SHA256: hex.EncodeToString(sum[:])}
		if _, err := tx.Exec(`INSERT INTO poll_results (election_id, version, report, inputs, reason, published_by, published_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, r.Version, string(raw), inputs, reason, actor, us(tx.Now)); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE polls SET version = ?, published_at = ? WHERE id = ?`, r.Version, us(tx.Now), id); err != nil {
			return err
		}
		return tx.Record("poll.published", e.BodyID, map[string]any{"election": id, "version": r.Version, "reason": reason,
			"seats": rep.Seats, "elected": rep.Elected, "report_sha256": r.SHA256, "seated": seated})
	})
	return r, err
}

type listResult struct {
	seats int
	votes int64
}

// count runs the tally core on the election's votes and returns its
// report with the inputs that reproduce it (list CSV or BLT).
func (tx *Tx) count(e elections.Election, cs []elections.Candidacy, seed uint64) (*tally.Report, string, error) {
	if len(cs) == 0 {
		return nil, "", errs.New(errs.Conflict, "poll.candidacies.none")
	}
	var buf bytes.Buffer
	var rep *tally.Report
	var err error
	if e.Scope.Paper() {
		a, err := tx.area(e.ID, 0, "")
		if err != nil {
			return nil, "", err
		}
		votes := append(a.Sheet.Votes, make([]int64, max(0, len(cs)-len(a.Sheet.Votes)))...)
		if rep, err = elections.CountLists(e.Input, cs, votes, seed); err != nil {
			return nil, "", countErr(err)
		}
		err = elections.WriteListCSV(&buf, e.Input, cs, votes)
		return rep, buf.String(), err
	}
	keys, err := tx.choices(e.ID, 0)
	if err != nil {
		return nil, "", err
	}
	if e.Lists() {
		votes := make([]int64, len(cs))
		for k, w := range keys {
			if ns, _ := elections.DecodeKey(k); len(ns) == 1 && ns[0] <= len(cs) {
				votes[ns[0]-1] += w
			}
		}
		if rep, err = elections.CountLists(e.Input, cs, votes, seed); err != nil {
			return nil, "", countErr(err)
		}
		err = elections.WriteListCSV(&buf, e.Input, cs, votes)
		return rep, buf.String(), err
	}
	delete(keys, "0")
	if rep, err = elections.CountRanked(e.Input, cs, keys, seed); err != nil {
		return nil, "", countErr(err)
	}
	err = elections.WriteBLT(&buf, e.Input, cs, keys)
	return rep, buf.String(), err
}

// countErr turns the tally core's refusal (no votes, no list over the
// threshold) into a clear error.
func countErr(err error) error {
	var ie *tally.InputError
	if errors.As(err, &ie) {
		return errs.New(errs.Conflict, "poll.count.failed", ie.Msg)
	}
	return err
}

// seatedBy reads who takes the seats from a report: the candidate ids, and
// each candidacy's seats and votes.
func seatedBy(e elections.Election, cs []elections.Candidacy, rep *tally.Report) ([]int64, []listResult) {
	var seated []int64
	per := make([]listResult, len(cs))
	if e.Lists() {
		for i, l := range rep.Lists {
			if i >= len(cs) {
				break
			}
			per[i] = listResult{seats: l.Seats, votes: l.Votes}
			for _, s := range l.Seated {
				for _, c := range cs[i].Candidates {
					if c.Position == s.Position {
						seated = append(seated, c.ID)
					}
				}
			}
		}
		return seated, per
	}
	for _, i := range rep.ElectedIndex {
		if i < len(cs) && len(cs[i].Candidates) > 0 {
			seated = append(seated, cs[i].Candidates[0].ID)
			per[i].seats = 1
		}
	}
	if len(rep.Rounds) > 0 {
		for _, t := range rep.Rounds[0].Tallies {
			for i, c := range cs {
				if elections.ListLabel(c) == t.Name {
					per[i].votes, _ = t.Votes.Int64()
				}
			}
		}
	}
	return seated, per
}

func (tx *Tx) result(id int64, version int) (Result, error) {
	var r Result
	var raw string
	var at int64
	err := tx.QueryRow(`SELECT version, report, inputs, reason, published_by, published_at FROM poll_results WHERE election_id = ? AND version = ?`, id, version).
		Scan(&r.Version, &raw, &r.Inputs, &r.Reason, &r.PublishedBy, &at)
	if err != nil {
		return r, notFound(err, "poll.result.not_found")
	}
	r.PublishedAt = fromUS(at)
	sum := sha256.Sum256([]byte(raw))
	r.SHA256 = hex.EncodeToString(sum[:])
	return r, json.Unmarshal([]byte(raw), &r.Report)
}

// Results lists every published version of an election's results, newest
// first (version 0 in: all), or the one asked for.
func (db *DB) Results(ctx context.Context, viewer, id int64, version int) ([]Result, error) {
	var rs []Result
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		e, _, err := tx.visibleElection(id)
		if err != nil {
			return err
		}
		if e.Version == 0 {
			return errs.New(errs.NotFound, "poll.result.not_found")
		}
		for v := e.Version; v >= 1; v-- {
			if version != 0 && v != version {
				continue
			}
			r, err := tx.result(id, v)
			if err != nil {
				return err
			}
			rs = append(rs, r)
		}
		if len(rs) == 0 {
			return errs.New(errs.NotFound, "poll.result.not_found")
		}
		return nil
	})
	return rs, err
}

// Representatives lists those an election seated, and those recalled, by list.
func (db *DB) Representatives(ctx context.Context, viewer, id int64) ([]elections.Candidacy, error) {
	var cs []elections.Candidacy
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.visibleElection(id); err != nil {
			return err
		}
		var err error
		cs, err = tx.candidacies(id, false)
		return err
	})
	return cs, err
}

const recallColumns = `r.id, r.election_id, r.candidate_id, c.name, c.candidacy_id, l.name, r.reason, r.status, r.signatures, r.needed, r.yes, r.no,
	r.voters, r.voting_closes, r.replacement_id, COALESCE(x.name, ''), r.opened_by, r.created_at, r.closed_at`

const recallFrom = ` FROM poll_recalls r JOIN poll_candidates c ON c.id = r.candidate_id JOIN poll_candidacies l ON l.id = c.candidacy_id
	LEFT JOIN poll_candidates x ON x.id = r.replacement_id `

func scanRecall(row scanner, r *elections.Recall) error {
	var closes, created, closed int64
	if err := row.Scan(&r.ID, &r.ElectionID, &r.CandidateID, &r.CandidateName, &r.CandidacyID, &r.ListName, &r.Reason, &r.Status, &r.Signatures, &r.Needed,
		&r.Yes, &r.No, &r.Voters, &closes, &r.ReplacementID, &r.Replacement, &r.OpenedBy, &created, &closed); err != nil {
		return err
	}
	r.VotingCloses, r.CreatedAt, r.ClosedAt = optTime(closes), fromUS(created), optTime(closed)
	return nil
}

func (tx *Tx) recalls(where string, args ...any) ([]elections.Recall, error) {
	rs, err := queryAll(tx, scanRecall, `SELECT `+recallColumns+recallFrom+where, args...)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if err := tx.recallCounts(&rs[i]); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// recallCounts fills a paper recall's progress and yes and no so far.
func (tx *Tx) recallCounts(r *elections.Recall) error {
	if r.Status == elections.Collecting {
		return nil
	}
	a, err := tx.area(r.ElectionID, r.ID, "")
	if err != nil || a.Stations == 0 {
		return err
	}
	r.Stations, r.Counted, r.Flagged = a.Stations, a.Counted, a.Flagged
	if r.Status == elections.RecallVote && len(a.Sheet.Votes) == 2 {
		r.Yes, r.No = a.Sheet.Votes[0], a.Sheet.Votes[1]
	}
	return nil
}

func (tx *Tx) loadRecall(id int64) (elections.Recall, error) {
	rs, err := tx.recalls(`WHERE r.id = ?`, id)
	if err != nil {
		return elections.Recall{}, err
	}
	if len(rs) == 0 {
		return elections.Recall{}, errs.New(errs.NotFound, "poll.recall.not_found")
	}
	return rs[0], nil
}

// RecallPage is a recall with its election and what the viewer may do.
type RecallPage struct {
	Recall   elections.Recall
	Election elections.Election
	Signed   bool
	CanSign  bool
	CanVote  bool // online
	Voted    bool
	Manage   bool
	Enter    bool // paper: the viewer enters sheets
}

// RecallPage loads a recall's page for viewer.
func (db *DB) RecallPage(ctx context.Context, viewer, id int64) (RecallPage, error) {
	var p RecallPage
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var eid int64
		if err := tx.QueryRow(`SELECT election_id FROM poll_recalls WHERE id = ?`, id).Scan(&eid); err != nil {
			return notFound(err, "poll.recall.not_found")
		}
		e, s, err := tx.visibleElection(eid)
		if err != nil {
			return err
		}
		if p.Recall, err = tx.loadRecall(id); err != nil {
			return err
		}
		p.Election = e
		p.Manage = authz.Allowed(authz.ManageElection, s)
		p.Enter = e.Scope.Paper() && authz.Allowed(authz.EnterSheet, s)
		if viewer != 0 {
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_signers WHERE recall_id = ? AND user_id = ?`, id, viewer).Scan(&n); err != nil {
				return err
			}
			p.Signed = n > 0
		}
		p.CanSign = !p.Signed && p.Recall.Status == elections.Collecting && takePart(e, s) == nil
		if !e.Scope.Paper() && authz.Allowed(authz.VoteElection, s) {
			if p.Voted, err = tx.hasVotedIn(eid, id); err != nil {
				return err
			}
			p.CanVote = !p.Voted && p.Recall.Status == elections.RecallVote && p.Recall.VotingCloses != nil && tx.Now.Before(*p.Recall.VotingCloses)
		}
		return nil
	})
	return p, err
}

// OpenPetition starts a petition to recall a representative, signed by its
// opener: in a public election anyone signed in may, otherwise the
// election's voters. It needs the election's share of the electorate in
// signatures to go to a vote.
func (db *DB) OpenPetition(ctx context.Context, actor, candidate int64, reason string) (elections.Recall, error) {
	var r elections.Recall
	err := db.Update(ctx, actor, func(tx *Tx) error {
		var eid int64
		var status string
		if err := tx.QueryRow(`SELECT election_id, status FROM poll_candidates WHERE id = ?`, candidate).Scan(&eid, &status); err != nil {
			return notFound(err, "poll.candidate.not_found")
		}
		e, s, err := tx.visibleElection(eid)
		if err != nil {
			return err
		}
		if err := takePart(e, s); err != nil {
			return err
		}
		if status != elections.Elected {
			return errs.New(errs.Conflict, "poll.recall.not_seated")
		}
		if reason, err = bodies.CleanText("reason", reason, 3, elections.ReasonMax, true); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_recalls WHERE candidate_id = ? AND status IN ('collecting', 'voting')`, candidate).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.New(errs.Conflict, "poll.recall.open")
		}
		share, _ := tally.ParsePercent(e.RecallShare)
		needed := elections.SignaturesNeeded(share, e.Electorate)
		id, err := tx.Insert(`INSERT INTO poll_recalls (election_id, candidate_id, reason, status, needed, opened_by, created_at) VALUES (?, ?, ?, 'collecting', ?, ?, ?)`,
			eid, candidate, reason, needed, actor, us(tx.Now))
		if err != nil {
			return err
		}
		if err := tx.Record("poll.recall.opened", e.BodyID, map[string]any{"election": eid, "recall": id, "candidate": candidate, "reason": reason, "needed": needed}); err != nil {
			return err
		}
		if err := tx.sign(e, id); err != nil {
			return err
		}
		r, err = tx.loadRecall(id)
		return err
	})
	return r, err
}

// SignRecall signs a recall petition, once; the signature that reaches the
// share needed opens the vote.
func (db *DB) SignRecall(ctx context.Context, actor, id int64) (elections.Recall, error) {
	var r elections.Recall
	err := db.Update(ctx, actor, func(tx *Tx) error {
		r0, e, s, err := tx.visibleRecall(id)
		if err != nil {
			return err
		}
		if err := takePart(e, s); err != nil {
			return err
		}
		if r0.Status != elections.Collecting {
			return errs.New(errs.Conflict, "poll.recall.not_collecting")
		}
		if err := tx.sign(e, id); err != nil {
			return err
		}
		r, err = tx.loadRecall(id)
		return err
	})
	return r, err
}

func (tx *Tx) visibleRecall(id int64) (elections.Recall, elections.Election, authz.Subject, error) {
	r, err := tx.loadRecall(id)
	if err != nil {
		return r, elections.Election{}, authz.Subject{}, err
	}
	e, s, err := tx.visibleElection(r.ElectionID)
	return r, e, s, err
}

func (tx *Tx) sign(e elections.Election, id int64) error {
	res, err := tx.Exec(`INSERT INTO poll_signers (recall_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, tx.Actor)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		if err != nil {
			return err
		}
		return errs.New(errs.Conflict, "poll.recall.signed")
	}
	var signatures, needed int64
	if err := tx.QueryRow(`UPDATE poll_recalls SET signatures = signatures + 1 WHERE id = ? RETURNING signatures, needed`, id).Scan(&signatures, &needed); err != nil {
		return err
	}
	if err := tx.Record("poll.recall.signed", e.BodyID, map[string]any{"recall": id, "signatures": signatures}); err != nil {
		return err
	}
	if signatures < needed {
		return nil
	}
	closes := tx.Now.Add(elections.RecallDays * 24 * time.Hour)
	if _, err := tx.Exec(`UPDATE poll_recalls SET status = 'voting', voting_closes = ? WHERE id = ?`, us(closes), id); err != nil {
		return err
	}
	if e.Scope.Paper() {
		// The same stations vote on the recall: their areas start empty.
		if _, err := tx.Exec(`INSERT INTO poll_areas (election_id, contest, area, stations, electorate)
			SELECT election_id, ?, area, stations, electorate FROM poll_areas WHERE election_id = ? AND contest = 0`, id, e.ID); err != nil {
			return err
		}
	}
	return tx.Record("poll.recall.voting", e.BodyID, map[string]any{"recall": id, "signatures": signatures, "closes": closes})
}

// VoteInRecall casts an online ballot in a recall vote: the election's
// voters may, once, while it is open.
func (db *DB) VoteInRecall(ctx context.Context, actor, id int64, yes bool) error {
	return db.updateBatchedClean(ctx, actor, func(tx *Tx) error {
		r, e, s, err := tx.visibleRecall(id)
		if err != nil {
			return err
		}
		if e.Scope.Paper() {
			return errs.New(errs.Conflict, "poll.vote.paper")
		}
		if err := authz.Check(authz.VoteElection, s); err != nil {
			return err
		}
		if r.Status != elections.RecallVote || r.VotingCloses == nil || !tx.Now.Before(*r.VotingCloses) {
			return errs.New(errs.Conflict, "poll.vote.closed")
		}
		key := "no"
		if yes {
			key = "yes"
		}
		if err := tx.castOnline(e.ID, id, key, "", e.BodyID); err != nil {
			return err
		}
		_, err = tx.Exec(`UPDATE poll_recalls SET `+key+` = `+key+` + 1 WHERE id = ?`, id)
		return err
	})
}

// CloseRecall closes a recall vote and applies it: the organisers may,
// once every station's sheet is settled (paper) or the vote's time is up
// or everyone has voted (online). If it passes — a majority of the votes
// cast — the representative loses the seat and the next on the same list
// takes it (in a candidate election, the next in a count without them).
func (db *DB) CloseRecall(ctx context.Context, actor, id int64) (elections.Recall, error) {
	var r elections.Recall
	err := db.Update(ctx, actor, func(tx *Tx) error {
		r0, e, s, err := tx.visibleRecall(id)
		if err != nil {
			return err
		}
		if err := authz.Check(authz.ManageElection, s); err != nil {
			return err
		}
		if r0.Status != elections.RecallVote {
			return errs.New(errs.Conflict, "poll.recall.not_voting")
		}
		if e.Scope.Paper() {
			if r0.Flagged > 0 || r0.Counted < r0.Stations {
				return errs.New(errs.Conflict, "poll.publish.pending", r0.Stations-r0.Counted, r0.Flagged)
			}
		} else if tx.Now.Before(*r0.VotingCloses) && r0.Voters < e.Electorate {
			return errs.New(errs.Conflict, "poll.recall.still_open")
		}
		passed := elections.RecallPasses(r0.Yes, r0.No)
		status := elections.RecallFail
		var replacement int64
		if passed {
			status = elections.RecallPass
			if replacement, err = tx.replace(e, r0); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE poll_recalls SET status = ?, yes = ?, no = ?, replacement_id = ?, closed_at = ? WHERE id = ?`,
			status, r0.Yes, r0.No, replacement, us(tx.Now), id); err != nil {
			return err
		}
		if err := tx.Record("poll.recall.closed", e.BodyID, map[string]any{"election": e.ID, "recall": id, "candidate": r0.CandidateID,
			"yes": r0.Yes, "no": r0.No, "passed": passed, "replacement": replacement}); err != nil {
			return err
		}
		r, err = tx.loadRecall(id)
		return err
	})
	return r, err
}

// replace takes the recalled representative's seat away and gives it to
// the next: on a list, the next standing candidate; in a candidate
// election, the first not seated whom a count without every recalled
// candidate elects. It returns the replacement's id, 0 when none is left.
func (tx *Tx) replace(e elections.Election, r elections.Recall) (int64, error) {
	if _, err := tx.Exec(`UPDATE poll_candidates SET status = 'recalled' WHERE id = ?`, r.CandidateID); err != nil {
		return 0, err
	}
	cs, err := tx.candidacies(e.ID, false)
	if err != nil {
		return 0, err
	}
	var next int64
	if e.Lists() {
		for _, l := range cs {
			if l.ID != r.CandidacyID {
				continue
			}
			at := slices.IndexFunc(l.Candidates, func(c elections.Candidate) bool { return c.ID == r.CandidateID })
			if i := elections.Replacement(l.Candidates, at, e.Parity); i >= 0 {
				next = l.Candidates[i].ID
			}
		}
	} else {
		var seed int64
		if err := tx.QueryRow(`SELECT seed FROM polls WHERE id = ?`, e.ID).Scan(&seed); err != nil {
			return 0, err
		}
		keys, err := tx.choices(e.ID, 0)
		if err != nil {
			return 0, err
		}
		delete(keys, "0")
		var out []int
		for i, l := range cs {
			if len(l.Candidates) > 0 && l.Candidates[0].Status == elections.Recalled {
				out = append(out, i)
			}
		}
		rep, err := elections.CountRanked(e.Input, cs, keys, uint64(seed), out...)
		if err != nil {
			return 0, countErr(err)
		}
		for _, i := range rep.ElectedIndex {
			if c := cs[i].Candidates[0]; c.Status == elections.Standing {
				next = c.ID
				break
			}
		}
	}
	if next != 0 {
		if _, err := tx.Exec(`UPDATE poll_candidates SET status = 'elected', replaces = ? WHERE id = ?`, r.CandidateID, next); err != nil {
			return 0, err
		}
	}
	return next, nil
}
