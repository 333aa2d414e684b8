#include "tests/app/cli.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

using namespace geokg;

using test::run;

namespace {

void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

const char* kTriples =
    R"({"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13","confidence":0.9,"source":{"url":"https://example.org/a","title":"Shells","publisher":"Wire"},"evidence":{"text":"North Korea shipped shells.","start":10,"end":37}}
{"subject":"DPRK","relation":"provide-military-aid","object":"Russia","date":"2023-09-13","evidence":{"text":"Pyongyang sent munitions, \"lots\", to Moscow."}}
{"subject":"Ewha","relation":"010","object":null,"date":"2023-11-09","polarity":"asserted"}
{"subject":"USA","relation":"111","object":"PRK","date":"2023-11-09","polarity":"negated","confidence":0.65}
)";
const char* kActors = "id,name,type,country,aliases\newha-university,Ewha Womans University,organization,KOR,\"Ewha|Ewha, Seoul\"\n";

}  // namespace

TEST_CASE("export then import into a fresh database round-trips exactly, in JSONL and CSV", "[app]") {
  test::TempPath db1, db2, db3, triples(".jsonl"), actors(".csv"), out_actors(".csv"), csv_out(".csv");
  write_file(triples.str(), kTriples);
  write_file(actors.str(), kActors);
  auto imp = run({"import", "--db", db1.str(), "--actors", actors.str(), triples.str()});
  INFO(imp.err);
  REQUIRE(imp.code == 0);
  CHECK(imp.out.find("3 triples inserted, 1 merged") != std::string::npos);

  auto exp1 = run({"export", "--db", db1.str(), "--actors", out_actors.str()});
  REQUIRE(exp1.code == 0);
  CHECK(std::count(exp1.out.begin(), exp1.out.end(), '\n') == 4);  // one line per evidence record
  CHECK(exp1.out.find("\"start\":10") != std::string::npos);

  auto imp2 = run({"import", "--db", db2.str(), "--format", "jsonl", "--actors", out_actors.str(), "-"}, exp1.out);
  INFO(imp2.err);
  REQUIRE(imp2.code == 0);
  auto exp2 = run({"export", "--db", db2.str()});
  CHECK(exp2.out == exp1.out);

  auto csv1 = run({"export", "--db", db1.str(), "--format", "csv"});
  REQUIRE(csv1.code == 0);
  write_file(csv_out.str(), csv1.out);
  REQUIRE(run({"import", "--db", db3.str(), "--actors", out_actors.str(), csv_out.str()}).code == 0);
  CHECK(run({"export", "--db", db3.str(), "--format", "csv"}).out == csv1.out);

  auto filtered = run({"export", "--db", db1.str(), "--subject", "USA", "--polarity", "negated"});
  CHECK(std::count(filtered.out.begin(), filtered.out.end(), '\n') == 1);
}

TEST_CASE("an import with one bad row writes nothing and names the line", "[app]") {
  test::TempPath db, file(".jsonl");
  write_file(file.str(), std::string(kTriples) + "{\"subject\":\"PRK\",\"relation\":\"072\",\"object\":\"Atlantis\",\"date\":\"2023-01-01\"}\n");
  auto r = run({"import", "--db", db.str(), file.str()});
  CHECK(r.code == 1);
  CHECK(r.err.find("line 5") != std::string::npos);
  CHECK(r.err.find("Atlantis") != std::string::npos);
  // Without --rejects the rejected rows are listed beside the file.
  const std::string listed = file.str() + ".rejects.tsv";
  std::ifstream in(listed);
  const std::string rejects{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  in.close();
  std::filesystem::remove(listed);
  CHECK(rejects.find("5\tobject\t") != std::string::npos);
  auto e = run({"export", "--db", db.str()});
  REQUIRE(e.code == 0);
  CHECK(e.out.empty());

  write_file(file.str(), "subject,relation,object,date,colour\nPRK,072,RUS,2023-01-01,1\n");
  auto bad_header = run({"import", "--db", db.str(), "--format", "csv", file.str()});
  CHECK(bad_header.code == 1);
  CHECK(bad_header.err.find("colour") != std::string::npos);
  CHECK(run({"import", "--db", db.str(), "--format", "xml", file.str()}).code == 2);
  CHECK(run({"import", "--db", db.str(), "/nonexistent/file.jsonl"}).code == 1);
  CHECK(run({"frobnicate"}).code == 2);
  CHECK(run({"--version"}).out.find("geokg") == 0);
}
