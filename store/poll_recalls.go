package store

import (
	"context"
	"slices"
	"time"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/polls"
	"asamblea/tally"
)

const recallColumns = `r.id, r.election_id, r.candidate_id, c.name, c.candidacy_id, l.name, r.reason, r.status, r.signatures, r.needed, r.yes, r.no,
	r.voters, r.voting_closes, r.replacement_id, COALESCE(x.name, ''), r.opened_by, r.created_at, r.closed_at`

const recallFrom = ` FROM poll_recalls r JOIN poll_candidates c ON c.id = r.candidate_id JOIN poll_candidacies l ON l.id = c.candidacy_id
	LEFT JOIN poll_candidates x ON x.id = r.replacement_id `

func scanRecall(row scanner, r *polls.Recall) error {
	var closes, created, closed int64
	if err := row.Scan(&r.ID, &r.PollID, &r.CandidateID, &r.CandidateName, &r.CandidacyID, &r.ListName, &r.Reason, &r.Status, &r.Signatures, &r.Needed,
		&r.Yes, &r.No, &r.Voters, &closes, &r.ReplacementID, &r.Replacement, &r.OpenedBy, &created, &closed); err != nil {
		return err
	}
	r.VotingCloses, r.CreatedAt, r.ClosedAt = optTime(closes), fromUS(created), optTime(closed)
	return nil
}

func (tx *Tx) recalls(where string, args ...any) ([]polls.Recall, error) {
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
func (tx *Tx) recallCounts(r *polls.Recall) error {
	if r.Status == polls.Collecting {
		return nil
	}
	a, err := tx.area(r.PollID, r.ID, "")
	if err != nil || a.Stations == 0 {
		return err
	}
	r.Stations, r.Counted, r.Flagged = a.Stations, a.Counted, a.Flagged
	if r.Status == polls.RecallVote && len(a.Sheet.Votes) == 2 {
		r.Yes, r.No = a.Sheet.Votes[0], a.Sheet.Votes[1]
	}
	return nil
}

func (tx *Tx) loadRecall(id int64) (polls.Recall, error) {
	rs, err := tx.recalls(`WHERE r.id = ?`, id)
	if err != nil {
		return polls.Recall{}, err
	}
	if len(rs) == 0 {
		return polls.Recall{}, errs.New(errs.NotFound, "poll.recall.not_found")
	}
	return rs[0], nil
}

// PollRecallPage is a recall with its poll and what the viewer may do.
type PollRecallPage struct {
	Recall  polls.Recall
	Poll    polls.Poll
	Signed  bool
	CanSign bool
	CanVote bool // online
	Voted   bool
	Manage  bool
	Enter   bool // paper: the viewer enters sheets
}

// PollRecallPage loads a recall's page for viewer.
func (db *DB) PollRecallPage(ctx context.Context, viewer, id int64) (PollRecallPage, error) {
	var p PollRecallPage
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var eid int64
		if err := tx.QueryRow(`SELECT election_id FROM poll_recalls WHERE id = ?`, id).Scan(&eid); err != nil {
			return notFound(err, "poll.recall.not_found")
		}
		e, s, err := tx.visiblePoll(eid)
		if err != nil {
			return err
		}
		if p.Recall, err = tx.loadRecall(id); err != nil {
			return err
		}
		p.Poll = e
		p.Manage = authz.Allowed(authz.ManagePoll, s)
		p.Enter = e.Scope.Paper() && authz.Allowed(authz.EnterSheet, s)
		if viewer != 0 {
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM poll_signers WHERE recall_id = ? AND user_id = ?`, id, viewer).Scan(&n); err != nil {
				return err
			}
			p.Signed = n > 0
		}
		p.CanSign = !p.Signed && p.Recall.Status == polls.Collecting && takePart(e, s) == nil
		if !e.Scope.Paper() && authz.Allowed(authz.VotePoll, s) {
			if p.Voted, err = tx.hasVotedInPoll(eid, id); err != nil {
				return err
			}
			p.CanVote = !p.Voted && p.Recall.Status == polls.RecallVote && p.Recall.VotingCloses != nil && tx.Now.Before(*p.Recall.VotingCloses)
		}
		return nil
	})
	return p, err
}

// OpenPetition starts a petition to recall a representative, signed by its
// opener: in a public election anyone signed in may, otherwise the
// election's voters. It needs the election's share of the electorate in
// signatures to go to a vote.
func (db *DB) OpenPetition(ctx context.Context, actor, candidate int64, reason string) (polls.Recall, error) {
	var r polls.Recall
	err := db.Update(ctx, actor, func(tx *Tx) error {
		var eid int64
		var status string
		if err := tx.QueryRow(`SELECT election_id, status FROM poll_candidates WHERE id = ?`, candidate).Scan(&eid, &status); err != nil {
			return notFound(err, "poll.candidate.not_found")
		}
		e, s, err := tx.visiblePoll(eid)
		if err != nil {
			return err
		}
		if err := takePart(e, s); err != nil {
			return err
		}
		if status != polls.Elected {
			return errs.New(errs.Conflict, "poll.recall.not_seated")
		}
		if reason, err = bodies.CleanText("reason", reason, 3, polls.ReasonMax, true); err != nil {
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
		needed := polls.SignaturesNeeded(share, e.Electorate)
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

// SignPollRecall signs a recall petition, once; the signature that reaches the
// share needed opens the vote.
func (db *DB) SignPollRecall(ctx context.Context, actor, id int64) (polls.Recall, error) {
	var r polls.Recall
	err := db.Update(ctx, actor, func(tx *Tx) error {
		r0, e, s, err := tx.visibleRecall(id)
		if err != nil {
			return err
		}
		if err := takePart(e, s); err != nil {
			return err
		}
		if r0.Status != polls.Collecting {
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

func (tx *Tx) visibleRecall(id int64) (polls.Recall, polls.Poll, authz.Subject, error) {
	r, err := tx.loadRecall(id)
	if err != nil {
		return r, polls.Poll{}, authz.Subject{}, err
	}
	e, s, err := tx.visiblePoll(r.PollID)
	return r, e, s, err
}

func (tx *Tx) sign(e polls.Poll, id int64) error {
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
	closes := tx.Now.Add(polls.RecallDays * 24 * time.Hour)
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

// VotePollRecall casts an online ballot in a recall vote: the election's
// voters may, once, while it is open.
func (db *DB) VotePollRecall(ctx context.Context, actor, id int64, yes bool) error {
	return db.updateBatchedClean(ctx, actor, func(tx *Tx) error {
		r, e, s, err := tx.visibleRecall(id)
		if err != nil {
			return err
		}
		if e.Scope.Paper() {
			return errs.New(errs.Conflict, "poll.vote.paper")
		}
		if err := authz.Check(authz.VotePoll, s); err != nil {
			return err
		}
		if r.Status != polls.RecallVote || r.VotingCloses == nil || !tx.Now.Before(*r.VotingCloses) {
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

// ClosePollRecall closes a recall vote and applies it: the organisers may,
// once every station's sheet is settled (paper) or the vote's time is up
// or everyone has voted (online). If it passes — a majority of the votes
// cast — the representative loses the seat and the next on the same list
// takes it (in a candidate election, the next in a count without them).
func (db *DB) ClosePollRecall(ctx context.Context, actor, id int64) (polls.Recall, error) {
	var r polls.Recall
	err := db.Update(ctx, actor, func(tx *Tx) error {
		r0, e, s, err := tx.visibleRecall(id)
		if err != nil {
			return err
		}
		if err := authz.Check(authz.ManagePoll, s); err != nil {
			return err
		}
		if r0.Status != polls.RecallVote {
			return errs.New(errs.Conflict, "poll.recall.not_voting")
		}
		if e.Scope.Paper() {
			if r0.Flagged > 0 || r0.Counted < r0.Stations {
				return errs.New(errs.Conflict, "poll.publish.pending", r0.Stations-r0.Counted, r0.Flagged)
			}
		} else if tx.Now.Before(*r0.VotingCloses) && r0.Voters < e.Electorate {
			return errs.New(errs.Conflict, "poll.recall.still_open")
		}
		passed := polls.RecallPasses(r0.Yes, r0.No)
		status := polls.RecallFail
		var replacement int64
		if passed {
			status = polls.RecallPass
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
func (tx *Tx) replace(e polls.Poll, r polls.Recall) (int64, error) {
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
			at := slices.IndexFunc(l.Candidates, func(c polls.Candidate) bool { return c.ID == r.CandidateID })
			if i := polls.Replacement(l.Candidates, at, e.Parity); i >= 0 {
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
			if len(l.Candidates) > 0 && l.Candidates[0].Status == polls.Recalled {
				out = append(out, i)
			}
		}
		rep, err := polls.CountRanked(e.Input, cs, keys, uint64(seed), out...)
		if err != nil {
			return 0, countErr(err)
		}
		for _, i := range rep.ElectedIndex {
			if c := cs[i].Candidates[0]; c.Status == polls.Standing {
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
