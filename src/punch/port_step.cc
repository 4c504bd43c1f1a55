#include "punch/port_step.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "punch/protocol.h"

namespace testbed::punch {

std::optional<int32_t> sequential_step(std::span<const int> ports) {
    if (ports.size() < 3) return std::nullopt;
    std::vector<int> gaps;
    for (size_t i = 1; i < ports.size(); ++i) gaps.push_back(ports[i] - ports[i - 1]);
    const int step = *std::min_element(gaps.begin(), gaps.end(),
                                       [](int a, int b) { return std::abs(a) < std::abs(b); });
    if (step == 0 || std::abs(step) > kMaxPortStep) return std::nullopt;
    size_t exact = 0;
    for (const int gap : gaps) {
        // Same direction and a whole number of steps: the quotient says both.
        if (gap % step != 0 || gap / step < 1 || gap / step > kMaxStepsSkipped) return std::nullopt;
        if (gap == step) ++exact;
    }
    if (exact * 2 < gaps.size()) return std::nullopt;
    return step;
}

}  // namespace testbed::punch
