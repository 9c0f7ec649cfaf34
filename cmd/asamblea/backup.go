package main

import (
	"fmt"
	"io"
)

// cmdBackup writes an encrypted, consistent snapshot of the database.
func cmdBackup(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "asamblea: backup: not yet")
	return 2
}

// cmdRestore brings back a snapshot written by backup.
func cmdRestore(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "asamblea: restore: not yet")
	return 2
}
