#include "plan/ruleset.h"

#include <doctest/doctest.h>

#include "kernel/features.h"
#include "kernel/realizer.h"
#include "plan/plan.h"
#include "support/fake_kernel.h"
#include "support/helpers.h"

using namespace testbed;
using testing::contains;

namespace {

RouterRules nat_router(const char* preset) {
    RouterRules rules;
    rules.router = "nat-a";
    rules.wan = "internet";
    rules.public_addresses = {*Ipv4::parse("203.0.113.10")};
    rules.lans = {"home-a"};
    rules.lan_subnets = {*Subnet::parse("10.0.1.0/24")};
    if (preset) rules.nat = *nat_preset(preset);
    return rules;
}

}  // namespace

TEST_CASE("rulesets: golden text for a port-restricted cone NAT (plain masquerade)") {
    const RulesetResult r = router_ruleset(nat_router("port-restricted-cone"));
    CHECK(r.warnings.empty());
    CHECK(r.sysctls.empty());
    CHECK(r.text == R"(table ip testbed {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "internet" masquerade
    }
    chain forward {
        type filter hook forward priority filter; policy accept;
        oifname "internet" ct state invalid drop
        iifname "internet" ct state established,related accept
        iifname "internet" drop
    }
    chain input {
        type filter hook input priority filter; policy accept;
        iifname "internet" ct state established,related accept
        iifname "internet" drop
    }
}
)");
}

TEST_CASE("rulesets: golden text for a full cone NAT (EI filtering through a dynamic map)") {
    const RulesetResult r = router_ruleset(nat_router("full-cone"));
    CHECK(r.warnings.empty());
    CHECK(r.text == R"(table ip testbed {
    map udp_mapped { type ipv4_addr . inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 120s; }
    map tcp_mapped { type ipv4_addr . inet_service : ipv4_addr . inet_service; flags dynamic,timeout; timeout 7440s; }
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "internet" masquerade
    }
    chain record {
        type filter hook postrouting priority srcnat + 10; policy accept;
        oifname "internet" meta l4proto udp update @udp_mapped { ip saddr . udp sport : ct original ip saddr . ct original proto-src }
        oifname "internet" meta l4proto tcp update @tcp_mapped { ip saddr . tcp sport : ct original ip saddr . ct original proto-src }
    }
    chain inbound {
        type nat hook prerouting priority dstnat; policy accept;
        iifname "internet" meta l4proto udp dnat ip to ip daddr . udp dport map @udp_mapped
        iifname "internet" meta l4proto tcp dnat ip to ip daddr . tcp dport map @tcp_mapped
    }
    chain forward {
        type filter hook forward priority filter; policy accept;
        oifname "internet" ct state invalid drop
        iifname "internet" ct state established,related accept
        iifname "internet" ct status dnat accept
        iifname "internet" drop
    }
    chain input {
        type filter hook input priority filter; policy accept;
        iifname "internet" ct state established,related accept
        iifname "internet" drop
    }
}
)");
}

TEST_CASE("rulesets: restricted cone screens new inbound packets by remote address") {
    const RulesetResult r = router_ruleset(nat_router("restricted-cone"));
    CHECK(r.warnings.empty());
    CHECK(contains(r.text,
                   "set udp_contacted { type ipv4_addr . inet_service . ipv4_addr; flags "
                   "dynamic,timeout;"));
    CHECK(contains(r.text, "update @udp_contacted { ip saddr . udp sport . ip daddr }"));
    CHECK(contains(r.text, "type filter hook prerouting priority dstnat - 10;"));
    CHECK(contains(r.text,
                   "iifname \"internet\" ct state new meta l4proto udp ip daddr . udp dport . ip "
                   "saddr != "
                   "@udp_contacted drop"));
}

TEST_CASE("rulesets: hairpinning translates inside traffic to the public address, both ways") {
    RouterRules rules = nat_router("port-restricted-cone");
    rules.nat->hairpin = true;
    const RulesetResult r = router_ruleset(rules);
    CHECK(contains(r.text,
                   "iifname != \"internet\" ip daddr 203.0.113.10 meta l4proto udp dnat ip to ip "
                   "daddr . udp dport map @udp_mapped"));
    CHECK(contains(
        r.text,
        "oifname != \"internet\" ct status dnat ip saddr { 10.0.1.0/24 } snat ip to 203.0.113.10"));
    // Filtering stays address-and-port-dependent: no inbound dnat from the wan.
    CHECK_FALSE(contains(r.text, "iifname \"internet\" meta l4proto udp dnat"));
}

TEST_CASE("rulesets: timeouts become map lifetimes and conntrack sysctls") {
    RouterRules rules = nat_router("full-cone");
    rules.nat->udp_timeout = std::chrono::seconds(10);
    rules.nat->tcp_timeout = std::chrono::milliseconds(1500);
    const RulesetResult r = router_ruleset(rules);
    CHECK(
        contains(r.text,
                 "map udp_mapped { type ipv4_addr . inet_service : ipv4_addr . inet_service; flags "
                 "dynamic,timeout; timeout 10s; }"));
    CHECK(contains(r.text, "timeout 1500ms;"));
    using S = std::pair<std::string, std::string>;
    CHECK(r.sysctls == std::vector<S>{{"net/netfilter/nf_conntrack_udp_timeout", "10"},
                                      {"net/netfilter/nf_conntrack_udp_timeout_stream", "10"},
                                      {"net/netfilter/nf_conntrack_tcp_timeout_established", "2"}});
    // A shorter timeout before the first reply: conntrack's unreplied one.
    rules.nat->udp_timeout_initial = std::chrono::seconds(4);
    rules.nat->tcp_timeout.reset();
    CHECK(router_ruleset(rules).sysctls ==
          std::vector<S>{{"net/netfilter/nf_conntrack_udp_timeout", "4"},
                         {"net/netfilter/nf_conntrack_udp_timeout_stream", "10"}});
}

TEST_CASE("rulesets: symmetric uses random ports, approximations are warned about, not hidden") {
    const RulesetResult sym = router_ruleset(nat_router("symmetric"));
    CHECK(contains(sym.text, "masquerade random"));
    CHECK(contains(
        sym.text,
        "oifname \"internet\" meta l4proto { tcp, udp } masquerade to :1024-65535 random"));
    CHECK(sym.warnings.empty());
    const RulesetResult seq = router_ruleset(nat_router("symmetric-sequential"));
    CHECK(seq.warnings.empty());
    CHECK(contains(seq.text,
                   "snat ip to 203.0.113.10 : numgen inc mod 1000 map { 0 : 20000, 1 : 20001,"));
    RouterRules stepped = nat_router("symmetric-sequential");
    stepped.nat->port_step = 2;
    CHECK(contains(router_ruleset(stepped).text, "mod 1000 map { 0 : 20000, 1 : 20002,"));
    RouterRules ad = nat_router("symmetric");
    ad.nat->mapping = Behaviour::address_dependent;
    const RulesetResult adr = router_ruleset(ad);
    CHECK(adr.warnings.empty());
    CHECK(contains(adr.text,
                   "map udp_ports { type ipv4_addr . inet_service . ipv4_addr : ipv4_addr . "
                   "inet_service;"));
    CHECK(contains(adr.text, "snat ip to ip saddr . udp sport . ip daddr map @udp_ports"));
    CHECK(contains(adr.text,
                   "update @udp_ports { ct original ip saddr . ct original proto-src . ct original "
                   "ip daddr : ip saddr . udp sport }"));
    RouterRules keep = nat_router("symmetric");
    keep.nat->ports = PortAssignment::preserve;
    const RulesetResult kept = router_ruleset(keep);
    REQUIRE(kept.warnings.size() == 1);
    CHECK(contains(kept.warnings[0], "cannot keep ports"));
    RouterRules rst = nat_router("full-cone");
    rst.nat->tcp.unsolicited = TcpUnsolicited::rst;
    CHECK(contains(router_ruleset(rst).text, "reject with tcp reset"));
}

TEST_CASE("rulesets: firewalls and plain routers") {
    RouterRules rules = nat_router(nullptr);
    CHECK(router_ruleset(rules).text.empty());
    rules.nat = *nat_preset("udp-blocked");
    CHECK(contains(router_ruleset(rules).text, "meta l4proto udp drop"));
    CHECK_FALSE(contains(router_ruleset(rules).text, "masquerade"));
    rules.nat = *nat_preset("symmetric-udp-firewall");
    const auto fw = router_ruleset(rules);
    CHECK(contains(fw.text, "iifname \"internet\" ct state established,related accept"));
    CHECK_FALSE(contains(fw.text, "masquerade"));
    rules.nat.reset();
    FirewallSpec ad;
    ad.filtering = Behaviour::address_dependent;
    rules.firewall = ad;
    const auto adfw = router_ruleset(rules);
    CHECK(contains(adfw.text, "update @udp_inside { ip saddr . udp sport . ip daddr }"));
    CHECK(contains(adfw.text,
                   "iifname \"internet\" meta l4proto udp ip daddr . udp dport . ip saddr "
                   "@udp_inside accept"));
}

TEST_CASE("rulesets: golden text for a NAT with every TCP quirk of the small-TTL techniques") {
    RouterRules rules = nat_router("port-restricted-cone");
    TcpQuirks& q = rules.nat->tcp;
    q.unsolicited = TcpUnsolicited::icmp;
    q.icmp_errors = false;
    q.syn_after_syn = false;
    q.synack_after_syn = true;
    q.rewrite_sequence = true;
    q.liberal_window = true;
    rules.source_validation = true;
    const RulesetResult r = router_ruleset(rules);
    CHECK(r.warnings.empty());
    REQUIRE(r.sysctls.size() == 1);
    CHECK(r.sysctls[0] ==
          std::pair<std::string, std::string>{"net/netfilter/nf_conntrack_tcp_be_liberal", "1"});
    CHECK(r.text == R"(table ip testbed {
    map tcp_half_open { type ipv4_addr . inet_service . ipv4_addr . inet_service : inet_service; flags dynamic,timeout; timeout 2m; }
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        oifname "internet" masquerade
    }
    chain record {
        type filter hook postrouting priority srcnat + 10; policy accept;
        oifname "internet" tcp flags & (fin|syn|rst|ack) == syn update @tcp_half_open { ct original ip saddr . ct original proto-src . ct original ip daddr . ct original proto-dst : tcp sport }
    }
    chain half_open {
        type filter hook postrouting priority srcnat + 15; policy accept;
        oifname "internet" ct state invalid tcp flags & (fin|syn|rst|ack) == syn|ack tcp sport set ip saddr . tcp sport . ip daddr . tcp dport map @tcp_half_open ip saddr set 203.0.113.10 accept
        oifname "internet" ct state invalid tcp flags & (fin|syn|rst|ack) == syn|ack drop
    }
    chain sequence_in {
        type filter hook prerouting priority raw - 10; policy accept;
        iifname "internet" tcp flags & ack == ack tcp ackseq set tcp ackseq ^ 0x80000000
    }
    chain sequence_out {
        type filter hook postrouting priority srcnat + 20; policy accept;
        oifname "internet" tcp sequence set tcp sequence ^ 0x80000000
    }
    chain forward {
        type filter hook forward priority filter; policy accept;
        iifname != "internet" fib saddr . iif oif missing drop
        iifname "internet" ct state related icmp type { destination-unreachable, time-exceeded, parameter-problem } drop
        iifname "internet" ct direction reply tcp flags & (fin|syn|rst|ack) == syn drop
        oifname "internet" ct state invalid tcp flags & (fin|syn|rst|ack) == syn|ack accept
        oifname "internet" ct state invalid drop
        iifname "internet" ct state established,related accept
        iifname "internet" meta l4proto tcp reject with icmp type port-unreachable
        iifname "internet" drop
    }
    chain input {
        type filter hook input priority filter; policy accept;
        iifname "internet" ct state established,related accept
        iifname "internet" meta l4proto tcp reject with icmp type port-unreachable
        iifname "internet" drop
    }
}
)");
}

TEST_CASE("rulesets: source validation on a plain router, TCP quirks on a firewall") {
    RouterRules plain = nat_router(nullptr);
    plain.source_validation = true;
    const RulesetResult p = router_ruleset(plain);
    CHECK(p.text == R"(table ip testbed {
    chain forward {
        type filter hook forward priority filter; policy accept;
        iifname != "internet" fib saddr . iif oif missing drop
    }
}
)");
    CHECK(p.sysctls.empty());
    RouterRules fw = nat_router(nullptr);
    FirewallSpec spec;
    spec.filtering = Behaviour::address_and_port_dependent;
    spec.tcp.unsolicited = TcpUnsolicited::rst;
    spec.tcp.syn_after_syn = false;
    spec.tcp.liberal_window = true;
    fw.firewall = spec;
    const RulesetResult f = router_ruleset(fw);
    CHECK(contains(f.text, "ct direction reply tcp flags & (fin|syn|rst|ack) == syn drop"));
    CHECK(contains(f.text, "reject with tcp reset"));
    CHECK_FALSE(contains(f.text, "tcp_half_open"));
    CHECK(f.sysctls.size() == 1);
}

TEST_CASE("rulesets: icmp-frag-needed drop, a PMTU black hole, on a NAT and on a firewall") {
    RouterRules rules = nat_router("port-restricted-cone");
    CHECK_FALSE(contains(router_ruleset(rules).text, "frag-needed"));
    rules.nat->tcp.frag_needed = false;
    const std::string nat = router_ruleset(rules).text;
    const std::string drop = "icmp type destination-unreachable icmp code frag-needed drop";
    // Those it forwards, and those it sends itself (from the output hook).
    CHECK(contains(nat,
                   "chain forward {\n        type filter hook forward priority filter; "
                   "policy accept;\n        " +
                       drop));
    CHECK(contains(nat,
                   "chain own_icmp {\n        type filter hook output priority filter; "
                   "policy accept;\n        " +
                       drop));
    RouterRules fw = nat_router("port-restricted-cone");
    fw.nat.reset();
    fw.firewall = FirewallSpec{};
    fw.firewall->filtering = Behaviour::none;
    fw.firewall->tcp.frag_needed = false;
    const std::string plain = router_ruleset(fw).text;
    CHECK(contains(plain, "chain own_icmp"));
    CHECK(contains(plain, drop));
}

TEST_CASE("rulesets: random ports from a range, and a block per inside host") {
    RouterRules rules = nat_router("symmetric");
    rules.nat->port_low = 10000;
    rules.nat->port_high = 10999;
    rules.nat->port_block = 100;
    rules.inside_addresses = {*Ipv4::parse("10.64.0.2"), *Ipv4::parse("10.64.0.3")};
    const std::string text = router_ruleset(rules).text;
    CHECK(contains(text,
                   "oifname \"internet\" meta l4proto { tcp, udp } ip saddr 10.64.0.2 snat "
                   "ip to 203.0.113.10:10000-10099 random"));
    CHECK(contains(text, "ip saddr 10.64.0.3 snat ip to 203.0.113.10:10100-10199 random"));
    CHECK(contains(text, "meta l4proto { tcp, udp } masquerade to :10000-10999 random"));
}

TEST_CASE("rulesets: a pool of public addresses, paired and arbitrary") {
    RouterRules rules = nat_router("port-restricted-cone");
    rules.public_addresses = {*Ipv4::parse("203.0.113.10"), *Ipv4::parse("203.0.113.11")};
    rules.inside_addresses = {*Ipv4::parse("10.0.1.2"), *Ipv4::parse("10.0.1.3")};
    // Paired: each inside host its address, ports kept by the kernel; the
    // rest (routed sources) masquerade from the first.
    const RulesetResult paired = router_ruleset(rules);
    CHECK(paired.warnings.empty());
    CHECK(contains(paired.text,
                   "        oifname \"internet\" snat ip to ip saddr map { 10.0.1.2 : "
                   "203.0.113.10, 10.0.1.3 : 203.0.113.11 }\n        oifname \"internet\" "
                   "masquerade\n"));
    CHECK_FALSE(contains(paired.text, "numgen"));
    // Arbitrary: the next address per new connection, and a table so that one
    // socket keeps its address and port for every destination (EI mapping).
    rules.nat->pooling = Pooling::arbitrary;
    const std::string next =
        "snat ip to numgen inc mod 2 map { 0 : 203.0.113.10, 1 : 203.0.113.11 }";
    const RulesetResult arbitrary = router_ruleset(rules);
    CHECK(contains(arbitrary.text, "snat ip to ip saddr . udp sport map @udp_ports"));
    CHECK(contains(arbitrary.text, "oifname \"internet\" " + next + "\n"));
    CHECK(contains(arbitrary.text,
                   "update @udp_ports { ct original ip saddr . ct original "
                   "proto-src : ip saddr . udp sport }"));
    // Random ports come from the pool too; hairpinning cannot know an
    // arbitrary mapping's address, and says so.
    rules.nat = *nat_preset("symmetric");
    rules.nat->pooling = Pooling::arbitrary;
    rules.nat->hairpin = true;
    const RulesetResult sym = router_ruleset(rules);
    CHECK(contains(sym.text, "meta l4proto { tcp, udp } " + next + " : 1024-65535 random"));
    CHECK(contains(sym.text,
                   "ip daddr { 203.0.113.10, 203.0.113.11 } meta l4proto udp dnat ip "
                   "to ip daddr . udp dport map @udp_mapped"));
    REQUIRE(sym.warnings.size() == 1);
    CHECK(contains(sym.warnings[0], "a hairpinned packet carries the first public address"));
}

TEST_CASE("rulesets: refresh outbound drops what comes in to a mapping no outbound packet kept") {
    RouterRules rules = nat_router("port-restricted-cone");
    rules.nat->udp_timeout = std::chrono::seconds(30);
    CHECK_FALSE(contains(router_ruleset(rules).text, "udp_fresh"));
    rules.nat->refresh = Refresh::outbound;
    const RulesetResult r = router_ruleset(rules);
    CHECK(contains(r.text,
                   "set udp_fresh { type ipv4_addr . inet_service; flags "
                   "dynamic,timeout; timeout 30s; }"));
    // Before conntrack (raw), so a dropped packet refreshes nothing.
    CHECK(contains(r.text,
                   "type filter hook prerouting priority raw; policy accept;\n        "
                   "iifname \"internet\" meta l4proto udp ip daddr . udp dport != "
                   "@udp_fresh drop\n"));
    CHECK(contains(r.text,
                   "oifname \"internet\" meta l4proto udp update @udp_fresh { ip saddr "
                   ". udp sport }"));
}
