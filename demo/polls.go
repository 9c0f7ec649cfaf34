package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"asamblea/bodies"
	"asamblea/places"
	"asamblea/polls"
	"asamblea/store"
)

// Elections fills the demo with elections of representatives: the
// constituent assembly in one national district, organised by a people's
// electoral board, with six lists of the movement's organisations, 120
// polling stations whose sheets two clerks entered (one mismatch resolved
// by a third), results published and a recall petition gathering
// signatures; and a committee's own election, online by STV, under way.
func Elections(ctx context.Context, db *store.DB, facilitator int64, bases []store.BulkLoaded, out io.Writer) error {
	pl := places.Peru()
	rng := rand.New(rand.NewPCG(8, 2023))
	board, err := db.CreateCommittee(ctx, facilitator, bodies.Input{Name: "Jurado Electoral Popular", Sector: "other", Place: "150101", Public: true,
		Description: "Organiza la elección de la asamblea constituyente en distrito nacional único: inscribe las listas, declara las mesas y cuenta las actas."}, pl.Valid)
	if err != nil {
		return err
	}
	inv, err := db.CreateInvitation(ctx, facilitator, board.ID, bodies.InvitationInput{MaxUses: 10, Days: 1})
	if err != nil {
		return err
	}
	ms, _, err := db.Members(ctx, bases[0].Facilitator, bases[0].Body, 20, 0)
	if err != nil {
		return err
	}
	var clerks []int64
	for _, m := range ms {
		if m.UserID != facilitator && len(clerks) < 3 {
			if _, err := db.Join(ctx, m.UserID, inv.Code); err != nil {
				return err
			}
			clerks = append(clerks, m.UserID)
		}
	}
	if len(clerks) < 3 {
		return fmt.Errorf("demo elections: the first base has fewer than 3 members to count sheets")
	}
	now := time.Now()
	e, err := db.CallPoll(ctx, facilitator, board.ID, polls.Input{
		Title:       "Asamblea Constituyente Plurinacional — distrito nacional único",
		Description: "Representantes revocables por quienes las y los eligieron. Listas de sindicatos, organizaciones campesinas e indígenas, estudiantes, feministas y LGBTIQ+.",
		Scope:       polls.PublicScope, Seats: 30, Method: "cifra-repartidora", Threshold: "5", Parity: true, RecallShare: "10",
		Calendar: polls.Calendar{RegistrationCloses: now.Add(time.Hour), VotingOpens: now.Add(2 * time.Hour), VotingCloses: now.Add(3 * time.Hour)}})
	if err != nil {
		return err
	}
	lists := []struct {
		name, org string
		sector    bodies.Sector
		names     []string
	}{
		{"Frente Obrero", "Confederación General de Trabajadores", "workers", []string{"Rosa Quispe", "Julio Mamani", "Nélida Ccori", "Óscar Huamán", "Gladys Puma", "Walter Condori", "Lidia Apaza", "Elmer Vilca", "Yeny Cahuana", "Raúl Ticona", "Sonia Flores", "Edwin Pari"}},
		{"Tierra y Territorio", "Confederación Campesina", "campesinos", []string{"Hilario Choque", "Marleni Quispe", "Teófilo Ramos", "Antonia Huanca", "Celestino Yucra", "Dina Calla", "Saturnino Coaquira", "Felícitas Ayma", "Marcelino Ccama", "Eulalia Larico"}},
		{"Pueblos Originarios", "Organización de Pueblos Amazónicos y Andinos", "indigenous", []string{"Tarcila Rivera", "Santiago Manuin", "Ruth Buendía", "Alberto Pizango", "Lourdes Huanca", "Zebelio Kayap", "Melania Canales", "Wrays Pérez"}},
		{"Juventud Constituyente", "Federación de Estudiantes", "students", []string{"Mauro Quispe", "Luz Condori", "Brayan Mamani", "Yesenia Pari", "Kevin Apaza", "Sheyla Ramos"}},
		{"Feministas por la Constituyente", "Coordinadora Feminista", "women", []string{"Carmen Ccama", "Iris Mendoza", "Vilma Huanca", "Pilar Roque"}},
		{"Disidencias", "Colectivo LGBTIQ+ del Sur", "lgbtq", []string{"Alex Turpo", "Kori Mamani", "Dante Vilca"}},
	}
	for i, l := range lists {
		var cs []polls.CandidateInput
		for j, n := range l.names {
			g := []string{"F", "M"}[(i+j)%2]
			if l.sector == "lgbtq" {
				g = "X"
			}
			cs = append(cs, polls.CandidateInput{Name: n, Gender: g})
		}
		if _, err := db.RegisterCandidacy(ctx, facilitator, e.ID, polls.CandidacyInput{Name: l.name, Organisation: l.org, Sector: l.sector, Candidates: cs}); err != nil {
			return fmt.Errorf("demo list %q: %w", l.name, err)
		}
	}
	// 120 stations, in the districts of every department, more where more
	// people live.
	var stations []polls.StationInput
	for _, d := range pl.Departments() {
		var districts []string
		for _, p := range pl.Children(d.Code) {
			for _, x := range pl.Children(p.Code) {
				districts = append(districts, x.Code)
			}
		}
		n := 4
		if places.DepartmentOf(d.Code) == "15" {
			n = 24
		}
		for range n {
			stations = append(stations, polls.StationInput{Code: fmt.Sprintf("%06d", len(stations)+1), Place: districts[rng.IntN(len(districts))], Electorate: int64(200 + rng.IntN(101))})
		}
	}
	if _, err := db.AddStations(ctx, facilitator, e.ID, stations, pl.Valid); err != nil {
		return err
	}
	db.Advance(ctx, facilitator, e.ID)
	if _, err := db.Advance(ctx, facilitator, e.ID); err != nil {
		return err
	}
	ss, err := db.Stations(ctx, facilitator, e.ID, store.StationFilter{Limit: 500})
	if err != nil {
		return err
	}
	weights := []int{30, 24, 20, 10, 9, 7}
	for i, s := range ss {
		sheet := polls.Sheet{Votes: make([]int64, len(lists))}
		voters := s.Electorate * int64(70+rng.IntN(20)) / 100
		sheet.Blank, sheet.Null = voters/30, voters/45
		left := voters - sheet.Blank - sheet.Null
		for j := range lists {
			v := left * int64(weights[j]+rng.IntN(10)-5) / 100
			if j == len(lists)-1 {
				v = max(0, left)
			}
			sheet.Votes[j] = v
			left -= v
		}
		second := sheet
		if i == 7 {
			// A typing slip: the third clerk's entry agrees with the first.
			second.Votes = append([]int64{}, sheet.Votes...)
			second.Votes[0] += 10
		}
		if _, err := db.EnterSheet(ctx, clerks[0], s.ID, 0, sheet); err != nil {
			return err
		}
		if _, err := db.EnterSheet(ctx, clerks[1], s.ID, 0, second); err != nil {
			return err
		}
		if i == 7 {
			if _, err := db.EnterSheet(ctx, clerks[2], s.ID, 0, sheet); err != nil {
				return err
			}
		}
	}
	if _, err := db.Advance(ctx, facilitator, e.ID); err != nil {
		return err
	}
	if _, err := db.PublishResults(ctx, facilitator, e.ID, ""); err != nil {
		return err
	}
	reps, err := db.Representatives(ctx, facilitator, e.ID)
	if err != nil {
		return err
	}
	for _, c := range reps[1].Candidates {
		if c.Status == polls.Elected {
			if _, err := db.OpenPetition(ctx, clerks[0], c.ID, "Firmó el acuerdo con el gobierno sin consultar a las bases."); err != nil {
				return err
			}
			break
		}
	}
	fmt.Fprintf(out, "demo: the constituent assembly's election, counted from %d tally sheets and published, with a recall petition (/polls/%d)\n", len(ss), e.ID)

	// A committee elects its board online by STV; the vote is under way.
	c := bases[1]
	ms, _, err = db.Members(ctx, c.Facilitator, c.Body, 40, 0)
	if err != nil {
		return err
	}
	board2, err := db.CallPoll(ctx, c.Facilitator, c.Body, polls.Input{Title: "Junta directiva del comité", Scope: polls.BodyScope, Seats: 3, Method: polls.STV,
		RecallShare: "20", Calendar: polls.Calendar{RegistrationCloses: now.Add(time.Hour), VotingOpens: now.Add(2 * time.Hour), VotingCloses: now.Add(72 * time.Hour)}})
	if err != nil {
		return err
	}
	for i := 0; i < 5 && i < len(ms); i++ {
		if _, err := db.RegisterCandidacy(ctx, ms[i].UserID, board2.ID, polls.CandidacyInput{Organisation: "Comité", Candidates: []polls.CandidateInput{{Name: ms[i].Name, Gender: "X"}}}); err != nil {
			return err
		}
	}
	db.Advance(ctx, c.Facilitator, board2.ID)
	if _, err := db.Advance(ctx, c.Facilitator, board2.ID); err != nil {
		return err
	}
	for i := 1; i < len(ms)/2; i++ {
		r := rng.Perm(min(5, len(ms)))
		for k := range r {
			r[k]++
		}
		if _, err := db.CastPollBallot(ctx, ms[i].UserID, board2.ID, polls.Ballot{Ranking: r[:1+rng.IntN(len(r))]}); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "demo: a committee's board elected online by STV, voting open (/polls/%d)\n", board2.ID)
	return nil
}
