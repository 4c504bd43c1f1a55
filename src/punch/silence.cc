#include "punch/silence.h"

#include <algorithm>
#include <cmath>

namespace testbed::punch {

SilenceLimit::SilenceLimit(Duration interval, Time began, bool lossy)
    : interval_(interval), began_(began), last_(began), missed_before_(lossy ? 1 : 0) {}

void SilenceLimit::heard(Time now) {
    ++heard_;
    last_ = std::max(last_, now);
}

int SilenceLimit::missed() const {
    // About one per interval up to the last we heard (the other's hold
    // began about when ours did), the first at the start.
    const int sent =
        heard_ == 0 ? 0
                    : static_cast<int>(std::lround(std::chrono::duration<double>(last_ - began_) /
                                                   std::chrono::duration<double>(interval_))) +
                          1;
    return std::max(0, sent - heard_) + missed_before_;
}

double SilenceLimit::delivered() const {
    const int all = heard_ + missed();
    return all == 0 ? 1.0 : static_cast<double>(heard_) / all;
}

SilenceLimit::Duration SilenceLimit::limit() const {
    const int missed_so_far = missed();
    if (missed_so_far == 0) return interval_ * kMinKeepalives;
    const double a = 1.0 + heard_;
    const double b = 1.0 + missed_so_far;
    double chance = 1.0;  // of k keepalives in a row lost by chance alone
    for (int k = 1; k <= kMaxKeepalives; ++k) {
        chance *= (b + k - 1) / (a + b + k - 1);
        if (k >= kMinKeepalives && chance < kChanceOfFalseLoss) return interval_ * k;
    }
    return interval_ * kMaxKeepalives;
}

}  // namespace testbed::punch
