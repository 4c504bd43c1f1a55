#pragma once
/// Text made safe for the XML and HTML reports.

#include <string>

namespace testbed {

/// `s` with the characters XML and HTML reserve escaped, and the control
/// characters XML 1.0 forbids replaced by '?', bytes that are not UTF-8 (and
/// the noncharacters U+FFFE, U+FFFF) by U+FFFD: the result always parses.
std::string xml_escape(const std::string& s);

}  // namespace testbed
