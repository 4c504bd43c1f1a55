// Fuzz target: any bytes through the whole pure pipeline of a topology file
// as `validate` and `run` take it (load, expand the matrix, validate every
// cell, the link states its steps make, plan, graph). Nothing may crash,
// hang or leak, and memory stays proportional to the input: libFuzzer runs
// it with -rss_limit_mb=256 (fuzz/CMakeLists.txt). A file without errors
// must plan.

#include <cstddef>
#include <cstdint>
#include <string>

#include "expand/matrix.h"
#include "load/loader.h"
#include "plan/plan.h"
#include "report/dot.h"
#include "run/link_change.h"
#include "validate/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    testbed::Diagnostics diag("fuzz.yaml");
    auto topo = testbed::load_topology_text(text, diag);
    if (!topo || diag.has_errors()) return 0;
    for (auto& cell : testbed::expand_matrix(*topo)) {
        testbed::Diagnostics cell_diag("fuzz.yaml");
        testbed::validate_topology(cell, cell_diag);
        (void)cell_diag.format();
        if (cell_diag.has_errors()) continue;
        (void)testbed::missing_link_conditions_of_run(cell,
                                                      [] { return testbed::LinkAbilities{}; });
        (void)testbed::plan_network(cell);
        (void)testbed::topology_dot(cell);
    }
    return 0;
}
