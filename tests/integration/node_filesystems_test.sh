#!/usr/bin/env bash
# Each node's /tmp, /run, /etc/hosts and /proc are its own, and nothing of
# them reaches the machine: its mount table is as before, the files the
# nodes' daemons wrote at /run and /tmp are not on the machine, and its
# /etc/hosts is untouched.
. "$(dirname "$0")/lib.sh"
require_root
command -v ping >/dev/null || skip "ping (iputils-ping) is not installed: ci/install-deps.sh installs it"
save_host
hosts_before=$(sha256sum /etc/hosts)
[ ! -e /run/daemon.pid ] || fail "/run/daemon.pid exists before the run: cannot tell"
"$TESTBED" run "$TOPOLOGIES/examples/node-filesystems.yaml" >"$WORK/out" 2>&1 || {
  cat "$WORK/out"
  fail "the run failed"
}
cat "$WORK/out"
[ ! -e /run/daemon.pid ] || fail "a node's /run/daemon.pid reached the machine's /run"
[ "$(sha256sum /etc/hosts)" = "$hosts_before" ] || fail "the machine's /etc/hosts changed"
assert_host_unchanged
echo PASS
