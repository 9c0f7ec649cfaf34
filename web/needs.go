package web

import "asamblea/httpauth"

// needRoutes lists the pages of needs, offers and pledges.
func (s *Server) needRoutes() []httpauth.Route {
	return nil
}
