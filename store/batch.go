package store

import (
	"context"
	"time"

	"asamblea/errs"
)

// Changes that arrive together — votes, mostly — are committed together: a
// single writer collects them for up to half a millisecond (or 128 of
// them) and runs them in one transaction, each under its own savepoint so
// that one refused change is undone alone. Each caller returns only once
// the shared transaction is committed, so an acknowledged change is a
// durable one; the disk is synced once for the whole group.

const (
	batchWindow = 500 * time.Microsecond
	batchMax    = 128
)

type batched struct {
	actor int64
	fn    func(*Tx) error
	clean bool // fn writes nothing when it fails: it needs no savepoint
	done  chan error
}

// UpdateBatched runs fn as Update does, in a transaction shared with other
// changes made at the same moment.
func (db *DB) UpdateBatched(ctx context.Context, actor int64, fn func(*Tx) error) error {
	return db.updateBatched(ctx, actor, fn, false)
}

// updateBatchedClean is UpdateBatched for a change that checks everything
// before it writes anything: when fn returns an error it has written
// nothing (an error from the database itself fails the whole group, and
// nothing of it is committed). It saves the two round trips of a
// savepoint, which the hottest path — a member's vote — needs.
func (db *DB) updateBatchedClean(ctx context.Context, actor int64, fn func(*Tx) error) error {
	return db.updateBatched(ctx, actor, fn, true)
}

func (db *DB) updateBatched(ctx context.Context, actor int64, fn func(*Tx) error, clean bool) error {
	db.batchOnce.Do(func() {
		db.batch = make(chan *batched, 4*batchMax)
		go db.batchWriter()
	})
	b := &batched{actor: actor, fn: fn, clean: clean, done: make(chan error, 1)}
	select {
	case db.batch <- b:
	case <-db.closed:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, the change is committed or refused whatever the caller's
	// context does: wait for the answer.
	return <-b.done
}

func (db *DB) batchWriter() {
	for {
		var first *batched
		select {
		case first = <-db.batch:
		case <-db.closed:
			return
		}
		group := []*batched{first}
		timer := time.NewTimer(batchWindow)
	collect:
		for len(group) < batchMax {
			select {
			case b := <-db.batch:
				group = append(group, b)
			case <-timer.C:
				break collect
			}
		}
		timer.Stop()
		db.runBatch(group)
	}
}

func (db *DB) runBatch(group []*batched) {
	results := make([]error, len(group))
	var dbErr error // a failure of the database itself, which fails the group
	err := db.Update(context.Background(), 0, func(tx *Tx) error {
		for i, b := range group {
			var head *journalHead
			if tx.head != nil {
				h := *tx.head
				head = &h
			}
			pending := len(tx.pending)
			if !b.clean {
				// The entries of the changes before are written first, so
				// that rolling back to the savepoint cannot undo them.
				if err := tx.writePending(); err != nil {
					return err
				}
				pending = 0
				if _, err := tx.Exec(`SAVEPOINT batched`); err != nil {
					return err
				}
			}
			tx.Actor = b.actor
			err := b.fn(tx)
			if err != nil {
				results[i] = err
				if b.clean && errs.As(err) == nil {
					dbErr = err
					return err
				}
				if !b.clean {
					if _, err := tx.Exec(`ROLLBACK TO SAVEPOINT batched`); err != nil {
						return err
					}
				}
				tx.head = head // the entries it recorded are undone too
				if tx.head == nil {
					tx.journalled = false
				}
				tx.pending = tx.pending[:min(pending, len(tx.pending))]
			}
			if !b.clean {
				if _, err := tx.Exec(`RELEASE SAVEPOINT batched`); err != nil {
					return err
				}
			}
		}
		return nil
	})
	for i, b := range group {
		if err != nil && (results[i] == nil || dbErr != nil) {
			results[i] = err
		}
		b.done <- results[i]
	}
}
