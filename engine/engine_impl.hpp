#pragma once

// Internal to engine/: the state behind the Engine facade, shared by the files that implement
// its use cases (engine.cpp, and one file per further group of use cases).

#include "core/relation_catalog.hpp"
#include "engine/actor_directory.hpp"
#include "engine/engine.hpp"
#include "graph/relation_graph.hpp"
#include "storage/store.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

namespace geokg::engine {

using core::Result;

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

  View view() const {
    std::lock_guard lock(view_mu);
    return current;
  }
  std::shared_ptr<const ActorDirectory> directory() const { return view().actors; }

  // Publishes a graph update and, when given, a new actor directory as one version. The graph
  // builds its next version first; readers wait only for the swap. Called under write_mu.
  void publish(const graph::GraphUpdate& update, std::shared_ptr<const ActorDirectory> new_actors) {
    auto snapshot = graph->apply(update);
    std::lock_guard lock(view_mu);
    current.graph = std::move(snapshot);
    if (new_actors) current.actors = std::move(new_actors);
  }

  Result<void> seed_reference();
  Result<void> load();
  Result<void> load_demo(Engine& engine);
  Result<core::ActorIdx> resolve_param(const ActorDirectory& dir, const std::string& text, const char* param) const;
};

}  // namespace geokg::engine
