#include "core/relation_catalog.hpp"

#include "tests/test_support.hpp"

using namespace geokg::core;

namespace {
constexpr const char* kTable =
    "# code\tslug\tname\troot\tquad_class\tgoldstein\tplover\n"
    "07\tprovide-aid\tProvide aid\t07\t2\t7.0\tAID\n"
    "072\tprovide-military-aid\tProvide military aid\t07\t2\t8.3\tAID\n"
    "071\tprovide-economic-aid\tProvide economic aid\t07\t2\t7.4\tAID\n"
    "11\tdisapprove\tDisapprove\t11\t3\t-2.0\t-\n";
}

TEST_CASE("relation table parses, sorts by code and finds codes and slugs", "[core]") {
  auto types = parse_relation_types_tsv(kTable);
  REQUIRE(types);
  RelationCatalog cat(std::move(*types));
  REQUIRE(cat.size() == 4);
  CHECK(cat.all()[1].code == "071");
  auto r = cat.find("provide-military-aid");
  REQUIRE(r);
  CHECK(cat.at(*r).code == "072");
  CHECK(cat.at(*cat.find("072")).goldstein == Approx(8.3));
  CHECK(cat.at(*cat.find("11")).plover.empty());
  CHECK_FALSE(cat.find("72"));
  CHECK(cat.with_prefix("07").size() == 3);
  CHECK(RelationCatalog::is_root("20"));
  CHECK_FALSE(RelationCatalog::is_root("21"));
}

TEST_CASE("relation table rejects bad rows with the line number", "[core]") {
  auto dup = parse_relation_types_tsv("07\ta\tA\t07\t2\t1\t-\n071\ta\tB\t07\t2\t1\t-\n");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().detail.find("line 2") != std::string::npos);
  CHECK_FALSE(parse_relation_types_tsv("07\ta\tA\t08\t2\t1\t-\n"));
  CHECK_FALSE(parse_relation_types_tsv("07\ta\tA\t07\t5\t1\t-\n"));
  CHECK_FALSE(parse_relation_types_tsv("07\ta\tA\t07\t2\tx\t-\n"));
  CHECK_FALSE(parse_relation_types_tsv("07\ta\tA\t07\t2\n"));
}
