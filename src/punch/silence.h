#pragma once
/// When a held path that went quiet counts as lost. The other side sends a
/// keepalive every interval, and on a lossy path some never come: at 30%
/// loss on each of the two links a relayed one crosses, three in a row are
/// lost one time in eight. So a path that never lost a keepalive is lost
/// after three silent intervals, and one that did after as many as make a
/// silence that long by chance rarer than one in a thousand: the chance of
/// k losses in a row, with the delivery rate not known but learnt from the
/// keepalives counted (a uniform prior; the posterior predictive of k
/// misses under Beta(1 + heard, 1 + missed) is the product below), so a
/// few samples count for little and many for much.

#include <chrono>

#include "punch/clock.h"

namespace testbed::punch {

class SilenceLimit {
  public:
    using Duration = std::chrono::milliseconds;
    static constexpr int kMinKeepalives = 3;
    static constexpr int kMaxKeepalives = 16;
    static constexpr double kChanceOfFalseLoss = 0.001;

    /// From `began`, keepalives every `interval`; `lossy` when the session
    /// lost messages before the hold (counted as one keepalive missed).
    SilenceLimit(Duration interval, Time began, bool lossy);

    /// One of the other's keepalives came on the path.
    void heard(Time now);
    /// The share of the other's keepalives that came, up to the last heard.
    double delivered() const;
    /// How long the path may be silent before it counts as lost.
    Duration limit() const;

  private:
    Duration interval_;
    Time began_;
    Time last_;
    int missed_before_;
    int heard_ = 0;

    /// Keepalives the other sent up to the last one heard, and not heard.
    int missed() const;
};

}  // namespace testbed::punch
