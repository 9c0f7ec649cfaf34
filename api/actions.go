package api

import (
	"net/http"

	"asamblea/httpauth"
)

// actionRoutes lists the routes of coordinated actions.
func (a *API) actionRoutes(rt func(method, path string, access httpauth.Access, h http.HandlerFunc) httpauth.Route) []httpauth.Route {
	return nil
}
