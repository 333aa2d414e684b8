#include "api/api.hpp"

#include "core/text.hpp"
#include "engine/engine.hpp"
#include "tests/test_support.hpp"

#include <nlohmann/json.hpp>

#include <set>

using namespace geokg;
using api::http::field;
using api::http::status;
using api::http::verb;
using nlohmann::json;

namespace {

const char* kScenario = R"({"triples":[
  {"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13"},
  {"subject":"PRK","relation":"072","object":"RUS","date":"2023-10-13"},
  {"subject":"kim-jong-un","relation":"036","object":"vladimir-putin","date":"2023-09-12"},
  {"subject":"RUS","relation":"19","object":"UKR","date":"2023-10-01"},
  {"subject":"RUS","relation":"19","object":"UKR","date":"2023-10-02"},
  {"subject":"RUS","relation":"19","object":"UKR","date":"2023-12-03"},
  {"subject":"USA","relation":"111","object":"PRK","date":"2023-11-09"},
  {"subject":"antony-blinken","relation":"020","object":"CHN","date":"2023-11-09"},
  {"subject":"yoon-suk-yeol","relation":"040","object":"antony-blinken","date":"2023-12-01"},
  {"subject":"CHN","relation":"042","object":"USA","date":"2024-01-15"},
  {"subject":"USA","relation":"070","object":"UKR","date":"2024-02-01","polarity":"negated"},
  {"subject":"USA","relation":"070","object":"UKR","date":"2024-03-01","confidence":0.4}]})";

struct Fixture {
  api::Api api;
  Fixture() {
    engine::Options o;
    o.db_path = ":memory:";
    auto e = engine::Engine::open(o);
    REQUIRE(e);
    api.attach(std::shared_ptr<engine::Engine>(std::move(*e)));
    auto r = call(verb::post, "/v1/triples", kScenario);
    INFO(r.message.body());
    REQUIRE(r.message.result() == status::created);
  }
  api::Reply call(verb method, const std::string& target, const std::string& body = "") {
    api::Request req{method, target, 11};
    if (!body.empty()) {
      req.set(field::content_type, "application/json");
      req.body() = body;
      req.prepare_payload();
    }
    return api.handle(req, {"test-request", "127.0.0.1", true});
  }
  json get_json(const std::string& target) {
    auto r = call(verb::get, target);
    INFO(target << " -> " << r.message.body());
    REQUIRE(r.message.result() == status::ok);
    return json::parse(r.message.body());
  }
  std::string get_text(const std::string& target) {
    auto r = call(verb::get, target);
    INFO(target << " -> " << r.message.body());
    REQUIRE(r.message.result() == status::ok);
    return drain(r);
  }
  static std::string drain(api::Reply& r) {
    if (!r.stream) return r.message.body();
    std::string all, piece;
    for (int guard = 0; guard < 100000; ++guard) {
      piece.clear();
      const bool more = r.stream(piece);
      all += piece;
      if (!more) return all;
    }
    FAIL("the stream did not end");
    return all;
  }
};

std::vector<std::string> path_ids(const json& path) {
  std::vector<std::string> out;
  for (const auto& a : path["actors"]) out.push_back(a["id"]);
  return out;
}

std::set<std::string> node_ids(const json& nodes) {
  std::set<std::string> out;
  for (const auto& n : nodes) out.insert(n.contains("data") ? n["data"]["id"] : n["id"]);
  return out;
}

}  // namespace

TEST_CASE("paths come with hops naming the relation and an example triple", "[api]") {
  Fixture f;
  auto body = f.get_json("/v1/paths?source=North%20Korea&target=UKR");
  CHECK(body["source"]["id"] == "PRK");
  REQUIRE(body["paths"].size() == 2);
  const auto& p = body["paths"][0];
  CHECK(path_ids(p) == std::vector<std::string>{"PRK", "RUS", "UKR"});
  CHECK(p["length"] == 2);
  CHECK(p["support"] == 5);
  const auto& hop = p["hops"][0];
  CHECK(hop["subject"] == "PRK");
  CHECK(hop["relation"] == "provide-military-aid");
  CHECK(hop["relation_code"] == "072");
  CHECK(hop["object"] == "RUS");
  CHECK(hop["direction"] == "forward");
  CHECK(hop["triple_count"] == 2);
  auto example = f.get_json("/v1/triples/" + std::to_string(hop["example_triple_id"].get<std::int64_t>()));
  CHECK(example["date"] == "2023-10-13");

  auto both = f.get_json("/v1/paths?source=PRK&target=UKR&k=5");
  REQUIRE(both["paths"].size() == 2);
  CHECK(path_ids(both["paths"][1]) == std::vector<std::string>{"PRK", "USA", "UKR"});
  CHECK(both["paths"][1]["hops"][0]["direction"] == "backward");  // USA criticised PRK
  CHECK(f.get_json("/v1/paths?source=PRK&target=UKR&k=5&min_confidence=0.5")["paths"].size() == 1);
  CHECK(f.get_json("/v1/paths?source=PRK&target=UKR&k=5&exclude=RUS")["paths"].size() == 1);
  CHECK(f.get_json("/v1/paths?source=PRK&target=UKR&directed=true")["paths"].size() == 1);
  CHECK(f.get_json("/v1/paths?source=PRK&target=UKR&since=2030-01-01")["paths"].empty());
  // Kim and Putin are PRK and RUS under rollup.
  CHECK(f.get_json("/v1/paths?source=kim-jong-un&target=UKR")["paths"].empty());
  auto rolled = f.get_json("/v1/paths?source=kim-jong-un&target=UKR&rollup=country");
  CHECK(rolled["source"]["id"] == "PRK");
  CHECK(rolled["paths"][0]["support"] == 6);
}

TEST_CASE("subgraphs render as JSON, Cytoscape.js, GraphML, GEXF and DOT", "[api]") {
  Fixture f;
  auto body = f.get_json("/v1/subgraph?seeds=RUS&hops=2");
  CHECK(body["seeds"] == json::array({"RUS"}));
  CHECK(node_ids(body["nodes"]) == std::set<std::string>{"RUS", "UKR", "PRK", "USA"});
  CHECK(body["truncated"] == false);
  CHECK(body["nodes"][0]["id"] == "RUS");
  CHECK(body["nodes"][0]["hop"] == 0);
  CHECK(body["nodes"][0]["type"] == "country");
  bool found = false;
  for (const auto& e : body["edges"]) {
    if (e["source"] == "RUS" && e["target"] == "UKR") {
      found = true;
      CHECK(e["relation"] == "fight");
      CHECK(e["count"] == 3);
      CHECK(e["first_date"] == "2023-10-01");
      CHECK(e["last_date"] == "2023-12-03");
    }
  }
  CHECK(found);

  auto cut = f.get_json("/v1/subgraph?seeds=RUS&hops=2&max_nodes=2&max_edges=1");
  CHECK(cut["truncated"] == true);
  CHECK(cut["total_nodes"] == 4);
  CHECK(node_ids(cut["nodes"]) == std::set<std::string>{"RUS", "UKR"});
  CHECK(cut["edges"].size() == 1);

  auto cy = f.get_json("/v1/subgraph?seeds=RUS&format=cytoscape");
  CHECK(node_ids(cy["elements"]["nodes"]) == std::set<std::string>{"RUS", "UKR", "PRK"});
  CHECK(cy["elements"]["edges"][0]["data"].contains("source"));
  CHECK(cy["elements"]["edges"][0]["data"]["id"] == "e0");

  auto graphml = f.call(verb::get, "/v1/subgraph?seeds=RUS&format=graphml");
  CHECK(graphml.message[field::content_type].starts_with("application/graphml+xml"));
  const std::string xml(graphml.message.body());
  CHECK(xml.starts_with("<?xml"));
  CHECK(xml.find("<node id=\"UKR\">") != std::string::npos);
  CHECK(xml.find("source=\"RUS\" target=\"UKR\"") != std::string::npos);
  CHECK(xml.find("</graphml>") != std::string::npos);
  const auto gexf = f.get_text("/v1/subgraph?seeds=RUS&format=gexf");
  CHECK(gexf.find("<gexf xmlns=\"http://gexf.net/1.3\"") != std::string::npos);
  CHECK(gexf.find("label=\"Ukraine\"") != std::string::npos);
  CHECK(gexf.find("</nodes>\n<edges>") != std::string::npos);
  const auto dot = f.get_text("/v1/subgraph?seeds=RUS&format=dot");
  CHECK(dot.starts_with("digraph geokg {"));
  CHECK(dot.find("\"RUS\" -> \"UKR\" [label=\"fight\"") != std::string::npos);

  // Filters, rollup and an empty window.
  CHECK(node_ids(f.get_json("/v1/subgraph?seeds=RUS&root=19")["nodes"]) == std::set<std::string>{"RUS", "UKR"});
  CHECK(node_ids(f.get_json("/v1/subgraph?seeds=RUS&min_count=3")["nodes"]) == std::set<std::string>{"RUS", "UKR"});
  CHECK(node_ids(f.get_json("/v1/subgraph?seeds=yoon-suk-yeol&rollup=country")["nodes"]) ==
        std::set<std::string>{"KOR", "USA"});
  auto empty = f.get_json("/v1/subgraph?seeds=RUS&since=2030-01-01");
  CHECK(node_ids(empty["nodes"]) == std::set<std::string>{"RUS"});
  CHECK(empty["edges"].empty());
}

TEST_CASE("dyad timelines fill empty buckets and take direction and rollup", "[api]") {
  Fixture f;
  auto body = f.get_json("/v1/dyads/RUS/UKR/timeline");
  CHECK(body["a"]["id"] == "RUS");
  CHECK(body["bucket"] == "month");
  CHECK(body["total"] == 3);
  REQUIRE(body["buckets"].size() == 3);
  CHECK(body["buckets"][0]["start"] == "2023-10-01");
  CHECK(body["buckets"][0]["count"] == 2);
  CHECK(body["buckets"][0]["goldstein_total"] == -20.0);
  CHECK(body["buckets"][0]["goldstein_mean"] == -10.0);
  CHECK(body["buckets"][0]["by_quad_class"] == json{{"1", 0}, {"2", 0}, {"3", 0}, {"4", 2}});
  CHECK(body["buckets"][0]["top_relations"][0]["relation"] == "fight");
  CHECK(body["buckets"][1]["count"] == 0);
  CHECK(body["buckets"][1]["goldstein_mean"].is_null());
  CHECK(body["buckets"][1]["top_relations"].empty());

  CHECK(f.get_json("/v1/dyads/RUS/UKR/timeline?direction=backward")["total"] == 0);
  CHECK(f.get_json("/v1/dyads/UKR/RUS/timeline?direction=backward")["total"] == 3);
  CHECK(f.get_json("/v1/dyads/Russia/Ukraine/timeline?bucket=year")["buckets"].size() == 1);
  CHECK(f.get_json("/v1/dyads/USA/CHN/timeline?bucket=year")["total"] == 1);
  CHECK(f.get_json("/v1/dyads/USA/CHN/timeline?bucket=year&rollup=country")["total"] == 2);
  auto quiet = f.get_json("/v1/dyads/RUS/UKR/timeline?bucket=quarter&since=2020-01-01&until=2020-12-31");
  CHECK(quiet["total"] == 0);
  CHECK(quiet["buckets"].size() == 4);
  CHECK(f.get_json("/v1/dyads/PRK/CHN/timeline")["buckets"].empty());
}

TEST_CASE("partners are ranked and paged with a cursor", "[api]") {
  Fixture f;
  auto body = f.get_json("/v1/actors/USA/partners?limit=1");
  CHECK(body["actor"]["id"] == "USA");
  CHECK(body["total"] == 3);
  REQUIRE(body["items"].size() == 1);
  std::set<std::string> seen{body["items"][0]["partner"]["id"]};
  auto next = body["next_cursor"];
  while (!next.is_null()) {
    auto page = f.get_json("/v1/actors/USA/partners?limit=1&cursor=" + next.get<std::string>());
    for (const auto& it : page["items"]) seen.insert(it["partner"]["id"]);
    next = page["next_cursor"];
  }
  CHECK(seen == std::set<std::string>{"PRK", "CHN", "UKR"});
  auto rus = f.get_json("/v1/actors/RUS/partners");
  CHECK(rus["items"][0]["partner"]["id"] == "UKR");
  CHECK(rus["items"][0]["count"] == 3);
  CHECK(rus["items"][0]["out"] == 3);
  CHECK(rus["items"][0]["by_quad_class"]["4"] == 3);
  CHECK(rus["items"][0]["goldstein_net"] == -30.0);
  CHECK(rus["items"][1]["goldstein_net"] == 16.6);
  CHECK(f.get_json("/v1/actors/RUS/partners?quad_class=4")["total"] == 1);
  CHECK(f.get_json("/v1/actors/vladimir-putin/partners?rollup=country")["actor"]["id"] == "RUS");
  auto putin = f.get_json("/v1/actors/vladimir-putin/partners?rollup=country");
  REQUIRE(putin["total"] == 2);  // PRK (with Kim's meeting offer) and UKR, three triples each
  CHECK(putin["items"][0]["count"] == 3);
  CHECK(putin["items"][1]["count"] == 3);
  CHECK(f.get_json("/v1/actors/RUS/partners?since=2030-01-01")["items"].empty());
}

TEST_CASE("centrality ranks actors by degree, PageRank or betweenness", "[api]") {
  Fixture f;
  auto deg = f.get_json("/v1/analytics/centrality");
  CHECK(deg["metric"] == "degree");
  CHECK(deg["items"][0]["actor"]["id"] == "USA");
  CHECK(deg["items"][0]["rank"] == 1);
  auto pr = f.get_json("/v1/analytics/centrality?metric=pagerank&type=country");
  CHECK(pr.contains("iterations"));
  double sum = 0;
  for (const auto& it : pr["items"]) {
    CHECK(it["actor"]["type"] == "country");
    sum += it["score"].get<double>();
  }
  CHECK(sum <= 1.0 + 1e-9);
  auto bc = f.get_json("/v1/analytics/centrality?metric=betweenness");
  CHECK(bc["exact"] == true);
  auto sampled = f.get_json("/v1/analytics/centrality?metric=betweenness&samples=2");
  CHECK(sampled["exact"] == false);
  CHECK(sampled["samples"] == 2);
  auto rolled = f.get_json("/v1/analytics/centrality?rollup=country&limit=1");
  CHECK(rolled["items"].size() == 1);
  CHECK(rolled["items"][0]["actor"]["id"] == "USA");  // PRK, CHN, UKR, KOR
  CHECK(rolled["items"][0]["score"] == 4.0);
  CHECK(f.get_json("/v1/analytics/centrality?relation=072")["items"].size() == 2);
  CHECK(f.get_json("/v1/analytics/centrality?since=2030-01-01")["items"].empty());
}

TEST_CASE("communities come with members and modularity", "[api]") {
  Fixture f;
  auto comp = f.get_json("/v1/analytics/communities?algorithm=components");
  CHECK(comp["algorithm"] == "components");
  CHECK(comp["nodes"] == 9);
  CHECK(comp["count"] == 2);  // the countries with Blinken and Yoon; Kim and Putin
  auto lv = f.get_json("/v1/analytics/communities?members_limit=1");
  CHECK(lv["algorithm"] == "louvain");
  CHECK(lv["modularity"].get<double>() > 0.0);
  for (const auto& c : lv["communities"]) CHECK(c["members"].size() == 1);
  auto rolled = f.get_json("/v1/analytics/communities?algorithm=components&rollup=country");
  CHECK(rolled["count"] == 1);
  CHECK(rolled["communities"][0]["size"] == 6);
  CHECK(f.get_json("/v1/analytics/communities?since=2030-01-01")["communities"].empty());
}

TEST_CASE("exports stream the filtered triples or graph", "[api]") {
  Fixture f;
  auto r = f.call(verb::get, "/v1/export");
  CHECK(r.message.result() == status::ok);
  CHECK(r.stream);
  CHECK(r.message[field::content_type] == "application/x-ndjson");
  const auto jsonl = Fixture::drain(r);
  const auto lines = core::split_lines(jsonl);
  CHECK(lines.size() == 11);  // the negated triple is left out
  auto first = json::parse(lines[0]);
  CHECK(first["subject"] == "PRK");
  CHECK(first["relation"] == "072");
  CHECK(first["object"] == "RUS");
  CHECK(first["date"] == "2023-09-13");

  const auto csv = f.get_text("/v1/export?format=csv&root=19");
  const auto rows = core::split_lines(csv);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == "id,subject,relation,relation_slug,object,date,polarity,confidence,evidence_count");
  CHECK(rows[1].find(",RUS,19,fight,UKR,2023-10-01,asserted,1,1") != std::string::npos);
  CHECK(core::split_lines(f.get_text("/v1/export?format=csv&since=2030-01-01")).size() == 1);
  const auto rolled = f.get_text("/v1/export?rollup=country&relation=040");
  CHECK(json::parse(core::split_lines(rolled)[0])["subject"] == "KOR");
  CHECK(core::split_lines(f.get_text("/v1/export?min_count=3")).size() == 3);

  const auto graphml = f.get_text("/v1/export?format=graphml&root=19");
  CHECK(graphml.find("<node id=\"RUS\">") != std::string::npos);
  CHECK(graphml.find("<node id=\"PRK\">") == std::string::npos);
  CHECK(graphml.find("</graphml>") != std::string::npos);
  const auto gexf = f.get_text("/v1/export?format=gexf");
  CHECK(gexf.find("weight=\"3\"") != std::string::npos);
  CHECK(gexf.find("</gexf>") != std::string::npos);
}

TEST_CASE("analytics endpoints name bad parameters and answer 404 for unknown actors", "[api]") {
  Fixture f;
  const std::pair<const char*, const char*> bad[] = {
      {"/v1/paths?source=PRK&target=UKR&max_hops=7", "max_hops"},
      {"/v1/paths?source=PRK&target=UKR&k=21", "k"},
      {"/v1/paths?source=PRK&target=UKR&directed=maybe", "directed"},
      {"/v1/paths?source=PRK&target=DPRK", "target"},
      {"/v1/paths?source=PRK", "target"},
      {"/v1/paths?source=PRK&target=UKR&exclude=PRK", "exclude"},
      {"/v1/paths?source=PRK&target=UKR&min_count=0", "min_count"},
      {"/v1/paths?source=PRK&target=UKR&rollup=continent", "rollup"},
      {"/v1/paths?source=PRK&target=UKR&since=2023-02-30", "since"},
      {"/v1/paths?source=PRK&target=UKR&colour=red", "colour"},
      {"/v1/subgraph", "seeds"},
      {"/v1/subgraph?seeds=RUS&hops=4", "hops"},
      {"/v1/subgraph?seeds=RUS&max_nodes=0", "max_nodes"},
      {"/v1/subgraph?seeds=RUS&format=svg", "format"},
      {"/v1/subgraph?seeds=RUS&relation=nope", "relation"},
      {"/v1/dyads/RUS/UKR/timeline?bucket=decade", "bucket"},
      {"/v1/dyads/RUS/UKR/timeline?direction=up", "direction"},
      {"/v1/dyads/RUS/Russia/timeline", "b"},
      {"/v1/dyads/RUS/UKR/timeline?bucket=day&since=1900-01-01", "bucket"},
      {"/v1/dyads/RUS/UKR/timeline?quad_class=5", "quad_class"},
      {"/v1/actors/RUS/partners?limit=0", "limit"},
      {"/v1/actors/RUS/partners?cursor=garbage", "cursor"},
      {"/v1/actors/RUS/partners?polarity=maybe", "polarity"},
      {"/v1/analytics/centrality?metric=fame", "metric"},
      {"/v1/analytics/centrality?type=planet", "type"},
      {"/v1/analytics/centrality?samples=0", "samples"},
      {"/v1/analytics/centrality?damping=1.5", "damping"},
      {"/v1/analytics/centrality?min_confidence=2", "min_confidence"},
      {"/v1/analytics/communities?algorithm=magic", "algorithm"},
      {"/v1/analytics/communities?resolution=0", "resolution"},
      {"/v1/analytics/communities?members_limit=0", "members_limit"},
      {"/v1/analytics/communities?root=21", "root"},
      {"/v1/export?format=xlsx", "format"},
      {"/v1/export?until=2020-01-01&since=2021-01-01", "until"},
  };
  for (const auto& [target, param] : bad) {
    INFO(target);
    auto r = f.call(verb::get, target);
    INFO(r.message.body());
    REQUIRE(r.message.result() == status::bad_request);
    CHECK(r.message[field::content_type] == "application/problem+json");
    const auto body = json::parse(r.message.body());
    CHECK(body["code"] == "invalid_argument");
    CHECK(body["parameter"] == param);
  }
  const std::pair<const char*, const char*> missing[] = {
      {"/v1/paths?source=Atlantis&target=UKR", "source"},
      {"/v1/paths?source=PRK&target=UKR&exclude=Atlantis", "exclude"},
      {"/v1/subgraph?seeds=RUS,Atlantis", "seeds"},
      {"/v1/dyads/Atlantis/UKR/timeline", "a"},
      {"/v1/dyads/RUS/Atlantis/timeline", "b"},
      {"/v1/actors/Atlantis/partners", "id"},
  };
  for (const auto& [target, param] : missing) {
    INFO(target);
    auto r = f.call(verb::get, target);
    REQUIRE(r.message.result() == status::not_found);
    const auto body = json::parse(r.message.body());
    CHECK(body["code"] == "not_found");
    CHECK(body["parameter"] == param);
  }
  // The heavy ones run on the worker pool.
  for (const char* target : {"/v1/paths?source=PRK&target=UKR", "/v1/subgraph?seeds=RUS", "/v1/export",
                             "/v1/analytics/centrality", "/v1/analytics/communities", "/v1/actors/RUS/partners"}) {
    api::http::request_header<> h;
    h.method(verb::get);
    h.target(target);
    CHECK(f.api.offload(h));
  }
}
