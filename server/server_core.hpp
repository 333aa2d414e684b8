#pragma once

#include "server/http_server.hpp"

#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace geokg::server::detail {

class Session;

// Live sessions, so that stop() can reach them, and their counts for max_connections.
class SessionRegistry {
 public:
  using Entry = std::list<std::weak_ptr<Session>>::iterator;

  Entry add(const std::shared_ptr<Session>& session, bool rejecting);
  void remove(Entry entry, bool rejecting) noexcept;
  // Connections being served (rejected ones excluded) and connections being answered 503.
  std::size_t serving() const;
  std::size_t rejecting() const;
  std::vector<std::shared_ptr<Session>> snapshot() const;
  // True once no session is left; false when `deadline` passed first.
  bool wait_empty_until(std::chrono::steady_clock::time_point deadline);

 private:
  mutable std::mutex mutex_;
  std::condition_variable empty_;
  std::list<std::weak_ptr<Session>> sessions_;
  std::size_t serving_ = 0;
  std::size_t rejecting_ = 0;
};

// What every session shares: configuration, application callbacks, the worker pool, stop state.
struct ServerCore {
  ServerCore(Options options_in, Callbacks callbacks_in)
      : options(std::move(options_in)), callbacks(std::move(callbacks_in)) {}

  Options options;
  Callbacks callbacks;
  boost::asio::thread_pool* pool = nullptr;  // null when worker_threads == 0: offload runs inline
  std::atomic<bool> stopping{false};

  // An offloaded handler runs on the I/O thread that read its request while another I/O thread
  // stays free for the rest: the two hops to the pool and back cost more than a light query
  // (~20 us of a 68 us round trip measured here). `inline_limit` is io_threads - 1.
  unsigned inline_limit = 0;
  std::atomic<unsigned> inline_running{0};
  bool claim_inline() noexcept {
    auto running = inline_running.load(std::memory_order_relaxed);
    while (running < inline_limit)
      if (inline_running.compare_exchange_weak(running, running + 1, std::memory_order_acquire)) return true;
    return false;
  }
  void release_inline() noexcept { inline_running.fetch_sub(1, std::memory_order_release); }

  SessionRegistry registry;
};

}  // namespace geokg::server::detail
