// Package authz decides who may do what. Every check in asamblea goes through
// Check; an action with no rule is denied.
package authz

import (
	"asamblea/bodies"
	"asamblea/errs"
)

// Action is something a person asks to do.
type Action string

// The actions on bodies.
const (
	CreateBody      Action = "body.create"
	ViewBody        Action = "body.view"        // the public profile
	ViewMembers     Action = "body.members"     // the member list
	EditBody        Action = "body.edit"        // name, place, description, privacy
	Invite          Action = "body.invite"      // create, list and revoke invitations
	DecideRequests  Action = "body.requests"    // see and decide join requests
	RequestToJoin   Action = "body.request"     // ask to join
	ChangeRoles     Action = "body.roles"       // make someone secretary or facilitator
	RemoveMember    Action = "body.remove"      // remove a member, with a reason
	Leave           Action = "body.leave"       // leave the body
	ViewBodyJournal Action = "body.journal"     // the body's journal entries
	ViewPrivateBody Action = "body.private.see" // see a private body's profile

	FoundAssembly      Action = "assembly.found"      // found an assembly in the name of a body
	RequestAffiliation Action = "affiliation.request" // ask for a body to join an assembly
	DecideAffiliation  Action = "affiliation.decide"  // accept or refuse a body into an assembly
	EndAffiliation     Action = "affiliation.end"     // take a body out of an assembly (either side)
	ViewPending        Action = "affiliation.pending" // see requests to join an assembly

	OpenElection  Action = "election.open"     // open the election of a body's delegates
	Stand         Action = "election.stand"    // stand, nominate, accept, vote in a body's election
	ViewDelegates Action = "delegates.view"    // see a body's delegates, elections and recalls
	SetMandate    Action = "delegates.mandate" // record the mandate the base gave its delegate
	OpenRecall    Action = "recall.open"       // open a recall of one of the body's delegates
	VoteRecall    Action = "recall.vote"       // vote in a recall

	ViewMotions    Action = "motion.view"      // see a body's motions, comments, meetings and decisions
	ProposeMotion  Action = "motion.propose"   // propose a motion, comment, amend
	ManageVote     Action = "motion.manage"    // open a vote, close it early, put an amendment to a vote
	VoteMotion     Action = "motion.vote"      // vote on a motion or an amendment
	RecordMeeting  Action = "meeting.record"   // record a physical meeting's decisions
	ConfirmMeeting Action = "meeting.confirm"  // confirm a meeting record (not one's own)
	Refer          Action = "referral.create"  // refer an assembly's motion to its bases
	SendInitiative Action = "initiative.send"  // send a passed motion up, or endorse one in the body's name
	Publish        Action = "motion.publish"   // publish a decision as a public communiqué
	ViewCompliance Action = "delegates.record" // see the voting record of the body's delegates

	CallAction    Action = "action.call"    // call an action in the body's name, correct it, change its status
	ViewActions   Action = "action.view"    // see the body's own actions, including those only its members see
	AdhereAction  Action = "action.adhere"  // join an action in the body's name, or leave it
	ReportAction  Action = "action.report"  // post a situation report on an action the body called or joined
	MarkRepressed Action = "action.repress" // mark an action the body called or joined as repressed
	PostNeed      Action = "need.post"      // post or cancel the body's needs and offers
	Pledge        Action = "need.pledge"    // pledge the body's offer to a need, confirm what arrived

	ManagePoll       Action = "poll.manage"     // call an election in the body's name, set its calendar and stations, publish, annul a sheet
	ViewPoll         Action = "poll.view"       // see the body's internal elections
	EnterSheet       Action = "election.sheet"  // enter a polling station's tally sheet for an election the body organises
	VotePoll         Action = "poll.vote"       // vote in the body's internal election, register, sign a recall petition
	TakePartPublicly Action = "election.public" // register a candidacy or sign a recall petition in a public election

	CreateCommission  Action = "commission.create"  // set up a commission of the body
	AppointCommission Action = "commission.appoint" // choose, change or remove a commission's members (of the body above it)
	EraseContent      Action = "journal.erase"      // erase the words of a journal entry about the body (a body's decision)
	ReportIncident    Action = "incident.report"    // report an incident to the commission of a body one belongs to, or of an assembly above it
	KeepRecords       Action = "records.keep"       // read and keep a rights commission's records: verify, people, evidence, export, lockdown
	SetUpRecords      Action = "records.setup"      // create a rights commission's key, change how it keeps coordinates and images
)

// Subject is who asks, seen from one body.
type Subject struct {
	UserID   int64       // 0 when not signed in
	Role     bodies.Role // the person's role in the body, None if not a member
	Public   bool        // whether the body's profile is public
	Kind     bodies.Kind // the body's kind
	Delegate bool        // of an assembly: the person holds a seat in it
	Within   bool        // the person belongs to a body below this one
}

type rule func(Subject) bool

func signedIn(s Subject) bool    { return s.UserID != 0 }
func member(s Subject) bool      { return s.UserID != 0 && s.Role != bodies.None }
func facilitator(s Subject) bool { return s.UserID != 0 && s.Role == bodies.Facilitator }

// voter: the members of a committee, the seated delegates of an assembly.
// secretary: a facilitator or a secretary.
func secretary(s Subject) bool {
	return s.UserID != 0 && (s.Role == bodies.Facilitator || s.Role == bodies.Secretary)
}

func voter(s Subject) bool {
	if s.Kind == bodies.Assembly {
		return s.UserID != 0 && s.Delegate
	}
	return member(s)
}

var rules = map[Action]rule{
	CreateBody:      signedIn,
	ViewBody:        func(s Subject) bool { return s.Public || member(s) || signedIn(s) },
	ViewPrivateBody: member,
	ViewMembers:     member,
	EditBody:        facilitator,
	Invite:          func(s Subject) bool { return facilitator(s) && s.Kind != bodies.Commission },
	DecideRequests:  func(s Subject) bool { return facilitator(s) && s.Kind != bodies.Commission },
	RequestToJoin: func(s Subject) bool {
		return signedIn(s) && s.Role == bodies.None && s.Kind != bodies.Commission && s.Public
	}, // a private body is joined by invitation: to outsiders it does not exist
	ChangeRoles:     facilitator,
	RemoveMember:    facilitator,
	Leave:           member,
	ViewBodyJournal: member,

	FoundAssembly:      facilitator,
	RequestAffiliation: facilitator,
	DecideAffiliation:  facilitator,
	EndAffiliation:     facilitator,
	ViewPending:        facilitator,

	OpenElection:  facilitator,
	Stand:         voter,
	ViewDelegates: func(s Subject) bool { return member(s) || voter(s) },
	SetMandate:    func(s Subject) bool { return facilitator(s) || s.UserID != 0 && s.Role == bodies.Secretary },
	OpenRecall:    voter,
	VoteRecall:    voter,

	ViewMotions:    func(s Subject) bool { return member(s) || voter(s) },
	ProposeMotion:  func(s Subject) bool { return member(s) || voter(s) },
	ManageVote:     facilitator,
	VoteMotion:     voter,
	RecordMeeting:  secretary,
	ConfirmMeeting: func(s Subject) bool { return member(s) || voter(s) },
	Refer:          facilitator,
	SendInitiative: facilitator,
	Publish:        secretary,
	ViewCompliance: func(s Subject) bool { return member(s) || voter(s) },

	CallAction:    secretary,
	ViewActions:   func(s Subject) bool { return member(s) || voter(s) },
	AdhereAction:  secretary,
	ReportAction:  func(s Subject) bool { return member(s) || voter(s) },
	MarkRepressed: secretary,
	PostNeed:      secretary,
	Pledge:        secretary,

	ManagePoll:       facilitator,
	ViewPoll:         func(s Subject) bool { return member(s) || voter(s) },
	EnterSheet:       member,
	VotePoll:         voter,
	TakePartPublicly: signedIn,

	// A commission's members are chosen by the body above it, not by
	// invitation or request (see Invite and RequestToJoin).
	CreateCommission:  func(s Subject) bool { return facilitator(s) && s.Kind != bodies.Commission },
	AppointCommission: func(s Subject) bool { return facilitator(s) && s.Kind != bodies.Commission },
	EraseContent:      facilitator,
	ReportIncident:    func(s Subject) bool { return member(s) || voter(s) || signedIn(s) && s.Within },
	KeepRecords:       func(s Subject) bool { return member(s) && s.Kind == bodies.Commission },
	SetUpRecords:      func(s Subject) bool { return facilitator(s) && s.Kind == bodies.Commission },
}

// Allowed reports whether s may do a.
func Allowed(a Action, s Subject) bool {
	r, ok := rules[a]
	return ok && r(s)
}

// Check returns nil when s may do a; otherwise Unauthorized for someone not
// signed in and Forbidden for anyone else.
func Check(a Action, s Subject) error {
	if Allowed(a, s) {
		return nil
	}
	if s.UserID == 0 {
		return errs.New(errs.Unauthorized, "error.sign_in_needed")
	}
	return errs.New(errs.Forbidden, "error.forbidden")
}

// Actions lists every action with a rule (for the authorization tests).
func Actions() []Action {
	var as []Action
	for a := range rules {
		as = append(as, a)
	}
	return as
}
