#include "app/commands.hpp"

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace {

struct Command {
  std::string_view name;
  geokg::app::CommandFn run;
  std::string_view summary;
};

constexpr Command commands[] = {
    {"serve", geokg::app::serve_command, "run the HTTP/JSON API server"},
    {"extract", geokg::app::extract_command, "code triples from article text on stdin, JSONL on stdout"},
};

void usage(std::ostream& os) {
  os << "geokg " GEOKG_VERSION " - geopolitical relationship knowledge graph\n\n"
        "usage: geokg <command> [options]\n\ncommands:\n";
  for (const auto& c : commands) os << "  " << c.name << std::string(10 - c.name.size(), ' ') << c.summary << '\n';
  os << "\n`geokg <command> --help` describes a command's options; every option also reads an\n"
        "environment variable GEOKG_<OPTION> (e.g. GEOKG_DB, GEOKG_PORT).\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage(args.empty() ? std::cerr : std::cout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "-V") {
    std::cout << "geokg " GEOKG_VERSION "\n";
    return 0;
  }
  for (const auto& c : commands) {
    if (c.name == args[0]) {
      args.erase(args.begin());
      return c.run(args, std::cin, std::cout, std::cerr);
    }
  }
  std::cerr << "geokg: unknown command '" << args[0] << "'\n\n";
  usage(std::cerr);
  return 2;
}
