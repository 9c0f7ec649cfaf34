package store_test

import (
	"fmt"
	"testing"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/federation"
	"asamblea/store"
)

func validAnyPlace(code string) bool {
	return map[string]bool{"210101": true, "211101": true, "080101": true, "210000": true, "200000": true}[code]
}

// committeeWith makes a committee facilitated by actor with n more members.
func committeeWith(t *testing.T, db *store.DB, actor int64, name, place string, n int) bodies.Body {
	t.Helper()
	b, err := db.CreateCommittee(ctx, actor, bodies.Input{Name: name, Sector: "campesinos", Place: place, Public: true}, validAnyPlace)
	if err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		inv, err := db.CreateInvitation(ctx, actor, b.ID, bodies.InvitationInput{MaxUses: n, Days: 1})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i++ {
			u := mustUser(t, db, fmt.Sprintf("%s %d", name, i))
			if _, err := db.Join(ctx, u.ID, inv.Code); err != nil {
				t.Fatal(err)
			}
		}
	}
	return b
}

func seatsOf(t *testing.T, db *store.DB, viewer, assembly int64) map[string]int {
	t.Helper()
	affs, err := db.Affiliates(ctx, viewer, assembly)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, a := range affs {
		if a.Status == "accepted" {
			out[a.Body.Name] = a.Seats
		}
	}
	return out
}

func TestFederation(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		rosa := mustUser(t, db, "Rosa")
		juliaca := committeeWith(t, db, rosa.ID, "Juliaca", "211101", 9) // 10 members
		puno := committeeWith(t, db, rosa.ID, "Puno", "210101", 4)       // 5 members
		prov, err := db.CreateAssembly(ctx, rosa.ID, store.AssemblyInput{
			Input:    bodies.Input{Name: "Asamblea Provincial", Sector: "other", Place: "210000", Public: true},
			Level:    "provincial",
			SeatRule: federation.SeatRule{Mode: federation.Proportional, PerSeat: 5, Min: 1, Max: 4},
			Founders: []int64{juliaca.ID, puno.ID},
		}, validAnyPlace)
		if err != nil {
			t.Fatal(err)
		}
		if prov.Represented != 15 {
			t.Fatalf("represented = %d, want 15", prov.Represented)
		}
		if got := seatsOf(t, db, rosa.ID, prov.ID); got["Juliaca"] != 2 || got["Puno"] != 1 {
			t.Fatalf("seats = %v", got)
		}

		// A regional assembly above it, founded by a third committee.
		cusco := committeeWith(t, db, rosa.ID, "Cusco", "080101", 0)
		reg, err := db.CreateAssembly(ctx, rosa.ID, store.AssemblyInput{
			Input: bodies.Input{Name: "Asamblea Regional", Sector: "other", Place: "200000", Public: true}, Level: "regional",
			SeatRule: federation.SeatRule{Mode: federation.Fixed, Fixed: 2}, Founders: []int64{cusco.ID},
		}, validAnyPlace)
		if err != nil {
			t.Fatal(err)
		}
		req, err := db.RequestAffiliation(ctx, rosa.ID, prov.ID, reg.ID, "Pedimos unirnos")
		if err != nil {
			t.Fatal(err)
		}
		before := journalLen(t, db)
		t.Run("ErrCycle", func(t *testing.T) {
			// The regional assembly cannot join the provincial one below it
			// once accepted; nor can an assembly join itself.
			_, err := db.RequestAffiliation(ctx, rosa.ID, reg.ID, reg.ID, "")
			wantCode(t, err, errs.Conflict, "affiliation.cycle")
		})
		t.Run("ErrNotAnAssembly", func(t *testing.T) {
			_, err := db.RequestAffiliation(ctx, rosa.ID, juliaca.ID, puno.ID, "")
			wantCode(t, err, errs.Invalid, "affiliation.not_assembly")
		})
		t.Run("ErrTwice", func(t *testing.T) {
			_, err := db.RequestAffiliation(ctx, rosa.ID, prov.ID, reg.ID, "")
			wantCode(t, err, errs.Conflict, "affiliation.exists")
		})
		t.Run("ErrNotFacilitator", func(t *testing.T) {
			juan := mustUser(t, db, "Juan")
			_, err := db.RequestAffiliation(ctx, juan.ID, juliaca.ID, reg.ID, "")
			wantCode(t, err, errs.Forbidden, "")
			before = journalLen(t, db)
			wantCode(t, db.DecideAffiliation(ctx, juan.ID, reg.ID, req.ID, true, ""), errs.Forbidden, "")
		})
		t.Run("ErrRefuseWithoutReason", func(t *testing.T) {
			wantCode(t, db.DecideAffiliation(ctx, rosa.ID, reg.ID, req.ID, false, ""), errs.Invalid, "error.required")
		})
		t.Run("ErrBadSeatRule", func(t *testing.T) {
			_, err := db.CreateAssembly(ctx, rosa.ID, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea X", Sector: "other", Place: "200000"},
				Level: "regional", SeatRule: federation.SeatRule{Mode: "proportional"}, Founders: []int64{cusco.ID}}, validAnyPlace)
			wantCode(t, err, errs.Invalid, "assembly.per_seat.range")
			_, err = db.CreateAssembly(ctx, rosa.ID, store.AssemblyInput{Input: bodies.Input{Name: "Asamblea X", Sector: "other", Place: "200000"},
				Level: "galactic", SeatRule: federation.SeatRule{Mode: "fixed", Fixed: 1}, Founders: []int64{cusco.ID}}, validAnyPlace)
			wantCode(t, err, errs.Invalid, "assembly.level.unknown")
		})
		if after := journalLen(t, db); after != before {
			t.Fatalf("refused changes wrote %d journal entries", after-before)
		}
		if err := db.DecideAffiliation(ctx, rosa.ID, reg.ID, req.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		_, err = db.RequestAffiliation(ctx, rosa.ID, reg.ID, prov.ID, "")
		wantCode(t, err, errs.Conflict, "affiliation.cycle")

		// A new member in Puno is represented all the way up, and the
		// provincial seats are given out again.
		inv, _ := db.CreateInvitation(ctx, rosa.ID, puno.ID, bodies.InvitationInput{MaxUses: 6, Days: 1})
		for i := 0; i < 6; i++ {
			u := mustUser(t, db, fmt.Sprintf("Nueva %d", i))
			if _, err := db.Join(ctx, u.ID, inv.Code); err != nil {
				t.Fatal(err)
			}
		}
		if got := seatsOf(t, db, rosa.ID, prov.ID); got["Juliaca"] != 2 || got["Puno"] != 3 {
			t.Fatalf("seats after Puno grew = %v", got)
		}
		r, _, _ := db.Body(ctx, rosa.ID, reg.ID)
		if r.Represented != 1+21 {
			t.Fatalf("regional represents %d, want 22", r.Represented)
		}
		if got := seatsOf(t, db, rosa.ID, reg.ID); got["Asamblea Provincial"] != 2 || got["Cusco"] != 2 {
			t.Fatalf("regional seats = %v", got)
		}

		fed, err := db.Federation(ctx, 0, juliaca.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(fed.Up) != 1 || fed.Up[0].Body.Name != "Asamblea Provincial" || fed.Up[0].Seats != 2 ||
			len(fed.Up[0].Children) != 1 || fed.Up[0].Children[0].Body.Name != "Asamblea Regional" {
			t.Fatalf("chain up from Juliaca: %+v", fed.Up)
		}
		fed, err = db.Federation(ctx, 0, reg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fed.Committees != 3 || fed.Departments["210000"] != 2 || fed.Departments["080000"] != 1 {
			t.Fatalf("below the regional assembly: %d committees, %v", fed.Committees, fed.Departments)
		}

		// Puno leaves the provincial assembly: it no longer counts above.
		affs, _ := db.Assemblies(ctx, rosa.ID, puno.ID)
		if len(affs) != 1 {
			t.Fatalf("Puno's assemblies: %+v", affs)
		}
		wantCode(t, db.EndAffiliation(ctx, rosa.ID, affs[0].ID, ""), errs.Invalid, "error.required")
		if err := db.EndAffiliation(ctx, rosa.ID, affs[0].ID, "La base decidió salir"); err != nil {
			t.Fatal(err)
		}
		r, _, _ = db.Body(ctx, rosa.ID, reg.ID)
		if r.Represented != 1+10 {
			t.Fatalf("regional represents %d after Puno left, want 11", r.Represented)
		}
	})
}
