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

double chance_all_round_trips_fail(const Receipts& r, int n) {
    // The delivery rate q is Beta(1 + heard, 1 + missed); a round trip
    // fails with 1 - q^2 (ping or pong lost): the mean of (1 - q^2)^n.
    const double a = 1.0 + r.heard();
    const double b = 1.0 + r.missed();
    const double log_beta = std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
    constexpr int kSteps = 2000;
    double sum = 0;
    for (int i = 1; i < kSteps; ++i) {
        const double q = static_cast<double>(i) / kSteps;
        const double log_density = (a - 1) * std::log(q) + (b - 1) * std::log1p(-q) - log_beta;
        sum += std::exp(log_density + n * std::log1p(-q * q));
    }
    return sum / kSteps;
}

int round_trips_to_try(const Receipts& r) {
    // The chance falls with n: the least n below the bound, by bisection.
    if (chance_all_round_trips_fail(r, kMaxRoundTrips) >= kChanceOfFalseLoss) return kMaxRoundTrips;
    int low = 0;  // fails the bound
    int high = kMaxRoundTrips;
    while (high - low > 1) {
        const int mid = (low + high) / 2;
        (chance_all_round_trips_fail(r, mid) < kChanceOfFalseLoss ? high : low) = mid;
    }
    return high;
}

SilenceDuration silence_limit(SilenceDuration interval, const Receipts& r) {
    for (int k = kMinSilentIntervals; k < kMaxSilentIntervals; ++k) {
        if (chance_of_losing(r, k) < kChanceOfFalseLoss) return interval * k;
    }
    return interval * kMaxSilentIntervals;
}

}  // namespace testbed::punch
