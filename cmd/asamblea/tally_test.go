package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const foodBLT = `5 3
4 1 0
2 2 1 0
8 3 4 0
4 3 5 0
1 4 0
1 5 0
0
"Orange"
"Pear"
"Chocolate"
"Strawberry"
"Sweets"
"Food election"
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runTally(args ...string) (code int, stdout, stderr string) {
	var out, errBuf bytes.Buffer
	code = cmdTally(args, &out, &errBuf)
	return code, out.String(), errBuf.String()
}

func TestTallyCLI(t *testing.T) {
	blt := writeFile(t, "food.blt", foodBLT)
	ranked := writeFile(t, "tn.csv", "count,1,2,3,4\n42,Memphis,Nashville,Chattanooga,Knoxville\n26,Nashville,Chattanooga,Knoxville,Memphis\n15,Chattanooga,Knoxville,Nashville,Memphis\n17,Knoxville,Chattanooga,Nashville,Memphis\n")
	peru := "../../tally/testdata/congreso-2021-nacional.csv"
	tests := []struct {
		name string
		args []string
		want []string // substrings of stdout
	}{
		{"STVTable", []string{"--method", "stv", blt}, []string{"Stage 2: surplus of Chocolate transferred at 0.50000", "Elected: Chocolate, Orange, Strawberry", "Seed: 1"}},
		{"FlagsAfterFile", []string{blt, "--method", "meek", "--seats", "2"}, []string{"Method: Meek STV", "Keep"}},
		{"IRVFromCSV", []string{"--method", "irv", ranked}, []string{"Elected: Knoxville", "Majority of continuing ballots: 51"}},
		{"Schulze", []string{"--method", "schulze", ranked}, []string{"Elected: Nashville", "Ranking: Nashville > Chattanooga > Knoxville > Memphis"}},
		{"Plurality", []string{"--method", "plurality", ranked}, []string{"Elected: Memphis"}},
		{"Approval", []string{"--method", "approval", "--seats", "2", ranked}, []string{"Elected: "}},
		{"DHondtPeru", []string{"--method", "dhondt", "--seats", "130", "--threshold", "5%", peru}, []string{"Perú Libre", "Seats in order", "Threshold: 528182.80000 votes"}},
		{"CifraPeru", []string{"--method", "cifra-repartidora", "--seats", "130", peru}, []string{"Cifra repartidora: 78377.40909"}},
		{"ForcedFormat", []string{"--method", "stv", "--format", "blt", blt}, []string{"Elected: Chocolate"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runTally(tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestTallyCLIJSON(t *testing.T) {
	blt := writeFile(t, "food.blt", foodBLT)
	code, out, errOut := runTally("--method", "stv", "--json", "--seed", "7", blt)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Elected []string          `json:"elected"`
		Seed    uint64            `json:"seed"`
		Rounds  []json.RawMessage `json:"rounds"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if strings.Join(rep.Elected, ",") != "Chocolate,Orange,Strawberry" || rep.Seed != 7 || len(rep.Rounds) != 4 {
		t.Errorf("%+v", rep)
	}

	code, out, errOut = runTally("--method", "sainte-lague", "--seats", "130", "--json", "../../tally/testdata/congreso-2021-nacional.csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var lrep struct {
		Seats  map[string]int    `json:"seats"`
		Rounds []json.RawMessage `json:"rounds"`
	}
	if err := json.Unmarshal([]byte(out), &lrep); err != nil {
		t.Fatal(err)
	}
	if lrep.Seats["Perú Libre"] != 21 || lrep.Seats["Partido Morado"] != 9 || len(lrep.Rounds) == 0 {
		t.Errorf("%+v", lrep.Seats)
	}
}

func TestTallyCLIBadInput(t *testing.T) {
	blt := writeFile(t, "food.blt", foodBLT)
	list := writeFile(t, "l.csv", "list,votes\nA,10\nB,5\n")
	tests := []struct {
		name string
		args []string
		want string // substring of stderr
	}{
		{"NoMethod", []string{blt}, "--method is required"},
		{"UnknownMethod", []string{"--method", "borda", blt}, `unknown method "borda"`},
		{"NoFile", []string{"--method", "stv"}, "exactly one input file"},
		{"MissingFile", []string{"--method", "stv", "/nonexistent/x.blt"}, "no such file"},
		{"Empty", []string{"--method", "stv", writeFile(t, "e.blt", "")}, "no ballots"},
		{"EmptyBLT", []string{"--method", "stv", "--format", "blt", writeFile(t, "e.blt", "")}, "empty file"},
		{"OutOfRange", []string{"--method", "stv", writeFile(t, "r.blt", "2 1\n1 1 3 0\n0\n\"A\"\n\"B\"\n")}, "line 2: candidate 3 out of range 1..2"},
		{"NoTerminator", []string{"--method", "stv", writeFile(t, "t.blt", "2 1\n1 1 2\n0\n\"A\"\n\"B\"\n")}, "line 2: ballot does not end with 0"},
		{"RankedTwice", []string{"--method", "irv", writeFile(t, "d.blt", "2 1\n1 1 1 0\n0\n\"A\"\n\"B\"\n")}, "line 2: candidate 1 ranked twice"},
		{"WrongCounts", []string{"--method", "stv", writeFile(t, "c.blt", "3 1\n1 1 0\n0\n\"A\"\n\"B\"\n")}, "expected 3 candidate names, found 2"},
		{"MissingEnd", []string{"--method", "stv", writeFile(t, "m.blt", "2 1\n1 1 0\n")}, "line 3: unexpected end of file"},
		{"NegativeVotes", []string{"--method", "dhondt", "--seats", "2", writeFile(t, "n.csv", "list,votes\nA,10\nB,-5\n")}, "line 3: negative vote count"},
		{"MoreSeatsThanCandidates", []string{"--method", "stv", "--seats", "6", blt}, "more seats (6) than candidates (5)"},
		{"ListMethodOnBallots", []string{"--method", "dhondt", "--seats", "3", blt}, "counts list votes"},
		{"CandidateMethodOnLists", []string{"--method", "stv", list}, "counts ranked ballots"},
		{"ListWithoutSeats", []string{"--method", "hare", list}, "--seats is required"},
		{"BadThreshold", []string{"--method", "hare", "--seats", "2", "--threshold", "x", list}, "not a percentage"},
		{"ThresholdOnSTV", []string{"--method", "stv", "--threshold", "5%", blt}, "list methods only"},
		{"IRVSeveralSeats", []string{"--method", "irv", "--seats", "2", blt}, "irv elects one candidate"},
		{"ZeroSeats", []string{"--method", "stv", "--seats", "0", blt}, "at least 1"},
		{"BadFlag", []string{"--method", "stv", "--bogus", blt}, "flag provided but not defined"},
		{"BadFormat", []string{"--method", "stv", "--format", "xml", blt}, "unknown format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runTally(tc.args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, errOut)
			}
			if out != "" {
				t.Errorf("partial output on stdout: %q", out)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q lacks %q", errOut, tc.want)
			}
		})
	}
}

func TestTallyCLISeedRepeatsLots(t *testing.T) {
	tie := writeFile(t, "tie.csv", "count\n5,A\n5,B\n1,C\n")
	_, a, _ := runTally("--method", "plurality", "--seed", "42", tie)
	_, b, _ := runTally("--method", "plurality", "--seed", "42", tie)
	if a != b || !strings.Contains(a, "Lot in round 1 (elect) among A, B") || !strings.Contains(a, "Seed: 42") {
		t.Errorf("seeded runs differ or lack the lot:\n%s\n%s", a, b)
	}
}
