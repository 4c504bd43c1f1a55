#pragma once
// A Kernel that records calls instead of making them, and can be told to
// fail at the n-th call, so the realizer's order and its cleanup on failure
// are tested without root.

#include <fmt/core.h>

#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/kernel.h"

namespace testbed::testing {

class FakeKernel : public Kernel {
  public:
    std::vector<std::string> calls;
    std::vector<std::string> names;
    std::set<int> alive;
    int fail_at = -1;  ///< index of the call that throws, -1 for none

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
    void set_link_up(int ns, const std::string& iface) override {
        record(fmt::format("up {}:{}", name(ns), iface));
    }
    void set_link_down(int ns, const std::string& iface) override {
        record(fmt::format("down {}:{}", name(ns), iface));
    }
    void flush_conntrack(int ns) override { record(fmt::format("flush {}", name(ns))); }
    void add_route(int ns, const RoutePlan& r) override {
        record(fmt::format("route {} {} via {} dev {}", name(ns), r.destination.str(),
                           r.gateway.str(), r.interface));
    }
    void apply_ruleset(int ns, const std::string&) override {
        record(fmt::format("nft {}", name(ns)));
    }
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
        if (fail_at >= 0 && static_cast<int>(calls.size()) == fail_at)
            throw SystemError(call, "Injected failure");
        calls.push_back(std::move(call));
    }
};

}  // namespace testbed::testing
