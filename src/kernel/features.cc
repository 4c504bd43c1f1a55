#include "kernel/features.h"

#include <set>
#include <sstream>
#include <tuple>

namespace testbed {
namespace {

/// What in a ruleset's text shows a feature, the feature, its options.
const std::vector<std::tuple<std::string, std::string, std::string>>& ruleset_feature_table() {
    static const std::vector<std::tuple<std::string, std::string, std::string>> kTable = {
        {"table ip", "nf_tables", "CONFIG_NF_TABLES, CONFIG_NF_TABLES_IPV4"},
        {"type nat", "NAT chains", "CONFIG_NFT_NAT, CONFIG_NF_NAT"},
        {"masquerade", "masquerade", "CONFIG_NFT_MASQ"},
        {"snat ", "source NAT to a mapped port", "CONFIG_NFT_NAT"},
        {"dnat ", "destination NAT (filtering, hairpin)", "CONFIG_NFT_NAT"},
        {"ct ", "connection tracking", "CONFIG_NF_CONNTRACK, CONFIG_NFT_CT"},
        {"numgen", "numgen (sequential ports)", "CONFIG_NFT_NUMGEN"},
        {"timeout", "sets and maps with timeouts (mapping lifetimes)", "CONFIG_NF_TABLES_SET"},
        {"update @", "sets updated from the packet path", "CONFIG_NF_TABLES_SET"},
        {"reject", "reject with tcp reset", "CONFIG_NFT_REJECT, CONFIG_NFT_REJECT_IPV4"},
    };
    return kTable;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> ruleset_features(const std::string& ruleset) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [needle, name, options] : ruleset_feature_table()) {
        if (ruleset.find(needle) != std::string::npos) out.emplace_back(name, options);
    }
    return out;
}

std::string nat_kernel_options() {
    std::set<std::string> seen;
    std::string out;
    for (const auto& entry : ruleset_feature_table()) {
        std::istringstream options(std::get<2>(entry));
        for (std::string option; std::getline(options >> std::ws, option, ',');) {
            if (seen.insert(option).second) out += (out.empty() ? "" : ", ") + option;
        }
    }
    return out;
}

}  // namespace testbed
