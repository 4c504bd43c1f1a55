#include "plan/address_pool.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace testbed {

AddressPool::AddressPool(std::vector<Ipv4> addresses, std::vector<Ipv4> inside, Pooling pooling)
    : addresses_(std::move(addresses)), inside_(std::move(inside)), pooling_(pooling) {
    if (addresses_.empty()) addresses_.push_back(Ipv4{0});
}

std::string AddressPool::for_new_mapping() const {
    if (!pooled()) return primary();
    if (pooling_ == Pooling::paired) return paired_map();
    std::vector<std::string> entries;
    for (size_t i = 0; i < addresses_.size(); ++i)
        entries.push_back(fmt::format("{} : {}", i, addresses_[i].str()));
    return fmt::format("numgen inc mod {} map {{ {} }}", addresses_.size(),
                       fmt::join(entries, ", "));
}

std::string AddressPool::for_inside(Ipv4 inside) const {
    if (!pooled()) return primary();
    if (pooling_ == Pooling::arbitrary) return for_new_mapping();
    const auto at = std::find(inside_.begin(), inside_.end(), inside);
    if (at == inside_.end()) return primary();
    const auto index = static_cast<size_t>(at - inside_.begin());
    return addresses_[index % addresses_.size()].str();
}

std::string AddressPool::hairpin_source() const {
    if (hairpin_exact()) return for_new_mapping();
    return primary();
}

std::string AddressPool::match() const {
    if (!pooled()) return primary();
    std::vector<std::string> all;
    for (const Ipv4 a : addresses_) all.push_back(a.str());
    return fmt::format("{{ {} }}", fmt::join(all, ", "));
}

std::string AddressPool::paired_map() const {
    if (inside_.empty()) return primary();
    std::vector<std::string> entries;
    for (size_t i = 0; i < inside_.size(); ++i) {
        entries.push_back(
            fmt::format("{} : {}", inside_[i].str(), addresses_[i % addresses_.size()].str()));
    }
    return fmt::format("ip saddr map {{ {} }}", fmt::join(entries, ", "));
}

}  // namespace testbed
