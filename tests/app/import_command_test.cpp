#include "tests/app/cli.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <zlib.h>

#include <fstream>
#include <sstream>

using namespace geokg;

using test::run;

namespace {

std::string fixture(const std::string& name) {
  std::ifstream f(std::string(GEOKG_TEST_DATA_DIR) + "/import/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("geokg import reads a gzip GDELT file, lists the rejected rows, and says what it did", "[app]") {
  test::TempPath db, gz(".CSV.gz"), rejects(".tsv");
  const std::string text = fixture("gdelt2.tsv");
  gzFile f = gzopen(gz.str().c_str(), "wb");
  REQUIRE(f);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  auto r = run({"import", "--db", db.str(), "--format", "gdelt2", "--rejects", rejects.str(), gz.str()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("read 7 rows: 4 triples inserted, 0 merged, 1 already imported, 2 rejected, 2 actors created") == 0);
  const auto listed = slurp(rejects.str());
  CHECK(listed.find("line\tcolumn\treason\n5\tSQLDATE\t") == 0);
  CHECK(listed.find("\n6\t\texpected 61") != std::string::npos);
  CHECK(r.err.find("line 5: SQLDATE") != std::string::npos);

  auto again = run({"import", "--db", db.str(), "--format", "gdelt2", "--rejects", rejects.str(), "-"}, text);
  REQUIRE(again.code == 0);
  CHECK(again.out.find("0 triples inserted, 0 merged, 5 already imported") != std::string::npos);

  // --strict: one bad row and nothing is written.
  test::TempPath db2;
  auto strict = run({"import", "--db", db2.str(), "--format", "icews", "--strict", "--rejects", rejects.str(), "-"},
                    fixture("icews.tab"));
  CHECK(strict.code == 1);
  CHECK(strict.err.find("nothing was written") != std::string::npos);
  CHECK(slurp(rejects.str()).find("5\tCAMEO Code\t") != std::string::npos);
  auto exported = run({"export", "--db", db2.str()});
  CHECK(exported.out.empty());
  CHECK(run({"import", "--db", db2.str(), "--format", "icews", "--strict", "--no-strict", "-"}).code == 2);
}

TEST_CASE("a CSV import with --no-strict keeps the good rows, and bare rows export and import back the same", "[app]") {
  test::TempPath db, db2, file(".csv"), rejects(".tsv"), out(".csv");
  std::ofstream(file.str(), std::ios::binary) << "subject,relation,object,date,weight\n"
                                                 "PRK,072,RUS,2023-09-13,0.900\n"
                                                 "PRK,072,RUS,2023-09-13,0.500\n"
                                                 "PRK,072,Atlantis,2023-09-14,1\n"
                                                 "USA,consult,CHN,2023-09-15,1\n";
  auto strict = run({"import", "--db", db.str(), "--rejects", rejects.str(), file.str()});
  CHECK(strict.code == 1);
  auto r = run({"import", "--db", db.str(), "--no-strict", "--rejects", rejects.str(), file.str()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.find("read 4 rows: 2 triples inserted, 1 merged, 0 already imported, 1 rejected") == 0);
  auto e1 = run({"export", "--db", db.str(), "--format", "csv"});
  REQUIRE(e1.code == 0);
  CHECK(std::count(e1.out.begin(), e1.out.end(), '\n') == 4);  // header + three assertions
  std::ofstream(out.str(), std::ios::binary) << e1.out;
  REQUIRE(run({"import", "--db", db2.str(), out.str()}).code == 0);
  CHECK(run({"export", "--db", db2.str(), "--format", "csv"}).out == e1.out);
}
