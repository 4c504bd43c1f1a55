# Sourced by the benchmark scripts: `bench_init NAME` checks root and the
# build, sets $here, $testbed (TESTBED overrides it) and a $tmp folder
# removed on exit; median reads numbers on stdin ("-" for none).
bench_init() {
  local name=$1
  here=$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)
  testbed=${TESTBED:-$here/../build/bin/testbed}
  [ "$(id -u)" -eq 0 ] || { echo "$name: needs root (sudo bench/$name.sh)" >&2; exit 3; }
  [ -x "$testbed" ] || { echo "$name: build first (./testbed --help builds it)" >&2; exit 2; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }
