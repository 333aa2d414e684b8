#include "server/request_id.hpp"

#include "tests/test_support.hpp"

#include <string>

using geokg::server::generate_request_id;
using geokg::server::is_valid_request_id;

TEST_CASE("request ids of 1..64 safe characters are accepted", "[server]") {
  CHECK(is_valid_request_id("a"));
  CHECK(is_valid_request_id("abc-123.X_y"));
  CHECK(is_valid_request_id(std::string(64, 'z')));
  CHECK_FALSE(is_valid_request_id(""));
  CHECK_FALSE(is_valid_request_id(std::string(65, 'z')));
  CHECK_FALSE(is_valid_request_id("has space"));
  CHECK_FALSE(is_valid_request_id("semi;colon"));
  CHECK_FALSE(is_valid_request_id("line\r\nbreak"));
  CHECK_FALSE(is_valid_request_id("caf\xc3\xa9"));
}

TEST_CASE("generated request ids are 16 hex characters and differ", "[server]") {
  std::string first;
  std::string second;
  generate_request_id(first);
  generate_request_id(second);
  CHECK(first.size() == 16);
  CHECK(first.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(is_valid_request_id(first));
  CHECK(first != second);
}
