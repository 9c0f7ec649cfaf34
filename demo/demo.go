// Package demo fills a database with a realistic Peruvian demo — committees
// in Puno, Cusco, Arequipa, Ayacucho, Apurímac and Lima with members, roles
// and invitations — and, for load tests, with many more committees.
package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"

	"asamblea/accounts"
	"asamblea/bodies"
	"asamblea/places"
	"asamblea/store"
)

// Password of every demo account.
const Password = "asamblea demo 2023"

type committee struct {
	name   string
	sector bodies.Sector
	place  string
	public bool
	desc   string
	people []string // facilitator, secretary, members
}

var committees = []committee{
	{"Comité de Lucha de Juliaca", "workers", "211101", true, "Comité unitario de trabajadores, comerciantes y transportistas de Juliaca.",
		[]string{"Rosa Quispe", "Juan Mamani", "Carmen Huanca", "Edwin Condori", "Luz Apaza"}},
	{"Federación Aymara de Ilave", "indigenous", "210501", true, "Comunidades aymaras de la provincia de El Collao.",
		[]string{"Felipa Ccama", "Hilario Choque", "Nilda Pari", "Teodoro Ticona"}},
	{"Frente de Defensa de Puno", "neighbourhood", "210101", true, "Frente de barrios y organizaciones de la ciudad de Puno.",
		[]string{"Marco Coaquira", "Yesenia Flores", "Rosa Quispe"}},
	{"Comité de Estudiantes de la UNSAAC", "students", "080101", true, "Estudiantes de la Universidad San Antonio Abad del Cusco.",
		[]string{"Ayelén Huamán", "Diego Quispe", "Milagros Cusi", "Renzo Auccapuma"}},
	{"Federación Campesina de La Convención", "campesinos", "080901", true, "Bases campesinas de los valles de La Convención.",
		[]string{"Saturnino Puma", "Dina Yupanqui", "Wilber Challco"}},
	{"Sindicato de Construcción Civil de Arequipa", "workers", "040101", true, "Obreros de construcción civil de Arequipa.",
		[]string{"Percy Llerena", "Gladys Mendoza", "Jhon Cáceres", "Elmer Zúñiga"}},
	{"Comité de Mujeres de Huamanga", "women", "050101", true, "Madres, hijas y hermanas de Ayacucho por justicia.",
		[]string{"Raida Cóndor", "Antonia Bautista", "Edith Palomino"}},
	{"Frente de Defensa de Andahuaylas", "campesinos", "030201", true, "Frente de defensa de los intereses de la provincia de Andahuaylas.",
		[]string{"Lucio Ccallo", "Maribel Sulca", "Fortunato Huamaní"}},
	{"Colectivo LGBTIQ+ Lima en Lucha", "lgbtq", "150101", true, "Disidencias sexuales en la lucha popular.",
		[]string{"Alex Villanueva", "Sofía Ramos", "Kiara Ríos"}},
	{"Comité de Barrio de San Juan de Lurigancho", "neighbourhood", "150132", false, "Comité vecinal (perfil privado).",
		[]string{"Óscar Salazar", "Pilar Huaylla", "Kiara Ríos"}},
}

// Empty reports whether the database has no accounts yet.
func Empty(ctx context.Context, db *store.DB) (bool, error) {
	n, err := db.CountUsers(ctx)
	return n == 0, err
}

// Fill creates the demo committees and prints how to try them.
func Fill(ctx context.Context, db *store.DB, out io.Writer) error {
	if empty, err := Empty(ctx, db); err != nil {
		return err
	} else if !empty {
		fmt.Fprintln(out, "demo: the database already has accounts; leaving it as it is")
		return nil
	}
	pl := places.Peru()
	users := map[string]int64{}
	for _, c := range committees {
		for _, name := range c.people {
			if _, ok := users[name]; ok {
				continue
			}
			u, err := db.CreateUser(ctx, accounts.DefaultHasher, name, Password, "es")
			if err != nil {
				return fmt.Errorf("user %s: %w", name, err)
			}
			users[name] = u.ID
		}
	}
	fmt.Fprintf(out, "demo: every account's password is %q. Try:\n", Password)
	var made []store.BulkLoaded
	for _, c := range committees {
		facilitator := users[c.people[0]]
		b, err := db.CreateCommittee(ctx, facilitator, bodies.Input{Name: c.name, Sector: c.sector, Place: c.place, Description: c.desc, Public: c.public}, pl.Valid)
		if err != nil {
			return fmt.Errorf("committee %s: %w", c.name, err)
		}
		made = append(made, store.BulkLoaded{Body: b.ID, Facilitator: facilitator})
		inv, err := db.CreateInvitation(ctx, facilitator, b.ID, bodies.InvitationInput{Label: "asamblea del domingo", MaxUses: 1 + len(c.people), Days: 30})
		if err != nil {
			return err
		}
		for i, name := range c.people[1:] {
			if _, err := db.Join(ctx, users[name], inv.Code); err != nil {
				return fmt.Errorf("%s joins %s: %w", name, c.name, err)
			}
			if i == 0 {
				if err := db.SetRole(ctx, facilitator, b.ID, users[name], bodies.Secretary); err != nil {
					return err
				}
			}
		}
		open, err := db.CreateInvitation(ctx, facilitator, b.ID, bodies.InvitationInput{Label: "para compartir", MaxUses: 50, Days: 30})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-45s facilitator %-16s invitation %s\n", c.name, c.people[0], open.Code)
	}
	return Federation(ctx, db, made, out)
}

var (
	firstNames = []string{"Rosa", "Juan", "Carmen", "Edwin", "Luz", "Felipa", "Hilario", "Nilda", "Teodoro", "Marco", "Yesenia", "Diego", "Milagros",
		"Renzo", "Dina", "Wilber", "Percy", "Gladys", "Elmer", "Raida", "Antonia", "Edith", "Lucio", "Maribel", "Sofía", "Kiara", "Óscar", "Pilar",
		"Rubén", "Nélida", "Walter", "Yeni", "Fredy", "Marleni", "Celestino", "Hermelinda", "Américo", "Zenaida", "Brayan", "Sheyla"}
	surnames = []string{"Quispe", "Mamani", "Huanca", "Condori", "Apaza", "Ccama", "Choque", "Pari", "Ticona", "Coaquira", "Flores", "Huamán",
		"Cusi", "Puma", "Yupanqui", "Challco", "Llerena", "Mendoza", "Cáceres", "Zúñiga", "Cóndor", "Bautista", "Palomino", "Ccallo", "Sulca",
		"Ramos", "Ríos", "Salazar", "Huaylla", "Vilca", "Quispe", "Gutiérrez", "Chambi", "Larico", "Turpo", "Ayala"}
	kinds = []string{"Comité de Lucha", "Frente de Defensa", "Sindicato", "Federación Campesina", "Comunidad", "Comité de Estudiantes", "Comité de Mujeres", "Asociación de Vecinos"}
)

// Scale adds n committees of 50 to 150 members each (100 on average), in
// districts all over Peru, for load tests.
func Scale(ctx context.Context, db *store.DB, n int, out io.Writer) ([]store.BulkLoaded, error) {
	hash := accounts.DefaultHasher.Hash(Password)
	districts := districtCodes()
	rng := rand.New(rand.NewPCG(2023, 1))
	const batch = 100
	var cs []store.BulkCommittee
	var all []store.BulkLoaded
	person := 0
	for i := 0; i < n; i++ {
		code := districts[rng.IntN(len(districts))]
		p, _ := places.Peru().Lookup(code)
		c := store.BulkCommittee{
			Name:   fmt.Sprintf("%s %s %d", kinds[rng.IntN(len(kinds))], p.Name, i+1),
			Sector: bodies.Sectors[rng.IntN(len(bodies.Sectors))],
			Place:  code,
			Public: rng.IntN(10) < 8,
		}
		size := 50 + rng.IntN(101)
		for j := 0; j < size; j++ {
			person++
			c.Members = append(c.Members, fmt.Sprintf("%s %s %d", firstNames[rng.IntN(len(firstNames))], surnames[rng.IntN(len(surnames))], person))
		}
		cs = append(cs, c)
		if len(cs) == batch || i == n-1 {
			loaded, err := db.BulkLoad(ctx, hash, cs)
			if err != nil {
				return nil, err
			}
			all = append(all, loaded...)
			cs = cs[:0]
			if (i+1)%1000 == 0 || i == n-1 {
				fmt.Fprintf(out, "scale: %d committees, %d members\n", i+1, person)
			}
		}
	}
	return all, nil
}

func districtCodes() []string {
	var out []string
	for _, p := range places.Peru().All() {
		if p.Level == places.District {
			out = append(out, p.Code)
		}
	}
	return out
}
