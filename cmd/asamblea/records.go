package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"

	"asamblea/store"
	"asamblea/vault"
)

// recordsKeyFlag adds --records-key: the file holding the key that wraps the
// commissions' record keys. It lives outside the database (by default beside
// the SQLite file), so that a copy of the database alone reveals nothing.
func recordsKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("records-key", os.Getenv("ASAMBLEA_RECORDS_KEY"), "file with the key that wraps the commissions' record keys; created if missing, wrapped when a passphrase is given (default: records.key in --keys) (env ASAMBLEA_RECORDS_KEY)")
}

// useRecordsKey reads the records key file (plain or wrapped), creating it
// with a fresh key if there is none, and gives it to the store. "off" runs
// with no key file: commissions then protect their keys with passphrases
// only.
func useRecordsKey(db *store.DB, nk *nodeKeys, stderr io.Writer) error {
	path := nk.records
	if path == "off" {
		return nil
	}
	b, err := nk.ring.Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		k, err := vault.NewKey()
		if err != nil {
			return err
		}
		if err := nk.ring.Create(path, vault.EncodeKeyFile(k)); err != nil {
			return fmt.Errorf("records key: %w", err)
		}
		fmt.Fprintf(stderr, "asamblea: created the records key file %s — keep it apart from database copies and backups\n", path)
		db.SetRecordsKey(&k)
		return nil
	}
	if err != nil {
		return fmt.Errorf("records key: %w", err)
	}
	k, err := vault.ParseKeyFile(b)
	if err != nil {
		return fmt.Errorf("records key %s: %w", path, err)
	}
	db.SetRecordsKey(&k)
	return nil
}
