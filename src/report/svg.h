#pragma once
/// A Graphviz DOT graph laid out and drawn as SVG in this process, through
/// Graphviz's own library (libgvc): no `dot` program, no file between the
/// two steps.

#include <string>

namespace testbed {

/// The SVG of `dot` (layout "dot"). Throws Error with Graphviz's reason
/// when the graph cannot be read or drawn.
std::string render_svg(const std::string& dot);

}  // namespace testbed
