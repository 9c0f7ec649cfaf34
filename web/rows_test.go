package web

import (
	"strings"
	"testing"

	"asamblea/bodies"
	"asamblea/i18n"
)

func TestMemberRowsEscape(t *testing.T) {
	l := i18n.MustLoad().Localizer("es")
	ms := []bodies.Person{{UserID: 7, Name: `Rosa "la" & 'Juli'`, Role: bodies.Secretary}, {UserID: 8, Name: "Juan", Role: bodies.Member}}
	got := string(memberRows(l, 3, ms, true))
	want := `<tr><td>Rosa &#34;la&#34; &amp; &#39;Juli&#39;</td><td>Secretaría</td><td><a href="/bodies/3/members/7">Gestionar</a></td></tr>`
	if !strings.Contains(got, want) {
		t.Fatalf("got %s", got)
	}
	if plain := string(memberRows(l, 3, ms, false)); strings.Contains(plain, "<a ") || strings.Count(plain, "<tr>") != 2 {
		t.Fatalf("rows for a member who does not manage: %s", plain)
	}
}
