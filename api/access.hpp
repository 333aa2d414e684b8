#pragma once

#include "api/router.hpp"
#include "engine/key_ring.hpp"

#include <memory>
#include <optional>
#include <string_view>

namespace geokg::api {

struct AccessOptions {
  bool require_read_key = false;  // reads need a key too (once one exists; loopback before)
};

// Who may call what. A route needs the role required_role() gives it. A request that sends
// `Authorization: Bearer <key>` is checked against the key ring whatever the route (a bad key is
// 401 even where none is needed). Without a key: reads pass unless require_read_key; writes
// pass only while no key exists and only from a loopback address.
// 401 (unauthorized) when a key is missing or unknown, 403 (forbidden) when the key's role is too
// low or when a non-loopback client writes before any key exists. Thread-safe; set_keys before use.
class AccessPolicy {
 public:
  explicit AccessPolicy(AccessOptions options = {}) : options_(options) {}
  void set_keys(std::shared_ptr<const engine::KeyRing> keys) { keys_ = std::move(keys); }
  const engine::KeyRing* keys() const noexcept { return keys_.get(); }
  const AccessOptions& options() const noexcept { return options_; }

  core::Result<std::optional<engine::Principal>> check(const Route& route, std::string_view authorization,
                                                       const RequestInfo& info) const;

 private:
  AccessOptions options_;
  std::shared_ptr<const engine::KeyRing> keys_;
};

// The key of an "Authorization: Bearer <key>" header value; nullopt when malformed.
std::optional<std::string_view> bearer_token(std::string_view authorization) noexcept;

}  // namespace geokg::api
