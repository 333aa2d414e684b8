#include "core/text.hpp"

#include "tests/test_support.hpp"

using namespace geokg::core;

TEST_CASE("alias normalization ignores case, periods, apostrophes and a leading article", "[core]") {
  CHECK(normalize_alias("U.S.") == "us");
  CHECK(normalize_alias("US") == "us");
  CHECK(normalize_alias("the U.S.") == "us");
  CHECK(normalize_alias("Democratic People\xE2\x80\x99s Republic of Korea") == "democratic peoples republic of korea");
  CHECK(normalize_alias("Democratic People's Republic of Korea") == "democratic peoples republic of korea");
  CHECK(normalize_alias("  Guinea-Bissau ") == "guinea bissau");
  CHECK(normalize_alias("The Kremlin") == "kremlin");
  CHECK(normalize_alias("Côte d'Ivoire") == "c\xC3\xB4te divoire");
}

TEST_CASE("splitting lines and fields keeps empty fields", "[core]") {
  auto lines = split_lines("a\r\nb\n\nc");
  REQUIRE(lines.size() == 4);
  CHECK(lines[2].empty());
  auto f = split("a\t\tc", '\t');
  REQUIRE(f.size() == 3);
  CHECK(f[1].empty());
  CHECK(trim("  x y \n") == "x y");
}

TEST_CASE("utf-8 validation rejects malformed sequences", "[core]") {
  CHECK(is_valid_utf8("plain"));
  CHECK(is_valid_utf8("caf\xC3\xA9 \xE2\x80\x99 \xF0\x9F\x98\x80"));
  CHECK_FALSE(is_valid_utf8("\xC3"));
  CHECK_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // beyond U+10FFFF
  CHECK_FALSE(is_valid_utf8("\xFF"));
  CHECK_FALSE(is_valid_utf8("a\xE2\x80"));
}
