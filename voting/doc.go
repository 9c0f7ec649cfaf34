// Package voting holds the rules by which a motion is decided: what counts
// as passed, rejected or without quorum for yes/no motions, and which
// option wins for motions among options. Each rule is data (a Rule) and
// each decision a pure function (Decide, DecideOptions) with no I/O; the
// ranked methods are counted by the tally core.
//
// # Who votes
//
// In a committee the voters are its members, one person one vote. In an
// assembly the voters are its seated delegates, one vote per seat; an
// assembly may instead weight each delegate's vote by the members the
// delegate represents. Every number here is such a weight: a Count holds
// the weight of the yes, no, abstain and block votes, and Entitled is the
// total weight of everyone entitled to vote (members, seats, or members
// represented), whether they voted or not.
//
// # Quorum
//
// The quorum is a share of those entitled to vote, written as an exact
// fraction (a third is 1/3; no floating point anywhere). Everyone who
// takes part counts towards the quorum: yes, no, abstain and block votes,
// and blank ballots in a vote among options. The quorum is reached when
//
//	participation × Den ≥ Entitled × Num
//
// that is, when participation is at least the fraction of those entitled.
// With QuorumStrict it must be more than the fraction: "half plus one"
// (mitad más uno) is 1/2 with QuorumStrict, so 6 of 10 or 6 of 11. A zero
// fraction means no quorum is required; 0/1 with QuorumStrict means at
// least one vote. When nobody is entitled to vote (Entitled 0) there is
// never a quorum: a body with no voters decides nothing. The quorum is
// checked first: without it the result is no_quorum whatever the votes.
//
// # Yes/no rules
//
// Abstentions count towards the quorum, never towards the majority: the
// "votes cast" below are the yes and no votes only. A tie rejects.
//
//   - majority (simple majority of votes cast): passes when there are more
//     yes votes than no votes (yes > no). A tie, or no yes or no vote at
//     all, rejects.
//   - absolute (absolute majority of members, or of seats): passes when the
//     yes votes are more than half of all those entitled to vote, whether
//     they voted or not (yes × 2 > Entitled). Staying away or abstaining
//     has the same effect as voting no.
//   - two-thirds: passes when the yes votes are at least two thirds of the
//     votes cast (yes × 3 ≥ (yes + no) × 2, i.e. yes ≥ 2 × no) and there is
//     at least one yes vote. Exactly two thirds passes: 20 yes, 10 no passes.
//   - consent: passes unless the blocks reach Blocks (at least 1: with
//     Blocks 1, a single block stops the motion; with 3, it takes three).
//     The choices are consent (yes), stand aside (abstain) and block; a "no"
//     that does not block has no place in this rule and is refused. At
//     least one person must consent: if everyone stands aside, the motion
//     does not pass.
//
// Block votes are allowed only under consent. The result is passed,
// rejected or no_quorum; Decide explains it: the participation needed for
// the quorum, the yes votes needed to pass given the no votes, and a
// message key saying why. Negative weights, more participation than
// Entitled, and weights above MaxWeight are errors.
//
// # Rules among options
//
// Each ballot ranks or marks options; a ballot that marks none is blank: it
// counts towards the quorum, as an abstention, and for no option. Winners
// (default 1) options win.
//
//   - plurality: each ballot counts for its first choice only; the options
//     with most votes win.
//   - approval: each ballot approves every option it marks (their order
//     does not matter); the options approved by most ballots win.
//   - irv (instant-runoff, one winner): ballots count for their highest
//     option still in the count (a ballot that ranks none of them is set
//     aside); an option with more than half of these ballots wins; otherwise the option with fewest votes is dropped and
//     its ballots move to their next choice, round after round. A tie for
//     the fewest votes is settled by the most recent earlier round in which
//     the tied options had unequal votes.
//   - schulze: options are compared two by two (how many ballots rank A
//     above B); A beats B when A's strongest chain of pairwise wins to B is
//     stronger than B's to A (Schulze method, winning votes). A ballot
//     ranks every option it names above those it leaves out, and leaves
//     those equal. This orders the options; the first Winners win (with
//     one winner, the option beaten by none). An option
//     that beats every other in a head-to-head count always wins.
//
// IRV and Schulze are counted by the tally core (tally.IRV, tally.Schulze),
// and the outcome carries its round-by-round Report; plurality and approval
// carry the tally's Report too, so every method is displayed the same way.
//
// # Results among options
//
// The result is decided (the Winners are given, best first), tie, no_votes
// (the quorum was reached but every ballot was blank) or no_quorum.
//
// No option wins by lot unless the rule names a seed. Without a seed, when
// the winners depend on a tie (options with equal votes competing for the
// last winning place; for IRV, a tie for elimination that earlier rounds do
// not settle and that changes who wins; for Schulze, options the method
// leaves equal), the result is tie: the options certain to win are given,
// with the options tied for the places left, and the body decides again.
// A tie that decides nothing (equal options that all win, or all lose, or
// an IRV elimination that leads to the same winner either way) is no tie.
// For IRV, every way the lots could go is followed; when there are too many
// ways to follow (only with a dozen options or more tied round after
// round), the tie is reported among all the options still in the count at
// the first such lot (reason voting.options.tie_unsettled).
//
// With a seed (for example a number drawn in public at the meeting), the
// tally core draws the lot among the tied options, reproducibly, and its
// Report records every lot.
package voting
