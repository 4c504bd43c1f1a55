// testbed-attack: attacks on the rendezvous server that follow its protocol,
// for topologies/punch/server-flood.yaml (testbed-flood sends garbage):
//   hijack  registers, learns the victim's public key from an introduction,
//           then tries again and again to take the victim's id: under its
//           own key, with the victim's key signed by its own, and with the
//           victim's key and no proof at all.
//   spoof   sends registrations from a forged source address (a raw
//           socket), and, registered from its own address, asks for an
//           introduction to the forged id and relays data to it.
//   fill    registers --count ids from one address, each from a port of its own.
//   sink    counts what arrives on a UDP port (the spoofed address's host).
//   relay   relays UDP between whoever sends to its port and --to, marking
//           each datagram with a forged DSCP (--dscp: the other peer's
//           traffic number), so a `traffic:` check would read it as direct
//           were the mark taken from the sender's word.
// Each prints "attacking" ("listening") when it starts and a JSON summary
// when it ends.

#include <fmt/core.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <span>

#include "base/duration.h"
#include "base/error.h"
#include "programs/net/sockaddr.h"
#include "programs/net/udp.h"
#include "punch/auth.h"
#include "punch/protocol.h"

namespace {

using namespace testbed;
using Clock = std::chrono::steady_clock;
using Json = nlohmann::json;

/// Pacing between attempts (not readiness: each attempt waits for its answer).
constexpr auto kPace = std::chrono::milliseconds(20);

/// A UDP client of the server: request and answer, and the registration
/// handshake done the way a peer does it.
class Client {
  public:
    explicit Client(stun::Endpoint server) : server_(server), socket_({Ipv4{0}, 0}) {}

    /// Sends `m` and waits for the answer to its transaction, sending it
    /// again (same transaction, as STUN retransmits) after 200, 400, ...
    /// ms, five times at most, so a loaded machine does not turn a late
    /// answer into a miscount; introductions that come meanwhile are kept.
    std::optional<stun::Message> exchange(const stun::Message& m) {
        const auto bytes = stun::encode(m);
        for (int attempt = 1; attempt <= 5; ++attempt) {
            socket_.send_to(server_, bytes);
            const auto deadline = Clock::now() + std::chrono::milliseconds(200 * attempt);
            while (Clock::now() < deadline) {
                const auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
                auto d = socket_.receive(std::max(left, std::chrono::milliseconds(1)));
                if (!d) continue;
                auto decoded = stun::decode(d->bytes);
                auto* answer = std::get_if<stun::Message>(&decoded);
                if (!answer) continue;
                if (auto intro = punch::introduction_from(*answer)) introductions.push_back(*intro);
                if (answer->transaction == m.transaction && answer->method == m.method)
                    return *answer;
            }
        }
        return std::nullopt;
    }

    void send(const stun::Message& m) { socket_.send_to(server_, stun::encode(m)); }

    /// `r` as a peer registers it: the request, the server's nonce, the
    /// request again with the nonce signed by `signer` (which need not hold
    /// `r.key`), or with no proof when `signer` is null. The last answer.
    std::optional<stun::Message> register_as(punch::Register r, const punch::Identity* signer) {
        auto answer = exchange(punch::to_message(r, stun::new_transaction_id()));
        const auto nonce = answer ? punch::nonce_of(*answer) : std::nullopt;
        if (!answer || answer->cls != stun::Class::error || !nonce) return answer;
        if (signer) {
            r = signer->sign(std::move(r), *nonce);  // over r.key, whoever holds it
        } else {
            r.nonce = nonce;
        }
        return exchange(punch::to_message(r, stun::new_transaction_id()));
    }

    std::vector<punch::Introduction> introductions;

  private:
    stun::Endpoint server_;
    programs::UdpSocket socket_;
};

bool succeeded(const std::optional<stun::Message>& m) {
    return m && m->cls == stun::Class::success;
}

punch::Register registration(const std::string& id, const punch::PublicKey& key) {
    return punch::Register{id, key, {}, 0, std::nullopt, std::nullopt};
}

void started(const char* what) {
    fmt::print("{}\n", what);
    (void)std::fflush(stdout);
}

/// Registers `id` from this host and tries to take `victim`'s id for `duration`.
Json hijack(stun::Endpoint server, const std::string& id, const std::string& victim,
            Duration duration) {
    Client client(server);
    const punch::Identity me;
    started("attacking");
    const auto end = Clock::now() + duration;
    Json out = {{"registered", false},
                {"victim_key_seen", false},
                {"attempts", 0},
                {"refused", 0},
                {"taken_over", 0}};
    out["registered"] = succeeded(client.register_as(registration(id, me.public_key()), &me));
    std::optional<punch::PublicKey> key;
    while (!key && Clock::now() < end) {
        (void)client.exchange(
            punch::to_message(punch::Connect{victim}, stun::new_transaction_id()));
        for (const auto& intro : client.introductions)
            if (intro.peer == victim) key = intro.key;
        ::usleep(50'000);
    }
    out["victim_key_seen"] = key.has_value();
    while (key && Clock::now() < end) {
        // Its own key (the id is held by another: 409), the victim's key
        // signed with its own (401), the victim's key unsigned (401).
        for (auto [claimed, signer] :
             {std::pair{me.public_key(), &me}, std::pair{*key, &me},
              std::pair{*key, static_cast<const punch::Identity*>(nullptr)}}) {
            const auto answer = client.register_as(registration(victim, claimed), signer);
            out["attempts"] = out["attempts"].get<int>() + 1;
            if (succeeded(answer)) out["taken_over"] = out["taken_over"].get<int>() + 1;
            if (answer && answer->cls == stun::Class::error && !punch::nonce_of(*answer))
                out["refused"] = out["refused"].get<int>() + 1;
        }
        ::usleep(std::chrono::duration_cast<std::chrono::microseconds>(kPace).count());
    }
    return out;
}

/// One UDP datagram from a forged source (IP_HDRINCL; the kernel fills the
/// IP checksum and id; no UDP checksum, which IPv4 allows).
class SpoofedSender {
  public:
    SpoofedSender() : fd_(::socket(AF_INET, SOCK_RAW, IPPROTO_RAW)) {
        if (!fd_.valid())
            throw std::runtime_error(
                fmt::format("socket(AF_INET, SOCK_RAW, IPPROTO_RAW): {}", std::strerror(errno)));
    }
    void send(const stun::Endpoint& from, const stun::Endpoint& to,
              const std::vector<uint8_t>& payload) {
        std::vector<uint8_t> packet(sizeof(iphdr) + sizeof(udphdr) + payload.size());
        iphdr ip{};
        ip.version = 4;
        ip.ihl = 5;
        ip.ttl = 64;
        ip.protocol = IPPROTO_UDP;
        ip.tot_len = htons(static_cast<uint16_t>(packet.size()));
        ip.saddr = htonl(from.ip.value);
        ip.daddr = htonl(to.ip.value);
        udphdr udp{};
        udp.source = htons(from.port);
        udp.dest = htons(to.port);
        udp.len = htons(static_cast<uint16_t>(sizeof(udphdr) + payload.size()));
        std::memcpy(packet.data(), &ip, sizeof ip);
        std::memcpy(packet.data() + sizeof ip, &udp, sizeof udp);
        std::memcpy(packet.data() + sizeof ip + sizeof udp, payload.data(), payload.size());
        const sockaddr_in sa = programs::to_sockaddr(to);
        (void)::sendto(fd_.get(), packet.data(), packet.size(), 0,
                       reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    }

  private:
    Fd fd_;
};

/// Registrations from `as` (forged) under `id`, and introductions to and
/// relays for `id` asked from this host's own registration.
Json spoof(stun::Endpoint server, const stun::Endpoint& as, const std::string& id,
           Duration duration) {
    SpoofedSender raw;
    Client client(server);
    const punch::Identity me;
    const punch::Identity forged;
    started("attacking");
    Json out = {{"registered", succeeded(client.register_as(
                                   registration(id + "-accomplice", me.public_key()), &me))},
                {"spoofed", 0},
                {"relays", 0},
                {"introduced", 0}};
    const auto end = Clock::now() + duration;
    for (int round = 0; Clock::now() < end; ++round) {
        punch::Register r = registration(id, forged.public_key());
        // Every other one with a made-up nonce, signed: the server never gave it out.
        if (round % 2 == 1) r = forged.sign(std::move(r), punch::Nonce{});
        raw.send(as, server, stun::encode(punch::to_message(r, stun::new_transaction_id())));
        out["spoofed"] = out["spoofed"].get<int>() + 1;
        if (round % 5 == 0) {
            if (succeeded(client.exchange(
                    punch::to_message(punch::Connect{id}, stun::new_transaction_id()))))
                out["introduced"] = out["introduced"].get<int>() + 1;
            client.send(punch::to_message(punch::Relay{id, std::vector<uint8_t>(1000, 0x5a)}));
            out["relays"] = out["relays"].get<int>() + 1;
        }
        ::usleep(std::chrono::duration_cast<std::chrono::microseconds>(kPace).count());
    }
    return out;
}

/// `count` registrations from this host, each from a port of its own.
Json fill(stun::Endpoint server, const std::string& prefix, size_t count) {
    const punch::Identity me;
    started("attacking");
    std::vector<std::unique_ptr<Client>> clients;
    size_t registered = 0;
    size_t refused = 0;
    for (size_t i = 0; i < count; ++i) {
        clients.push_back(std::make_unique<Client>(server));
        const auto answer = clients.back()->register_as(
            registration(fmt::format("{}{}", prefix, i), me.public_key()), &me);
        if (succeeded(answer))
            ++registered;
        else if (answer && answer->error_code() == 503)
            ++refused;
    }
    return {{"registered", registered}, {"refused", refused}};
}

/// What arrives on `port` for `duration`.
Json sink(uint16_t port, Duration duration) {
    programs::UdpSocket socket({Ipv4{0}, port});
    started("listening");
    size_t packets = 0, bytes = 0, largest = 0, relayed = 0, introductions = 0;
    const auto end = Clock::now() + duration;
    while (Clock::now() < end) {
        auto d = socket.receive(std::chrono::milliseconds(50));
        if (!d) continue;
        ++packets;
        bytes += d->size;
        largest = std::max(largest, d->size);
        auto decoded = stun::decode(d->bytes);
        if (auto* m = std::get_if<stun::Message>(&decoded)) {
            if (punch::relay_from(*m)) ++relayed;
            if (punch::introduction_from(*m)) ++introductions;
        }
    }
    return {{"packets", packets},
            {"bytes", bytes},
            {"largest", largest},
            {"relayed", relayed},
            {"introductions", introductions}};
}

/// Relays datagrams between the last source that is not `to` and `to`
/// for `duration`, each sent with DSCP `dscp` (IP_TOS).
Json relay(uint16_t port, stun::Endpoint to, int dscp, Duration duration) {
    programs::UdpSocket socket({Ipv4{0}, port});
    const int tos = dscp << 2;
    if (::setsockopt(socket.fd(), IPPROTO_IP, IP_TOS, &tos, sizeof tos) != 0)
        throw_errno(fmt::format("setsockopt(IP_TOS, {})", tos));
    started("relaying");
    std::optional<stun::Endpoint> peer;
    size_t forward = 0, back = 0;
    const auto end = Clock::now() + duration;
    while (Clock::now() < end) {
        auto d = socket.receive(std::chrono::milliseconds(50));
        if (!d) continue;
        const std::span<const uint8_t> bytes(d->bytes.data(), std::min(d->size, d->bytes.size()));
        if (d->from == to) {
            if (!peer) continue;
            socket.send_to(*peer, bytes);
            ++back;
        } else {
            peer = d->from;
            socket.send_to(to, bytes);
            ++forward;
        }
    }
    return {{"forward", forward}, {"back", back}};
}

int run(int argc, char** argv) {
    CLI::App app{"testbed-attack: protocol-level attacks on a rendezvous server"};
    app.require_subcommand(1);
    std::string target_text;
    std::string duration_text = "4s";
    std::string id = "attacker";
    std::string victim;
    std::string as_text;
    size_t count = 100;
    uint16_t port = 0;
    auto common = [&](CLI::App* sub) {
        sub->add_option("--target", target_text, "Server ADDRESS:PORT")->required();
        sub->add_option("--duration", duration_text, "How long")->capture_default_str();
    };
    auto* hijack_cmd = app.add_subcommand("hijack", "Try to take over a registered peer's id");
    common(hijack_cmd);
    hijack_cmd->add_option("--id", id, "This attacker's own id")->capture_default_str();
    hijack_cmd->add_option("--victim", victim, "The id to take over")->required();
    auto* spoof_cmd = app.add_subcommand("spoof", "Register from a forged source address");
    common(spoof_cmd);
    spoof_cmd->add_option("--as", as_text, "The forged source ADDRESS:PORT")->required();
    spoof_cmd->add_option("--id", id, "The id to register for it")->capture_default_str();
    auto* fill_cmd = app.add_subcommand("fill", "Register many ids from one address");
    fill_cmd->add_option("--target", target_text, "Server ADDRESS:PORT")->required();
    fill_cmd->add_option("--count", count, "How many")->capture_default_str();
    fill_cmd->add_option("--id", id, "Prefix of the ids")->capture_default_str();
    auto* sink_cmd = app.add_subcommand("sink", "Count what arrives on a UDP port");
    sink_cmd->add_option("--port", port, "UDP port")->required();
    sink_cmd->add_option("--duration", duration_text, "How long")->capture_default_str();
    auto* relay_cmd = app.add_subcommand("relay", "Relay UDP to --to under a forged DSCP mark");
    int dscp = 0;
    relay_cmd->add_option("--port", port, "UDP port to listen on")->required();
    relay_cmd->add_option("--to", target_text, "Where to relay: ADDRESS:PORT")->required();
    relay_cmd->add_option("--dscp", dscp, "The DSCP every relayed datagram carries")
        ->check(CLI::Range(0, 63))
        ->required();
    relay_cmd->add_option("--duration", duration_text, "How long")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    const auto duration = parse_duration(duration_text);
    const auto target = stun::Endpoint::parse(target_text);
    if (!duration || (!sink_cmd->parsed() && !target)) {
        fmt::print(stderr, "--target expects ADDRESS:PORT, --duration a duration\n");
        return 2;
    }
    Json out;
    if (hijack_cmd->parsed()) out = hijack(*target, id, victim, *duration);
    if (spoof_cmd->parsed()) {
        const auto as = stun::Endpoint::parse(as_text);
        if (!as) {
            fmt::print(stderr, "--as expects ADDRESS:PORT\n");
            return 2;
        }
        out = spoof(*target, *as, id, *duration);
    }
    if (fill_cmd->parsed()) out = fill(*target, id, count);
    if (sink_cmd->parsed()) out = sink(port, *duration);
    if (relay_cmd->parsed()) out = relay(port, *target, dscp, *duration);
    fmt::print("{}\n", out.dump());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return testbed::guarded_main("testbed-attack", argc, argv, run);
}
