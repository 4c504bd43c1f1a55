#include "programs/net/stun_client.h"

#include <algorithm>

namespace testbed::programs {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::optional<BindingAnswer> binding_transaction(UdpSocket& socket, const stun::Endpoint& to,
                                                 Duration wait,
                                                 std::optional<stun::Message::Change> change) {
    stun::Message request;
    request.transaction = stun::new_transaction_id();
    if (change) request.add_change_request(change->ip, change->port);
    const auto bytes = stun::encode(request);
    const auto deadline = Clock::now() + wait;
    const auto interval = milliseconds(100);
    while (Clock::now() < deadline) {
        const auto sent = Clock::now();
        socket.send_to(to, bytes);
        const auto until = std::min(sent + interval, deadline);
        while (Clock::now() < until) {
            auto d = socket.receive(std::chrono::duration_cast<milliseconds>(until - Clock::now()));
            if (!d) break;
            auto decoded = stun::decode(d->bytes);
            auto* m = std::get_if<stun::Message>(&decoded);
            if (m && m->transaction == request.transaction && m->cls == stun::Class::success) {
                return BindingAnswer{
                    *m, std::chrono::duration<double, std::milli>(Clock::now() - sent).count()};
            }
        }
    }
    return std::nullopt;
}

std::optional<stun::Endpoint> binding(UdpSocket& socket, const stun::Endpoint& server,
                                      Duration wait) {
    auto answer = binding_transaction(socket, server, wait);
    if (!answer) return std::nullopt;
    return answer->message.mapped();
}

}  // namespace testbed::programs
