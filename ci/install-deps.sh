#!/usr/bin/env bash
# Installs everything the testbed needs to build, run and test, from Debian's
# packages only. The README, .ci/run and the Vagrant box all call this one
# script. Idempotent: it installs only what is missing.
#
#   ci/install-deps.sh               what building, running and testing need
#   ci/install-deps.sh --test-tools  also what the project's own CI checks with:
#                                    Chromium (renders the HTML report) and
#                                    Vagrant (validates vagrant/Vagrantfile)
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config
  # netlink: links, addresses, routes, qdiscs
  libnl-3-dev libnl-route-3-dev
  # nftables rules through the library (no nft process)
  libnftables-dev
  # processes inside namespaces (Boost.Process needs Boost.Filesystem in 1.74)
  libboost-dev libboost-filesystem-dev
  # parsing, CLI, JSON, formatting, tests, peer authentication
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libfmt-dev doctest-dev libsodium-dev
  # used only by the benchmark's ip/nft baseline and by the leak checks of tests
  iproute2 nftables
  # run --capture: packet sockets and pcap files
  libpcap-dev
  # every user-supplied regular expression: linear time, no recursion on input
  libre2-dev
  # the tests' check of the JUnit report against its schema (xmllint), of the
  # testbed's peak memory (GNU time), and of names in a node's /etc/hosts (ping)
  libxml2-utils time iputils-ping
)
case "${1:-}" in
  --test-tools) packages+=(chromium vagrant) ;;
  "") ;;
  *) echo "install-deps: unknown option '$1' (expected --test-tools or nothing)" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (sudo) to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
