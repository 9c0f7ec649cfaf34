package journal

import (
	"strings"
	"testing"
	"time"
)

func chain(n int) []Entry {
	prev := Genesis
	var es []Entry
	for i := 1; i <= n; i++ {
		e := Entry{Seq: int64(i), Prev: prev, At: time.UnixMicro(int64(1700000000000000 + i)), Actor: 7, Kind: "body.created", Body: int64(i), Payload: `{"name":"x"}`}
		e.Hash = Sum(e)
		prev = e.Hash
		es = append(es, e)
	}
	return es
}

func TestVerify(t *testing.T) {
	tests := map[string]struct {
		mutate func([]Entry) []Entry
		want   string // substring of the error, "" for intact
	}{
		"Intact":        {func(es []Entry) []Entry { return es }, ""},
		"EditedPayload": {func(es []Entry) []Entry { es[2].Payload = `{"name":"y"}`; return es }, "entry 3: content"},
		"EditedActor":   {func(es []Entry) []Entry { es[1].Actor = 8; return es }, "entry 2: content"},
		"EditedTime":    {func(es []Entry) []Entry { es[3].At = es[3].At.Add(time.Second); return es }, "entry 4: content"},
		"Removed":       {func(es []Entry) []Entry { return append(es[:2], es[3:]...) }, "entry 4: expected sequence 3"},
		"Rehashed": {func(es []Entry) []Entry {
			es[1].Kind = "x"
			es[1].Hash = Sum(es[1])
			return es
		}, "entry 3: previous hash"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			v := NewVerifier()
			var err error
			for _, e := range tc.mutate(chain(5)) {
				if err = v.Check(e); err != nil {
					break
				}
			}
			if tc.want == "" {
				if err != nil || v.Checked() != 5 {
					t.Fatalf("intact chain: err=%v checked=%d", err, v.Checked())
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want error containing %q", err, tc.want)
			}
		})
	}
}
