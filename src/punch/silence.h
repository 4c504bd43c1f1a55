#pragma once
/// When a held path that went quiet counts as lost. Every message a peer
/// sends on a path carries its count on that path (Punch::sequence), so the
/// other side knows exactly how many it missed since the first that came
/// (those before it were sent before the hole was open): punch rounds,
/// answers and keepalives alike. On a lossy path some keepalives never come
/// (at 30% loss on each of the two links a relayed one crosses, three in a
/// row are lost one time in eight), so a path may be silent for as many
/// keepalive intervals as make a silence that long by chance rarer than
/// kChanceOfFalseLoss, at least three and at most sixteen. The delivery
/// rate is not known but learnt from the counts with a uniform prior: the
/// chance of k in a row lost is the posterior predictive under
/// Beta(1 + heard, 1 + missed), so a few samples count for little and many
/// for much. A path that carried few messages has not shown it loses none:
/// its silence may be loss for longer (a clean path is lost after eight
/// silent intervals once it carried five, six once ten, three once forty).
/// Word from the other that it lost the path (peer/core.h) is quicker.

#include <chrono>
#include <cstdint>

namespace testbed::punch {

/// What came of the other's messages on one path, by their sequence
/// numbers. One at or below the highest seen (reordered, duplicated)
/// counts for nothing, so reordering reads as loss: the side that waits.
class Receipts {
  public:
    /// A message numbered `sequence` came (0: unnumbered, counted as the next).
    /// Numbers below the first that came are not counted missed: the other
    /// sent them before the path was open.
    void note(uint32_t sequence);
    uint32_t heard() const { return heard_; }
    /// Messages numbered between the first and the highest seen that did not come.
    uint32_t missed() const { return heard_ == 0 ? 0 : highest_ - first_ + 1 - heard_; }

  private:
    uint32_t heard_ = 0;
    uint32_t first_ = 0;
    uint32_t highest_ = 0;
};

using SilenceDuration = std::chrono::milliseconds;

inline constexpr int kMinSilentIntervals = 3;
inline constexpr int kMaxSilentIntervals = 16;
/// Per keepalive interval of silence: a 12 s hold of punch/lossy-hold.yaml
/// starts over for nothing about once in 2,500 (direct) and 750 (relayed)
/// in a simulation of its loss (silence_test.cc).
inline constexpr double kChanceOfFalseLoss = 1e-4;

/// The chance that the next `k` messages in a row are lost, given `r`.
double chance_of_losing(const Receipts& r, int k);

/// How long a path with receipts `r`, whose other side sends a keepalive
/// every `interval`, may be silent before it counts as lost.
SilenceDuration silence_limit(SilenceDuration interval, const Receipts& r);

/// The chance that `n` round trips (a ping out, its pong back) all fail on
/// a path whose delivery rate is known only from `r` (the posterior
/// predictive under Beta(1 + heard, 1 + missed): a few receipts leave room
/// for much loss).
double chance_all_round_trips_fail(const Receipts& r, int n);

/// The most round trips the liveness check tries.
inline constexpr int kMaxRoundTrips = 100;

/// How many round trips to try before a path that works fails every one by
/// chance less often than kChanceOfFalseLoss: the liveness check's
/// patience, at most kMaxRoundTrips. A clean path that carried 20 messages
/// needs 7; a relayed one across two links of 30% loss (half of 40 came) 53;
/// one that showed 3 of 5 all of them.
int round_trips_to_try(const Receipts& r);

}  // namespace testbed::punch
