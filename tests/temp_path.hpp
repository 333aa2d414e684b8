#pragma once

#include <atomic>
#include <filesystem>
#include <random>
#include <string>

namespace geokg::test {

// A unique path under the system temp directory; the file and its SQLite siblings
// (-wal, -shm) are removed when this goes out of scope.
class TempPath {
 public:
  explicit TempPath(const std::string& suffix = ".db") {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("geokg-test-" + std::to_string(rd()) + "-" + std::to_string(counter++) + suffix);
  }
  ~TempPath() {
    std::error_code ec;
    for (const char* s : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path_.string() + s, ec);
  }
  TempPath(const TempPath&) = delete;
  TempPath& operator=(const TempPath&) = delete;
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace geokg::test
