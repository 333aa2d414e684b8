#pragma once

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::app {

// One sub-command of the `geokg` executable: `args` are the arguments after its name.
// Returns the process exit code (0 ok, 1 failure, 2 usage error).
using CommandFn = int (*)(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
                          std::ostream& err);

int serve_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int import_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int export_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int extract_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int query_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);
int keys_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

// Dispatches `geokg <command> ...` (args exclude the program name).
int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace geokg::app
