package store_test

import (
	"fmt"
	"testing"
	"time"

	"asamblea/accounts"
	"asamblea/actions"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/federation"
	"asamblea/places"
	"asamblea/store"
)

var peru = places.Peru()

func peruCoords(code string) (float64, float64, bool) {
	p, ok := peru.Lookup(code)
	return p.Lat, p.Lon, ok
}

func water(qty int64, place string) actions.SupplyInput {
	return actions.SupplyInput{Kind: actions.Water, Quantity: qty, Unit: "litros", Description: "Agua para la olla común.", Place: place}
}

// supplyFederation is an assembly with three committees (Juliaca needs,
// two others offer), and a committee of another assembly.
type supplyFederation struct {
	a, c1, c2, c3, c4 bodies.Body
	u1, u2, u3, u4    []accounts.User
}

func newSupplyFederation(t *testing.T, db *store.DB) supplyFederation {
	t.Helper()
	delegationN = 0
	rule := federation.SeatRule{Mode: federation.Fixed, Fixed: 1}
	var f supplyFederation
	f.c1, f.a, f.u1 = delegation(t, db, 3, rule)
	f.c2, _, f.u2 = delegation(t, db, 2, rule)
	f.c3, _, f.u3 = delegation(t, db, 2, rule)
	f.c4, _, f.u4 = delegation(t, db, 2, rule) // in an assembly of its own
	for _, x := range []struct {
		c bodies.Body
		u []accounts.User
	}{{f.c2, f.u2}, {f.c3, f.u3}} {
		aff, err := db.RequestAffiliation(ctx, x.u[0].ID, x.c.ID, f.a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.DecideAffiliation(ctx, f.u1[0].ID, f.a.ID, aff.ID, true, ""); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// The flow: a committee in Juliaca needs 500 litres of water; a
// body in Puno and one in Lima offer some; the nearest is proposed first,
// pledges, and the needing committee confirms it arrived: the need is met.
func TestNeedsFlow(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		f := newSupplyFederation(t, db)
		act, err := db.CallAction(ctx, f.u1[0].ID, f.c1.ID, roadblockInput(time.Now()), validAnyPlace)
		if err != nil {
			t.Fatal(err)
		}
		need, err := db.PostNeed(ctx, f.u1[0].ID, f.c1.ID, actions.NeedInput{SupplyInput: water(500, "211101"), ActionID: act.ID}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		if need.Status != actions.NeedOpen || need.Quantity != 500 || need.Unit != "litros" || need.BodyName != f.c1.Name || need.ActionID != act.ID {
			t.Fatalf("posted: %+v", need)
		}
		near, err := db.PostOffer(ctx, f.u2[0].ID, f.c2.ID, actions.OfferInput{SupplyInput: water(1000, "210101")}, peru.Valid) // Puno, 41 km
		if err != nil {
			t.Fatal(err)
		}
		far, err := db.PostOffer(ctx, f.u3[0].ID, f.c3.ID, actions.OfferInput{SupplyInput: water(5000, "150101")}, peru.Valid) // Lima
		if err != nil {
			t.Fatal(err)
		}
		// Neither another kind nor an offer outside the federation is proposed.
		food := water(100, "211101")
		food.Kind = actions.Food
		if _, err := db.PostOffer(ctx, f.u2[0].ID, f.c2.ID, actions.OfferInput{SupplyInput: food}, peru.Valid); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PostOffer(ctx, f.u4[0].ID, f.c4.ID, actions.OfferInput{SupplyInput: water(800, "211101")}, peru.Valid); err != nil {
			t.Fatal(err)
		}

		ms, err := db.Matches(ctx, f.u1[1].ID, need.ID, peruCoords)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 || ms[0].Offer.ID != near.ID || ms[1].Offer.ID != far.ID {
			t.Fatalf("matches: %+v", ms)
		}
		if ms[0].Km != 41.2 || ms[1].Km < 830 || ms[1].Km > 845 || ms[0].Quantity != 500 || ms[0].Offer.BodyName != f.c2.Name {
			t.Fatalf("distances: %+v", ms)
		}

		p, err := db.PledgeOffer(ctx, f.u2[0].ID, near.ID, need.ID, 500)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != actions.Pledged || p.Quantity != 500 || p.NeedBodyID != f.c1.ID || p.OfferBodyID != f.c2.ID || p.Unit != "litros" {
			t.Fatalf("pledge: %+v", p)
		}
		d, err := db.Need(ctx, f.u1[0].ID, need.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Pledged != 500 || d.Outstanding() != 0 || len(d.Pledges) != 1 || !d.Manage || len(d.PledgeFor) != 1 || d.PledgeFor[0].ID != f.a.ID { // she facilitates the assembly too
			t.Fatalf("need after the pledge: %+v", d)
		}
		if ms, _ := db.Matches(ctx, f.u1[0].ID, need.ID, peruCoords); len(ms) != 0 {
			t.Fatalf("a fully pledged need still gets matches: %+v", ms)
		}
		notices, err := db.Notices(ctx, f.u1[0].ID, 10)
		if err != nil || len(notices) == 0 || notices[0].Message != "notice.need_pledged" || notices[0].Link != fmt.Sprintf("/needs/%d", need.ID) {
			t.Fatalf("the needing body's facilitator is not told: %+v %v", notices, err)
		}

		// Only the needing body's secretaries confirm.
		_, err = db.ConfirmArrival(ctx, f.u2[0].ID, p.ID)
		wantCode(t, err, errs.Forbidden, "error.forbidden")
		_, err = db.ConfirmArrival(ctx, f.u1[1].ID, p.ID)
		wantCode(t, err, errs.Forbidden, "error.forbidden")
		p, err = db.ConfirmArrival(ctx, f.u1[0].ID, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != actions.Arrived || p.ConfirmedAt == nil {
			t.Fatalf("arrived: %+v", p)
		}
		_, err = db.ConfirmArrival(ctx, f.u1[0].ID, p.ID)
		wantCode(t, err, errs.Conflict, "pledge.arrived")
		wantCode(t, db.CancelPledge(ctx, f.u2[0].ID, p.ID), errs.Conflict, "pledge.arrived")
		d, err = db.Need(ctx, f.u2[1].ID, need.ID) // a plain member of the offering body
		if err != nil {
			t.Fatal(err)
		}
		if d.Status != actions.NeedMet || d.Received != 500 || d.Pledges[0].Status != actions.Arrived || d.Manage {
			t.Fatalf("met: %+v", d)
		}
		wantCode(t, db.CancelNeed(ctx, f.u1[0].ID, need.ID), errs.Conflict, "need.met")
		o, err := db.Offer(ctx, f.u1[1].ID, near.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != actions.OfferOpen || o.Pledged != 500 || o.Remaining() != 500 || len(o.Pledges) != 1 || o.Manage {
			t.Fatalf("half the offer is left: %+v", o)
		}

		// A second need takes the rest of the offer: once it arrived, the
		// offer is closed.
		need2, err := db.PostNeed(ctx, f.u1[0].ID, f.c1.ID, actions.NeedInput{SupplyInput: water(700, "211101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		p2, err := db.PledgeOffer(ctx, f.u2[0].ID, near.ID, need2.ID, 500)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ConfirmArrival(ctx, f.u1[0].ID, p2.ID); err != nil {
			t.Fatal(err)
		}
		o, _ = db.Offer(ctx, f.u2[0].ID, near.ID)
		d, _ = db.Need(ctx, f.u1[0].ID, need2.ID)
		if o.Status != actions.OfferClosed || !o.Manage || d.Status != actions.NeedOpen || d.Received != 500 || d.Outstanding() != 200 {
			t.Fatalf("offer all delivered: %+v; need partly received: %+v", o.Offer, d.Need)
		}
		ms, _ = db.Matches(ctx, f.u1[0].ID, need2.ID, peruCoords)
		if len(ms) != 1 || ms[0].Offer.ID != far.ID || ms[0].Quantity != 200 {
			t.Fatalf("matches of the rest: %+v", ms)
		}
		_, err = db.PledgeOffer(ctx, f.u2[0].ID, near.ID, need2.ID, 1)
		wantCode(t, err, errs.Conflict, "offer.closed")

		// Lists: the body's needs and offers, its action's, the assembly's.
		s, err := db.BodyNeeds(ctx, f.u1[1].ID, f.c1.ID)
		if err != nil || len(s.Needs) != 2 || s.Needs[0].ID != need2.ID || len(s.Offers) != 0 || s.Role != bodies.Member {
			t.Fatalf("body needs: %+v %v", s, err)
		}
		s, err = db.BodyNeeds(ctx, f.u1[1].ID, f.c2.ID)
		if err != nil || len(s.Needs) != 0 || len(s.Offers) != 2 || s.Offers[0].Status != actions.OfferOpen {
			t.Fatalf("offers of another body of the assembly: %+v %v", s, err)
		}
		an, err := db.ActionNeeds(ctx, f.u3[1].ID, act.ID)
		if err != nil || len(an) != 1 || an[0].ID != need.ID {
			t.Fatalf("action needs: %+v %v", an, err)
		}
		medical := water(3, "210101")
		medical.Kind, medical.Unit = actions.Medical, "botiquines"
		if _, err := db.PostNeed(ctx, f.u3[0].ID, f.c3.ID, actions.NeedInput{SupplyInput: medical}, peru.Valid); err != nil {
			t.Fatal(err)
		}
		open, total, err := db.OpenNeeds(ctx, f.u2[1].ID, f.a.ID, 1)
		if err != nil || total != 2 || len(open) != 1 || open[0].Kind != actions.Medical {
			t.Fatalf("open needs under the assembly: %d %+v %v", total, open, err)
		}
		open, total, err = db.OpenNeedsOfKind(ctx, f.u2[1].ID, f.a.ID, actions.Water, 10)
		if err != nil || total != 1 || len(open) != 1 || open[0].ID != need2.ID {
			t.Fatalf("open water needs: %d %+v %v", total, open, err)
		}
		_, _, err = db.OpenNeedsOfKind(ctx, f.u2[1].ID, f.a.ID, "weapons", 10)
		wantCode(t, err, errs.Invalid, "need.kind.unknown")
		if _, err := db.VerifyJournal(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestNeedsCancel: either side cancels a pledge on its way; withdrawing an
// offer or cancelling a need cancels the pledges still on their way, and
// frees what they held.
func TestNeedsCancel(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		f := newSupplyFederation(t, db)
		need, err := db.PostNeed(ctx, f.u1[0].ID, f.c1.ID, actions.NeedInput{SupplyInput: water(300, "211101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		offer, err := db.PostOffer(ctx, f.u3[0].ID, f.c3.ID, actions.OfferInput{SupplyInput: water(1000, "150101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		amounts := func() (int64, int64) {
			t.Helper()
			n, err := db.Need(ctx, f.u1[0].ID, need.ID)
			if err != nil {
				t.Fatal(err)
			}
			o, err := db.Offer(ctx, f.u1[0].ID, offer.ID)
			if err != nil {
				t.Fatal(err)
			}
			return n.Pledged, o.Pledged
		}
		p, err := db.PledgeOffer(ctx, f.u3[0].ID, offer.ID, need.ID, 300)
		if err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.CancelPledge(ctx, f.u2[0].ID, p.ID), errs.Forbidden, "error.forbidden") // a third body
		wantCode(t, db.CancelPledge(ctx, f.u1[1].ID, p.ID), errs.Forbidden, "error.forbidden") // a plain member
		if err := db.CancelPledge(ctx, f.u1[0].ID, p.ID); err != nil {                         // the needing side
			t.Fatal(err)
		}
		if n, o := amounts(); n != 0 || o != 0 {
			t.Fatalf("after cancelling: need pledged %d, offer pledged %d", n, o)
		}
		wantCode(t, db.CancelPledge(ctx, f.u3[0].ID, p.ID), errs.Conflict, "pledge.cancelled")
		_, err = db.ConfirmArrival(ctx, f.u1[0].ID, p.ID)
		wantCode(t, err, errs.Conflict, "pledge.cancelled")
		if notices, _ := db.Notices(ctx, f.u3[0].ID, 1); len(notices) != 1 || notices[0].Message != "notice.pledge_cancelled" {
			t.Fatalf("the offering side is not told: %+v", notices)
		}

		p, err = db.PledgeOffer(ctx, f.u3[0].ID, offer.ID, need.ID, 200)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.CancelPledge(ctx, f.u3[0].ID, p.ID); err != nil { // the offering side
			t.Fatal(err)
		}
		if _, err := db.PledgeOffer(ctx, f.u3[0].ID, offer.ID, need.ID, 200); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.WithdrawOffer(ctx, f.u1[0].ID, offer.ID), errs.Forbidden, "error.forbidden")
		if err := db.WithdrawOffer(ctx, f.u3[0].ID, offer.ID); err != nil {
			t.Fatal(err)
		}
		if n, o := amounts(); n != 0 || o != 0 {
			t.Fatalf("after withdrawing: need pledged %d, offer pledged %d", n, o)
		}
		o, _ := db.Offer(ctx, f.u3[0].ID, offer.ID)
		if o.Status != actions.OfferWithdrawn || len(o.Pledges) != 3 || o.Pledges[2].Status != actions.PledgeCancelled {
			t.Fatalf("withdrawn: %+v", o)
		}
		wantCode(t, db.WithdrawOffer(ctx, f.u3[0].ID, offer.ID), errs.Conflict, "offer.closed")
		_, err = db.PledgeOffer(ctx, f.u3[0].ID, offer.ID, need.ID, 1)
		wantCode(t, err, errs.Conflict, "offer.closed")

		other, err := db.PostOffer(ctx, f.u2[0].ID, f.c2.ID, actions.OfferInput{SupplyInput: water(100, "210101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.PledgeOffer(ctx, f.u2[0].ID, other.ID, need.ID, 100); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.CancelNeed(ctx, f.u2[0].ID, need.ID), errs.Forbidden, "error.forbidden")
		if err := db.CancelNeed(ctx, f.u1[0].ID, need.ID); err != nil {
			t.Fatal(err)
		}
		d, _ := db.Need(ctx, f.u1[0].ID, need.ID)
		o, _ = db.Offer(ctx, f.u2[0].ID, other.ID)
		if d.Status != actions.NeedCancelled || d.Pledged != 0 || o.Pledged != 0 || o.Status != actions.OfferOpen {
			t.Fatalf("need cancelled: %+v; its pledge's offer: %+v", d.Need, o.Offer)
		}
		wantCode(t, db.CancelNeed(ctx, f.u1[0].ID, need.ID), errs.Conflict, "need.cancelled")
		_, err = db.PledgeOffer(ctx, f.u2[0].ID, other.ID, need.ID, 1)
		wantCode(t, err, errs.Conflict, "need.cancelled")
		if _, err := db.VerifyJournal(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestNeedsRefusals: bad input and people who may not act get a clear
// error, and nothing is stored.
func TestNeedsRefusals(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		f := newSupplyFederation(t, db)
		act, err := db.CallAction(ctx, f.u2[0].ID, f.c2.ID, roadblockInput(time.Now()), validAnyPlace) // c1 did not join it
		if err != nil {
			t.Fatal(err)
		}
		need, err := db.PostNeed(ctx, f.u1[0].ID, f.c1.ID, actions.NeedInput{SupplyInput: water(500, "211101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		offer, err := db.PostOffer(ctx, f.u2[0].ID, f.c2.ID, actions.OfferInput{SupplyInput: water(300, "210101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		own, err := db.PostOffer(ctx, f.u1[0].ID, f.c1.ID, actions.OfferInput{SupplyInput: water(300, "211101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		food := water(300, "210101")
		food.Kind = actions.Food
		foodOffer, err := db.PostOffer(ctx, f.u2[0].ID, f.c2.ID, actions.OfferInput{SupplyInput: food}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		outside, err := db.PostOffer(ctx, f.u4[0].ID, f.c4.ID, actions.OfferInput{SupplyInput: water(300, "211101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		before := journalLen(t, db)

		postNeed := func(actor int64, edit func(*actions.NeedInput)) error {
			in := actions.NeedInput{SupplyInput: water(500, "211101")}
			edit(&in)
			_, err := db.PostNeed(ctx, actor, f.c1.ID, in, peru.Valid)
			return err
		}
		secretary := f.u1[0].ID
		tests := map[string]struct {
			err  error
			code errs.Code
			key  string
		}{
			"ErrKind":            {postNeed(secretary, func(in *actions.NeedInput) { in.Kind = "weapons" }), errs.Invalid, "need.kind.unknown"},
			"ErrQuantity":        {postNeed(secretary, func(in *actions.NeedInput) { in.Quantity = 0 }), errs.Invalid, "need.quantity.range"},
			"ErrPlace":           {postNeed(secretary, func(in *actions.NeedInput) { in.Place = "999999" }), errs.Invalid, "need.place.unknown"},
			"ErrActionUnknown":   {postNeed(secretary, func(in *actions.NeedInput) { in.ActionID = 9999 }), errs.Invalid, "need.action.not_found"},
			"ErrActionNotOurs":   {postNeed(secretary, func(in *actions.NeedInput) { in.ActionID = act.ID }), errs.Invalid, "need.action.not_joined"},
			"ErrPlainMember":     {postNeed(f.u1[1].ID, func(in *actions.NeedInput) {}), errs.Forbidden, "error.forbidden"},
			"ErrOtherBody":       {postNeed(f.u2[0].ID, func(in *actions.NeedInput) {}), errs.Forbidden, "error.forbidden"},
			"ErrSignedOut":       {postNeed(0, func(in *actions.NeedInput) {}), errs.Unauthorized, "error.sign_in_needed"},
			"ErrOfferQuantity":   {second(db.PostOffer(ctx, f.u2[0].ID, f.c2.ID, actions.OfferInput{SupplyInput: water(-1, "210101")}, peru.Valid)), errs.Invalid, "need.quantity.range"},
			"ErrOfferMember":     {second(db.PostOffer(ctx, f.u2[1].ID, f.c2.ID, actions.OfferInput{SupplyInput: water(1, "210101")}, peru.Valid)), errs.Forbidden, "error.forbidden"},
			"ErrPledgeMember":    {second(db.PledgeOffer(ctx, f.u2[1].ID, offer.ID, need.ID, 10)), errs.Forbidden, "error.forbidden"},
			"ErrPledgeZero":      {second(db.PledgeOffer(ctx, f.u2[0].ID, offer.ID, need.ID, 0)), errs.Invalid, "pledge.quantity.min"},
			"ErrPledgeOverOffer": {second(db.PledgeOffer(ctx, f.u2[0].ID, offer.ID, need.ID, 301)), errs.Invalid, "pledge.quantity.offer"},
			"ErrPledgeOwn":       {second(db.PledgeOffer(ctx, f.u1[0].ID, own.ID, need.ID, 10)), errs.Conflict, "pledge.own"},
			"ErrPledgeKind":      {second(db.PledgeOffer(ctx, f.u2[0].ID, foodOffer.ID, need.ID, 10)), errs.Invalid, "pledge.kind"},
			"ErrPledgeNoNeed":    {second(db.PledgeOffer(ctx, f.u2[0].ID, offer.ID, 9999, 10)), errs.NotFound, "need.not_found"},
			"ErrPledgeNoOffer":   {second(db.PledgeOffer(ctx, f.u2[0].ID, 9999, need.ID, 10)), errs.NotFound, "offer.not_found"},
			"ErrPledgeOutsider":  {second(db.PledgeOffer(ctx, f.u4[0].ID, outside.ID, need.ID, 10)), errs.NotFound, "need.not_found"},
			"ErrArrivedUnknown":  {second(db.ConfirmArrival(ctx, f.u1[0].ID, 9999)), errs.NotFound, "pledge.not_found"},
			"ErrCancelOutsider":  {db.CancelNeed(ctx, f.u4[0].ID, need.ID), errs.NotFound, "need.not_found"},
			"ErrCancelMember":    {db.CancelNeed(ctx, f.u1[1].ID, need.ID), errs.Forbidden, "error.forbidden"},
			"ErrWithdrawOther":   {db.WithdrawOffer(ctx, f.u1[0].ID, offer.ID), errs.Forbidden, "error.forbidden"},
		}
		for name, tc := range tests {
			t.Run(name, func(t *testing.T) { wantCode(t, tc.err, tc.code, tc.key) })
		}
		if after := journalLen(t, db); after != before {
			t.Fatalf("refused changes wrote %d journal entries", after-before)
		}
		if d, _ := db.Need(ctx, f.u1[0].ID, need.ID); d.Pledged != 0 || len(d.Pledges) != 0 {
			t.Fatalf("a refused pledge was stored: %+v", d)
		}
	})
}

func second[T any](_ T, err error) error { return err }

// TestNeedsVisibility: needs and offers are seen in their federation only;
// outside it they do not exist (or, on a public body's list, are kept for
// the federation).
func TestNeedsVisibility(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		f := newSupplyFederation(t, db)
		need, err := db.PostNeed(ctx, f.u1[0].ID, f.c1.ID, actions.NeedInput{SupplyInput: water(500, "211101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		offer, err := db.PostOffer(ctx, f.u2[0].ID, f.c2.ID, actions.OfferInput{SupplyInput: water(300, "210101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		p, err := db.PledgeOffer(ctx, f.u2[0].ID, offer.ID, need.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		outsider := f.u4[1].ID
		_, err = db.Need(ctx, outsider, need.ID)
		wantCode(t, err, errs.NotFound, "need.not_found")
		_, err = db.Need(ctx, 0, need.ID)
		wantCode(t, err, errs.NotFound, "need.not_found")
		_, err = db.Offer(ctx, outsider, offer.ID)
		wantCode(t, err, errs.NotFound, "offer.not_found")
		_, err = db.Matches(ctx, outsider, need.ID, peruCoords)
		wantCode(t, err, errs.NotFound, "need.not_found")
		_, err = db.ConfirmArrival(ctx, outsider, p.ID)
		wantCode(t, err, errs.NotFound, "pledge.not_found")
		_, err = db.BodyNeeds(ctx, outsider, f.c1.ID)
		wantCode(t, err, errs.Forbidden, "need.federation_only")
		_, err = db.BodyNeeds(ctx, 0, f.c1.ID)
		wantCode(t, err, errs.Unauthorized, "error.sign_in_needed")
		_, _, err = db.OpenNeeds(ctx, outsider, f.a.ID, 10)
		wantCode(t, err, errs.Forbidden, "need.federation_only")
		if an, err := db.ActionNeeds(ctx, outsider, need.ActionID); err != nil || len(an) != 0 {
			t.Fatalf("action needs to an outsider: %+v %v", an, err)
		}

		// A private body outside the federation does not exist.
		if _, err := db.UpdateBody(ctx, f.u1[0].ID, f.c1.ID, bodies.Input{Name: f.c1.Name, Sector: f.c1.Sector, Place: f.c1.Place, Public: false}, validAnyPlace); err != nil {
			t.Fatal(err)
		}
		_, err = db.BodyNeeds(ctx, outsider, f.c1.ID)
		wantCode(t, err, errs.NotFound, "body.not_found")

		// The assembly's members and its other bodies' see it all.
		for _, viewer := range []int64{f.u3[1].ID, f.u1[0].ID} {
			if _, err := db.Need(ctx, viewer, need.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.OpenNeeds(ctx, viewer, f.a.ID, 10); err != nil {
				t.Fatal(err)
			}
		}

		// A secretary of an outside body who also belongs to the needing
		// committee sees the need, but cannot pledge an offer from outside
		// the federation to it.
		inv, err := db.CreateInvitation(ctx, f.u1[0].ID, f.c1.ID, bodies.InvitationInput{MaxUses: 1, Days: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Join(ctx, f.u4[0].ID, inv.Code); err != nil {
			t.Fatal(err)
		}
		outside, err := db.PostOffer(ctx, f.u4[0].ID, f.c4.ID, actions.OfferInput{SupplyInput: water(300, "211101")}, peru.Valid)
		if err != nil {
			t.Fatal(err)
		}
		d, err := db.Need(ctx, f.u4[0].ID, need.ID)
		if err != nil || len(d.PledgeFor) != 2 || d.PledgeFor[1].ID != f.c4.ID { // and c4's assembly
			t.Fatalf("need seen from both: %+v %v", d, err)
		}
		if ms, err := db.Matches(ctx, f.u4[0].ID, need.ID, peruCoords); err != nil || len(ms) != 1 || ms[0].Offer.ID != offer.ID {
			t.Fatalf("matches seen from both: %+v %v", ms, err)
		}
		_, err = db.PledgeOffer(ctx, f.u4[0].ID, outside.ID, need.ID, 10)
		wantCode(t, err, errs.NotFound, "need.not_found")
	})
}
