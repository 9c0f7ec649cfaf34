package web

import "asamblea/httpauth"

// meetingRoutes lists the pages of meetings, initiatives and what awaits a
// person.
func (s *Server) meetingRoutes() []httpauth.Route { return nil }
