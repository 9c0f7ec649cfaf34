package web

import "asamblea/httpauth"

// sheetRoutes lists the pages of counting on paper and of recalls: polling
// stations, tally sheets entered twice, progress by area, recall petitions
// and their votes.
func (s *Server) sheetRoutes() []httpauth.Route {
	return nil
}
