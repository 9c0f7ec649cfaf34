#!/usr/bin/env bash
# Runs every Go fuzz target of the module for a bounded time each, two at a
# time (one worker each), and fails if any finds a failing input. Go writes
# such an input to <package>/testdata/fuzz/<Target>/, where `go test` runs it
# from then on: commit it with the fix.
#
#   bash tools/fuzz/run.sh [--keep] [TIME]    # TIME per target, default 4s
#
# FUZZ_MATCH, a regular expression, limits the run to the "dir Target" lines
# it matches (FUZZ_MATCH='^web ' for the page forms).
#
# With --keep, the corpus the runs built up (kept by Go in its cache) is
# copied into testdata/fuzz/<Target>/ too (inputs of at most 2 KiB, at most
# 40 new ones a target), to be committed: `go test ./...` then runs every
# one of them, on every machine.
set -euo pipefail
cd "$(dirname "$0")/../.."

keep=
if [ "${1:-}" = --keep ]; then keep=1; shift; fi
fuzztime=${1:-4s}
lanes=2
cache="$(go env GOCACHE)/fuzz/$(go list -m)"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

# Every target: "package-dir Target", from the test files.
mapfile -t targets < <(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . |
	sed -E 's|^\./(.*)/[^/]*_test\.go:func (Fuzz[A-Za-z0-9_]*)\($|\1 \2|' | sort -u |
	grep -E "${FUZZ_MATCH:-.}")
echo "fuzz: ${#targets[@]} targets, $fuzztime each, $lanes at a time"

# (The seed corpora alone run in `go test ./...`.) A package's first
# target builds its instrumented test binary, which the go build cache then
# shares.
fuzz_one() {
	go test -run '^$' -fuzz "^$2\$" -fuzztime "${3:-$fuzztime}" -parallel 1 "./$1" >"$logs/$2.log" 2>&1
}

# timed_out reports whether a run failed only because its time was up
# before the fuzzer had gone through the corpus once (on a busy machine the
# instrumented binary's start and that first pass can take longer than a
# short TIME): Go says "context deadline exceeded" and writes no input.
timed_out() {
	grep -q 'context deadline exceeded' "$logs/$1.log" && ! grep -q 'Failing input written' "$logs/$1.log"
}

# Packages, not targets, are shared out between the lanes: two fuzzers of
# one package at once have twice stalled before their first pass (the
# run ends with "context deadline exceeded" and no input).
mapfile -t dirs < <(printf '%s\n' "${targets[@]}" | cut -d' ' -f1 | uniq)
lane_of() {
	local i
	for i in "${!dirs[@]}"; do
		if [ "${dirs[$i]}" = "$1" ]; then echo $((i % lanes)); return; fi
	done
}

run_lane() {
	local lane=$1 status=0
	for t in "${targets[@]}"; do
		local dir=${t% *} name=${t#* }
		if [ "$(lane_of "$dir")" -ne "$lane" ]; then continue; fi
		# A build that fails while the other lane builds the same packages
		# is tried once more.
		# A run whose time was up before its first pass is given 20s.
		if fuzz_one "$dir" "$name" || { grep -q 'build failed\|setup failed' "$logs/$name.log" && fuzz_one "$dir" "$name"; } ||
			{ timed_out "$name" && fuzz_one "$dir" "$name" 20s; }; then
			printf 'fuzz: %-28s ok   %s\n' "$name" "$(grep -Eo 'execs: [0-9]+' "$logs/$name.log" | tail -1)"
		else
			printf 'fuzz: %-28s FAIL (%s)\n' "$name" "$dir"
			grep -v '^fuzz: elapsed' "$logs/$name.log" | tail -25
			status=1
		fi
	done
	return $status
}

pids=()
for lane in $(seq 0 $((lanes - 1))); do
	run_lane "$lane" &
	pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done

if [ -n "$keep" ]; then
	added=0
	for t in "${targets[@]}"; do
		dir=${t% *} name=${t#* }
		from="$cache/$dir/$name"
		[ -d "$from" ] || continue
		to="$dir/testdata/fuzz/$name"
		n=0
		for f in $(find "$from" -type f -size -2049c | sort); do
			[ $n -lt 40 ] || break
			[ -e "$to/$(basename "$f")" ] && continue
			mkdir -p "$to"
			cp "$f" "$to/"
			n=$((n + 1)) added=$((added + 1))
		done
	done
	echo "fuzz: $added corpus entries copied into testdata/fuzz; commit them"
fi

if [ $status -ne 0 ]; then
	echo "fuzz: a target failed; its input is in <package>/testdata/fuzz/<Target>/" >&2
fi
exit $status
