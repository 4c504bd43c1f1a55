#pragma once
/// A matrix cell's text once its values are filled in: a value may itself
/// hold a ${name} nothing defines, or turn a pattern into one RE2 refuses.
/// The loader checks the file's own text; this checks what each cell made
/// of it, so `validate` finds what `run` would otherwise fail on.

#include "model/diagnostics.h"
#include "model/topology.h"

namespace testbed {

/// For a matrix cell (matrix_name set; nothing otherwise): every ${name}
/// left in a program's command, environment or files is a run-time one
/// (run_dir, an address), none is left where only the matrix fills in
/// (expectations, traffic), and every `ready:` and expectation pattern
/// compiles. Errors at the step's or expectation's line, naming the cell.
void check_cell_templates(const Topology& cell, Diagnostics& diag);

}  // namespace testbed
