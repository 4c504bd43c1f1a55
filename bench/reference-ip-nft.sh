#!/usr/bin/env bash
# The benchmark's baseline: bench/reference.yaml built the way a shell script
# would, with `ip` and `nft`, then torn down. Same namespaces, links,
# addresses, routes, sysctls and rules as the testbed makes.
set -euo pipefail
p=bip$$
ns() { echo "$p-$1"; }
cleanup() { for n in server alice bob nat-a nat-b internet; do ip netns del "$(ns $n)" 2>/dev/null || true; done; }
trap cleanup EXIT

for n in server alice bob nat-a nat-b internet; do
  ip netns add "$(ns $n)"
  ip netns exec "$(ns $n)" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
    net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$(ns $n)" link set lo up
done
for n in nat-a nat-b; do ip netns exec "$(ns $n)" sysctl -qw net.ipv4.ip_forward=1; done
ip -n "$(ns internet)" link add br0 type bridge
ip -n "$(ns internet)" link set br0 up
i=0
for n in server nat-a nat-b; do
  ip -n "$(ns $n)" link add internet type veth peer name p$i netns "$(ns internet)"
  ip -n "$(ns internet)" link set p$i master br0 up
  i=$((i + 1))
done
ip -n "$(ns alice)" link add home-a type veth peer name home-a netns "$(ns nat-a)"
ip -n "$(ns bob)" link add home-b type veth peer name home-b netns "$(ns nat-b)"
addr() { ip -n "$(ns $1)" addr add "$3" dev "$2"; ip -n "$(ns $1)" link set "$2" up; }
addr server internet 203.0.113.1/24
addr nat-a internet 203.0.113.10/24
addr nat-b internet 203.0.113.20/24
addr nat-a home-a 10.0.1.1/24
addr alice home-a 10.0.1.2/24
addr nat-b home-b 10.0.2.1/24
addr bob home-b 10.0.2.2/24
ip -n "$(ns alice)" route add default via 10.0.1.1
ip -n "$(ns bob)" route add default via 10.0.2.1
for n in nat-a nat-b; do
  ip netns exec "$(ns $n)" nft -f - <<NFT
table ip testbed {
    chain postrouting { type nat hook postrouting priority srcnat; policy accept; oifname "internet" masquerade; }
    chain forward { type filter hook forward priority filter; policy accept;
        iifname "internet" ct state established,related accept; iifname "internet" drop; }
    chain input { type filter hook input priority filter; policy accept;
        iifname "internet" ct state established,related accept; iifname "internet" drop; }
}
NFT
done
