package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/delegates"
	"asamblea/federation"
	"asamblea/places"
	"asamblea/store"
)

// The departments of the Asamblea Macroregional Sur, and the others the demo
// federation reaches.
var (
	southDepartments = []string{"210000", "080000", "040000", "180000", "230000", "030000", "170000"}
	otherDepartments = []string{"050000", "150000"}
)

// provincesPerDepartment and committeesPerProvince size the demo federation:
// 9 departments × 2 provinces × 4 committees = 72 committees.
const (
	provincesPerDepartment = 2
	committeesPerProvince  = 4
)

// Federation builds, on top of Fill's committees, a federation as the
// movement would: committees in 9 departments found provincial assemblies
// or ask to join them, provincial assemblies form regional ones, the
// southern regions form the Asamblea Macroregional Sur, and it founds the
// national assembly with the other regions. Every step goes through the
// same services the pages use, so every step is journalled.
//
// The committees given (Fill's) join the provincial assembly of their
// province where there is one, or else the regional one of their department.
func Federation(ctx context.Context, db *store.DB, existing []store.BulkLoaded, out io.Writer) error {
	pl := places.Peru()
	rng := rand.New(rand.NewPCG(2023, 2))
	hash := accounts.DefaultHasher.Hash(Password)
	type province struct {
		code       string
		committees []store.BulkLoaded
	}
	var provinces []province
	var cs []store.BulkCommittee
	person := 0
	for _, dep := range append(append([]string{}, southDepartments...), otherDepartments...) {
		provs := pl.Children(dep)
		for _, prov := range provs[:min(provincesPerDepartment, len(provs))] {
			provinces = append(provinces, province{code: prov.Code})
			districts := pl.Children(prov.Code)
			for i := 0; i < committeesPerProvince && i < len(districts); i++ {
				d := districts[i]
				c := store.BulkCommittee{Name: fmt.Sprintf("%s de %s", kinds[rng.IntN(len(kinds))], d.Name), Sector: bodies.Sectors[rng.IntN(len(bodies.Sectors))], Place: d.Code, Public: true}
				for j := 0; j < 3+rng.IntN(6); j++ {
					person++
					c.Members = append(c.Members, fmt.Sprintf("%s %s %d", firstNames[rng.IntN(len(firstNames))], surnames[rng.IntN(len(surnames))], person))
				}
				cs = append(cs, c)
			}
		}
	}
	loaded, err := db.BulkLoad(ctx, hash, cs)
	if err != nil {
		return err
	}
	k := 0
	for i := range provinces {
		n := min(committeesPerProvince, len(pl.Children(provinces[i].code)))
		provinces[i].committees = loaded[k : k+n]
		k += n
	}

	join := func(facilitator, body, assembly, assemblyFacilitator int64) error {
		f, err := db.RequestAffiliation(ctx, facilitator, body, assembly, "Por mandato de nuestra asamblea de base")
		if err != nil {
			return err
		}
		return db.DecideAffiliation(ctx, assemblyFacilitator, assembly, f.ID, true, "")
	}
	found := func(actor int64, founders []int64, name, place string, level federation.Level, rule federation.SeatRule) (int64, error) {
		b, err := db.CreateAssembly(ctx, actor, store.AssemblyInput{
			Input: bodies.Input{Name: name, Sector: "other", Place: place, Public: true, Description: "Asamblea de delegados elegidos por sus bases, con mandato y revocables."},
			Level: level, SeatRule: rule, Founders: founders,
		}, pl.Valid)
		return b.ID, err
	}

	// Provincial assemblies: the first committee founds it, the others join.
	type assembly struct{ id, facilitator int64 }
	regional := map[string][]assembly{}
	provincial := map[string]assembly{}
	for _, p := range provinces {
		first := p.committees[0]
		name, _ := pl.Lookup(p.code)
		id, err := found(first.Facilitator, []int64{first.Body}, "Asamblea Provincial de "+name.Name, p.code, "provincial",
			federation.SeatRule{Mode: federation.Proportional, PerSeat: 3, Min: 1, Max: 3})
		if err != nil {
			return fmt.Errorf("provincial assembly of %s: %w", name.Name, err)
		}
		for _, c := range p.committees[1:] {
			if err := join(c.Facilitator, c.Body, id, first.Facilitator); err != nil {
				return err
			}
		}
		dep := p.code[:2] + "0000"
		regional[dep] = append(regional[dep], assembly{id, first.Facilitator})
		provincial[p.code] = assembly{id, first.Facilitator}
	}
	// Regional assemblies: the first provincial assembly founds it.
	regions := map[string]assembly{}
	for _, dep := range append(append([]string{}, southDepartments...), otherDepartments...) {
		provs := regional[dep]
		d, _ := pl.Lookup(dep)
		id, err := found(provs[0].facilitator, []int64{provs[0].id}, "Asamblea Regional de "+d.Name, dep, "regional",
			federation.SeatRule{Mode: federation.Proportional, PerSeat: 20, Min: 1, Max: 4})
		if err != nil {
			return fmt.Errorf("regional assembly of %s: %w", d.Name, err)
		}
		for _, p := range provs[1:] {
			if err := join(p.facilitator, p.id, id, provs[0].facilitator); err != nil {
				return err
			}
		}
		regions[dep] = assembly{id, provs[0].facilitator}
	}
	for _, c := range existing {
		b, _, err := db.Body(ctx, c.Facilitator, c.Body)
		if err != nil {
			return err
		}
		to, ok := provincial[b.Place[:4]+"00"]
		if !ok {
			if to, ok = regions[b.Place[:2]+"0000"]; !ok {
				continue
			}
		}
		if err := join(c.Facilitator, c.Body, to.id, to.facilitator); err != nil {
			return fmt.Errorf("%s joins: %w", b.Name, err)
		}
	}
	puno := regions[southDepartments[0]]
	sur, err := found(puno.facilitator, []int64{puno.id}, "Asamblea Macroregional Sur", "210000", "macroregional",
		federation.SeatRule{Mode: federation.Fixed, Fixed: 3})
	if err != nil {
		return err
	}
	for _, dep := range southDepartments[1:] {
		if err := join(regions[dep].facilitator, regions[dep].id, sur, puno.facilitator); err != nil {
			return err
		}
	}
	nacional, err := found(puno.facilitator, []int64{sur}, "Asamblea Nacional de los Pueblos", "150000", "national",
		federation.SeatRule{Mode: federation.Proportional, PerSeat: 50, Min: 2, Max: 10})
	if err != nil {
		return err
	}
	for _, dep := range otherDepartments {
		if err := join(regions[dep].facilitator, regions[dep].id, nacional, puno.facilitator); err != nil {
			return err
		}
	}
	// Every body elects its delegates through the system, from the base up.
	var bases []store.BulkLoaded
	bases = append(append(bases, existing...), loaded...)
	for _, c := range bases {
		as, err := db.Assemblies(ctx, c.Facilitator, c.Body)
		if err != nil {
			return err
		}
		ms, _, err := db.Members(ctx, c.Facilitator, c.Body, 500, 0)
		if err != nil {
			return err
		}
		var voters []int64
		for _, m := range ms {
			voters = append(voters, m.UserID)
		}
		for _, a := range as {
			if err := elect(ctx, db, rng, c.Body, a.Assembly.ID, c.Facilitator, voters); err != nil {
				return fmt.Errorf("election in body %d: %w", c.Body, err)
			}
		}
	}
	levels := [][]assembly{}
	var provs, regs []assembly
	for _, p := range provincial {
		provs = append(provs, p)
	}
	slices.SortFunc(provs, func(a, b assembly) int { return int(a.id - b.id) })
	for _, r := range regions {
		regs = append(regs, r)
	}
	slices.SortFunc(regs, func(a, b assembly) int { return int(a.id - b.id) })
	levels = append(levels, provs, regs, []assembly{{sur, puno.facilitator}})
	for _, level := range levels {
		for _, a := range level {
			voters, err := db.SeatedIn(ctx, a.id)
			if err != nil {
				return err
			}
			as, err := db.Assemblies(ctx, a.facilitator, a.id)
			if err != nil {
				return err
			}
			for _, up := range as {
				if err := elect(ctx, db, rng, a.id, up.Assembly.ID, a.facilitator, voters); err != nil {
					return fmt.Errorf("election in assembly %d: %w", a.id, err)
				}
			}
		}
	}
	fmt.Fprintf(out, "demo: federation of %d committees, %d provincial and %d regional assemblies, the Asamblea Macroregional Sur and the national assembly (/bodies/%d/federation)\n",
		len(loaded), len(provinces), len(regions), nacional)
	if err := Deliberation(ctx, db, rng, nacional, puno.facilitator, bases, out); err != nil {
		return err
	}
	if err := Actions(ctx, db, nacional, puno.facilitator, bases, out); err != nil {
		return err
	}
	if err := Elections(ctx, db, puno.facilitator, bases, out); err != nil {
		return err
	}
	return Repression(ctx, db, nacional, puno.facilitator, out)
}

// elect runs a body's election of its delegates to an assembly: the first
// voters stand (one more than the seats) and everyone ranks them, each in
// an order of their own, so that the election closes with every vote cast.
func elect(ctx context.Context, db *store.DB, rng *rand.Rand, body, assembly, facilitator int64, voters []int64) error {
	if len(voters) == 0 {
		return nil
	}
	e, err := db.OpenElection(ctx, facilitator, body, delegates.ElectionInput{Assembly: assembly, Alternates: 1, Hours: 72})
	if err != nil {
		return err
	}
	cands := voters[:min(len(voters), e.Seats+1)]
	for _, c := range cands {
		if err := db.Stand(ctx, c, e.ID, "", ""); err != nil {
			return err
		}
	}
	for _, v := range voters {
		r := slices.Clone(cands)
		rng.Shuffle(len(r), func(i, j int) { r[i], r[j] = r[j], r[i] })
		if err := db.CastRanking(ctx, v, e.ID, r[:1+rng.IntN(len(r))]); err != nil {
			return err
		}
	}
	return nil
}
