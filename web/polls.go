package web

import "asamblea/httpauth"

// pollRoutes lists the pages of elections of representatives: a
// constituent assembly in one national district, or a body's or an
// assembly's own, with lists, ballots, tally sheets, results and recalls.
// (Delegate elections of #4 live under /elections; these under /polls.)
func (s *Server) pollRoutes() []httpauth.Route {
	return nil
}
