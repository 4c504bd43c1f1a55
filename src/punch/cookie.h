#pragma once
/// Return-routability cookies for registrations (the NONCE attribute), in
/// the manner of RFC 8489's nonces and DTLS's stateless cookies: a MAC over
/// the contact a request came from and a time bucket, keyed by a secret the
/// server makes at start. The server keeps no state per cookie, so a
/// spoofed flood costs it nothing, and a cookie only works from the
/// contact it was sent to: a registration that echoes one proves the
/// sender receives at that address.

#include <array>
#include <chrono>
#include <cstdint>

#include "punch/clock.h"
#include "punch/protocol.h"
#include "punch/registry.h"

namespace testbed::punch {

class CookieJar {
  public:
    /// A cookie is good in the bucket it was made in and the next one:
    /// between `period` and twice that. A fresh random secret.
    explicit CookieJar(std::chrono::seconds period = std::chrono::seconds(30));

    /// The cookie for `contact` now.
    Nonce make(const Contact& contact, Time now) const;

    enum class Verdict {
        good,   ///< made for this contact, this bucket or the one before
        stale,  ///< made for this contact, but too long ago
        forged  ///< not made by this server for this contact
    };
    Verdict check(const Nonce& nonce, const Contact& contact, Time now) const;

  private:
    std::chrono::seconds period_;
    std::array<uint8_t, 32> secret_{};

    uint32_t bucket(Time now) const;
    Nonce make(const Contact& contact, uint32_t bucket) const;
};

}  // namespace testbed::punch
