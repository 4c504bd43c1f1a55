#pragma once
/// Where something was written in a topology file, and the list of problems
/// found in it. Every message names file:line:column, what is wrong and what
/// was expected.

#include <string>
#include <vector>

namespace testbed {

/// A position in a file, 1-based; line 0 means "the file as a whole".
struct SourceLoc {
    int line = 0;
    int column = 0;
};

struct Diagnostic {
    enum class Severity { error, warning };
    Severity severity = Severity::error;
    SourceLoc loc;
    std::string message;
};

/// Problems found in one file. Loading and validation report every problem
/// they find rather than stopping at the first.
class Diagnostics {
  public:
    explicit Diagnostics(std::string file) : file_(std::move(file)) {}

    void error(SourceLoc loc, std::string message);
    void warning(SourceLoc loc, std::string message);

    bool has_errors() const;
    const std::vector<Diagnostic>& all() const { return items_; }
    const std::string& file() const { return file_; }
    /// "file:line:col: error: message" lines, sorted by position.
    std::string format() const;

  private:
    std::string file_;
    std::vector<Diagnostic> items_;
};

}  // namespace testbed
