#!/usr/bin/env bash
# Shows that the box's provisioning runs cleanly on a fresh Debian 12 without
# a hypervisor: debootstraps a minimal bookworm root, puts the committed tree
# of this checkout in it at /testbed (git archive), runs ci/install-deps.sh
# there (what `vagrant up` runs), then builds the testbed and runs the unit
# tests inside it with no network at all. Mounts live in a mount namespace of
# their own, so nothing stays mounted even if this is killed.
# Needs root, debootstrap, git and a Debian mirror (DEBIAN_MIRROR).
# Usage: sudo vagrant/check-provision.sh [--keep] [DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
keep=false
[ "${1:-}" = --keep ] && { keep=true; shift; }
root=${1:-$(mktemp -d /var/tmp/testbed-provision.XXXXXX)}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ "$(id -u)" -eq 0 ] || { echo "check-provision: needs root" >&2; exit 3; }
command -v debootstrap >/dev/null || { echo "check-provision: apt-get install debootstrap" >&2; exit 3; }
$keep || trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"  # apt drops to its _apt user to download

echo "== debootstrap bookworm into $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 \
  || { tail -20 "$root.debootstrap.log" >&2; exit 1; }
rm -f "$root.debootstrap.log"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"  # no service starts in the root
chmod +x "$root/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/testbed"
git -C "$here" archive HEAD | tar -x -C "$root/testbed"

in_root() {  # [unshare options] -- command
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  unshare --mount --propagation private "${opts[@]}" \
    sh -c 'mount -t proc proc "$0/proc" && mount -t devpts devpts "$0/dev/pts" &&
      exec chroot "$0" "$@"' "$root" "$@"
}

echo "== provisioning: /testbed/ci/install-deps.sh (as the Vagrantfile runs it)"
in_root -- /testbed/ci/install-deps.sh
in_root -- /testbed/ci/install-deps.sh  # a second run installs nothing
echo "== build and unit tests inside the root, without network"
in_root --net -- sh -c 'cd /testbed && cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null &&
  cmake --build build -j"$(nproc)" --target testbed unit_tests >/dev/null && build/bin/unit_tests &&
  build/bin/testbed validate topologies >/dev/null && echo "validate: every bundled topology ok"'
echo "check-provision: PASS"
