#include "load/tree_check.h"

#include <fmt/core.h>

#include <map>
#include <utility>
#include <vector>

#include "load/yaml_reader.h"

namespace testbed {

bool check_tree(const YAML::Node& root, Diagnostics& diag) {
    // Iterative, with the depth beside each node: no recursion on input.
    std::vector<std::pair<YAML::Node, size_t>> stack{{root, 1}};
    size_t visited = 0;
    while (!stack.empty()) {
        auto [node, depth] = std::move(stack.back());
        stack.pop_back();
        if (++visited > kMaxYamlNodes) {
            diag.error(
                loc_of(node),
                fmt::format("the file expands to more than {} YAML nodes (through aliases?); "
                            "a topology may have at most {}",
                            kMaxYamlNodes, kMaxYamlNodes));
            return false;
        }
        if (depth > kMaxYamlDepth) {
            diag.error(loc_of(node), fmt::format("nested deeper than {} levels", kMaxYamlDepth));
            return false;
        }
        if (node.IsSequence()) {
            for (const auto& item : node) stack.emplace_back(item, depth + 1);
        } else if (node.IsMap()) {
            std::map<std::string, SourceLoc> keys;
            for (const auto& entry : node) {
                const SourceLoc at = loc_of(entry.first);
                if (entry.first.IsScalar()) {
                    auto [it, fresh] = keys.emplace(entry.first.Scalar(), at);
                    if (!fresh)
                        diag.error(at, fmt::format("duplicate key '{}' (first at line {}, column "
                                                   "{}); each key may appear once in a map",
                                                   entry.first.Scalar(), it->second.line,
                                                   it->second.column));
                }
                stack.emplace_back(entry.first, depth + 1);
                stack.emplace_back(entry.second, depth + 1);
            }
        }
    }
    return true;
}

}  // namespace testbed
