// `geokg query`: one GET request of the API answered in process, for shells and scripts that
// want the analytics (paths, subgraphs, timelines, centrality, exports...) without a server.
#include "api/api.hpp"
#include "app/commands.hpp"
#include "app/options.hpp"
#include "engine/engine.hpp"

#include <ostream>

namespace geokg::app {

int query_command(const std::vector<std::string>& args, std::istream&, std::ostream& out, std::ostream& err) {
  po::options_description desc("options (each also read from GEOKG_<NAME>, e.g. GEOKG_DB)");
  desc.add_options()("help,h", "show this help")(
      "db", po::value<std::string>()->default_value("geokg.db"), "SQLite database file")(
      "target", po::value<std::string>(), "path and query of a GET request, e.g. '/v1/paths?source=PRK&target=UKR'");
  po::positional_options_description positional;
  positional.add("target", 1);
  po::variables_map vm;
  int code = 0;
  if (!parse_options("query", "[options] TARGET", desc, &positional, args, vm, out, err, code)) return code;
  if (!vm.count("target") || vm["target"].as<std::string>().empty() || vm["target"].as<std::string>()[0] != '/') {
    err << "geokg query: give the request target, e.g. geokg query --db FILE '/v1/analytics/centrality?metric=pagerank'\n";
    return 2;
  }
  engine::Options eo;
  eo.db_path = vm["db"].as<std::string>();
  auto engine = engine::Engine::open(eo);
  if (!engine) {
    err << "geokg query: cannot open " << eo.db_path << ": " << engine.error().detail << '\n';
    return 1;
  }
  api::Api api;
  api.attach(std::shared_ptr<engine::Engine>(std::move(*engine)));
  api::Request request{api::http::verb::get, vm["target"].as<std::string>(), 11};
  auto reply = api.handle(request, {"cli", "", true});
  const bool ok = reply.message.result_int() < 400;
  std::ostream& sink = ok ? out : err;
  if (reply.stream) {
    std::string piece;
    for (bool more = true; more;) {
      piece.clear();
      more = reply.stream(piece);
      sink << piece;
    }
  } else {
    sink << reply.message.body();
    if (!reply.message.body().empty() && reply.message.body().back() != '\n') sink << '\n';
  }
  return ok ? 0 : 1;
}

}  // namespace geokg::app
