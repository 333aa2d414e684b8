#include "engine/engine.hpp"

#include "engine/engine_impl.hpp"

#include "core/text.hpp"
#include "data/embedded.hpp"
#include "engine/actor_directory.hpp"
#include "engine/reference_data.hpp"
#include "engine/triple_loader.hpp"
#include "engine/triple_spec.hpp"
#include "storage/store.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <set>

namespace geokg::engine {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

constexpr std::size_t max_name_bytes = 300;
constexpr std::size_t max_evidence_bytes = 20000;
constexpr std::size_t max_source_field_bytes = 2000;

}  // namespace

bool valid_actor_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  const auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  };
  const auto first = id.front();
  return std::all_of(id.begin(), id.end(), ok) && first != '-' && first != '.' && first != '_';
}

bool has_control_chars(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

graph::ActorInfo info_of(const core::Actor& a, const ActorDirectory& dir) {
  graph::ActorInfo info;
  info.type = a.type;
  if (!a.country.empty())
    if (auto c = dir.by_id(a.country)) info.country = core::value(*c);
  return info;
}

namespace {

// A readable id from a free-text name: "Ewha University" -> "ewha-university".
std::string slug_of(std::string_view name) {
  std::string out;
  bool dash = false;
  for (const char ch : name) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (dash && !out.empty()) out.push_back('-');
      dash = false;
      out.push_back(static_cast<char>(c));
    } else if (c >= 'A' && c <= 'Z') {
      if (dash && !out.empty()) out.push_back('-');
      dash = false;
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      dash = true;
    }
    if (out.size() >= 48) break;
  }
  if (out.empty()) out = "actor";
  return out;
}

std::vector<graph::RelationInfo> relation_infos(const core::RelationCatalog& cat) {
  std::vector<graph::RelationInfo> v;
  for (const auto& t : cat.all()) v.push_back({t.goldstein, t.quad_class});
  return v;
}

}  // namespace

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<void> Engine::Impl::seed_reference() {
  // Reference rows missing from the database are added (a new database gets all of them;
  // an older one gets what later releases added). Existing rows are never overwritten.
  auto types = reference_relation_types();
  if (!types) return types.error();
  auto actors_ref = reference_actors();
  if (!actors_ref) return actors_ref.error();
  auto existing_types = store->relation_types();
  if (!existing_types) return existing_types.error();
  std::set<std::string> have_codes;
  for (const auto& t : *existing_types) have_codes.insert(t.code);
  std::vector<core::RelationType> new_types;
  for (const auto& t : *types)
    if (!have_codes.count(t.code)) new_types.push_back(t);
  std::set<std::string> have_ids;
  auto listed = store->for_each_actor([&](core::ActorIdx, core::Actor&& a) { have_ids.insert(a.id); });
  if (!listed) return listed.error();
  std::vector<core::Actor> new_actors;
  for (const auto& a : *actors_ref)
    if (!have_ids.count(a.id)) new_actors.push_back(a);
  if (new_types.empty() && new_actors.empty()) return {};
  spdlog::info("seeding reference data: {} relation types, {} actors", new_types.size(), new_actors.size());
  return store->write<void>([&](storage::Writer& w) -> Result<void> {
    if (!new_types.empty())
      if (auto r = w.insert_relation_types(new_types); !r) return r.error();
    for (const auto& a : new_actors)
      if (auto r = w.insert_actor(a); !r) return r.error();
    return {};
  });
}

Result<void> Engine::Impl::load() {
  auto types = store->relation_types();
  if (!types) return types.error();
  catalog = core::RelationCatalog(std::move(*types));
  graph = std::make_unique<graph::RelationGraph>(relation_infos(catalog));

  std::vector<std::pair<core::ActorIdx, core::Actor>> all;
  auto r = store->for_each_actor([&](core::ActorIdx idx, core::Actor&& a) { all.emplace_back(idx, std::move(a)); });
  if (!r) return r.error();
  auto dir = ActorDirectory().with(all);
  std::vector<std::pair<core::ActorIdx, graph::ActorInfo>> infos;
  infos.reserve(all.size());
  for (const auto& [idx, a] : all) infos.emplace_back(idx, info_of(a, *dir));

  std::int64_t assertions = 0;  // evidence_count counts bulk-imported assertions without a row too
  auto triples = load_all_triples(*store, assertions);
  if (!triples) return triples.error();
  auto snapshot = graph->load(std::move(infos), std::move(*triples));
  {
    std::lock_guard lock(view_mu);
    current = View{std::move(snapshot), std::move(dir)};
  }
  auto counts = store->counts();
  if (!counts) return counts.error();
  evidence = std::max<std::int64_t>(counts->evidence, assertions);
  documents = counts->documents;
  return {};
}

Result<void> Engine::Impl::load_demo(Engine& engine) {
  const auto text = data::embedded("demo/triples.jsonl");
  if (!text || text->empty()) return {};
  std::vector<TripleSpec> rows;
  std::vector<core::ErrorItem> errors;
  std::int64_t line = 0;
  for (auto l : core::split_lines(*text)) {
    ++line;
    if (core::trim(l).empty()) continue;
    TripleSpec spec;
    auto j = nlohmann::ordered_json::parse(l, nullptr, false);
    if (j.is_discarded()) return core::internal_error("demo data line " + std::to_string(line) + " is not JSON");
    if (!decode_triple_spec(j, line, spec, errors))
      return core::internal_error("demo data line " + std::to_string(line) + ": " + errors.front().message);
    rows.push_back(std::move(spec));
  }
  auto r = engine.add_triples(rows, false);
  if (!r) {
    std::string why = r.error().detail;
    if (!r.error().items.empty()) why += ": row " + std::to_string(r.error().items.front().index) + " " + r.error().items.front().message;
    return core::internal_error("demo data: " + why);
  }
  spdlog::info("loaded demo data: {} triples ({} merged)", r->inserted, r->merged);
  return {};
}

Result<std::unique_ptr<Engine>> Engine::open(const Options& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  storage::OpenOptions so;
  so.path = options.db_path;
  so.readers = options.readers;
  auto store = storage::Store::open(so);
  if (!store) return store.error();
  impl->store = std::move(*store);
  if (auto r = impl->seed_reference(); !r) return r.error();
  const auto t0 = std::chrono::steady_clock::now();
  if (auto r = impl->load(); !r) return r.error();
  const auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  auto engine = std::unique_ptr<Engine>(new Engine(std::move(impl)));
  auto& im = *engine->impl_;
  spdlog::info("graph loaded: {} actors, {} triples in {:.0f} ms (graph {:.1f} MiB)", im.directory()->size(),
               im.view().graph.triple_count(), ms, static_cast<double>(im.view().graph.memory_bytes()) / (1 << 20));
  if (options.demo && im.view().graph.max_triple_id() == 0)
    if (auto r = im.load_demo(*engine); !r) return r.error();
  return engine;
}

View Engine::view() const { return impl_->view(); }

const core::RelationCatalog& Engine::relations() const noexcept { return impl_->catalog; }

Status Engine::status() const {
  const auto v = view();
  Status s;
  s.actors = v.actors->size();
  s.triples = v.graph.triple_count();
  s.evidence = impl_->evidence.load();
  s.extraction_us = impl_->extraction_us.load();
  s.documents = impl_->documents.load();
  s.graph_version = v.graph.version();
  s.uptime_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - impl_->started).count();
  return s;
}

// ---- actors ---------------------------------------------------------------------------------

Result<ActorView> Engine::actor(std::string_view id_or_alias) const {
  const auto dir = view().actors;
  const auto matches = dir->lookup(id_or_alias);
  if (matches.empty()) return core::not_found("no actor with id or alias '" + std::string(id_or_alias.substr(0, 100)) + "'");
  ActorView v;
  v.idx = matches.front().idx;
  v.actor = *dir->get(v.idx);
  if (v.actor.id != id_or_alias) v.resolved_from = std::string(id_or_alias);
  return v;
}

Result<ActorPage> Engine::list_actors(const ActorListQuery& q) const {
  const auto dir = view().actors;
  ActorPage page;
  const auto keep = [&](const core::Actor& a) {
    if (q.type && a.type != *q.type) return false;
    if (!q.country.empty() && a.country != q.country) return false;
    return q.after_id.empty() || a.id > q.after_id;
  };
  if (q.q.empty()) {
    const auto& order = dir->ordered_by_id();
    auto it = std::upper_bound(order.begin(), order.end(), q.after_id,
                               [&](const std::string& id, core::ActorIdx x) { return id < dir->get(x)->id; });
    for (; it != order.end(); ++it) {
      const auto* a = dir->get(*it);
      if (!keep(*a)) continue;
      if (page.items.size() == q.limit) {
        page.more = true;
        break;
      }
      page.items.push_back(*a);
    }
    return page;
  }
  // Name search: every actor whose id, name or alias starts with q, listed by id.
  std::vector<const core::Actor*> found;
  for (const auto& m : dir->search(q.q, SIZE_MAX)) {
    const auto* a = dir->get(m.idx);
    if (keep(*a)) found.push_back(a);
  }
  std::sort(found.begin(), found.end(), [](const auto* x, const auto* y) { return x->id < y->id; });
  for (const auto* a : found) {
    if (page.items.size() == q.limit) {
      page.more = true;
      break;
    }
    page.items.push_back(*a);
  }
  return page;
}

std::vector<ResolveItem> Engine::resolve(std::string_view name, std::size_t limit) const {
  const auto dir = view().actors;
  std::vector<ResolveItem> out;
  for (const auto& m : dir->search(name, limit)) out.push_back({*dir->get(m.idx), m.matched, m.exact});
  return out;
}

Result<core::ActorIdx> Engine::Impl::resolve_param(const ActorDirectory& dir, const std::string& text,
                                                   const char* param) const {
  const auto m = dir.lookup(text);
  if (m.empty())
    return core::invalid_parameter(param, std::string(param) + ": no actor with id or alias '" + text.substr(0, 100) + "'");
  return m.front().idx;
}

// ---- filters and queries --------------------------------------------------------------------

Result<graph::TripleFilter> Engine::make_filter(const FilterSpec& f) const {
  graph::TripleFilter out;
  const auto& cat = impl_->catalog;
  std::set<std::uint16_t> rel;
  for (const auto& r : f.relations) {
    auto idx = cat.find(r);
    if (!idx)
      return core::invalid_parameter("relation", "relation: unknown relation type '" + r.substr(0, 60) +
                                                     "'; use a CAMEO code (072) or slug (provide-military-aid)");
    rel.insert(core::value(*idx));
  }
  for (const auto& root : f.roots)
    if (!core::RelationCatalog::is_root(root))
      return core::invalid_parameter("root", "root: '" + root.substr(0, 20) + "' is not a CAMEO root (01 to 20)");
  for (int q : f.quad_classes)
    if (q < 1 || q > 4) return core::invalid_parameter("quad_class", "quad_class must be 1, 2, 3 or 4");
  if (!f.relations.empty() || !f.roots.empty() || !f.quad_classes.empty()) {
    for (std::size_t i = 0; i < cat.size(); ++i) {
      const auto& t = cat.all()[i];
      if (!f.relations.empty() && !rel.count(static_cast<std::uint16_t>(i))) continue;
      if (!f.roots.empty() && std::find(f.roots.begin(), f.roots.end(), t.root) == f.roots.end()) continue;
      if (!f.quad_classes.empty() &&
          std::find(f.quad_classes.begin(), f.quad_classes.end(), t.quad_class) == f.quad_classes.end())
        continue;
      out.relations.add(static_cast<core::RelationIdx>(i));
    }
    // Nothing can match: keep the mask restricted but empty.
    if (!out.relations.restricted()) out.relations.add(static_cast<core::RelationIdx>(cat.size() + 1));
  }
  if (!f.polarities.empty()) {
    out.polarities = 0;
    for (const auto& p : f.polarities) {
      auto pol = core::parse_polarity(p);
      if (!pol) return core::invalid_parameter("polarity", "polarity: " + pol.error().detail);
      out.polarities = static_cast<std::uint8_t>(out.polarities | (1u << static_cast<unsigned>(*pol)));
    }
  }
  if (f.since) out.dates.since = *f.since;
  if (f.until) out.dates.until = *f.until;
  if (f.since && f.until && *f.until < *f.since)
    return core::invalid_parameter("until", "until must not be before since");
  if (!(f.min_confidence >= 0.0 && f.min_confidence <= 1.0))
    return core::invalid_parameter("min_confidence", "min_confidence must be between 0 and 1");
  out.min_confidence = static_cast<float>(f.min_confidence);
  out.include_retracted = f.include_retracted;
  return out;
}

Result<TriplePage> Engine::list_triples(const TripleListQuery& q) const {
  const auto v = view();
  graph::TripleQuery gq;
  auto filter = make_filter(q.filter);
  if (!filter) return filter.error();
  gq.filter = std::move(*filter);
  for (auto [text, slot, param] : {std::tuple(&q.actor, &gq.actor, "actor"), std::tuple(&q.subject, &gq.subject, "subject"),
                                   std::tuple(&q.object, &gq.object, "object")}) {
    if (text->empty()) continue;
    auto idx = impl_->resolve_param(*v.actors, *text, param);
    if (!idx) return idx.error();
    *slot = *idx;
  }
  TriplePage page;
  page.items = v.graph.triples(gq, q.after, q.limit + 1);
  if (page.items.size() > q.limit) {
    page.items.pop_back();
    page.more = true;
  }
  return page;
}

Result<TripleDetail> Engine::triple(core::TripleId id, std::size_t evidence_limit) const {
  const auto v = view();
  auto t = v.graph.triple(id);
  if (!t) return core::not_found("no triple with id " + std::to_string(core::value(id)));
  TripleDetail d;
  d.triple = *t;
  auto ev = impl_->store->evidence_of(id, evidence_limit);
  if (!ev) return ev.error();
  d.evidence = std::move(*ev);
  if (t->retracted) {
    auto r = impl_->store->retraction_of(id);
    if (!r) return r.error();
    if (*r) d.retraction = RetractionInfo{(*r)->first, (*r)->second};
  }
  return d;
}

Result<RelationsPage> Engine::actor_relations(const RelationsQuery& q) const {
  const auto v = view();
  const auto m = v.actors->lookup(q.actor);
  if (m.empty()) return core::not_found("no actor with id or alias '" + q.actor.substr(0, 100) + "'");
  auto filter = make_filter(q.filter);
  if (!filter) return filter.error();
  RelationsPage page;
  page.actor = *v.actors->get(m.front().idx);
  auto all = v.graph.relations(m.front().idx, q.direction, *filter);
  if (q.offset < all.size()) {
    const auto end = std::min(all.size(), q.offset + q.limit);
    page.items.assign(all.begin() + static_cast<std::ptrdiff_t>(q.offset), all.begin() + static_cast<std::ptrdiff_t>(end));
    page.more = end < all.size();
  }
  return page;
}

Result<void> Engine::export_triples(
    const TripleListQuery& q, const std::function<void(const core::TripleRecord&, const core::EvidenceRecord&)>& fn) const {
  const auto v = view();
  graph::TripleQuery gq;
  auto filter = make_filter(q.filter);
  if (!filter) return filter.error();
  gq.filter = std::move(*filter);
  gq.filter.include_retracted = false;
  for (auto [text, slot, param] : {std::tuple(&q.actor, &gq.actor, "actor"), std::tuple(&q.subject, &gq.subject, "subject"),
                                   std::tuple(&q.object, &gq.object, "object")}) {
    if (text->empty()) continue;
    auto idx = impl_->resolve_param(*v.actors, *text, param);
    if (!idx) return idx.error();
    *slot = *idx;
  }
  // Which triples match, from the graph; then their evidence, streamed from SQLite in id order.
  std::vector<bool> wanted(v.graph.max_triple_id() + 1, false);
  for (const auto& t : v.graph.triples(gq, std::nullopt, SIZE_MAX))
    wanted[static_cast<std::size_t>(core::value(t.id))] = true;
  // Assertions that a bulk import stored without an evidence row (evidence_count counts them)
  // are written as bare lines after the triple's stored evidence, so that imports round-trip.
  std::size_t next = 1;
  std::uint32_t seen = 0;
  const auto finish_before = [&](std::size_t stop) {
    for (; next < stop && next < wanted.size(); ++next, seen = 0) {
      if (!wanted[next]) continue;
      const auto t = v.graph.triple(static_cast<core::TripleId>(next));
      if (!t) continue;
      core::EvidenceRecord bare;
      bare.triple = t->id;
      for (auto k = seen; k < t->evidence_count; ++k) fn(*t, bare);
    }
  };
  auto r = impl_->store->for_each_evidence([&](const core::EvidenceRecord& e) {
    const auto id = static_cast<std::size_t>(core::value(e.triple));
    finish_before(id);
    if (id >= wanted.size() || !wanted[id]) return;
    if (auto t = v.graph.triple(e.triple)) {
      fn(*t, e);
      ++seen;
    }
  });
  if (!r) return r;
  finish_before(wanted.size());
  return {};
}

// ---- writes ---------------------------------------------------------------------------------

namespace {

Result<core::Actor> check_actor(core::Actor a, const ActorDirectory& dir) {
  if (a.name.empty() || a.name.size() > max_name_bytes || has_control_chars(a.name))
    return core::unprocessable("name is required: 1 to 300 bytes without control characters");
  if (!a.country.empty()) {
    const auto c = dir.by_id(a.country);
    if (!c || dir.get(*c)->type != core::ActorType::country)
      return core::unprocessable("country '" + a.country.substr(0, 20) +
                                 "' is not a country actor; use an ISO 3166-1 alpha-3 code such as PRK");
  }
  if (a.type == core::ActorType::country) {
    if (a.id.size() != 3 || !std::all_of(a.id.begin(), a.id.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
      return core::unprocessable("a country actor's id must be its ISO 3166-1 alpha-3 code (three capital letters)");
    a.country = a.id;
  }
  std::vector<std::string> aliases;
  std::set<std::string> keys;
  for (auto& al : a.aliases) {
    const std::string t(core::trim(al));
    if (t.empty() || t.size() > max_name_bytes || has_control_chars(t))
      return core::unprocessable("aliases must be 1 to 300 bytes without control characters");
    if (core::normalize_alias(t).empty()) return core::unprocessable("alias '" + t + "' has no letters or digits");
    if (keys.insert(core::normalize_alias(t)).second) aliases.push_back(t);
  }
  a.aliases = std::move(aliases);
  return a;
}

}  // namespace

Result<InsertResult> Engine::add_triples(const std::vector<TripleSpec>& rows, bool create_actors) {
  return write_batch(rows, create_actors, {});
}

Result<InsertResult> Engine::import_batch(const std::vector<ActorSpec>& actors, const std::vector<TripleSpec>& rows) {
  return write_batch(rows, false, actors);
}

Result<InsertResult> Engine::write_batch(const std::vector<TripleSpec>& rows, bool create_actors,
                                         const std::vector<ActorSpec>& actor_specs) {
  std::lock_guard write_lock(impl_->write_mu);
  const auto dir = impl_->directory();
  const auto& cat = impl_->catalog;

  // Resolve and validate everything before touching the database.
  using Planned = PlannedTriple;
  struct Ref {
    int fresh = -1;  // index into new_actors, or
    core::ActorIdx idx{};
  };
  std::vector<Planned> plan(rows.size());
  std::vector<core::ErrorItem> errors;
  std::vector<core::Actor> new_actors;
  std::vector<std::pair<core::ActorIdx, core::Actor>> updated_actors;
  std::map<std::string, Ref> batch_names;  // ids and normalized names/aliases of the batch's actors
  std::set<std::string> taken_ids;

  const auto remember = [&](const core::Actor& a, Ref ref) {
    batch_names["id:" + a.id] = ref;
    for (const auto* text : {&a.name}) batch_names[core::normalize_alias(*text)] = ref;
    for (const auto& al : a.aliases) batch_names[core::normalize_alias(al)] = ref;
  };

  // Actors defined by the batch: created when new, brought to the given state when they exist.
  for (std::size_t k = 0; k < actor_specs.size(); ++k) {
    const ActorSpec& spec = actor_specs[k];
    const auto field = "actors[" + std::to_string(k) + "]";
    if (!valid_actor_id(spec.id)) {
      errors.push_back({-1, field, "actor id '" + spec.id.substr(0, 64) + "' must be 1 to 64 letters, digits, '-', '_' or '.'"});
      continue;
    }
    if (!taken_ids.insert(spec.id).second) {
      errors.push_back({-1, field, "actor id '" + spec.id + "' is defined twice"});
      continue;
    }
    auto type = core::parse_actor_type(spec.type.empty() ? "other" : spec.type);
    if (!type) {
      errors.push_back({-1, field, "actor " + spec.id + ": " + type.error().detail});
      continue;
    }
    core::Actor a{spec.id, spec.name, *type, spec.country, spec.aliases};
    auto checked = check_actor(std::move(a), *dir);
    if (!checked) {
      errors.push_back({-1, field, "actor " + spec.id + ": " + checked.error().detail});
      continue;
    }
    if (auto existing = dir->by_id(spec.id)) {
      const core::Actor& cur = *dir->get(*existing);
      if (cur.name != checked->name || cur.type != checked->type || cur.country != checked->country ||
          cur.aliases != checked->aliases)
        updated_actors.emplace_back(*existing, *checked);
      remember(*checked, Ref{-1, *existing});
    } else {
      remember(*checked, Ref{static_cast<int>(new_actors.size()), {}});
      new_actors.push_back(std::move(*checked));
    }
  }

  const auto resolve_actor = [&](const std::string& raw, std::int64_t i, const char* field, core::ActorIdx& idx,
                                 int& fresh) {
    const std::string text(core::trim(raw));
    if (text.empty()) {
      errors.push_back({i, field, std::string(field) + " is required"});
      return;
    }
    if (text.size() > max_name_bytes || has_control_chars(text)) {
      errors.push_back({i, field, std::string(field) + " must be at most 300 bytes without control characters"});
      return;
    }
    const auto key = core::normalize_alias(text);
    for (const auto& k : {"id:" + text, key}) {
      if (auto it = batch_names.find(k); it != batch_names.end()) {
        fresh = it->second.fresh;
        idx = it->second.idx;
        return;
      }
    }
    const auto m = dir->lookup(text);
    if (!m.empty()) {
      idx = m.front().idx;
      return;
    }
    if (!create_actors) {
      errors.push_back({i, field, "unknown actor '" + text + "'; create it with POST /v1/actors or send \"create_actors\": true"});
      return;
    }
    if (key.empty()) {
      errors.push_back({i, field, "'" + text + "' is not a usable actor name"});
      return;
    }
    std::string id = valid_actor_id(text) && !dir->by_id(text) && !taken_ids.count(text) ? text : slug_of(text);
    for (int n = 2; dir->by_id(id) || taken_ids.count(id); ++n) id = slug_of(text) + "-" + std::to_string(n);
    taken_ids.insert(id);
    core::Actor a;
    a.id = id;
    a.name = text;
    a.type = core::ActorType::other;
    fresh = static_cast<int>(new_actors.size());
    remember(a, Ref{fresh, {}});
    new_actors.push_back(std::move(a));
  };

  for (std::size_t k = 0; k < rows.size(); ++k) {
    const auto i = static_cast<std::int64_t>(k);
    const TripleSpec& r = rows[k];
    Planned& p = plan[k];
    resolve_actor(r.subject, i, "subject", p.input.subject, p.new_subject);
    if (r.object && !core::trim(*r.object).empty()) {
      core::ActorIdx o{};
      resolve_actor(*r.object, i, "object", o, p.new_object);
      p.input.object = o;
    }
    if (auto rel = cat.find(core::trim(r.relation))) {
      p.input.relation = *rel;
    } else {
      errors.push_back({i, "relation", r.relation.empty() ? std::string("relation is required")
                                                          : "unknown relation type '" + r.relation.substr(0, 60) +
                                                                "'; use a CAMEO code (072) or slug (provide-military-aid)"});
    }
    if (auto d = core::Date::parse(r.date)) {
      p.input.date = *d;
    } else {
      errors.push_back({i, "date", d.error().detail});
    }
    if (auto pol = core::parse_polarity(r.polarity)) {
      p.input.polarity = *pol;
    } else {
      errors.push_back({i, "polarity", pol.error().detail});
    }
    if (!(r.confidence >= 0.0 && r.confidence <= 1.0)) {
      errors.push_back({i, "confidence", "confidence must be between 0 and 1"});
    } else {
      p.input.confidence = static_cast<float>(r.confidence);
    }
    if (r.evidence_text.size() > max_evidence_bytes)
      errors.push_back({i, "evidence.text", "evidence text is longer than 20000 bytes"});
    for (const auto* s : {&r.source.url, &r.source.title, &r.source.publisher, &r.source.published_at})
      if (s->size() > max_source_field_bytes)
        errors.push_back({i, "source", "source fields must be at most 2000 bytes each"});
    if (r.evidence_start && r.evidence_end && *r.evidence_end < *r.evidence_start)
      errors.push_back({i, "evidence.end", "evidence end must not be before start"});
    p.input.evidence.text = r.evidence_text;
    p.input.evidence.start = r.evidence_start;
    p.input.evidence.end = r.evidence_end;
    p.input.evidence.source = r.source;
  }
  if (!errors.empty()) {
    std::set<std::int64_t> bad;
    for (const auto& e : errors) bad.insert(e.index);
    bad.erase(-1);
    Error e = core::unprocessable(std::to_string(bad.size()) + " of " + std::to_string(rows.size()) +
                                  " triples" + (actor_specs.empty() ? "" : " and some actors") +
                                  " are invalid; nothing was written");
    e.items = std::move(errors);
    return e;
  }

  CommitPlan commit_plan{std::move(new_actors), std::move(updated_actors), std::move(plan), {}};
  return impl_->commit(commit_plan, *dir);
}

Result<InsertResult> Engine::Impl::commit(CommitPlan& plan, const ActorDirectory& dir) {
  // One transaction: the plan's own first step, actor changes, then every triple.
  std::vector<core::ActorIdx> created;
  std::vector<storage::TripleWriteResult> results;
  auto committed = store->write<void>([&](storage::Writer& w) -> Result<void> {
    created.clear();
    results.clear();
    if (plan.first)
      if (auto r = plan.first(w, plan); !r) return r.error();
    for (const auto& [idx, a] : plan.updated_actors)
      if (auto r = w.update_actor(idx, a); !r) return r.error();
    for (const auto& a : plan.new_actors) {
      auto idx = w.insert_actor(a);
      if (!idx) return idx.error();
      created.push_back(*idx);
    }
    results.reserve(plan.triples.size());
    for (auto& p : plan.triples) {
      if (p.new_subject >= 0) p.input.subject = created[static_cast<std::size_t>(p.new_subject)];
      if (p.new_object >= 0) p.input.object = created[static_cast<std::size_t>(p.new_object)];
      auto res = w.put_triple(p.input);
      if (!res) return res.error();
      results.push_back(std::move(*res));
    }
    return {};
  });
  if (!committed) return committed.error();

  // Publish: actors and the graph together, as one new version.
  InsertResult out;
  graph::GraphUpdate update;
  std::shared_ptr<const ActorDirectory> new_dir;
  if (!created.empty() || !plan.updated_actors.empty()) {
    std::vector<std::pair<core::ActorIdx, core::Actor>> changes = plan.updated_actors;
    for (std::size_t k = 0; k < created.size(); ++k) {
      changes.emplace_back(created[k], plan.new_actors[k]);
      out.created_actors.push_back(plan.new_actors[k].id);
    }
    new_dir = dir.with(changes);
    for (const auto& [idx, a] : changes) update.actors.emplace_back(idx, info_of(a, *new_dir));
  }
  std::map<std::int64_t, core::TripleRecord> latest;
  for (const auto& r : results) {
    out.ids.push_back(r.record.id);
    if (r.outcome == storage::WriteOutcome::inserted) {
      ++out.inserted;
    } else {
      ++out.merged;
    }
    latest[core::value(r.record.id)] = r.record;
  }
  for (auto& [id, rec] : latest) update.triples.push_back(rec);
  publish(update, std::move(new_dir));
  evidence += static_cast<std::int64_t>(results.size());
  return out;
}

Result<ActorView> Engine::create_actor(const ActorSpec& spec) {
  std::lock_guard write_lock(impl_->write_mu);
  const auto dir = impl_->directory();
  if (!valid_actor_id(spec.id))
    return core::unprocessable("id must be 1 to 64 characters of letters, digits, '-', '_' or '.', starting with a letter or digit");
  if (dir->by_id(spec.id)) return core::conflict("an actor with id '" + spec.id + "' exists");
  auto type = core::parse_actor_type(spec.type.empty() ? "other" : spec.type);
  if (!type) return core::unprocessable(type.error().detail);
  core::Actor a;
  a.id = spec.id;
  a.name = spec.name;
  a.type = *type;
  a.country = spec.country;
  a.aliases = spec.aliases;
  auto checked = check_actor(std::move(a), *dir);
  if (!checked) return checked.error();
  auto idx = impl_->store->write<core::ActorIdx>([&](storage::Writer& w) { return w.insert_actor(*checked); });
  if (!idx) return idx.error();
  auto new_dir = dir->with({{*idx, *checked}});
  graph::GraphUpdate update;
  update.actors.emplace_back(*idx, info_of(*checked, *new_dir));
  impl_->publish(update, std::move(new_dir));
  return ActorView{*idx, std::move(*checked), {}};
}

Result<ActorView> Engine::patch_actor(std::string_view id_or_alias, const ActorPatch& patch) {
  std::lock_guard write_lock(impl_->write_mu);
  const auto dir = impl_->directory();
  const auto m = dir->lookup(id_or_alias);
  if (m.empty()) return core::not_found("no actor with id or alias '" + std::string(id_or_alias.substr(0, 100)) + "'");
  const auto idx = m.front().idx;
  core::Actor a = *dir->get(idx);
  if (patch.name) a.name = *patch.name;
  if (patch.type) {
    auto t = core::parse_actor_type(*patch.type);
    if (!t) return core::unprocessable(t.error().detail);
    a.type = *t;
  }
  if (patch.country) a.country = *patch.country;
  for (const auto& r : patch.remove_aliases) {
    const auto key = core::normalize_alias(r);
    const auto before = a.aliases.size();
    a.aliases.erase(std::remove_if(a.aliases.begin(), a.aliases.end(),
                                   [&](const std::string& x) { return core::normalize_alias(x) == key; }),
                    a.aliases.end());
    if (a.aliases.size() == before) return core::unprocessable("actor '" + a.id + "' has no alias '" + r + "' to remove");
  }
  for (const auto& al : patch.add_aliases) a.aliases.push_back(al);
  auto checked = check_actor(std::move(a), *dir);
  if (!checked) return checked.error();
  auto r = impl_->store->write<void>([&](storage::Writer& w) { return w.update_actor(idx, *checked); });
  if (!r) return r.error();
  auto new_dir = dir->with({{idx, *checked}});
  graph::GraphUpdate update;
  update.actors.emplace_back(idx, info_of(*checked, *new_dir));
  impl_->publish(update, std::move(new_dir));
  ActorView v{idx, std::move(*checked), {}};
  if (v.actor.id != id_or_alias) v.resolved_from = std::string(id_or_alias);
  return v;
}

Result<void> Engine::retract_triple(core::TripleId id, const std::string& reason) {
  std::lock_guard write_lock(impl_->write_mu);
  if (reason.size() > 2000 || has_control_chars(reason))
    return core::unprocessable("reason must be at most 2000 bytes without control characters");
  if (!impl_->view().graph.triple(id)) return core::not_found("no triple with id " + std::to_string(core::value(id)));
  auto rec = impl_->store->write<core::TripleRecord>(
      [&](storage::Writer& w) { return w.retract_triple(id, reason); });
  if (!rec) return rec.error();
  graph::GraphUpdate update;
  update.triples.push_back(*rec);
  impl_->publish(update, nullptr);
  return {};
}

}  // namespace geokg::engine
