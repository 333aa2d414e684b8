#include "ingest/source.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <zlib.h>

#include <fstream>
#include <sstream>

using namespace geokg;

namespace {

std::vector<std::string> all_lines(ingest::Source& s) {
  std::vector<std::string> out;
  std::string_view l;
  for (;;) {
    auto r = s.next_line(l);
    REQUIRE(r);
    if (!*r) return out;
    out.emplace_back(l);
  }
}

}  // namespace

TEST_CASE("a source reads plain and gzip files, streams and buffers alike, line by line", "[import]") {
  std::string text = "first\r\nsecond\n\nlast without newline";
  std::string big(3 << 20, 'x');  // a line longer than the read buffer
  text += "\n" + big + "\nend\n";
  const std::vector<std::string> want = {"first", "second", "", "last without newline", big, "end"};

  test::TempPath plain(".txt"), gz(".txt.gz");
  std::ofstream(plain.str(), std::ios::binary) << text;
  gzFile f = gzopen(gz.str().c_str(), "wb");
  REQUIRE(f);
  // Two gzip members in one file, as `cat a.gz b.gz` makes.
  gzwrite(f, text.data(), static_cast<unsigned>(text.size() / 2));
  gzclose(f);
  f = gzopen(gz.str().c_str(), "ab");
  gzwrite(f, text.data() + text.size() / 2, static_cast<unsigned>(text.size() - text.size() / 2));
  gzclose(f);

  for (const auto& path : {plain.str(), gz.str()}) {
    auto s = ingest::Source::open(path);
    REQUIRE(s);
    CHECK(all_lines(**s) == want);
    CHECK((*s)->line_number() == 6);
    CHECK((*s)->position() == (*s)->size());
  }
  std::ifstream gzin(gz.str(), std::ios::binary);
  std::string gz_bytes((std::istreambuf_iterator<char>(gzin)), std::istreambuf_iterator<char>());
  auto mem = ingest::Source::from_memory(gz_bytes);
  CHECK(all_lines(*mem) == want);
  std::istringstream in(text);
  auto st = ingest::Source::from_stream(in);
  CHECK(all_lines(*st) == want);

  auto truncated = ingest::Source::from_memory(gz_bytes.substr(0, gz_bytes.size() / 3));
  std::string_view l;
  core::Result<bool> r = true;
  while (r && *r) r = truncated->next_line(l);
  CHECK_FALSE(r);
  CHECK(ingest::Source::open("/nonexistent/file.tsv").error().code == core::ErrorCode::invalid_argument);
}
