#pragma once

#include <boost/program_options.hpp>

#include <iosfwd>
#include <string>
#include <vector>

namespace geokg::app {

namespace po = boost::program_options;

// Parses a sub-command's arguments, then the environment: every option `--foo-bar` also reads
// GEOKG_FOO_BAR (command-line values win). Prints errors and --help itself; returns false
// with `exit_code` set when the command should stop.
bool parse_options(const std::string& command, const std::string& usage_line, const po::options_description& desc,
                   const po::positional_options_description* positional, const std::vector<std::string>& args,
                   po::variables_map& vm, std::ostream& out, std::ostream& err, int& exit_code);

// Sets spdlog's level from a name (trace, debug, info, warn, error, off); false if unknown.
bool set_log_level(const std::string& level);

}  // namespace geokg::app
