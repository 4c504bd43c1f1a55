// Fuzz target: any bytes through the STUN decoder, the rendezvous
// protocol's decoders and the server's dispatch (what the server and the
// peers parse from the wire). Properties:
// - a message the STUN decoder accepts encodes again and decodes to the
//   same attributes (round trip); a protocol message survives the same,
//   a registration with its nonce and proof;
// - whatever a source the server has not seen sends, nothing but a Binding
//   answer goes back larger than what it sent, and nothing goes to anyone
//   else (no amplification, no relay for strangers), and the spoofer
//   (on here) forges nothing for it;
// - a registration signed over the server's own nonce is answered, and a
//   signature over anything else never checks.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "punch/auth.h"
#include "punch/protocol.h"
#include "punch/server.h"
#include "stun/stun.h"

namespace {

using namespace testbed;
using namespace testbed::punch;

void round_trip(const stun::Message& message) {
    stun::Message copy = message;
    std::erase_if(copy.attributes,
                  [](const stun::Attribute& a) { return a.type == stun::attr::fingerprint; });
    auto again = stun::decode(stun::encode(copy));
    auto* back = std::get_if<stun::Message>(&again);
    if (!back || back->attributes.size() != copy.attributes.size() + 1 ||
        back->transaction != copy.transaction) {
        std::abort();
    }
    if (auto r = register_from(message)) {
        auto r2 = register_from(to_message(*r, message.transaction));
        if (!r2 || r2->id != r->id || r2->key != r->key || r2->nonce != r->nonce ||
            r2->proof != r->proof)
            std::abort();
    }
    if (auto i = introduction_from(message)) {
        if (!introduction_from(to_message(*i))) std::abort();
    }
    if (auto p = punch_from(message)) {
        if (!punch_from(to_message(*p))) std::abort();
    }
    if (auto syn = syn_from(message)) {
        auto syn2 = syn_from(to_message(*syn));
        if (!syn2 || syn2->peer != syn->peer || syn2->isn != syn->isn || syn2->spoof != syn->spoof)
            std::abort();
    }
    (void)connect_from(message);
    (void)reversal_from(message);
    (void)relay_from(message);
    (void)nonce_of(message);
}

Server& server() {
    static Server s = [] {
        Server made({*stun::Endpoint::parse("203.0.113.1:3478")}, ServerLimits{});
        made.allow_spoofing(true);
        return made;
    }();
    return s;
}

/// A source the server has never seen: answers no larger than the input, to it only.
void no_amplification(std::span<const uint8_t> bytes, const stun::Endpoint& from) {
    static Time now{};
    now += std::chrono::milliseconds(1);
    for (const Send& out : server().on_datagram(0, from, bytes, bytes.size(), now)) {
        if (out.to.endpoint != from) std::abort();
        if (out.message.method != stun::method::binding &&
            stun::encode(out.message).size() > bytes.size())
            std::abort();
    }
    if (!server().take_forged().empty()) std::abort();
}

/// The registration in `message`, signed over the nonce the server gives
/// for it, gets an answer (success, 409, 503); a signature with another
/// key over the same fields does not check.
void signed_registration(const stun::Message& message, const stun::Endpoint& from) {
    auto r = register_from(message);
    if (!r) return;
    static const Identity key;
    static const Identity other;
    r->key = key.public_key();
    const Time now{};
    auto challenge = server().on_stream(1, from, to_message(*r, message.transaction), now);
    const auto nonce = challenge.empty() ? std::nullopt : nonce_of(challenge[0].message);
    if (!nonce) return;  // rate-limited
    const Register good = key.sign(*r, *nonce);
    Register forged = other.sign(*r, *nonce);
    forged.key = key.public_key();
    if (!check_registration(good) || check_registration(forged)) std::abort();
    if (server().on_stream(1, from, to_message(good, message.transaction), now).empty())
        std::abort();
    server().on_closed(1, from);
}

}  // namespace

// NOLINTNEXTLINE(readability-identifier-naming): the name libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Each input from a source of its own, as a spoofing attacker would send.
    static uint32_t source = 0x0a000000;
    const stun::Endpoint from{Ipv4{++source}, 4000};
    no_amplification({data, size}, from);
    auto result = stun::decode({data, size});
    auto* message = std::get_if<stun::Message>(&result);
    if (!message) return 0;
    round_trip(*message);
    signed_registration(*message, from);
    return 0;
}
