#include "api/api.hpp"
#include "api/common.hpp"
#include "api/graph_formats.hpp"
#include "engine/actor_directory.hpp"
#include "engine/engine.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>

namespace geokg::api {

using json = nlohmann::ordered_json;

namespace {

constexpr std::size_t stream_rows = 2000;  // triples or edges per streamed piece

double round2(double x) { return std::round(x * 100.0) / 100.0; }

std::string confidence_text(float c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", static_cast<double>(c));
  return buf;
}

std::string id_of(const engine::View& v, core::ActorIdx a) {
  const auto* x = v.actors->get(a);
  return x ? x->id : "#" + std::to_string(core::value(a));
}

json ref(const engine::View& v, core::ActorIdx a) {
  const auto* x = v.actors->get(a);
  if (!x) return {{"id", id_of(v, a)}, {"name", nullptr}};
  return {{"id", x->id}, {"name", x->name}};
}

json quads(const std::array<std::uint32_t, 4>& q) { return {{"1", q[0]}, {"2", q[1]}, {"3", q[2]}, {"4", q[3]}}; }

std::vector<ParamDoc> graph_filter_docs() {
  auto d = filter_param_docs();
  d.push_back({"min_count", "integer",
               "a pair of actors counts only when at least this many matching triples join them "
               "(default 1)"});
  d.push_back({"rollup", "string",
               "country: persons, organisations, groups and other sub-state actors count as their "
               "country (the actor's current country, not one per date)"});
  return d;
}

core::Result<engine::GraphFilterSpec> parse_graph_filter(const QueryParams& q) {
  engine::GraphFilterSpec f;
  auto base = parse_filter(q);
  if (!base) return base.error();
  f.filter = std::move(*base);
  auto mc = q.integer("min_count", 1, 1, 1'000'000'000);
  if (!mc) return mc.error();
  f.min_count = static_cast<std::uint32_t>(*mc);
  auto rollup = q.get("rollup");
  if (!rollup) return rollup.error();
  const std::string r = rollup->value_or("");
  if (r == "country") {
    f.rollup = true;
  } else if (!r.empty() && r != "none") {
    return core::invalid_parameter("rollup", "rollup must be country or none, got '" + r.substr(0, 40) + "'");
  }
  return f;
}

// One of the allowed words, or the fallback when absent.
core::Result<std::string> choice(const QueryParams& q, const std::string& name,
                                 std::initializer_list<const char*> allowed, const char* fallback) {
  auto v = q.get(name);
  if (!v) return v.error();
  if (!*v || (*v)->empty()) return std::string(fallback);
  std::string list;
  for (const char* a : allowed) {
    if (**v == a) return **v;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  return core::invalid_parameter(name, name + " must be one of " + list + ", got '" + (*v)->substr(0, 40) + "'");
}

core::Result<std::size_t> offset_cursor(const QueryParams& q, const char* kind) {
  auto cursor = q.get("cursor");
  if (!cursor) return cursor.error();
  if (!*cursor || (*cursor)->empty()) return std::size_t{0};
  auto off = decode_cursor(kind, **cursor);
  if (!off) return off.error();
  std::size_t n = 0;
  const auto [p, ec] = std::from_chars(off->data(), off->data() + off->size(), n);
  if (ec != std::errc{} || p != off->data() + off->size())
    return core::invalid_parameter("cursor", "cursor is not valid here; pass next_cursor unchanged");
  return n;
}

Reply text_reply(const Request& request, std::string_view type, std::string body) {
  Reply r;
  r.message = Response{http::status::ok, request.version()};
  r.message.set(http::field::content_type, type);
  r.message.keep_alive(request.keep_alive());
  r.message.body() = std::move(body);
  r.message.prepare_payload();
  return r;
}

Reply stream_reply(const Request& request, std::string_view type, std::function<bool(std::string&)> stream) {
  Reply r;
  r.message = Response{http::status::ok, request.version()};
  r.message.set(http::field::content_type, type);
  r.message.keep_alive(request.keep_alive());
  r.stream = std::move(stream);
  return r;
}

NodeOut node_out(const engine::View& v, core::ActorIdx a, std::uint64_t degree, std::uint64_t weight, std::string& id) {
  const auto* x = v.actors->get(a);
  id = id_of(v, a);
  NodeOut n;
  n.id = id;
  n.label = x ? std::string_view(x->name) : std::string_view(id);
  n.type = x ? core::to_string(x->type) : std::string_view("other");
  n.country = x ? std::string_view(x->country) : std::string_view();
  n.degree = degree;
  n.weight = weight;
  return n;
}

// ---- renderers ---------------------------------------------------------------------------------

json paths_json(const engine::PathsResult& r, const core::RelationCatalog& cat) {
  json paths = json::array();
  for (const auto& p : r.paths) {
    json actors = json::array();
    for (auto a : p.actors) actors.push_back(ref(r.view, a));
    json hops = json::array();
    for (const auto& h : p.hops) {
      const auto& rel = cat.at(h.relation);
      hops.push_back({{"subject", id_of(r.view, h.subject)},
                      {"relation", rel.slug},
                      {"relation_code", rel.code},
                      {"object", id_of(r.view, h.object)},
                      {"direction", h.subject == h.from ? "forward" : "backward"},
                      {"triple_count", h.triple_count},
                      {"example_triple_id", core::value(h.example)}});
    }
    paths.push_back(
        {{"length", p.hops.size()}, {"support", p.support}, {"actors", std::move(actors)}, {"hops", std::move(hops)}});
  }
  return {{"source", ref(r.view, r.source)}, {"target", ref(r.view, r.target)}, {"paths", std::move(paths)}};
}

Reply subgraph_reply(const Request& req, const engine::SubgraphResult& r, const core::RelationCatalog& cat,
                     const std::string& format) {
  const auto& ego = r.ego;
  const bool truncated = ego.total_nodes > ego.nodes.size() || ego.total_edges > ego.edges.size();
  if (auto gf = parse_graph_format(format)) {
    std::string out, id;
    const std::string note = "geokg subgraph: " + std::to_string(ego.nodes.size()) + " of " +
                             std::to_string(ego.total_nodes) + " nodes, " + std::to_string(ego.edges.size()) + " of " +
                             std::to_string(ego.total_edges) + " edges" + (truncated ? " (truncated)" : "");
    begin_graph(*gf, note, out);
    for (const auto& n : ego.nodes) write_node(*gf, node_out(r.view, n.actor, n.degree, n.support, id), out);
    begin_edges(*gf, out);
    std::uint64_t i = 0;
    for (const auto& e : ego.edges) {
      const auto& rel = cat.at(e.relation);
      const std::string s = id_of(r.view, e.source), t = id_of(r.view, e.target);
      const std::string first = e.first_date.to_string(), last = e.last_date.to_string();
      write_edge(*gf, {s, t, rel.slug, rel.code, e.count, e.goldstein_total, first, last}, i++, out);
    }
    end_graph(*gf, out);
    auto reply = text_reply(req, content_type(*gf), std::move(out));
    reply.message.set("X-Truncated", truncated ? "true" : "false");
    return reply;
  }
  const bool cy = format == "cytoscape";
  json nodes = json::array(), edges = json::array();
  for (const auto& n : ego.nodes) {
    const auto* a = r.view.actors->get(n.actor);
    json j = {{"id", id_of(r.view, n.actor)},
              {cy ? "label" : "name", a ? json(a->name) : json(nullptr)},
              {"type", a ? std::string(core::to_string(a->type)) : std::string("other")},
              {"country", a && !a->country.empty() ? json(a->country) : json(nullptr)},
              {"degree", n.degree},
              {"hop", n.hop},
              {"support", n.support}};
    nodes.push_back(cy ? json{{"data", std::move(j)}} : std::move(j));
  }
  std::size_t i = 0;
  for (const auto& e : ego.edges) {
    const auto& rel = cat.at(e.relation);
    json j = {{"source", id_of(r.view, e.source)},
              {"target", id_of(r.view, e.target)},
              {"relation", rel.slug},
              {"relation_code", rel.code},
              {"count", e.count},
              {"goldstein_total", round2(e.goldstein_total)},
              {"first_date", e.first_date.to_string()},
              {"last_date", e.last_date.to_string()}};
    if (cy) {
      j["id"] = "e" + std::to_string(i++);
      edges.push_back({{"data", std::move(j)}});
    } else {
      edges.push_back(std::move(j));
    }
  }
  json seeds = json::array();
  for (auto s : r.seeds) seeds.push_back(id_of(r.view, s));
  json body = {{"seeds", std::move(seeds)},
               {"truncated", truncated},
               {"total_nodes", ego.total_nodes},
               {"total_edges", ego.total_edges}};
  if (cy) {
    body["elements"] = {{"nodes", std::move(nodes)}, {"edges", std::move(edges)}};
  } else {
    body["nodes"] = std::move(nodes);
    body["edges"] = std::move(edges);
  }
  return json_reply(req, http::status::ok, body);
}

json timeline_json(const engine::DyadTimelineResult& r, const core::RelationCatalog& cat, const std::string& bucket,
                   const std::string& direction) {
  json buckets = json::array();
  for (const auto& b : r.timeline.buckets) {
    json top = json::array();
    for (const auto& [rel, n] : b.top_relations)
      top.push_back({{"relation", cat.at(rel).slug}, {"relation_code", cat.at(rel).code}, {"count", n}});
    buckets.push_back({{"start", b.start.to_string()},
                       {"count", b.count},
                       {"goldstein_total", round2(b.goldstein_total)},
                       {"goldstein_mean", b.count ? json(round2(b.goldstein_total / b.count)) : json(nullptr)},
                       {"by_quad_class", quads(b.by_quad_class)},
                       {"top_relations", std::move(top)}});
  }
  return {{"a", ref(r.view, r.a)},  {"b", ref(r.view, r.b)},     {"bucket", bucket},
          {"direction", direction}, {"total", r.timeline.total}, {"buckets", std::move(buckets)}};
}

// ---- export streams ----------------------------------------------------------------------------

struct TripleStream {
  engine::ExportPlan plan;
  const core::RelationCatalog* cat = nullptr;
  bool csv = false;
  bool started = false;
  std::uint32_t next = 0;

  bool operator()(std::string& out) {
    if (!started) {
      started = true;
      if (csv) out += "id,subject,relation,relation_slug,object,date,polarity,confidence,evidence_count\n";
    }
    const auto& v = plan.view;
    next = graph::scan_triples(v.graph, plan.filter, next, stream_rows, [&](const core::TripleRecord& t) {
      const auto& rel = cat->at(t.relation);
      const std::string object = t.object ? id_of(v, *t.object) : std::string();
      if (csv) {
        // Ids, codes and slugs never hold commas or quotes; the object is empty when there is none.
        out += std::to_string(core::value(t.id)) + ',' + id_of(v, t.subject) + ',' + rel.code + ',' + rel.slug + ',' +
               object + ',' + t.date.to_string() + ',' + std::string(core::to_string(t.polarity)) + ',' +
               confidence_text(t.confidence) + ',' + std::to_string(t.evidence_count) + '\n';
      } else {
        json j = {{"id", core::value(t.id)},
                  {"subject", id_of(v, t.subject)},
                  {"relation", rel.code},
                  {"relation_slug", rel.slug},
                  {"object", t.object ? json(object) : json(nullptr)},
                  {"date", t.date.to_string()},
                  {"polarity", std::string(core::to_string(t.polarity))},
                  {"confidence", std::round(static_cast<double>(t.confidence) * 1e6) / 1e6},
                  {"evidence_count", t.evidence_count}};
        out += j.dump(-1, ' ', false, json::error_handler_t::replace);
        out += '\n';
      }
    });
    return next < v.graph.max_triple_id();
  }
};

struct GraphStream {
  engine::ExportPlan plan;
  const core::RelationCatalog* cat = nullptr;
  GraphFormat format = GraphFormat::graphml;
  int phase = 0;  // 0 header and nodes, 1 edges, 2 done
  std::size_t next = 0;
  std::uint64_t edge_index = 0;
  std::vector<graph::GraphNode> nodes;

  bool operator()(std::string& out) {
    const auto& v = plan.view;
    if (phase == 0) {
      nodes = graph::graph_nodes(v.graph, plan.filter);
      begin_graph(format, "geokg export: " + std::to_string(nodes.size()) + " nodes", out);
      std::string id;
      for (const auto& n : nodes) write_node(format, node_out(v, n.actor, n.degree, n.weight, id), out);
      begin_edges(format, out);
      phase = 1;
      return true;
    }
    if (phase == 1) {
      next = graph::scan_edges(v.graph, plan.filter, next, stream_rows, [&](const graph::EdgeAggregate& e) {
        const auto& rel = cat->at(e.relation);
        const std::string s = id_of(v, e.source), t = id_of(v, e.target);
        const std::string first = e.first_date.to_string(), last = e.last_date.to_string();
        write_edge(format, {s, t, rel.slug, rel.code, e.count, e.goldstein_total, first, last}, edge_index++, out);
      });
      if (next < nodes.size()) return true;
      phase = 2;
    }
    end_graph(format, out);
    return false;
  }
};

}  // namespace

void add_analytics_routes(Router& router, Context& ctx) {
  auto paths_params =
      std::vector<ParamDoc>{{"source", "string", "id or alias of the actor the paths start at (required)"},
                            {"target", "string", "id or alias of the actor the paths end at (required)"},
                            {"max_hops", "integer", "longest path, 1 to 6 (default 3)"},
                            {"k", "integer", "number of paths, 1 to 20 (default 3)"},
                            {"directed", "boolean", "follow triples from subject to object only (default false)"},
                            {"exclude", "list", "ids or aliases of actors no path may pass through (hubs)"}};
  for (auto& p : graph_filter_docs()) paths_params.push_back(p);
  router.add({.method = http::verb::get,
              .pattern = "/v1/paths",
              .summary = "The k shortest simple paths between two actors (by hops, then by supporting triples)",
              .query = paths_params,
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::PathsQuery q;
                auto source = c.query.get("source");
                if (!source) return source.error();
                q.source = source->value_or("");
                auto target = c.query.get("target");
                if (!target) return target.error();
                q.target = target->value_or("");
                auto hops = c.query.integer("max_hops", 3, 1, 6);
                if (!hops) return hops.error();
                q.max_hops = static_cast<std::size_t>(*hops);
                auto k = c.query.integer("k", 3, 1, 20);
                if (!k) return k.error();
                q.k = static_cast<std::size_t>(*k);
                auto directed = c.query.boolean("directed", false);
                if (!directed) return directed.error();
                q.directed = *directed;
                q.exclude = c.query.list("exclude");
                auto f = parse_graph_filter(c.query);
                if (!f) return f.error();
                q.filter = std::move(*f);
                auto r = (*e)->paths(q);
                if (!r) return r.error();
                return json_reply(c.request, http::status::ok, paths_json(*r, (*e)->relations()));
              },
              .response_body = "{source, target, paths: [{length, support, actors: [{id, name}], hops: [{subject, "
                               "relation, relation_code, object, direction, triple_count, example_triple_id}]}]}",
              .heavy = true});

  auto subgraph_params = std::vector<ParamDoc>{
      {"seeds", "list", "ids or aliases of the actors at the centre (required, at most 50)"},
      {"hops", "integer", "1, 2 or 3 (default 1)"},
      {"max_nodes", "integer",
       "keep at most this many nodes, seeds first, then nearest and best supported (1 to "
       "5000, default 500)"},
      {"max_edges", "integer", "keep at most this many edges, most triples first (0 to 50000, default 5000)"},
      {"format", "string", "json (default), cytoscape (Cytoscape.js elements), graphml, gexf or dot"}};
  for (auto& p : graph_filter_docs()) subgraph_params.push_back(p);
  router.add({.method = http::verb::get,
              .pattern = "/v1/subgraph",
              .summary = "The network around seed actors, edges aggregated per (source, relation, target)",
              .query = subgraph_params,
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::SubgraphQuery q;
                q.seeds = c.query.list("seeds");
                auto hops = c.query.integer("hops", 1, 1, 3);
                if (!hops) return hops.error();
                q.hops = static_cast<unsigned>(*hops);
                auto max_nodes = c.query.integer("max_nodes", 500, 1, 5000);
                if (!max_nodes) return max_nodes.error();
                q.max_nodes = static_cast<std::size_t>(*max_nodes);
                auto max_edges = c.query.integer("max_edges", 5000, 0, 50000);
                if (!max_edges) return max_edges.error();
                q.max_edges = static_cast<std::size_t>(*max_edges);
                auto format = choice(c.query, "format", {"json", "cytoscape", "graphml", "gexf", "dot"}, "json");
                if (!format) return format.error();
                auto f = parse_graph_filter(c.query);
                if (!f) return f.error();
                q.filter = std::move(*f);
                auto r = (*e)->subgraph(q);
                if (!r) return r.error();
                return subgraph_reply(c.request, *r, (*e)->relations(), *format);
              },
              .response_body = "{seeds, truncated, total_nodes, total_edges, nodes: [{id, name, type, country, degree, "
                               "hop, support}], edges: [{source, target, relation, relation_code, count, "
                               "goldstein_total, first_date, last_date}]}; cytoscape: {elements: {nodes, edges}}; "
                               "graphml, gexf, dot: documents",
              .heavy = true});

  auto timeline_params =
      std::vector<ParamDoc>{{"bucket", "string", "day, week (from Monday), month (default), quarter or year"},
                            {"direction", "string", "both (default), forward (a to b) or backward (b to a)"}};
  for (auto& p : graph_filter_docs()) timeline_params.push_back(p);
  router.add({.method = http::verb::get,
              .pattern = "/v1/dyads/{a}/{b}/timeline",
              .summary = "The triples between two actors per time bucket, empty buckets included",
              .query = timeline_params,
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::DyadTimelineQuery q;
                q.a = c.path_param("a");
                q.b = c.path_param("b");
                auto bucket = choice(c.query, "bucket", {"day", "week", "month", "quarter", "year"}, "month");
                if (!bucket) return bucket.error();
                const std::string& b = *bucket;
                q.bucket = b == "day"       ? graph::Bucket::day
                           : b == "week"    ? graph::Bucket::week
                           : b == "quarter" ? graph::Bucket::quarter
                           : b == "year"    ? graph::Bucket::year
                                            : graph::Bucket::month;
                auto direction = choice(c.query, "direction", {"both", "forward", "backward"}, "both");
                if (!direction) return direction.error();
                q.direction = *direction == "forward"    ? graph::Direction::out
                              : *direction == "backward" ? graph::Direction::in
                                                         : graph::Direction::both;
                auto f = parse_graph_filter(c.query);
                if (!f) return f.error();
                q.filter = std::move(*f);
                auto r = (*e)->dyad_timeline(q);
                if (!r) return r.error();
                return json_reply(c.request, http::status::ok, timeline_json(*r, (*e)->relations(), b, *direction));
              },
              .response_body = "{a, b, bucket, direction, total, buckets: [{start, count, goldstein_total, "
                               "goldstein_mean, by_quad_class: {1, 2, 3, 4}, top_relations: [{relation, "
                               "relation_code, count}]}]}"});

  auto partner_params = graph_filter_docs();
  partner_params.push_back(limit_doc());
  partner_params.push_back(cursor_doc());
  router.add({.method = http::verb::get,
              .pattern = "/v1/actors/{id}/partners",
              .summary = "The actor's counterparts ranked by number of triples, with counts per quad class and net "
                         "Goldstein",
              .query = partner_params,
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::PartnersQuery q;
                q.actor = c.path_param("id");
                auto f = parse_graph_filter(c.query);
                if (!f) return f.error();
                q.filter = std::move(*f);
                auto limit = parse_limit(c.query);
                if (!limit) return limit.error();
                q.limit = *limit;
                auto offset = offset_cursor(c.query, "partners");
                if (!offset) return offset.error();
                q.offset = *offset;
                auto r = (*e)->partners(q);
                if (!r) return r.error();
                json items = json::array();
                for (const auto& p : r->items) {
                  const auto* a = r->view.actors->get(p.actor);
                  json partner = ref(r->view, p.actor);
                  partner["type"] = a ? std::string(core::to_string(a->type)) : std::string("other");
                  items.push_back({{"partner", std::move(partner)},
                                   {"count", p.count},
                                   {"out", p.out},
                                   {"in", p.in},
                                   {"by_quad_class", quads(p.by_quad_class)},
                                   {"goldstein_net", round2(p.goldstein_net)},
                                   {"first_date", p.first_date.to_string()},
                                   {"last_date", p.last_date.to_string()}});
                }
                json next =
                    r->more ? json(encode_cursor("partners", std::to_string(q.offset + q.limit))) : json(nullptr);
                return json_reply(c.request, http::status::ok,
                                  {{"actor", ref(r->view, r->actor)},
                                   {"total", r->total},
                                   {"items", std::move(items)},
                                   {"next_cursor", std::move(next)}});
              },
              .response_body = "{actor, total, items: [{partner: {id, name, type}, count, out, in, by_quad_class, "
                               "goldstein_net, first_date, last_date}], next_cursor}",
              .heavy = true});

  auto centrality_params = std::vector<ParamDoc>{
      {"metric", "string", "degree (distinct counterparts, default), in_degree, out_degree, pagerank or betweenness"},
      {"type", "string", "rank only actors of this type (country, igo, person, organization, group, other)"},
      {"samples", "integer",
       "betweenness: source actors sampled for the estimate (default: exact on small graphs, "
       "else 64)"},
      {"damping", "number", "pagerank: damping factor (default 0.85)"},
      limit_doc()};
  for (auto& p : graph_filter_docs()) centrality_params.push_back(p);
  router.add({.method = http::verb::get,
              .pattern = "/v1/analytics/centrality",
              .summary = "Actors ranked by a centrality metric on the filtered graph",
              .query = centrality_params,
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::CentralityRequest q;
                auto metric = choice(c.query, "metric",
                                     {"degree", "in_degree", "out_degree", "pagerank", "betweenness"}, "degree");
                if (!metric) return metric.error();
                const std::string& m = *metric;
                q.metric = m == "in_degree"     ? graph::Centrality::in_degree
                           : m == "out_degree"  ? graph::Centrality::out_degree
                           : m == "pagerank"    ? graph::Centrality::pagerank
                           : m == "betweenness" ? graph::Centrality::betweenness
                                                : graph::Centrality::degree;
                auto type = c.query.get("type");
                if (!type) return type.error();
                if (*type && !(*type)->empty()) {
                  auto t = core::parse_actor_type(**type);
                  if (!t) return core::invalid_parameter("type", "type: " + t.error().detail);
                  q.type = *t;
                }
                auto samples = c.query.integer("samples", 0, 1, 100000);
                if (!samples) return samples.error();
                q.samples = static_cast<std::size_t>(*samples);
                auto damping = c.query.number("damping", 0.85, 0.01, 0.99);
                if (!damping) return damping.error();
                q.damping = *damping;
                auto limit = parse_limit(c.query);
                if (!limit) return limit.error();
                q.limit = *limit;
                auto f = parse_graph_filter(c.query);
                if (!f) return f.error();
                q.filter = std::move(*f);
                auto r = (*e)->centrality(q);
                if (!r) return r.error();
                json items = json::array();
                for (const auto& it : r->items) {
                  const auto* a = r->view.actors->get(it.actor);
                  json actor = ref(r->view, it.actor);
                  actor["type"] = a ? std::string(core::to_string(a->type)) : std::string("other");
                  items.push_back({{"actor", std::move(actor)}, {"score", it.score}, {"rank", it.rank}});
                }
                json body = {{"metric", m}, {"nodes", r->info.nodes}, {"edges", r->info.edges}, {"ranked", r->ranked}};
                if (q.metric == graph::Centrality::betweenness) {
                  body["exact"] = r->info.exact;
                  body["samples"] = r->info.samples;
                }
                if (q.metric == graph::Centrality::pagerank) body["iterations"] = r->info.iterations;
                body["items"] = std::move(items);
                return json_reply(c.request, http::status::ok, body);
              },
              .response_body = "{metric, nodes, edges, ranked, exact?, samples?, iterations?, items: [{actor: {id, "
                               "name, type}, score, rank}]}",
              .heavy = true});

  auto community_params = std::vector<ParamDoc>{
      {"algorithm", "string", "louvain (default) or components"},
      {"resolution", "number",
       "louvain: resolution, above 0 and at most 100 (default 1; higher gives smaller "
       "communities)"},
      {"limit", "integer", "at most this many communities, largest first, 1 to 1000 (default 100)"},
      {"members_limit", "integer",
       "at most this many members per community, most connected first, 1 to 10000 "
       "(default 100)"}};
  for (auto& p : graph_filter_docs()) community_params.push_back(p);
  router.add({.method = http::verb::get,
              .pattern = "/v1/analytics/communities",
              .summary = "Communities of the filtered graph (Louvain or connected components) and their modularity",
              .query = community_params,
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::CommunitiesRequest q;
                auto algorithm = choice(c.query, "algorithm", {"louvain", "components"}, "louvain");
                if (!algorithm) return algorithm.error();
                q.algorithm = *algorithm == "components" ? graph::CommunityAlgorithm::components
                                                         : graph::CommunityAlgorithm::louvain;
                auto resolution = c.query.number("resolution", 1.0, 1e-9, 100.0);
                if (!resolution) return resolution.error();
                q.resolution = *resolution;
                auto limit = c.query.integer("limit", 100, 1, 1000);
                if (!limit) return limit.error();
                auto members_limit = c.query.integer("members_limit", 100, 1, 10000);
                if (!members_limit) return members_limit.error();
                auto f = parse_graph_filter(c.query);
                if (!f) return f.error();
                q.filter = std::move(*f);
                auto r = (*e)->communities(q);
                if (!r) return r.error();
                const auto& res = r->result;
                json list = json::array();
                for (std::size_t i = 0; i < res.communities.size() && i < static_cast<std::size_t>(*limit); ++i) {
                  const auto& cm = res.communities[i];
                  json members = json::array();
                  for (std::size_t j = 0; j < cm.members.size() && j < static_cast<std::size_t>(*members_limit); ++j)
                    members.push_back(ref(r->view, cm.members[j]));
                  list.push_back({{"id", i},
                                  {"size", cm.members.size()},
                                  {"triples", cm.weight},
                                  {"members", std::move(members)},
                                  {"members_truncated", cm.members.size() > static_cast<std::size_t>(*members_limit)}});
                }
                json body = {{"algorithm", *algorithm}};
                if (q.algorithm == graph::CommunityAlgorithm::louvain) {
                  body["resolution"] = q.resolution;
                  body["levels"] = res.levels;
                }
                body["modularity"] = std::round(res.modularity * 1e6) / 1e6;
                body["nodes"] = res.nodes;
                body["edges"] = res.edges;
                body["count"] = res.communities.size();
                body["communities"] = std::move(list);
                return json_reply(c.request, http::status::ok, body);
              },
              .response_body = "{algorithm, resolution?, levels?, modularity, nodes, edges, count, communities: [{id, "
                               "size, triples, members: [{id, name}], members_truncated}]}",
              .heavy = true});

  auto export_params =
      std::vector<ParamDoc>{{"format", "string",
                             "jsonl (default) or csv: the triples; graphml or gexf: the graph (edges per source, "
                             "relation, target)"}};
  for (auto& p : graph_filter_docs()) export_params.push_back(p);
  router.add({.method = http::verb::get,
              .pattern = "/v1/export",
              .summary = "Stream the filtered triples (JSONL, CSV) or graph (GraphML, GEXF)",
              .query = export_params,
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto format = choice(c.query, "format", {"jsonl", "csv", "graphml", "gexf"}, "jsonl");
                if (!format) return format.error();
                auto f = parse_graph_filter(c.query);
                if (!f) return f.error();
                auto plan = (*e)->export_plan(*f);
                if (!plan) return plan.error();
                const auto* cat = &(*e)->relations();
                if (auto gf = parse_graph_format(*format)) {
                  auto s = std::make_shared<GraphStream>();
                  s->plan = std::move(*plan);
                  s->cat = cat;
                  s->format = *gf;
                  return stream_reply(c.request, content_type(*gf), [s](std::string& out) { return (*s)(out); });
                }
                auto s = std::make_shared<TripleStream>();
                s->plan = std::move(*plan);
                s->cat = cat;
                s->csv = *format == "csv";
                return stream_reply(c.request, s->csv ? "text/csv; charset=utf-8" : "application/x-ndjson",
                                    [s](std::string& out) { return (*s)(out); });
              },
              .response_body = "streamed: JSONL or CSV rows {id, subject, relation, relation_slug, object, date, "
                               "polarity, confidence, evidence_count}, or a GraphML / GEXF document",
              .heavy = true});
}

}  // namespace geokg::api
