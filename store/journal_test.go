package store_test

import (
	"crypto/ed25519"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"asamblea/journal"
	"asamblea/motions"
	"asamblea/store"
	"asamblea/voting"
)

func mustKey(tb testing.TB) ed25519.PrivateKey {
	tb.Helper()
	k, err := journal.NewKey()
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func pub(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func keyID(k ed25519.PrivateKey) string { return journal.KeyID(pub(k)) }

// mustReopen opens a second handle on db's database, as a second process
// would.
func mustReopen(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	d, err := store.Open(db.FilePath())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func mustCheck(t *testing.T, db *store.DB, trusted ed25519.PublicKey) journal.Report {
	t.Helper()
	r, err := db.CheckJournal(trusted)
	if err != nil {
		t.Fatalf("check journal: %v (report %+v)", err, r)
	}
	return r
}

// TestJournalSigned: once a key is in use every entry is signed; the
// entries written before signing was enabled stay unsigned and pass.
func TestJournalSigned(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		rosa := mustUser(t, db, "Rosa") // entry 1, before signing
		k := mustKey(t)
		if introduced, err := db.UseJournalKey(ctx, k); err != nil || !introduced {
			t.Fatalf("use key: %v %v", introduced, err)
		}
		mustCommittee(t, db, rosa.ID, true)
		mustUser(t, db, "Juan")
		r := mustCheck(t, db, pub(k))
		if r.Entries != 4 || r.Signed != 3 || r.Unsigned != 1 || len(r.Keys) != 1 || r.Keys[0].ID != keyID(k) || r.Keys[0].Seq != 2 {
			t.Fatalf("report %+v", r)
		}
		rows, err := db.RawRows(ctx, `SELECT seq, kind, key_id, length(sig) FROM journal ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"1", "account.created", "", "0"}, {"2", journal.KeyKind, keyID(k), "88"}}
		if fmt.Sprint(rows[:2]) != fmt.Sprint(want) {
			t.Fatalf("journal rows %v, want %v first", rows, want)
		}
		// Opening again with the same key introduces nothing.
		if introduced, err := db.UseJournalKey(ctx, k); err != nil || introduced {
			t.Fatalf("second use: %v %v", introduced, err)
		}
		if n := journalLen(t, db); n != 4 {
			t.Fatalf("journal has %d entries, want 4", n)
		}
		// The private key is nowhere in the database.
		seed := fmt.Sprintf("%x", k.Seed())
		for _, table := range []string{"journal", "journal_keys"} {
			rows, err := db.RawRows(ctx, `SELECT * FROM `+table)
			if err != nil {
				t.Fatal(err)
			}
			if s := fmt.Sprint(rows); strings.Contains(s, seed) || strings.Contains(s, string(k.Seed())) {
				t.Fatalf("private key in %s", table)
			}
		}
	})
}

// TestJournalKeyRotation: a new key is introduced by an entry signed by
// the old one; entries before and after verify, and only the new key is
// the node's.
func TestJournalKeyRotation(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		k1, k2 := mustKey(t), mustKey(t)
		if _, err := db.UseJournalKey(ctx, k1); err != nil {
			t.Fatal(err)
		}
		rosa := mustUser(t, db, "Rosa")
		mustCommittee(t, db, rosa.ID, true)
		if err := db.RotateJournalKey(ctx, k2); err != nil {
			t.Fatal(err)
		}
		mustUser(t, db, "Juan")
		if id, err := db.JournalKeyID(ctx); err != nil || id != keyID(k2) {
			t.Fatalf("journal key %q %v, want %s", id, err, keyID(k2))
		}
		r := mustCheck(t, db, pub(k2))
		if r.Entries != 5 || r.Signed != 5 || r.Unsigned != 0 || len(r.Keys) != 2 || r.Keys[1].ID != keyID(k2) || r.Keys[1].Previous != keyID(k1) || r.Keys[1].Seq != 4 {
			t.Fatalf("report %+v", r)
		}
		rows, err := db.RawRows(ctx, `SELECT seq, key_id FROM journal WHERE seq >= 3 ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		// The rotation (entry 4) is signed by the old key.
		if want := fmt.Sprint([][]string{{"3", keyID(k1)}, {"4", keyID(k1)}, {"5", keyID(k2)}}); fmt.Sprint(rows) != want {
			t.Fatalf("signers %v, want %v", rows, want)
		}
		keys, err := db.RawRows(ctx, `SELECT key_id, seq, retired_at > 0 FROM journal_keys ORDER BY seq`)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 2 || keys[0][0] != keyID(k1) || keys[0][2] != "true" && keys[0][2] != "1" || keys[1][0] != keyID(k2) || keys[1][2] != "false" && keys[1][2] != "0" {
			t.Fatalf("journal_keys %v", keys)
		}
		if _, err := db.CheckJournal(pub(k1)); err == nil || !strings.Contains(err.Error(), "retired at entry 4") {
			t.Fatalf("check against the retired key: %v", err)
		}
		// A process still holding the old key may not write, nor start with it.
		stale := mustReopen(t, db)
		if _, err := stale.UseJournalKey(ctx, k1); err == nil || !strings.Contains(err.Error(), "key "+keyID(k1)+" was retired on") {
			t.Fatalf("starting with the retired key: %v", err)
		}
		if err := db.RotateJournalKey(ctx, k2); err == nil {
			t.Fatal("rotating to the current key")
		}
		if n := journalLen(t, db); n != 5 {
			t.Fatalf("journal has %d entries, want 5", n)
		}
	})
}

// TestJournalRefusesWrongSigner: once the journal is signed, a process
// without its key, or with another key, or still holding a key rotated
// away by another process, writes nothing.
func TestJournalRefusesWrongSigner(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		k1, k2, other := mustKey(t), mustKey(t), mustKey(t)
		if _, err := db.UseJournalKey(ctx, k1); err != nil {
			t.Fatal(err)
		}
		mustUser(t, db, "Rosa")
		unsigned := mustReopen(t, db)
		if _, err := unsigned.CreateUser(ctx, fastHasher, "Juan", "una contraseña larga de Juan", "es"); err == nil || !strings.Contains(err.Error(), "holds no journal key") {
			t.Fatalf("write without the key: %v", err)
		}
		if _, err := unsigned.UseJournalKey(ctx, other); err == nil || !strings.Contains(err.Error(), "signed with key "+keyID(k1)+", not with this key file's key "+keyID(other)) {
			t.Fatalf("another key: %v", err)
		}
		stale := mustReopen(t, db)
		if _, err := stale.UseJournalKey(ctx, k1); err != nil {
			t.Fatal(err)
		}
		if err := db.RotateJournalKey(ctx, k2); err != nil {
			t.Fatal(err)
		}
		if _, err := stale.CreateUser(ctx, fastHasher, "Juan", "una contraseña larga de Juan", "es"); err == nil || !strings.Contains(err.Error(), "was the key rotated?") {
			t.Fatalf("write with the rotated key: %v", err)
		}
		if err := stale.RotateJournalKey(ctx, other); err == nil {
			t.Fatal("rotation from a rotated key")
		}
		if r := mustCheck(t, db, pub(k2)); r.Entries != 3 || r.Signed != 3 {
			t.Fatalf("report %+v", r)
		}
	})
}

// TestVerifyCatchesSignatureTampering edits signatures with direct SQL, as
// someone with the database but not the key file could, and shows that
// verify names the first bad entry.
func TestVerifyCatchesSignatureTampering(t *testing.T) {
	k1, k2 := mustKey(t), mustKey(t)
	tests := map[string]struct {
		sql  func(last journal.Entry) string
		want string
	}{
		"SigOfAnotherEntry": {func(journal.Entry) string {
			return `UPDATE journal SET sig = (SELECT sig FROM journal WHERE seq = 2) WHERE seq = 3`
		}, "entry 3: signature does not match"},
		"Stripped":   {func(journal.Entry) string { return `UPDATE journal SET sig = '', key_id = '' WHERE seq = 5` }, "entry 5: not signed (entries are signed from entry 1 on)"},
		"UnknownKey": {func(journal.Entry) string { return `UPDATE journal SET key_id = '0123456789abcdef' WHERE seq = 7` }, "entry 7: signed by unknown key"},
		"RetiredKey": {func(e journal.Entry) string {
			journal.NewSigner(k1).Sign(&e) // as if the old key file had leaked
			return fmt.Sprintf(`UPDATE journal SET key_id = '%s', sig = '%s' WHERE seq = %d`, e.KeyID, e.Sig, e.Seq)
		}, "signed by retired key " + keyID(k1)},
		"EditedPayload": {func(journal.Entry) string { return `UPDATE journal SET payload = '{"name":"otro"}' WHERE seq = 6` }, "entry 6: content"},
		"KeyListed":     {func(journal.Entry) string { return `UPDATE journal_keys SET public_key = 'AAAA' WHERE seq = 1` }, "journal keys: the list does not match the key " + keyID(k1)},
		"KeyUnlisted":   {func(journal.Entry) string { return `DELETE FROM journal_keys WHERE seq = 4` }, "journal keys: key " + keyID(k2) + ", introduced at entry 4, is not listed"},
		"HeadKey":       {func(journal.Entry) string { return `UPDATE journal_head SET key_id = ''` }, "journal head: it names key"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			eachDB(t, func(t *testing.T, db *store.DB) {
				if _, err := db.UseJournalKey(ctx, k1); err != nil {
					t.Fatal(err)
				}
				rosa := mustUser(t, db, "Rosa")
				mustCommittee(t, db, rosa.ID, true)
				if err := db.RotateJournalKey(ctx, k2); err != nil {
					t.Fatal(err)
				}
				juan := mustUser(t, db, "Juan")
				c := mustCommittee(t, db, juan.ID, false)
				mustUser(t, db, "Ana")
				mustUser(t, db, "Luis")
				es, err := db.BodyJournal(ctx, juan.ID, c.ID, 0, 10)
				if err != nil || len(es) == 0 || es[0].KeyID != keyID(k2) || !journal.VerifySig(pub(k2), es[0]) {
					t.Fatalf("the body's journal: %v %+v", err, es)
				}
				if n := journalLen(t, db); n != 8 {
					t.Fatalf("journal has %d entries, want 8", n)
				}
				if err := db.ExecRaw(ctx, tc.sql(es[0])); err != nil {
					t.Fatal(err)
				}
				_, err = db.CheckJournal(pub(k2))
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("verify after tampering: %v, want error naming %q", err, tc.want)
				}
			})
		})
	}
}

// TestSignedBatchedVotes: votes arriving together are signed in groups;
// refused ones leave no entry, and the whole journal verifies.
func TestSignedBatchedVotes(t *testing.T) {
	eachDB(t, func(t *testing.T, db *store.DB) {
		k := mustKey(t)
		if _, err := db.UseJournalKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		const n = 300
		loaded, err := db.BulkLoad(ctx, "x", []store.BulkCommittee{{Name: "Comité grande", Sector: "workers", Place: "211101", Members: names(n)}})
		if err != nil {
			t.Fatal(err)
		}
		c := loaded[0]
		m, err := db.CreateMotion(ctx, c.Facilitator, c.Body, motions.Input{Title: "Paro regional", Text: "¿Paro de 72 horas?"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MoveMotion(ctx, c.Facilitator, m.ID, motions.Voting, 24); err != nil {
			t.Fatal(err)
		}
		before := journalLen(t, db)
		var wg sync.WaitGroup
		var mu sync.Mutex
		accepted := 0
		for g := range 30 {
			wg.Go(func() {
				for i := range n / 30 {
					voter := c.Facilitator + 1 + int64(g*(n/30)+i)
					if i%7 == 3 {
						voter = c.Facilitator + 10*n // not a member: refused
					}
					if err := db.Vote(ctx, voter, m.ID, 0, motions.Ballot{Choice: voting.Yes}); err == nil {
						mu.Lock()
						accepted++
						mu.Unlock()
					}
				}
			})
		}
		wg.Wait()
		r := mustCheck(t, db, pub(k))
		if r.Entries != before+int64(accepted) || r.Signed != r.Entries || accepted == 0 || accepted == n {
			t.Fatalf("%d votes accepted; report %+v", accepted, r)
		}
	})
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSignedVotes is BenchmarkMotionVotes with and without a journal
// key: the cost of signing each entry on the hottest write path.
func BenchmarkSignedVotes(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		for _, signed := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/signed=%v", name, signed), func(b *testing.B) {
				db := benchDB(b, name)
				if signed {
					if _, err := db.UseJournalKey(ctx, mustKey(b)); err != nil {
						b.Fatal(err)
					}
				}
				loaded, err := db.BulkLoad(ctx, "x", []store.BulkCommittee{{Name: "Comité grande", Sector: "workers", Place: "211101", Members: names(b.N + 3)}})
				if err != nil {
					b.Fatal(err)
				}
				c := loaded[0]
				m, err := db.CreateMotion(ctx, c.Facilitator, c.Body, motions.Input{Title: "Paro regional", Text: "¿Paro de 72 horas?"})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := db.MoveMotion(ctx, c.Facilitator, m.ID, motions.Voting, 24); err != nil {
					b.Fatal(err)
				}
				ids := make(chan int64, b.N)
				for i := range int64(b.N) {
					ids <- c.Facilitator + 1 + i
				}
				close(ids)
				b.ResetTimer()
				start, cpu := time.Now(), cpuTime()
				var wg sync.WaitGroup
				for range 64 {
					wg.Go(func() {
						for id := range ids {
							if err := db.Vote(ctx, id, m.ID, 0, motions.Ballot{Choice: voting.Yes}); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "votes/s")
				// CPU time tells the cost of signing apart from the load of
				// a shared machine (the PostgreSQL server's is not counted).
				b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/vote")
				b.StopTimer()
				if signed {
					if _, err := db.VerifyJournal(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
