package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"asamblea/accounts"
	"asamblea/motions"
	"asamblea/store"
)

// plan is what run needs to act as each member: written by prepare, read by
// run. It holds live credentials: keep it with the database, mode 0600.
type plan struct {
	Committees int      `json:"committees"`
	National   int64    `json:"national,omitempty"` // the national assembly of `demo --scale --actions`, for its coordinating view
	Members    []member `json:"members"`
}

// member is one simulated member of a committee.
type member struct {
	User    int64   `json:"user"`
	Body    int64   `json:"body"`
	Session string  `json:"session"` // the value of the session cookie, for the pages
	Token   string  `json:"token"`   // an API token, for the JSON API
	Motions []int64 `json:"motions"` // open to the member's vote
}

type prepareOptions struct {
	Members      int // how many
	PerCommittee int // taken from each committee
	Motions      int // put to a vote in each committee
}

// prepare picks committees spread over the whole database, puts motions to
// a vote in each (by its facilitator), and gives plain members of them a
// session and an API token.
func prepare(ctx context.Context, db *store.DB, o prepareOptions) (plan, error) {
	var p plan
	need := (o.Members + o.PerCommittee - 1) / o.PerCommittee
	var all []int64
	err := db.View(ctx, func(tx *store.Tx) error {
		var err error
		if all, err = ids(tx, `SELECT b.id FROM bodies b WHERE b.kind = 'committee'
			AND (SELECT COUNT(*) FROM memberships m WHERE m.body_id = b.id AND m.role = 'member') >= ? ORDER BY b.id`, o.PerCommittee); err != nil {
			return err
		}
		// The national assembly of demo.ScaleActions, if the database has one.
		return ignoreNoRows(tx.QueryRow(`SELECT id FROM bodies WHERE kind = 'assembly' AND name = 'Asamblea Nacional (escala)'`).Scan(&p.National))
	})
	if err != nil {
		return p, err
	}
	if len(all) < need {
		return p, fmt.Errorf("%d members at %d a committee need %d committees with as many plain members; the database has %d (make it with asamblea demo --scale N)",
			o.Members, o.PerCommittee, need, len(all))
	}
	for i := 0; i < need; i++ {
		body := all[i*len(all)/need] // spread over the whole database
		n := min(o.PerCommittee, o.Members-len(p.Members))
		ms, err := prepareCommittee(ctx, db, body, n, o.Motions)
		if err != nil {
			return p, fmt.Errorf("committee %d: %w", body, err)
		}
		p.Members = append(p.Members, ms...)
		p.Committees++
	}
	return p, nil
}

func prepareCommittee(ctx context.Context, db *store.DB, body int64, n, votes int) ([]member, error) {
	var facilitator int64
	var users []int64
	err := db.View(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(`SELECT user_id FROM memberships WHERE body_id = ? AND role = 'facilitator' ORDER BY user_id LIMIT 1`, body).Scan(&facilitator); err != nil {
			return fmt.Errorf("facilitator: %w", err)
		}
		var err error
		users, err = ids(tx, `SELECT user_id FROM memberships WHERE body_id = ? AND role = 'member' ORDER BY user_id LIMIT ?`, body, n)
		return err
	})
	if err != nil {
		return nil, err
	}
	var open []int64
	for k := 1; k <= votes; k++ {
		m, err := db.CreateMotion(ctx, facilitator, body, motions.Input{
			Title: fmt.Sprintf("Prueba de carga %d: ¿apoyamos el paro regional?", k),
			Text:  "Moción creada por asamblea-load para medir la votación en línea bajo carga.",
		})
		if err != nil {
			return nil, fmt.Errorf("motion: %w", err)
		}
		if _, err := db.MoveMotion(ctx, facilitator, m.ID, motions.Voting, 48); err != nil {
			return nil, fmt.Errorf("motion %d to a vote: %w", m.ID, err)
		}
		open = append(open, m.ID)
	}
	out := make([]member, 0, len(users))
	for _, u := range users {
		session, err := db.CreateSession(ctx, u, "asamblea-load")
		if err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		t, err := db.CreateToken(ctx, u, accounts.TokenSpec{Name: "asamblea-load", Scopes: []string{accounts.ScopeWrite}})
		if err != nil {
			return nil, fmt.Errorf("token: %w", err)
		}
		out = append(out, member{User: u, Body: body, Session: session, Token: t.Secret, Motions: open})
	}
	return out, nil
}

func ignoreNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// ids runs a query of one id column and returns the ids.
func ids(tx *store.Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
