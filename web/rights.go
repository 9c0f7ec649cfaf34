package web

import "asamblea/httpauth"

// rightsRoutes lists the pages of commissions and their repression records.
func (s *Server) rightsRoutes() []httpauth.Route {
	return nil
}
