#include "tests/app/cli.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>

using namespace geokg;

using test::run;

TEST_CASE("geokg query answers analytics requests in process, streams included", "[app]") {
  test::TempPath db, triples(".jsonl");
  std::ofstream(triples.str()) << R"({"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13"}
{"subject":"RUS","relation":"19","object":"UKR","date":"2023-10-01"}
)";
  REQUIRE(run({"import", "--db", db.str(), triples.str()}).code == 0);

  auto paths = run({"query", "--db", db.str(), "/v1/paths?source=PRK&target=UKR"});
  INFO(paths.err);
  REQUIRE(paths.code == 0);
  auto body = nlohmann::json::parse(paths.out);
  REQUIRE(body["paths"].size() == 1);
  CHECK(body["paths"][0]["length"] == 2);

  auto csv = run({"query", "--db", db.str(), "/v1/export?format=csv"});
  REQUIRE(csv.code == 0);
  CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 3);

  auto bad = run({"query", "--db", db.str(), "/v1/paths?source=PRK&target=Atlantis"});
  CHECK(bad.code == 1);
  CHECK(bad.err.find("not_found") != std::string::npos);
  CHECK(run({"query", "--db", db.str()}).code == 2);
}
