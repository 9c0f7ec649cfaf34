package store_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"asamblea/federation"
	"asamblea/motions"
	"asamblea/store"
	"asamblea/voting"
)

// secretPairs are the tables that say who voted and the tables that say
// what was chosen, for the secret ballots kept as rows. (Yes/no ballots
// are only counters on the motion, amendment or recall itself.)
var secretPairs = []struct{ voters, choices string }{
	{"motion_voters", "motion_rankings"},
	{"election_voters", "election_rankings"},
}

// TestBallotSecrecySchema shows that no stored row can tie a member to a
// choice: the participation tables hold only (ballot, person); the
// choices are held as counts per distinct content with no voter, time or
// sequence; and no statement in the code reads both at once.
func TestBallotSecrecySchema(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		want := map[string][]string{
			"motion_voters":     {"motion_id", "user_id"},
			"election_voters":   {"election_id", "user_id"},
			"amendment_voters":  {"amendment_id", "user_id"},
			"recall_voters":     {"recall_id", "user_id"},
			"motion_rankings":   {"motion_id", "ranking", "weight"},
			"election_rankings": {"election_id", "ranking", "weight"},
		}
		for table, cols := range want {
			got, err := db.TableColumns(ctx, table)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, cols) {
				t.Errorf("%s has columns %v; a ballot table may hold only %v", table, got, cols)
			}
		}

		// Rankings come back in the order of their content, whatever the
		// order the ballots were cast in.
		delegationN = 0
		c, _, users := delegation(t, db, 6, federation.SeatRule{Mode: federation.Fixed, Fixed: 1})
		m, err := db.CreateMotion(ctx, users[0].ID, c.ID, motions.Input{Title: "Ruta de la marcha", Text: "¿Por dónde?",
			Options: []string{"Norte", "Centro", "Sur"}, Rule: voting.IRV})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveMotion(ctx, users[0].ID, m.ID, motions.Voting, 24); err != nil {
			t.Fatal(err)
		}
		for i, r := range [][]int{{2, 0}, {1}, {0, 2, 1}, {2, 1}, {1, 0}} {
			if err := db.Vote(ctx, users[i].ID, m.ID, 0, motions.Ballot{Ranking: r}); err != nil {
				t.Fatal(err)
			}
		}
		rows, err := db.RawRows(ctx, `SELECT ranking FROM motion_rankings`)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, r[0])
		}
		if db.Dialect() == store.SQLite && !slices.IsSorted(got) {
			t.Errorf("rankings are stored in the order they were cast: %v", got)
		}
		// The journal says a ballot was cast, never what it said.
		entries, err := db.RawRows(ctx, `SELECT kind, payload FROM journal WHERE kind = 'motion.voted'`)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 5 {
			t.Fatalf("%d motion.voted entries, want 5", len(entries))
		}
		for _, e := range entries {
			if strings.Contains(e[1], "ranking") || strings.Contains(e[1], "choice") || strings.Contains(e[1], "Norte") {
				t.Errorf("a journal entry tells the choice: %s", e[1])
			}
		}
	})

	// No SQL statement in the store names both the voters table and the
	// choices of the same ballot.
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			for _, p := range secretPairs {
				if strings.Contains(s, p.voters) && containsTable(s, p.choices) {
					t.Errorf("%s: a statement reads %s and %s together: %s", fset.Position(lit.Pos()), p.voters, p.choices, s)
				}
			}
			return true
		})
	}
}

// containsTable reports whether the statement names table as a table (not
// as the prefix of another name such as amendment_voters).
func containsTable(s, table string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], table)
		if j < 0 {
			return false
		}
		end := i + j + len(table)
		if end == len(s) || !(s[end] == '_' || s[end] >= 'a' && s[end] <= 'z') {
			return true
		}
		i = end
	}
}
