#include "app/options.hpp"

#include <spdlog/spdlog.h>

#include <ostream>

namespace geokg::app {

bool parse_options(const std::string& command, const std::string& usage_line, const po::options_description& desc,
                   const po::positional_options_description* positional, const std::vector<std::string>& args,
                   po::variables_map& vm, std::ostream& out, std::ostream& err, int& exit_code) {
  try {
    po::command_line_parser parser(args);
    parser.options(desc);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), vm);
    po::store(po::parse_environment(desc,
                                    [&desc](const std::string& env) -> std::string {
                                      if (env.rfind("GEOKG_", 0) != 0) return {};
                                      std::string name = env.substr(6);
                                      for (auto& c : name) c = c == '_' ? '-' : static_cast<char>(std::tolower(c));
                                      return desc.find_nothrow(name, false) ? name : std::string();
                                    }),
              vm);
    if (vm.count("help")) {
      out << "usage: geokg " << command << " " << usage_line << "\n\n" << desc << '\n';
      exit_code = 0;
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    err << "geokg " << command << ": " << e.what() << "\n(see geokg " << command << " --help)\n";
    exit_code = 2;
    return false;
  }
  return true;
}

bool set_log_level(const std::string& level) {
  const auto l = spdlog::level::from_str(level);
  if (l == spdlog::level::off && level != "off") return false;
  spdlog::set_level(l);
  return true;
}

}  // namespace geokg::app
