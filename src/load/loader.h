#pragma once
/// Reads a topology file into the plain model (topology.h). Checks the shape
/// of the file: known keys, value types, formats of addresses, subnets,
/// durations and NAT behaviours. Cross-references and addressing are the
/// validator's job (validate.h). No kernel access.

#include <optional>
#include <string>

#include "model/diagnostics.h"
#include "model/names.h"
#include "model/topology.h"

namespace testbed {

/// Parses YAML text; `file` is only used in messages. Every problem found is
/// added to `diag`. Returns nullopt when the text is not YAML or not a map;
/// otherwise a Topology that is complete wherever `diag` has no error.
std::optional<Topology> load_topology_text(const std::string& text, Diagnostics& diag);

/// The largest topology file (and CSV table) read.
inline constexpr size_t kMaxTopologyFile = size_t{1} << 20;

/// Reads and parses a file; a file that cannot be read (not there, not a
/// regular file, over kMaxTopologyFile) is reported in `diag`.
std::optional<Topology> load_topology_file(const std::string& path, Diagnostics& diag);

}  // namespace testbed
