package demo

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"asamblea/motions"
	"asamblea/store"
	"asamblea/voting"
)

// Deliberation fills the demo federation with decisions as the movement
// would take them: the national assembly consults its bases on an
// indefinite general strike, most committees have voted (one of them in a
// plaza meeting), and the first committees have a decision published as a
// communiqué, a vote among options under way and a motion in discussion
// with a comment and an amendment. Everything goes through the services
// the pages use.
func Deliberation(ctx context.Context, db *store.DB, rng *rand.Rand, national, facilitator int64, bases []store.BulkLoaded, out io.Writer) error {
	members := func(c store.BulkLoaded) ([]int64, error) {
		ms, _, err := db.Members(ctx, c.Facilitator, c.Body, 500, 0)
		var ids []int64
		for _, m := range ms {
			ids = append(ids, m.UserID)
		}
		return ids, err
	}
	m, err := db.CreateMotion(ctx, facilitator, national, motions.Input{
		Title: "¿Huelga general indefinida desde el 4 de enero?",
		Text: "La Asamblea Nacional de los Pueblos consulta a todas sus bases:\n\n" +
			"1. Huelga general indefinida desde el 4 de enero.\n2. Bloqueo de las vías nacionales desde el primer día.\n3. Caravanas hacia Lima desde el sur.\n\n" +
			"Cada base decide en asamblea o en línea; su resultado es el mandato de sus delegados.",
	})
	if err != nil {
		return err
	}
	ref, err := db.Refer(ctx, facilitator, m.ID, 72)
	if err != nil {
		return err
	}
	decided := 0
	for i, c := range bases {
		if i%3 == 2 {
			continue // a third of the bases are still deciding
		}
		ids, err := members(c)
		if err != nil {
			return err
		}
		open, err := db.Motions(ctx, c.Facilitator, c.Body, store.MotionFilter{Open: true})
		if err != nil {
			return err
		}
		var cp motions.Motion
		for _, o := range open {
			if o.ReferralID == ref.ID {
				cp = o
			}
		}
		if cp.ID == 0 {
			continue // a committee outside the federation
		}
		if i == 0 && len(ids) >= 2 {
			// The first base decides by a show of hands in the plaza.
			yes := int64(len(ids)) - 1
			mt, err := db.RecordMeeting(ctx, c.Facilitator, c.Body, motions.MeetingInput{
				HeldOn: time.Now().In(time.FixedZone("PET", -5*3600)).Format("2006-01-02"), Place: "Plaza de Armas", Attendance: int64(len(ids)),
				Notes:     "Asamblea popular convocada con megáfono y radio comunitaria.",
				Decisions: []motions.MeetingDecision{{MotionID: cp.ID, Hands: motions.Hands{Yes: yes, No: 1}}},
			})
			if err != nil {
				return fmt.Errorf("plaza meeting: %w", err)
			}
			confirmer := ids[0]
			if confirmer == c.Facilitator {
				confirmer = ids[1]
			}
			if err := db.ConfirmMeeting(ctx, confirmer, mt.ID); err != nil {
				return fmt.Errorf("confirming the plaza meeting: %w", err)
			}
			decided++
			continue
		}
		for _, id := range ids {
			if rng.IntN(5) == 0 {
				continue // not everyone votes
			}
			choice := voting.Yes
			if rng.IntN(4) == 0 {
				choice = []string{voting.No, voting.Abstain}[rng.IntN(2)]
			}
			if err := db.Vote(ctx, id, cp.ID, 0, motions.Ballot{Choice: choice}); err != nil {
				return fmt.Errorf("vote in body %d: %w", c.Body, err)
			}
		}
		if got, err := db.Motion(ctx, c.Facilitator, cp.ID); err != nil {
			return err
		} else if got.Status == motions.Voting {
			if _, err := db.CloseVote(ctx, c.Facilitator, cp.ID); err != nil {
				return err
			}
		}
		decided++
	}
	if len(bases) >= 3 {
		if err := committeeMotions(ctx, db, bases[:3], members); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "demo: the national assembly consults its bases (/referrals/%d): %d of %d have decided, one in a plaza meeting\n", ref.ID, decided, len(bases))
	return nil
}

// committeeMotions gives three committees a published decision, a vote
// among options and a motion in discussion.
func committeeMotions(ctx context.Context, db *store.DB, cs []store.BulkLoaded, members func(store.BulkLoaded) ([]int64, error)) error {
	ids, err := members(cs[0])
	if err != nil {
		return err
	}
	olla, err := db.CreateMotion(ctx, cs[0].Facilitator, cs[0].Body, motions.Input{Title: "Olla común en la plaza durante el paro",
		Text: "Organizamos una **olla común** en la plaza cada día de paro.\n\n- Cada familia aporta lo que pueda.\n- Turnos de cocina por barrio."})
	if err != nil {
		return err
	}
	if _, err := db.MoveMotion(ctx, cs[0].Facilitator, olla.ID, motions.Voting, 24); err != nil {
		return err
	}
	for i, id := range ids {
		choice := voting.Yes
		if i == len(ids)-1 {
			choice = voting.Abstain
		}
		if err := db.Vote(ctx, id, olla.ID, 0, motions.Ballot{Choice: choice}); err != nil {
			return err
		}
	}
	if err := db.Publish(ctx, cs[0].Facilitator, olla.ID); err != nil {
		return err
	}

	place, err := db.CreateMotion(ctx, cs[1].Facilitator, cs[1].Body, motions.Input{Title: "Punto de concentración para la marcha",
		Text: "¿Dónde nos concentramos el día de la marcha?", Options: []string{"Plaza de Armas", "Puente principal", "Terminal terrestre"}, Rule: voting.IRV})
	if err != nil {
		return err
	}
	if _, err := db.MoveMotion(ctx, cs[1].Facilitator, place.ID, motions.Voting, 48); err != nil {
		return err
	}
	if ids, err = members(cs[1]); err != nil {
		return err
	}
	for i, id := range ids[:len(ids)/2] {
		if err := db.Vote(ctx, id, place.ID, 0, motions.Ballot{Ranking: []int{i % 3, (i + 1) % 3}}); err != nil {
			return err
		}
	}

	if ids, err = members(cs[2]); err != nil {
		return err
	}
	disc, err := db.CreateMotion(ctx, ids[len(ids)-1], cs[2].Body, motions.Input{Title: "Comisión de seguridad para las movilizaciones",
		Text: "Formamos una comisión de seguridad de cinco compañeras y compañeros, rotativa cada semana."})
	if err != nil {
		return err
	}
	if _, err := db.AddComment(ctx, cs[2].Facilitator, disc.ID, "De acuerdo. Que también acompañe a los heridos al centro de salud."); err != nil {
		return err
	}
	_, err = db.ProposeAmendment(ctx, cs[2].Facilitator, disc.ID,
		"Formamos una comisión de seguridad y primeros auxilios de cinco compañeras y compañeros, rotativa cada semana.", "Incluir primeros auxilios.")
	return err
}
