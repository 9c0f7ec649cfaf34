package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"asamblea/store"
)

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestDemoThenVerify(t *testing.T) {
	db := filepath.Join(t.TempDir(), "data", "a.db")
	code, out, errs := runCmd("demo", "--db", db)
	if code != 0 || !strings.Contains(out, "Comité de Lucha de Juliaca") || !strings.Contains(out, "asamblea demo 2023") {
		t.Fatalf("demo: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCmd("verify", "--db", db)
	if code != 0 || !strings.Contains(out, "entries checked, chain intact") {
		t.Fatalf("verify: exit %d %s", code, out)
	}
	// A second demo leaves the data alone.
	if code, out, _ = runCmd("demo", "--db", db); code != 0 || !strings.Contains(out, "already has accounts") {
		t.Fatalf("second demo: %d %s", code, out)
	}

	// Someone with the file edits a vote-like record directly.
	s, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ExecRaw(context.Background(), `UPDATE journal SET payload = '{"name":"otro"}' WHERE seq = 7`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	code, _, errs = runCmd("verify", "--db", db)
	if code == 0 || !strings.Contains(errs, "entry 7") {
		t.Fatalf("verify after tampering: exit %d, %q", code, errs)
	}
}

func TestDBFromEnvironment(t *testing.T) {
	db := filepath.Join(t.TempDir(), "env.db")
	t.Setenv("ASAMBLEA_DB", db)
	if code, out, errs := runCmd("migrate"); code != 0 || !strings.HasPrefix(out, "migrations applied: ") || strings.Contains(out, ": 0") {
		t.Fatalf("migrate: %d %s %s", code, out, errs)
	}
	if code, out, _ := runCmd("migrate"); code != 0 || !strings.Contains(out, "migrations applied: 0") {
		t.Fatalf("second migrate: %d %s", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := map[string]struct {
		args []string
		code int
		want string
	}{
		"NoCommand":      {nil, 2, "Usage:"},
		"UnknownCommand": {[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		"BadFlag":        {[]string{"verify", "--nope"}, 2, "flag provided but not defined"},
		"NegativeScale":  {[]string{"demo", "--scale", "-1"}, 2, "--scale must be 0 or more"},
		"DemoInPublic":   {[]string{"serve", "--demo", "--trust-proxy"}, 2, "not for a public node"},
		"UnreachableDB":  {[]string{"verify", "--db", "postgres://nobody@127.0.0.1:1/none"}, 1, "postgres"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			code, _, errs := runCmd(tc.args...)
			if code != tc.code || !strings.Contains(errs, tc.want) {
				t.Fatalf("exit %d, stderr %q", code, errs)
			}
		})
	}
	if code, out, _ := runCmd("version"); code != 0 || !strings.HasPrefix(out, "asamblea ") {
		t.Fatalf("version: %d %q", code, out)
	}
}

func TestRedactAddresses(t *testing.T) {
	var b bytes.Buffer
	redact{&b}.Write([]byte("http: TLS handshake error from 203.0.113.9:51234: EOF; from [2001:db8::1]:443 and ::1\n"))
	if got := b.String(); strings.ContainsAny(got, "0123456789") && (strings.Contains(got, "203.0") || strings.Contains(got, "2001:db8")) {
		t.Fatalf("address left in %q", got)
	}
}
