#include "server/server_core.hpp"

namespace geokg::server::detail {

SessionRegistry::Entry SessionRegistry::add(const std::shared_ptr<Session>& session, bool rejecting) {
  std::lock_guard lock(mutex_);
  ++(rejecting ? rejecting_ : serving_);
  return sessions_.emplace(sessions_.end(), session);
}

void SessionRegistry::remove(Entry entry, bool rejecting) noexcept {
  std::lock_guard lock(mutex_);
  sessions_.erase(entry);
  --(rejecting ? rejecting_ : serving_);
  if (sessions_.empty()) empty_.notify_all();
}

std::size_t SessionRegistry::serving() const {
  std::lock_guard lock(mutex_);
  return serving_;
}

std::size_t SessionRegistry::rejecting() const {
  std::lock_guard lock(mutex_);
  return rejecting_;
}

std::vector<std::shared_ptr<Session>> SessionRegistry::snapshot() const {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard lock(mutex_);
  live.reserve(sessions_.size());
  for (const auto& weak : sessions_) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  return live;
}

bool SessionRegistry::wait_empty_until(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return empty_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
}

}  // namespace geokg::server::detail
