package store

import (
	"context"
	"fmt"
	"time"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/motions"
	"asamblea/places"
	"asamblea/voting"
)

// Refer puts an assembly's motion to every body below it, down to the
// committees, for hours. Each committee gets a copy to vote on at once;
// each assembly below a copy in discussion, whose vote opens by itself
// once all its own bases have decided (or earlier, by its facilitator).
func (db *DB) Refer(ctx context.Context, actor, motion int64, hours int) (motions.Referral, error) {
	var ref motions.Referral
	d, err := motions.VotingHours(hours)
	if err != nil {
		return ref, err
	}
	err = db.Update(ctx, actor, func(tx *Tx) error {
		m, _, err := tx.motion(motion, authz.Refer)
		if err != nil {
			return err
		}
		switch {
		case m.BodyKind != bodies.Assembly:
			return errs.New(errs.Conflict, "referral.not_assembly")
		case m.ReferralID != 0:
			return errs.New(errs.Conflict, "referral.already")
		case m.Status != motions.Discussion && m.Status != motions.Draft:
			return errs.New(errs.Conflict, "referral.not_discussion")
		}
		below, err := tx.descendants(m.BodyID)
		if err != nil {
			return err
		}
		if len(below) == 0 {
			return errs.New(errs.Conflict, "referral.no_bases")
		}
		ref = motions.Referral{MotionID: motion, AssemblyID: m.BodyID, AssemblyName: m.BodyName, ClosesAt: tx.Now.Add(d), CreatedAt: tx.Now}
		for _, b := range below {
			if b.Kind != bodies.Assembly {
				ref.Committees++
				ref.Members += int64(b.Members)
			}
		}
		if ref.ID, err = tx.Insert(`INSERT INTO referrals (motion_id, assembly_id, closes_at, committees, members, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			motion, m.BodyID, us(ref.ClosesAt), ref.Committees, ref.Members, actor, us(tx.Now)); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE motions SET referral_id = ?, status = 'discussion', updated_at = ? WHERE id = ?`, ref.ID, us(tx.Now), motion); err != nil {
			return err
		}
		if err := tx.Record("referral.created", m.BodyID, map[string]any{"referral": ref.ID, "motion": motion, "closes_at": ref.ClosesAt,
			"bodies": len(below), "committees": ref.Committees, "members": ref.Members}); err != nil {
			return err
		}
		for _, b := range below {
			q := voting.Fraction{Num: b.quorumNum, Den: b.quorumDen}
			rule := m.Rule
			rule.Quorum = q
			c := motions.Motion{BodyID: b.ID, Title: m.Title, Text: m.Text, Options: m.Options, Rule: rule, ProposerID: actor,
				Status: motions.Discussion, ReferralID: ref.ID}
			if b.Kind != bodies.Assembly {
				c.Status, c.VotingAt, c.ClosesAt = motions.Voting, tx.Now, ref.ClosesAt
			}
			if err := tx.insertMotion(&c); err != nil {
				return err
			}
		}
		return nil
	})
	return ref, err
}

type below struct {
	ID                   int64
	Kind                 bodies.Kind
	Members              int
	quorumNum, quorumDen int
}

// descendants returns every body below an assembly through accepted
// affiliations, each once, nearest first.
func (tx *Tx) descendants(assembly int64) ([]below, error) {
	seen := map[int64]bool{assembly: true}
	var out []below
	frontier := []int64{assembly}
	for len(frontier) > 0 {
		var next []int64
		for _, a := range frontier {
			rows, err := queryAll(tx, func(row scanner, b *below) error {
				return row.Scan(&b.ID, &b.Kind, &b.Members, &b.quorumNum, &b.quorumDen)
			}, `SELECT b.id, b.kind, b.members, b.quorum_num, b.quorum_den FROM affiliations f JOIN bodies b ON b.id = f.body_id
				WHERE f.assembly_id = ? AND f.status = 'accepted' ORDER BY b.id`, a)
			if err != nil {
				return nil, err
			}
			for _, b := range rows {
				if seen[b.ID] {
					continue
				}
				seen[b.ID] = true
				out = append(out, b)
				if b.Kind == bodies.Assembly {
					next = append(next, b.ID)
				}
			}
		}
		frontier = next
	}
	return out, nil
}

// referralDecided carries a base's decision on a referral's copy upwards:
// it instructs the base's delegates in every assembly above that has the
// referral; a committee's decision is added to the referral's aggregation
// (one row updated: the national count never recounts); and an assembly
// whose bases have all decided opens its own vote.
func (tx *Tx) referralDecided(m motions.Motion) error {
	var top int64
	var refMotion int64
	if err := tx.QueryRow(`SELECT assembly_id, motion_id FROM referrals WHERE id = ?`, m.ReferralID).Scan(&top, &refMotion); err != nil {
		return err
	}
	if m.ID == refMotion {
		return nil // the referring assembly's own decision
	}
	if m.BodyKind != bodies.Assembly {
		var place string
		var members int64
		if err := tx.QueryRow(`SELECT place, members FROM bodies WHERE id = ?`, m.BodyID).Scan(&place, &members); err != nil {
			return err
		}
		dept := places.DepartmentOf(place)
		res, err := tx.Exec(`UPDATE referral_tally SET committees = committees + 1, members = members + ? WHERE referral_id = ? AND choice = ? AND department = ?`,
			members, m.ReferralID, m.Result, dept)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.Exec(`INSERT INTO referral_tally (referral_id, choice, department, committees, members) VALUES (?, ?, ?, 1, ?)`,
				m.ReferralID, m.Result, dept, members); err != nil {
				return err
			}
		}
	}
	// The copies of the referral in the assemblies this base belongs to.
	type parent struct {
		motion, assembly int64
		status           string
	}
	parents, err := queryAll(tx, func(row scanner, p *parent) error { return row.Scan(&p.motion, &p.assembly, &p.status) },
		`SELECT m.id, m.body_id, m.status FROM motions m JOIN affiliations f ON f.assembly_id = m.body_id
			WHERE f.body_id = ? AND f.status = 'accepted' AND m.referral_id = ?`, m.BodyID, m.ReferralID)
	if err != nil {
		return err
	}
	for _, p := range parents {
		if m.Result != "" {
			// ON CONFLICT: a failed statement would abort the transaction
			// on PostgreSQL.
			res, err := tx.Exec(`INSERT INTO instructions (body_id, motion_id, choice, source_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				m.BodyID, p.motion, m.Result, m.ID, us(tx.Now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			if err := tx.Record("instruction.given", m.BodyID, map[string]any{"motion": p.motion, "source": m.ID, "choice": m.Result}); err != nil {
				return err
			}
			// Delegates who voted before the instruction came are compared
			// with it now (again when the assembly's vote closes).
			if err := tx.recheckDeviations(p.motion, m.BodyID, m.Result); err != nil {
				return err
			}
		}
		if p.status != motions.Discussion {
			continue
		}
		var pending int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM motions c JOIN affiliations f ON f.body_id = c.body_id
			WHERE f.assembly_id = ? AND f.status = 'accepted' AND c.referral_id = ? AND c.status IN ('draft', 'discussion', 'voting', 'recorded')`,
			p.assembly, m.ReferralID).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			continue
		}
		// Every base has decided: the assembly's vote opens by itself.
		var hours int
		if err := tx.QueryRow(`SELECT vote_hours FROM bodies WHERE id = ?`, p.assembly).Scan(&hours); err != nil {
			return err
		}
		pm := motions.Motion{ID: p.motion, BodyID: p.assembly}
		if err := tx.openVote(&pm, time.Duration(hours)*time.Hour); err != nil {
			return err
		}
		if err := tx.notifyFacilitators(p.assembly, fmt.Sprintf("/motions/%d", p.motion), "notice.bases_decided", m.Title); err != nil {
			return err
		}
	}
	return nil
}

// recheckDeviations compares the votes already cast for a base's seats on
// an assembly motion with the base's new instruction.
func (tx *Tx) recheckDeviations(motion, base int64, instruction string) error {
	var opts, rule string
	m := motions.Motion{ID: motion}
	if err := tx.QueryRow(`SELECT options, rule FROM motions WHERE id = ?`, motion).Scan(&opts, &rule); err != nil {
		return err
	}
	if err := decodeShape(&m, opts, rule); err != nil {
		return err
	}
	type vote struct {
		delegate int64
		choice   string
	}
	votes, err := queryAll(tx, func(row scanner, v *vote) error { return row.Scan(&v.delegate, &v.choice) },
		`SELECT delegate_id, choice FROM delegate_votes WHERE motion_id = ? AND body_id = ?`, motion, base)
	if err != nil {
		return err
	}
	for _, v := range votes {
		if _, err := tx.Exec(`UPDATE delegate_votes SET instruction = ?, deviates = ? WHERE motion_id = ? AND delegate_id = ?`,
			instruction, motions.Deviates(m.Rule, instruction, v.choice), motion, v.delegate); err != nil {
			return err
		}
	}
	return nil
}

// notifyFacilitators leaves a notice for each facilitator of a body.
func (tx *Tx) notifyFacilitators(body int64, link, message string, args ...any) error {
	ids, err := queryAll(tx, func(row scanner, id *int64) error { return row.Scan(id) },
		`SELECT user_id FROM memberships WHERE body_id = ? AND role = 'facilitator' ORDER BY user_id LIMIT 20`, body)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := tx.notify(id, link, message, args...); err != nil {
			return err
		}
	}
	return nil
}

// Aggregation returns a referral's live result, as the referring assembly
// (its members and delegates) sees it: committees and members per choice
// and per department.
func (db *DB) Aggregation(ctx context.Context, viewer, referral int64) (motions.Aggregation, error) {
	var a motions.Aggregation
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		var ref motions.Referral
		var closes, created int64
		err := tx.QueryRow(`SELECT r.id, r.motion_id, r.assembly_id, b.name, r.closes_at, r.committees, r.members, r.created_at
			FROM referrals r JOIN bodies b ON b.id = r.assembly_id WHERE r.id = ?`, referral).
			Scan(&ref.ID, &ref.MotionID, &ref.AssemblyID, &ref.AssemblyName, &closes, &ref.Committees, &ref.Members, &created)
		if err != nil {
			return notFound(err, "referral.not_found")
		}
		ref.ClosesAt, ref.CreatedAt = fromUS(closes), fromUS(created)
		m, _, err := tx.motion(ref.MotionID, authz.ViewMotions)
		if err != nil {
			return err
		}
		rows, err := queryAll(tx, func(row scanner, r *motions.TallyRow) error {
			return row.Scan(&r.Choice, &r.Department, &r.Committees, &r.Members)
		}, `SELECT choice, department, committees, members FROM referral_tally WHERE referral_id = ? ORDER BY department, choice`, referral)
		if err != nil {
			return err
		}
		a = motions.Aggregate(ref, m, rows)
		return nil
	})
	return a, err
}

// ReferralOf returns the referral a motion belongs to (as its origin or a
// copy), or NotFound.
func (db *DB) ReferralOf(ctx context.Context, viewer, motion int64) (motions.Referral, error) {
	var ref motions.Referral
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		m, _, err := tx.motion(motion, authz.ViewMotions)
		if err != nil {
			return err
		}
		if m.ReferralID == 0 {
			return errs.New(errs.NotFound, "referral.not_found")
		}
		var closes, created int64
		err = tx.QueryRow(`SELECT r.id, r.motion_id, r.assembly_id, b.name, r.closes_at, r.committees, r.members, r.created_at
			FROM referrals r JOIN bodies b ON b.id = r.assembly_id WHERE r.id = ?`, m.ReferralID).
			Scan(&ref.ID, &ref.MotionID, &ref.AssemblyID, &ref.AssemblyName, &closes, &ref.Committees, &ref.Members, &created)
		ref.ClosesAt, ref.CreatedAt = fromUS(closes), fromUS(created)
		return err
	})
	return ref, err
}

// BaseResults lists how the bodies directly below an assembly decided on a
// referral's copy of its motion: one per base, with the status of its copy
// (still open, or decided with Choice; no quorum or a tie leave Choice
// empty).
func (db *DB) BaseResults(ctx context.Context, viewer, motion int64) ([]motions.Instruction, error) {
	var out []motions.Instruction
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		m, _, err := tx.motion(motion, authz.ViewMotions)
		if err != nil {
			return err
		}
		if m.ReferralID == 0 {
			return nil
		}
		out, err = queryAll(tx, func(row scanner, in *motions.Instruction) error {
			var at int64
			err := row.Scan(&in.BodyID, &in.BodyName, &in.SourceID, &in.Choice, &at, &in.Status)
			in.MotionID, in.CreatedAt, in.Label = motion, fromUS(at), m.ResultLabel(in.Choice)
			return err
		}, `SELECT b.id, b.name, c.id, c.result, c.closed_at, c.status FROM affiliations f JOIN bodies b ON b.id = f.body_id
			JOIN motions c ON c.body_id = b.id AND c.referral_id = ?
			WHERE f.assembly_id = ? AND f.status = 'accepted' ORDER BY b.name LIMIT 500`, m.ReferralID, m.BodyID)
		return err
	})
	return out, err
}

// Instructions lists the instructions a base has given its delegates,
// newest first.
func (db *DB) Instructions(ctx context.Context, viewer, body int64) ([]motions.Instruction, error) {
	var out []motions.Instruction
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewCompliance, body); err != nil {
			return err
		}
		var err error
		out, err = queryAll(tx, func(row scanner, in *motions.Instruction) error {
			var at int64
			var opts, rule string
			if err := row.Scan(&in.BodyID, &in.MotionID, &in.Title, &in.AssemblyID, &in.Choice, &in.SourceID, &at, &opts, &rule); err != nil {
				return err
			}
			in.CreatedAt = fromUS(at)
			m := motions.Motion{ID: in.MotionID}
			if err := decodeShape(&m, opts, rule); err != nil {
				return err
			}
			in.Label = m.ResultLabel(in.Choice)
			return nil
		}, `SELECT i.body_id, i.motion_id, m.title, m.body_id, i.choice, i.source_id, i.created_at, m.options, m.rule
			FROM instructions i JOIN motions m ON m.id = i.motion_id WHERE i.body_id = ? ORDER BY i.created_at DESC LIMIT 100`, body)
		return err
	})
	return out, err
}

const delegateVoteSelect = `SELECT v.motion_id, m.title, m.status, m.body_id, a.name, v.delegate_id, v.user_id, u.name, v.body_id, v.choice, v.weight,
	v.instruction, v.deviates, v.withdrawn, v.cast_at, m.options, m.rule,
	EXISTS (SELECT 1 FROM recalls r WHERE r.delegate_id = v.delegate_id AND r.status = 'open')
	FROM delegate_votes v JOIN motions m ON m.id = v.motion_id JOIN bodies a ON a.id = m.body_id JOIN users u ON u.id = v.user_id`

func scanDelegateVote(row scanner, v *motions.DelegateVote) error {
	var at int64
	var opts, rule string
	if err := row.Scan(&v.MotionID, &v.Title, &v.MotionStatus, &v.AssemblyID, &v.AssemblyName, &v.DelegateID, &v.UserID, &v.Name, &v.BodyID,
		&v.Choice, &v.Weight, &v.Instruction, &v.Deviates, &v.Withdrawn, &at, &opts, &rule, &v.RecallOpen); err != nil {
		return err
	}
	v.CastAt = fromUS(at)
	m := motions.Motion{ID: v.MotionID}
	if err := decodeShape(&m, opts, rule); err != nil {
		return err
	}
	v.Label, v.InstrLabel = choiceLabel(m, v.Choice), m.ResultLabel(v.Instruction)
	return nil
}

// choiceLabel names a stored choice: yes/no/abstain/block, or the options
// of a ranking in order.
func choiceLabel(m motions.Motion, choice string) string {
	if !m.IsOptions() {
		return choice
	}
	rk, _ := motions.DecodeRanking(choice)
	s := ""
	for i, o := range rk {
		if i > 0 {
			s += " › "
		}
		if o < len(m.Options) {
			s += m.Options[o]
		}
	}
	return s
}

// VotingRecord lists the votes cast by a base's delegates in its
// assemblies, newest first: public to the base. With deviations, only
// those that departed from the base's instruction.
func (db *DB) VotingRecord(ctx context.Context, viewer, body int64, deviations bool) ([]motions.DelegateVote, error) {
	var out []motions.DelegateVote
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewCompliance, body); err != nil {
			return err
		}
		q := delegateVoteSelect + ` WHERE v.body_id = ?`
		if deviations {
			q += ` AND v.deviates AND NOT v.withdrawn`
		}
		var err error
		out, err = queryAll(tx, scanDelegateVote, q+` ORDER BY v.cast_at DESC, v.delegate_id LIMIT 200`, body)
		return err
	})
	return out, err
}

// MotionVotes lists the delegates' votes on an assembly motion: all of
// them to the assembly; to a member of a base, the votes cast for that
// base's seats.
func (db *DB) MotionVotes(ctx context.Context, viewer, motion int64) ([]motions.DelegateVote, error) {
	var out []motions.DelegateVote
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		_, _, err := tx.motion(motion, authz.ViewMotions)
		if err == nil {
			out, err = queryAll(tx, scanDelegateVote, delegateVoteSelect+` WHERE v.motion_id = ? ORDER BY u.name, v.delegate_id LIMIT 2000`, motion)
			return err
		}
		if !errs.Is(err, errs.Forbidden) && !errs.Is(err, errs.NotFound) || viewer == 0 {
			return err
		}
		out, err = queryAll(tx, scanDelegateVote, delegateVoteSelect+` WHERE v.motion_id = ? AND m.status <> 'draft'
			AND v.body_id IN (SELECT body_id FROM memberships WHERE user_id = ?) ORDER BY u.name, v.delegate_id LIMIT 2000`, motion, viewer)
		if err == nil && len(out) == 0 {
			return errs.New(errs.NotFound, "motion.not_found")
		}
		return err
	})
	return out, err
}

// Compliance returns each of a base's delegates (current or past) with
// their record: closed votes cast, how many had an instruction, how many
// followed it.
func (db *DB) Compliance(ctx context.Context, viewer, body int64) ([]motions.Compliance, error) {
	var out []motions.Compliance
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		if _, _, err := tx.authorize(authz.ViewCompliance, body); err != nil {
			return err
		}
		var err error
		out, err = queryAll(tx, func(row scanner, c *motions.Compliance) error {
			err := row.Scan(&c.DelegateID, &c.UserID, &c.Name, &c.AssemblyID, &c.Assembly, &c.Status, &c.Votes, &c.Instructed, &c.Followed)
			c.Rate = motions.Rate(c.Followed, c.Instructed)
			return err
		}, `SELECT d.id, d.user_id, u.name, d.assembly_id, a.name, d.status,
				COUNT(v.motion_id),
				COALESCE(SUM(CASE WHEN v.instruction <> '' THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN v.instruction <> '' AND NOT v.deviates THEN 1 ELSE 0 END), 0)
			FROM delegates d JOIN users u ON u.id = d.user_id JOIN bodies a ON a.id = d.assembly_id
			LEFT JOIN delegate_votes v ON v.delegate_id = d.id AND NOT v.withdrawn
				AND v.motion_id IN (SELECT id FROM motions WHERE status NOT IN ('draft', 'discussion', 'voting', 'recorded'))
			WHERE d.body_id = ? AND d.status IN ('seated', 'recalled', 'unseated')
			GROUP BY d.id, d.user_id, u.name, d.assembly_id, a.name, d.status
			ORDER BY CASE d.status WHEN 'seated' THEN 0 ELSE 1 END, a.name, u.name LIMIT 200`, body)
		return err
	})
	return out, err
}
