#!/usr/bin/env bash
# Dynamic scan: starts asamblea with the demo data on a free local port, logs
# in as a demo facilitator through the /login form, and runs wapiti and sqlmap
# (Debian packages) against it with that session. It fails on any finding:
# a vulnerability reported by wapiti, any 5xx anomaly (a 500 is a bug), or any
# parameter sqlmap finds injectable or whose heuristics show a database error
# or an unescaped reflection. Classes of findings that are ignored are listed
# in IGNORED below, each with its reason.
#
#   bash tools/scan/run.sh [OUTDIR]     # reports are kept in OUTDIR
#
# Time: wapiti is bounded by --max-scan-time and --max-attack-time, sqlmap by
# timeout(1); the whole script takes about 5 minutes.
set -euo pipefail

cd "$(dirname "$0")/../.."
for tool in wapiti sqlmap python3 curl; do
	command -v "$tool" >/dev/null || { echo "scan: $tool is not installed (apt-get install wapiti sqlmap)" >&2; exit 2; }
done

out=${1:-$(mktemp -d)}
mkdir -p "$out"
tmp=$(mktemp -d)
server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# Crawling is bounded by WAPITI_CRAWL, each wapiti module by WAPITI_ATTACK,
# sqlmap as a whole by SQLMAP_TIME (seconds).
WAPITI_CRAWL=${WAPITI_CRAWL:-60}
WAPITI_ATTACK=${WAPITI_ATTACK:-20}
SQLMAP_TIME=${SQLMAP_TIME:-75}

go build -o "$tmp/asamblea" ./cmd/asamblea
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$tmp/asamblea" serve --demo --db "$tmp/scan.db" --addr "127.0.0.1:$port" \
	--journal-key "$tmp/j.key" --records-key "$tmp/r.key" >"$out/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 120); do
	curl -fsS "$base/healthz" >/dev/null 2>&1 && break
	kill -0 "$server_pid" 2>/dev/null || { cat "$out/server.log" >&2; echo "scan: the server exited" >&2; exit 1; }
	sleep 0.5
done
curl -fsS "$base/healthz" >/dev/null

# The first committee's facilitator, as the demo prints it.
user=$(sed -n 's/.* facilitator \(.*[^ ]\) *invitation .*/\1/p' "$out/server.log" | head -1)
password=$(sed -n 's/^demo: every account.s password is "\(.*\)"\..*/\1/p' "$out/server.log")
[ -n "$user" ] && [ -n "$password" ] || { cat "$out/server.log" >&2; echo "scan: no demo login printed" >&2; exit 1; }

# Log in through the page: GET /login sets the CSRF cookie and puts its token
# in the form; POST /login sets the session cookie.
jar="$tmp/cookies.txt"
csrf=$(curl -fsS -c "$jar" -b "$jar" "$base/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
[ -n "$csrf" ] || { echo "scan: no CSRF token on /login" >&2; exit 1; }
code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
	--data-urlencode "csrf=$csrf" --data-urlencode "name=$user" --data-urlencode "password=$password" "$base/login")
session=$(awk '$6 == "asamblea" { print $7 }' "$jar")
csrfcookie=$(awk '$6 == "asamblea-csrf" { print $7 }' "$jar")
if [ "$code" != 303 ] || [ -z "$session" ]; then
	echo "scan: login as $user failed (HTTP $code)" >&2
	exit 1
fi
# The session works: /account is only for signed-in people.
[ "$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" "$base/account")" = 200 ] || { echo "scan: the session does not open /account" >&2; exit 1; }
echo "scan: logged in as $user on $base"

# Routes that would end the scan's own session or destroy the state it
# crawls: signing out, ending sessions, leaving or being removed from a body,
# locking a commission down, and changing the language (which only redirects).
exclude_re='logout|/sessions/|/leave|/remove|/lock|/lockdown|/unlock|/lang'
wapiti_excludes=()
for p in /logout "/account/sessions/*" "/bodies/*/leave" "/bodies/*/members/*/remove" "/actions/*/leave" \
	"/commissions/*/lock" "/commissions/*/lockdown" "/commissions/*/unlock" /lang; do
	wapiti_excludes+=(-x "$base$p")
done

python3 - "$tmp/wapiti-cookies.json" "$session" "$csrfcookie" <<'EOF'
import json, sys
path, session, csrf = sys.argv[1:]
cookie = lambda v: {"value": v, "version": 0, "expires": None, "secure": False, "port": None}
json.dump({"127.0.0.1": {"/": {"asamblea": cookie(session), "asamblea-csrf": cookie(csrf)}}}, open(path, "w"))
EOF

status=0
# wapiti's own interpreter (its shebang), which may not be the first python3.
wapiti_python=$(sed -n '1s/^#! *//p' "$(command -v wapiti)")

echo "scan: wapiti (crawl ${WAPITI_CRAWL}s, then ${WAPITI_ATTACK}s a module)"
# tools/scan/wapiti.py runs wapiti with its --exclude patterns mended (they
# crash wapiti 3.0.4 on Python 3.11). The modules: those that look for
# injection, XSS, redirects, file access and command execution, plus the
# header, cookie and CSP checks. Not used: "blindsql" (time-based and slow;
# sqlmap below covers SQL injection), "ssrf" and "xxe" (they need wapiti's
# endpoint on the Internet), "crlf" (Go's net/http refuses CR and LF in
# header values), and "csrf":
# every form carries a token checked against a per-session cookie (see
# httpauth.CheckCSRF), and wapiti 3.0.4 only guesses from field names.
# The csrf field itself is not attacked (--skip csrf): a bad token is a 403
# by design, and attacking it would hide the form behind it.
"$wapiti_python" tools/scan/wapiti.py -u "$base/" --scope folder -c "$tmp/wapiti-cookies.json" \
	-m "sql,exec,file,xss,permanentxss,redirect,http_headers,cookieflags,csp,methods" \
	--skip csrf "${wapiti_excludes[@]}" \
	--max-scan-time "$WAPITI_CRAWL" --max-attack-time "$WAPITI_ATTACK" --max-links-per-page 40 --max-files-per-dir 30 -d 3 \
	-t 10 --flush-session --store-session "$tmp/wapiti-session" --store-config "$tmp/wapiti-config" \
	--no-bugreport -v 1 -f json -o "$out/wapiti.json" >"$out/wapiti.log" 2>&1 || {
	tail -20 "$out/wapiti.log" >&2
	echo "scan: wapiti failed to run" >&2
	status=1
}

if [ -f "$out/wapiti.json" ]; then
	python3 - "$out/wapiti.json" <<'EOF' || status=1
import json, sys
# IGNORED, each with its reason:
IGNORED = {
    # The scan runs over plain HTTP on 127.0.0.1, where a Secure cookie would
    # not be sent back. Over TLS the cookies are __Host- prefixed and Secure
    # (httpauth.sessionCookie), which the httpauth tests check.
    "Secure Flag cookie",
    # Same reason: HSTS is only meaningful over TLS, which the reverse proxy
    # in front of asamblea terminates; the scan cannot see it.
    "Strict-Transport-Security",
    # Obsolete: browsers removed the XSS auditor this header steered, and
    # OWASP advises not to set it; the Content-Security-Policy asamblea sends
    # (checked by the csp module) is what limits scripts.
    "X-XSS-Protection",
}
report = json.load(open(sys.argv[1]))
found = []
for section in ("vulnerabilities", "anomalies"):
    for kind, items in (report.get(section) or {}).items():
        for item in items or []:
            info = item.get("info", "")
            if kind in IGNORED or any(i in info for i in IGNORED):
                continue
            found.append(f"{section}: {kind}: {item.get('method', '')} {item.get('path', '')} {item.get('parameter', '')}: {info}")
print(f"scan: wapiti: {len(found)} finding(s)")
for f in found:
    print("  " + f)
sys.exit(1 if found else 0)
EOF
else
	echo "scan: wapiti wrote no report" >&2
	status=1
fi

echo "scan: wapiti crawled $(sed -n '/Launching module/q; /^\[+\] [A-Z]* http/p' "$out/wapiti.log" | wc -l) URLs and forms"
echo "scan: sqlmap (at most ${SQLMAP_TIME}s)"
# Crawl two levels from the home page, test every form and query parameter
# at level 1 / risk 1 except the CSRF token. --smart tests only the
# parameters whose heuristics look promising, which keeps it within time;
# the heuristics themselves (DBMS errors, unescaped reflections) are read
# below as findings.
sqlmap_rc=0
timeout "$SQLMAP_TIME" sqlmap -u "$base/" --cookie "asamblea=$session; asamblea-csrf=$csrfcookie" \
	--batch --crawl=2 --crawl-exclude "$exclude_re" --forms --smart --level 1 --risk 1 \
	--skip csrf --timeout 10 --retries 0 --threads 2 --disable-coloring \
	--output-dir "$tmp/sqlmap" >"$out/sqlmap.log" 2>&1 || sqlmap_rc=$?
if [ "$sqlmap_rc" = 124 ]; then
	echo "scan: sqlmap stopped after ${SQLMAP_TIME}s (the parameters tested by then are in sqlmap.log)"
elif [ "$sqlmap_rc" != 0 ]; then
	tail -20 "$out/sqlmap.log" >&2
	echo "scan: sqlmap failed to run (exit $sqlmap_rc)" >&2
	status=1
fi
cp -r "$tmp/sqlmap" "$out/sqlmap" 2>/dev/null || true
if grep -E "is vulnerable|appears to be .*injectable|might be injectable|might be vulnerable to cross-site scripting|sqlmap identified the following injection point" "$out/sqlmap.log" >&2 ||
	find "$tmp/sqlmap" -name log -size +0 2>/dev/null | grep -q .; then
	echo "scan: sqlmap found an injection (see $out/sqlmap.log)" >&2
	status=1
else
	echo "scan: sqlmap tested $(grep -cE '^\[[0-9]+/[0-9]+\] (Form|URL)' "$out/sqlmap.log" || true) forms and URLs, no finding"
fi

# A 500 during the scan is a bug even if no scanner reported it.
if grep -E '"status":5[0-9][0-9]|status=5[0-9][0-9]|panic' "$out/server.log" >&2; then
	echo "scan: the server answered 5xx or panicked during the scan" >&2
	status=1
fi

[ "$status" = 0 ] && echo "scan: no finding (reports in $out)"
exit "$status"
