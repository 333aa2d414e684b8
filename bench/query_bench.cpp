// query_bench: the interactive queries of ../shared/bench-peers/queries.json on a geokg database,
// in one process (engine calls), over HTTP (an in-process server, one keep-alive connection) and on
// the same SQLite file with indexes, side by side in one run. Prints figures; asserts nothing.
//
//   query_bench --db FILE [--queries queries.json] [--reps 30] [--budget 10] [--no-http] [--no-sql]
//               [--sql-indexes] [--wrk SECONDS] [--extras] [--json] [--only KEYS]
//
// Warm figures are the median and p99 of the repetitions after the first (cold) run; a query runs
// at least 3 times and at most --reps times, stopping early when --budget seconds are spent on it.
// --sql-indexes creates the indexes the SQL queries need (bench_* on triples; once, they persist).
// --wrk N runs wrk -t2 -c64 for N seconds against small queries (needs wrk in PATH).
// --extras adds whole-graph analytics (betweenness from 32 sources, Louvain, connected components).
// --json prints one JSON object instead of the table (progress goes to stderr either way).
// --only Q1h,Q2h500,... runs only these queries (keys: Q1h Q1l Q2l Q2h Q2h500 Q3 Q4 PR BC LV CC).
// Without the bench_* indexes the SQL side is skipped: unindexed, Q2 and Q3 would run for hours.
#include "api/api.hpp"
#include "app/wiring.hpp"
#include "engine/actor_directory.hpp"
#include "engine/engine.hpp"
#include "server/http_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace geokg;
using Clock = std::chrono::steady_clock;

namespace {

struct Settings {
  std::string db;
  std::string queries;
  int reps = 30;
  double budget_s = 10.0;
  bool http = true;
  bool sql = true;
  bool sql_indexes = false;
  int wrk_s = 0;
  bool extras = false;
  bool json = false;
  std::vector<std::string> only;  // keys of the queries to run; empty = all
};

struct Params {
  std::string high = "USA", low = "AFG-BUS-00035", src = "ABW-BUS-00001", dst = "AFG-BUS-00008";
  std::string dyad_a = "USA", dyad_b = "CHN";
  std::string q1_relation = "consult", q1_from = "2019-01-01", q1_to = "2021-12-31";
  std::string q2_from = "2024-01-01", q2_to = "2024-12-31";
  int q3_depth = 4;
};

struct Stats {
  int runs = 0;
  double cold_ms = 0, median_ms = 0, p99_ms = 0;
  double cpu_median_ms = 0;  // CPU time of the calling thread: what the query costs on an idle machine
  std::string result;
};

double thread_cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// Runs fn (which returns a result summary) cold once, then warm until reps or the budget.
Stats measure(const Settings& s, const std::function<std::string()>& fn) {
  Stats st;
  auto t0 = Clock::now();
  st.result = fn();
  st.cold_ms = ms_since(t0);
  std::vector<double> warm, cpu;
  const auto start = Clock::now();
  while (static_cast<int>(warm.size()) < std::max(2, s.reps - 1) &&
         (warm.size() < 2 || std::chrono::duration<double>(Clock::now() - start).count() < s.budget_s)) {
    const double c0 = thread_cpu_ms();
    t0 = Clock::now();
    const auto r = fn();
    warm.push_back(ms_since(t0));
    cpu.push_back(thread_cpu_ms() - c0);
    if (r != st.result) st.result += " (varies: " + r + ")";
  }
  std::sort(warm.begin(), warm.end());
  std::sort(cpu.begin(), cpu.end());
  st.cpu_median_ms = cpu[cpu.size() / 2];
  st.runs = static_cast<int>(warm.size()) + 1;
  st.median_ms = warm[warm.size() / 2];
  st.p99_ms = warm[std::min(warm.size() - 1, static_cast<std::size_t>(static_cast<double>(warm.size()) * 0.99))];
  return st;
}

std::string fmt_ms(double ms) {
  char buf[32];
  if (ms < 1.0)
    std::snprintf(buf, sizeof buf, "%.0f us", ms * 1000.0);
  else if (ms < 1000.0)
    std::snprintf(buf, sizeof buf, "%.2f ms", ms);
  else
    std::snprintf(buf, sizeof buf, "%.2f s", ms / 1000.0);
  return buf;
}

std::string cell(const std::optional<Stats>& st, bool with_cpu) {
  if (!st) return "-";
  return fmt_ms(st->median_ms) + " / " + fmt_ms(st->p99_ms) + (with_cpu ? " (cpu " + fmt_ms(st->cpu_median_ms) + ")" : "") +
         " n=" + std::to_string(st->runs);
}

long rss_mb() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6)) / 1024;
  return 0;
}

std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

// ---- HTTP client: one keep-alive connection ------------------------------------------------------

class HttpClient {
 public:
  explicit HttpClient(unsigned short port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
    socket_.set_option(boost::asio::ip::tcp::no_delay(true));
  }
  std::pair<unsigned, std::string> get(const std::string& target) {
    namespace http = boost::beast::http;
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, "127.0.0.1");
    req.keep_alive(true);
    http::write(socket_, req);
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res);
    return {res.result_int(), std::move(res.body())};
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
};

// ---- SQLite ------------------------------------------------------------------------------------

class Sql {
 public:
  explicit Sql(const std::string& path, bool writable) {
    if (sqlite3_open_v2(path.c_str(), &db_, writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY, nullptr) !=
        SQLITE_OK)
      throw std::runtime_error(std::string("sqlite: ") + sqlite3_errmsg(db_));
    exec("PRAGMA cache_size = -1000000");  // 1 GB page cache: warm runs read from memory
    exec("PRAGMA mmap_size = 8000000000");
  }
  ~Sql() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string m = msg ? msg : "?";
      sqlite3_free(msg);
      throw std::runtime_error("sqlite: " + m + " in " + sql.substr(0, 80));
    }
  }
  // Runs a query with integer parameters; calls row(stmt) per row.
  void query(const std::string& sql, const std::vector<std::int64_t>& args,
             const std::function<void(sqlite3_stmt*)>& row) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
      it = cache_.emplace(sql, st).first;
    }
    sqlite3_stmt* st = it->second;
    sqlite3_reset(st);
    for (std::size_t i = 0; i < args.size(); ++i) sqlite3_bind_int64(st, static_cast<int>(i + 1), args[i]);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) row(st);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("sqlite step: ") + sqlite3_errmsg(db_));
  }
  std::int64_t scalar(const std::string& sql, const std::vector<std::int64_t>& args = {}) {
    std::int64_t v = -1;
    query(sql, args,
          [&](sqlite3_stmt* st) { v = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0); });
    return v;
  }
  std::int64_t id_of(const std::string& table, const std::string& column, const std::string& key) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db_, ("SELECT id FROM " + table + " WHERE " + column + " = ?").c_str(), -1, &st, nullptr);
    sqlite3_bind_text(st, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    std::int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
  }
  Sql(const Sql&) = delete;
  Sql& operator=(const Sql&) = delete;

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, sqlite3_stmt*> cache_;
};

const char* sql_indexes[] = {
    "CREATE INDEX IF NOT EXISTS bench_s_rel ON triples (subject, relation, date, object)",
    "CREATE INDEX IF NOT EXISTS bench_o_rel ON triples (object, relation, date, subject)",
    "CREATE INDEX IF NOT EXISTS bench_s_date ON triples (subject, date, object)",
    "CREATE INDEX IF NOT EXISTS bench_o_date ON triples (object, date, subject)",
    "CREATE INDEX IF NOT EXISTS bench_s_o ON triples (subject, object, date, confidence)",
};

std::int32_t days(const std::string& d) { return core::Date::parse(d).value().days(); }

int usage() {
  std::cerr << "usage: query_bench --db FILE [--queries queries.json] [--reps N] [--budget S] [--no-http] [--no-sql]\n"
               "                   [--sql-indexes] [--wrk SECONDS] [--extras] [--json] [--only KEYS]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  Settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--db")
      s.db = next();
    else if (a == "--queries")
      s.queries = next();
    else if (a == "--reps")
      s.reps = std::stoi(next());
    else if (a == "--budget")
      s.budget_s = std::stod(next());
    else if (a == "--no-http")
      s.http = false;
    else if (a == "--no-sql")
      s.sql = false;
    else if (a == "--sql-indexes")
      s.sql_indexes = true;
    else if (a == "--wrk")
      s.wrk_s = std::stoi(next());
    else if (a == "--extras")
      s.extras = true;
    else if (a == "--json")
      s.json = true;
    else if (a == "--only") {
      std::stringstream list(next());
      for (std::string k; std::getline(list, k, ',');) s.only.push_back(k);
    } else
      return usage();
  }
  if (s.db.empty()) return usage();
  Params p;
  if (!s.queries.empty()) {
    std::ifstream f(s.queries);
    const auto j = nlohmann::json::parse(f);
    p.high = j["HIGH"];
    p.low = j["LOW"];
    p.src = j["SRC"];
    p.dst = j["DST"];
    p.dyad_a = j["DYAD"][0];
    p.dyad_b = j["DYAD"][1];
    p.q1_relation = j["Q1"]["relation"];
    p.q1_from = j["Q1"]["date_from"];
    p.q1_to = j["Q1"]["date_to"];
    p.q2_from = j["Q2"]["date_from"];
    p.q2_to = j["Q2"]["date_to"];
    p.q3_depth = j["Q3"]["max_depth"];
  }

  std::fprintf(stderr, "query_bench on %s; %u hardware threads; load average at start %s\n", s.db.c_str(),
               std::thread::hardware_concurrency(), loadavg().c_str());
  const long rss0 = rss_mb();
  auto t0 = Clock::now();
  engine::Options eo;
  eo.db_path = s.db;
  auto opened = engine::Engine::open(eo);
  if (!opened) {
    std::cerr << "cannot open " << s.db << ": " << opened.error().detail << "\n";
    return 1;
  }
  std::shared_ptr<engine::Engine> e(std::move(*opened));
  const auto status = e->status();
  const double load_ms = ms_since(t0);
  const long graph_mb = rss_mb() - rss0;
  std::fprintf(stderr, "loaded %zu triples, %zu actors in %s; RSS +%ld MB\n", status.triples, status.actors,
               fmt_ms(load_ms).c_str(), graph_mb);

  struct Row {
    std::string key, name;
    std::optional<Stats> geokg, http, sql;
  };
  std::vector<Row> rows;
  const auto wanted = [&](const std::string& key) {
    return s.only.empty() || std::find(s.only.begin(), s.only.end(), key) != s.only.end();
  };
  const auto add = [&](const std::string& key, const std::string& name, const std::function<std::string()>& fn) {
    if (wanted(key)) rows.push_back({key, name, measure(s, fn), {}, {}});
  };
  const auto set = [&](const std::string& key, std::optional<Stats> Row::*slot, const std::function<std::string()>& fn) {
    for (auto& r : rows)
      if (r.key == key) r.*slot = measure(s, fn);
  };
  const auto filter_dates = [](const std::string& from, const std::string& to) {
    engine::GraphFilterSpec f;
    f.filter.since = core::Date::parse(from).value();
    f.filter.until = core::Date::parse(to).value();
    return f;
  };

  // ---- in process ----
  const auto q1 = [&](const std::string& actor) {
    return [&, actor] {
      engine::RelationsQuery q;
      q.actor = actor;
      q.filter.relations = {p.q1_relation};
      q.filter.since = core::Date::parse(p.q1_from).value();
      q.filter.until = core::Date::parse(p.q1_to).value();
      q.limit = SIZE_MAX / 2;
      auto r = e->actor_relations(q);
      if (!r) return "error: " + r.error().detail;
      std::vector<std::uint32_t> others;
      std::uint64_t sum = 0;
      for (const auto& a : r->items) {
        others.push_back(core::value(a.neighbor));
        sum += a.count;
      }
      std::sort(others.begin(), others.end());
      const auto distinct = std::unique(others.begin(), others.end()) - others.begin();
      return "rows " + std::to_string(distinct) + ", sum_n " + std::to_string(sum);
    };
  };
  const auto q2 = [&](const std::string& actor, std::size_t max_nodes) {
    return [&, actor, max_nodes] {
      engine::SubgraphQuery q;
      q.seeds = {actor};
      q.hops = 2;
      q.max_nodes = max_nodes;
      q.max_edges = max_nodes == 1 ? 0 : 5000;
      q.filter = filter_dates(p.q2_from, p.q2_to);
      auto r = e->subgraph(q);
      if (!r) return "error: " + r.error().detail;
      return "value " + std::to_string(r->ego.total_nodes - 1) +
             (max_nodes > 1 ? ", " + std::to_string(r->ego.nodes.size()) + " nodes " +
                                  std::to_string(r->ego.edges.size()) + " edges"
                            : "");
    };
  };
  const auto q3 = [&] {
    engine::PathsQuery q;
    q.source = p.src;
    q.target = p.dst;
    q.max_hops = static_cast<std::size_t>(p.q3_depth);
    q.k = 1;
    auto r = e->paths(q);
    if (!r) return "error: " + r.error().detail;
    return r->paths.empty() ? std::string("value null") : "value " + std::to_string(r->paths[0].hops.size());
  };
  const auto q4 = [&] {
    engine::DyadTimelineQuery q;
    q.a = p.dyad_a;
    q.b = p.dyad_b;
    q.bucket = graph::Bucket::month;
    auto r = e->dyad_timeline(q);
    if (!r) return "error: " + r.error().detail;
    std::size_t rows_ = 0;
    for (const auto& b : r->timeline.buckets) rows_ += b.count ? 1 : 0;
    return "rows " + std::to_string(rows_) + ", sum_n " + std::to_string(r->timeline.total);
  };
  const auto central = [&](graph::Centrality m, std::size_t samples) {
    return [&, m, samples] {
      engine::CentralityRequest q;
      q.metric = m;
      q.samples = samples;
      q.limit = 3;
      auto r = e->centrality(q);
      if (!r) return "error: " + r.error().detail;
      std::string top;
      for (const auto& it : r->items) top += (top.empty() ? "" : " ") + r->view.actors->get(it.actor)->id;
      return std::to_string(r->info.nodes) + " nodes, " + std::to_string(r->info.edges) + " edges, top " + top +
             (m == graph::Centrality::pagerank ? ", " + std::to_string(r->info.iterations) + " iterations" : "");
    };
  };

  std::fprintf(stderr, "in process...\n");
  std::string projection_info;
  double projection_ms = 0;
  add("Q1h", "Q1h relations of " + p.high + ", one relation, 3 years", q1(p.high));
  add("Q1l", "Q1l relations of " + p.low, q1(p.low));
  add("Q2l", "Q2l 2-hop ego of " + p.low + " in a year (count)", q2(p.low, 1));
  add("Q2h", "Q2h 2-hop ego of " + p.high + " in a year (count)", q2(p.high, 1));
  add("Q2h500", "Q2h subgraph response (500 nodes, edges)", q2(p.high, 500));
  add("Q3", "Q3 shortest path <= " + std::to_string(p.q3_depth) + " hops " + p.src + " - " + p.dst, q3);
  add("Q4", "Q4 dyad " + p.dyad_a + "-" + p.dyad_b + " per month", q4);
  if (wanted("PR") || wanted("BC") || wanted("LV") || wanted("CC")) {
    // The first call builds the projection for the filter; later calls find it cached.
    auto t = Clock::now();
    projection_info = central(graph::Centrality::degree, 0)();
    projection_ms = ms_since(t);
    std::fprintf(stderr, "  projection of the whole graph (build, once per version and filter): %s; %s; RSS %ld MB\n",
                 fmt_ms(projection_ms).c_str(), projection_info.c_str(), rss_mb());
  }
  add("PR", "PageRank, whole graph (projection cached)", central(graph::Centrality::pagerank, 0));
  if (s.extras) {
    Settings once = s;
    once.reps = 2;
    const auto add_once = [&](const std::string& key, const std::string& name, const std::function<std::string()>& fn) {
      if (wanted(key)) rows.push_back({key, name, measure(once, fn), {}, {}});
    };
    add_once("BC", "betweenness, 32 sampled sources", central(graph::Centrality::betweenness, 32));
    add_once("LV", "communities, Louvain", [&] {
      engine::CommunitiesRequest q;
      auto r = e->communities(q);
      if (!r) return "error: " + r.error().detail;
      return std::to_string(r->result.communities.size()) + " communities, modularity " +
             std::to_string(r->result.modularity);
    });
    add_once("CC", "connected components", [&] {
      engine::CommunitiesRequest q;
      q.algorithm = graph::CommunityAlgorithm::components;
      auto r = e->communities(q);
      if (!r) return "error: " + r.error().detail;
      return std::to_string(r->result.communities.size()) + " components";
    });
  }


  // ---- over HTTP ----
  std::unique_ptr<api::Api> api;
  std::unique_ptr<server::HttpServer> http;
  if (s.http) {
    std::fprintf(stderr, "over HTTP...\n");
    api = std::make_unique<api::Api>();
    api->attach(e);
    server::Options so;
    so.port = 0;
    so.io_threads = 2;
    so.worker_threads = 2;
    so.access_log = false;
    http = app::make_http_server(*api, so);
    http->start();
    HttpClient client(http->port());
    const auto get = [&](std::string target) {
      return [&, target] {
        auto [code, body] = client.get(target);
        return code == 200 ? "200, " + std::to_string(body.size()) + " bytes"
                           : "HTTP " + std::to_string(code) + " " + body.substr(0, 200);
      };
    };
    const std::string q1_params =
        "?relation=" + p.q1_relation + "&since=" + p.q1_from + "&until=" + p.q1_to + "&limit=1000";
    const std::string q2_params = "&hops=2&since=" + p.q2_from + "&until=" + p.q2_to;
    set("Q1h", &Row::http, get("/v1/actors/" + p.high + "/relations" + q1_params));
    set("Q1l", &Row::http, get("/v1/actors/" + p.low + "/relations" + q1_params));
    set("Q2l", &Row::http, get("/v1/subgraph?seeds=" + p.low + q2_params + "&max_nodes=1&max_edges=0"));
    set("Q2h", &Row::http, get("/v1/subgraph?seeds=" + p.high + q2_params + "&max_nodes=1&max_edges=0"));
    set("Q2h500", &Row::http, get("/v1/subgraph?seeds=" + p.high + q2_params));
    set("Q3", &Row::http,
        get("/v1/paths?source=" + p.src + "&target=" + p.dst + "&k=1&max_hops=" + std::to_string(p.q3_depth)));
    set("Q4", &Row::http, get("/v1/dyads/" + p.dyad_a + "/" + p.dyad_b + "/timeline?bucket=month"));
    set("PR", &Row::http, get("/v1/analytics/centrality?metric=pagerank&limit=10"));
  }

  // ---- SQLite ----
  bool sql_skipped = false;
  if (s.sql) {
    std::fprintf(stderr, "SQLite...\n");
    Sql db(s.db, s.sql_indexes);
    if (s.sql_indexes) {
      for (const char* ddl : sql_indexes) {
        auto t = Clock::now();
        db.exec(ddl);
        std::fprintf(stderr, "  %s: %s\n", ddl, fmt_ms(ms_since(t)).c_str());
      }
      db.exec("ANALYZE");
    }
    const auto have = db.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'bench_%'");
    if (have < 5) {
      std::fprintf(stderr, "  skipped: %lld of the 5 bench_* indexes exist; run once with --sql-indexes\n",
                   static_cast<long long>(have));
      sql_skipped = true;
    }
  }
  if (s.sql && !sql_skipped) {
    Sql db(s.db, false);
    const auto actor = [&](const std::string& key) { return db.id_of("actors", "key", key); };
    const std::int64_t rel = db.id_of("relation_types", "slug", p.q1_relation) >= 0
                                 ? db.id_of("relation_types", "slug", p.q1_relation)
                                 : db.id_of("relation_types", "code", p.q1_relation);
    const std::string q1_sql =
        "SELECT other, count(*) AS n FROM ("
        " SELECT object AS other FROM triples WHERE subject = ?1 AND relation = ?2 AND date BETWEEN ?3 AND ?4 AND "
        "object IS NOT NULL"
        " UNION ALL SELECT subject FROM triples WHERE object = ?1 AND relation = ?2 AND date BETWEEN ?3 AND ?4)"
        " GROUP BY other ORDER BY n DESC, other";
    const auto sq1 = [&](std::int64_t a) {
      return [&, a] {
        std::int64_t n = 0, sum = 0;
        db.query(q1_sql, {a, rel, days(p.q1_from), days(p.q1_to)}, [&](sqlite3_stmt* st) {
          ++n;
          sum += sqlite3_column_int64(st, 1);
        });
        return "rows " + std::to_string(n) + ", sum_n " + std::to_string(sum);
      };
    };
    const std::string q2_sql =
        "WITH n1(x) AS ("
        " SELECT object FROM triples WHERE subject = ?1 AND date BETWEEN ?2 AND ?3 AND object IS NOT NULL"
        " UNION SELECT subject FROM triples WHERE object = ?1 AND date BETWEEN ?2 AND ?3),"
        " n2(x) AS ("
        " SELECT t.object FROM n1 JOIN triples t ON t.subject = n1.x WHERE t.date BETWEEN ?2 AND ?3 AND t.object IS "
        "NOT NULL"
        " UNION SELECT t.subject FROM n1 JOIN triples t ON t.object = n1.x WHERE t.date BETWEEN ?2 AND ?3)"
        " SELECT count(*) FROM (SELECT x FROM n1 UNION SELECT x FROM n2) WHERE x <> ?1";
    const auto sq2 = [&](std::int64_t a) {
      return [&, a] { return "value " + std::to_string(db.scalar(q2_sql, {a, days(p.q2_from), days(p.q2_to)})); };
    };
    // As the peers ran it: a recursive CTE over both directions, UNION de-duplicating (node, depth).
    const std::string q3_sql =
        "WITH RECURSIVE walk(node, depth) AS (SELECT ?1, 0"
        " UNION SELECT t.object, w.depth + 1 FROM walk w JOIN triples t ON t.subject = w.node"
        "   WHERE w.depth < ?3 AND t.object IS NOT NULL"
        " UNION SELECT t.subject, w.depth + 1 FROM walk w JOIN triples t ON t.object = w.node WHERE w.depth < ?3)"
        " SELECT min(depth) FROM walk WHERE node = ?2";
    const std::string q4_sql =
        "SELECT date(date * 86400, 'unixepoch', 'start of month') AS m, count(*), avg(confidence) FROM ("
        " SELECT date, confidence FROM triples WHERE subject = ?1 AND object = ?2"
        " UNION ALL SELECT date, confidence FROM triples WHERE subject = ?2 AND object = ?1)"
        " GROUP BY m ORDER BY m";
    set("Q1h", &Row::sql, sq1(actor(p.high)));
    set("Q1l", &Row::sql, sq1(actor(p.low)));
    set("Q2l", &Row::sql, sq2(actor(p.low)));
    set("Q2h", &Row::sql, sq2(actor(p.high)));
    {
      Settings slow = s;
      slow.reps = 3;
      for (auto& r : rows)
        if (r.key == "Q3") r.sql = measure(slow, [&] {
        const auto d = db.scalar(q3_sql, {actor(p.src), actor(p.dst), p.q3_depth});
        return d < 0 ? std::string("value null") : "value " + std::to_string(d);
      });
    }
    set("Q4", &Row::sql, [&] {
      std::int64_t n = 0, sum = 0;
      db.query(q4_sql, {actor(p.dyad_a), actor(p.dyad_b)}, [&](sqlite3_stmt* st) {
        ++n;
        sum += sqlite3_column_int64(st, 1);
      });
      return "rows " + std::to_string(n) + ", sum_n " + std::to_string(sum);
    });
  }

  if (s.json) {
    const auto stats_json = [](const std::optional<Stats>& st) -> nlohmann::ordered_json {
      if (!st) return nullptr;
      return {{"runs", st->runs},
              {"cold_ms", st->cold_ms},
              {"median_ms", st->median_ms},
              {"p99_ms", st->p99_ms},
              {"result", st->result}};
    };
    nlohmann::ordered_json out = {{"db", s.db},
                                  {"hardware_threads", std::thread::hardware_concurrency()},
                                  {"load_average_end", loadavg()},
                                  {"triples", status.triples},
                                  {"actors", status.actors},
                                  {"load_ms", load_ms},
                                  {"graph_rss_mb", graph_mb},
                                  {"projection_ms", projection_ms},
                                  {"projection", projection_info},
                                  {"sql_skipped", sql_skipped}};
    auto& list = out["queries"] = nlohmann::ordered_json::array();
    for (const auto& r : rows)
      list.push_back({{"name", r.name},
                      {"in_process", stats_json(r.geokg)},
                      {"http", stats_json(r.http)},
                      {"sqlite", stats_json(r.sql)}});
    std::printf("%s\n", out.dump(1).c_str());
    if (http) http->stop(std::chrono::seconds(2));
    return 0;
  }
  std::printf("warm median / p99 wall time (cpu: median CPU time of the querying thread; n = runs incl. the cold one);\n"
              "load average now %s\n\n",
              loadavg().c_str());
  std::printf(
      "| query | geokg in process | geokg over HTTP | SQLite (indexed) | SQLite / geokg | cold (in process) | result "
      "|\n");
  std::printf("|---|---|---|---|---|---|---|\n");
  for (const auto& r : rows) {
    std::string ratio = "-";
    if (r.geokg && r.sql) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.0fx", r.sql->median_ms / std::max(r.geokg->median_ms, 1e-6));
      ratio = buf;
    }
    std::string result = r.geokg ? r.geokg->result : "";
    if (r.sql && r.sql->result != result) result += " / SQLite: " + r.sql->result;
    if (r.http) result += " / HTTP: " + r.http->result;
    std::printf("| %s | %s | %s | %s | %s | %s | %s |\n", r.name.c_str(), cell(r.geokg, true).c_str(),
                cell(r.http, false).c_str(), cell(r.sql, true).c_str(), ratio.c_str(), r.geokg ? fmt_ms(r.geokg->cold_ms).c_str() : "-", result.c_str());
  }

  if (s.wrk_s > 0 && http) {
    std::printf(
        "\nthroughput: wrk -t2 -c64 -d%ds (server: 2 I/O threads, 2 workers, no access log; wrk on the same cores)\n\n",
        s.wrk_s);
    const std::string base = "http://127.0.0.1:" + std::to_string(http->port());
    for (const std::string& target : std::vector<std::string>{
             "/healthz", "/v1/actors/" + p.low + "/relations?relation=" + p.q1_relation,
             "/v1/dyads/" + p.low + "/AFG/timeline?bucket=year", "/v1/actors/" + p.low + "/partners?limit=10"}) {
      const std::string cmd = "wrk -t2 -c64 -d" + std::to_string(s.wrk_s) + "s --latency '" + base + target + "' 2>&1";
      FILE* pipe = popen(cmd.c_str(), "r");
      if (!pipe) continue;
      std::string out;
      char buf[512];
      while (std::fgets(buf, sizeof buf, pipe)) out += buf;
      pclose(pipe);
      std::string rps = "?", p50 = "?", p99 = "?", non2xx;
      std::istringstream lines(out);
      std::string line;
      while (std::getline(lines, line)) {
        std::istringstream w(line);
        std::string k, v;
        w >> k >> v;
        if (k == "Requests/sec:") rps = v;
        if (k == "50%") p50 = v;
        if (k == "99%") p99 = v;
        if (line.find("Non-2xx") != std::string::npos) non2xx = " (" + line + ")";
      }
      std::printf("  %-70s %10s req/s   p50 %s   p99 %s%s\n", target.c_str(), rps.c_str(), p50.c_str(), p99.c_str(),
                  non2xx.c_str());
    }
  }
  if (http) http->stop(std::chrono::seconds(2));
  return 0;
}
