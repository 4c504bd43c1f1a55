#pragma once
/// ${name} placeholders in a topology's commands and expectations: matrix
/// variables today. Pure text functions, shared by the loader (which checks
/// the names) and the matrix expansion (which fills them in).

#include <map>
#include <string>
#include <vector>

namespace testbed {

/// The names used as ${name} in `text`, in order of appearance.
std::vector<std::string> variables_in(const std::string& text);

/// `text` with every ${name} found in `values` replaced; others stay as written.
std::string substitute(const std::string& text, const std::map<std::string, std::string>& values);

}  // namespace testbed
