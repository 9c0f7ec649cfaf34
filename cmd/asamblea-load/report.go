package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// report is what a run measured. Times holds the latency of each
// successful request by route, sorted.
type report struct {
	Members     int
	Elapsed     time.Duration
	Steps       []step
	Times       map[string][]time.Duration
	Votes       int
	Errors      int
	FirstErrors []string
}

// Total is the number of requests made, failed ones included.
func (r *report) Total() int {
	n := r.Errors
	for _, ts := range r.Times {
		n += len(ts)
	}
	return n
}

// Print writes the report: the totals, then latencies over all requests,
// by kind and by route, then the first errors.
func (r *report) Print(w io.Writer) {
	secs := r.Elapsed.Seconds()
	fmt.Fprintf(w, "%d members, %s: %d requests, %.1f requests/s, %d votes cast, %d errors\n",
		r.Members, r.Elapsed.Round(time.Millisecond), r.Total(), float64(r.Total())/secs, r.Votes, r.Errors)
	fmt.Fprintf(w, "%-48s %8s %8s %8s %8s %8s %8s\n", "", "ok", "req/s", "p50", "p90", "p99", "max")
	line := func(name string, ts []time.Duration) {
		fmt.Fprintf(w, "%-48s %8d %8.1f %8s %8s %8s %8s\n", name, len(ts), float64(len(ts))/secs,
			ms(percentile(ts, 0.50)), ms(percentile(ts, 0.90)), ms(percentile(ts, 0.99)), ms(percentile(ts, 1)))
	}
	var all []time.Duration
	var byKind [nKinds][]time.Duration
	for _, st := range r.Steps {
		all = append(all, r.Times[st.label]...)
		byKind[st.kind] = append(byKind[st.kind], r.Times[st.label]...)
	}
	slices.Sort(all)
	line("all", all)
	for k := range nKinds {
		slices.Sort(byKind[k])
		line("  "+kindNames[k], byKind[k])
	}
	for _, st := range r.Steps {
		line(st.label, r.Times[st.label])
	}
	for _, e := range r.FirstErrors {
		fmt.Fprintf(w, "error: %s\n", e)
	}
	if r.Errors > len(r.FirstErrors) {
		fmt.Fprintf(w, "… and %d more errors\n", r.Errors-len(r.FirstErrors))
	}
}

// percentile returns the q-quantile of sorted by the nearest rank.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000)
	case d < 10*time.Second:
		return fmt.Sprintf("%.0fms", float64(d.Microseconds())/1000)
	}
	return d.Round(100 * time.Millisecond).String()
}
