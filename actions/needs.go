package actions

// Needs and offers: a body posts what it needs (500 litres of water in
// Juliaca), others post what they can give; the system proposes the nearest
// offers of the same kind; the offering body pledges part of an offer to a
// need, and the needing body confirms when it arrived.

import (
	"cmp"
	"math"
	"slices"
	"time"

	"asamblea/bodies"
	"asamblea/errs"
)

// Resource is what a need or an offer is of.
type Resource string

// The kinds of resource.
const (
	Food      Resource = "food"
	Water     Resource = "water"
	Lodging   Resource = "lodging"
	Transport Resource = "transport"
	Medical   Resource = "medical"
	Legal     Resource = "legal"
	Fuel      Resource = "fuel"
	Other     Resource = "other"
)

// Resources lists the kinds in the order forms offer them.
var Resources = []Resource{Food, Water, Lodging, Transport, Medical, Legal, Fuel, Other}

// Valid reports whether r is a known kind.
func (r Resource) Valid() bool { return slices.Contains(Resources, r) }

// NeedStatus is where a need stands: open until what was asked for arrived
// (met) or the body no longer needs it (cancelled).
type NeedStatus string

// The statuses of a need.
const (
	NeedOpen      NeedStatus = "open"
	NeedMet       NeedStatus = "met"
	NeedCancelled NeedStatus = "cancelled"
)

// OfferStatus is where an offer stands: open while it can be pledged or
// is on its way; closed once all of it was pledged and arrived; withdrawn
// by the body that made it.
type OfferStatus string

// The statuses of an offer.
const (
	OfferOpen      OfferStatus = "open"
	OfferClosed    OfferStatus = "closed"
	OfferWithdrawn OfferStatus = "withdrawn"
)

// PledgeStatus is where a pledge stands: pledged (on its way), arrived
// (confirmed by the needing body), or cancelled by either side.
type PledgeStatus string

// The statuses of a pledge.
const (
	Pledged         PledgeStatus = "pledged"
	Arrived         PledgeStatus = "arrived"
	PledgeCancelled PledgeStatus = "cancelled"
)

// Limits of needs and offers.
const (
	QuantityMax   = 1_000_000
	UnitMax       = 20
	SupplyTextMax = 500 // a need's or an offer's description
	OpenSupplyMax = 200 // open needs, and open offers, a body may have at once
	MatchLimit    = 10  // offers proposed for a need
	otherTextMin  = 3   // a need or offer of "other" says what it is
	earthRadiusKm = 6371.0088
)

// Need is something a body needs, as people see it.
type Need struct {
	ID          int64      `json:"id"`
	BodyID      int64      `json:"body_id"`
	BodyName    string     `json:"body_name"`
	ActionID    int64      `json:"action_id,omitempty"`
	Kind        Resource   `json:"kind"`
	Quantity    int64      `json:"quantity"`
	Unit        string     `json:"unit"`
	Description string     `json:"description"`
	Place       string     `json:"place"`
	Status      NeedStatus `json:"status"`
	Pledged     int64      `json:"pledged"`  // pledged and not cancelled, arrived included
	Received    int64      `json:"received"` // arrived
	CreatedBy   int64      `json:"-"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
}

// Outstanding is how much of the need nobody has pledged yet.
func (n Need) Outstanding() int64 { return max(0, n.Quantity-n.Pledged) }

// Offer is something a body can give, as people see it.
type Offer struct {
	ID          int64       `json:"id"`
	BodyID      int64       `json:"body_id"`
	BodyName    string      `json:"body_name"`
	Kind        Resource    `json:"kind"`
	Quantity    int64       `json:"quantity"`
	Unit        string      `json:"unit"`
	Description string      `json:"description"`
	Place       string      `json:"place"`
	Status      OfferStatus `json:"status"`
	Pledged     int64       `json:"pledged"` // pledged and not cancelled, arrived included
	CreatedBy   int64       `json:"-"`
	CreatedAt   time.Time   `json:"created_at"`
	UpdatedAt   time.Time   `json:"updated_at"`
}

// Remaining is how much of the offer is not pledged yet.
func (o Offer) Remaining() int64 { return max(0, o.Quantity-o.Pledged) }

// Pledge is part of an offer promised to a need.
type Pledge struct {
	ID            int64        `json:"id"`
	NeedID        int64        `json:"need_id"`
	OfferID       int64        `json:"offer_id"`
	NeedBodyID    int64        `json:"need_body_id"`
	NeedBodyName  string       `json:"need_body_name"`
	OfferBodyID   int64        `json:"offer_body_id"`
	OfferBodyName string       `json:"offer_body_name"`
	Kind          Resource     `json:"kind"`
	Quantity      int64        `json:"quantity"`
	Unit          string       `json:"unit"` // the offer's
	Status        PledgeStatus `json:"status"`
	PledgedBy     int64        `json:"-"`
	ConfirmedBy   int64        `json:"-"`
	CreatedAt     time.Time    `json:"created_at"`
	ConfirmedAt   *time.Time   `json:"confirmed_at,omitempty"`
}

// SupplyInput is what a body fills in to post a need or an offer.
type SupplyInput struct {
	Kind        Resource `json:"kind"`
	Quantity    int64    `json:"quantity"`
	Unit        string   `json:"unit"`
	Description string   `json:"description"`
	Place       string   `json:"place"`
}

// Clean checks and normalises in; valid reports whether a UBIGEO code is a
// known place.
func (in *SupplyInput) Clean(valid func(string) bool) error {
	var err error
	if !in.Kind.Valid() {
		return errs.Field("kind", "need.kind.unknown")
	}
	if in.Quantity < 1 || in.Quantity > QuantityMax {
		return errs.Field("quantity", "need.quantity.range", QuantityMax)
	}
	if in.Unit, err = bodies.CleanText("unit", in.Unit, 0, UnitMax, false); err != nil {
		return err
	}
	least := 0
	if in.Kind == Other {
		least = otherTextMin // "other" alone says nothing
	}
	if in.Description, err = bodies.CleanText("description", in.Description, least, SupplyTextMax, true); err != nil {
		return err
	}
	switch {
	case in.Place == "":
		return errs.Field("place", "error.required")
	case !valid(in.Place):
		return errs.Field("place", "need.place.unknown", in.Place)
	}
	return nil
}

// NeedInput is what a body fills in to post a need; it may be for one of
// the actions the body called or joined.
type NeedInput struct {
	SupplyInput
	ActionID int64 `json:"action_id,omitempty"`
}

// Clean checks and normalises in.
func (in *NeedInput) Clean(valid func(string) bool) error {
	if err := in.SupplyInput.Clean(valid); err != nil {
		return err
	}
	if in.ActionID < 0 {
		return errs.Field("action_id", "need.action.not_found")
	}
	return nil
}

// OfferInput is what a body fills in to post an offer.
type OfferInput struct {
	SupplyInput
}

// CheckPledge checks that quantity of offer o may be pledged to need n: of
// the same kind, between different bodies, both still open, and no more
// than what the offer has left or the need still lacks.
func CheckPledge(n Need, o Offer, quantity int64) error {
	switch {
	case o.BodyID == n.BodyID:
		return errs.New(errs.Conflict, "pledge.own")
	case n.Status == NeedMet:
		return errs.New(errs.Conflict, "need.met")
	case n.Status != NeedOpen:
		return errs.New(errs.Conflict, "need.cancelled")
	case o.Status != OfferOpen:
		return errs.New(errs.Conflict, "offer.closed")
	case o.Kind != n.Kind:
		return errs.Field("need_id", "pledge.kind")
	case quantity < 1:
		return errs.Field("quantity", "pledge.quantity.min")
	case quantity > o.Remaining():
		return errs.Field("quantity", "pledge.quantity.offer", o.Remaining())
	case quantity > n.Outstanding():
		return errs.Field("quantity", "pledge.quantity.need", n.Outstanding())
	}
	return nil
}

// Distance is the great-circle distance in kilometres between two points
// given in degrees (the haversine formula on a spherical Earth: within
// 0.5% of the true distance, which is all a caravan needs to choose).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat, dLon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(min(1, a)))
}

// Match is an offer proposed for a need, with how far it is.
type Match struct {
	Offer     Offer   `json:"offer"`
	Km        float64 `json:"km"`                         // rounded to 100 m
	Unlocated bool    `json:"distance_unknown,omitempty"` // a place without coordinates: Km means nothing
	Quantity  int64   `json:"quantity"`                   // what may be pledged: the least of the offer's remainder and the need's outstanding
}

// Coords returns a place's latitude and longitude, if known.
type Coords func(place string) (lat, lon float64, ok bool)

// Propose picks, among offers, those that could meet need n: of the same
// kind, open, with something left, from another body; nearest first, then
// the largest remainder, at most MatchLimit. Offers whose place (or the
// need's) has no coordinates come last. A need that is no longer open, or
// fully pledged, gets no proposals.
func Propose(n Need, offers []Offer, coords Coords) []Match {
	if n.Status != NeedOpen || n.Outstanding() == 0 {
		return nil
	}
	nLat, nLon, nOK := coords(n.Place)
	type cand struct {
		Match
		km float64
	}
	var cs []cand
	for _, o := range offers {
		if o.Kind != n.Kind || o.Status != OfferOpen || o.Remaining() <= 0 || o.BodyID == n.BodyID {
			continue
		}
		c := cand{Match: Match{Offer: o, Quantity: min(o.Remaining(), n.Outstanding())}, km: math.Inf(1)}
		if lat, lon, ok := coords(o.Place); ok && nOK {
			c.km = Distance(nLat, nLon, lat, lon)
			c.Km = math.Round(c.km*10) / 10
		} else {
			c.Unlocated = true
		}
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.km, b.km), cmp.Compare(b.Offer.Remaining(), a.Offer.Remaining()), cmp.Compare(a.Offer.ID, b.Offer.ID))
	})
	out := make([]Match, 0, min(len(cs), MatchLimit))
	for _, c := range cs[:min(len(cs), MatchLimit)] {
		out = append(out, c.Match)
	}
	return out
}
