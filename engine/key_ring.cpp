#include "engine/key_ring.hpp"

#include "core/sha256.hpp"
#include "storage/key_store.hpp"

#include <spdlog/spdlog.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace geokg::engine {

namespace {

using core::Result;
using Clock = std::chrono::steady_clock;

constexpr std::string_view key_prefix = "gk_";
constexpr std::size_t hint_length = 9;  // "gk_" + 6 characters

std::string base64url(const unsigned char* data, std::size_t size) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t buf = 0;
  int bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    buf = (buf << 8) | data[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(buf >> bits) & 63u]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buf << (6 - bits)) & 63u]);
  return out;
}

ApiKey to_key(const storage::ApiKeyRecord& r) {
  return ApiKey{r.id, r.name, r.role, r.hint, r.created_at, r.revoked_at};
}

struct ActiveKey {
  core::Sha256Digest digest;
  Principal principal;
};

core::Sha256Digest digest_from_hex(std::string_view hex) {
  core::Sha256Digest d{};
  const auto nibble = [](char c) -> std::uint8_t {
    if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0');
    if (c >= 'a' && c <= 'f') return static_cast<std::uint8_t>(c - 'a' + 10);
    return 0;
  };
  for (std::size_t i = 0; i < d.size() && 2 * i + 1 < hex.size(); ++i)
    d[i] = static_cast<std::uint8_t>((nibble(hex[2 * i]) << 4) | nibble(hex[2 * i + 1]));
  return d;
}

}  // namespace

Result<std::string> generate_key_secret() {
  unsigned char random[32];
  std::size_t got = 0;
  while (got < sizeof random) {
    const auto n = getrandom(random + got, sizeof random - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return core::internal_error(std::string("getrandom: ") + std::strerror(errno));
    }
    got += static_cast<std::size_t>(n);
  }
  return std::string(key_prefix) + base64url(random, sizeof random);
}

struct KeyRing::Impl {
  std::unique_ptr<storage::KeyStore> store;
  std::chrono::milliseconds refresh{1000};
  mutable std::mutex mutex;
  mutable std::vector<ActiveKey> active;  // under mutex
  mutable Clock::time_point loaded{};     // under mutex

  Result<void> reload() const {
    auto keys = store->list(false);
    if (!keys) return keys.error();
    std::vector<ActiveKey> fresh;
    fresh.reserve(keys->size());
    for (const auto& k : *keys) fresh.push_back({digest_from_hex(k.hash), Principal{k.id, k.role}});
    active = std::move(fresh);
    loaded = Clock::now();
    return {};
  }

  // Re-reads the table when the copy is older than `refresh`; on failure the old copy stays.
  void refresh_if_stale() const {
    if (Clock::now() - loaded < refresh) return;
    if (auto r = reload(); !r) {
      loaded = Clock::now();  // retried after another interval, not on every request
      spdlog::warn("api keys: cannot re-read the key table, keeping the last copy: {}", r.error().detail);
    }
  }
};

KeyRing::KeyRing(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KeyRing::~KeyRing() = default;

Result<std::shared_ptr<KeyRing>> KeyRing::open(const std::string& db_path, std::chrono::milliseconds refresh) {
  auto store = storage::KeyStore::open(db_path);
  if (!store) return store.error();
  auto impl = std::make_unique<Impl>();
  impl->store = std::move(*store);
  impl->refresh = refresh;
  {
    std::lock_guard lock(impl->mutex);
    if (auto r = impl->reload(); !r) return r.error();
  }
  return std::shared_ptr<KeyRing>(new KeyRing(std::move(impl)));
}

Result<NewApiKey> KeyRing::create(core::Role role, std::string_view name) {
  auto secret = generate_key_secret();
  if (!secret) return secret.error();
  auto stored = impl_->store->insert(name, role, core::sha256_hex(*secret), secret->substr(0, hint_length));
  if (!stored) return stored.error();
  std::lock_guard lock(impl_->mutex);
  if (auto r = impl_->reload(); !r) return r.error();
  return NewApiKey{std::move(*secret), to_key(*stored)};
}

Result<ApiKey> KeyRing::revoke(std::int64_t id) {
  auto r = impl_->store->revoke(id);
  if (!r) return r.error();
  std::lock_guard lock(impl_->mutex);
  if (auto reloaded = impl_->reload(); !reloaded) return reloaded.error();
  return to_key(*r);
}

Result<std::vector<ApiKey>> KeyRing::list(bool include_revoked) const {
  auto records = impl_->store->list(include_revoked);
  if (!records) return records.error();
  std::vector<ApiKey> out;
  out.reserve(records->size());
  for (const auto& r : *records) out.push_back(to_key(r));
  return out;
}

std::optional<Principal> KeyRing::authenticate(std::string_view secret) const {
  const auto digest = core::sha256(secret);
  const std::string_view presented(reinterpret_cast<const char*>(digest.data()), digest.size());
  std::lock_guard lock(impl_->mutex);
  impl_->refresh_if_stale();
  std::optional<Principal> found;
  // Every active key is compared, whether or not one already matched.
  for (const auto& k : impl_->active) {
    const std::string_view stored(reinterpret_cast<const char*>(k.digest.data()), k.digest.size());
    if (core::constant_time_equal(presented, stored)) found = k.principal;
  }
  return found;
}

bool KeyRing::any_active() const {
  std::lock_guard lock(impl_->mutex);
  impl_->refresh_if_stale();
  return !impl_->active.empty();
}

}  // namespace geokg::engine
