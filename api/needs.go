package api

import (
	"net/http"

	"asamblea/httpauth"
)

// needRoutes lists the routes of needs, offers and pledges.
func (a *API) needRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	return nil
}
