#include "model/template.h"

#include "base/regex.h"

namespace testbed {
namespace {

/// The next "${" at or after `at` that is not escaped as "$${".
size_t next_placeholder(const std::string& text, size_t at) {
    while ((at = text.find("${", at)) != std::string::npos) {
        if (at == 0 || text[at - 1] != '$') return at;
        at += 2;
    }
    return std::string::npos;
}

}  // namespace

std::vector<std::string> variables_in(const std::string& text) {
    std::vector<std::string> out;
    size_t at = 0;
    while ((at = next_placeholder(text, at)) != std::string::npos) {
        const size_t end = text.find('}', at + 2);
        if (end == std::string::npos) break;
        out.push_back(text.substr(at + 2, end - at - 2));
        at = end + 1;
    }
    return out;
}

std::string substitute(const std::string& text, const std::map<std::string, std::string>& values,
                       Escapes escapes) {
    std::string out;
    size_t at = 0;
    while (true) {
        const size_t start = next_placeholder(text, at);
        const size_t end = start == std::string::npos ? start : text.find('}', start + 2);
        if (start == std::string::npos || end == std::string::npos) break;
        auto it = values.find(text.substr(start + 2, end - start - 2));
        out += text.substr(at, start - at);
        out += it == values.end() ? text.substr(start, end - start + 1) : it->second;
        at = end + 1;
    }
    out += text.substr(at);
    if (escapes == Escapes::resolve) {
        for (size_t i = 0; (i = out.find("$${", i)) != std::string::npos; i += 2) out.erase(i, 1);
    }
    return out;
}

std::optional<nlohmann::json> plain_scalar(const std::string& text) {
    if (text == "true") return true;
    if (text == "false") return false;
    if (text == "null" || text == "~") return nullptr;
    static const auto number = Regex::compile(R"(-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?)");
    if (!number->full_match(text)) return text;
    nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (value.is_discarded()) return std::nullopt;
    return value;
}

bool is_one_variable(const std::string& text) {
    return text.size() > 3 && text.starts_with("${") && text.find('}') == text.size() - 1;
}

}  // namespace testbed
