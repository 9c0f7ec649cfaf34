package voting

import "asamblea/errs"

// Kinds of rule.
const (
	Majority  = "majority"   // simple majority of votes cast: yes > no
	Absolute  = "absolute"   // more than half of those entitled: 2 × yes > entitled
	TwoThirds = "two-thirds" // at least two thirds of votes cast: yes ≥ 2 × no, yes > 0
	Consent   = "consent"    // passes unless at least Blocks block
	Plurality = "plurality"  // most first choices
	Approval  = "approval"   // most approvals
	IRV       = "irv"        // instant-runoff (tally core)
	Schulze   = "schulze"    // Schulze (tally core)
)

// YesNoKinds are the kinds decided by Decide; OptionKinds those decided by
// DecideOptions.
var (
	YesNoKinds  = []string{Majority, Absolute, TwoThirds, Consent}
	OptionKinds = []string{Plurality, Approval, IRV, Schulze}
)

// Limits.
const (
	// MaxDen bounds a quorum's denominator (1000: shares to a tenth of a
	// per cent).
	MaxDen = 1000
	// MaxWeight bounds every count and Entitled (10^15), so that every
	// product in the rules (at most 3 × MaxDen × MaxWeight) fits in 64 bits.
	MaxWeight = 1_000_000_000_000_000
	// MaxOptions bounds the options of a motion.
	MaxOptions = 1000
)

// Fraction is an exact share Num/Den. The zero value means none.
type Fraction struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// IsZero reports whether f is no share at all (0/0 or 0/d).
func (f Fraction) IsZero() bool { return f.Num == 0 }

// Rule is how a motion is decided.
type Rule struct {
	Kind string `json:"kind"`
	// Quorum is the share of those entitled who must take part; zero: no
	// quorum required.
	Quorum Fraction `json:"quorum"`
	// QuorumStrict asks for more than the share rather than at least it:
	// "half plus one" is Quorum 1/2 with QuorumStrict.
	QuorumStrict bool `json:"quorum_strict,omitempty"`
	// Blocks (consent only, at least 1) is the block weight that stops the
	// motion: people in a committee, seats (or members represented) in an
	// assembly.
	Blocks int64 `json:"blocks,omitempty"`
	// Winners (option rules only) is how many options win; 0 means 1. IRV
	// elects exactly one.
	Winners int `json:"winners,omitempty"`
	// Seed (option rules only), when not 0, lets the tally core break ties
	// by lot, reproducibly; 0 reports ties instead.
	Seed uint64 `json:"seed,omitempty"`
}

// IsOptions reports whether r is decided among options (DecideOptions)
// rather than yes/no (Decide).
func (r Rule) IsOptions() bool {
	switch r.Kind {
	case Plurality, Approval, IRV, Schulze:
		return true
	}
	return false
}

// winners returns the number of winning options (Winners, default 1).
func (r Rule) winners() int {
	if r.Winners == 0 {
		return 1
	}
	return r.Winners
}

// Validate checks the rule, naming the field at fault.
func (r Rule) Validate() error {
	switch r.Kind {
	case Majority, Absolute, TwoThirds, Consent, Plurality, Approval, IRV, Schulze:
	case "":
		return errs.Field("rule", "error.required")
	default:
		return errs.Field("rule", "voting.rule.unknown", r.Kind)
	}
	q := r.Quorum
	switch {
	case q.Num < 0 || q.Den < 0 || q.Den > MaxDen || q.Num > q.Den || (q.Num > 0 && q.Den == 0):
		return errs.Field("quorum", "voting.quorum.range", MaxDen)
	case r.QuorumStrict && (q.Den == 0 || q.Num == q.Den):
		// "more than 0/0" means nothing; "more than all" can never be met.
		return errs.Field("quorum", "voting.quorum.range", MaxDen)
	}
	if r.Kind == Consent {
		if r.Blocks < 1 || r.Blocks > MaxWeight {
			return errs.Field("blocks", "voting.blocks.range", 1, int64(MaxWeight))
		}
	} else if r.Blocks != 0 {
		return errs.Field("blocks", "voting.blocks.consent_only")
	}
	if r.IsOptions() {
		switch {
		case r.Winners < 0 || r.Winners > MaxOptions:
			return errs.Field("winners", "voting.winners.range", 1, MaxOptions)
		case r.Kind == IRV && r.Winners > 1:
			return errs.Field("winners", "voting.winners.irv_single")
		}
	} else {
		if r.Winners != 0 {
			return errs.Field("winners", "voting.winners.options_only")
		}
		if r.Seed != 0 {
			return errs.Field("seed", "voting.seed.options_only")
		}
	}
	return nil
}

// quorumNeeded returns the least participation that reaches the quorum of
// entitled (0 when none is required). r is valid and 0 ≤ entitled ≤ MaxWeight.
func (r Rule) quorumNeeded(entitled int64) int64 {
	num, den := int64(r.Quorum.Num), int64(r.Quorum.Den)
	if r.QuorumStrict { // least p with p × den > entitled × num
		return entitled*num/den + 1
	}
	if num == 0 {
		return 0
	}
	return (entitled*num + den - 1) / den // least p with p × den ≥ entitled × num
}

// quorumMet applies the definition: participation × Den ≥ Entitled × Num
// (> with QuorumStrict); never met when nobody is entitled.
func (r Rule) quorumMet(participation, entitled int64) bool {
	if entitled == 0 {
		return false
	}
	num, den := int64(r.Quorum.Num), int64(r.Quorum.Den)
	if r.QuorumStrict {
		return participation*den > entitled*num
	}
	return participation*den >= entitled*num
}
