package api

import (
	"net/http"

	"asamblea/httpauth"
)

// pollRoutes lists the routes of elections of representatives (package
// elections): calling them, candidacies, stations and tally sheets,
// ballots and receipts, results and recalls.
func (a *API) pollRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	return nil
}
