#pragma once

#include "app/commands.hpp"

#include <sstream>
#include <string>
#include <vector>

namespace geokg::test {

// One `geokg` command run in process, as main() runs it: its exit code and what it wrote.
struct Run {
  int code;
  std::string out, err;
};

inline Run run(const std::vector<std::string>& args, const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  const int code = app::run(args, in, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace geokg::test
