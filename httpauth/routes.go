package httpauth

import "net/http"

// Access is who may reach a route at all. Finer rules (roles in a body) are
// checked by the services through authz. The zero value is SignedIn, so a
// route that forgets to say is closed to strangers.
type Access int

// Levels of access to a route.
const (
	SignedIn Access = iota
	Public
)

// Route is one entry of a router. Pages and API both list their routes so
// that the server registers them in one place and tests can walk them all.
type Route struct {
	Method  string
	Pattern string
	Access  Access
	Handler http.HandlerFunc
}
