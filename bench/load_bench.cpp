// Queries under concurrent ingestion: latency percentiles of a read mix without writes, then with
// writers posting triple batches at full speed, and a check that readers never see a torn batch.
// Runs the real stack in-process (SQLite file, engine, API, Beast server on a loopback port) and talks
// HTTP to it; or, with --port, an external `geokg serve` (started with --demo on an empty database).
//
//   load_bench [--seconds S] [--readers N] [--writers N] [--batch K] [--port P] [--threads T]
//
// Prints figures; asserts nothing about timings. Exit code 1 if a request failed or a read was torn.

#include "api/api.hpp"
#include "app/wiring.hpp"
#include "engine/engine.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <unistd.h>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using json = nlohmann::json;

const char* const actors[] = {"USA", "CHN", "RUS", "PRK", "KOR", "JPN", "UKR", "ISR", "IRN", "FRA", "DEU", "GBR"};
const char* const relations[] = {"010", "011", "012", "013", "014", "015", "016", "017", "018", "019",
                                 "020", "021", "022", "023", "024", "025", "026", "027", "028", "030"};

class Client {
 public:
  explicit Client(unsigned short port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }
  // Status, or 0 on a transport error.
  unsigned call(http::verb method, const std::string& target, const std::string& body, std::string& out) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    boost::system::error_code ec;
    http::write(socket_, req, ec);
    if (ec) return 0;
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res, ec);
    if (ec) return 0;
    out = std::move(res.body());
    return res.result_int();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

std::string date_of(long day) {
  // Day 0 = 1300-01-01: far from the demo data, one day per batch.
  const auto base = std::chrono::sys_days(std::chrono::year(1300) / 1 / 1) + std::chrono::days(day);
  const std::chrono::year_month_day ymd{base};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

struct Phase {
  std::vector<double> latencies_ms;
  std::uint64_t errors = 0, torn = 0, batches = 0, triples = 0;
  double seconds = 0;
};

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

struct Settings {
  double seconds = 10;
  int readers = 4, writers = 2, batch = 20;
  unsigned short port = 0;
};

Phase run_phase(const Settings& s, bool with_writes, std::atomic<long>& next_day, std::atomic<long>& committed_days) {
  Phase phase;
  std::mutex mutex;
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int r = 0; r < s.readers; ++r) {
    threads.emplace_back([&, r] {
      Client c(s.port);
      std::mt19937 rng(static_cast<unsigned>(r * 7919 + 1));
      std::vector<double> mine;
      std::uint64_t errors = 0, torn = 0;
      std::string body;
      for (std::uint64_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        const std::string a = actors[rng() % std::size(actors)];
        std::string target;
        bool torn_check = false;
        switch (i % 6) {
          case 0: target = "/v1/actors/" + a + "/relations?limit=20"; break;
          case 1: target = "/v1/triples?actor=" + a + "&limit=50"; break;
          case 2: target = "/v1/actors/" + a; break;
          case 3: target = "/v1/resolve?name=" + std::string(a == "USA" ? "Washington" : "Korea"); break;
          case 4: target = "/v1/status"; break;
          case 5: {
            const long days = committed_days.load();
            if (days == 0) {
              target = "/v1/triples?limit=10";
              break;
            }
            // A batch that may be being written right now, or one already in.
            const long day = std::max(0L, days - 1 - static_cast<long>(rng() % 3));
            const auto d = date_of(day);
            target = "/v1/triples?since=" + d + "&until=" + d + "&limit=1000";
            torn_check = true;
            break;
          }
        }
        const auto t0 = Clock::now();
        const unsigned status = c.call(http::verb::get, target, "", body);
        mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
        if (status != 200) {
          ++errors;
          if (status == 0) break;
          continue;
        }
        if (torn_check) {
          const auto n = json::parse(body)["items"].size();
          if (n != 0 && n != static_cast<std::size_t>(s.batch)) ++torn;
        }
      }
      std::lock_guard lock(mutex);
      phase.latencies_ms.insert(phase.latencies_ms.end(), mine.begin(), mine.end());
      phase.errors += errors;
      phase.torn += torn;
    });
  }
  if (with_writes) {
    for (int w = 0; w < s.writers; ++w) {
      threads.emplace_back([&, w] {
        Client c(s.port);
        std::mt19937 rng(static_cast<unsigned>(w * 104729 + 3));
        std::uint64_t batches = 0, errors = 0;
        std::string out;
        while (!stop.load(std::memory_order_relaxed)) {
          const long day = next_day.fetch_add(1);
          json rows = json::array();
          for (int i = 0; i < s.batch; ++i) {
            const auto sub = rng() % std::size(actors);
            const auto obj = (sub + 1 + rng() % (std::size(actors) - 1)) % std::size(actors);
            rows.push_back({{"subject", actors[sub]},
                            {"relation", relations[static_cast<std::size_t>(i) % std::size(relations)]},
                            {"object", actors[obj]},
                            {"date", date_of(day)},
                            {"evidence", {{"text", "load bench batch " + std::to_string(day)}}}});
          }
          const unsigned status = c.call(http::verb::post, "/v1/triples", json{{"triples", rows}}.dump(), out);
          if (status == 201) {
            ++batches;
            long expected = committed_days.load();
            while (expected < day + 1 && !committed_days.compare_exchange_weak(expected, day + 1)) {
            }
          } else {
            ++errors;
            if (status == 0) break;
          }
        }
        std::lock_guard lock(mutex);
        phase.batches += batches;
        phase.triples += batches * static_cast<std::uint64_t>(s.batch);
        phase.errors += errors;
      });
    }
  }
  const auto start = Clock::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(s.seconds));
  stop = true;
  for (auto& t : threads) t.join();
  phase.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return phase;
}

void print(const char* name, Phase& p) {
  const auto n = p.latencies_ms.size();
  const double p50 = percentile(p.latencies_ms, 0.50), p90 = percentile(p.latencies_ms, 0.90),
               p99 = percentile(p.latencies_ms, 0.99), p999 = percentile(p.latencies_ms, 0.999);
  const double max = n ? *std::max_element(p.latencies_ms.begin(), p.latencies_ms.end()) : 0;
  std::printf("%-22s %9zu %9.0f %8.2f %8.2f %8.2f %8.2f %8.2f %7llu %6llu %10.0f %10.0f\n", name, n,
              static_cast<double>(n) / p.seconds, p50, p90, p99, p999, max,
              static_cast<unsigned long long>(p.errors), static_cast<unsigned long long>(p.torn),
              static_cast<double>(p.batches) / p.seconds, static_cast<double>(p.triples) / p.seconds);
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  unsigned threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* v = argv[i + 1];
    if (flag == "--seconds") s.seconds = std::stod(v);
    else if (flag == "--readers") s.readers = std::stoi(v);
    else if (flag == "--writers") s.writers = std::stoi(v);
    else if (flag == "--batch") s.batch = std::clamp(std::stoi(v), 1, 20);
    else if (flag == "--port") s.port = static_cast<unsigned short>(std::stoi(v));
    else if (flag == "--threads") threads = static_cast<unsigned>(std::stoi(v));
    else {
      std::fprintf(stderr, "usage: load_bench [--seconds S] [--readers N] [--writers N] [--batch K<=20] [--port P] [--threads T]\n");
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  const auto db = std::filesystem::temp_directory_path() / ("geokg-load-bench-" + std::to_string(::getpid()) + ".db");
  std::unique_ptr<geokg::api::Api> api;
  std::unique_ptr<geokg::server::HttpServer> server;
  if (s.port == 0) {
    geokg::engine::Options o;
    o.db_path = db.string();
    o.demo = true;
    auto e = geokg::engine::Engine::open(o);
    if (!e) {
      std::fprintf(stderr, "cannot open %s: %s\n", o.db_path.c_str(), e.error().detail.c_str());
      return 1;
    }
    api = std::make_unique<geokg::api::Api>();
    api->attach(std::shared_ptr<geokg::engine::Engine>(std::move(*e)));
    geokg::server::Options so;
    so.port = 0;
    so.io_threads = threads;
    so.worker_threads = threads;
    so.access_log = false;
    server = geokg::app::make_http_server(*api, so);
    server->start();
    s.port = server->port();
  }
  std::printf("load_bench: %d readers, %d writers posting batches of %d triples, %.0f s per phase, server %s (%u threads), %u cores\n",
              s.readers, s.writers, s.batch, s.seconds, server ? "in-process" : "external", threads,
              std::thread::hardware_concurrency());
  std::printf("%-22s %9s %9s %8s %8s %8s %8s %8s %7s %6s %10s %10s\n", "phase", "queries", "q/s", "p50 ms", "p90 ms",
              "p99 ms", "p99.9 ms", "max ms", "errors", "torn", "batches/s", "triples/s");
  std::atomic<long> next_day{0}, committed{0};
  auto reads = run_phase(s, false, next_day, committed);
  print("reads only", reads);
  auto mixed = run_phase(s, true, next_day, committed);
  print("reads + ingestion", mixed);
  auto again = run_phase(s, false, next_day, committed);
  print("reads only, after", again);
  if (server) server->stop();
  api.reset();
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db.string() + suffix);
  const bool ok = reads.errors + mixed.errors + again.errors == 0 && reads.torn + mixed.torn + again.torn == 0;
  std::printf("%s\n", ok ? "no errors, no torn reads" : "ERRORS OR TORN READS");
  return ok ? 0 : 1;
}
