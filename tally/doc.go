// Package tally counts votes: list proportional representation (D'Hondt,
// Peru's cifra repartidora, Sainte-Laguë and its modified form with first
// divisor 1.4, largest remainder with Hare or Droop quota, with a threshold
// and parity by alternation inside lists), single transferable vote
// (Scottish STV and Meek STV), instant-runoff, Schulze, approval and
// plurality, and the apportionment of assembly seats among bodies.
//
// The package is pure: it reads ballots from an io.Reader (ParseBLT,
// ParseRankedCSV, ParseListCSV) and returns a Report, with no file, network
// or database access. Every method fills the same Report and Round types, so
// pages and the JSON API render any count the same way.
//
// # Exactness
//
// List methods compare quotients exactly by integer cross-multiplication.
// Scottish STV uses fixed point in units of 0.00001 with truncation, as the
// 2007 rules prescribe; Meek uses fixed point with 9 decimals (see Meek).
// Counts do not depend on the order of the ballots or on how they are
// grouped: identical rankings are grouped with a weight as they are read.
//
// # Ties
//
// A tie is first broken by earlier rounds, where the method has rounds:
// Scottish STV looks at the earliest stage at which the tied candidates had
// unequal votes (rules 49 and 50 of the Scottish order); IRV and Meek look
// back from the most recent earlier round. List methods give a tied seat to
// the list with more votes, except the cifra repartidora, whose law sends
// ties straight to lot. What is still tied is decided by lot: a PCG
// generator (math/rand/v2) seeded with the report's Seed (DefaultSeed, 1,
// when none is given) draws among the tied, sorted by name. Every lot is
// recorded in Report.Lots, and the same seed repeats the same draws.
package tally
