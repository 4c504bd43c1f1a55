#include "kernel/linux/linux_kernel.h"

#include <fmt/core.h>
#include <netlink/netlink.h>

#include <utility>

#include "base/error.h"
#include "base/fd_limits.h"
#include "base/log.h"
#include "kernel/features.h"
#include "kernel/linux/conntrack.h"
#include "kernel/linux/linux_namespace.h"
#include "kernel/linux/netlink.h"
#include "kernel/linux/netns.h"
#include "kernel/linux/nftables.h"
#include "kernel/linux/qdisc.h"
#include "kernel/linux/sysctl.h"
#include "plan/link.h"
#include "plan/traffic.h"

namespace testbed {

LinuxKernel::LinuxKernel() = default;
LinuxKernel::~LinuxKernel() = default;

LinuxKernel::Namespace& LinuxKernel::get(int ns) {
    return const_cast<Namespace&>(std::as_const(*this).get(ns));
}

const LinuxKernel::Namespace& LinuxKernel::get(int ns) const {
    if (ns < 0 || static_cast<size_t>(ns) >= namespaces_.size())
        throw Error(fmt::format("no namespace #{}", ns));
    const auto& entry = namespaces_[static_cast<size_t>(ns)];
    if (!entry) throw Error(fmt::format("namespace #{} was already destroyed", ns));
    return *entry;
}

int LinuxKernel::netns_fd(int ns) const {
    return get(ns).fd.get();
}

int LinuxKernel::create_namespace(const std::string& name, const std::vector<Sysctl>& sysctls) {
    auto ns = std::make_unique<Namespace>();
    ns->name = name;
    // Held for the whole run: above the numbers select()-based libraries need.
    ns->fd = to_high_fd(create_netns([&] {
        for (const auto& [key, value] : sysctls) write_sysctl(name, key, value);
    }));
    namespaces_.push_back(std::move(ns));
    log::debug("namespace '{}' created", name);
    return static_cast<int>(namespaces_.size() - 1);
}

void LinuxKernel::destroy_namespace(int ns) {
    auto& entry = namespaces_.at(static_cast<size_t>(ns));
    if (entry) log::debug("namespace '{}' released", entry->name);
    entry.reset();
}

nl_sock* LinuxKernel::socket(int ns) {
    Namespace& n = get(ns);
    if (n.sock) return n.sock.get();
    // One socket per namespace while building, but never thousands at once:
    // past the bound the others close (one opens again in microseconds).
    if (++open_sockets_ > kMaxOpenSockets) {
        for (auto& other : namespaces_) {
            if (other) other->sock.reset();
        }
        open_sockets_ = 1;
    }
    n.sock = netlink::connect_in(n.fd.get(), NETLINK_ROUTE, n.name);
    return n.sock.get();
}

void LinuxKernel::finish_build() {
    for (auto& ns : namespaces_) {
        if (ns) ns->sock.reset();
    }
    open_sockets_ = 0;
}

void LinuxKernel::set_sysctl(int ns, const std::string& key, const std::string& value) {
    Namespace& n = get(ns);
    NetnsScope scope(n.fd.get());
    write_sysctl(n.name, key, value);
}

std::string LinuxKernel::read_sysctl(int ns, const std::string& key) {
    Namespace& n = get(ns);
    NetnsScope scope(n.fd.get());
    return testbed::read_sysctl(n.name, key);
}

void LinuxKernel::flush_conntrack(int ns) {
    Namespace& n = get(ns);
    flush_conntrack_in(n.fd.get(), n.name);
}

void LinuxKernel::apply_ruleset(int ns, const std::string& ruleset) {
    Namespace& n = get(ns);
    try {
        run_nft(n.fd.get(), ruleset);
    } catch (const SystemError& e) {
        std::string needs;
        for (const auto& [name, options] : ruleset_features(ruleset))
            needs += fmt::format("{}{}: {}", needs.empty() ? "" : "; ", name, options);
        throw SystemError(
            fmt::format("nft_run_cmd_from_buffer in '{}'", n.name),
            fmt::format("{} (the rules need {}; `testbed rules` prints them)", e.what(), needs));
    }
}

std::map<std::string, uint64_t> LinuxKernel::read_counters(int ns, const std::string& table) {
    return read_nft_counters(get(ns).fd.get(), table);
}

void LinuxKernel::check_ruleset(int ns, const std::string& ruleset) {
    run_nft_check(get(ns).fd.get(), ruleset);
}

void LinuxKernel::name_namespace(int ns, const std::string& handle) {
    name_netns(get(ns).fd.get(), handle);
}

void LinuxKernel::unname_namespace(const std::string& handle) {
    unname_netns(handle);
}

LinkAbilities LinuxKernel::link_abilities() {
    // The kernel's modules do not change while the testbed runs: probe once.
    static std::optional<LinkAbilities> known;
    if (known) return *known;
    const int ns = create_namespace("link-check", {});
    LinkAbilities found;
    auto works = [&](QdiscSpec::Kind kind) {
        try {
            set_link_qdisc(ns, "lo", link_qdisc_probe(kind));
            return true;
        } catch (const SystemError&) {
            return false;
        }
    };
    found.netem = works(QdiscSpec::Kind::netem);
    found.tbf = works(QdiscSpec::Kind::tbf);
    try {
        // What plan/link.cc writes for loss and duplication, loaded for real
        // (a check alone would not load the modules that may be missing).
        apply_ruleset(ns, link_ingress_probe("lo"));
        found.nft_ingress = true;
    } catch (const SystemError&) {
        found.nft_ingress = false;
    }
    try {
        apply_ruleset(ns, traffic_egress_probe("lo"));
        found.nft_egress = true;
    } catch (const SystemError&) {
        found.nft_egress = false;
    }
    destroy_namespace(ns);
    return *(known = found);
}

void LinuxKernel::set_link_qdisc(int ns, const std::string& interface, const QdiscSpec& qdisc) {
    add_link_qdisc(socket(ns), ifindex(ns, interface), interface, qdisc, get(ns).name);
}

void LinuxKernel::clear_link_qdisc(int ns, const std::string& interface) {
    remove_link_qdisc(socket(ns), ifindex(ns, interface), interface, get(ns).name);
}

}  // namespace testbed
