package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/polls"
	"asamblea/tally"
)

// PublishResults counts the election and publishes the result: its
// organisers may, once the vote has closed and, on paper, every sheet is
// settled. A published result is never changed: publishing again is a
// correction, a new version with its reason, while no representative has
// been recalled.
func (db *DB) PublishResults(ctx context.Context, actor, id int64, reason string) (Result, error) {
	var r Result
	err := db.Update(ctx, actor, func(tx *Tx) error {
		e, err := tx.managePoll(id)
		if err != nil {
			return err
		}
		switch e.Phase {
		case polls.Count:
		case polls.Published:
			if reason, err = bodies.CleanText("reason", reason, 3, polls.ReasonMax, true); err != nil {
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
func (tx *Tx) count(e polls.Poll, cs []polls.Candidacy, seed uint64) (*tally.Report, string, error) {
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
		if rep, err = polls.CountLists(e.Input, cs, votes, seed); err != nil {
			return nil, "", countErr(err)
		}
		err = polls.WriteListCSV(&buf, e.Input, cs, votes)
		return rep, buf.String(), err
	}
	keys, err := tx.choices(e.ID, 0)
	if err != nil {
		return nil, "", err
	}
	if e.Lists() {
		votes := make([]int64, len(cs))
		for k, w := range keys {
			if ns, _ := polls.DecodeKey(k); len(ns) == 1 && ns[0] <= len(cs) {
				votes[ns[0]-1] += w
			}
		}
		if rep, err = polls.CountLists(e.Input, cs, votes, seed); err != nil {
			return nil, "", countErr(err)
		}
		err = polls.WriteListCSV(&buf, e.Input, cs, votes)
		return rep, buf.String(), err
	}
	delete(keys, "0")
	if rep, err = polls.CountRanked(e.Input, cs, keys, seed); err != nil {
		return nil, "", countErr(err)
	}
	err = polls.WriteBLT(&buf, e.Input, cs, keys)
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
func seatedBy(e polls.Poll, cs []polls.Candidacy, rep *tally.Report) ([]int64, []listResult) {
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
				if polls.ListLabel(c) == t.Name {
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
		e, _, err := tx.visiblePoll(id)
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
func (db *DB) Representatives(ctx context.Context, viewer, id int64) ([]polls.Candidacy, error) {
	var cs []polls.Candidacy
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.visiblePoll(id); err != nil {
			return err
		}
		var err error
		cs, err = tx.candidacies(id, false)
		return err
	})
	return cs, err
}
