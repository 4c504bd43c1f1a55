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

# A script a step names below /tmp (this test's folder is there) stays
# visible in the node, alone: the node's /tmp is still its own.
printf '#!/bin/sh\necho "script ran; tmp holds $(ls /tmp | wc -l) entries"\n' >"$WORK/check.sh"
touch "$WORK/not-for-nodes"
cat >"$WORK/tmp-script.yaml" <<YAML
name: tmp-script
networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
run:
  - start: script
    on: a
    cmd: [sh, $WORK/check.sh]
  - start: peek
    on: a
    cmd: [sh, -c, 'test ! -e $WORK/not-for-nodes && echo hidden']
  - wait: [script, peek]
    timeout: 5s
expect:
  # The node's /tmp: the run's log folder and the path to the script.
  script: { exit: 0, stdout: '^script ran; tmp holds 2 entries$' }
  peek: { exit: 0, stdout: '^hidden$' }
YAML
"$TESTBED" run "$WORK/tmp-script.yaml" >"$WORK/out" 2>&1 || {
  cat "$WORK/out"
  fail "a script below /tmp named by a step was not visible in the node"
}
assert_host_unchanged
echo PASS
