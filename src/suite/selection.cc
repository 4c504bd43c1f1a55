#include "suite/selection.h"

namespace testbed {

std::vector<const Topology*> select_scenarios(const std::vector<Topology>& all,
                                              const SuiteOptions& o) {
    std::vector<const Topology*> filtered;
    for (const auto& t : all) {
        if (!o.filter || o.filter->search(t.name)) filtered.push_back(&t);
    }
    std::vector<const Topology*> out;
    for (size_t i = 0; i < filtered.size(); ++i) {
        if (static_cast<int>(i % static_cast<size_t>(o.shard_count)) == o.shard_index)
            out.push_back(filtered[i]);
    }
    return out;
}

}  // namespace testbed
