#pragma once

#include "core/error.hpp"

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::ingest {

// The bytes of one import, read line by line in constant memory: a file (gzip-compressed or
// plain, told apart by its first bytes, whatever its name), standard input ("-"), or a buffer.
// Errors: invalid_argument when a file cannot be opened; unprocessable for a corrupt gzip stream.
// Not thread-safe.
class Source {
 public:
  static core::Result<std::unique_ptr<Source>> open(const std::string& path);
  static std::unique_ptr<Source> from_memory(std::string bytes);
  // Reads a stream (e.g. a test's std::istringstream); gzip is detected as for files.
  static std::unique_ptr<Source> from_stream(std::istream& in);
  virtual ~Source() = default;

  // The next line without its terminator ("\n" or "\r\n"); false at the end. The view stays
  // valid until the next call.
  core::Result<bool> next_line(std::string_view& line);
  std::int64_t line_number() const noexcept { return line_; }  // of the last line returned, 1-based
  // Bytes consumed from the file (compressed bytes for gzip) and its size (0 when unknown: a pipe).
  virtual std::uint64_t position() const noexcept = 0;
  virtual std::uint64_t size() const noexcept = 0;

 protected:
  Source() = default;
  // Up to `n` bytes into `out`; 0 at the end.
  virtual core::Result<std::size_t> read(char* out, std::size_t n) = 0;

 private:
  std::vector<char> buf_;  // sized on the first read: 1 MiB, or less for a smaller input
  std::size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  std::int64_t line_ = 0;
};

}  // namespace geokg::ingest
