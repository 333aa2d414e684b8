#include "core/error.hpp"

#include "tests/test_support.hpp"

#include <set>
#include <string>

using namespace geokg::core;

TEST_CASE("every error code has a distinct snake_case name", "[core]") {
  std::set<std::string> names;
  for (ErrorCode c : all_error_codes) {
    const std::string n(to_string(c));
    CHECK(n.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos);
    names.insert(n);
  }
  CHECK(names.size() == std::size(all_error_codes));
}

TEST_CASE("value() on an error result throws the error", "[core]") {
  Result<int> r = not_found("no actor 'XYZ'");
  REQUIRE_FALSE(r);
  try {
    (void)r.value();
    FAIL("value() did not throw");
  } catch (const ErrorException& e) {
    CHECK(e.error().code == ErrorCode::not_found);
    CHECK(std::string(e.what()).find("XYZ") != std::string::npos);
  }
}
