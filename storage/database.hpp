#pragma once

#include "core/error.hpp"

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

struct sqlite3;
struct sqlite3_stmt;

namespace geokg::storage {

class Database;

// A prepared statement. Text bound with bind() is not copied: it must stay alive until the
// statement is reset (binding a temporary std::string does not compile). A failed bind is
// reported by the next step().
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void bind(int index, std::integral auto v) noexcept { bind_int64(index, static_cast<std::int64_t>(v)); }
  void bind(int index, double v) noexcept;
  void bind(int index, std::string_view v) noexcept;
  void bind(int index, std::string&&) = delete;
  void bind(int index, std::nullptr_t) noexcept;
  template <class T>
  void bind(int index, const std::optional<T>& v) noexcept {
    if (v) {
      bind(index, *v);
    } else {
      bind(index, nullptr);
    }
  }

  // True when a row is ready, false when the statement is done.
  core::Result<bool> step();
  // Steps to the end, for statements that return no rows.
  core::Result<void> run();
  // Back to the start, bindings cleared; a read statement releases its snapshot.
  void reset() noexcept;

  bool column_is_null(int index) const noexcept;
  std::int64_t column_int64(int index) const noexcept;
  double column_double(int index) const noexcept;
  // Valid until the next step() or reset().
  std::string_view column_text(int index) const noexcept;
  std::optional<std::int64_t> column_optional_int64(int index) const noexcept;

  // The extended result code of the last failed step(), 0 when it succeeded.
  int last_error() const noexcept { return last_error_; }
  bool failed_on_foreign_key() const noexcept;
  bool failed_on_unique() const noexcept;
  std::string_view sql() const noexcept;

 private:
  friend class Database;
  explicit Statement(sqlite3_stmt* stmt) noexcept : stmt_(stmt) {}
  void bind_int64(int index, std::int64_t v) noexcept;
  void note_bind(int rc) noexcept;

  sqlite3_stmt* stmt_ = nullptr;
  int bind_error_ = 0;
  int last_error_ = 0;
};

// A cached statement on loan: reset (and its bindings cleared) when the loan ends.
class StatementRef {
 public:
  explicit StatementRef(Statement& s) noexcept : s_(&s) {}
  StatementRef(StatementRef&& other) noexcept : s_(std::exchange(other.s_, nullptr)) {}
  StatementRef& operator=(StatementRef&&) = delete;
  StatementRef(const StatementRef&) = delete;
  StatementRef& operator=(const StatementRef&) = delete;
  ~StatementRef() {
    if (s_) s_->reset();
  }
  Statement& operator*() const noexcept { return *s_; }
  Statement* operator->() const noexcept { return s_; }

 private:
  Statement* s_;
};

// One SQLite connection and its statement cache. Not thread-safe: one thread at a time.
class Database {
 public:
  enum class Mode : std::uint8_t { read_write_create, read_only };

  static core::Result<std::unique_ptr<Database>> open(const std::string& path, Mode mode);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // For schema and pragmas only: SQL text without values.
  core::Result<void> exec(std::string_view sql);
  core::Result<Statement> prepare(std::string_view sql);
  // Prepared once per connection, then reused.
  core::Result<StatementRef> cached(std::string_view sql);

  std::int64_t last_insert_rowid() const noexcept;
  std::int64_t changes() const noexcept;
  bool in_transaction() const noexcept;
  void set_busy_timeout(int ms) noexcept;
  // Frees the page cache memory this connection can give back (pages not written yet stay).
  void release_memory() noexcept;
  const std::string& path() const noexcept { return path_; }
  // Defines (or replaces) a deterministic SQL function of `arity` integer arguments, NULL read
  // as 0, with an integer result; for schema expressions that SQL cannot say efficiently.
  using IntFunction = std::int64_t (*)(std::span<const std::int64_t>) noexcept;
  static constexpr int max_function_arity = 8;
  core::Result<void> define_int_function(const char* name, int arity, IntFunction fn);

  // internal, detail "<operation>: <sqlite3_errmsg>".
  core::Error error(std::string_view operation) const;

 private:
  Database(sqlite3* db, std::string path) noexcept : db_(db), path_(std::move(path)) {}

  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> cache_;
};

// BEGIN ... COMMIT; rolled back on destruction unless committed.
class Transaction {
 public:
  enum class Kind : std::uint8_t { deferred, immediate };

  static core::Result<Transaction> begin(Database& db, Kind kind);
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() { rollback(); }

  core::Result<void> commit();
  void rollback() noexcept;

 private:
  explicit Transaction(Database& db) noexcept : db_(&db) {}
  Database* db_;
};

// Runs f; an exception thrown by our own code or by a caller's callback becomes an internal error
// naming the operation, never an escape.
template <class F>
auto guarded(std::string_view operation, F&& f) noexcept -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return core::internal_error(std::string(operation) + ": " + e.what());
  } catch (...) {
    return core::internal_error(std::string(operation) + ": unknown exception");
  }
}

}  // namespace geokg::storage
