#include "report/svg.h"

#include <graphviz/gvc.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "base/error.h"

namespace testbed {
namespace {

struct ContextFree {
    void operator()(GVC_t* gvc) const { gvFreeContext(gvc); }
};
struct GraphClose {
    void operator()(Agraph_t* g) const { agclose(g); }
};

/// Graphviz keeps global state (its error buffer, the plugin list): one
/// rendering at a time.
std::mutex graphviz_lock;

/// aglasterr's message, which the caller frees.
std::string last_graphviz_error() {
    char* text = aglasterr();
    std::string out = text ? text : "unknown error";
    ::free(text);  // NOLINT(cppcoreguidelines-no-malloc): Graphviz's own allocation
    return out;
}

}  // namespace

/// What Graphviz and the fontconfig it loads keep for the life of the
/// process (plugin tables, font caches) is theirs, not a leak of ours: the
/// sanitizer build's LeakSanitizer is told so here, beside the only code
/// that calls them.
extern "C" const char*
__lsan_default_suppressions();  // NOLINT(bugprone-reserved-identifier,readability-identifier-naming)
extern "C" const char*
__lsan_default_suppressions() {  // NOLINT(bugprone-reserved-identifier,readability-identifier-naming)
    return "leak:libgvc.so\nleak:libcgraph.so\nleak:libfontconfig.so\nleak:libcdt.so\n";
}

std::string render_svg(const std::string& dot) {
    const std::lock_guard lock(graphviz_lock);
    // Errors are collected, not printed: the caller says what went wrong.
    agseterr(AGMAX);
    const std::unique_ptr<GVC_t, ContextFree> gvc(gvContext());
    if (!gvc) throw Error("gvContext: Graphviz could not start");
    const std::unique_ptr<Agraph_t, GraphClose> graph(agmemread(dot.c_str()));
    if (!graph) throw Error("agmemread: " + last_graphviz_error());
    if (gvLayout(gvc.get(), graph.get(), "dot") != 0)
        throw Error("gvLayout(dot): Graphviz has no dot layout (package libgvc6)");
    char* data = nullptr;
    unsigned int length = 0;
    const int rc = gvRenderData(gvc.get(), graph.get(), "svg", &data, &length);
    std::string svg = rc == 0 && data ? std::string(data, length) : std::string();
    gvFreeRenderData(data);
    gvFreeLayout(gvc.get(), graph.get());
    if (rc != 0) throw Error("gvRenderData(svg): Graphviz has no SVG renderer");
    return svg;
}

}  // namespace testbed
