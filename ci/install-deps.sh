#!/usr/bin/env bash
# Installs everything the testbed needs to build, run and test, from Debian's
# packages only. The README, .ci/run and the Vagrant box all call this one
# script. Idempotent: it installs only what is missing.
#
#   ci/install-deps.sh               what building, running and testing need
#   ci/install-deps.sh --test-tools  also what the project's own CI checks with:
#                                    Chromium (renders the HTML report),
#                                    Vagrant (validates vagrant/Vagrantfile) and
#                                    the third-party programs of the recipes in
#                                    topologies/thirdparty/ (coturn, nebula, n2n)
#                                    and the port-mapping clients (upnpc, natpmpc)
#
# The recipes' programs are daemons the tests run inside namespaces only:
# their packages' own services are neither started nor enabled on this
# machine (a policy-rc.d for the install, then `systemctl disable`).
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
  # drawings: Graphviz's library lays out and renders SVG in-process (graph --svg)
  libgraphviz-dev
  # routers with port-mapping: the real UPnP IGD / NAT-PMP / PCP gateway
  # daemon, run in the router's namespace (the package starts no service)
  miniupnpd-nftables
  # the peer's port mapping: UPnP IGD and NAT-PMP clients (PCP is the peer's own)
  libminiupnpc-dev libnatpmp-dev
  # the tests' check of the JUnit report against its schema (xmllint), of the
  # testbed's peak memory (GNU time), and of names in a node's /etc/hosts (ping)
  libxml2-utils time iputils-ping
)
case "${1:-}" in
  --test-tools) packages+=(chromium vagrant coturn nebula n2n miniupnpc natpmpc) ;;
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

# Services of packages installed here that must not run on the machine itself.
services=()
for p in "${missing[@]}"; do
  case "$p" in coturn) services+=(coturn.service) ;; n2n) services+=(n2n.service) ;; esac
done
# invoke-rc.d and deb-systemd-invoke start nothing while policy-rc.d says 101;
# one the machine already has is left alone (then the services are stopped).
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ${#services[@]} -gt 0 ] && (set -C; printf '#!/bin/sh\nexit 101\n' >"$policy") 2>/dev/null; then
  own_policy=true
  chmod 0755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

if [ ${#services[@]} -gt 0 ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  if $own_policy; then
    systemctl disable -q "${services[@]}" 2>/dev/null || true
  else
    systemctl disable -q --now "${services[@]}" 2>/dev/null || true
  fi
fi
