package web

import "asamblea/httpauth"

// actionRoutes lists the pages of coordinated actions.
func (s *Server) actionRoutes() []httpauth.Route {
	return nil
}
