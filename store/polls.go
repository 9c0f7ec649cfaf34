package store

import (
	"context"
	"math/rand/v2"
	"time"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/polls"
	"asamblea/tally"
)

const pollColumns = `e.id, e.body_id, b.name, e.title, e.description, e.scope, e.seats, e.method, e.threshold, e.parity, e.recall_share,
	e.registration_closes, e.voting_opens, e.voting_closes, e.publish_by, e.voters, e.version, e.published_at, e.created_by, e.created_at`

const pollFrom = ` FROM polls e JOIN bodies b ON b.id = e.body_id`

func (tx *Tx) scanPoll(row scanner, e *polls.Poll) error {
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

// pollRow loads election id as stored, without its figures (the
// electorate and the count so far), or NotFound.
func (tx *Tx) pollRow(id int64) (polls.Poll, error) {
	var e polls.Poll
	err := tx.scanPoll(tx.QueryRow(`SELECT `+pollColumns+pollFrom+` WHERE e.id = ?`, id), &e)
	return e, notFound(err, "poll.not_found")
}

// loadPoll loads election id with its figures, or NotFound.
func (tx *Tx) loadPoll(id int64) (polls.Poll, error) {
	e, err := tx.pollRow(id)
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
func (tx *Tx) onlineElectorate(body int64, scope polls.Scope) (int64, error) {
	var n int64
	q := `SELECT COUNT(*) FROM memberships WHERE body_id = ?`
	if scope == polls.AssemblyScope {
		q = `SELECT COUNT(DISTINCT user_id) FROM delegates WHERE assembly_id = ? AND status = 'seated'`
	}
	err := tx.QueryRow(q, body).Scan(&n)
	return n, err
}

// visiblePoll loads election id, with its figures, if the actor may
// see it: a public election anyone may; a body's or an assembly's, its
// members and delegates. Others get NotFound. It returns the actor as the
// organising body sees them.
func (tx *Tx) visiblePoll(id int64) (polls.Poll, authz.Subject, error) {
	e, err := tx.loadPoll(id)
	if err != nil {
		return e, authz.Subject{}, err
	}
	return tx.seePoll(e)
}

// visiblePollRow is visiblePoll without the figures, for the hot
// paths (a ballot, a tally sheet) that do not need them.
func (tx *Tx) visiblePollRow(id int64) (polls.Poll, authz.Subject, error) {
	e, err := tx.pollRow(id)
	if err != nil {
		return e, authz.Subject{}, err
	}
	return tx.seePoll(e)
}

func (tx *Tx) seePoll(e polls.Poll) (polls.Poll, authz.Subject, error) {
	_, s, err := tx.subject(e.BodyID, tx.Actor)
	if err != nil {
		return e, s, err
	}
	if e.Scope != polls.PublicScope && !authz.Allowed(authz.ViewPoll, s) {
		return polls.Poll{}, s, errs.New(errs.NotFound, "poll.not_found")
	}
	return e, s, nil
}

// managePoll loads election id for a change only its organisers may make.
func (tx *Tx) managePoll(id int64) (polls.Poll, error) {
	e, s, err := tx.visiblePoll(id)
	if err != nil {
		return e, err
	}
	return e, authz.Check(authz.ManagePoll, s)
}

// takePart checks that the actor may register or sign a petition in e: in
// a public election anyone signed in, otherwise its voters.
func takePart(e polls.Poll, s authz.Subject) error {
	if e.Scope == polls.PublicScope {
		return authz.Check(authz.TakePartPublicly, s)
	}
	return authz.Check(authz.VotePoll, s)
}

// CallPoll calls an election organised by a body: its facilitators may.
func (db *DB) CallPoll(ctx context.Context, actor, body int64, in polls.Input) (polls.Poll, error) {
	var e polls.Poll
	err := db.Update(ctx, actor, func(tx *Tx) error {
		b, _, err := tx.authorize(authz.ManagePoll, body)
		if err != nil {
			return err
		}
		if err := in.Clean(tx.Now); err != nil {
			return err
		}
		if in.Scope == polls.AssemblyScope && b.Kind != bodies.Assembly {
			return errs.Field("scope", "poll.scope.assembly")
		}
		if in.Scope == polls.BodyScope && b.Kind == bodies.Assembly {
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
		e, err = tx.loadPoll(id)
		return err
	})
	return e, err
}

// SetCalendar moves an election's dates: its organisers may, for dates
// still to come. Advancing a phase now (closing registration, opening or
// closing the vote) is setting its date to now.
func (db *DB) SetCalendar(ctx context.Context, actor, id int64, c polls.Calendar) (polls.Poll, error) {
	var e polls.Poll
	err := db.Update(ctx, actor, func(tx *Tx) error {
		old, err := tx.managePoll(id)
		if err != nil {
			return err
		}
		if err := tx.setCalendar(old, c); err != nil {
			return err
		}
		e, err = tx.loadPoll(id)
		return err
	})
	return e, err
}

func (tx *Tx) setCalendar(old polls.Poll, c polls.Calendar) error {
	if old.Phase == polls.Published {
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
func (db *DB) Advance(ctx context.Context, actor, id int64) (polls.Poll, error) {
	var e polls.Poll
	err := db.Update(ctx, actor, func(tx *Tx) error {
		old, err := tx.managePoll(id)
		if err != nil {
			return err
		}
		var c polls.Calendar
		switch old.Phase {
		case polls.Registration:
			c.RegistrationCloses = tx.Now
		case polls.Campaign:
			c.VotingOpens = tx.Now
		case polls.Voting:
			c.VotingCloses = tx.Now
		default:
			return errs.New(errs.Conflict, "poll.phase.last")
		}
		if err := tx.setCalendar(old, c); err != nil {
			return err
		}
		e, err = tx.loadPoll(id)
		return err
	})
	return e, err
}

// BodyPolls lists the elections a body organises, newest first, as the
// viewer may see them.
func (db *DB) BodyPolls(ctx context.Context, viewer, body int64) ([]polls.Poll, error) {
	var es []polls.Poll
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		_, s, err := tx.subject(body, viewer)
		if err != nil {
			return err
		}
		q := `SELECT ` + pollColumns + pollFrom + ` WHERE e.body_id = ?`
		if !authz.Allowed(authz.ViewPoll, s) {
			q += ` AND e.scope = 'public'`
		}
		es, err = tx.pollList(q+` ORDER BY e.id DESC LIMIT 200`, body)
		return err
	})
	return es, err
}

// PublicPolls lists public elections, newest first.
func (db *DB) PublicPolls(ctx context.Context) ([]polls.Poll, error) {
	var es []polls.Poll
	err := db.View(ctx, func(tx *Tx) error {
		var err error
		es, err = tx.pollList(`SELECT ` + pollColumns + pollFrom + ` WHERE e.scope = 'public' ORDER BY e.id DESC LIMIT 200`)
		return err
	})
	return es, err
}

func (tx *Tx) pollList(q string, args ...any) ([]polls.Poll, error) {
	es, err := queryAll(tx, tx.scanPoll, q, args...)
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

// PollPage is an election with its candidacies, its count, its recalls
// and what the viewer may do.
type PollPage struct {
	Poll        polls.Poll
	Candidacies []polls.Candidacy
	National    polls.Area   // paper: the count so far
	Departments []polls.Area // paper: by department
	Result      *Result      // the latest published result
	Versions    int
	Recalls     []polls.Recall

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

// PollPage loads an election's page for viewer.
func (db *DB) PollPage(ctx context.Context, viewer, id int64) (PollPage, error) {
	var p PollPage
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		e, s, err := tx.visiblePoll(id)
		if err != nil {
			return err
		}
		p.Poll = e
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
				if c.Status == polls.Registered && i < len(p.National.Sheet.Votes) {
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
		p.Manage = authz.Allowed(authz.ManagePoll, s)
		p.Enter = e.Scope.Paper() && authz.Allowed(authz.EnterSheet, s)
		p.TakePart = takePart(e, s) == nil
		p.Register = p.TakePart && e.Phase == polls.Registration
		if !e.Scope.Paper() && authz.Allowed(authz.VotePoll, s) {
			p.RecallVoter = true
			if p.Voted, err = tx.hasVotedInPoll(id, 0); err != nil {
				return err
			}
			p.CanVote = e.Phase == polls.Voting && !p.Voted
		}
		return nil
	})
	return p, err
}

func (tx *Tx) hasVotedInPoll(id, contest int64) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT COUNT(*) FROM poll_voters WHERE election_id = ? AND contest = ? AND user_id = ?`, id, contest, tx.Actor).Scan(&n)
	return n > 0, err
}

// candidacies lists an election's candidacies in ballot order, with their
// candidates; withdrawn ones (after the others) only when all is set.
