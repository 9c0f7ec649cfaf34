package store

// body_ancestry holds every body with each body above it, through accepted
// affiliations at any depth, and itself. It is how "the bodies of an
// assembly at every depth" are read in one index range, and how the
// coordinating views (action_scope) stay in step with the federation: when
// an affiliation is accepted or ended, the bodies below it get their
// ancestors again, and their actions their scope rows.

// addAncestry records a new body as its own ancestor.
func (tx *Tx) addAncestry(body int64) error {
	_, err := tx.Exec(`INSERT INTO body_ancestry (ancestor_id, body_id) VALUES (?, ?)`, body, body)
	return err
}

// linkAncestry records that body now lies under assembly: everything above
// assembly (and assembly) is above everything below body (and body).
func (tx *Tx) linkAncestry(assembly, body int64) error {
	if _, err := tx.Exec(`INSERT INTO body_ancestry (ancestor_id, body_id)
		SELECT x.ancestor_id, y.body_id FROM body_ancestry x, body_ancestry y
		WHERE x.body_id = ? AND y.ancestor_id = ? ON CONFLICT DO NOTHING`, assembly, body); err != nil {
		return err
	}
	below, err := tx.below(body)
	if err != nil {
		return err
	}
	return tx.rescope(below)
}

// unlinkAncestry recomputes the ancestors of body and every body below it,
// after one of body's affiliations ended (another path may still lead to
// the same assembly).
func (tx *Tx) unlinkAncestry(body int64) error {
	below, err := tx.below(body)
	if err != nil {
		return err
	}
	for _, ids := range chunks(below, 500) {
		in := placeholders(len(ids))
		if _, err := tx.Exec(`DELETE FROM body_ancestry WHERE body_id IN (`+in+`) AND ancestor_id <> body_id`, ids...); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO body_ancestry (ancestor_id, body_id)
			WITH RECURSIVE up(body_id, ancestor_id) AS (
				SELECT id, id FROM bodies WHERE id IN (`+in+`)
				UNION
				SELECT up.body_id, f.assembly_id FROM up JOIN affiliations f ON f.body_id = up.ancestor_id AND f.status = 'accepted'
			)
			SELECT ancestor_id, body_id FROM up WHERE ancestor_id <> body_id ON CONFLICT DO NOTHING`, ids...); err != nil {
			return err
		}
	}
	return tx.rescope(below)
}

// below returns body and every body under it.
func (tx *Tx) below(body int64) ([]any, error) {
	return queryAll(tx, func(row scanner, id *any) error {
		var n int64
		err := row.Scan(&n)
		*id = n
		return err
	}, `SELECT body_id FROM body_ancestry WHERE ancestor_id = ? ORDER BY body_id`, body)
}

// chunks splits ids into slices of at most n.
func chunks(ids []any, n int) [][]any {
	var out [][]any
	for len(ids) > n {
		out = append(out, ids[:n])
		ids = ids[n:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

// scopeColumns fills action_scope from actions a joined with body_ancestry
// ba: one row per action and body above its caller (and the caller).
const scopeInsert = `INSERT INTO action_scope (assembly_id, starts, action_id, department, kind, status, public, ended_at, repressed_at)
	SELECT ba.ancestor_id, a.starts, a.id, a.department, a.kind, a.status, a.visibility = 'public', a.ended_at, a.repressed_at
	FROM actions a JOIN body_ancestry ba ON ba.body_id = a.body_id
	WHERE a.visibility <> 'body' AND `

// rescope writes again the scope rows of the actions called by the given
// bodies, and their counts.
func (tx *Tx) rescope(bodyIDs []any) error {
	for _, ids := range chunks(bodyIDs, 500) {
		in := placeholders(len(ids))
		cond := `action_id IN (SELECT id FROM actions WHERE body_id IN (` + in + `))`
		if err := tx.countScope(-1, cond, ids...); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM action_scope WHERE `+cond, ids...); err != nil {
			return err
		}
		if _, err := tx.Exec(scopeInsert+`a.body_id IN (`+in+`)`, ids...); err != nil {
			return err
		}
		if err := tx.countScope(+1, cond, ids...); err != nil {
			return err
		}
	}
	return nil
}

// rescopeAction writes again the scope rows of one action, after a change
// of its start, place, kind or visibility.
func (tx *Tx) rescopeAction(id int64) error {
	if err := tx.countScope(-1, `action_id = ?`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(`DELETE FROM action_scope WHERE action_id = ?`, id); err != nil {
		return err
	}
	if _, err := tx.Exec(scopeInsert+`a.id = ?`, id); err != nil {
		return err
	}
	return tx.countScope(+1, `action_id = ?`, id)
}

// countScope adds sign times the scope rows that match cond to
// action_counts: called with -1 before scope rows change and +1 after.
func (tx *Tx) countScope(sign int, cond string, args ...any) error {
	n := "COUNT(*)"
	if sign < 0 {
		n = "-COUNT(*)"
	}
	_, err := tx.Exec(`INSERT INTO action_counts (assembly_id, department, kind, status, public, n)
		SELECT assembly_id, department, kind, status, public, `+n+` FROM action_scope WHERE `+cond+`
		GROUP BY assembly_id, department, kind, status, public
		ON CONFLICT (assembly_id, department, kind, status, public) DO UPDATE SET n = action_counts.n + excluded.n`, args...)
	return err
}
