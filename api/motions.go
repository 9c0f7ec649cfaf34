package api

import (
	"net/http"

	"asamblea/httpauth"
)

// motionRoutes lists the routes of motions, votes, referrals, meetings,
// initiatives, communiqués and what awaits a person.
func (a *API) motionRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	return nil
}
