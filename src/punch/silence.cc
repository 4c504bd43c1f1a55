#include "punch/silence.h"

#include <cmath>

namespace testbed::punch {

void Receipts::note(uint32_t sequence) {
    if (sequence == 0) sequence = highest_ + 1;
    if (sequence <= highest_) return;
    if (heard_ == 0) first_ = sequence;
    ++heard_;
    highest_ = sequence;
}

double chance_of_losing(const Receipts& r, int k) {
    const double heard = r.heard();
    const double missed = r.missed();
    double chance = 1.0;
    for (int j = 0; j < k; ++j) chance *= (1.0 + missed + j) / (2.0 + heard + missed + j);
    return chance;
}

int round_trips_to_try(const Receipts& r) {
    const double delivered = (1.0 + r.heard()) / (2.0 + r.heard() + r.missed());
    const double fails = 1.0 - delivered * delivered;  // ping or pong lost
    if (fails <= 0.0) return 1;
    return static_cast<int>(std::ceil(std::log(kChanceOfFalseLoss) / std::log(fails)));
}

SilenceDuration silence_limit(SilenceDuration interval, const Receipts& r) {
    for (int k = kMinSilentIntervals; k < kMaxSilentIntervals; ++k) {
        if (chance_of_losing(r, k) < kChanceOfFalseLoss) return interval * k;
    }
    return interval * kMaxSilentIntervals;
}

}  // namespace testbed::punch
