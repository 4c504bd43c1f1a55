// PCP's MAP request and response against RFC 6887's layout (§7.1, §7.2,
// §11.1), byte by byte.

#include "programs/portmap/pcp.h"

#include <doctest/doctest.h>

#include <vector>

using namespace testbed;
using namespace testbed::programs;

namespace {

std::vector<uint8_t> mapped_v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}

}  // namespace

TEST_CASE("pcp: a MAP request is the RFC's 24-byte header and 36-byte payload") {
    pcp::MapRequest r;
    for (size_t i = 0; i < r.nonce.size(); ++i) r.nonce[i] = static_cast<uint8_t>(i + 1);
    r.protocol = pcp::kProtocolUdp;
    r.client = *Ipv4::parse("10.0.1.2");
    r.internal_port = 4000;
    r.suggested_port = 4000;
    r.lifetime_s = 3600;
    std::vector<uint8_t> expected = {2, 1, 0, 0, 0, 0, 0x0e, 0x10};  // version, MAP, lifetime
    const auto client = mapped_v4(10, 0, 1, 2);
    expected.insert(expected.end(), client.begin(), client.end());
    for (uint8_t i = 1; i <= 12; ++i) expected.push_back(i);  // mapping nonce
    expected.insert(expected.end(), {17, 0, 0, 0, 0x0f, 0xa0, 0x0f, 0xa0});
    const auto none = mapped_v4(0, 0, 0, 0);  // no suggested external address
    expected.insert(expected.end(), none.begin(), none.end());
    REQUIRE(expected.size() == pcp::kMapRequestSize);
    CHECK(pcp::encode(r) == expected);
}

TEST_CASE("pcp: a MAP response gives the assigned endpoint, lifetime and result") {
    std::vector<uint8_t> bytes = {2, 0x81, 0, 0, 0, 0, 0x07, 0x08, 0, 0, 0, 42};
    bytes.resize(24, 0);
    for (uint8_t i = 1; i <= 12; ++i) bytes.push_back(i);
    bytes.insert(bytes.end(), {6, 0, 0, 0, 0x0f, 0xa0, 0x9c, 0x40});
    const auto external = mapped_v4(20, 0, 0, 30);
    bytes.insert(bytes.end(), external.begin(), external.end());
    auto decoded = pcp::decode(bytes);
    REQUIRE(decoded);
    const auto& r = std::get<pcp::MapResponse>(*decoded);
    CHECK(r.result == 0);
    CHECK(r.lifetime_s == 1800);
    CHECK(r.epoch_s == 42);
    CHECK(r.nonce[11] == 12);
    CHECK(r.protocol == pcp::kProtocolTcp);
    CHECK(r.internal_port == 4000);
    CHECK(r.external_port == 40000);
    CHECK(r.external.str() == "20.0.0.30");

    // An error answer: the result code and its RFC name.
    bytes[3] = 2;
    CHECK(std::get<pcp::MapResponse>(*pcp::decode(bytes)).result == 2);
    CHECK(pcp::result_name(2) == "NOT_AUTHORIZED");
    CHECK(pcp::result_name(13) == "EXCESSIVE_REMOTE_PEERS");
    CHECK(pcp::result_name(99) == "result 99");
}

TEST_CASE("pcp: NAT-PMP answers, requests, short and IPv6 responses are told apart") {
    // A NAT-PMP gateway's "unsupported version" (RFC 6887 §9).
    const std::vector<uint8_t> natpmp = {0, 0x81, 0, 1, 0, 0, 0, 0};
    auto decoded = pcp::decode(natpmp);
    REQUIRE(decoded);
    CHECK(std::holds_alternative<pcp::NatPmpOnly>(*decoded));
    pcp::MapRequest request;
    CHECK_FALSE(pcp::decode(pcp::encode(request)));  // a request, not a response
    std::vector<uint8_t> response = pcp::encode(request);
    response[1] = 0x81;
    CHECK(pcp::decode(response));
    response.resize(59);
    CHECK_FALSE(pcp::decode(response));
    response = pcp::encode(request);
    response[1] = 0x81;
    response[24 + 20 + 10] = 0;  // not IPv4-mapped: an IPv6 external address
    CHECK_FALSE(pcp::decode(response));
}
