package actions_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"asamblea/actions"
	"asamblea/errs"
)

// Coordinates of a few places (from places/data/peru/places.csv).
var coords = map[string][2]float64{
	"150101": {-12.04528, -77.03083}, // Lima
	"210101": {-15.84028, -70.02806}, // Puno
	"211101": {-15.48389, -70.13333}, // Juliaca
	"040101": {-16.39333, -71.52889}, // Arequipa
	"080101": {-13.51917, -71.97667}, // Cusco
	"999999": {},                     // known to the form, but without coordinates
}

func coordsOf(place string) (float64, float64, bool) {
	c, ok := coords[place]
	if !ok || c == [2]float64{} {
		return 0, 0, false
	}
	return c[0], c[1], true
}

func known(place string) bool { _, ok := coords[place]; return ok }

func wantErr(t *testing.T, err error, code errs.Code, key string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s %s, got success", code, key)
	}
	if e := errs.As(err); e.Code != code || e.Key != key {
		t.Fatalf("want %s %s, got %v", code, key, err)
	}
}

func TestSupplyInputClean(t *testing.T) {
	good := func() actions.SupplyInput {
		return actions.SupplyInput{Kind: actions.Water, Quantity: 500, Unit: " litros ", Description: "  Para la olla común.  ", Place: "211101"}
	}
	in := good()
	if err := in.Clean(known); err != nil {
		t.Fatal(err)
	}
	if in.Unit != "litros" || in.Description != "Para la olla común." {
		t.Fatalf("cleaned: %+v", in)
	}
	tests := map[string]struct {
		edit  func(*actions.SupplyInput)
		field string
		key   string
	}{
		"ErrKindEmpty":       {func(in *actions.SupplyInput) { in.Kind = "" }, "kind", "need.kind.unknown"},
		"ErrKindUnknown":     {func(in *actions.SupplyInput) { in.Kind = "weapons" }, "kind", "need.kind.unknown"},
		"ErrQuantityZero":    {func(in *actions.SupplyInput) { in.Quantity = 0 }, "quantity", "need.quantity.range"},
		"ErrQuantityNeg":     {func(in *actions.SupplyInput) { in.Quantity = -5 }, "quantity", "need.quantity.range"},
		"ErrQuantityHuge":    {func(in *actions.SupplyInput) { in.Quantity = actions.QuantityMax + 1 }, "quantity", "need.quantity.range"},
		"ErrUnitLong":        {func(in *actions.SupplyInput) { in.Unit = strings.Repeat("l", actions.UnitMax+1) }, "unit", "error.too_long"},
		"ErrUnitControl":     {func(in *actions.SupplyInput) { in.Unit = "li\x00tros" }, "unit", "error.bad_characters"},
		"ErrDescriptionLong": {func(in *actions.SupplyInput) { in.Description = strings.Repeat("á", actions.SupplyTextMax+1) }, "description", "error.too_long"},
		"ErrOtherSaysWhat":   {func(in *actions.SupplyInput) { in.Kind, in.Description = actions.Other, "  " }, "description", "error.required"},
		"ErrPlaceEmpty":      {func(in *actions.SupplyInput) { in.Place = "" }, "place", "error.required"},
		"ErrPlaceUnknown":    {func(in *actions.SupplyInput) { in.Place = "123456" }, "place", "need.place.unknown"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			in := good()
			tc.edit(&in)
			err := in.Clean(known)
			wantErr(t, err, errs.Invalid, tc.key)
			if f := errs.As(err).Field; f != tc.field {
				t.Fatalf("field %q, want %q", f, tc.field)
			}
		})
	}
	// The limits themselves are fine; a unit may be left out.
	for _, edit := range []func(*actions.SupplyInput){
		func(in *actions.SupplyInput) { in.Quantity = 1 },
		func(in *actions.SupplyInput) { in.Quantity = actions.QuantityMax },
		func(in *actions.SupplyInput) { in.Unit = strings.Repeat("ñ", actions.UnitMax) },
		func(in *actions.SupplyInput) { in.Unit, in.Description = "", "" },
		func(in *actions.SupplyInput) { in.Kind, in.Description = actions.Other, "Frazadas" },
	} {
		in := good()
		edit(&in)
		if err := in.Clean(known); err != nil {
			t.Errorf("%+v: %v", in, err)
		}
	}
	n := actions.NeedInput{SupplyInput: good(), ActionID: -1}
	wantErr(t, n.Clean(known), errs.Invalid, "need.action.not_found")
	n.ActionID = 7
	if err := n.Clean(known); err != nil {
		t.Fatal(err)
	}
}

func TestCheckPledge(t *testing.T) {
	need := actions.Need{ID: 1, BodyID: 10, Kind: actions.Water, Quantity: 500, Pledged: 200, Status: actions.NeedOpen}
	offer := actions.Offer{ID: 2, BodyID: 20, Kind: actions.Water, Quantity: 1000, Pledged: 900, Status: actions.OfferOpen}
	if err := actions.CheckPledge(need, offer, 100); err != nil {
		t.Fatalf("a pledge of all the offer has left: %v", err)
	}
	tests := map[string]struct {
		edit     func(*actions.Need, *actions.Offer)
		quantity int64
		code     errs.Code
		key      string
	}{
		"ErrOwnNeed":       {func(n *actions.Need, o *actions.Offer) { o.BodyID = n.BodyID }, 10, errs.Conflict, "pledge.own"},
		"ErrNeedMet":       {func(n *actions.Need, o *actions.Offer) { n.Status = actions.NeedMet }, 10, errs.Conflict, "need.met"},
		"ErrNeedCancelled": {func(n *actions.Need, o *actions.Offer) { n.Status = actions.NeedCancelled }, 10, errs.Conflict, "need.cancelled"},
		"ErrOfferClosed":   {func(n *actions.Need, o *actions.Offer) { o.Status = actions.OfferClosed }, 10, errs.Conflict, "offer.closed"},
		"ErrOfferWithdrawn": {func(n *actions.Need, o *actions.Offer) { o.Status = actions.OfferWithdrawn }, 10, errs.Conflict,
			"offer.closed"},
		"ErrKind":         {func(n *actions.Need, o *actions.Offer) { o.Kind = actions.Food }, 10, errs.Invalid, "pledge.kind"},
		"ErrZero":         {func(n *actions.Need, o *actions.Offer) {}, 0, errs.Invalid, "pledge.quantity.min"},
		"ErrNegative":     {func(n *actions.Need, o *actions.Offer) {}, -3, errs.Invalid, "pledge.quantity.min"},
		"ErrOverOffer":    {func(n *actions.Need, o *actions.Offer) {}, 101, errs.Invalid, "pledge.quantity.offer"},
		"ErrOverNeed":     {func(n *actions.Need, o *actions.Offer) { o.Pledged = 0 }, 301, errs.Invalid, "pledge.quantity.need"},
		"ErrNeedPledged":  {func(n *actions.Need, o *actions.Offer) { n.Pledged = 500 }, 1, errs.Invalid, "pledge.quantity.need"},
		"ErrOfferPledged": {func(n *actions.Need, o *actions.Offer) { o.Pledged = 1000 }, 1, errs.Invalid, "pledge.quantity.offer"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			n, o := need, offer
			tc.edit(&n, &o)
			wantErr(t, actions.CheckPledge(n, o, tc.quantity), tc.code, tc.key)
		})
	}
}

func TestDistance(t *testing.T) {
	tests := map[string]struct {
		from, to string
		km, tol  float64
	}{
		// Great-circle distances (the road is longer: some 1,300 km from
		// Lima to Puno).
		"LimaPuno":       {"150101", "210101", 865.4, 1},
		"PunoLima":       {"210101", "150101", 865.4, 1},
		"JuliacaPuno":    {"211101", "210101", 41.2, 0.5},
		"JuliacaCusco":   {"211101", "080101", 295.1, 1},
		"JuliacaArequpa": {"211101", "040101", 180.3, 1},
		"Same":           {"150101", "150101", 0, 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			a, b := coords[tc.from], coords[tc.to]
			if got := actions.Distance(a[0], a[1], b[0], b[1]); math.Abs(got-tc.km) > tc.tol {
				t.Fatalf("%s → %s = %.1f km, want %.1f", tc.from, tc.to, got, tc.km)
			}
		})
	}
	// Half the Earth's circumference between antipodes, with no NaN from
	// rounding past 1 inside the square root.
	if got := actions.Distance(0, 0, 0, 180); math.IsNaN(got) || math.Abs(got-20015.1) > 1 {
		t.Fatalf("antipodes: %v", got)
	}
	if got := actions.Distance(-15.5, -70.1, 15.5, 109.9); math.IsNaN(got) {
		t.Fatal("antipodes off the equator: NaN")
	}
}

func TestPropose(t *testing.T) {
	need := actions.Need{ID: 1, BodyID: 10, Kind: actions.Water, Quantity: 500, Place: "211101", Status: actions.NeedOpen}
	offer := func(id, body int64, place string, qty, pledged int64) actions.Offer {
		return actions.Offer{ID: id, BodyID: body, Kind: actions.Water, Quantity: qty, Pledged: pledged, Place: place, Status: actions.OfferOpen}
	}
	offers := []actions.Offer{
		offer(1, 20, "150101", 5000, 0),  // Lima: far
		offer(2, 21, "210101", 1000, 0),  // Puno: near
		offer(3, 22, "210101", 300, 0),   // Puno too, less left
		offer(4, 23, "999999", 800, 0),   // no coordinates
		offer(5, 10, "211101", 900, 0),   // the needing body's own
		offer(6, 24, "211101", 100, 100), // all pledged
		{ID: 7, BodyID: 25, Kind: actions.Food, Quantity: 100, Place: "211101", Status: actions.OfferOpen},
		{ID: 8, BodyID: 26, Kind: actions.Water, Quantity: 100, Place: "211101", Status: actions.OfferClosed},
		{ID: 9, BodyID: 27, Kind: actions.Water, Quantity: 100, Place: "211101", Status: actions.OfferWithdrawn},
		offer(10, 28, "040101", 50, 10), // Arequipa
	}
	got := actions.Propose(need, offers, coordsOf)
	var ids []int64
	for _, m := range got {
		ids = append(ids, m.Offer.ID)
	}
	if want := []int64{2, 3, 10, 1, 4}; !slices.Equal(ids, want) {
		t.Fatalf("proposed %v, want %v", ids, want)
	}
	if got[0].Km != 41.2 || got[0].Quantity != 500 || got[1].Quantity != 300 || got[2].Quantity != 40 {
		t.Errorf("first matches: %+v", got[:3])
	}
	if !got[4].Unlocated || got[3].Unlocated {
		t.Errorf("unlocated: %+v", got[3:])
	}

	// Closed or fully pledged needs get no proposals.
	for _, edit := range []func(*actions.Need){
		func(n *actions.Need) { n.Status = actions.NeedMet },
		func(n *actions.Need) { n.Status = actions.NeedCancelled },
		func(n *actions.Need) { n.Pledged = n.Quantity },
	} {
		n := need
		edit(&n)
		if got := actions.Propose(n, offers, coordsOf); len(got) != 0 {
			t.Errorf("%+v: proposed %d", n, len(got))
		}
	}
	// A need whose place has no coordinates: every offer unlocated, the
	// largest remainder first.
	n := need
	n.Place = "999999"
	got = actions.Propose(n, offers, coordsOf)
	if len(got) != 5 || got[0].Offer.ID != 1 || !got[0].Unlocated {
		t.Errorf("unlocated need: %+v", got)
	}
	if got := actions.Propose(need, nil, coordsOf); got == nil || len(got) != 0 {
		t.Errorf("no offers: %#v", got)
	}
}

// TestProposeOrder: whatever the offers, the proposals are the eligible
// offers nearest first (the largest remainder first at equal distance), at
// most MatchLimit, and none left out is nearer than the last proposed.
func TestProposeOrder(t *testing.T) {
	places := []string{"150101", "210101", "211101", "040101", "080101"}
	kinds := []actions.Resource{actions.Water, actions.Water, actions.Food}
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		need := actions.Need{ID: 1, BodyID: 1, Kind: actions.Water, Quantity: r.Int64N(1000) + 1, Place: places[r.IntN(len(places))], Status: actions.NeedOpen}
		var offers []actions.Offer
		for i := range r.IntN(30) {
			q := r.Int64N(500) + 1
			offers = append(offers, actions.Offer{ID: int64(i + 1), BodyID: r.Int64N(4) + 1, Kind: kinds[r.IntN(len(kinds))], Quantity: q,
				Pledged: r.Int64N(q + 1), Place: places[r.IntN(len(places))], Status: actions.OfferOpen})
		}
		got := actions.Propose(need, offers, coordsOf)
		eligible := 0
		for _, o := range offers {
			if o.Kind == need.Kind && o.BodyID != need.BodyID && o.Remaining() > 0 {
				eligible++
			}
		}
		if len(got) != min(eligible, actions.MatchLimit) {
			t.Fatalf("proposed %d of %d eligible", len(got), eligible)
		}
		in := map[int64]bool{}
		for i, m := range got {
			in[m.Offer.ID] = true
			if m.Offer.Kind != need.Kind || m.Offer.BodyID == need.BodyID || m.Offer.Remaining() <= 0 {
				t.Fatalf("ineligible offer proposed: %+v", m.Offer)
			}
			if m.Quantity != min(m.Offer.Remaining(), need.Outstanding()) {
				t.Fatalf("quantity %d for %+v", m.Quantity, m.Offer)
			}
			if i == 0 {
				continue
			}
			p := got[i-1]
			if m.Km < p.Km || m.Km == p.Km && m.Offer.Remaining() > p.Offer.Remaining() && distance(need, m.Offer) == distance(need, p.Offer) {
				t.Fatalf("out of order: %+v before %+v", p, m)
			}
		}
		if len(got) == 0 {
			continue
		}
		last := distance(need, got[len(got)-1].Offer)
		for _, o := range offers {
			if !in[o.ID] && o.Kind == need.Kind && o.BodyID != need.BodyID && o.Remaining() > 0 && distance(need, o) < last {
				t.Fatalf("offer %+v at %.1f km left out, last proposed at %.1f", o, distance(need, o), last)
			}
		}
	}
}

func distance(n actions.Need, o actions.Offer) float64 {
	a, b := coords[n.Place], coords[o.Place]
	return actions.Distance(a[0], a[1], b[0], b[1])
}
