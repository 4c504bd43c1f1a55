#include "model/nat.h"

#include <fmt/core.h>

#include <array>
#include <utility>

namespace testbed {
namespace {

constexpr Behaviour kNone = Behaviour::none;
constexpr Behaviour kEI = Behaviour::endpoint_independent;
constexpr Behaviour kAD = Behaviour::address_dependent;
constexpr Behaviour kAPD = Behaviour::address_and_port_dependent;

NatBehaviour make(Behaviour mapping, Behaviour filtering, PortAssignment ports) {
    NatBehaviour b;
    b.mapping = mapping;
    b.filtering = filtering;
    b.ports = ports;
    return b;
}

/// Named profiles of NATs people meet, each from its documented defaults
/// (docs/nat-profiles.md gives the sources and what is left out).
std::vector<std::pair<std::string, NatBehaviour>> profiles() {
    using std::chrono::seconds;
    std::vector<std::pair<std::string, NatBehaviour>> t;
    // Linux masquerade as home routers run it (OpenWrt): the port kept where
    // free, conntrack's UDP timeouts (30 s unanswered, 120 s answered).
    NatBehaviour home = make(kEI, kAPD, PortAssignment::preserve);
    home.udp_timeout = seconds(120);
    home.udp_timeout_initial = seconds(30);
    t.emplace_back("home-router", home);
    // pf (pfSense, OPNsense): a new random source port per state from
    // pfctl's default proxy range 50001-65535; udp.multiple 60 s.
    NatBehaviour pf = make(kAPD, kAPD, PortAssignment::random);
    pf.port_low = 50001;
    pf.port_high = 65535;
    pf.udp_timeout = seconds(60);
    t.emplace_back("firewall-random-ports", pf);
    // Google Cloud NAT's defaults: endpoint-independent mapping, 64 ports
    // per VM, UDP mappings idle for 30 s.
    NatBehaviour cloud = make(kEI, kAPD, PortAssignment::random);
    cloud.port_block = 64;
    cloud.udp_timeout = seconds(30);
    t.emplace_back("cloud-nat", cloud);
    // A carrier-grade NAT as RFC 6888 requires one: RFC 4787's mapping,
    // paired pooling, a block of ports per subscriber (RFC 7422), random
    // within it.
    NatBehaviour carrier = make(kEI, kAPD, PortAssignment::random);
    carrier.port_block = 2048;
    t.emplace_back("mobile-carrier", carrier);
    return t;
}

const std::vector<std::pair<std::string, NatBehaviour>>& presets() {
    static const std::vector<std::pair<std::string, NatBehaviour>> table = [] {
        std::vector<std::pair<std::string, NatBehaviour>> t;
        t.emplace_back("open", make(kNone, kNone, PortAssignment::preserve));
        t.emplace_back("full-cone", make(kEI, kEI, PortAssignment::preserve));
        t.emplace_back("restricted-cone", make(kEI, kAD, PortAssignment::preserve));
        t.emplace_back("port-restricted-cone", make(kEI, kAPD, PortAssignment::preserve));
        t.emplace_back("symmetric", make(kAPD, kAPD, PortAssignment::random));
        t.emplace_back("symmetric-sequential", make(kAPD, kAPD, PortAssignment::sequential));
        NatBehaviour udp_blocked = make(kNone, kNone, PortAssignment::preserve);
        udp_blocked.block_udp = true;
        t.emplace_back("udp-blocked", udp_blocked);
        t.emplace_back("symmetric-udp-firewall", make(kNone, kAPD, PortAssignment::preserve));
        t.emplace_back("cgnat", make(kEI, kAPD, PortAssignment::preserve));
        for (auto& profile : profiles()) t.push_back(std::move(profile));
        return t;
    }();
    return table;
}

constexpr std::array<std::pair<std::string_view, Behaviour>, 4> kBehaviourNames{{
    {"none", kNone},
    {"endpoint-independent", kEI},
    {"address-dependent", kAD},
    {"address-and-port-dependent", kAPD},
}};

std::string_view short_name(Behaviour b) {
    switch (b) {
        case Behaviour::none:
            return "no";
        case Behaviour::endpoint_independent:
            return "EI";
        case Behaviour::address_dependent:
            return "AD";
        case Behaviour::address_and_port_dependent:
            return "APD";
    }
    return "?";
}

/// Each quirk that differs from the defaults: its key and value, and its
/// short form for labels.
struct QuirkWords {
    std::string words;
    std::string label;
};

std::vector<QuirkWords> quirk_words(const TcpQuirks& q) {
    const TcpQuirks d;
    std::vector<QuirkWords> out;
    if (q.unsolicited != d.unsolicited) {
        const std::string name{tcp_unsolicited_name(q.unsolicited)};
        out.push_back({"tcp-unsolicited " + name, name});
    }
    if (q.icmp_errors != d.icmp_errors) out.push_back({"icmp-errors drop", "icmp-drop"});
    if (q.syn_after_syn != d.syn_after_syn)
        out.push_back({"tcp-syn-after-syn drop", "syn-in-drop"});
    if (q.synack_after_syn != d.synack_after_syn)
        out.push_back({"tcp-synack-after-syn accept", "synack-out"});
    if (q.rewrite_sequence != d.rewrite_sequence)
        out.push_back({"tcp-sequence rewrite", "seq-rewrite"});
    if (q.liberal_window != d.liberal_window) out.push_back({"tcp-window liberal", "liberal"});
    if (q.frag_needed != d.frag_needed) out.push_back({"icmp-frag-needed drop", "pmtu-black-hole"});
    return out;
}

}  // namespace

std::string_view tcp_unsolicited_name(TcpUnsolicited t) {
    switch (t) {
        case TcpUnsolicited::drop:
            return "drop";
        case TcpUnsolicited::rst:
            return "rst";
        case TcpUnsolicited::icmp:
            return "icmp";
    }
    return "?";
}

std::string describe(const TcpQuirks& q) {
    std::string out;
    for (const auto& w : quirk_words(q)) out += (out.empty() ? "" : ", ") + w.words;
    return out;
}

std::optional<NatBehaviour> nat_preset(std::string_view name) {
    for (const auto& [preset, behaviour] : presets()) {
        if (preset == name) return behaviour;
    }
    return std::nullopt;
}

const std::vector<std::string>& nat_preset_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& entry : presets()) n.push_back(entry.first);
        return n;
    }();
    return names;
}

std::optional<FirewallSpec> firewall_preset(std::string_view name) {
    FirewallSpec fw;
    fw.preset = std::string(name);
    if (name == "udp-blocked")
        fw.block_udp = true;
    else if (name == "symmetric-udp-firewall")
        fw.filtering = Behaviour::address_and_port_dependent;
    else if (name != "open")
        return std::nullopt;
    return fw;
}

const std::vector<std::string>& firewall_preset_names() {
    static const std::vector<std::string> names{"open", "udp-blocked", "symmetric-udp-firewall"};
    return names;
}

std::optional<Behaviour> parse_behaviour(std::string_view text) {
    for (const auto& [name, value] : kBehaviourNames) {
        if (name == text) return value;
    }
    return std::nullopt;
}

std::string_view behaviour_name(Behaviour b) {
    for (const auto& [name, value] : kBehaviourNames) {
        if (value == b) return name;
    }
    return "?";
}

std::optional<PortAssignment> parse_port_assignment(std::string_view text) {
    if (text == "preserve") return PortAssignment::preserve;
    if (text == "sequential") return PortAssignment::sequential;
    if (text == "random") return PortAssignment::random;
    return std::nullopt;
}

std::string_view port_assignment_name(PortAssignment p) {
    switch (p) {
        case PortAssignment::preserve:
            return "preserve";
        case PortAssignment::sequential:
            return "sequential";
        case PortAssignment::random:
            return "random";
    }
    return "?";
}

std::string describe(const NatBehaviour& b) {
    if (b.block_udp) return "firewall: no UDP at all";
    std::string out;
    if (b.mapping == Behaviour::none) {
        out = fmt::format("no translation, {} filtering", short_name(b.filtering));
    } else {
        std::string ports{port_assignment_name(b.ports)};
        if (b.ports == PortAssignment::sequential && b.port_step != 1) {
            ports += fmt::format(" (step {})", b.port_step);
        }
        out = fmt::format("{} mapping, {} filtering, ports {}, hairpin {}", short_name(b.mapping),
                          short_name(b.filtering), ports, b.hairpin ? "on" : "off");
        if (b.pooling == Pooling::arbitrary) out += ", pooling arbitrary";
        if (b.refresh == Refresh::outbound) out += ", refresh outbound";
    }
    const std::string quirks = describe(b.tcp);
    return quirks.empty() ? out : out + ", " + quirks;
}

std::string short_label(const NatBehaviour& b) {
    if (b.block_udp) return "udp-blocked";
    std::string out = fmt::format("{}/{}", short_name(b.mapping), short_name(b.filtering));
    if (b.ports == PortAssignment::sequential) out += fmt::format(" seq{}", b.port_step);
    if (b.ports == PortAssignment::random && b.mapping == Behaviour::endpoint_independent)
        out += " random";
    if (b.hairpin) out += " hairpin";
    if (b.pooling == Pooling::arbitrary) out += " pool-arbitrary";
    if (b.refresh == Refresh::outbound) out += " refresh-out";
    for (const auto& w : quirk_words(b.tcp)) out += " " + w.label;
    return out;
}

}  // namespace testbed
