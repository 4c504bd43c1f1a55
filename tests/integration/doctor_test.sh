#!/usr/bin/env bash
# testbed doctor tells the truth about this machine: every required feature
# ok (the suite runs here), the optional qdiscs reported exactly as iproute2's
# `tc` finds them in a namespace of its own (the oracle), nothing changed on
# the machine, and without root the kernel checks are unchecked, not ok.
. "$(dirname "$0")/lib.sh"
require_root
command -v tc >/dev/null && command -v unshare >/dev/null || skip "tc (iproute2) or unshare missing: no oracle"
save_host
"$TESTBED" doctor >"$WORK/out" 2>&1 || fail "doctor says this machine is not ready: $(cat "$WORK/out")"
cat "$WORK/out"
for feature in 'network namespaces' 'veth pairs' 'bridges' 'PID namespaces' \
  'nftables NAT and firewall rules' 'conntrack flush over netlink' 'conntrack timeouts per namespace' \
  'packet sockets' 'rendezvous peer testbed-init'; do
  grep -Eq "^  ok +$feature" "$WORK/out" || fail "'$feature' is not reported ok"
done
oracle() { # kind, tc arguments...: does the kernel take this qdisc?
  unshare --net sh -c "ip link add name va type veth peer name vb && tc qdisc add dev va root $*" 2>/dev/null
}
for q in "tbf:tbf rate 10mbit burst 16k limit 100k" "netem:netem delay 1ms"; do
  kind=${q%%:*}
  if oracle "${q#*:}"; then want=ok; else want=missing; fi
  grep -Eq "^  $want +$kind qdisc" "$WORK/out" || fail "$kind: tc says '$want', doctor does not"
done
grep -q '^verdict: ready' "$WORK/out" || fail "no 'ready' verdict"

# A correct file this kernel cannot run is no bad input: `validate` warns,
# naming the feature, and exits 3 (0 where the kernel has it), as `run` SKIPs.
set +e
"$TESTBED" validate "$TOPOLOGIES/link/delay.yaml" >"$WORK/validate" 2>&1
rc=$?
set -e
cat "$WORK/validate"
if oracle "netem delay 1ms"; then
  [ "$rc" -eq 0 ] || fail "validate of link/delay.yaml with netem: exit $rc"
else
  [ "$rc" -eq 3 ] || fail "validate of link/delay.yaml without netem: exit $rc, expected 3"
  grep -q "delay.yaml: warning: this machine cannot run it: .*CONFIG_NET_SCH_NETEM" "$WORK/validate" ||
    fail "the warning does not name netem"
  ! grep -q "error:" "$WORK/validate" || fail "a file this kernel cannot run is called an error"
fi
assert_host_unchanged

# A copy any user can run, wherever the build lives.
install -d -m 0755 "$WORK/nobody"
install -m 0755 "$TESTBED" "$WORK/nobody/testbed"
chmod 0755 "$WORK"
set +e
setpriv --reuid 65534 --regid 65534 --clear-groups "$WORK/nobody/testbed" doctor >"$WORK/user" 2>&1
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "without root doctor should exit 3, got $rc: $(cat "$WORK/user")"
grep -Eq '^  unchecked +veth pairs' "$WORK/user" || fail "without root the kernel checks must be 'unchecked'"
grep -q '^verdict: NOT READY' "$WORK/user" || fail "without root the verdict must be NOT READY"
echo "PASS"
