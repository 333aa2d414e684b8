#include "storage/database.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <climits>
#include <mutex>

namespace geokg::storage {

namespace {

// Error messages quote the start of the statement so a failure can be traced to its SQL.
std::string sql_excerpt(std::string_view sql) {
  constexpr std::size_t max = 60;
  std::string out;
  out.reserve(std::min(sql.size(), max) + 3);
  bool space = false;
  for (char c : sql) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

bool only_whitespace(std::string_view s) noexcept {
  for (char c : s)
    if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != ';') return false;
  return true;
}

}  // namespace

// ---- Statement ----

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), bind_error_(other.bind_error_), last_error_(other.last_error_) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = other.bind_error_;
    last_error_ = other.last_error_;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::note_bind(int rc) noexcept {
  if (rc != SQLITE_OK && bind_error_ == 0) bind_error_ = rc;
}

void Statement::bind_int64(int index, std::int64_t v) noexcept { note_bind(sqlite3_bind_int64(stmt_, index, v)); }

void Statement::bind(int index, double v) noexcept { note_bind(sqlite3_bind_double(stmt_, index, v)); }

void Statement::bind(int index, std::string_view v) noexcept {
  if (v.size() > static_cast<std::size_t>(INT_MAX)) {
    note_bind(SQLITE_TOOBIG);
    return;
  }
  // A non-null pointer even for "" so that an empty string is bound as '' and not NULL.
  note_bind(sqlite3_bind_text(stmt_, index, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
}

void Statement::bind(int index, std::nullptr_t) noexcept { note_bind(sqlite3_bind_null(stmt_, index)); }

core::Result<bool> Statement::step() {
  if (bind_error_ != 0) {
    last_error_ = bind_error_;
    return core::internal_error(std::string("bind failed: ") + sqlite3_errstr(bind_error_) + " [" +
                                sql_excerpt(sql()) + "]");
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    last_error_ = 0;
    return true;
  }
  if (rc == SQLITE_DONE) {
    last_error_ = 0;
    return false;
  }
  last_error_ = rc;
  return core::internal_error(std::string(sqlite3_errmsg(sqlite3_db_handle(stmt_))) + " [" + sql_excerpt(sql()) +
                              "]");
}

core::Result<void> Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return r.error();
    if (!*r) return {};
  }
}

void Statement::reset() noexcept {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = 0;
}

bool Statement::column_is_null(int index) const noexcept { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

std::int64_t Statement::column_int64(int index) const noexcept { return sqlite3_column_int64(stmt_, index); }

double Statement::column_double(int index) const noexcept { return sqlite3_column_double(stmt_, index); }

std::string_view Statement::column_text(int index) const noexcept {
  const unsigned char* p = sqlite3_column_text(stmt_, index);
  if (!p) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index))};
}

std::optional<std::int64_t> Statement::column_optional_int64(int index) const noexcept {
  if (column_is_null(index)) return std::nullopt;
  return column_int64(index);
}

bool Statement::failed_on_foreign_key() const noexcept { return last_error_ == SQLITE_CONSTRAINT_FOREIGNKEY; }

bool Statement::failed_on_unique() const noexcept {
  return last_error_ == SQLITE_CONSTRAINT_UNIQUE || last_error_ == SQLITE_CONSTRAINT_PRIMARYKEY;
}

std::string_view Statement::sql() const noexcept {
  const char* s = stmt_ ? sqlite3_sql(stmt_) : nullptr;
  return s ? std::string_view(s) : std::string_view();
}

// ---- Database ----

core::Result<std::unique_ptr<Database>> Database::open(const std::string& path, Mode mode) {
  if (sqlite3_threadsafe() == 0) return core::internal_error("open " + path + ": SQLite was built without threads");
  // No memory statistics: geokg reads none, and keeping them takes a global mutex on every
  // allocation. Only possible before SQLite initializes; refused (harmlessly) if something else
  // initialized it first.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  // NOMUTEX: each connection is used by one thread at a time; the store's locks guarantee it.
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= mode == Mode::read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string detail = "open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return core::internal_error(std::move(detail));
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<Database>(new Database(db, path));
}

Database::~Database() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

core::Result<void> Database::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return {};
  std::string detail = (message ? std::string(message) : std::string(sqlite3_errstr(rc))) + " [" +
                       sql_excerpt(sql) + "]";
  sqlite3_free(message);
  return core::internal_error(std::move(detail));
}

core::Result<Statement> Database::prepare(std::string_view sql) {
  if (sql.size() > static_cast<std::size_t>(INT_MAX)) return core::internal_error("prepare: statement too long");
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                    &tail);
  if (rc != SQLITE_OK) {
    return core::internal_error("prepare: " + std::string(sqlite3_errmsg(db_)) + " [" + sql_excerpt(sql) + "]");
  }
  Statement out(stmt);
  if (!stmt) return core::internal_error("prepare: empty statement");
  const std::string_view rest = tail ? sql.substr(static_cast<std::size_t>(tail - sql.data())) : std::string_view();
  if (!only_whitespace(rest)) {
    return core::internal_error("prepare: more than one statement [" + sql_excerpt(sql) + "]");
  }
  return out;
}

core::Result<StatementRef> Database::cached(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto st = prepare(sql);
    if (!st) return st.error();
    it = cache_.emplace(std::string(sql), std::make_unique<Statement>(std::move(*st))).first;
  }
  return StatementRef(*it->second);
}

std::int64_t Database::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }

std::int64_t Database::changes() const noexcept { return sqlite3_changes64(db_); }

bool Database::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

void Database::release_memory() noexcept { sqlite3_db_release_memory(db_); }

namespace {

void call_int_function(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  std::int64_t args[Database::max_function_arity] = {};
  const auto n = static_cast<std::size_t>(std::clamp(argc, 0, Database::max_function_arity));
  for (std::size_t i = 0; i < n; ++i) args[i] = sqlite3_value_int64(argv[i]);
  const auto fn = reinterpret_cast<Database::IntFunction>(sqlite3_user_data(ctx));
  sqlite3_result_int64(ctx, fn(std::span<const std::int64_t>(args, n)));
}

}  // namespace

core::Result<void> Database::define_int_function(const char* name, int arity, IntFunction fn) {
  if (arity < 0 || arity > max_function_arity || fn == nullptr)
    return core::internal_error(std::string("define_int_function ") + name + ": bad arity or function");
  const int rc = sqlite3_create_function_v2(db_, name, arity, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                            reinterpret_cast<void*>(fn), call_int_function, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(std::string("define function ") + name);
  return {};
}

void Database::set_busy_timeout(int ms) noexcept { sqlite3_busy_timeout(db_, ms); }

core::Error Database::error(std::string_view operation) const {
  return core::internal_error(std::string(operation) + ": " + sqlite3_errmsg(db_));
}

// ---- Transaction ----

core::Result<Transaction> Transaction::begin(Database& db, Kind kind) {
  // Prepared up front so that rollback() needs no allocation.
  if (auto r = db.cached("ROLLBACK"); !r) return r.error();
  if (auto r = db.cached("COMMIT"); !r) return r.error();
  auto st = db.cached(kind == Kind::immediate ? "BEGIN IMMEDIATE" : "BEGIN");
  if (!st) return st.error();
  if (auto r = (*st)->run(); !r) return core::internal_error("begin transaction: " + r.error().detail);
  return Transaction(db);
}

core::Result<void> Transaction::commit() {
  if (!db_) return core::internal_error("commit: no transaction");
  auto st = db_->cached("COMMIT");
  if (!st) return st.error();
  if (auto r = (*st)->run(); !r) return core::internal_error("commit: " + r.error().detail);
  db_ = nullptr;
  return {};
}

void Transaction::rollback() noexcept {
  Database* db = std::exchange(db_, nullptr);
  // SQLite may already have rolled back on its own (SQLITE_FULL, SQLITE_IOERR, ...).
  if (!db || !db->in_transaction()) return;
  try {
    if (auto st = db->cached("ROLLBACK")) (void)(*st)->run();
  } catch (...) {
    // Cannot happen (prepared in begin()); a destructor must not throw.
  }
}

}  // namespace geokg::storage
