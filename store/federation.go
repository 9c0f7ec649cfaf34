package store

import (
	"context"
	"slices"

	"asamblea/authz"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/federation"
)

// AssemblyInput is what founders give to create an assembly.
type AssemblyInput struct {
	bodies.Input
	Level    federation.Level    `json:"level"`
	SeatRule federation.SeatRule `json:"seat_rule"`
	Founders []int64             `json:"founders"` // bodies founding it; the founder facilitates each
	// Weighted weighs each seat's vote by the members its body represents
	// (shared among the body's seats) instead of one vote per seat.
	Weighted bool `json:"weighted,omitempty"`
	// InitiativeThreshold is how many bodies (the sender included) must
	// support an initiative before it enters the agenda; 0 means 3.
	InitiativeThreshold int `json:"initiative_threshold,omitempty"`
}

// MaxInitiativeThreshold bounds an assembly's initiative threshold.
const MaxInitiativeThreshold = 10000

// Affiliation is a body's membership of an assembly.
type Affiliation struct {
	ID        int64       `json:"id"`
	Assembly  bodies.Body `json:"assembly"`
	Body      bodies.Body `json:"body"`
	Status    string      `json:"status"` // pending, accepted, refused, ended
	Seats     int         `json:"seats"`
	Message   string      `json:"message,omitempty"`
	Reason    string      `json:"reason,omitempty"`
	CreatedAt int64       `json:"-"`
}

// CreateAssembly founds an assembly in the name of one or more bodies, each
// facilitated by actor; the founders are affiliated at once and actor
// becomes the assembly's first facilitator.
func (db *DB) CreateAssembly(ctx context.Context, actor int64, in AssemblyInput, validPlace func(string) bool) (bodies.Body, error) {
	if err := in.Input.Clean(validPlace); err != nil {
		return bodies.Body{}, err
	}
	if !federation.ValidLevel(in.Level) {
		return bodies.Body{}, errs.Field("level", "assembly.level.unknown")
	}
	if err := in.SeatRule.Validate(); err != nil {
		return bodies.Body{}, err
	}
	if len(in.Founders) == 0 {
		return bodies.Body{}, errs.Field("founders", "assembly.founders.required")
	}
	if in.InitiativeThreshold == 0 {
		in.InitiativeThreshold = 3
	}
	if in.InitiativeThreshold < 1 || in.InitiativeThreshold > MaxInitiativeThreshold {
		return bodies.Body{}, errs.Field("initiative_threshold", "assembly.threshold.range", 1, MaxInitiativeThreshold)
	}
	r := in.SeatRule
	b := bodies.Body{Kind: bodies.Assembly, Name: in.Name, Sector: in.Sector, Place: in.Place, Description: in.Description, Public: in.Public,
		Members: 1, Level: in.Level, SeatRule: &r}
	err := db.Update(ctx, actor, func(tx *Tx) error {
		founders := slices.Compact(slices.Sorted(slices.Values(in.Founders)))
		for _, f := range founders {
			if _, _, err := tx.authorize(authz.FoundAssembly, f); err != nil {
				return err
			}
		}
		b.CreatedAt = tx.Now
		id, err := tx.Insert(`INSERT INTO bodies (kind, name, sector, place, description, public, created_by, created_at, members, level, seat_mode, seat_fixed, seat_per, seat_min, seat_max,
				weighted, initiative_threshold)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
			b.Kind, b.Name, b.Sector, b.Place, b.Description, b.Public, actor, us(tx.Now), b.Level, r.Mode, r.Fixed, r.PerSeat, r.Min, r.Max, in.Weighted, in.InitiativeThreshold)
		if err != nil {
			return err
		}
		b.ID = id
		if err := tx.addAncestry(id); err != nil {
			return err
		}
		if err := tx.insertMembership(id, actor, bodies.Facilitator); err != nil {
			return err
		}
		if err := tx.changeMembers(id, +1); err != nil {
			return err
		}
		if err := tx.Record("assembly.created", id, map[string]any{"name": b.Name, "level": b.Level, "place": b.Place, "sector": b.Sector,
			"public": b.Public, "seat_rule": r, "founders": founders, "facilitator": actor, "weighted": in.Weighted,
			"initiative_threshold": in.InitiativeThreshold}); err != nil {
			return err
		}
		for _, f := range founders {
			aid, err := tx.Insert(`INSERT INTO affiliations (assembly_id, body_id, status, requested_by, decided_by, created_at, decided_at) VALUES (?, ?, 'accepted', ?, ?, ?, ?)`,
				id, f, actor, actor, us(tx.Now), us(tx.Now))
			if err != nil {
				return err
			}
			if err := tx.acceptedAffiliation(id, f, aid); err != nil {
				return err
			}
		}
		return tx.QueryRow(`SELECT represented FROM bodies WHERE id = ?`, id).Scan(&b.Represented)
	})
	return b, err
}

// parents returns the assemblies body belongs to.
func (tx *Tx) parents(body int64) ([]int64, error) {
	return queryAll(tx, func(row scanner, id *int64) error { return row.Scan(id) },
		`SELECT assembly_id FROM affiliations WHERE body_id = ? AND status = 'accepted' ORDER BY assembly_id`, body)
}

// acceptedAffiliation brings the members body represents into assembly and
// everything above it, and gives out the seats again, recording it.
func (tx *Tx) acceptedAffiliation(assembly, body, affiliation int64) error {
	var rep int
	if err := tx.QueryRow(`SELECT represented FROM bodies WHERE id = ?`, body).Scan(&rep); err != nil {
		return err
	}
	if err := tx.Record("affiliation.accepted", assembly, map[string]any{"affiliation": affiliation, "body": body}); err != nil {
		return err
	}
	if err := tx.linkAncestry(assembly, body); err != nil {
		return err
	}
	return tx.represent(assembly, rep, assembly)
}

// changeMembers counts d more (or fewer) members of body. For a committee
// or commission they are members it represents, all the way up.
func (tx *Tx) changeMembers(body int64, d int) error {
	var kind bodies.Kind
	if err := tx.QueryRow(`UPDATE bodies SET members = members + ? WHERE id = ? RETURNING kind`, d, body).Scan(&kind); err != nil {
		return err
	}
	if kind == bodies.Assembly {
		return nil
	}
	return tx.represent(body, d)
}

// represent adds d to the members body represents and to every assembly
// above it (once per path: a body in two assemblies that meet higher up is
// represented through both), then gives out again the seats of every
// assembly whose bodies changed, and of those named in also.
func (tx *Tx) represent(body int64, d int, also ...int64) error {
	touched := map[int64]bool{}
	for _, a := range also {
		touched[a] = true
	}
	var walk func(id int64, depth int) error
	walk = func(id int64, depth int) error {
		if depth > 32 {
			return errs.New(errs.Conflict, "affiliation.cycle")
		}
		if d != 0 {
			if _, err := tx.Exec(`UPDATE bodies SET represented = represented + ? WHERE id = ?`, d, id); err != nil {
				return err
			}
		}
		ps, err := tx.parents(id)
		if err != nil {
			return err
		}
		for _, p := range ps {
			touched[p] = true
			if d == 0 {
				continue
			}
			if err := walk(p, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(body, 0); err != nil {
		return err
	}
	ids := make([]int64, 0, len(touched))
	for id := range touched {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if err := tx.reapportion(id); err != nil {
			return err
		}
	}
	return nil
}

// reapportion gives out an assembly's seats again by its seat rule and
// records the seats that changed.
func (tx *Tx) reapportion(assembly int64) error {
	var a bodies.Body
	if err := scanBody(tx.QueryRow(`SELECT `+bodyColumns+` FROM bodies b WHERE b.id = ?`, assembly), &a); err != nil {
		return err
	}
	if a.SeatRule == nil {
		return nil
	}
	type row struct {
		id, body    int64
		seats, size int
	}
	rows, err := queryAll(tx, func(s scanner, r *row) error { return s.Scan(&r.id, &r.body, &r.seats, &r.size) },
		`SELECT f.id, f.body_id, f.seats, b.represented FROM affiliations f JOIN bodies b ON b.id = f.body_id WHERE f.assembly_id = ? AND f.status = 'accepted' ORDER BY f.id`, assembly)
	if err != nil {
		return err
	}
	sizes := make([]int, len(rows))
	for i, r := range rows {
		sizes[i] = r.size
	}
	seats, err := a.SeatRule.Seats(sizes)
	if err != nil {
		return err
	}
	type change struct {
		Body     int64 `json:"body"`
		From, To int
	}
	var changes []change
	for i, r := range rows {
		if seats[i] == r.seats {
			continue
		}
		if _, err := tx.Exec(`UPDATE affiliations SET seats = ? WHERE id = ?`, seats[i], r.id); err != nil {
			return err
		}
		if err := tx.refitDelegation(r.body, assembly, seats[i]); err != nil {
			return err
		}
		changes = append(changes, change{Body: r.body, From: r.seats, To: seats[i]})
	}
	if len(changes) == 0 {
		return nil
	}
	return tx.Record("assembly.seats", assembly, map[string]any{"changes": changes})
}

// RequestAffiliation asks, in the name of body, to join assembly.
func (db *DB) RequestAffiliation(ctx context.Context, actor, body, assembly int64, message string) (Affiliation, error) {
	message, err := bodies.CleanText("message", message, 0, bodies.ReasonMax, true)
	if err != nil {
		return Affiliation{}, err
	}
	var out Affiliation
	err = db.Update(ctx, actor, func(tx *Tx) error {
		b, _, err := tx.authorize(authz.RequestAffiliation, body)
		if err != nil {
			return err
		}
		a, _, err := tx.subject(assembly, actor)
		if err != nil {
			return err
		}
		if a.Kind != bodies.Assembly {
			return errs.Field("assembly", "affiliation.not_assembly")
		}
		if err := tx.checkCycle(body, assembly); err != nil {
			return err
		}
		id, err := tx.Insert(`INSERT INTO affiliations (assembly_id, body_id, status, message, requested_by, created_at) VALUES (?, ?, 'pending', ?, ?, ?)`,
			assembly, body, message, actor, us(tx.Now))
		if isUnique(err) {
			return errs.New(errs.Conflict, "affiliation.exists")
		}
		if err != nil {
			return err
		}
		out = Affiliation{ID: id, Assembly: a, Body: b, Status: "pending", Message: message}
		return tx.Record("affiliation.requested", assembly, map[string]any{"affiliation": id, "body": body})
	})
	return out, err
}

func (tx *Tx) checkCycle(body, assembly int64) error {
	cycle, err := federation.WouldCycle(body, assembly, tx.parents)
	if err != nil {
		return err
	}
	if cycle {
		return errs.New(errs.Conflict, "affiliation.cycle")
	}
	return nil
}

// DecideAffiliation accepts or refuses (with a reason) a request to join
// an assembly.
func (db *DB) DecideAffiliation(ctx context.Context, actor, assembly, id int64, accept bool, reason string) error {
	reason, err := bodies.CleanText("reason", reason, 0, bodies.ReasonMax, true)
	if err != nil {
		return err
	}
	if !accept && reason == "" {
		return errs.Field("reason", "error.required")
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		if _, _, err := tx.authorize(authz.DecideAffiliation, assembly); err != nil {
			return err
		}
		var body int64
		err := tx.QueryRow(`SELECT body_id FROM affiliations WHERE id = ? AND assembly_id = ? AND status = 'pending'`, id, assembly).Scan(&body)
		if err != nil {
			return notFound(err, "affiliation.not_found")
		}
		status := "refused"
		if accept {
			status = "accepted"
			// Affiliations accepted since the request may have made one.
			if err := tx.checkCycle(body, assembly); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE affiliations SET status = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?`, status, reason, actor, us(tx.Now), id); err != nil {
			return err
		}
		if accept {
			return tx.acceptedAffiliation(assembly, body, id)
		}
		return tx.Record("affiliation.refused", assembly, map[string]any{"affiliation": id, "body": body, "reason": reason})
	})
}

// EndAffiliation takes a body out of an assembly; a facilitator of either
// may do it, with a reason.
func (db *DB) EndAffiliation(ctx context.Context, actor, id int64, reason string) error {
	reason, err := bodies.CleanText("reason", reason, 1, bodies.ReasonMax, true)
	if err != nil {
		return err
	}
	return db.Update(ctx, actor, func(tx *Tx) error {
		var assembly, body int64
		err := tx.QueryRow(`SELECT assembly_id, body_id FROM affiliations WHERE id = ? AND status = 'accepted'`, id).Scan(&assembly, &body)
		if err != nil {
			return notFound(err, "affiliation.not_found")
		}
		if _, _, err := tx.authorize(authz.EndAffiliation, body); err != nil {
			if _, _, err2 := tx.authorize(authz.EndAffiliation, assembly); err2 != nil {
				return err
			}
		}
		var rep int
		if err := tx.QueryRow(`SELECT represented FROM bodies WHERE id = ?`, body).Scan(&rep); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE affiliations SET status = 'ended', seats = 0, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?`, reason, actor, us(tx.Now), id); err != nil {
			return err
		}
		if err := tx.unlinkAncestry(body); err != nil {
			return err
		}
		if err := tx.Record("affiliation.ended", assembly, map[string]any{"affiliation": id, "body": body, "reason": reason}); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE delegates SET status = 'unseated', ended_at = ? WHERE body_id = ? AND assembly_id = ? AND status IN ('seated', 'alternate')`,
			us(tx.Now), body, assembly); err != nil {
			return err
		}
		return tx.represent(assembly, -rep, assembly)
	})
}

const affiliationColumns = `f.id, f.status, f.seats, f.message, f.reason, f.created_at`

// scanAffiliation scans affiliationColumns and one body.
func scanAffiliation(row scanner, f *Affiliation, b *bodies.Body) error {
	return scanBody(row, b, &f.ID, &f.Status, &f.Seats, &f.Message, &f.Reason, &f.CreatedAt)
}

// Affiliates lists the bodies of an assembly with their seats; its
// facilitators also see pending requests. Private bodies show outsiders only
// their name.
func (db *DB) Affiliates(ctx context.Context, viewer, assembly int64) ([]Affiliation, error) {
	return db.affiliations(ctx, viewer, assembly, false)
}

// Assemblies lists the assemblies body belongs to or has asked to join.
func (db *DB) Assemblies(ctx context.Context, viewer, body int64) ([]Affiliation, error) {
	return db.affiliations(ctx, viewer, body, true)
}

// affiliations lists the affiliations of id: the assemblies above it when
// up, else the bodies below it. Its facilitators also see pending ones.
func (db *DB) affiliations(ctx context.Context, viewer, id int64, up bool) ([]Affiliation, error) {
	self, other := "f.assembly_id", "f.body_id"
	if up {
		self, other = "f.body_id", "f.assembly_id"
	}
	var out []Affiliation
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		b, s, err := tx.authorize(authz.ViewBody, id)
		if err != nil {
			return err
		}
		if up && !b.Public && s.Role == bodies.None {
			return errs.New(errs.NotFound, "body.not_found")
		}
		statuses := `('accepted')`
		if authz.Allowed(authz.ViewPending, s) {
			statuses = `('accepted', 'pending')`
		}
		out, err = queryAll(tx, func(row scanner, f *Affiliation) error {
			f.Assembly, f.Body = b, b
			far := &f.Body
			if up {
				far = &f.Assembly
			}
			return scanAffiliation(row, f, far)
		}, `SELECT `+bodyColumns+`, `+affiliationColumns+` FROM affiliations f JOIN bodies b ON b.id = `+other+`
			WHERE `+self+` = ? AND f.status IN `+statuses+` ORDER BY f.status, b.name, b.id`, id)
		if err != nil {
			return err
		}
		for i := range out {
			far := &out[i].Body
			if up {
				far = &out[i].Assembly
			}
			if err := tx.hidePrivate(far); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// hidePrivate reduces a private body to its name and kind unless the
// transaction's actor belongs to it.
func (tx *Tx) hidePrivate(b *bodies.Body) error {
	if b.Public {
		return nil
	}
	role := bodies.None
	if tx.Actor != 0 {
		var err error
		if role, err = tx.role(b.ID, tx.Actor); err != nil {
			return err
		}
	}
	if role == bodies.None {
		*b = bodies.Body{ID: b.ID, Kind: b.Kind, Name: b.Name}
	}
	return nil
}

// FederationNode is a body in a federation tree with the seats it holds in
// the body above it.
type FederationNode struct {
	Body  bodies.Body `json:"body"`
	Seats int         `json:"seats,omitempty"`
	// Delegates names who holds those seats, for the bases below (members
	// of the body the federation is seen from); nil for anyone else.
	Delegates []string          `json:"delegates,omitempty"`
	Children  []*FederationNode `json:"children,omitempty"`
	More      int               `json:"more,omitempty"` // children not listed (private, or beyond the limit)
}

// Federation is what a body sees of the federation around it.
type Federation struct {
	Up          []*FederationNode `json:"up"`          // assemblies above, each with the assemblies above it
	Down        *FederationNode   `json:"down"`        // the body and the bodies below it
	Departments map[string]int    `json:"departments"` // committees below, by department code
	Committees  int               `json:"committees"`  // committees below, at any depth
}

// FederationChildLimit bounds each list of children in a federation tree.
const FederationChildLimit = 60

// Federation returns the chain of assemblies above body and the tree of
// bodies below it, with the committees below counted by department.
func (db *DB) Federation(ctx context.Context, viewer, body int64) (Federation, error) {
	var f Federation
	err := db.View(ctx, func(tx *Tx) error {
		tx.Actor = viewer
		b, s, err := tx.authorize(authz.ViewBody, body)
		if err != nil {
			return err
		}
		if !b.Public && s.Role == bodies.None {
			return errs.New(errs.NotFound, "body.not_found")
		}
		// The bases see who represents them at every level; others see seats.
		showDelegates := authz.Allowed(authz.ViewDelegates, s)
		var up func(id int64, depth int) ([]*FederationNode, error)
		up = func(id int64, depth int) ([]*FederationNode, error) {
			if depth > 8 {
				return nil, nil
			}
			affs, err := queryAll(tx, func(row scanner, f *Affiliation) error { return scanAffiliation(row, f, &f.Assembly) },
				`SELECT `+bodyColumns+`, `+affiliationColumns+` FROM affiliations f JOIN bodies b ON b.id = f.assembly_id
				WHERE f.body_id = ? AND f.status = 'accepted' ORDER BY b.name, b.id`, id)
			if err != nil {
				return nil, err
			}
			var nodes []*FederationNode
			for _, a := range affs {
				if err := tx.hidePrivate(&a.Assembly); err != nil {
					return nil, err
				}
				n := &FederationNode{Body: a.Assembly, Seats: a.Seats}
				if showDelegates {
					n.Delegates, err = queryAll(tx, func(row scanner, name *string) error { return row.Scan(name) },
						`SELECT u.name FROM delegates d JOIN users u ON u.id = d.user_id WHERE d.body_id = ? AND d.assembly_id = ? AND d.status = 'seated' ORDER BY d.position`, id, a.Assembly.ID)
					if err != nil {
						return nil, err
					}
				}
				if n.Children, err = up(a.Assembly.ID, depth+1); err != nil {
					return nil, err
				}
				nodes = append(nodes, n)
			}
			return nodes, nil
		}
		if f.Up, err = up(body, 0); err != nil {
			return err
		}
		f.Departments = map[string]int{}
		seen := map[int64]bool{}
		var down func(n *FederationNode, depth int) error
		down = func(n *FederationNode, depth int) error {
			if n.Body.Kind != bodies.Assembly {
				if !seen[n.Body.ID] && len(n.Body.Place) >= 2 {
					seen[n.Body.ID] = true
					f.Committees++
					f.Departments[n.Body.Place[:2]+"0000"]++
				}
				return nil
			}
			if depth > 8 {
				return nil
			}
			affs, err := queryAll(tx, func(row scanner, a *Affiliation) error { return scanAffiliation(row, a, &a.Body) },
				`SELECT `+bodyColumns+`, `+affiliationColumns+` FROM affiliations f JOIN bodies b ON b.id = f.body_id
				WHERE f.assembly_id = ? AND f.status = 'accepted' ORDER BY b.kind DESC, b.name, b.id`, n.Body.ID)
			if err != nil {
				return err
			}
			for _, a := range affs {
				child := &FederationNode{Body: a.Body, Seats: a.Seats}
				if err := down(child, depth+1); err != nil {
					return err
				}
				if err := tx.hidePrivate(&child.Body); err != nil {
					return err
				}
				if child.Body.Place == "" || len(n.Children) >= FederationChildLimit {
					n.More++
					continue
				}
				n.Children = append(n.Children, child)
			}
			return nil
		}
		f.Down = &FederationNode{Body: b}
		return down(f.Down, 0)
	})
	return f, err
}
