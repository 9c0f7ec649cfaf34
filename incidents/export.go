package incidents

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"
)

// Record is an incident with its people, as an export carries it.
type Record struct {
	Incident
	People   []Person   `json:"people"`
	Evidence []Evidence `json:"evidence"`
}

// Export is what a commission member downloads for lawyers and human-rights
// organisations.
type Export struct {
	Commission string    `json:"commission"`
	At         time.Time `json:"exported_at"`
	Records    []Record  `json:"records"`
	Detainees  []Person  `json:"detainees"` // people with no incident
}

// WriteJSON writes x as indented JSON.
func WriteJSON(w io.Writer, x Export) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(x)
}

// CSVHeader is the first line of the CSV export: one line per person
// affected (an incident with nobody recorded has one line with no person).
var CSVHeader = []string{"incident", "kind", "at", "place", "force", "affected", "state", "action", "description", "lat", "lon",
	"person", "name", "age", "status", "held", "charges", "lawyer", "next_hearing", "evidence_sha256"}

// WriteCSV writes x as CSV, times in zone. A cell that a spreadsheet would
// take for a formula (=, +, -, @ at its start) is prefixed with a quote.
func WriteCSV(w io.Writer, x Export, zone *time.Location) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	line := func(r *Record, p *Person) error {
		row := make([]string, len(CSVHeader))
		if r != nil {
			row[0] = strconv.FormatInt(r.ID, 10)
			row[1], row[2], row[3], row[4] = string(r.Kind), r.At.In(zone).Format("2006-01-02 15:04"), r.Place, string(r.Force)
			row[5], row[6] = strconv.Itoa(r.Affected), string(r.State)
			if r.ActionID != 0 {
				row[7] = strconv.FormatInt(r.ActionID, 10)
			}
			if s := r.Secret; s != nil {
				row[8] = s.Description
				if s.Lat != nil {
					row[9], row[10] = strconv.FormatFloat(*s.Lat, 'f', -1, 64), strconv.FormatFloat(*s.Lon, 'f', -1, 64)
				}
			}
			var sums []string
			for _, e := range r.Evidence {
				sums = append(sums, e.SHA256)
			}
			row[19] = strings.Join(sums, " ")
		}
		if p != nil {
			row[11], row[14] = strconv.FormatInt(p.ID, 10), string(p.Status)
			if s := p.Secret; s != nil {
				row[12], row[15], row[16], row[17], row[18] = s.Name, s.Held, s.Charges, s.Lawyer, s.NextHearing
				if s.Age > 0 {
					row[13] = strconv.Itoa(s.Age)
				}
			}
		}
		for i, c := range row {
			row[i] = defuse(c)
		}
		return cw.Write(row)
	}
	for i := range x.Records {
		r := &x.Records[i]
		if len(r.People) == 0 {
			if err := line(r, nil); err != nil {
				return err
			}
		}
		for j := range r.People {
			if err := line(r, &r.People[j]); err != nil {
				return err
			}
		}
	}
	for i := range x.Detainees {
		if err := line(nil, &x.Detainees[i]); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// defuse keeps a spreadsheet from running a cell as a formula.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s // a negative number, such as a latitude
		}
		return "'" + s
	}
	return s
}
