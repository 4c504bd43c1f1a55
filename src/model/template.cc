#include "model/template.h"

namespace testbed {

std::vector<std::string> variables_in(const std::string& text) {
    std::vector<std::string> out;
    size_t at = 0;
    while ((at = text.find("${", at)) != std::string::npos) {
        const size_t end = text.find('}', at + 2);
        if (end == std::string::npos) break;
        out.push_back(text.substr(at + 2, end - at - 2));
        at = end + 1;
    }
    return out;
}

std::string substitute(const std::string& text, const std::map<std::string, std::string>& values) {
    std::string out;
    size_t at = 0;
    while (true) {
        const size_t start = text.find("${", at);
        const size_t end = start == std::string::npos ? start : text.find('}', start + 2);
        if (start == std::string::npos || end == std::string::npos) break;
        auto it = values.find(text.substr(start + 2, end - start - 2));
        out += text.substr(at, start - at);
        out += it == values.end() ? text.substr(start, end - start + 1) : it->second;
        at = end + 1;
    }
    return out + text.substr(at);
}

}  // namespace testbed
