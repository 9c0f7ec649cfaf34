package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"asamblea/actions"
	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/httpauth"
	"asamblea/i18n"
	"asamblea/places"
	"asamblea/store"
)

// needRoutes lists the pages of needs, offers and pledges.
func (s *Server) needRoutes() []httpauth.Route {
	in := httpauth.SignedIn
	return []httpauth.Route{
		{Method: "GET", Pattern: "/bodies/{id}/needs", Access: in, Handler: s.needList},
		{Method: "POST", Pattern: "/bodies/{id}/needs", Access: in, Handler: s.postNeed},
		{Method: "POST", Pattern: "/bodies/{id}/offers", Access: in, Handler: s.postOffer},
		{Method: "GET", Pattern: "/bodies/{id}/supplies", Access: in, Handler: s.openNeedsPage},
		{Method: "GET", Pattern: "/needs/{id}", Access: in, Handler: s.needPage},
		{Method: "POST", Pattern: "/needs/{id}/cancel", Access: in, Handler: s.cancelNeed},
		{Method: "GET", Pattern: "/offers/{id}", Access: in, Handler: s.offerPage},
		{Method: "POST", Pattern: "/offers/{id}/withdraw", Access: in, Handler: s.withdrawOffer},
		{Method: "POST", Pattern: "/offers/{id}/pledges", Access: in, Handler: s.pledgeOffer},
		{Method: "POST", Pattern: "/pledges/{id}/arrived", Access: in, Handler: s.confirmArrival},
		{Method: "POST", Pattern: "/pledges/{id}/cancel", Access: in, Handler: s.cancelPledge},
	}
}

// supplyCoords gives a place's coordinates to the matching of offers.
func (s *Server) supplyCoords(code string) (float64, float64, bool) {
	p, ok := s.places.Lookup(code)
	return p.Lat, p.Lon, ok
}

// supplyForm is the form that posts a need or an offer; the needs page
// carries one of each.
type supplyForm struct {
	L          *i18n.Localizer
	CSRF       string
	Need       bool   // a need's form, or an offer's
	ID         string // prefix of its fields' ids: "need-" or "offer-"
	Action     string
	Form       url.Values
	Errors     map[string]string
	Kinds      []actions.Resource
	Candidates []places.Place
	Open       bool // unfolded: it came back with an error, or a link pre-filled it
}

type needsData struct {
	Supplies  store.Supplies
	CanPost   bool
	Assembly  bool
	NeedForm  *supplyForm
	OfferForm *supplyForm
}

// needsPage builds a body's needs and offers page; posted names the form
// ("need" or "offer") that came back with p's values and errors.
func (s *Server) needsPage(r *http.Request, body int64, posted string, p *Page) (*Page, error) {
	viewer := httpauth.From(r).UserID()
	sup, err := s.db.BodyNeeds(r.Context(), viewer, body)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = s.page(r, "", nil)
	}
	d := needsData{Supplies: sup, Assembly: sup.Body.Kind == bodies.Assembly, CanPost: sup.Role == bodies.Secretary || sup.Role == bodies.Facilitator}
	base := "/bodies/" + strconv.FormatInt(body, 10)
	def := url.Values{"place_q": {p.PlaceLabel(sup.Body.Place) + " (" + sup.Body.Place + ")"}}
	d.NeedForm = &supplyForm{L: p.L, CSRF: p.ID.CSRF, Need: true, ID: "need-", Action: base + "/needs", Form: def, Errors: map[string]string{}, Kinds: actions.Resources}
	d.OfferForm = &supplyForm{L: p.L, CSRF: p.ID.CSRF, ID: "offer-", Action: base + "/offers", Form: url.Values{"place_q": def["place_q"]}, Errors: map[string]string{}, Kinds: actions.Resources}
	if a := r.URL.Query().Get("action"); a != "" && posted == "" {
		if n, err := strconv.ParseInt(a, 10, 64); err == nil && n > 0 {
			d.NeedForm.Form.Set("action_id", a)
			d.NeedForm.Open = true
		}
	}
	switch posted {
	case "need":
		d.NeedForm.Form, d.NeedForm.Errors, d.NeedForm.Open = p.Form, p.Errors, true
	case "offer":
		d.OfferForm.Form, d.OfferForm.Errors, d.OfferForm.Open = p.Form, p.Errors, true
	}
	p.Data = d
	p.Title = p.L.T("needs.title", sup.Body.Name)
	return p, nil
}

// needList shows a body's needs and offers and, to its secretaries and
// facilitators, the forms to post them. ?action=ID pre-fills a need for
// one of the body's actions.
func (s *Server) needList(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.needsPage(r, id, "", nil)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "needs", p)
}

// supplyInput reads the form of a need or an offer into p (its values,
// and the places to choose from when the place is not clear).
func (s *Server) supplyInput(p *Page, f url.Values) (actions.SupplyInput, []places.Place, error) {
	in := actions.SupplyInput{Kind: actions.Resource(f.Get("kind")), Unit: f.Get("unit"), Description: f.Get("description")}
	for _, k := range []string{"kind", "quantity", "unit", "description", "place_q", "action_id"} {
		p.Form.Set(k, f.Get(k))
	}
	q, err := strconv.ParseInt(strings.TrimSpace(f.Get("quantity")), 10, 64)
	if err != nil {
		return in, nil, errs.Field("quantity", "need.quantity.range", actions.QuantityMax)
	}
	in.Quantity = q
	code, candidates := s.placeFromForm(f)
	if code == "" {
		key := "body.place.choose"
		if len(candidates) == 0 {
			key = "body.place.none"
			if strings.TrimSpace(f.Get("place_q")) == "" {
				key = "error.required"
			}
		}
		return in, candidates, errs.Field("place", key)
	}
	in.Place = code
	p.Form.Set("place_q", p.PlaceLabel(code)+" ("+code+")")
	return in, nil, nil
}

// supplyFailed shows the needs page again after a refused post: the form
// keeps what was written and says what is wrong; anything but bad input
// gets the error page.
func (s *Server) supplyFailed(w http.ResponseWriter, r *http.Request, body int64, posted string, p *Page, candidates []places.Place, err error) {
	e := errs.As(err)
	if e.Code != errs.Invalid && e.Code != errs.Conflict {
		s.fail(w, r, err, "", nil)
		return
	}
	msg := p.L.T(e.Key, e.Args...)
	if e.Field != "" {
		p.Errors[e.Field] = msg
	}
	p.Error = msg
	p, perr := s.needsPage(r, body, posted, p)
	if perr != nil {
		s.fail(w, r, perr, "", nil)
		return
	}
	d := p.Data.(needsData)
	if posted == "need" {
		d.NeedForm.Candidates = candidates
	} else {
		d.OfferForm.Candidates = candidates
	}
	s.render(w, r, errs.Status(e.Code), "needs", p)
}

func (s *Server) postNeed(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	body, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	in, candidates, err := s.supplyInput(p, r.PostForm)
	var n actions.Need
	if err == nil {
		need := actions.NeedInput{SupplyInput: in}
		if a := strings.TrimSpace(r.PostForm.Get("action_id")); a != "" {
			if need.ActionID, err = strconv.ParseInt(a, 10, 64); err != nil {
				err = errs.Field("action_id", "need.action.not_found")
			}
		}
		if err == nil {
			n, err = s.db.PostNeed(r.Context(), httpauth.From(r).UserID(), body, need, s.places.Valid)
		}
	}
	if err != nil {
		s.supplyFailed(w, r, body, "need", p, candidates, err)
		return
	}
	redirect(w, r, "/needs/"+strconv.FormatInt(n.ID, 10)+"?done=need_posted")
}

func (s *Server) postOffer(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	body, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	in, candidates, err := s.supplyInput(p, r.PostForm)
	var o actions.Offer
	if err == nil {
		o, err = s.db.PostOffer(r.Context(), httpauth.From(r).UserID(), body, actions.OfferInput{SupplyInput: in}, s.places.Valid)
	}
	if err != nil {
		s.supplyFailed(w, r, body, "offer", p, candidates, err)
		return
	}
	redirect(w, r, "/offers/"+strconv.FormatInt(o.ID, 10)+"?done=offer_posted")
}

// matchRow is an offer proposed for a need, as its page shows it.
type matchRow struct {
	actions.Match
	Distance string
	Mine     bool // the viewer may pledge it in the offering body's name
}

// pledgeRow is a pledge with what the viewer may do with it.
type pledgeRow struct {
	actions.Pledge
	Confirm bool
	Cancel  bool
}

type needData struct {
	store.NeedDetail
	Matches     []matchRow
	Pledges     []pledgeRow
	Offerless   []bodies.Body // the viewer's bodies that may pledge, with no offer proposed here
	PostedOffer int64         // the offer whose pledge form came back with an error
}

// matchDistance renders a distance in kilometres: whole kilometres from 10 km,
// one decimal (in the reader's notation) below.
func matchDistance(l *i18n.Localizer, m actions.Match) string {
	if m.Unlocated {
		return l.T("need.distance.unknown")
	}
	var km string
	if m.Km >= 10 {
		km = strconv.FormatFloat(m.Km, 'f', 0, 64)
	} else {
		km = strconv.FormatFloat(m.Km, 'f', 1, 64)
		if l.Lang == "es" {
			km = strings.Replace(km, ".", ",", 1)
		}
	}
	return l.T("need.distance", km)
}

func (s *Server) needView(r *http.Request, id int64, p *Page) (*Page, error) {
	viewer := httpauth.From(r).UserID()
	nd, err := s.db.Need(r.Context(), viewer, id)
	if err != nil {
		return nil, err
	}
	ms, err := s.db.Matches(r.Context(), viewer, id, s.supplyCoords)
	if err != nil {
		return nil, err
	}
	if p == nil {
		p = s.page(r, "", nil)
	}
	d := needData{NeedDetail: nd}
	mine := map[int64]bool{}
	for _, b := range nd.PledgeFor {
		mine[b.ID] = true
	}
	offering := map[int64]bool{}
	for _, m := range ms {
		row := matchRow{Match: m, Distance: matchDistance(p.L, m), Mine: mine[m.Offer.BodyID]}
		offering[m.Offer.BodyID] = true
		d.Matches = append(d.Matches, row)
	}
	for _, b := range nd.PledgeFor {
		if !offering[b.ID] {
			d.Offerless = append(d.Offerless, b)
		}
	}
	for _, pl := range nd.Pledges {
		pending := pl.Status == actions.Pledged
		d.Pledges = append(d.Pledges, pledgeRow{Pledge: pl, Confirm: pending && nd.Manage, Cancel: pending && (nd.Manage || mine[pl.OfferBodyID])})
	}
	if o, err := strconv.ParseInt(p.Form.Get("offer"), 10, 64); err == nil {
		d.PostedOffer = o
	}
	p.Data = d
	p.Title = p.L.T("need.title", p.L.T("resource."+string(nd.Kind)), nd.Quantity, nd.Unit, nd.BodyName)
	return p, nil
}

// needPage shows a need, its pledges and the offers proposed for it: the
// secretaries of an offering body get a form to pledge on each of their
// offers; those of the needing body confirm what arrived.
func (s *Server) needPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.needView(r, id, nil)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "need", p)
}

// needFailed shows need's page again with a refusal (bad input or a
// conflict), or the error page for anything else.
func (s *Server) needFailed(w http.ResponseWriter, r *http.Request, need int64, err error) {
	e := errs.As(err)
	if need <= 0 || e.Code != errs.Invalid && e.Code != errs.Conflict && (e.Code != errs.NotFound || e.Field == "") {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", nil)
	p.Form = r.PostForm
	p, perr := s.needView(r, need, p)
	if perr != nil {
		s.fail(w, r, perr, "", nil)
		return
	}
	p.Error = p.L.T(e.Key, e.Args...)
	if e.Field != "" {
		p.Errors[e.Field] = p.Error
	}
	s.render(w, r, errs.Status(e.Code), "need", p)
}

func (s *Server) cancelNeed(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if err := s.db.CancelNeed(r.Context(), httpauth.From(r).UserID(), id); err != nil {
		s.needFailed(w, r, id, err)
		return
	}
	redirect(w, r, "/needs/"+r.PathValue("id")+"?done=need_cancelled")
}

// pledgeOffer pledges part of an offer to a need, from the need's page.
func (s *Server) pledgeOffer(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	offer, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	need, _ := strconv.ParseInt(r.PostForm.Get("need_id"), 10, 64)
	r.PostForm.Set("offer", strconv.FormatInt(offer, 10))
	q, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("quantity")), 10, 64)
	if err != nil {
		s.needFailed(w, r, need, errs.Field("quantity", "pledge.quantity.min"))
		return
	}
	if _, err := s.db.PledgeOffer(r.Context(), httpauth.From(r).UserID(), offer, need, q); err != nil {
		s.needFailed(w, r, need, err)
		return
	}
	redirect(w, r, "/needs/"+strconv.FormatInt(need, 10)+"?done=pledged")
}

func (s *Server) confirmArrival(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.db.ConfirmArrival(r.Context(), httpauth.From(r).UserID(), id)
	if err != nil {
		need, _ := strconv.ParseInt(r.PostForm.Get("need_id"), 10, 64)
		s.needFailed(w, r, need, err)
		return
	}
	redirect(w, r, "/needs/"+strconv.FormatInt(p.NeedID, 10)+"?done=pledge_arrived")
}

// cancelPledge cancels a pledge from the need's page or the offer's, and
// goes back there.
func (s *Server) cancelPledge(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	need, _ := strconv.ParseInt(r.PostForm.Get("need_id"), 10, 64)
	back := localNext(r.PostForm.Get("next"), "/needs/"+strconv.FormatInt(need, 10))
	if err := s.db.CancelPledge(r.Context(), httpauth.From(r).UserID(), id); err != nil {
		s.needFailed(w, r, need, err)
		return
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	redirect(w, r, back+sep+"done=pledge_cancelled")
}

type offerData struct {
	store.OfferDetail
}

func (s *Server) offerView(r *http.Request, id int64) (*Page, error) {
	o, err := s.db.Offer(r.Context(), httpauth.From(r).UserID(), id)
	if err != nil {
		return nil, err
	}
	p := s.page(r, "", offerData{OfferDetail: o})
	p.Title = p.L.T("offer.title", p.L.T("resource."+string(o.Kind)), o.Quantity, o.Unit, o.BodyName)
	return p, nil
}

// offerPage shows an offer and its pledges; its body's secretaries may
// withdraw it and cancel pledges still on their way.
func (s *Server) offerPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p, err := s.offerView(r, id)
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	s.render(w, r, http.StatusOK, "offer", p)
}

func (s *Server) withdrawOffer(w http.ResponseWriter, r *http.Request) {
	if !s.form(w, r) {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	if err := s.db.WithdrawOffer(r.Context(), httpauth.From(r).UserID(), id); err != nil {
		if errs.Is(err, errs.Conflict) {
			if p, perr := s.offerView(r, id); perr == nil {
				e := errs.As(err)
				p.Error = p.L.T(e.Key, e.Args...)
				s.render(w, r, errs.Status(e.Code), "offer", p)
				return
			}
		}
		s.fail(w, r, err, "", nil)
		return
	}
	redirect(w, r, "/offers/"+r.PathValue("id")+"?done=offer_withdrawn")
}

// openNeedsPageLimit is how many open needs the page of an assembly's supplies
// lists.
const openNeedsPageLimit = 100

type openNeedsData struct {
	Body  bodies.Body
	Needs []actions.Need
	Total int
	Kind  string
	Kinds []actions.Resource
}

// openNeedsPage lists the open needs of every body under an assembly, at
// any depth, of one kind or all.
func (s *Server) openNeedsPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	viewer := httpauth.From(r).UserID()
	kind := actions.Resource(r.URL.Query().Get("kind"))
	d := openNeedsData{Kind: string(kind), Kinds: actions.Resources}
	d.Needs, d.Total, err = s.db.OpenNeedsOfKind(r.Context(), viewer, id, kind, openNeedsPageLimit)
	if err == nil {
		d.Body, _, err = s.db.Body(r.Context(), viewer, id)
	}
	if err != nil {
		s.fail(w, r, err, "", nil)
		return
	}
	p := s.page(r, "", d)
	p.Title = p.L.T("supplies.title", d.Body.Name)
	s.render(w, r, http.StatusOK, "needs_open", p)
}
