#include "api/api.hpp"
#include "app/commands.hpp"
#include "app/options.hpp"
#include "app/wiring.hpp"
#include "engine/engine.hpp"
#include "server/http_server.hpp"

#include <spdlog/spdlog.h>

#include <csignal>
#include <pthread.h>
#include <thread>

namespace geokg::app {

int serve_command(const std::vector<std::string>& args, std::istream&, std::ostream& out, std::ostream& err) {
  po::options_description desc("options (each also read from GEOKG_<NAME>, e.g. GEOKG_DB)");
  desc.add_options()
      ("help,h", "show this help")
      ("db", po::value<std::string>()->default_value("geokg.db"), "SQLite database file (created if missing)")
      ("host", po::value<std::string>()->default_value("127.0.0.1"), "address to listen on")
      ("port", po::value<std::uint16_t>()->default_value(8080), "port to listen on (0 = any free port)")
      ("threads", po::value<unsigned>()->default_value(std::max(1u, std::thread::hardware_concurrency())),
       "I/O threads (and as many worker threads for heavy requests)")
      ("demo", po::bool_switch(), "load the demo triples when the database holds no triples")
      ("cors-origin", po::value<std::string>()->default_value("*"), "Access-Control-Allow-Origin value")
      ("max-body-bytes", po::value<std::uint64_t>()->default_value(64ull << 20), "largest request body accepted")
      ("request-timeout", po::value<unsigned>()->default_value(30), "seconds to receive one whole request")
      ("idle-timeout", po::value<unsigned>()->default_value(60), "seconds an idle keep-alive connection stays open")
      ("max-connections", po::value<std::size_t>()->default_value(10000), "concurrent connections")
      ("access-log", po::value<bool>()->default_value(true), "log one line per request")
      ("log-level", po::value<std::string>()->default_value("info"), "trace, debug, info, warn, error or off");
  po::variables_map vm;
  int code = 0;
  if (!parse_options("serve", "[options]", desc, nullptr, args, vm, out, err, code)) return code;
  if (!set_log_level(vm["log-level"].as<std::string>())) {
    err << "geokg serve: unknown --log-level '" << vm["log-level"].as<std::string>() << "'\n";
    return 2;
  }

  // SIGINT/SIGTERM are taken by sigwait below; threads started from here inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  api::ApiOptions api_options;
  api_options.cors_origin = vm["cors-origin"].as<std::string>();
  api_options.max_body_bytes = vm["max-body-bytes"].as<std::uint64_t>();
  api::Api api(api_options);

  server::Options so;
  so.host = vm["host"].as<std::string>();
  so.port = vm["port"].as<std::uint16_t>();
  so.io_threads = std::max(1u, vm["threads"].as<unsigned>());
  so.worker_threads = so.io_threads;
  so.max_body_bytes = api_options.max_body_bytes;
  so.request_timeout = std::chrono::seconds(vm["request-timeout"].as<unsigned>());
  so.idle_timeout = std::chrono::seconds(vm["idle-timeout"].as<unsigned>());
  so.max_connections = vm["max-connections"].as<std::size_t>();
  so.access_log = vm["access-log"].as<bool>();

  auto http = make_http_server(api, so);
  try {
    http->start();
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", so.host, so.port, e.what());
    return 1;
  }
  spdlog::info("geokg {} listening on http://{}:{} (database {})", GEOKG_VERSION, so.host, http->port(),
               vm["db"].as<std::string>());

  // The graph loads while the server already answers /healthz (and 503 on /readyz).
  std::atomic<bool> load_failed{false};
  std::thread loader([&] {
    engine::Options eo;
    eo.db_path = vm["db"].as<std::string>();
    eo.demo = vm["demo"].as<bool>();
    auto engine = engine::Engine::open(eo);
    if (!engine) {
      spdlog::critical("cannot open {}: {}", eo.db_path, engine.error().detail);
      load_failed = true;
      kill(getpid(), SIGTERM);
      return;
    }
    api.attach(std::shared_ptr<engine::Engine>(std::move(*engine)));
    spdlog::info("ready");
  });

  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("{}: shutting down (finishing in-flight requests)", load_failed ? "load failed" : strsignal(sig));
  http->stop(std::chrono::seconds(10));
  loader.join();
  return load_failed ? 1 : 0;
}

}  // namespace geokg::app
