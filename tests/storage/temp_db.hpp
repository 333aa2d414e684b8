#pragma once

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace geokg::storage::testing {

// A unique database path in the temp directory; the file and its WAL/SHM companions are
// removed on destruction.
class TempDb {
 public:
  TempDb() {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = (std::filesystem::temp_directory_path() /
             ("geokg-storage-test-" + std::to_string(rd()) + "-" + std::to_string(counter++) + ".db"))
                .string();
    remove_files();
  }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;
  ~TempDb() { remove_files(); }

  const std::string& path() const noexcept { return path_; }

 private:
  void remove_files() const noexcept {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path_ + suffix, ec);
  }
  std::string path_;
};

}  // namespace geokg::storage::testing
