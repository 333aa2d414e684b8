#include "fuzz/targets.hpp"
#include "tests/test_support.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace geokg;

namespace {

const std::filesystem::path fuzz_dir = std::filesystem::path(GEOKG_TEST_DATA_DIR) / ".." / ".." / "fuzz";

std::size_t replay(const std::filesystem::path& dir, fuzz::Target target) {
  std::size_t n = 0;
  if (!std::filesystem::is_directory(dir)) return 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().filename().string().starts_with(".")) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    INFO(entry.path().string());
    CHECK(target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("every fuzz target runs its seed corpus and past crashes cleanly", "[fuzz]") {
  for (const auto& t : fuzz::all_targets) {
    INFO(t.name);
    const auto seeds = replay(fuzz_dir / "corpus" / t.name, t.fn);
    CHECK(seeds > 0);
    replay(fuzz_dir / "regressions" / t.name, t.fn);
    // And the degenerate inputs.
    CHECK(t.fn(nullptr, 0) == 0);
    const std::uint8_t zero = 0;
    CHECK(t.fn(&zero, 1) == 0);
  }
}
