package api

import (
	"net/http"

	"asamblea/httpauth"
)

// rightsRoutes lists the routes of commissions and their repression records.
func (a *API) rightsRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	return nil
}
