#include "engine/import.hpp"

#include "core/hash.hpp"
#include "core/memory.hpp"
#include "core/text.hpp"
#include "engine/actor_directory.hpp"
#include "engine/engine_impl.hpp"
#include "engine/triple_spec.hpp"
#include "ingest/events.hpp"
#include "ingest/source.hpp"

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <map>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>

namespace geokg::engine {

namespace {

constexpr std::size_t max_text_bytes = 300;
constexpr std::uint64_t progress_every = 1 << 16;
constexpr std::size_t max_error_items = 100;
constexpr std::size_t batch_rows = 8192;
// The writer's page cache while rows go into a table that has rows: each looks its key up and is
// inserted somewhere in the key index (1M new rows into 10M: 8.7 s with 1 GiB, 13.6 s with 64 MiB).
// Only what is touched is allocated. Loading an empty table needs no more than the usual cache.
constexpr std::int64_t keyed_cache_kib = 1 << 20;
constexpr std::uint64_t sizing_rows = 1 << 16;  // rows read before the duplicate set is sized
constexpr std::size_t pending_rows = 4096;  // bare rows handed to the store at once  // rows handed from the parsing thread to the writer at once

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
// Open addressing (Boost 1.81's flat map): the per-row lookups of actors and relations stay in cache.
template <class V>
using StringMap = boost::unordered_flat_map<std::string, V, StringHash, std::equal_to<>>;

bool id_ok(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  const auto ok = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
  };
  return std::all_of(id.begin(), id.end(), ok) && id.front() != '-' && id.front() != '.' && id.front() != '_';
}

bool text_ok(std::string_view s) {
  return !s.empty() && s.size() <= max_text_bytes &&
         std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

// A number of 63 bits naming a dataset event inside the triple key (never 0: 0 is "merge").
std::int64_t instance_of(std::string_view dataset, std::string_view event_id) {
  std::uint64_t h = 14695981039346656037ull;
  const auto mix = [&h](std::string_view s) {
    for (const char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
  };
  mix(dataset);
  mix(":");
  mix(event_id);
  const auto v = static_cast<std::int64_t>(h & 0x7fffffffffffffffull);
  return v == 0 ? 1 : v;
}

// The CAMEO code a PLOVER type comes from: the root holding most codes of that type.
StringMap<core::RelationIdx> plover_roots(const core::RelationCatalog& cat) {
  std::map<std::string, std::map<std::string, int>> counts;
  for (const auto& t : cat.all())
    if (!t.plover.empty() && t.plover != "-") ++counts[t.plover][t.root];
  StringMap<core::RelationIdx> out;
  for (const auto& [type, roots] : counts) {
    std::string best;
    int n = -1;
    for (const auto& [root, k] : roots)
      if (k > n) best = root, n = k;
    if (auto idx = cat.find(best)) out.emplace(type, *idx);
  }
  return out;
}

// Splits a CSV line without quotes at commas.
void split_commas(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  for (;;) {
    const auto j = line.find(',', i);
    if (j == std::string_view::npos) {
      out.push_back(line.substr(i));
      return;
    }
    out.push_back(line.substr(i, j - i));
    i = j + 1;
  }
}

// Finds the rows of an import whose triple key an earlier row of the same import had, while the
// store cannot (its key index is deferred). Keys are compared in full; the set holds positions
// into the list of distinct keys, so a key is stored once (24 bytes) plus 4 bytes in the set.
// Not movable: the set's hash and equality read the key list through a pointer.
class DuplicateFinder {
 public:
  DuplicateFinder() : set_(0, Hash{&keys_}, Equal{&keys_}) {}
  DuplicateFinder(const DuplicateFinder&) = delete;
  DuplicateFinder& operator=(const DuplicateFinder&) = delete;

  void reserve(std::size_t n) {
    keys_.reserve(n);
    core::advise_huge_pages(keys_);
    set_.reserve(n);
  }
  // The position, among the distinct keys in order of arrival, of the first row with t's key;
  // nullopt when the key is new (it takes the next position).
  std::optional<std::uint32_t> see(const core::TripleInput& t) {
    const Key k = key_of(t);
    if (auto it = set_.find(k); it != set_.end()) return *it;
    keys_.push_back(k);
    set_.insert(static_cast<std::uint32_t>(keys_.size() - 1));
    return std::nullopt;
  }

 private:
  struct Key {
    std::uint64_t hi, lo;
    std::int64_t instance;
    bool operator==(const Key&) const = default;
  };
  static Key key_of(const core::TripleInput& t) {
    const auto day = static_cast<std::uint32_t>(t.date.days());
    return {(std::uint64_t{day} << 32) | core::value(t.subject),
            (std::uint64_t{core::value(t.relation)} << 48) | (std::uint64_t{t.object ? core::value(*t.object) : 0u} << 8) |
                static_cast<std::uint8_t>(t.polarity),
            t.instance};
  }
  struct Hash {
    using is_transparent = void;
    const std::vector<Key>* keys;
    std::size_t operator()(const Key& k) const noexcept {
      using core::mix64;
      return mix64(k.hi ^ mix64(k.lo ^ mix64(static_cast<std::uint64_t>(k.instance))));
    }
    std::size_t operator()(std::uint32_t p) const noexcept { return (*this)((*keys)[p]); }
  };
  struct Equal {
    using is_transparent = void;
    const std::vector<Key>* keys;
    bool operator()(std::uint32_t a, std::uint32_t b) const noexcept { return a == b; }
    bool operator()(const Key& k, std::uint32_t p) const noexcept { return k == (*keys)[p]; }
    bool operator()(std::uint32_t p, const Key& k) const noexcept { return k == (*keys)[p]; }
  };
  std::vector<Key> keys_;
  boost::unordered_flat_set<std::uint32_t, Hash, Equal, core::HugePageAllocator<std::uint32_t>> set_;
};

// What an import works on: the engine's store, catalog and actors, and how it publishes.
struct ImportTarget {
  storage::Store& store;
  const core::RelationCatalog& catalog;
  std::shared_ptr<const ActorDirectory> directory;
  // Builds the graph's next version, without publishing it (any thread; the import holds the writes).
  std::function<graph::RelationGraph::Prepared(const graph::GraphUpdate&)> prepare;
  // Publishes a prepared version with the new actor directory, if any.
  std::function<void(graph::RelationGraph::Prepared, std::shared_ptr<const ActorDirectory>)> install;
  std::atomic<std::int64_t>& evidence;
};

// Resolved rows from the parsing thread to the writing one, each with the position of the first
// row of its key when the parser found it a duplicate (no_first otherwise).
constexpr std::uint32_t no_first = UINT32_MAX;
struct Batch {
  std::vector<core::TripleInput> rows;
  std::vector<std::uint32_t> first;
};

// Batches in flight between the two threads; at most a few.
class BatchQueue {
 public:
  // False when the consumer has stopped (the batch is dropped).
  bool push(Batch&& b) {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return q_.size() < capacity || closed_; });
    if (closed_) return false;
    q_.push_back(std::move(b));
    data_.notify_one();
    return true;
  }
  bool pop(Batch& b) {
    std::unique_lock lock(mu_);
    data_.wait(lock, [&] { return !q_.empty() || done_; });
    if (q_.empty()) return false;
    b = std::move(q_.front());
    q_.pop_front();
    space_.notify_one();
    return true;
  }
  void finish() {
    std::lock_guard lock(mu_);
    done_ = true;
    data_.notify_all();
  }
  void close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    q_.clear();
    space_.notify_all();
  }
  // Emptied batches go back to the producer: their memory is reused, not mapped afresh.
  void recycle(Batch&& b) {
    b.rows.clear();
    b.first.clear();
    std::lock_guard lock(mu_);
    if (spare_.size() < capacity + 2) spare_.push_back(std::move(b));
  }
  Batch fresh(std::size_t reserve) {
    {
      std::lock_guard lock(mu_);
      if (!spare_.empty()) {
        auto b = std::move(spare_.back());
        spare_.pop_back();
        return b;
      }
    }
    Batch b;
    b.rows.reserve(reserve);
    b.first.reserve(reserve);
    return b;
  }

 private:
  static constexpr std::size_t capacity = 4;
  std::mutex mu_;
  std::condition_variable space_, data_;
  std::deque<Batch> q_;
  std::vector<Batch> spare_;
  bool done_ = false, closed_ = false;
};

class Importer {
 public:
  Importer(ImportTarget& target, const ImportOptions& options, const ImportHooks& hooks)
      : impl_(target), o_(options), hooks_(hooks), dir_(target.directory), cat_(target.catalog) {}

  Result<ImportSummary> run(ingest::Source& src) {
    const auto t0 = std::chrono::steady_clock::now();
    started_ = t0;
    if (auto r = plan_actors(); !r) return r.error();
    std::vector<core::TripleRecord> records;
    // Every reference is resolved here (actors from the directory or created in this
    // transaction, relations from the catalog): SQLite's foreign-key checks would only repeat it.
    std::chrono::steady_clock::time_point written;
    // The graph's next version is built on a second thread while SQLite builds the key index and
    // commits (at 10M rows: 6 s of graph beside 15 s of SQLite); it is published only once committed.
    graph::GraphUpdate update;
    std::shared_ptr<const ActorDirectory> new_dir;
    graph::RelationGraph::Prepared prepared;
    std::chrono::steady_clock::time_point graph_start, graph_end;
    std::exception_ptr graph_failed;
    std::jthread graph_builder;
    auto committed = impl_.store.write_unchecked([&](storage::Writer& w) -> Result<void> {
      w_ = &w;
      auto r = write_all(src, records);
      if (r && !(o_.strict && sum_.rejected > 0)) {
        make_update(records, update, new_dir);
        graph_builder = std::jthread([&] {
          graph_start = std::chrono::steady_clock::now();
          try {
            prepared = impl_.prepare(update);
          } catch (...) {
            graph_failed = std::current_exception();  // rethrown on the importing thread
          }
          graph_end = std::chrono::steady_clock::now();
        });
        r = w.rebuild_triple_index();
      }
      written = std::chrono::steady_clock::now();
      if (!r) return r.error();
      if (o_.strict && sum_.rejected > 0) {
        core::Error e = core::unprocessable(std::to_string(sum_.rejected) + " of " + std::to_string(sum_.rows) +
                                            " rows are invalid; nothing was written");
        e.items = std::move(items_);
        return e;
      }
      return {};
    });
    w_ = nullptr;
    const auto commit_end = std::chrono::steady_clock::now();
    if (graph_builder.joinable()) graph_builder.join();
    if (graph_failed) std::rethrow_exception(graph_failed);
    if (!committed) return committed.error();
    impl_.install(std::move(prepared), std::move(new_dir));
    sum_.actors_created = created_.size();
    impl_.evidence += static_cast<std::int64_t>(sum_.inserted + sum_.merged);
    const auto end = std::chrono::steady_clock::now();
    sum_.seconds = std::chrono::duration<double>(end - t0).count();
    const auto secs = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count(); };
    if (sum_.rows >= progress_every)
      spdlog::info("import phases: rows {:.1f} s, duplicates {:.1f} s, key index {:.1f} s, commit {:.1f} s; graph "
                   "built beside them in {:.1f} s, published {:.1f} s after the commit",
                   secs(t0, rows_end_), secs(rows_end_, tallied_end_), secs(tallied_end_, written), secs(written, commit_end),
                   secs(graph_start, graph_end),
                   secs(commit_end, end));
    progress(src, true);
    return sum_;
  }

 private:
  // ---- actors defined by the import (own formats) ----

  Result<void> plan_actors() {
    std::vector<core::ErrorItem> errors;
    std::set<std::string> seen;
    for (std::size_t k = 0; k < o_.actors.size(); ++k) {
      const ActorSpec& spec = o_.actors[k];
      const auto field = "actors[" + std::to_string(k) + "]";
      const auto bad = [&](const std::string& why) { errors.push_back({-1, field, "actor " + spec.id.substr(0, 64) + ": " + why}); };
      if (!id_ok(spec.id)) {
        bad("the id must be 1 to 64 letters, digits, '-', '_' or '.'");
        continue;
      }
      if (!seen.insert(spec.id).second) {
        bad("defined twice");
        continue;
      }
      auto type = core::parse_actor_type(spec.type.empty() ? "other" : spec.type);
      if (!type) {
        bad(type.error().detail);
        continue;
      }
      core::Actor a{spec.id, std::string(core::trim(spec.name)), *type, spec.country, {}};
      if (!text_ok(a.name)) {
        bad("name is required: 1 to 300 bytes without control characters");
        continue;
      }
      if (!a.country.empty()) {
        const auto c = dir_->by_id(a.country);
        if (!c || dir_->get(*c)->type != core::ActorType::country) {
          bad("country '" + a.country.substr(0, 20) + "' is not a country actor");
          continue;
        }
      }
      if (a.type == core::ActorType::country) {
        if (a.id.size() != 3 || !std::all_of(a.id.begin(), a.id.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
          bad("a country actor's id must be its ISO 3166-1 alpha-3 code");
          continue;
        }
        a.country = a.id;
      }
      std::set<std::string> keys;
      bool alias_ok = true;
      for (const auto& al : spec.aliases) {
        const std::string t(core::trim(al));
        if (!text_ok(t) || core::normalize_alias(t).empty()) {
          bad("alias '" + t.substr(0, 60) + "' must be 1 to 300 bytes with a letter or digit");
          alias_ok = false;
          break;
        }
        if (keys.insert(core::normalize_alias(t)).second) a.aliases.push_back(t);
      }
      if (!alias_ok) continue;
      if (auto existing = dir_->by_id(a.id)) {
        const core::Actor& cur = *dir_->get(*existing);
        if (cur.name != a.name || cur.type != a.type || cur.country != a.country || cur.aliases != a.aliases)
          updated_.emplace_back(*existing, a);
        defined_.emplace_back(std::move(a), existing);
      } else {
        defined_.emplace_back(std::move(a), std::nullopt);
      }
    }
    if (!errors.empty()) {
      core::Error e = core::unprocessable(std::to_string(errors.size()) + " actors are invalid; nothing was written");
      e.items = std::move(errors);
      return e;
    }
    return {};
  }

  Result<void> write_actors() {
    for (const auto& [idx, a] : updated_)
      if (auto r = w_->update_actor(idx, a); !r) return r.error();
    for (auto& [a, existing] : defined_) {
      core::ActorIdx idx{};
      if (existing) {
        idx = *existing;
      } else {
        auto r = w_->insert_actor(a);
        if (!r) return r.error();
        idx = *r;
        created_.emplace_back(idx, a);
      }
      by_text_.insert_or_assign(a.id, idx);
      names_.emplace(core::normalize_alias(a.name), idx);
      for (const auto& al : a.aliases) names_.emplace(core::normalize_alias(al), idx);
    }
    sum_.actors_updated = updated_.size();
    return {};
  }

  // ---- the rows ----

  Result<void> write_all(ingest::Source& src, std::vector<core::TripleRecord>& records) {
    records_ = &records;
    if (auto r = write_actors(); !r) return r;
    auto deferred = w_->defer_triple_index();
    if (!deferred) return deferred.error();
    if (*deferred) {
      finder_ = std::make_unique<DuplicateFinder>();
    } else if (auto r = w_->widen_cache(keyed_cache_kib); !r) {
      return r;
    }
    // Room for the records at once (a CSV row of a triple takes at least ~30 bytes): growing by
    // doubling copied and faulted in the whole vector again and again. Only what is used is touched.
    // Capped at 64M rows (2.5 GiB of address space); larger imports grow from there.
    if (const auto bytes = src.size(); bytes > 0 && src.position() == 0) {
      const auto rows = static_cast<std::size_t>(std::min<std::uint64_t>(bytes / 30 + 1024, std::uint64_t{1} << 26));
      try {
        records.reserve(rows);
        core::advise_huge_pages(records);
      } catch (const std::bad_alloc&) {
        // Not worth failing for: the vectors grow as needed.
      }
    }
    Result<void> r;
    switch (o_.format) {
      case ImportFormat::csv: r = read_csv(src); break;
      case ImportFormat::jsonl: r = read_jsonl(src); break;
      default: r = read_events(src); break;
    }
    if (!r) return r;
    if (auto f = flush(); !f) return f;
    rows_end_ = std::chrono::steady_clock::now();
    finder_.reset();
    tallied_end_ = rows_end_;
    if (o_.strict && any_rejected_.load()) return {};  // nothing will be kept
    auto tallied = write_tallies();
    tallied_end_ = std::chrono::steady_clock::now();
    return tallied;
  }

  void reject(std::int64_t line, std::string column, std::string reason) {
    ++sum_.rejected;
    any_rejected_.store(true, std::memory_order_relaxed);
    ImportRejection r{line, std::move(column), std::move(reason)};
    if (hooks_.reject) hooks_.reject(r);
    if (o_.strict && items_.size() < max_error_items) items_.push_back({line, r.column, r.reason});
  }

  // Called on the parsing thread after each row.
  void progress(const ingest::Source& src, bool force = false) {
    if (finder_ && sum_.rows == sizing_rows) size_finder(src);
    if (!hooks_.progress || (!force && sum_.rows % progress_every != 0)) return;
    hooks_.progress({sum_.rows, src.position(), src.size(),
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count()});
  }

  // Sizes the duplicate set for the whole file, from the bytes its first rows took: the set is
  // touched in full, so guessing high (30 bytes a row) made it twice too large, and every probe
  // slower (at 10M rows, 1.5 s of work instead of 0.9 s).
  void size_finder(const ingest::Source& src) {
    const auto size = src.size(), at = src.position();
    if (size == 0 || at == 0 || at >= size) return;
    const double rows = static_cast<double>(sum_.rows) * static_cast<double>(size) / static_cast<double>(at) * 1.05;
    try {
      finder_->reserve(static_cast<std::size_t>(std::min(rows, static_cast<double>(std::uint64_t{1} << 26))));
    } catch (const std::bad_alloc&) {
      // The set grows as needed.
    }
  }

  // Writes one resolved assertion (unless strict mode has already failed); rows without
  // evidence wait in `pending_` to be written a few hundred at a time.
  Result<void> put(core::TripleInput&& t) {
    std::optional<std::uint32_t> first;
    if (finder_) first = finder_->see(t);
    return put_seen(std::move(t), first);
  }

  // put() of a row whose duplicate check (while the key index is deferred) was made already: by
  // the parsing thread, in the order the rows are written.
  Result<void> put_seen(core::TripleInput&& t, std::optional<std::uint32_t> first) {
    if (o_.strict && any_rejected_.load(std::memory_order_relaxed)) return {};
    if (first) return fold_into(*first, std::move(t));
    if (t.evidence.empty()) {
      pending_.push_back(std::move(t));
      return pending_.size() >= pending_rows ? flush() : Result<void>();
    }
    if (auto f = flush(); !f) return f;
    auto r = w_->bulk_put_triple(t);
    if (!r) return r.error();
    count(*r);
    return {};
  }

  Result<void> flush() {
    if (pending_.empty()) return {};
    if (auto r = write_bare(pending_); !r) return r;
    pending_.clear();
    return {};
  }

  // New rows without evidence, in order, a few hundred per statement.
  Result<void> write_bare(std::span<const core::TripleInput> rows) {
    if (auto r = w_->bulk_put_triples(rows, results_); !r) return r;
    for (const auto& w : results_) count(w);
    return {};
  }

  void count(const storage::TripleWriteResult& r) {
    if (r.outcome == storage::WriteOutcome::inserted) {
      ++sum_.inserted;
    } else {
      ++sum_.merged;
    }
    records_->push_back(r.record);
  }

  // A row whose key the import's row number `first` (among distinct keys) had: one more assertion
  // of that triple. Its evidence row, if any, is written now; the triple's count and confidence
  // once, at the end (write_tallies).
  Result<void> fold_into(std::uint32_t first, core::TripleInput&& t) {
    if (first >= records_->size())
      if (auto f = flush(); !f) return f;  // the first row may still wait in pending_
    if (first >= records_->size()) return core::internal_error("import: a duplicate row precedes its first row");
    core::TripleRecord& rec = (*records_)[first];
    if (rec.subject != t.subject || rec.relation != t.relation || rec.object != t.object || rec.date != t.date ||
        rec.polarity != t.polarity)
      return core::internal_error("import: a duplicate row does not match its first row");
    if (!t.evidence.empty())
      if (auto r = w_->add_evidence(rec.id, t.evidence); !r) return r;
    ++rec.evidence_count;
    rec.confidence = std::max(rec.confidence, t.confidence);
    touched_.insert(first);
    ++sum_.merged;
    return {};
  }

  // The evidence counts and confidences that duplicate rows changed.
  Result<void> write_tallies() {
    std::vector<std::uint32_t> at(touched_.begin(), touched_.end());
    std::sort(at.begin(), at.end());  // in id order: neighbouring rows share pages
    for (const auto p : at) {
      const auto& rec = (*records_)[p];
      if (auto r = w_->set_triple_tally(rec.id, rec.evidence_count, rec.confidence); !r) return r;
    }
    touched_.clear();
    return {};
  }

  std::optional<core::RelationIdx> relation(std::string_view raw) {
    const auto text = core::trim(raw);
    if (auto it = relations_.find(text); it != relations_.end()) return it->second;
    auto found = cat_.find(text);
    if (found) relations_.emplace(std::string(text), *found);
    return found;
  }

  // An actor named in the project's format: an id or alias, or an actor the import defines.
  std::optional<core::ActorIdx> actor_by_text(std::string_view raw) {
    const auto text = core::trim(raw);
    if (auto it = by_text_.find(text); it != by_text_.end()) return it->second;
    std::optional<core::ActorIdx> found;
    const auto key = core::normalize_alias(text);
    if (auto it = names_.find(key); it != names_.end()) {
      found = it->second;
    } else if (text_ok(text)) {
      const auto m = dir_->lookup(text);
      if (!m.empty()) found = m.front().idx;
    }
    if (found) by_text_.emplace(std::string(text), *found);
    return found;
  }

  // Checks and writes one row of the project's format; false when rejected.
  struct OwnRow {
    std::string_view subject, relation, object, date, polarity, confidence;
    std::string_view url, title, publisher, published_at, evidence;
    std::optional<std::int64_t> start, end;
  };

  using Emit = std::function<Result<void>(core::TripleInput&&)>;

  Result<void> own_row(std::int64_t line, const OwnRow& r, const Emit& emit) {
    core::TripleInput t;
    std::size_t before = sum_.rejected;
    if (core::trim(r.subject).empty()) {
      reject(line, "subject", "subject is required");
    } else if (auto s = actor_by_text(r.subject)) {
      t.subject = *s;
    } else {
      reject(line, "subject", "unknown actor '" + std::string(core::trim(r.subject)).substr(0, 100) +
                                  "'; define it in the actors file (--actors)");
    }
    if (!core::trim(r.object).empty()) {
      if (auto ob = actor_by_text(r.object)) {
        t.object = *ob;
      } else {
        reject(line, "object", "unknown actor '" + std::string(core::trim(r.object)).substr(0, 100) +
                                   "'; define it in the actors file (--actors)");
      }
    }
    if (auto rel = relation(r.relation)) {
      t.relation = *rel;
    } else {
      reject(line, "relation", r.relation.empty() ? std::string("relation is required")
                                                  : "unknown relation type '" + std::string(r.relation.substr(0, 60)) +
                                                        "'; use a CAMEO code (072) or slug (provide-military-aid)");
    }
    if (auto d = core::Date::parse(r.date)) {
      t.date = *d;
    } else {
      reject(line, "date", d.error().detail);
    }
    if (!r.polarity.empty()) {
      if (auto p = core::parse_polarity(r.polarity)) {
        t.polarity = *p;
      } else {
        reject(line, "polarity", p.error().detail);
      }
    }
    if (!r.confidence.empty()) {
      double c = -1;
      const auto* b = r.confidence.data();
      const auto res = std::from_chars(b, b + r.confidence.size(), c);
      if (res.ec != std::errc() || res.ptr != b + r.confidence.size() || !(c >= 0.0 && c <= 1.0)) {
        reject(line, "confidence", "confidence must be a number between 0 and 1");
      } else {
        t.confidence = static_cast<float>(c);
      }
    }
    if (r.evidence.size() > 20000) reject(line, "evidence.text", "evidence text is longer than 20000 bytes");
    for (const auto* f : {&r.url, &r.title, &r.publisher, &r.published_at})
      if (f->size() > 2000) {
        reject(line, "source", "source fields must be at most 2000 bytes each");
        break;
      }
    if (r.start && r.end && *r.end < *r.start) reject(line, "evidence.end", "evidence end must not be before start");
    if (sum_.rejected != before) return {};
    t.evidence.text = r.evidence;
    t.evidence.start = r.start;
    t.evidence.end = r.end;
    t.evidence.source = {std::string(r.url), std::string(r.title), std::string(r.publisher), std::string(r.published_at)};
    return emit(std::move(t));
  }

  // Parsing and resolving run on a second thread, ahead of the writes on this one.
  Result<void> read_csv(ingest::Source& src) {
    BatchQueue queue;
    Result<void> parsed;
    std::thread producer([&] {
      auto batch = queue.fresh(batch_rows);
      try {
        parsed = parse_csv(src, [&](core::TripleInput&& t) -> Result<void> {
          const auto first = finder_ ? finder_->see(t) : std::nullopt;
          batch.first.push_back(first ? *first : no_first);
          batch.rows.push_back(std::move(t));
          if (batch.rows.size() == batch_rows) {
            if (!queue.push(std::move(batch))) return core::internal_error("the import stopped");
            batch = queue.fresh(batch_rows);
          }
          return {};
        });
        if (parsed && !batch.rows.empty()) queue.push(std::move(batch));
      } catch (const std::exception& e) {
        parsed = core::internal_error(std::string("import: ") + e.what());
      }
      queue.finish();
    });
    Result<void> written;
    Batch batch;
    while (written && queue.pop(batch)) {
      written = write_batch(batch);
      queue.recycle(std::move(batch));
      batch = {};
    }
    if (written) written = flush();
    queue.close();
    producer.join();
    if (!written) return written;
    return parsed;
  }

  // Writes a batch from the parsing thread. Runs of new rows without evidence go to the store
  // straight from the batch (moving each row into pending_ first cost more than the insert).
  Result<void> write_batch(Batch& b) {
    const std::size_t n = b.rows.size();
    for (std::size_t i = 0; i < n;) {
      if (o_.strict && any_rejected_.load(std::memory_order_relaxed)) return {};
      std::size_t j = i;
      while (j < n && b.first[j] == no_first && b.rows[j].evidence.empty()) ++j;
      if (j == i) {
        auto r = put_seen(std::move(b.rows[i]), b.first[i] == no_first ? std::nullopt : std::optional(b.first[i]));
        if (!r) return r;
        ++i;
        continue;
      }
      if (auto f = flush(); !f) return f;  // rows before these go first
      if (auto r = write_bare(std::span<const core::TripleInput>(b.rows).subspan(i, j - i)); !r) return r;
      i = j;
    }
    return {};
  }

  Result<void> parse_csv(ingest::Source& src, const Emit& emit) {
    std::string_view line;
    std::vector<std::string> owned;
    std::vector<std::string_view> f;
    std::optional<CsvLayout> layout;
    std::string pending;  // a quoted record spanning lines
    std::int64_t pending_line = 0;
    for (;;) {
      auto more = src.next_line(line);
      if (!more) return more.error();
      if (!*more) break;
      const auto n = src.line_number();
      std::int64_t at = n;
      if (!pending.empty() || line.find('"') != std::string_view::npos) {
        if (pending.empty()) pending_line = n;
        pending.append(line);
        pending.push_back('\n');
        std::size_t pos = 0;
        if (!read_csv_record(pending, pos, owned)) continue;  // the quote goes on on the next line
        if (pos < pending.size()) {
          reject(pending_line, "", "text after a closing quote");
          pending.clear();
          continue;
        }
        at = pending_line;
        f.assign(owned.begin(), owned.end());
      } else {
        split_commas(line, f);
      }
      if (!layout) {
        std::vector<std::string> header(f.begin(), f.end());
        for (auto& h : header) h = std::string(core::trim(h));
        pending.clear();
        auto l = parse_csv_header(header);
        if (!l) return core::unprocessable("line " + std::to_string(at) + ": " + l.error().detail);
        layout = *l;
        continue;
      }
      if (f.size() == 1 && core::trim(f[0]).empty()) {
        pending.clear();
        continue;
      }
      ++sum_.rows;
      if (f.size() != layout->columns) {
        reject(at, "", "expected " + std::to_string(layout->columns) + " fields, got " + std::to_string(f.size()));
      } else {
        const auto col = [&](int c) { return c >= 0 ? f[static_cast<std::size_t>(c)] : std::string_view(); };
        OwnRow r{col(layout->subject),    col(layout->relation),     col(layout->object),
                 col(layout->date),       col(layout->polarity),     core::trim(col(layout->confidence)),
                 col(layout->source_url), col(layout->source_title), col(layout->source_publisher),
                 col(layout->published_at), col(layout->evidence),   std::nullopt, std::nullopt};
        if (auto r2 = own_row(at, r, emit); !r2) return r2;
      }
      pending.clear();
      progress(src);
    }
    if (!pending.empty()) reject(pending_line, "", "unterminated quote");
    if (!layout) return core::unprocessable("the CSV file is empty: it needs a header naming subject, relation, object and date");
    return {};
  }

  Result<void> read_jsonl(ingest::Source& src) {
    std::string_view line;
    std::vector<core::ErrorItem> errs;
    for (;;) {
      auto more = src.next_line(line);
      if (!more) return more.error();
      if (!*more) break;
      if (core::trim(line).empty()) continue;
      const auto n = src.line_number();
      ++sum_.rows;
      auto j = nlohmann::ordered_json::parse(line, nullptr, false);
      if (j.is_discarded()) {
        reject(n, "", "not valid JSON");
        continue;
      }
      TripleSpec spec;
      errs.clear();
      if (!decode_triple_spec(j, n, spec, errs)) {
        for (auto& e : errs) reject(n, e.field, e.message);
        continue;
      }
      OwnRow r{spec.subject, spec.relation, spec.object ? std::string_view(*spec.object) : std::string_view(),
               spec.date, spec.polarity, {}, spec.source.url, spec.source.title, spec.source.publisher,
               spec.source.published_at, spec.evidence_text, spec.evidence_start, spec.evidence_end};
      const std::string conf = std::to_string(spec.confidence);
      if (spec.confidence != 1.0) r.confidence = conf;
      if (!(spec.confidence >= 0.0 && spec.confidence <= 1.0)) {
        reject(n, "confidence", "confidence must be between 0 and 1");
        continue;
      }
      if (auto r2 = own_row(n, r, [this](core::TripleInput&& t) { return put(std::move(t)); }); !r2) return r2;
      progress(src);
    }
    return {};
  }

  // ---- dataset events ----

  std::optional<core::ActorIdx> country_of(const std::string& text) {
    if (text.empty()) return std::nullopt;
    if (auto it = countries_.find(text); it != countries_.end()) return it->second;
    std::optional<core::ActorIdx> found;
    const auto is_country = [&](core::ActorIdx i) { return dir_->get(i)->type == core::ActorType::country; };
    if (auto id = dir_->by_id(text); id && is_country(*id)) {
      found = id;
    } else if (text_ok(text)) {
      for (const auto& m : dir_->lookup(text))
        if (is_country(m.idx)) {
          found = m.idx;
          break;
        }
    }
    countries_.emplace(text, found);
    return found;
  }

  Result<std::optional<core::ActorIdx>> event_actor(const ingest::EventActor& a) {
    const auto country = country_of(a.country);
    if (a.is_country && country) return std::optional<core::ActorIdx>(*country);
    std::string id = id_ok(a.id) ? a.id : ingest::slug(a.name);
    if (!id_ok(id)) return std::optional<core::ActorIdx>();
    if (auto it = by_text_.find(id); it != by_text_.end()) return std::optional<core::ActorIdx>(it->second);
    if (auto existing = dir_->by_id(id)) {
      by_text_.emplace(id, *existing);
      return std::optional<core::ActorIdx>(*existing);
    }
    core::Actor actor;
    actor.id = id;
    actor.name = text_ok(a.name) ? a.name : id;
    actor.type = a.type == core::ActorType::country ? core::ActorType::other : a.type;
    if (country) actor.country = dir_->get(*country)->id;
    auto idx = w_->insert_actor(actor);
    if (!idx) return idx.error();
    created_.emplace_back(*idx, actor);
    by_text_.emplace(id, *idx);
    return std::optional<core::ActorIdx>(*idx);
  }

  Result<void> read_events(ingest::Source& src) {
    const auto format = *ingest::parse_format(to_string(o_.format));
    const std::string dataset(to_string(o_.format));
    ingest::EventParser parser(format);
    ingest::JsonRecordSplitter splitter;
    const auto plover = plover_roots(cat_);
    std::vector<ingest::Event> events;
    ingest::Problem problem;
    std::string record;
    std::string_view line;
    bool header_done = !parser.wants_header();
    const char* code_column = format == ingest::Format::icews ? "CAMEO Code" : "EventCode";

    const auto handle = [&](std::string_view text, std::int64_t n) -> Result<void> {
      ++sum_.rows;
      if (!parser.parse(text, events, problem)) {
        reject(n, problem.column, problem.reason);
        return {};
      }
      for (const auto& e : events) {
        core::TripleInput t;
        if (!e.code.empty()) {
          auto rel = cat_.find(e.code);
          if (!rel) {
            reject(n, code_column, "'" + e.code + "' is not a known CAMEO event code");
            return {};
          }
          t.relation = *rel;
        } else if (auto it = plover.find(e.plover_type); it != plover.end()) {
          t.relation = it->second;
        } else {
          reject(n, "event_type", "'" + e.plover_type.substr(0, 40) + "' is not a PLOVER event type");
          return {};
        }
        if (o_.strict && sum_.rejected > 0) continue;
        auto seen = w_->has_event(dataset, e.event_id);
        if (!seen) return seen.error();
        if (*seen) {
          ++sum_.duplicates;
          continue;
        }
        auto s = event_actor(e.subject);
        if (!s) return s.error();
        if (!*s) {
          reject(n, "subject", "'" + e.subject.name.substr(0, 60) + "' gives no usable actor id");
          return {};
        }
        t.subject = **s;
        if (!e.object.empty()) {
          auto ob = event_actor(e.object);
          if (!ob) return ob.error();
          if (*ob && **ob != t.subject) t.object = **ob;
        }
        t.date = e.date;
        t.instance = o_.one_a_day ? 0 : instance_of(dataset, e.event_id);
        t.evidence.source.url = e.url.size() <= 2000 ? e.url : std::string();
        t.evidence.source.publisher = e.publisher.substr(0, 2000);
        t.evidence.dataset = dataset;
        t.evidence.event_id = e.event_id;
        t.evidence.attributes = e.attributes;
        if (auto r = put(std::move(t)); !r) return r;
      }
      return {};
    };

    for (;;) {
      auto more = src.next_line(line);
      if (!more) return more.error();
      if (!*more) break;
      const auto n = src.line_number();
      if (!header_done) {
        header_done = true;
        if (!parser.header(line, problem)) return core::unprocessable("line 1: " + problem.reason);
        continue;
      }
      if (format == ingest::Format::plover) {
        if (!splitter.feed(line, n)) {
          reject(n, "", "text outside a JSON object");
          continue;
        }
        std::int64_t at = 0;
        while (splitter.take(record, at))
          if (auto r = handle(record, at); !r) return r;
      } else {
        if (core::trim(line).empty()) continue;
        if (auto r = handle(line, n); !r) return r;
      }
      progress(src);
    }
    if (splitter.partial()) reject(src.line_number(), "", "the last JSON object is not closed");
    return {};
  }

  // ---- publish ----

  // The graph update of this import: the actors it created or changed, and the latest state of each
  // triple it wrote (records are moved into it).
  void make_update(std::vector<core::TripleRecord>& records, graph::GraphUpdate& update,
                   std::shared_ptr<const ActorDirectory>& new_dir) {
    if (!created_.empty() || !updated_.empty()) {
      std::vector<std::pair<core::ActorIdx, core::Actor>> changes = updated_;
      changes.insert(changes.end(), created_.begin(), created_.end());
      new_dir = dir_->with(changes);
      for (const auto& [idx, a] : changes) {
        graph::ActorInfo info;
        info.type = a.type;
        if (!a.country.empty())
          if (auto c = new_dir->by_id(a.country)) info.country = core::value(*c);
        update.actors.emplace_back(idx, info);
      }
    }
    // The latest state of each triple, in id order.
    const auto by_id = [](const auto& a, const auto& b) { return core::value(a.id) < core::value(b.id); };
    if (!std::is_sorted(records.begin(), records.end(), by_id))  // appended rows are; merges may not be
      std::stable_sort(records.begin(), records.end(), by_id);
    std::size_t k = 0;
    for (std::size_t i = 0; i < records.size(); ++i) {
      if (k > 0 && records[k - 1].id == records[i].id) {
        records[k - 1] = records[i];
      } else {
        records[k++] = records[i];
      }
    }
    records.resize(k);
    update.triples = std::move(records);
  }

  ImportTarget& impl_;
  const ImportOptions& o_;
  const ImportHooks& hooks_;
  std::shared_ptr<const ActorDirectory> dir_;
  const core::RelationCatalog& cat_;
  storage::Writer* w_ = nullptr;
  std::vector<core::TripleRecord>* records_ = nullptr;
  ImportSummary sum_;
  std::vector<core::ErrorItem> items_;
  std::chrono::steady_clock::time_point started_, rows_end_, tallied_end_;
  std::vector<std::pair<core::Actor, std::optional<core::ActorIdx>>> defined_;
  std::vector<std::pair<core::ActorIdx, core::Actor>> updated_;
  std::vector<std::pair<core::ActorIdx, core::Actor>> created_;
  StringMap<core::ActorIdx> by_text_;  // ids and texts already resolved
  StringMap<core::ActorIdx> names_;    // normalized names and aliases of the actors the import defines
  StringMap<std::optional<core::ActorIdx>> countries_;
  StringMap<core::RelationIdx> relations_;
  std::atomic<bool> any_rejected_{false};
  std::vector<core::TripleInput> pending_;
  std::vector<storage::TripleWriteResult> results_;
  std::unique_ptr<DuplicateFinder> finder_;      // while the triple key index is deferred
  boost::unordered_flat_set<std::uint32_t> touched_;  // records whose tally duplicates changed
};

}  // namespace

std::optional<ImportFormat> parse_import_format(std::string_view name) {
  if (name == "jsonl") return ImportFormat::jsonl;
  if (name == "csv") return ImportFormat::csv;
  if (name == "gdelt1") return ImportFormat::gdelt1;
  if (name == "gdelt2") return ImportFormat::gdelt2;
  if (name == "icews") return ImportFormat::icews;
  if (name == "plover") return ImportFormat::plover;
  return std::nullopt;
}

std::string_view to_string(ImportFormat f) noexcept {
  switch (f) {
    case ImportFormat::jsonl: return "jsonl";
    case ImportFormat::csv: return "csv";
    case ImportFormat::gdelt1: return "gdelt1";
    case ImportFormat::gdelt2: return "gdelt2";
    case ImportFormat::icews: return "icews";
    case ImportFormat::plover: return "plover";
  }
  return "?";
}

bool strict_by_default(ImportFormat f) noexcept { return f == ImportFormat::jsonl || f == ImportFormat::csv; }

Result<ImportSummary> Engine::import(ingest::Source& input, const ImportOptions& options, const ImportHooks& hooks) {
  std::lock_guard write_lock(impl_->write_mu);
  ImportTarget target{*impl_->store, impl_->catalog, impl_->directory(),
                      [this](const graph::GraphUpdate& u) { return impl_->graph->prepare(u); },
                      [this](graph::RelationGraph::Prepared p, std::shared_ptr<const ActorDirectory> d) {
                        impl_->install(std::move(p), std::move(d));
                      },
                      impl_->evidence};
  Importer importer(target, options, hooks);
  auto r = importer.run(input);
  if (r)
    spdlog::info("import ({}): {} rows, {} inserted, {} merged, {} already imported, {} rejected, {} actors created in {:.1f} s",
                 to_string(options.format), r->rows, r->inserted, r->merged, r->duplicates, r->rejected,
                 r->actors_created, r->seconds);
  return r;
}

Result<ImportSummary> import_bytes(Engine& engine, std::string bytes, const ImportOptions& options,
                                   const ImportHooks& hooks) {
  auto src = ingest::Source::from_memory(std::move(bytes));
  return engine.import(*src, options, hooks);
}

}  // namespace geokg::engine
