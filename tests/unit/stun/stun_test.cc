#include "stun/stun.h"

#include <doctest/doctest.h>

using namespace testbed;
using namespace testbed::stun;

// RFC 5769 §2.2, "Sample IPv4 Response": SOFTWARE, XOR-MAPPED-ADDRESS,
// MESSAGE-INTEGRITY and FINGERPRINT.
static const std::vector<uint8_t> kRfc5769Ipv4Response = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};

TEST_CASE("RFC 5769 IPv4 response decodes: fingerprint checks, mapped 192.0.2.1:32853") {
    auto result = decode(kRfc5769Ipv4Response);
    REQUIRE_MESSAGE(std::holds_alternative<Message>(result), std::get<std::string>(result));
    const Message& m = std::get<Message>(result);
    CHECK(m.method == method::binding);
    CHECK(m.cls == Class::success);
    CHECK(m.transaction[0] == 0xb7);
    REQUIRE(m.mapped());
    CHECK(m.mapped()->str() == "192.0.2.1:32853");
    const Attribute* sw = m.find(attr::software);
    REQUIRE(sw);
    CHECK(std::string(sw->value.begin(), sw->value.end()) == "test vector");
}

TEST_CASE("encode then decode gives the message back, fingerprint included") {
    Message m;
    m.cls = Class::success;
    m.transaction = new_transaction_id();
    m.add_xor_address(attr::xor_mapped_address, *Endpoint::parse("203.0.113.10:40001"));
    m.add_address(attr::mapped_address, *Endpoint::parse("203.0.113.10:40001"));
    m.add_software("testbed");
    const auto bytes = encode(m);
    CHECK(bytes.size() % 4 == 0);
    auto back = decode(bytes);
    REQUIRE(std::holds_alternative<Message>(back));
    const Message& d = std::get<Message>(back);
    CHECK(d.transaction == m.transaction);
    CHECK(d.cls == Class::success);
    CHECK(d.mapped()->str() == "203.0.113.10:40001");
    CHECK(d.find(attr::fingerprint));
}

TEST_CASE("a Binding request is 0x0001 with the magic cookie") {
    Message m;
    const auto bytes = encode(m, false);
    REQUIRE(bytes.size() == 20);
    CHECK(bytes[0] == 0x00);
    CHECK(bytes[1] == 0x01);
    CHECK(bytes[4] == 0x21);
}

TEST_CASE("malformed messages are rejected with a reason") {
    auto reason = [](std::vector<uint8_t> b) {
        auto r = decode(b);
        return std::holds_alternative<std::string>(r) ? std::get<std::string>(r)
                                                      : std::string("accepted");
    };
    CHECK(reason({0x00, 0x01}).find("shorter") != std::string::npos);
    auto bad = kRfc5769Ipv4Response;
    bad[4] = 0;  // cookie
    CHECK(reason(bad) == "no magic cookie");
    bad = kRfc5769Ipv4Response;
    bad[bad.size() - 1] ^= 1;  // fingerprint
    CHECK(reason(bad) == "FINGERPRINT does not match");
    bad = kRfc5769Ipv4Response;
    bad.resize(bad.size() - 4);  // truncated
    CHECK(reason(bad).find("length field") != std::string::npos);
    std::vector<uint8_t> overrun(kRfc5769Ipv4Response.begin(), kRfc5769Ipv4Response.begin() + 24);
    overrun[3] = 4;
    overrun[22] = 0x00;
    overrun[23] = 0xff;  // attribute claims 255 bytes
    CHECK(reason(overrun).find("runs past the end") != std::string::npos);
    CHECK(reason(std::vector<uint8_t>(2000, 0)).find("larger") != std::string::npos);
}

TEST_CASE("endpoints parse") {
    CHECK(Endpoint::parse("203.0.113.1:3478")->port == 3478);
    CHECK_FALSE(Endpoint::parse("203.0.113.1"));
    CHECK_FALSE(Endpoint::parse("203.0.113.1:"));
    CHECK_FALSE(Endpoint::parse("203.0.113.1:70000"));
    CHECK_FALSE(Endpoint::parse("host:1"));
}

TEST_CASE("CHANGE-REQUEST and ERROR-CODE round trip (RFC 5780, RFC 8489)") {
    Message m;
    m.add_change_request(true, false);
    auto back = std::get<Message>(decode(encode(m)));
    REQUIRE(back.change_request());
    CHECK(back.change_request()->ip);
    CHECK_FALSE(back.change_request()->port);
    Message e;
    e.cls = Class::error;
    e.add_error(420, "Unknown Attribute");
    auto err = std::get<Message>(decode(encode(e)));
    CHECK(err.cls == Class::error);
    CHECK(err.error_code() == 420);
    CHECK_FALSE(Message{}.change_request());
}
