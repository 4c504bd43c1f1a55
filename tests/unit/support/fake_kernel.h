#pragma once
// A Kernel that records calls instead of making them, and can be told to
// fail at the n-th call, so the realizer's order and its cleanup on failure,
// the run-time steps and the kernel feature check are tested without root.

#include <fmt/core.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "kernel/kernel.h"

namespace testbed::testing {

class FakeKernel : public Kernel {
  public:
    std::vector<std::string> calls;
    std::vector<std::string> names;
    std::set<int> alive;
    int fail_at = -1;     ///< index of the call that throws, -1 for none
    std::string fail_on;  ///< a call that throws when made (e.g. "flush nat")
    std::map<std::string, std::string> sysctl_values;  ///< what read_sysctl answers ("0" else)
    std::string refuse;                 ///< check_ruleset refuses rulesets containing this text
    std::vector<std::string> rulesets;  ///< every text apply_ruleset was given, in order
    /// What link_abilities() says: only the traffic counters' egress hook by default.
    LinkAbilities abilities{false, false, false, true};
    /// What read_counters answers, by namespace name.
    std::map<std::string, std::map<std::string, uint64_t>> counters;

    int create_namespace(const std::string& name, const std::vector<Sysctl>& sysctls) override {
        record("netns " + name);
        names.push_back(name);
        const int id = static_cast<int>(names.size() - 1);
        alive.insert(id);
        for (const auto& [key, value] : sysctls) set_sysctl(id, key, value);
        return id;
    }
    void set_sysctl(int ns, const std::string& key, const std::string& value) override {
        record(fmt::format("sysctl {} {}={}", name(ns), key, value));
    }
    void add_veth(int a, const std::string& na, int b, const std::string& nb) override {
        record(fmt::format("veth {}:{} {}:{}", name(a), na, name(b), nb));
    }
    void add_bridge(int ns, const std::string& bridge) override {
        record(fmt::format("bridge {}:{}", name(ns), bridge));
    }
    void enslave(int ns, const std::string& port, const std::string& bridge) override {
        record(fmt::format("enslave {}:{} to {}", name(ns), port, bridge));
    }
    void add_address(int ns, const std::string& iface, Ipv4 address, int prefix) override {
        record(fmt::format("addr {}:{} {}/{}", name(ns), iface, address.str(), prefix));
    }
    void remove_address(int ns, const std::string& iface, Ipv4 address, int prefix) override {
        record(fmt::format("unaddr {}:{} {}/{}", name(ns), iface, address.str(), prefix));
    }
    void set_link_up(int ns, const std::string& iface) override {
        record(fmt::format("up {}:{}", name(ns), iface));
    }
    void set_link_down(int ns, const std::string& iface) override {
        record(fmt::format("down {}:{}", name(ns), iface));
    }
    LinkAbilities link_abilities() override { return abilities; }
    void set_mtu(int ns, const std::string& iface, int mtu) override {
        record(fmt::format("mtu {}:{} {}", name(ns), iface, mtu));
    }
    void set_link_qdisc(int ns, const std::string& iface, const QdiscSpec& q) override {
        record(fmt::format("qdisc {}:{} {} {}", name(ns), iface,
                           q.kind == QdiscSpec::Kind::netem ? "netem" : "tbf",
                           q.conditions.describe()));
    }
    void clear_link_qdisc(int ns, const std::string& iface) override {
        record(fmt::format("qdisc {}:{} cleared", name(ns), iface));
    }
    void flush_conntrack(int ns) override { record(fmt::format("flush {}", name(ns))); }
    void add_route(int ns, const RoutePlan& r) override {
        record(fmt::format("route {} {} via {} dev {}", name(ns), r.destination.str(),
                           r.gateway.str(), r.interface));
    }
    void replace_route(int ns, const RoutePlan& r) override {
        record(fmt::format("reroute {} {} via {} dev {}", name(ns), r.destination.str(),
                           r.gateway.str(), r.interface));
    }
    void remove_route(int ns, const RoutePlan& r) override {
        record(fmt::format("unroute {} {} via {} dev {}", name(ns), r.destination.str(),
                           r.gateway.str(), r.interface));
    }
    void apply_ruleset(int ns, const std::string& ruleset) override {
        record(fmt::format("nft {}", name(ns)));
        rulesets.push_back(ruleset);
    }
    std::string read_sysctl(int ns, const std::string& key) override {
        record(fmt::format("read {} {}", name(ns), key));
        auto it = sysctl_values.find(key);
        return it == sysctl_values.end() ? "0" : it->second;
    }
    void check_ruleset(int ns, const std::string& ruleset) override {
        record(fmt::format("check {}", name(ns)));
        if (!refuse.empty() && ruleset.find(refuse) != std::string::npos)
            throw SystemError("nft_run_cmd_from_buffer", "Could not process rule: No such file");
    }
    std::map<std::string, uint64_t> read_counters(int ns, const std::string& table) override {
        record(fmt::format("counters {} {}", name(ns), table));
        return counters[name(ns)];
    }
    int netns_fd(int) const override { return -1; }
    void name_namespace(int ns, const std::string& handle) override {
        record(fmt::format("name {} {}", name(ns), handle));
    }
    void unname_namespace(const std::string& handle) override { record("unname " + handle); }
    void destroy_namespace(int ns) override {
        calls.push_back("destroy " + name(ns));
        alive.erase(ns);
    }

    bool called(const std::string& call) const {
        for (const auto& c : calls) {
            if (c == call) return true;
        }
        return false;
    }

  private:
    const std::string& name(int ns) const { return names.at(static_cast<size_t>(ns)); }
    void record(std::string call) {
        if ((fail_at >= 0 && static_cast<int>(calls.size()) == fail_at) || call == fail_on)
            throw SystemError(call, "Injected failure");
        calls.push_back(std::move(call));
    }
};

}  // namespace testbed::testing
