#pragma once

#include <memory>
#include <string_view>

namespace spdlog {
class formatter;
}

namespace geokg::app {

// One JSON object per line: {"ts","level", then either the members of a message that is itself a
// JSON object starting with {"type": (the access log), or "request_id" (when the message starts
// with "request <id>") and "msg"}. Invalid UTF-8 in messages is escaped, never copied.
std::unique_ptr<spdlog::formatter> make_json_formatter();

// Switches the default logger to JSON lines (true) or back to the text pattern (false).
void use_json_logs(bool json);

}  // namespace geokg::app
