package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"asamblea/actions"
	"asamblea/bodies"
	"asamblea/federation"
	"asamblea/places"
	"asamblea/store"
)

// Actions fills the demo federation with the actions of a national strike:
// the national assembly calls an indefinite general strike, the regional
// assemblies and committees call roadblocks, marches and a caravan of the
// four suyos to Lima, others join them, situation reports come in, and one
// roadblock is marked repressed. Everything goes through the services the
// pages use.
func Actions(ctx context.Context, db *store.DB, national, facilitator int64, bases []store.BulkLoaded, out io.Writer) error {
	pl := places.Peru()
	now := time.Now().In(store.Lima)
	day := func(d, hour int) time.Time {
		t := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, store.Lima)
		return t.AddDate(0, 0, d)
	}
	call := func(actor, body int64, in actions.Input) (actions.Action, error) {
		a, err := db.CallAction(ctx, actor, body, in, pl.Valid)
		if err != nil {
			return a, fmt.Errorf("demo action %q: %w", in.Title, err)
		}
		return a, nil
	}
	strike, err := call(facilitator, national, actions.Input{Kind: actions.Strike, Title: "Huelga general indefinida",
		Description: "Paro nacional indefinido hasta la renuncia del gobierno, el cierre del Congreso y la convocatoria de una asamblea constituyente.",
		Place:       "150101", Start: day(-2, 0), Visibility: actions.Public})
	if err != nil {
		return err
	}
	if err := db.SetActionStatus(ctx, facilitator, strike.ID, actions.Ongoing); err != nil {
		return err
	}
	type planned struct {
		in     actions.Input
		status actions.Status
	}
	lat, lon := -15.4951, -70.1340
	plans := []planned{
		{actions.Input{Kind: actions.Roadblock, Title: "Bloqueo de la carretera Juliaca–Puno", Description: "Puente Maravillas, km 12. Turnos de 6 horas por comunidad.",
			Place: "211101", Lat: &lat, Lon: &lon, Start: day(-1, 5), Visibility: actions.Public}, actions.Ongoing},
		{actions.Input{Kind: actions.Caravan, Title: "Caravana de los cuatro suyos a Lima", Description: "Salida desde Puno; se suman delegaciones en Cusco, Abancay y Ayacucho.",
			Route: []string{"210101", "080101", "030101", "050101", "150101"}, Start: day(1, 6), Visibility: actions.Public}, actions.Called},
		{actions.Input{Kind: actions.March, Title: "Marcha al centro de Lima", Route: []string{"150115", "150101"}, Start: day(3, 10), Visibility: actions.Federation}, actions.Called},
		{actions.Input{Kind: actions.Vigil, Title: "Vigilia por los caídos en Huamanga", Place: "050101", Start: day(-1, 18), End: ptr(day(-1, 23)), Visibility: actions.Public}, actions.Ended},
		{actions.Input{Kind: actions.Occupation, Title: "Toma del aeropuerto de Andahuaylas", Place: "030201", Start: day(-3, 8), Visibility: actions.Federation}, actions.Suspended},
		{actions.Input{Kind: actions.Assembly, Title: "Asamblea popular en la Plaza de Armas del Cusco", Place: "080101", Start: day(0, 17), End: ptr(day(0, 21)), Visibility: actions.Public}, actions.Called},
		{actions.Input{Kind: actions.Solidarity, Title: "Olla común para las delegaciones que llegan a Lima", Place: "150101", Start: day(2, 12), Visibility: actions.Federation}, actions.Called},
	}
	var called []actions.Action
	for i, p := range plans {
		c := bases[(i*7)%len(bases)]
		a, err := call(c.Facilitator, c.Body, p.in)
		if err != nil {
			return err
		}
		// An action is called; it goes on before it is suspended or ends.
		var steps []actions.Status
		switch p.status {
		case actions.Ongoing:
			steps = []actions.Status{actions.Ongoing}
		case actions.Suspended, actions.Ended:
			steps = []actions.Status{actions.Ongoing, p.status}
		}
		for _, st := range steps {
			if err := db.SetActionStatus(ctx, c.Facilitator, a.ID, st); err != nil {
				return err
			}
		}
		called = append(called, a)
	}
	// Committees all over the federation join the strike and the roadblock.
	joins := 0
	for i, c := range bases {
		if i%2 == 0 {
			if err := db.Adhere(ctx, c.Facilitator, strike.ID, c.Body); err != nil {
				return err
			}
			joins++
		}
		if i%9 == 1 && c.Body != called[0].BodyID {
			if err := db.Adhere(ctx, c.Facilitator, called[0].ID, c.Body); err != nil {
				return err
			}
			joins++
		}
	}
	// Situation reports from the roadblock, and the mark of repression.
	block := called[0]
	caller := bases[0]
	for _, text := range []string{
		"05:10 — Llegamos al puente con 300 compañeros de las comunidades de Caracoto.",
		"09:30 — La policía anuncia desalojo. Seguimos en el puente; falta agua.",
		"11:45 — Bombas lacrimógenas desde el lado de Juliaca. Hay heridos leves, los atiende la brigada de salud.",
	} {
		if _, err := db.PostReport(ctx, caller.Facilitator, block.ID, block.BodyID, text, nil); err != nil {
			return err
		}
	}
	if err := db.MarkRepressed(ctx, caller.Facilitator, block.ID, block.BodyID, true); err != nil {
		return err
	}
	fmt.Fprintf(out, "demo: a national strike, %d actions in the regions, %d adhesions, situation reports from the Juliaca–Puno roadblock\n", len(called), joins)
	return nil
}

func ptr[T any](v T) *T { return &v }

// kindTitles name the actions of the scale demo.
var kindTitles = map[actions.Kind]string{
	actions.Strike: "Paro", actions.Roadblock: "Bloqueo", actions.March: "Marcha", actions.Caravan: "Caravana",
	actions.Occupation: "Toma", actions.Vigil: "Vigilia", actions.Assembly: "Asamblea popular", actions.Solidarity: "Olla común",
}

// ScaleActions federates the committees of a scale demo — an assembly per
// department, all under one national assembly — and calls perCommittee
// actions for each committee, of every kind and status, over two months
// around today: the data the coordinating view is measured on. It returns
// the national assembly.
func ScaleActions(ctx context.Context, db *store.DB, cs []store.BulkLoaded, perCommittee int, out io.Writer) (int64, error) {
	pl := places.Peru()
	rng := rand.New(rand.NewPCG(2023, 3))
	place := map[int64]string{}
	byDept := map[string][]store.BulkLoaded{}
	var depts []string
	for _, c := range cs {
		var code string
		if err := db.View(ctx, func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT place FROM bodies WHERE id = ?`, c.Body).Scan(&code)
		}); err != nil {
			return 0, err
		}
		place[c.Body] = code
		d := places.DepartmentOf(code)
		if len(byDept[d]) == 0 {
			depts = append(depts, d)
		}
		byDept[d] = append(byDept[d], c)
	}
	rule := federation.SeatRule{Mode: federation.Fixed, Fixed: 1}
	var regional []int64
	var head int64 // the facilitator of the first regional assembly founds the national one
	for _, d := range depts {
		members := byDept[d]
		dep, _ := pl.Lookup(d + "0000")
		founder := members[0]
		a, err := db.CreateAssembly(ctx, founder.Facilitator, store.AssemblyInput{
			Input: bodies.Input{Name: "Asamblea Regional de " + dep.Name, Sector: "other", Place: d + "0000", Public: true},
			Level: "regional", SeatRule: rule, Founders: []int64{founder.Body}}, pl.Valid)
		if err != nil {
			return 0, err
		}
		rest := make([]int64, 0, len(members)-1)
		for _, c := range members[1:] {
			rest = append(rest, c.Body)
		}
		if err := db.BulkAffiliate(ctx, founder.Facilitator, a.ID, rest); err != nil {
			return 0, err
		}
		if head == 0 {
			head = founder.Facilitator
		}
		regional = append(regional, a.ID)
	}
	national, err := db.CreateAssembly(ctx, head, store.AssemblyInput{
		Input: bodies.Input{Name: ScaleNational, Sector: "other", Place: "150000", Public: true},
		Level: "national", SeatRule: rule, Founders: regional[:1]}, pl.Valid)
	if err != nil {
		return 0, err
	}
	if err := db.BulkAffiliate(ctx, head, national.ID, regional[1:]); err != nil {
		return 0, err
	}
	fmt.Fprintf(out, "scale: %d regional assemblies under the national assembly\n", len(regional))

	now := time.Now()
	statuses := []actions.Status{actions.Ended, actions.Ended, actions.Ended, actions.Ended, actions.Ongoing, actions.Ongoing, actions.Ongoing,
		actions.Called, actions.Called, actions.Suspended}
	var batch []store.BulkAction
	total := 0
	flush := func() error {
		if err := db.BulkCallActions(ctx, batch, pl.Valid); err != nil {
			return err
		}
		total += len(batch)
		batch = batch[:0]
		if total%10000 == 0 {
			fmt.Fprintf(out, "scale: %d actions\n", total)
		}
		return nil
	}
	for _, c := range cs {
		for k := 0; k < perCommittee; k++ {
			kind := actions.Kinds[rng.IntN(len(actions.Kinds))]
			p := place[c.Body]
			in := actions.Input{Kind: kind, Title: kindTitles[kind] + " " + p, Place: p,
				Start:      now.Add(time.Duration(rng.IntN(60*24)-45*24) * time.Hour).Truncate(time.Hour),
				Visibility: actions.Federation}
			if rng.IntN(10) < 3 {
				in.Visibility = actions.Public
			}
			if kind.Moves() {
				in.Route = []string{p, "150101"}
				if p == "150101" {
					in.Route = []string{"150101", "150115"}
				}
			}
			if rng.IntN(2) == 0 {
				in.End = ptr(in.Start.Add(time.Duration(2+rng.IntN(72)) * time.Hour))
			}
			status := statuses[rng.IntN(len(statuses))]
			if in.Start.After(now) {
				status = actions.Called // what has not begun is only called
			}
			batch = append(batch, store.BulkAction{Actor: c.Facilitator, Body: c.Body, Input: in, Status: status})
			if len(batch) == 500 {
				if err := flush(); err != nil {
					return 0, err
				}
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return 0, err
		}
	}
	return national.ID, nil
}

// ScaleNational is the name of the national assembly ScaleActions makes.
const ScaleNational = "Asamblea Nacional (escala)"

// ScaleViewer finds, in a database made by ScaleActions, the national
// assembly and a plain member of a committee under it: who the
// coordinating view is measured for.
func ScaleViewer(ctx context.Context, db *store.DB) (national, member int64, err error) {
	err = db.View(ctx, func(tx *store.Tx) error {
		if err := tx.QueryRow(`SELECT id FROM bodies WHERE name = ?`, ScaleNational).Scan(&national); err != nil {
			return fmt.Errorf("no %q: make the database with asamblea demo --scale N --actions K: %w", ScaleNational, err)
		}
		return tx.QueryRow(`SELECT m.user_id FROM memberships m JOIN body_ancestry ba ON ba.body_id = m.body_id
			WHERE ba.ancestor_id = ? AND m.role = 'member' LIMIT 1`, national).Scan(&member)
	})
	return national, member, err
}
