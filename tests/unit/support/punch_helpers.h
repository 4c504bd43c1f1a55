#pragma once
// Endpoints, contacts and registrations for the punch tests.

#include "punch/auth.h"
#include "punch/protocol.h"
#include "punch/registry.h"

namespace testbed::testing {

inline stun::Endpoint ep(const char* text) {
    return *stun::Endpoint::parse(text);
}

inline punch::Contact udp(const char* endpoint) {
    return punch::Contact{false, ep(endpoint), 0};
}

inline punch::Register reg(const std::string& id, const punch::Identity& key) {
    return punch::Register{id, key.public_key(), {ep("10.0.1.2:4000")}, 0, {}, {}};
}

}  // namespace testbed::testing
