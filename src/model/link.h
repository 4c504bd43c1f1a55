#pragma once
/// Link conditions as plain data: what a link does to the packets crossing
/// it (delay, jitter, loss, duplication, reordering, rate) and its MTU, as a
/// network or one node's attachment declares them. How they reach the
/// kernel (netem, tbf, nftables) is plan/'s business.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/duration.h"
#include "model/diagnostics.h"

namespace testbed {

/// One direction of a link.
struct LinkConditions {
    std::optional<Duration> delay;           ///< one-way, added to every packet
    std::optional<Duration> jitter;          ///< the delay varies by up to this much
    std::optional<double> loss;              ///< percent of packets dropped
    std::optional<double> loss_correlation;  ///< percent: how much a loss follows the last one
    std::optional<double> duplicate;         ///< percent of packets delivered twice
    std::optional<double> reorder;           ///< percent sent at once, ahead of delayed ones
    std::optional<uint64_t> rate;            ///< bits per second

    bool empty() const;
    /// "delay 20ms, loss 1%, rate 10mbit": what is set, for messages and reports.
    std::string describe() const;
    bool operator==(const LinkConditions&) const = default;
};

/// `base` with every value `over` sets replaced by it (a node's own link
/// conditions over its network's).
LinkConditions overlay(const LinkConditions& base, const LinkConditions& over);

/// A link's conditions. On a network: every member's link, so a packet
/// from one member to another meets `out` once (`in` stays empty). On an
/// attachment: `out` is what the node sends, `in` what it receives.
struct LinkSpec {
    LinkConditions out;
    LinkConditions in;
    std::optional<int> mtu;
    SourceLoc loc;

    bool empty() const { return out.empty() && in.empty() && !mtu; }
    /// "loss 30%", "out: rate 1mbit; in: loss 5%", "mtu 1400": for step
    /// names and reports (both directions once when they are alike).
    std::string describe() const;
};

/// The smallest MTU an IPv4 link may have (RFC 791: every host must take
/// 68 bytes in one piece) and the largest a veth takes.
inline constexpr int kMinMtu = 68;
inline constexpr int kMaxMtu = 65535;
/// The longest delay or jitter a link may have.
inline constexpr Duration kMaxLinkDelay = std::chrono::seconds(10);

/// Parses "1%", "0.5%" (0 to 100); nullopt otherwise.
std::optional<double> parse_percent(std::string_view text);
/// Parses "10mbit", "512kbit", "1gbit", "9600bit" (decimal units, as tc
/// writes them); nullopt otherwise or for zero.
std::optional<uint64_t> parse_rate(std::string_view text);
/// "10mbit", "512kbit", "9600bit": the shortest exact form.
std::string format_rate(uint64_t bits_per_second);

}  // namespace testbed
