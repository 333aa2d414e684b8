#pragma once

// Internal to engine/: the state behind the Engine facade, shared by the files that implement
// its use cases (engine.cpp, and one file per further group of use cases).

#include "core/relation_catalog.hpp"
#include "engine/actor_directory.hpp"
#include "engine/engine.hpp"
#include "extract/coder.hpp"
#include "graph/relation_graph.hpp"
#include "storage/store.hpp"

#include <atomic>
#include <functional>
#include <chrono>
#include <memory>
#include <mutex>

namespace geokg::engine {

using core::Result;

// A triple ready to write; its subject or object may be an actor the same write creates.
struct PlannedTriple {
  core::TripleInput input;
  int new_subject = -1;  // index into CommitPlan::new_actors
  int new_object = -1;
};

// Everything one write transaction does, validated beforehand.
struct CommitPlan {
  std::vector<core::Actor> new_actors;
  std::vector<std::pair<core::ActorIdx, core::Actor>> updated_actors;
  std::vector<PlannedTriple> triples;
  // Runs first inside the transaction (e.g. stores a document and points the evidence at it).
  std::function<Result<void>(storage::Writer&, CommitPlan&)> first;
};

// Shared validation helpers of the use cases.
bool valid_actor_id(std::string_view id);
bool has_control_chars(std::string_view s);
graph::ActorInfo info_of(const core::Actor& a, const ActorDirectory& dir);

struct Engine::Impl {
  Options options;
  std::unique_ptr<storage::Store> store;
  core::RelationCatalog catalog;
  std::unique_ptr<graph::RelationGraph> graph;
  mutable std::mutex view_mu;
  View current{graph::Snapshot(), std::make_shared<ActorDirectory>()};  // what readers see; under view_mu
  std::mutex write_mu;  // one writer at a time: SQLite commit order = graph apply order
  std::atomic<std::int64_t> evidence{0};
  std::atomic<std::int64_t> documents{0};
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::atomic<std::int64_t> extraction_us{0};

  // The event coder, loaded on first use (servers that never see a document never pay for it) and
  // replaced whole by reload_dictionaries(); a document being coded keeps the coder it started with.
  std::mutex coder_mu;
  std::shared_ptr<const extract::Coder> coder;  // under coder_mu; null until first use
  DictionaryStatus coder_status;                // under coder_mu
  Result<std::shared_ptr<const extract::Coder>> get_coder();
  // Reads the embedded dictionaries and options.actor_dictionaries anew; touches no member.
  Result<std::pair<std::shared_ptr<const extract::Coder>, DictionaryStatus>> load_coder() const;

  View view() const {
    std::lock_guard lock(view_mu);
    return current;
  }
  std::shared_ptr<const ActorDirectory> directory() const { return view().actors; }

  // Publishes a graph update and, when given, a new actor directory as one version. The graph
  // builds its next version first; readers wait only for the swap. Called under write_mu.
  void publish(const graph::GraphUpdate& update, std::shared_ptr<const ActorDirectory> new_actors) {
    install(graph->prepare(update), std::move(new_actors));
  }
  // The second half of publish(), for a writer that prepared the graph while it committed.
  void install(graph::RelationGraph::Prepared prepared, std::shared_ptr<const ActorDirectory> new_actors) {
    auto snapshot = graph->install(std::move(prepared));
    std::lock_guard lock(view_mu);
    current.graph = std::move(snapshot);
    if (new_actors) current.actors = std::move(new_actors);
  }

  // Commits the plan in one transaction and publishes it. Called under write_mu.
  Result<InsertResult> commit(CommitPlan& plan, const ActorDirectory& dir);

  Result<void> seed_reference();
  Result<void> load();
  Result<void> load_demo(Engine& engine);
  Result<core::ActorIdx> resolve_param(const ActorDirectory& dir, const std::string& text, const char* param) const;
};

}  // namespace geokg::engine
