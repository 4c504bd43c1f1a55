#pragma once
/// ${name} placeholders in a topology's commands, env, files and
/// expectations: matrix variables, addresses, run_dir. "$${" is a literal
/// "${" (a shell's own ${VAR} in a script under `files:`). Pure text
/// functions, shared by the loader (which checks the names), the matrix
/// expansion and the run (which fill them in).

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace testbed {

/// The names used as ${name} in `text`, in order of appearance (not $${...}).
std::vector<std::string> variables_in(const std::string& text);

enum class Escapes {
    keep,    ///< "$${" stays: more values come later (the matrix, then the run)
    resolve  ///< "$${" becomes "${": the last filling-in
};

/// `text` with every ${name} found in `values` replaced; others stay as written.
std::string substitute(const std::string& text, const std::map<std::string, std::string>& values,
                       Escapes escapes = Escapes::keep);

/// A plain (unquoted) YAML scalar as JSON, the way `expect: json:` reads
/// one: a number, boolean or null where it reads as such, else a string.
/// nullopt for a number JSON cannot hold (1e99999).
std::optional<nlohmann::json> plain_scalar(const std::string& text);

/// Whether `text` is exactly one ${name} (a value a matrix cell fills in whole).
bool is_one_variable(const std::string& text);

}  // namespace testbed
