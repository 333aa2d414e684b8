#include "storage/database.hpp"

#include "tests/storage/temp_db.hpp"
#include "tests/test_support.hpp"

#include <optional>
#include <string>

using namespace geokg;
using namespace geokg::storage;

namespace {

std::unique_ptr<Database> open_memory() {
  auto db = Database::open(":memory:", Database::Mode::read_write_create);
  REQUIRE(db);
  return std::move(*db);
}

std::int64_t count_rows(Database& db) {
  auto st = db.cached("SELECT count(*) FROM t");
  REQUIRE(st);
  auto row = (*st)->step();
  REQUIRE(row);
  REQUIRE(*row);
  return (*st)->column_int64(0);
}

}  // namespace

TEST_CASE("statements bind and read back integers, reals, text and NULL", "[storage]") {
  auto db = open_memory();
  REQUIRE(db->exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, n INTEGER)"));
  {
    auto st = db->cached("INSERT INTO t (i, r, s, n) VALUES (?1, ?2, ?3, ?4)");
    REQUIRE(st);
    const std::string text = "Pyongyang \xE2\x80\x99s envoy";
    (*st)->bind(1, std::int64_t{-9007199254740993});
    (*st)->bind(2, 0.25);
    (*st)->bind(3, std::string_view(text));
    (*st)->bind(4, std::optional<std::int64_t>());
    REQUIRE((*st)->run());
  }
  CHECK(db->changes() == 1);
  CHECK(db->last_insert_rowid() == 1);
  auto st = db->cached("SELECT i, r, s, n, s IS NULL FROM t");
  REQUIRE(st);
  auto row = (*st)->step();
  REQUIRE(row);
  REQUIRE(*row);
  CHECK((*st)->column_int64(0) == -9007199254740993);
  CHECK((*st)->column_double(1) == 0.25);
  CHECK((*st)->column_text(2) == "Pyongyang \xE2\x80\x99s envoy");
  CHECK((*st)->column_is_null(3));
  CHECK_FALSE((*st)->column_optional_int64(3).has_value());
  CHECK((*st)->column_optional_int64(0) == std::optional<std::int64_t>(-9007199254740993));
  CHECK((*st)->column_int64(4) == 0);
  auto done = (*st)->step();
  REQUIRE(done);
  CHECK_FALSE(*done);
}

TEST_CASE("an empty string is bound as '' and not as NULL", "[storage]") {
  auto db = open_memory();
  auto st = db->prepare("SELECT ?1 IS NULL, length(?1)");
  REQUIRE(st);
  st->bind(1, std::string_view());
  auto row = st->step();
  REQUIRE(row);
  REQUIRE(*row);
  CHECK(st->column_int64(0) == 0);
  CHECK(st->column_int64(1) == 0);
}

TEST_CASE("a cached statement is prepared once and reset when its loan ends", "[storage]") {
  auto db = open_memory();
  Statement* first = nullptr;
  {
    auto st = db->cached("SELECT ?1 + 1");
    REQUIRE(st);
    first = &**st;
    (*st)->bind(1, 41);
    auto row = (*st)->step();
    REQUIRE(row);
    REQUIRE(*row);
    CHECK((*st)->column_int64(0) == 42);
  }
  auto again = db->cached("SELECT ?1 + 1");
  REQUIRE(again);
  CHECK(&**again == first);
  // Reset cleared the binding: NULL + 1 is NULL.
  auto row = (*again)->step();
  REQUIRE(row);
  REQUIRE(*row);
  CHECK((*again)->column_is_null(0));
}

TEST_CASE("SQL errors are internal errors naming the cause", "[storage]") {
  auto db = open_memory();
  auto bad = db->prepare("SELEC 1");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == core::ErrorCode::internal);
  CHECK(bad.error().detail.find("syntax error") != std::string::npos);

  auto two = db->prepare("SELECT 1; SELECT 2");
  REQUIRE_FALSE(two);
  CHECK(two.error().detail.find("more than one statement") != std::string::npos);

  REQUIRE(db->exec("CREATE TABLE t (k TEXT UNIQUE, p INTEGER REFERENCES t (rowid))"));
  auto ins = db->cached("INSERT INTO t (k) VALUES (?1)");
  REQUIRE(ins);
  (*ins)->bind(1, std::string_view("x"));
  REQUIRE((*ins)->run());
  (*ins)->reset();
  (*ins)->bind(1, std::string_view("x"));
  auto dup = (*ins)->run();
  REQUIRE_FALSE(dup);
  CHECK(dup.error().code == core::ErrorCode::internal);
  CHECK(dup.error().detail.find("UNIQUE constraint failed") != std::string::npos);
  CHECK((*ins)->failed_on_unique());
  CHECK_FALSE((*ins)->failed_on_foreign_key());
}

TEST_CASE("a transaction rolls back unless committed", "[storage]") {
  auto db = open_memory();
  REQUIRE(db->exec("CREATE TABLE t (x INTEGER)"));
  {
    auto tx = Transaction::begin(*db, Transaction::Kind::immediate);
    REQUIRE(tx);
    CHECK(db->in_transaction());
    REQUIRE(db->exec("INSERT INTO t VALUES (1)"));
  }
  CHECK_FALSE(db->in_transaction());
  CHECK(count_rows(*db) == 0);
  {
    auto tx = Transaction::begin(*db, Transaction::Kind::deferred);
    REQUIRE(tx);
    REQUIRE(db->exec("INSERT INTO t VALUES (1)"));
    REQUIRE(tx->commit());
  }
  CHECK(count_rows(*db) == 1);
  {
    auto tx = Transaction::begin(*db, Transaction::Kind::immediate);
    REQUIRE(tx);
    REQUIRE(db->exec("INSERT INTO t VALUES (2)"));
    tx->rollback();
    CHECK_FALSE(db->in_transaction());
  }
  CHECK(count_rows(*db) == 1);
}

TEST_CASE("a read-only connection cannot write", "[storage]") {
  testing::TempDb file;
  {
    auto rw = Database::open(file.path(), Database::Mode::read_write_create);
    REQUIRE(rw);
    REQUIRE((*rw)->exec("CREATE TABLE t (x INTEGER)"));
  }
  auto ro = Database::open(file.path(), Database::Mode::read_only);
  REQUIRE(ro);
  auto r = (*ro)->exec("INSERT INTO t VALUES (1)");
  REQUIRE_FALSE(r);
  CHECK(r.error().detail.find("readonly") != std::string::npos);
}

TEST_CASE("opening a database in a missing directory fails with the path in the detail", "[storage]") {
  const std::string path = "/nonexistent-geokg-dir/x.db";
  auto db = Database::open(path, Database::Mode::read_write_create);
  REQUIRE_FALSE(db);
  CHECK(db.error().code == core::ErrorCode::internal);
  CHECK(db.error().detail.find(path) != std::string::npos);
}
