package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"asamblea/errs"
	"asamblea/incidents"
	"asamblea/places"
	"asamblea/store"
)

// Passphrase is the demo commission's passphrase when the node has no
// records key file.
const Passphrase = "memoria y justicia 2023"

// Repression gives the national assembly its human-rights commission, with
// the records of the weeks of December 2022 to February 2023: killings,
// woundings, detentions, raids and threats in the south and in Lima, most
// of them verified (so that the public figures have something to show, small
// counts hidden), a few awaiting verification, and the political prisoners
// with their lawyers and next hearings. Every name is invented.
func Repression(ctx context.Context, db *store.DB, national, facilitator int64, out io.Writer) error {
	pl := places.Peru()
	rng := rand.New(rand.NewPCG(7, 2023))
	members := []int64{facilitator}
	seated, err := db.SeatedIn(ctx, national)
	if err != nil {
		return err
	}
	for _, u := range seated {
		if u != facilitator && len(members) < 3 {
			members = append(members, u)
		}
	}
	c, err := db.CreateCommission(ctx, facilitator, national, store.CommissionInput{Name: "Comisión de Derechos Humanos y Defensa Legal", Purpose: "rights", Members: members})
	if err != nil {
		return err
	}
	if _, err := db.CreateCommission(ctx, facilitator, national, store.CommissionInput{Name: "Comisión de Logística", Purpose: "logistics", Members: members[:1]}); err != nil {
		return err
	}
	how := "the server's key file"
	err = db.SetUpRecords(ctx, facilitator, c.ID, store.RecordsSetup{File: true})
	if errs.Is(err, errs.Invalid) {
		how = fmt.Sprintf("the passphrase %q", Passphrase)
		err = db.SetUpRecords(ctx, facilitator, c.ID, store.RecordsSetup{Passphrase: Passphrase})
	}
	if err != nil {
		return err
	}

	type event struct {
		kind     incidents.Kind
		day      string
		place    string
		force    incidents.Force
		reports  int // how many records
		affected int // people in each
		what     string
	}
	events := []event{
		{incidents.Killed, "2022-12-11", "030201", incidents.Police, 2, 1, "Herido de bala durante la movilización en Andahuaylas; falleció en el hospital."},
		{incidents.Wounded, "2022-12-11", "030201", incidents.Police, 4, 3, "Heridos por perdigones y bombas lacrimógenas en el aeródromo."},
		{incidents.Killed, "2022-12-15", "050101", incidents.Army, 5, 2, "Disparos del ejército cerca del aeropuerto de Huamanga."},
		{incidents.Wounded, "2022-12-15", "050101", incidents.Army, 6, 4, "Heridos de bala trasladados al hospital regional."},
		{incidents.Detained, "2022-12-15", "050101", incidents.Police, 3, 2, "Detenidos en la plaza y llevados a la comisaría."},
		{incidents.Killed, "2023-01-09", "211101", incidents.Police, 9, 2, "Disparos durante la movilización al aeropuerto de Juliaca."},
		{incidents.Wounded, "2023-01-09", "211101", incidents.Police, 12, 5, "Heridos por proyectiles en los alrededores del aeropuerto."},
		{incidents.Detained, "2023-01-09", "211101", incidents.Police, 4, 1, "Detenido al volver de la marcha."},
		{incidents.Threat, "2023-01-12", "210101", incidents.UnknownForce, 2, 1, "Llamadas amenazando a dirigentes del comité."},
		{incidents.Raid, "2023-01-21", "150101", incidents.Police, 1, 12, "Ingreso policial a la ciudad universitaria con tanqueta; estudiantes y comuneros alojados detenidos."},
		{incidents.Detained, "2023-01-21", "150101", incidents.Police, 6, 3, "Detenidos en la ciudad universitaria y trasladados a la DIROES."},
		{incidents.Wounded, "2023-01-28", "150101", incidents.Police, 3, 2, "Heridos por perdigones en el centro de Lima."},
		{incidents.Disappeared, "2023-02-04", "080101", incidents.UnknownForce, 1, 1, "No se sabe de él desde que fue detenido en la marcha."},
		{incidents.Detained, "2023-02-04", "040101", incidents.Police, 2, 1, "Detenida en el puente de la panamericana."},
	}
	var prisoners []int64
	n, pending := 0, 0
	for ei, e := range events {
		day, err := time.ParseInLocation(time.DateOnly, e.day, store.Lima)
		if err != nil {
			return err
		}
		if !pl.Valid(e.place) {
			return fmt.Errorf("demo: no place %s", e.place)
		}
		for i := 0; i < e.reports; i++ {
			at := day.Add(time.Duration(10+rng.IntN(9))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
			var names []string
			for j := 0; j < e.affected && j < 3; j++ {
				names = append(names, fmt.Sprintf("%s %s %s", firstNames[rng.IntN(len(firstNames))], surnames[rng.IntN(len(surnames))], surnames[rng.IntN(len(surnames))]))
			}
			id, err := db.ReportIncident(ctx, facilitator, c.ID, store.Report{Input: incidents.Input{Kind: e.kind, At: at, Place: e.place, Force: e.force,
				Affected: e.affected, Description: e.what}, People: names}, pl.Valid)
			if err != nil {
				return fmt.Errorf("demo: incident: %w", err)
			}
			n++
			// The last record of each event waits for verification.
			if i == e.reports-1 && ei%3 == 0 {
				pending++
				continue
			}
			if err := db.CheckIncident(ctx, facilitator, id, incidents.Check{State: incidents.Verified, Note: "Confirmado con la familia y el parte médico."}); err != nil {
				return err
			}
			if e.kind == incidents.Detained {
				r, err := db.Incident(ctx, facilitator, id)
				if err != nil {
					return err
				}
				for k, p := range r.People {
					in := incidents.PersonInput{Status: incidents.StillDetained, PersonSet: *p.Secret}
					in.Age = 19 + rng.IntN(40)
					in.Held = []string{"Penal de Challapalca", "Establecimiento Penitenciario de Ayacucho", "Penal de Lurigancho", "Carceleta del Poder Judicial"}[rng.IntN(4)]
					if k%2 == 0 {
						in.Status = incidents.Charged
						in.Charges = "disturbios y entorpecimiento de servicios públicos"
						in.Lawyer = []string{"Dra. Carmen Apaza (defensa legal de la comisión)", "Dr. Walter Ccallo", "Dra. Pilar Zúñiga"}[rng.IntN(3)]
						in.NextHearing = day.AddDate(0, 1, rng.IntN(20)).Format(time.DateOnly)
					} else if rng.IntN(2) == 0 {
						in.Status = incidents.Released
					}
					if err := db.UpdatePerson(ctx, facilitator, p.ID, in); err != nil {
						return err
					}
					if in.Status.Prisoner() {
						prisoners = append(prisoners, p.ID)
					}
				}
			}
		}
	}
	fmt.Fprintf(out, "demo: the national assembly's human-rights commission (/commissions/%d, opened with %s) keeps %d incidents, %d awaiting verification, %d political prisoners; public figures at /repression\n",
		c.ID, how, n, pending, len(prisoners))
	return nil
}
