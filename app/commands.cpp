#include "app/commands.hpp"

#include <ostream>

namespace geokg::app {

namespace {

struct Command {
  std::string_view name;
  CommandFn fn;
  std::string_view summary;
};

// The command table: one line per sub-command.
constexpr Command commands[] = {
    {"serve", serve_command, "run the HTTP/JSON API server"},
    {"import", import_command, "load triples from a JSONL or CSV file, all or nothing"},
    {"export", export_command, "write triples as JSONL or CSV (import reads them back)"},
    {"extract", extract_command, "code triples from article text on stdin, JSONL on stdout"},
    {"query", query_command, "answer one GET request of the API in process (analytics without a server)"},
    {"keys", keys_command, "create, list and revoke API keys"},
    {"version", nullptr, "print the version"},
};

void usage(std::ostream& os) {
  os << "geokg " GEOKG_VERSION " - geopolitical relationship knowledge graph\n\n"
        "usage: geokg <command> [options]\n\ncommands:\n";
  for (const auto& c : commands) os << "  " << c.name << std::string(10 - c.name.size(), ' ') << c.summary << '\n';
  os << "\n`geokg <command> --help` describes a command's options; every option can also be set\n"
        "through an environment variable GEOKG_<OPTION> (e.g. GEOKG_DB, GEOKG_PORT).\n";
}

}  // namespace

int run(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  if (args.empty()) {
    usage(err);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage(out);
    return 0;
  }
  if (args[0] == "--version" || args[0] == "-V" || args[0] == "version") {
    out << "geokg " GEOKG_VERSION "\n";
    return 0;
  }
  for (const auto& c : commands) {
    if (c.name == args[0] && c.fn) return c.fn(std::vector<std::string>(args.begin() + 1, args.end()), in, out, err);
  }
  err << "geokg: unknown command '" << args[0] << "'\n\n";
  usage(err);
  return 2;
}

}  // namespace geokg::app
