#include "programs/peer/tcp_technique.h"

#include <fmt/core.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/log.h"
#include "programs/net/tcp.h"

namespace testbed::programs {
namespace {

/// Why a connect ended, in the terms of the seed's table.
std::string connect_error(int err) {
    switch (err) {
        case EHOSTUNREACH:
        case ENETUNREACH:
            return fmt::format(
                "an ICMP error came back for the SYN ({}): Linux ends a connect that has no "
                "answer yet on any ICMP error",
                std::strerror(err));
        case ECONNREFUSED:
            return "a reset came back for the SYN (ECONNREFUSED)";
        case ETIMEDOUT:
            return "the SYN was never answered (ETIMEDOUT)";
        default:
            return fmt::format("the connect ended: {}", std::strerror(err));
    }
}

}  // namespace

TcpTechniqueRun::TcpTechniqueRun(punch::Technique technique, std::string me, std::string other,
                                 uint16_t port)
    : technique_(technique),
      traits_(punch::traits(technique)),
      me_(std::move(me)),
      other_(std::move(other)),
      port_(port) {
    if (traits_.learns_sequence) watch_.emplace();
}

void TcpTechniqueRun::introduced(const stun::Endpoint& other_public, punch::Time now) {
    other_public_ = other_public;
    if (traits_.takes_turns) {
        first_ = punch::goes_first(me_, other_);
        listener_ = traits_.one_side_listens && first_;
        if (!first_) return;  // sends once the first says its SYN is out
    }
    send_syn(syn_ttl_, now);
}

void TcpTechniqueRun::send_syn(int ttl, punch::Time now) {
    connecting_ = tcp_bound_socket({Ipv4{0}, port_});
    if (ttl != kDefaultTtl) set_ttl(connecting_.get(), ttl);
    if (!tcp_start_connect(connecting_.get(), other_public_)) {
        ended_ = fmt::format("connect({}): {}", other_public_.str(), std::strerror(errno));
        connecting_ = Fd();
        return;
    }
    log::debug("{}: {} SYN to {} with TTL {}", me_, punch::technique_name(technique_),
               other_public_.str(), ttl == kDefaultTtl ? "default" : std::to_string(ttl));
    if (listener_) abort_at_ = now + kSynPassBound;
}

void TcpTechniqueRun::on_peer_syn(const punch::Syn& syn, punch::Time now) {
    if (syn.peer != other_) return;
    if (traits_.sends_raw) their_isn_ = syn.isn;
    if (traits_.takes_turns && !first_ && !connecting_.valid() && !connection_) {
        // The first SYN is out. STUNT #2's connector makes an ordinary
        // connect through the listener's hole.
        send_syn(traits_.one_side_listens ? kDefaultTtl : syn_ttl_, now);
    }
    answer_with_synack();
}

void TcpTechniqueRun::add_pollfds(std::vector<pollfd>& fds) const {
    // Always two slots, so handle() finds them; poll ignores negative fds.
    fds.push_back({connecting_.valid() ? connecting_.get() : -1, POLLOUT, 0});
    fds.push_back({watch_ ? watch_->fd() : -1, POLLIN, 0});
}

void TcpTechniqueRun::handle(std::span<const pollfd> fds) {
    if (watch_ && (fds[1].revents & POLLIN)) {
        const auto syn =
            watch_->next([&](const SeenSegment& s) { return is_syn_sent(s, port_, other_public_); },
                         std::chrono::milliseconds(0));
        if (syn) on_own_syn(*syn);
    }
    if (connecting_.valid() && fds[0].revents) connect_ended();
}

void TcpTechniqueRun::on_own_syn(const SeenSegment& syn) {
    own_syn_ = syn;
    watch_.reset();  // one SYN is all it is for
    message_ = punch::Syn{other_, syn.seq, traits_.server_spoofs};
    told_ = true;
    log::debug("{}: our SYN left {} with sequence number {}", me_, syn.from.str(), syn.seq);
    answer_with_synack();
}

void TcpTechniqueRun::answer_with_synack() {
    if (!traits_.sends_raw || synack_sent_ || !own_syn_ || !their_isn_) return;
    const auto n = punch::syn_ack_numbers(own_syn_->seq, *their_isn_);
    try {
        send_tcp_segment({own_syn_->from, other_public_, n.seq, n.ack,
                          static_cast<uint8_t>(tcp_flag::syn | tcp_flag::ack)});
        synack_sent_ = true;
        log::debug("{}: SYN-ACK to {} seq {} ack {}", me_, other_public_.str(), n.seq, n.ack);
    } catch (const Error& e) {
        ended_ = e.what();
    }
}

void TcpTechniqueRun::connect_ended() {
    const int err = socket_error(connecting_.get());
    if (err == 0) {
        // Data goes all the way: the small TTL was for the SYN only.
        set_ttl(connecting_.get(), kDefaultTtl);
        connection_ = std::move(connecting_);
        abort_at_ = punch::Time::max();
        return;
    }
    if (listener_ && !told_) {
        // STUNT #2: the SYN's ICMP error says it is past the own NAT (a
        // reset says it reached a host or NAT that answered it).
        syn_met_ = connect_error(err);
        log::debug("{}: our SYN met {}", me_, syn_met_);
        abort_and_tell();
        return;
    }
    ended_ = connect_error(err);
    log::info("{}: {}: {}", me_, punch::technique_name(technique_), ended_);
    connecting_ = Fd();
}

void TcpTechniqueRun::on_time(punch::Time now) {
    if (listener_ && !told_ && connecting_.valid() && now >= abort_at_) {
        syn_met_ = fmt::format("nothing within {} ms", kSynPassBound.count());
        abort_and_tell();
    }
}

punch::Time TcpTechniqueRun::next_wake() const {
    return told_ ? punch::Time::max() : abort_at_;
}

void TcpTechniqueRun::abort_and_tell() {
    // Closing a socket in SYN_SENT sends nothing: the NAT keeps the
    // mapping the SYN made, and the listener (on the same port) takes over.
    connecting_ = Fd();
    abort_at_ = punch::Time::max();
    message_ = punch::Syn{other_, 0, false};
    told_ = true;
}

void TcpTechniqueRun::describe(nlohmann::json& out) const {
    out["technique"] = punch::technique_name(technique_);
    if (traits_.small_ttl) out["ttl"] = syn_ttl_;
    if (traits_.one_side_listens) {
        out["role"] = listener_ ? "listener" : "connector";
    } else if (traits_.takes_turns) {
        out["role"] = first_ ? "first" : "second";
    }
    if (own_syn_) out["syn_sequence"] = own_syn_->seq;
    if (!syn_met_.empty()) out["syn_met"] = syn_met_;
    if (!ended_.empty()) out["technique_error"] = ended_;
}

}  // namespace testbed::programs
