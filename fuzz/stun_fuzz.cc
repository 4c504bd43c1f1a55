// Fuzz target: any bytes through the STUN decoder. A message it accepts must
// encode again and decode to the same attributes (round trip).

#include <cstddef>
#include <cstdint>
#include <cstdlib>

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
    return 0;
}
