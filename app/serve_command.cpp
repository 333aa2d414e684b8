#include "api/api.hpp"
#include "app/commands.hpp"
#include "app/logging.hpp"
#include "app/options.hpp"
#include "app/serve_config.hpp"
#include "app/wiring.hpp"
#include "core/text.hpp"
#include "engine/engine.hpp"
#include "engine/key_ring.hpp"
#include "server/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/address.hpp>

#include <csignal>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace geokg::app {

std::optional<ServeConfig> parse_serve_config(const std::vector<std::string>& args, std::ostream& out,
                                              std::ostream& err, int& exit_code) {
  po::options_description desc("options (each also read from GEOKG_<NAME>, e.g. GEOKG_DB)");
  desc.add_options()
      ("help,h", "show this help")
      ("db", po::value<std::string>()->default_value("geokg.db"), "SQLite database file (created if missing)")
      ("host", po::value<std::string>()->default_value("127.0.0.1"), "address to listen on")
      ("port", po::value<std::uint16_t>()->default_value(8080), "port to listen on (0 = any free port)")
      ("threads", po::value<unsigned>()->default_value(std::max(1u, std::thread::hardware_concurrency())),
       "I/O threads (and as many worker threads for heavy requests)")
      ("demo", po::bool_switch(), "load the demo triples when the database holds no triples")
      ("actors", po::value<std::vector<std::string>>()->composing(),
       "extraction dictionary file (geokg TSV or PETRARCH/TABARI), repeatable; read again on SIGHUP "
       "or POST /v1/dictionaries/reload")
      ("cors-origin", po::value<std::string>()->default_value("*"), "Access-Control-Allow-Origin value")
      ("max-body-bytes", po::value<std::uint64_t>()->default_value(64ull << 20),
       "largest request body accepted (routes may accept less)")
      ("max-header-bytes", po::value<std::uint32_t>()->default_value(16u << 10), "largest request header accepted")
      ("request-timeout", po::value<double>()->default_value(30), "seconds to receive one whole request")
      ("idle-timeout", po::value<double>()->default_value(60), "seconds an idle keep-alive connection stays open")
      ("max-connections", po::value<std::size_t>()->default_value(10000), "concurrent connections")
      ("max-pending-writes", po::value<std::size_t>()->default_value(32),
       "write requests admitted and not yet answered; beyond, 503 with Retry-After")
      ("query-timeout", po::value<double>()->default_value(10), "seconds a query may run (then 503)")
      ("query-max-work", po::value<std::uint64_t>()->default_value(5'000'000),
       "nodes or edges a query may visit (then 422)")
      ("require-read-key", po::bool_switch(), "reads need an API key too (keys: geokg keys create)")
      ("rate-limit-per-key", po::value<double>()->default_value(0), "requests per second per API key (0 = off)")
      ("rate-limit-per-address", po::value<double>()->default_value(0),
       "requests per second per client address (0 = off)")
      ("rate-limit-burst", po::value<double>()->default_value(0),
       "requests a client may make at once (0 = two seconds' worth)")
      ("access-log", po::value<bool>()->default_value(true), "log one line per request")
      ("log-format", po::value<std::string>()->default_value("text"), "text or json (one object per line)")
      ("log-level", po::value<std::string>()->default_value("info"), "trace, debug, info, warn, error or off");
  po::variables_map vm;
  if (!parse_options("serve", "[options]", desc, nullptr, args, vm, out, err, exit_code)) return std::nullopt;
  const auto fail = [&](const std::string& message) -> std::optional<ServeConfig> {
    err << "geokg serve: " << message << "\n(see geokg serve --help)\n";
    exit_code = 2;
    return std::nullopt;
  };

  ServeConfig c;
  c.db = vm["db"].as<std::string>();
  c.demo = vm["demo"].as<bool>();
  if (vm.count("actors")) {
    // GEOKG_ACTORS may hold several paths separated by ':', as for geokg extract.
    for (const auto& path : vm["actors"].as<std::vector<std::string>>())
      for (auto p : core::split(path, ':'))
        if (!p.empty()) c.actor_dictionaries.emplace_back(p);
  }
  c.log_level = vm["log-level"].as<std::string>();
  if (spdlog::level::from_str(c.log_level) == spdlog::level::off && c.log_level != "off")
    return fail("unknown --log-level '" + c.log_level + "'");
  const auto format = vm["log-format"].as<std::string>();
  if (format == "json") {
    c.log_format = server::LogFormat::json;
  } else if (format != "text") {
    return fail("--log-format must be text or json, got '" + format + "'");
  }
  const auto seconds = [&](const char* name, double min) -> std::optional<std::chrono::milliseconds> {
    const double v = vm[name].as<double>();
    if (!(v >= min && v <= 86'400.0)) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(v * 1000.0));
  };
  const auto request_timeout = seconds("request-timeout", 0.01);
  const auto idle_timeout = seconds("idle-timeout", 0.01);
  const auto query_timeout = seconds("query-timeout", 0.001);
  if (!request_timeout) return fail("--request-timeout must be between 0.01 and 86400 seconds");
  if (!idle_timeout) return fail("--idle-timeout must be between 0.01 and 86400 seconds");
  if (!query_timeout) return fail("--query-timeout must be between 0.001 and 86400 seconds");
  for (const char* rate : {"rate-limit-per-key", "rate-limit-per-address", "rate-limit-burst"}) {
    const double v = vm[rate].as<double>();
    if (!(v >= 0 && v <= 1e9)) return fail(std::string("--") + rate + " must be 0 or more");
  }
  if (vm["max-connections"].as<std::size_t>() == 0) return fail("--max-connections must be at least 1");
  if (vm["max-body-bytes"].as<std::uint64_t>() == 0) return fail("--max-body-bytes must be at least 1");
  if (vm["max-header-bytes"].as<std::uint32_t>() < 1024) return fail("--max-header-bytes must be at least 1024");

  c.api.cors_origin = vm["cors-origin"].as<std::string>();
  c.api.max_body_bytes = vm["max-body-bytes"].as<std::uint64_t>();
  c.api.access.require_read_key = vm["require-read-key"].as<bool>();
  c.api.rate_limit_per_key = vm["rate-limit-per-key"].as<double>();
  c.api.rate_limit_per_address = vm["rate-limit-per-address"].as<double>();
  c.api.rate_limit_burst = vm["rate-limit-burst"].as<double>();
  c.api.max_pending_writes = vm["max-pending-writes"].as<std::size_t>();
  c.api.query_budget.time = *query_timeout;
  c.api.query_budget.work = vm["query-max-work"].as<std::uint64_t>();

  c.server.host = vm["host"].as<std::string>();
  c.server.port = vm["port"].as<std::uint16_t>();
  c.server.io_threads = std::max(1u, vm["threads"].as<unsigned>());
  c.server.worker_threads = c.server.io_threads;
  c.server.max_body_bytes = c.api.max_body_bytes;
  c.server.max_header_bytes = vm["max-header-bytes"].as<std::uint32_t>();
  c.server.request_timeout = *request_timeout;
  c.server.idle_timeout = *idle_timeout;
  c.server.max_connections = vm["max-connections"].as<std::size_t>();
  c.server.access_log = vm["access-log"].as<bool>();
  c.server.log_format = c.log_format;
  return c;
}

namespace {

bool is_loopback_host(const std::string& host) {
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return host == "localhost" || (!ec && address.is_loopback());
}

}  // namespace

int serve_command(const std::vector<std::string>& args, std::istream&, std::ostream& out, std::ostream& err) {
  int code = 0;
  auto config = parse_serve_config(args, out, err, code);
  if (!config) return code;
  use_json_logs(config->log_format == server::LogFormat::json);
  set_log_level(config->log_level);

  // SIGINT/SIGTERM/SIGHUP are taken by sigwait below; threads started from here inherit the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // Keys are read before the server listens: no request is ever checked against a missing table.
  auto keys = engine::KeyRing::open(config->db);
  if (!keys) {
    spdlog::critical("cannot open the API keys of {}: {}", config->db, keys.error().detail);
    return 1;
  }
  api::Api api(config->api);
  api.set_keys(*keys);
  if (!(*keys)->any_active()) {
    spdlog::warn("NO API KEY EXISTS: writes are accepted from loopback clients only{}",
                 is_loopback_host(config->server.host) ? "" : " (this server listens beyond loopback)");
    spdlog::warn("create one with: geokg keys create --db {} --role write", config->db);
  } else if (!config->api.access.require_read_key) {
    spdlog::info("API keys exist: writes need a key with the write role; reads are open (--require-read-key to close them)");
  }

  auto http = make_http_server(api, config->server);
  api.add_metrics_source([server = http.get()](std::string& o) {
    api::append_metric_header(o, "geokg_http_connections", "gauge", "Connections being served.");
    api::append_sample(o, "geokg_http_connections", "", static_cast<double>(server->connections()));
  });
  try {
    http->start();
  } catch (const std::exception& e) {
    spdlog::critical("cannot listen on {}:{}: {}", config->server.host, config->server.port, e.what());
    return 1;
  }
  spdlog::info("geokg {} listening on http://{}:{} (database {})", GEOKG_VERSION, config->server.host, http->port(),
               config->db);

  // The graph loads while the server already answers /healthz (and 503 on /readyz).
  std::atomic<bool> load_failed{false};
  std::mutex engine_mu;
  std::shared_ptr<engine::Engine> loaded;  // under engine_mu, for SIGHUP
  std::thread loader([&] {
    engine::Options eo;
    eo.db_path = config->db;
    eo.demo = config->demo;
    eo.actor_dictionaries = config->actor_dictionaries;
    auto opened = engine::Engine::open(eo);
    if (!opened) {
      spdlog::critical("cannot open {}: {}", eo.db_path, opened.error().detail);
      load_failed = true;
      kill(getpid(), SIGTERM);
      return;
    }
    std::shared_ptr<engine::Engine> engine(std::move(*opened));
    // User dictionaries are read before the server is ready, so that a bad file stops it at once
    // rather than failing the first document.
    if (!eo.actor_dictionaries.empty()) {
      if (auto d = engine->dictionaries(); !d) {
        spdlog::critical("{}", d.error().detail);
        load_failed = true;
        kill(getpid(), SIGTERM);
        return;
      }
    }
    {
      std::lock_guard lock(engine_mu);
      loaded = engine;
    }
    api.attach(std::move(engine));
    spdlog::info("ready");
  });

  int sig = 0;
  for (;;) {
    sigwait(&signals, &sig);
    if (sig != SIGHUP) break;
    std::shared_ptr<engine::Engine> engine;
    {
      std::lock_guard lock(engine_mu);
      engine = loaded;
    }
    if (!engine) {
      spdlog::warn("SIGHUP: the graph is still loading; the dictionaries it loads are already the current files");
      continue;
    }
    (void)engine->reload_dictionaries();  // logs what it did, or why the old dictionaries stay
  }
  spdlog::info("{}: shutting down (finishing in-flight requests)", load_failed ? "load failed" : strsignal(sig));
  http->stop(std::chrono::seconds(10));
  loader.join();
  return load_failed ? 1 : 0;
}

}  // namespace geokg::app
