package web

import "asamblea/httpauth"

// motionRoutes lists the pages of motions, votes, referrals, decisions and
// communiqués.
func (s *Server) motionRoutes() []httpauth.Route { return nil }
