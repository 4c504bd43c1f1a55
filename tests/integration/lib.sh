# Helpers for the integration tests (sourced). Each test is one script that
# CTest runs; exit 77 means SKIP (with the reason printed), never PASS.
set -euo pipefail

TESTBED=${TESTBED:?TESTBED must point at the testbed binary}
TOPOLOGIES=${TOPOLOGIES:?TOPOLOGIES must point at the topologies folder}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" -eq 0 ] || skip "needs root to create network namespaces (run: sudo ./testbed test)"
}

# What the machine's own network namespace (and its mount table) looks like;
# the testbed must never change it. Namespace handles (nsfs, made by `up`)
# are compared through /run/netns instead.
host_snapshot() {
  {
    findmnt -rn -o TARGET,FSTYPE | grep -v ' nsfs$'
    ip -o link show | sed 's/ qdisc.*//' | awk '{print $2}'
    ip -o addr show
    ip route show table all
    ip netns list
    nft list ruleset 2>/dev/null || true
    cat /proc/sys/net/ipv4/ip_forward
    ls /run/netns 2>/dev/null || true
  } | sort
}

save_host() { host_snapshot >"$WORK/host.before"; }

assert_host_unchanged() {
  host_snapshot >"$WORK/host.after"
  diff -u "$WORK/host.before" "$WORK/host.after" >&2 || fail "the machine's own network namespace changed"
}

# Polls a command until it succeeds or the deadline (seconds) passes.
wait_until() {
  local deadline=$(($(date +%s) + $1)); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

no_process_matching() { ! pgrep -f "$1" >/dev/null; }
