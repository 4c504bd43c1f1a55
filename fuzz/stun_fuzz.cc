// Fuzz target: any bytes through the STUN decoder and the rendezvous
// protocol's decoders (what the server and the peers parse from the wire).
// A message the STUN decoder accepts must encode again and decode to the
// same attributes (round trip); a protocol message must survive the same.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "punch/protocol.h"
#include "stun/stun.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace testbed::stun;
    auto result = decode({data, size});
    auto* message = std::get_if<Message>(&result);
    if (!message) return 0;
    Message copy = *message;
    std::erase_if(copy.attributes, [](const Attribute& a) { return a.type == attr::fingerprint; });
    const auto bytes = encode(copy);
    auto again = decode(bytes);
    auto* back = std::get_if<Message>(&again);
    if (!back || back->attributes.size() != copy.attributes.size() + 1 ||
        back->transaction != copy.transaction) {
        std::abort();
    }
    using namespace testbed::punch;
    if (auto r = register_from(*message)) {
        if (!register_from(to_message(*r, message->transaction))) std::abort();
    }
    if (auto i = introduction_from(*message)) {
        if (!introduction_from(to_message(*i))) std::abort();
    }
    if (auto p = punch_from(*message)) {
        if (!punch_from(to_message(*p))) std::abort();
    }
    (void)connect_from(*message);
    (void)reversal_from(*message);
    (void)relay_from(*message);
    return 0;
}
