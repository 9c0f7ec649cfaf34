package bodies

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"asamblea/errs"
)

func TestNormalizeCode(t *testing.T) {
	tests := map[string]struct{ in, want string }{
		"Canonical":   {"KX7M-2QPA-9RTD", "KX7M-2QPA-9RTD"},
		"LowerSpaces": {"kx7m 2qpa 9rtd", "KX7M-2QPA-9RTD"},
		"NoDashes":    {"KX7M2QPA9RTD", "KX7M-2QPA-9RTD"},
		"Empty":       {"  ", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := NormalizeCode(tc.in); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	for i := 0; i < 100; i++ {
		c := NewCode()
		if NormalizeCode(c) != c || len(c) != 14 {
			t.Fatalf("code %q does not survive normalisation", c)
		}
	}
}

func TestInvitationStatus(t *testing.T) {
	now := time.Date(2023, 1, 9, 12, 0, 0, 0, time.UTC)
	base := Invitation{MaxUses: 2, ExpiresAt: now.Add(time.Hour)}
	tests := map[string]struct {
		inv  Invitation
		want string
	}{
		"Usable":  {base, ""},
		"Used":    {Invitation{MaxUses: 2, Uses: 2, ExpiresAt: now.Add(time.Hour)}, "invitation.used"},
		"Expired": {Invitation{MaxUses: 2, ExpiresAt: now}, "invitation.expired"},
		"Revoked": {Invitation{MaxUses: 2, ExpiresAt: now.Add(time.Hour), RevokedAt: now}, "invitation.revoked"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.inv.Status(now); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheckRoleChange(t *testing.T) {
	tests := map[string]struct {
		n        int
		from, to Role
		ok       bool
	}{
		"LastFacilitatorDemoted": {1, Facilitator, Member, false},
		"LastFacilitatorLeaves":  {1, Facilitator, None, false},
		"OneOfTwo":               {2, Facilitator, Member, true},
		"MemberPromoted":         {1, Member, Facilitator, true},
		"SecretaryLeaves":        {1, Secretary, None, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := CheckRoleChange(tc.n, tc.from, tc.to)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
		})
	}
}

func TestInputClean(t *testing.T) {
	valid := func(c string) bool { return c == "210101" }
	tests := map[string]struct {
		in    Input
		field string
	}{
		"OK":          {Input{Name: "  Frente   de Defensa ", Sector: "workers", Place: "210101"}, ""},
		"NoName":      {Input{Name: "", Sector: "workers", Place: "210101"}, "name"},
		"LongName":    {Input{Name: strings.Repeat("ñ", NameMax+1), Sector: "workers", Place: "210101"}, "name"},
		"BadSector":   {Input{Name: "Frente", Sector: "x", Place: "210101"}, "sector"},
		"BadPlace":    {Input{Name: "Frente", Sector: "workers", Place: "999999"}, "place"},
		"ControlChar": {Input{Name: "Frente\x00", Sector: "workers", Place: "210101"}, "name"},
		"LongText":    {Input{Name: "Frente", Sector: "workers", Place: "210101", Description: strings.Repeat("a", DescriptionMax+1)}, "description"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := tc.in.Clean(valid)
			if tc.field == "" {
				if err != nil || tc.in.Name != "Frente de Defensa" {
					t.Fatalf("err %v name %q", err, tc.in.Name)
				}
				return
			}
			if e := errs.As(err); e.Code != errs.Invalid || e.Field != tc.field {
				t.Fatalf("got %v, want invalid %s", err, tc.field)
			}
		})
	}
}

func FuzzNormalizeCode(f *testing.F) {
	for _, s := range []string{"KX7M-2QPA-9RTD", "kx7m 2qpa", "ÑÑÑ", "0O1Il", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := NormalizeCode(s)
		if NormalizeCode(c) != c {
			t.Fatalf("not idempotent: %q → %q → %q", s, c, NormalizeCode(c))
		}
	})
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"Comité", " a  b ", "x\x00y", "\xff", "línea\notra"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multi bool) {
		out, err := CleanText("f", s, 1, 50, multi)
		if err != nil {
			return
		}
		if !utf8.ValidString(out) || utf8.RuneCountInString(out) > 50 || out == "" {
			t.Fatalf("%q cleaned to %q", s, out)
		}
	})
}
