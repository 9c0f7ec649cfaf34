package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"asamblea/tally"
)

const tallyUsage = `usage: asamblea tally --method METHOD [--seats N] [--threshold 5%%] [--seed S] [--quota droop|hare] [--format blt|csv|list-csv] [--json] FILE

Counts the ballots or list votes in FILE ("-" for standard input).
Methods: candidates: stv (Scottish STV), meek, irv, schulze, approval, plurality;
lists: dhondt, cifra-repartidora, sainte-lague, sainte-lague-1.4, hare, droop.
Formats (detected from the content unless --format is given):
  blt       BLT ballot file (OpenSTV, Droop, Loomio)
  csv       ranked ballots: one per row, names in order; optional first column "count"
  list-csv  list votes with header list,votes (optional gender, candidates, alternate)
Exit status: 0 counted, 2 bad input or usage.
`

var candidateMethods = []string{"stv", "meek", "irv", "schulze", "approval", "plurality"}

var methodTitles = map[string]string{
	"stv":               "Scottish STV",
	"meek":              "Meek STV",
	"irv":               "instant-runoff",
	"schulze":           "Schulze",
	"approval":          "approval",
	"plurality":         "plurality",
	"dhondt":            "D'Hondt",
	"cifra-repartidora": "cifra repartidora (LOE art. 30)",
	"sainte-lague":      "Sainte-Laguë",
	"sainte-lague-1.4":  "modified Sainte-Laguë (first divisor 1.4)",
	"hare":              "largest remainder, Hare quota",
	"droop":             "largest remainder, Droop quota",
}

// cmdTally runs "asamblea tally". Nothing is written to stdout unless the
// count succeeds.
func cmdTally(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tally", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	method := fs.String("method", "", "counting method")
	seats := fs.Int("seats", 0, "seats to fill")
	threshold := fs.String("threshold", "", "list methods: share of valid votes a list needs, e.g. 5%")
	seed := fs.Uint64("seed", 0, "seed of the lots that break ties (default 1)")
	asJSON := fs.Bool("json", false, "write the report as JSON")
	format := fs.String("format", "", "input format: blt, csv or list-csv (default: detect)")
	quota := fs.String("quota", "droop", "stv and meek: droop or hare")
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "asamblea tally: "+format+"\n", a...)
		return 2
	}
	// Flags may come before or after the file.
	var files []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stderr, tallyUsage)
				return 2
			}
			return fail("%v\n\n"+tallyUsage, err)
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		files = append(files, rest[0])
		rest = rest[1:]
	}
	if len(files) != 1 {
		return fail("give exactly one input file\n\n" + tallyUsage)
	}
	name := files[0]
	isList := slices.Contains(tally.ListMethods, tally.ListMethod(*method))
	if !isList && !slices.Contains(candidateMethods, *method) {
		if *method == "" {
			return fail("--method is required\n\n" + tallyUsage)
		}
		return fail("unknown method %q (want stv, meek, irv, schulze, approval, plurality, dhondt, cifra-repartidora, sainte-lague, sainte-lague-1.4, hare or droop)", *method)
	}
	setFlags := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { setFlags[f.Name] = true })
	if setFlags["seats"] && *seats < 1 {
		return fail("--seats must be at least 1")
	}
	if setFlags["threshold"] && !isList {
		return fail("--threshold applies to list methods only")
	}
	if *quota != "droop" && *quota != "hare" {
		return fail("--quota must be droop or hare")
	}
	switch *format {
	case "", "blt", "csv", "list-csv":
	default:
		return fail("unknown format %q (want blt, csv or list-csv)", *format)
	}

	var in io.Reader = os.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fail("%v", err)
		}
		defer f.Close()
		in = f
	}
	br := bufio.NewReaderSize(in, 1<<20)
	if *format == "" {
		*format = detectFormat(br)
	}
	if isList != (*format == "list-csv") {
		if isList {
			return fail("%s: method %s counts list votes: give a CSV with header list,votes", name, *method)
		}
		return fail("%s: method %s counts ranked ballots: give a BLT file or a CSV of ranked ballots", name, *method)
	}

	var rep *tally.Report
	var err error
	if isList {
		var lists []tally.ListVotes
		var ignored []string
		lists, ignored, err = tally.ParseListCSV(br)
		if err != nil {
			return fail("%s: %v", name, err)
		}
		if len(ignored) > 0 {
			fmt.Fprintf(stderr, "asamblea tally: %s: ignoring columns %s\n", name, strings.Join(ignored, ", "))
		}
		if !setFlags["seats"] {
			return fail("--seats is required for list methods")
		}
		opts := tally.ListOptions{Method: tally.ListMethod(*method), Seed: *seed}
		if *threshold != "" {
			var t *big.Rat
			if t, err = tally.ParsePercent(*threshold); err != nil {
				return fail("%v", err)
			}
			opts.Threshold = t
		}
		rep, err = tally.ListPR(lists, *seats, opts)
	} else {
		var b *tally.Ballots
		if *format == "blt" {
			b, err = tally.ParseBLT(br)
		} else {
			b, err = tally.ParseRankedCSV(br)
		}
		if err != nil {
			return fail("%s: %v", name, err)
		}
		n := *seats
		if !setFlags["seats"] {
			n = max(b.Seats, 1)
		}
		switch *method {
		case "stv":
			rep, err = tally.STV(b, n, tally.STVOptions{Quota: tally.Quota(*quota), Seed: *seed})
		case "meek":
			rep, err = tally.Meek(b, n, tally.MeekOptions{Quota: tally.Quota(*quota), Seed: *seed})
		case "irv":
			if setFlags["seats"] && n != 1 {
				return fail("irv elects one candidate; use stv or meek for %d seats", n)
			}
			rep, err = tally.IRV(b, tally.Options{Seed: *seed})
		case "schulze":
			rep, err = tally.Schulze(b, n, tally.Options{Seed: *seed})
		case "approval":
			rep, err = tally.Approval(b, n, tally.Options{Seed: *seed})
		case "plurality":
			rep, err = tally.Plurality(b, n, tally.Options{Seed: *seed})
		}
	}
	if err != nil {
		return fail("%s: %v", name, err)
	}
	var out bytes.Buffer
	if *asJSON {
		enc := json.NewEncoder(&out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fail("%v", err)
		}
	} else {
		writeReport(&out, rep)
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		fmt.Fprintf(stderr, "asamblea tally: %v\n", err)
		return 1
	}
	return 0
}

// detectFormat looks at the first non-blank line: two whole numbers start a
// BLT file; a CSV header naming list and votes starts list votes; anything
// else is taken as ranked ballots.
func detectFormat(br *bufio.Reader) string {
	head, _ := br.Peek(64 << 10)
	head = bytes.TrimPrefix(head, []byte("\xEF\xBB\xBF"))
	for _, line := range bytes.Split(head, []byte("\n")) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		f := strings.Fields(string(line))
		if len(f) == 2 && isDigits(f[0]) && isDigits(f[1]) {
			return "blt"
		}
		rec, err := csv.NewReader(bytes.NewReader(line)).Read()
		if err == nil {
			var hasList, hasVotes bool
			for _, h := range rec {
				switch strings.ToLower(strings.TrimSpace(h)) {
				case "list":
					hasList = true
				case "votes":
					hasVotes = true
				}
			}
			if hasList && hasVotes {
				return "list-csv"
			}
		}
		return "csv"
	}
	return "csv"
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// writeReport writes the report as readable tables, one per round.
func writeReport(w *bytes.Buffer, rep *tally.Report) {
	fmt.Fprintf(w, "Method: %s\n", methodTitles[rep.Method])
	if rep.Title != "" {
		fmt.Fprintf(w, "Title: %s\n", rep.Title)
	}
	fmt.Fprintf(w, "Seats: %d\n", rep.SeatCount)
	if rep.Lists == nil {
		fmt.Fprintf(w, "Valid ballots: %d (%d distinct rankings)", rep.Ballots, rep.Groups)
		if rep.Empty > 0 {
			fmt.Fprintf(w, "; empty ballots: %d", rep.Empty)
		}
		fmt.Fprintln(w)
	} else {
		fmt.Fprintf(w, "Valid votes: %s\n", rep.ValidVotes)
	}
	if rep.Threshold != "" {
		fmt.Fprintf(w, "Threshold: %s votes\n", rep.Threshold)
	}
	if rep.Quota != "" {
		label := "Quota"
		if rep.Method == "cifra-repartidora" {
			label = "Cifra repartidora"
		}
		fmt.Fprintf(w, "%s: %s\n", label, rep.Quota)
	}
	fmt.Fprintf(w, "Seed: %d\n", rep.Seed)

	var seatRounds []tally.Round
	for _, r := range rep.Rounds {
		if r.Action == "seat" && len(r.Tallies) == 0 && r.Subject != "" {
			seatRounds = append(seatRounds, r)
			continue
		}
		if len(seatRounds) > 0 {
			writeSeats(w, seatRounds)
			seatRounds = nil
		}
		writeRound(w, rep, r)
	}
	if len(seatRounds) > 0 {
		writeSeats(w, seatRounds)
	}

	fmt.Fprintln(w)
	if rep.Lists != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		width := 4
		for _, l := range rep.Lists {
			width = max(width, utf8.RuneCountInString(l.Name)+len(" (below threshold)"))
		}
		fmt.Fprintln(tw, pad("List", width)+"\tVotes\t%\tSeats\tBy gender\t")
		for _, l := range rep.Lists {
			var g []string
			for _, k := range sortedKeys(l.ByGender) {
				g = append(g, fmt.Sprintf("%s %d", k, l.ByGender[k]))
			}
			q := ""
			if !l.Qualified {
				q = " (below threshold)"
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%s\t\n", pad(l.Name+q, width), l.Votes, l.Share, l.Seats, strings.Join(g, ", "))
		}
		tw.Flush()
	} else {
		fmt.Fprintf(w, "Elected: %s\n", strings.Join(rep.Elected, ", "))
		if len(rep.Ranking) > 0 {
			fmt.Fprintf(w, "Ranking: %s\n", strings.Join(rep.Ranking, " > "))
		}
	}
	if len(rep.Lots) == 0 {
		fmt.Fprintln(w, "Lots drawn: none")
	}
	for _, l := range rep.Lots {
		fmt.Fprintf(w, "Lot in round %d (%s) among %s: %s\n", l.Round, l.Purpose, strings.Join(l.Among, ", "), strings.Join(l.Chosen, ", "))
	}
}

func sortedKeys(m map[string]int) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	slices.Sort(k)
	return k
}

func roundTitle(rep *tally.Report, r tally.Round) string {
	stage := "Round"
	if rep.Method == "stv" || rep.Method == "meek" {
		stage = "Stage"
	}
	switch r.Action {
	case "first-preferences":
		return fmt.Sprintf("%s %d: first preferences", stage, r.Number)
	case "surplus":
		if r.Value != "" {
			return fmt.Sprintf("%s %d: surplus of %s transferred at %s", stage, r.Number, r.Subject, r.Value)
		}
		return fmt.Sprintf("%s %d: surplus of %s transferred (keep values reduced)", stage, r.Number, r.Subject)
	case "exclusion":
		return fmt.Sprintf("%s %d: %s excluded, ballots transferred", stage, r.Number, r.Subject)
	case "count":
		return fmt.Sprintf("Round %d: count", r.Number)
	case "votes":
		return fmt.Sprintf("Round %d: valid votes and threshold", r.Number)
	case "quota":
		return fmt.Sprintf("Round %d: whole quotas (quota %s)", r.Number, r.Quota)
	case "remainder":
		return fmt.Sprintf("Round %d: seats by largest remainder", r.Number)
	case "cifra":
		return fmt.Sprintf("Round %d: votes ÷ cifra repartidora %s", r.Number, r.Quota)
	case "seat":
		return fmt.Sprintf("Round %d: seats tied at the cifra, drawn by lot", r.Number)
	case "full-list":
		return fmt.Sprintf("Round %d: lists with no candidates left", r.Number)
	case "pairwise":
		return fmt.Sprintf("Round %d: pairwise preferences (row over column)", r.Number)
	case "paths":
		return fmt.Sprintf("Round %d: strongest paths and ranking", r.Number)
	case "result":
		return fmt.Sprintf("Round %d: result", r.Number)
	}
	return fmt.Sprintf("Round %d: %s %s", r.Number, r.Action, r.Subject)
}

func writeRound(w *bytes.Buffer, rep *tally.Report, r tally.Round) {
	fmt.Fprintf(w, "\n%s\n", roundTitle(rep, r))
	if r.Matrix != nil {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "\t")
		for j := range r.Matrix {
			fmt.Fprintf(tw, "%d\t", j+1)
		}
		fmt.Fprintln(tw)
		for i, row := range r.Matrix {
			fmt.Fprintf(tw, "%d %s\t", i+1, rep.Candidates[i])
			for j, v := range row {
				if i == j {
					fmt.Fprint(tw, "-\t")
				} else {
					fmt.Fprintf(tw, "%d\t", v)
				}
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}
	if len(r.Tallies) > 0 {
		var hasChange, hasKeep, hasQuot, hasSeats bool
		for _, t := range r.Tallies {
			hasChange = hasChange || t.Change != ""
			hasKeep = hasKeep || t.Keep != ""
			hasQuot = hasQuot || t.Quotient != ""
			hasSeats = hasSeats || t.Seats != 0
		}
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		head := "  Name\tVotes\t"
		if r.Action == "paths" {
			head = "  Name\tBeats\t"
		}
		if hasChange {
			head += "Change\t"
		}
		if hasKeep {
			head += "Keep\t"
		}
		if hasQuot {
			head += "Quotient\t"
		}
		if hasSeats {
			head += "Seats\t"
		}
		width := 4
		for _, t := range r.Tallies {
			width = max(width, utf8.RuneCountInString(t.Name))
		}
		fmt.Fprintln(tw, "  "+pad("Name", width)+head[len("  Name"):]+"Status\t")
		for _, t := range r.Tallies {
			line := "  " + pad(t.Name, width) + "\t" + string(t.Votes) + "\t"
			if hasChange {
				line += string(t.Change) + "\t"
			}
			if hasKeep {
				line += string(t.Keep) + "\t"
			}
			if hasQuot {
				line += string(t.Quotient) + "\t"
			}
			if hasSeats {
				line += fmt.Sprint(t.Seats) + "\t"
			}
			fmt.Fprintln(tw, line+t.Status+"\t")
		}
		tw.Flush()
	}
	if r.Quota != "" && (r.Action == "first-preferences" || r.Action == "surplus" || r.Action == "exclusion" || r.Action == "count") {
		label := "Quota"
		if rep.Method == "irv" {
			label = "Majority of continuing ballots"
		}
		fmt.Fprintf(w, "  %s: %s\n", label, r.Quota)
	}
	if r.Exhausted != "" {
		fmt.Fprintf(w, "  Non-transferable (exhausted): %s\n", r.Exhausted)
	}
	if r.Rounding != "" && strings.Trim(string(r.Rounding), "0.") != "" {
		fmt.Fprintf(w, "  Lost to truncation: %s\n", r.Rounding)
	}
	if r.Iterations > 0 {
		fmt.Fprintf(w, "  Iterations: %d\n", r.Iterations)
	}
	for _, d := range r.Elected {
		fmt.Fprintf(w, "  Elected: %s (%s)\n", d.Name, d.Reason)
	}
	for _, d := range r.Excluded {
		what := "Excluded"
		if d.Reason == "threshold" {
			what = "Below threshold"
		}
		fmt.Fprintf(w, "  %s: %s (%s)\n", what, d.Name, d.Reason)
	}
}

// pad left-aligns s in width runes (the tables align right).
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}

func writeSeats(w *bytes.Buffer, rounds []tally.Round) {
	fmt.Fprintf(w, "\nSeats in order (rounds %d–%d)\n", rounds[0].Number, rounds[len(rounds)-1].Number)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	width, whyWidth := 4, 3
	for _, r := range rounds {
		width = max(width, utf8.RuneCountInString(r.Subject))
		if len(r.Elected) > 0 {
			whyWidth = max(whyWidth, len(r.Elected[0].Reason))
		}
	}
	fmt.Fprintln(tw, "  Seat\t"+pad("List", width)+"\tQuotient\t"+pad("Why", whyWidth)+"\t")
	for i, r := range rounds {
		why := ""
		if len(r.Elected) > 0 {
			why = r.Elected[0].Reason
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t\n", i+1, pad(r.Subject, width), r.Value, pad(why, whyWidth))
	}
	tw.Flush()
}
