package store_test

import (
	"strconv"
	"strings"
	"testing"

	"asamblea/bodies"
	"asamblea/errs"
	"asamblea/journal"
	"asamblea/motions"
	"asamblea/store"
)

// TestEraseContent: words in the append-only journal can be erased — by
// their author, by the body's facilitator — and the chain still verifies,
// reporting what was erased by which entry; a tampered marker is caught.
func TestEraseContent(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		k, _ := journal.NewKey()
		if _, err := db.UseJournalKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		fac := mustUser(t, db, "Rosa")
		c := mustCommittee(t, db, fac.ID, true)
		juan, other := mustUser(t, db, "Juan"), mustUser(t, db, "Pedro")
		for _, u := range []int64{juan.ID, other.ID} {
			inv, _ := db.CreateInvitation(ctx, fac.ID, c.ID, bodies.InvitationInput{MaxUses: 1, Days: 1})
			if _, err := db.Join(ctx, u, inv.Code); err != nil {
				t.Fatal(err)
			}
		}
		m, err := db.CreateMotion(ctx, fac.ID, c.ID, motions.Input{Title: "Paro", Text: "Proponemos el paro."})
		if err != nil {
			t.Fatal(err)
		}
		const words = "Mi hermano está en la comisaría de Juliaca"
		if _, err := db.AddComment(ctx, juan.ID, m.ID, words); err != nil {
			t.Fatal(err)
		}
		seqOf := func(kind string, actor int64) int64 {
			rows, err := db.RawRows(ctx, `SELECT seq FROM journal WHERE kind = ? AND actor = ? ORDER BY seq DESC LIMIT 1`, kind, actor)
			if err != nil || len(rows) != 1 {
				t.Fatalf("%s by %d: %v %v", kind, actor, rows, err)
			}
			n, _ := strconv.ParseInt(rows[0][0], 10, 64)
			return n
		}
		comment := seqOf("motion.commented", juan.ID)

		// Someone else's words are not theirs to erase.
		wantCode(t, db.EraseContent(ctx, other.ID, comment), errs.Forbidden, "journal.erase.not_yours")
		wantCode(t, db.EraseContent(ctx, juan.ID, 999999), errs.NotFound, "journal.entry.not_found")
		if err := db.EraseContent(ctx, juan.ID, comment); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.EraseContent(ctx, juan.ID, comment), errs.Conflict, "journal.erase.refused")
		rows, _ := db.RawRows(ctx, `SELECT payload FROM journal WHERE seq = ?`, comment)
		if strings.Contains(rows[0][0], "comisaría") || journal.ErasedBy(rows[0][0]) == 0 {
			t.Fatalf("the erased entry still holds %s", rows[0][0])
		}
		// The body's facilitator erases the motion's text (a decision).
		if err := db.EraseContent(ctx, fac.ID, seqOf("motion.created", fac.ID)); err != nil {
			t.Fatal(err)
		}
		rep, err := db.CheckJournal(nil)
		if err != nil || len(rep.Erased) != 2 || rep.Erased[0].Seq != comment || rep.Erased[0].Reason != "author" {
			t.Fatalf("verify after erasures: %+v %v", rep.Erased, err)
		}
		// The words are gone from the journal (the comment itself stays
		// in the motion's record unless it is deleted there).
		if left, _ := db.RawRows(ctx, `SELECT seq FROM journal WHERE payload LIKE '%comisaría%'`); len(left) != 0 {
			t.Fatalf("the journal still holds the words: %v", left)
		}

		// A marker moved to another entry, or its fields changed, is caught.
		first := seqOf("account.created", other.ID)
		db.ExecRaw(ctx, `UPDATE journal SET payload = '`+journal.ErasedPayload(rep.Erased[0].By)+`' WHERE seq = `+strconv.FormatInt(first, 10))
		if _, err := db.CheckJournal(nil); err == nil || !strings.Contains(err.Error(), "entry "+strconv.FormatInt(first, 10)) {
			t.Fatalf("a forged marker: %v", err)
		}
	})
}
