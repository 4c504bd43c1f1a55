#!/usr/bin/env bash
# vagrant/Vagrantfile is valid for Vagrant (`vagrant validate`, without the
# provider blocks, which need VirtualBox or libvirt on the machine). Writes
# Vagrant's state into a folder of the test's own, not into the checkout.
. "$(dirname "$0")/lib.sh"
command -v vagrant >/dev/null || skip "vagrant not installed (ci/install-deps.sh --test-tools installs it): the Vagrantfile is not validated"
here=$(cd "$(dirname "$0")/../../vagrant" && pwd)
cd "$here"
VAGRANT_DOTFILE_PATH="$WORK/dot" VAGRANT_HOME="$WORK/home" VAGRANT_CHECKPOINT_DISABLE=1 \
  vagrant validate --ignore-provider >"$WORK/out" 2>&1 || fail "vagrant validate: $(cat "$WORK/out")"
grep -q 'Vagrantfile validated successfully' "$WORK/out" || fail "unexpected output: $(cat "$WORK/out")"
# It must also reject a broken one (the check is real).
sed 's/config.vm.box = /config.vm.boxx = /' Vagrantfile >"$WORK/Vagrantfile"
mkdir -p "$WORK/v" && mv "$WORK/Vagrantfile" "$WORK/v/"
if (cd "$WORK/v" && VAGRANT_DOTFILE_PATH="$WORK/dot2" VAGRANT_HOME="$WORK/home" VAGRANT_CHECKPOINT_DISABLE=1 \
  vagrant validate --ignore-provider >"$WORK/out2" 2>&1); then
  fail "vagrant validate accepted a Vagrantfile with an unknown setting"
fi
echo "PASS"
