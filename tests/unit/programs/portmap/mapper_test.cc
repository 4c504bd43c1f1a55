// The peer's port-mapping decisions over fake gateway clients: which
// protocol maps the port, renewals at half the lease, the removal at the
// end, and whether a mapping is any use.

#include "programs/portmap/mapper.h"

#include <doctest/doctest.h>

#include <map>
#include <mutex>

using namespace testbed;
using namespace testbed::programs;
using namespace testbed::programs::portmap;
using namespace std::chrono_literals;

namespace {

/// What every fake client did, by protocol. The survey asks the clients
/// at once, each on a thread of its own: counting takes the lock.
struct Calls {
    std::map<Protocol, int> surveyed, mapped, unmapped;
    std::mutex lock;

    int count(std::map<Protocol, int>& of, Protocol p) {
        const std::lock_guard<std::mutex> held(lock);
        return ++of[p];
    }
};

class FakeClient final : public GatewayClient {
  public:
    FakeClient(Protocol p, Calls& calls, std::optional<std::string> refuse_with,
               uint32_t lifetime_s = 600)
        : p_(p), calls_(calls), refuse_(std::move(refuse_with)), lifetime_(lifetime_s) {}
    Protocol protocol() const override { return p_; }
    Reply<Ipv4> external_address(Duration) override {
        calls_.count(calls_.surveyed, p_);
        if (refuse_) return *refuse_;
        return *Ipv4::parse("20.0.0.30");
    }
    Reply<Lease> map(Transport, uint16_t port, uint32_t, Duration) override {
        const int maps = calls_.count(calls_.mapped, p_);
        if (refuse_) return *refuse_;
        if (fail_renewals && maps > 1) return std::string("gone");
        return Lease{p_, {*Ipv4::parse("20.0.0.30"), port}, lifetime_};
    }
    void unmap() override { calls_.count(calls_.unmapped, p_); }
    bool fail_renewals = false;

  private:
    Protocol p_;
    Calls& calls_;
    std::optional<std::string> refuse_;
    uint32_t lifetime_;
};

}  // namespace

TEST_CASE("mapper: --port-mapping names the protocols to ask, best first") {
    CHECK(*protocols_for("auto") == std::vector{Protocol::pcp, Protocol::nat_pmp, Protocol::upnp});
    CHECK(protocols_for("off")->empty());
    CHECK(*protocols_for("nat-pmp") == std::vector{Protocol::nat_pmp});
    CHECK_FALSE(protocols_for("igd"));
    CHECK(protocol_name(Protocol::nat_pmp) == "nat-pmp");
}

TEST_CASE("mapper: with several protocols a survey first, then the best that answered maps") {
    Calls calls;
    const ClientFactory factory = [&](Protocol p) {
        std::optional<std::string> refuse;
        if (p == Protocol::pcp) refuse = "no PCP server at 10.0.1.1:5351 (port unreachable)";
        return std::make_unique<FakeClient>(p, calls, refuse);
    };
    const Time t0{};
    {
        PortMapper mapper(*protocols_for("auto"), factory, 1s);
        auto lease = mapper.map(Transport::udp, 4000, 3600, t0);
        REQUIRE(lease);
        CHECK(lease->protocol == Protocol::nat_pmp);
        CHECK(lease->external.str() == "20.0.0.30:4000");
        CHECK(calls.surveyed[Protocol::pcp] == 1);
        CHECK(calls.surveyed[Protocol::upnp] == 1);
        CHECK(calls.mapped[Protocol::pcp] == 0);   // it did not answer the survey
        CHECK(calls.mapped[Protocol::upnp] == 0);  // NAT-PMP came first
        CHECK(mapper.refusals() == "pcp: no PCP server at 10.0.1.1:5351 (port unreachable)");
        CHECK(mapper.renewal_due() == t0 + 300s);
    }
    CHECK(calls.unmapped[Protocol::nat_pmp] == 1);  // removed when the mapper goes
    CHECK(calls.unmapped[Protocol::upnp] == 0);
}

TEST_CASE("mapper: one protocol asked alone, and every refusal kept") {
    Calls calls;
    const ClientFactory refusing = [&](Protocol p) {
        return std::make_unique<FakeClient>(p, calls, "AddPortMapping: 718 ConflictInMappingEntry");
    };
    PortMapper one(*protocols_for("upnp"), refusing, 1s);
    CHECK_FALSE(one.map(Transport::tcp, 4000, 3600, Time{}));
    CHECK(calls.surveyed[Protocol::upnp] == 0);
    CHECK(one.refusals() == "upnp: AddPortMapping: 718 ConflictInMappingEntry");
    CHECK(one.renewal_due() == Time::max());
    PortMapper all(*protocols_for("auto"), refusing, 1s);
    CHECK_FALSE(all.map(Transport::udp, 4000, 3600, Time{}));
    CHECK(all.refusals() ==
          "pcp: AddPortMapping: 718 ConflictInMappingEntry; nat-pmp: AddPortMapping: 718 "
          "ConflictInMappingEntry; upnp: AddPortMapping: 718 ConflictInMappingEntry");
}

TEST_CASE("mapper: renews at half the lease, and after a failed renewal at the next quarter") {
    Calls calls;
    FakeClient* made = nullptr;
    const ClientFactory factory = [&](Protocol p) {
        auto c = std::make_unique<FakeClient>(p, calls, std::nullopt, 8);
        made = c.get();
        return c;
    };
    PortMapper mapper(*protocols_for("pcp"), factory, 1s);
    const Time t0{};
    REQUIRE(mapper.map(Transport::udp, 4000, 8, t0));
    CHECK(mapper.renewal_due() == t0 + 4s);
    mapper.renew_if_due(t0 + 3s);
    CHECK(calls.mapped[Protocol::pcp] == 1);
    mapper.renew_if_due(t0 + 4s);
    CHECK(calls.mapped[Protocol::pcp] == 2);
    CHECK(mapper.renewal_due() == t0 + 8s);
    made->fail_renewals = true;
    mapper.renew_if_due(t0 + 8s);
    CHECK(mapper.lease());  // the old lease runs on
    CHECK(mapper.renewal_due() == t0 + 10s);
}

TEST_CASE("mapper: a mapping helps only on the address the server sees, and says why not") {
    const Lease home{Protocol::upnp, {*Ipv4::parse("21.0.0.10"), 4000}, 3600};
    CHECK(judge(home, {*Ipv4::parse("21.0.0.10"), 51000}).useful);  // another port: symmetric
    const auto behind = judge(home, {*Ipv4::parse("20.0.0.40"), 4000});
    CHECK_FALSE(behind.useful);
    CHECK(behind.why.find("the gateway maps on 21.0.0.10:4000 but the server sees this host as "
                          "20.0.0.40:4000") != std::string::npos);
    const Lease shared{Protocol::pcp, {*Ipv4::parse("100.64.0.10"), 4000}, 3600};
    const auto carrier = judge(shared, {*Ipv4::parse("20.0.0.40"), 4000});
    CHECK_FALSE(carrier.useful);
    CHECK(carrier.why.find("100.64.0.0/10") != std::string::npos);
    CHECK(carrier.why.find("behind another NAT") != std::string::npos);
}
