package voting

import "asamblea/errs"

// Results of a yes/no motion.
const (
	Passed   = "passed"
	Rejected = "rejected"
	NoQuorum = "no_quorum"
)

// Choices on a yes/no ballot (under consent: consent, stand aside, block).
const (
	Yes     = "yes"
	No      = "no"
	Abstain = "abstain"
	Block   = "block"
)

// Count is the tally of a yes/no motion, in weights: one per person in a
// committee, one per seat in an assembly, or the members a delegate
// represents when the assembly weights its votes. Entitled is the total
// weight of everyone entitled to vote, whether they voted or not.
type Count struct {
	Yes      int64 `json:"yes"`
	No       int64 `json:"no"`
	Abstain  int64 `json:"abstain"`
	Block    int64 `json:"block"`
	Entitled int64 `json:"entitled"`
}

// Add adds a vote of the given choice and weight (at least 1).
func (c *Count) Add(choice string, weight int64) error {
	if weight < 1 || weight > MaxWeight {
		return errs.Field("weight", "voting.count.range", 1, int64(MaxWeight))
	}
	var p *int64
	switch choice {
	case Yes:
		p = &c.Yes
	case No:
		p = &c.No
	case Abstain:
		p = &c.Abstain
	case Block:
		p = &c.Block
	default:
		return errs.Field("choice", "voting.choice.unknown", choice)
	}
	if *p > MaxWeight-weight {
		return errs.Field(choice, "voting.count.range", 0, int64(MaxWeight))
	}
	*p += weight
	return nil
}

// Participation returns the weight of everyone who took part: yes, no,
// abstain and block (what the quorum counts).
func (c Count) Participation() int64 { return c.Yes + c.No + c.Abstain + c.Block }

// validate checks the count against itself and the rule.
func (c Count) validate(r Rule) error {
	for _, f := range []struct {
		name string
		v    int64
	}{{"yes", c.Yes}, {"no", c.No}, {"abstain", c.Abstain}, {"block", c.Block}, {"entitled", c.Entitled}} {
		if f.v < 0 || f.v > MaxWeight {
			return errs.Field(f.name, "voting.count.range", 0, int64(MaxWeight))
		}
	}
	if c.Participation() > c.Entitled {
		return errs.Field("entitled", "voting.count.exceeds_entitled", c.Entitled)
	}
	if r.Kind == Consent && c.No != 0 {
		return errs.Field("no", "voting.count.no_under_consent")
	}
	if r.Kind != Consent && c.Block != 0 {
		return errs.Field("block", "voting.count.block_consent_only")
	}
	return nil
}

// Outcome is the decision on a yes/no motion and why.
type Outcome struct {
	Result string `json:"result"` // passed, rejected, no_quorum
	Reason string `json:"reason"` // message key explaining Result
	// Participation is the weight of everyone who took part (yes, no,
	// abstain, block); Quorum the least participation that reaches the
	// quorum (0 when none is required).
	Participation int64 `json:"participation"`
	Quorum        int64 `json:"quorum"`
	// Needed is the least yes weight that passes the motion given the other
	// votes (consent: 1, someone must consent); 0 when the quorum was not
	// reached.
	Needed int64 `json:"needed,omitempty"`
	// BlocksToStop (consent) is the block weight that stops the motion.
	BlocksToStop int64 `json:"blocks_to_stop,omitempty"`
}

// Reasons (message keys) of an Outcome.
const (
	ReasonNobodyEntitled   = "voting.quorum.nobody_entitled"
	ReasonNoQuorum         = "voting.quorum.not_reached"
	ReasonMajority         = "voting.majority.reached"     // yes > no
	ReasonMajorityTie      = "voting.majority.tie"         // yes = no > 0
	ReasonMajorityNoVotes  = "voting.majority.no_votes"    // yes = no = 0
	ReasonMajorityAgainst  = "voting.majority.against"     // no > yes
	ReasonAbsolute         = "voting.absolute.reached"     // 2 × yes > entitled
	ReasonAbsoluteShort    = "voting.absolute.not_reached" // 2 × yes ≤ entitled
	ReasonTwoThirds        = "voting.two_thirds.reached"
	ReasonTwoThirdsShort   = "voting.two_thirds.not_reached"
	ReasonTwoThirdsNoVotes = "voting.two_thirds.no_votes" // yes = no = 0
	ReasonConsent          = "voting.consent.reached"     // blocks < Blocks, yes > 0
	ReasonConsentBlocked   = "voting.consent.blocked"     // blocks ≥ Blocks
	ReasonConsentNone      = "voting.consent.no_consent"  // yes = 0, not blocked
)

// Decide decides a yes/no motion under rule r. It returns an Invalid error
// when the rule is not valid or not a yes/no rule, or when the count has a
// negative or too large weight, more participation than Entitled, a block
// outside consent or a no under consent. See the package documentation
// for the rules.
func Decide(r Rule, c Count) (Outcome, error) {
	if err := r.Validate(); err != nil {
		return Outcome{}, err
	}
	if r.IsOptions() {
		return Outcome{}, errs.Field("rule", "voting.rule.not_yes_no", r.Kind)
	}
	if err := c.validate(r); err != nil {
		return Outcome{}, err
	}
	o := Outcome{Participation: c.Participation(), Quorum: r.quorumNeeded(c.Entitled)}
	if r.Kind == Consent {
		o.BlocksToStop = r.Blocks
	}
	if c.Entitled == 0 {
		o.Result, o.Reason = NoQuorum, ReasonNobodyEntitled
		return o, nil
	}
	if !r.quorumMet(o.Participation, c.Entitled) {
		o.Result, o.Reason = NoQuorum, ReasonNoQuorum
		return o, nil
	}
	pass := false
	switch r.Kind {
	case Majority:
		o.Needed = c.No + 1
		switch {
		case c.Yes > c.No:
			pass, o.Reason = true, ReasonMajority
		case c.Yes == 0 && c.No == 0:
			o.Reason = ReasonMajorityNoVotes
		case c.Yes == c.No:
			o.Reason = ReasonMajorityTie
		default:
			o.Reason = ReasonMajorityAgainst
		}
	case Absolute:
		o.Needed = c.Entitled/2 + 1
		if 2*c.Yes > c.Entitled {
			pass, o.Reason = true, ReasonAbsolute
		} else {
			o.Reason = ReasonAbsoluteShort
		}
	case TwoThirds:
		o.Needed = max(2*c.No, 1)
		switch {
		case c.Yes == 0 && c.No == 0:
			o.Reason = ReasonTwoThirdsNoVotes
		case c.Yes > 0 && 3*c.Yes >= 2*(c.Yes+c.No):
			pass, o.Reason = true, ReasonTwoThirds
		default:
			o.Reason = ReasonTwoThirdsShort
		}
	case Consent:
		o.Needed = 1
		switch {
		case c.Block >= r.Blocks:
			o.Reason = ReasonConsentBlocked
		case c.Yes == 0:
			o.Reason = ReasonConsentNone
		default:
			pass, o.Reason = true, ReasonConsent
		}
	}
	o.Result = Rejected
	if pass {
		o.Result = Passed
	}
	return o, nil
}
