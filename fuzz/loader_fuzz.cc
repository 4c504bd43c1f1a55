// Fuzz target: any bytes through the whole pure pipeline of a topology file
// (load, validate, plan, graph). Nothing may crash, hang or leak; a file
// without errors must plan.

#include <cstddef>
#include <cstdint>
#include <string>

#include "load/loader.h"
#include "plan/plan.h"
#include "report/dot.h"
#include "validate/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    testbed::Diagnostics diag("fuzz.yaml");
    auto topo = testbed::load_topology_text(text, diag);
    if (!topo) return 0;
    testbed::validate_topology(*topo, diag);
    (void)diag.format();
    if (diag.has_errors()) return 0;
    (void)testbed::plan_network(*topo);
    (void)testbed::topology_dot(*topo);
    return 0;
}
