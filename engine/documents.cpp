// Documents: article text in, evidence-backed triples out.
#include "engine/engine.hpp"

#include "core/text.hpp"
#include "engine/engine_impl.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

namespace geokg::engine {

namespace {

constexpr std::size_t max_document_bytes = 5u << 20;

// A date, or the date part of an RFC 3339 timestamp ("2023-11-09T08:30:00Z").
Result<core::Date> publication_day(std::string_view s) {
  if (s.empty()) return core::invalid_argument("published_at is required: the publication date (YYYY-MM-DD or RFC 3339)");
  if (s.size() > 10) {
    if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
      return core::invalid_argument("published_at must be YYYY-MM-DD or an RFC 3339 timestamp, got '" +
                                    std::string(s.substr(0, 40)) + "'");
    if (s.size() > 40) return core::invalid_argument("published_at is too long for a timestamp");
  }
  auto d = core::Date::parse(s.substr(0, 10));
  if (!d) return core::invalid_argument("published_at: " + d.error().detail);
  return *d;
}

}  // namespace

Result<std::pair<std::shared_ptr<const extract::Coder>, DictionaryStatus>> Engine::Impl::load_coder() const {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<extract::DictionarySource> user;
  for (const auto& path : options.actor_dictionaries) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return core::unprocessable("cannot read the actor dictionary " + path + ": " + std::strerror(errno));
    user.push_back({path, std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()),
                    extract::DictionaryFormat::autodetect});
  }
  auto dict = extract::Dictionaries::load(user);
  if (!dict) return core::unprocessable("extraction dictionaries: " + dict.error().detail);
  DictionaryStatus st;
  st.files = options.actor_dictionaries;
  st.actors = (*dict)->actor_count();
  st.phrases = (*dict)->phrase_count();
  st.patterns = (*dict)->pattern_count();
  st.relation_codes = (*dict)->coded_relation_count();
  st.load_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  st.loaded_at = core::utc_timestamp_now();
  return std::pair{std::make_shared<const extract::Coder>(std::move(*dict)), std::move(st)};
}

Result<std::shared_ptr<const extract::Coder>> Engine::Impl::get_coder() {
  std::lock_guard lock(coder_mu);  // held while the first load runs: concurrent first documents wait for it
  if (!coder) {
    auto loaded = load_coder();
    if (!loaded) {
      spdlog::error("{}", loaded.error().detail);
      return core::internal_error(loaded.error().detail);
    }
    std::tie(coder, coder_status) = std::move(*loaded);
    spdlog::info("extraction dictionaries loaded in {:.0f} ms ({} actors, {} patterns)", coder_status.load_ms,
                 coder_status.actors, coder_status.patterns);
  }
  return coder;
}

Result<DictionaryStatus> Engine::reload_dictionaries() {
  auto loaded = impl_->load_coder();  // outside the lock: documents go on with the old coder meanwhile
  if (!loaded) {
    spdlog::error("dictionary reload failed, the dictionaries in use stay: {}", loaded.error().detail);
    return loaded.error();
  }
  std::lock_guard lock(impl_->coder_mu);
  std::tie(impl_->coder, impl_->coder_status) = std::move(*loaded);
  spdlog::info("extraction dictionaries reloaded in {:.0f} ms ({} actors, {} patterns, {} user files)",
               impl_->coder_status.load_ms, impl_->coder_status.actors, impl_->coder_status.patterns,
               impl_->coder_status.files.size());
  return impl_->coder_status;
}

Result<DictionaryStatus> Engine::dictionaries() {
  if (auto c = impl_->get_coder(); !c) return c.error();
  std::lock_guard lock(impl_->coder_mu);
  return impl_->coder_status;
}

Result<DocumentResult> Engine::document(std::int64_t id) const {
  auto d = impl_->store->document(id);
  if (!d) return d.error();
  auto ev = impl_->store->evidence_of_document(id);
  if (!ev) return ev.error();
  const auto v = view();
  DocumentResult out;
  out.document = std::move(*d);
  for (auto& e : *ev) {
    auto t = v.graph.triple(e.triple);
    if (!t) continue;  // written by a transaction not yet published: cannot happen once committed
    out.triples.push_back({*t, std::move(e)});
  }
  return out;
}

Result<DocumentPage> Engine::list_documents(const DocumentListQuery& q) const {
  storage::DocumentQuery sq;
  sq.since = q.since;
  sq.until = q.until;
  sq.publisher = q.publisher;
  sq.before_id = q.before_id;
  sq.limit = q.limit + 1;
  auto rows = impl_->store->documents(sq);
  if (!rows) return rows.error();
  DocumentPage page;
  page.items = std::move(*rows);
  if (page.items.size() > q.limit) {
    page.items.pop_back();
    page.more = true;
  }
  return page;
}

Result<DocumentResult> Engine::add_document(const DocumentInput& in) {
  if (core::trim(in.text).empty()) return core::invalid_argument("text is required and must not be blank");
  if (in.text.size() > max_document_bytes) return core::make_error(core::ErrorCode::payload_too_large, "a document may hold at most 5 MiB of text");
  for (const auto* f : {&in.title, &in.url, &in.publisher})
    if (f->size() > 2000 || has_control_chars(*f))
      return core::invalid_argument("title, url and publisher must be at most 2000 bytes without control characters");
  auto day = publication_day(in.published_at);
  if (!day) return day.error();

  // The same url or text again: answer with what is stored.
  auto existing = impl_->store->find_document(in.url, in.text);
  if (!existing) return existing.error();
  if (*existing) return document(**existing);

  auto coder = impl_->get_coder();
  if (!coder) return coder.error();
  const auto t0 = std::chrono::steady_clock::now();
  auto events = (*coder)->code(in.text, *day);
  impl_->extraction_us += std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();

  std::lock_guard write_lock(impl_->write_mu);
  const auto dir = impl_->directory();
  CommitPlan plan;
  std::map<std::string, int> fresh_by_id;
  // Actors the extractor knows but the graph does not yet (extra people, sector agents) are created.
  const auto actor_ref = [&](const extract::MentionedActor& m, core::ActorIdx& idx, int& fresh) -> bool {
    if (auto found = dir->by_id(m.id)) {
      idx = *found;
      return true;
    }
    if (auto it = fresh_by_id.find(m.id); it != fresh_by_id.end()) {
      fresh = it->second;
      return true;
    }
    if (!valid_actor_id(m.id)) return false;
    core::Actor a;
    a.id = m.id;
    a.name = m.name.empty() ? m.id : m.name;
    a.type = m.type;
    if (!m.country.empty())
      if (auto c = dir->by_id(m.country); c && dir->get(*c)->type == core::ActorType::country) a.country = m.country;
    if (a.type == core::ActorType::country) a.type = core::ActorType::other;  // countries come from the reference data
    fresh = static_cast<int>(plan.new_actors.size());
    fresh_by_id.emplace(m.id, fresh);
    plan.new_actors.push_back(std::move(a));
    return true;
  };

  core::Source source{in.url, in.title, in.publisher, in.published_at};
  std::set<std::tuple<std::string, std::string, std::string, std::int32_t, int, std::int32_t>> seen;
  std::vector<std::size_t> event_of;  // planned triple -> event
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    const auto rel = impl_->catalog.find(e.relation_code);
    if (!rel) {
      spdlog::warn("extractor produced unknown relation code {}; skipped", e.relation_code);
      continue;
    }
    // The same event twice from one sentence is one assertion.
    if (!seen.emplace(e.subject.id, e.relation_code, e.object ? e.object->id : std::string(), e.date.days(),
                      static_cast<int>(e.polarity), e.sentence_index)
             .second)
      continue;
    PlannedTriple p;
    if (!actor_ref(e.subject, p.input.subject, p.new_subject)) continue;
    if (e.object) {
      core::ActorIdx o{};
      if (!actor_ref(*e.object, o, p.new_object)) continue;
      p.input.object = o;
    }
    p.input.relation = *rel;
    p.input.date = e.date;
    p.input.polarity = e.polarity;
    p.input.confidence = std::clamp(e.confidence, 0.0f, 1.0f);
    p.input.evidence.text = e.sentence;
    p.input.evidence.start = e.start;
    p.input.evidence.end = e.end;
    p.input.evidence.sentence_index = e.sentence_index;
    p.input.evidence.source = source;
    plan.triples.push_back(std::move(p));
    event_of.push_back(i);
  }

  core::DocumentRecord record;
  record.url = in.url;
  record.title = in.title;
  record.publisher = in.publisher;
  record.published_at = in.published_at;
  record.date = *day;
  record.text = in.text;
  record.length = static_cast<std::int64_t>(in.text.size());
  plan.first = [&record](storage::Writer& w, CommitPlan& p) -> Result<void> {
    auto id = w.insert_document(record);
    if (!id) return id.error();
    record.id = *id;
    for (auto& t : p.triples) t.input.evidence.document = *id;
    return {};
  };
  auto written = impl_->commit(plan, *dir);
  if (!written) {
    // Another request stored the same document in the meantime.
    if (written.error().code == core::ErrorCode::conflict) {
      if (auto again = impl_->store->find_document(in.url, in.text); again && *again) return document(**again);
    }
    return written.error();
  }
  impl_->documents += 1;

  DocumentResult out;
  out.created = true;
  out.created_actors = written->created_actors;
  const auto v = impl_->view();
  for (std::size_t k = 0; k < written->ids.size(); ++k) {
    auto t = v.graph.triple(written->ids[k]);
    if (!t) continue;
    const auto& p = plan.triples[k].input;
    core::EvidenceRecord ev;
    ev.triple = written->ids[k];
    ev.text = p.evidence.text;
    ev.start = p.evidence.start;
    ev.end = p.evidence.end;
    ev.document = record.id;
    ev.sentence_index = p.evidence.sentence_index;
    ev.source = source;
    out.triples.push_back({*t, std::move(ev)});
  }
  out.document = std::move(record);
  return out;
}

}  // namespace geokg::engine
