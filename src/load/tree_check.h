#pragma once
/// Checks of a parsed YAML tree before anything reads it, so that what a
/// hostile file can make the loader do is bounded: at most kMaxNodes nodes
/// counting every alias expanded (a 1 KB file of nested anchors otherwise
/// expands to billions), nested at most kMaxDepth deep, and no key twice in
/// one map (YAML parsers keep the first and drop the second in silence).

#include <yaml-cpp/yaml.h>

#include "model/diagnostics.h"

namespace testbed {

inline constexpr size_t kMaxYamlNodes = 1'000'000;
inline constexpr size_t kMaxYamlDepth = 64;

/// Reports every duplicate key (naming both lines) into `diag`; false when
/// the tree is too large or too deep to be read at all (also reported).
bool check_tree(const YAML::Node& root, Diagnostics& diag);

}  // namespace testbed
