#include "ingest/source.hpp"

#include <zlib.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <istream>

namespace geokg::ingest {

namespace {

// zlib's gz* functions read gzip and pass plain files through unchanged.
class GzFileSource final : public Source {
 public:
  GzFileSource(gzFile f, std::uint64_t size) : f_(f), size_(size) {}
  ~GzFileSource() override { gzclose(f_); }
  std::uint64_t position() const noexcept override {
    const auto off = gzoffset(f_);
    return off < 0 ? 0 : static_cast<std::uint64_t>(off);
  }
  std::uint64_t size() const noexcept override { return size_; }

 protected:
  core::Result<std::size_t> read(char* out, std::size_t n) override {
    const int got = gzread(f_, out, static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30)));
    if (got < 0) {
      int code = 0;
      const char* msg = gzerror(f_, &code);
      if (code == Z_ERRNO) return core::internal_error(std::string("read failed: ") + std::strerror(errno));
      return core::unprocessable(std::string("the compressed input is corrupt: ") + (msg ? msg : "unknown zlib error"));
    }
    return static_cast<std::size_t>(got);
  }

 private:
  gzFile f_;
  std::uint64_t size_;
};

// Bytes pulled from memory or a stream, inflated when they start with the gzip magic.
class InflatingSource : public Source {
 public:
  ~InflatingSource() override {
    if (started_) inflateEnd(&z_);
  }
  std::uint64_t position() const noexcept override { return consumed_; }

 protected:
  // The raw bytes: up to n into out, 0 at the end.
  virtual std::size_t raw(char* out, std::size_t n) = 0;

  core::Result<std::size_t> read(char* out, std::size_t n) override {
    if (!sniffed_) {
      sniffed_ = true;
      in_len_ = fill(in_.data(), in_.size());
      gzip_ = in_len_ >= 2 && static_cast<unsigned char>(in_[0]) == 0x1f && static_cast<unsigned char>(in_[1]) == 0x8b;
      if (gzip_) {
        if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) return core::internal_error("cannot start zlib");
        started_ = true;
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(in_len_);
      }
    }
    if (!gzip_) {
      if (in_pos_ < in_len_) {
        const auto k = std::min(n, in_len_ - in_pos_);
        std::memcpy(out, in_.data() + in_pos_, k);
        in_pos_ += k;
        return k;
      }
      return fill(out, n);
    }
    if (done_) return std::size_t{0};
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
    while (z_.avail_out > 0) {
      if (z_.avail_in == 0) {
        in_len_ = fill(in_.data(), in_.size());
        z_.next_in = reinterpret_cast<Bytef*>(in_.data());
        z_.avail_in = static_cast<uInt>(in_len_);
        if (in_len_ == 0) {
          if (reinterpret_cast<char*>(z_.next_out) != out) break;  // return what we have first
          return core::unprocessable("the compressed input is truncated");
        }
      }
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        // Concatenated gzip members continue the stream.
        if (z_.avail_in == 0) {
          in_len_ = fill(in_.data(), in_.size());
          z_.next_in = reinterpret_cast<Bytef*>(in_.data());
          z_.avail_in = static_cast<uInt>(in_len_);
        }
        if (z_.avail_in > 0 && inflateReset(&z_) == Z_OK) continue;
        done_ = true;
        break;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR)
        return core::unprocessable(std::string("the compressed input is corrupt: ") + (z_.msg ? z_.msg : "zlib error"));
    }
    return static_cast<std::size_t>(reinterpret_cast<char*>(z_.next_out) - out);
  }

 private:
  std::size_t fill(char* out, std::size_t n) {
    const auto k = raw(out, n);
    consumed_ += k;
    return k;
  }

  std::vector<char> in_ = std::vector<char>(std::size_t{1} << 16);
  std::size_t in_len_ = 0, in_pos_ = 0;
  std::uint64_t consumed_ = 0;
  bool sniffed_ = false, gzip_ = false, started_ = false, done_ = false;
  z_stream z_{};
};

class MemorySource final : public InflatingSource {
 public:
  explicit MemorySource(std::string bytes) : bytes_(std::move(bytes)) {}
  std::uint64_t size() const noexcept override { return bytes_.size(); }

 protected:
  std::size_t raw(char* out, std::size_t n) override {
    const auto k = std::min(n, bytes_.size() - pos_);
    std::memcpy(out, bytes_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string bytes_;
  std::size_t pos_ = 0;
};

class StreamSource final : public InflatingSource {
 public:
  explicit StreamSource(std::istream& in) : in_(in) {}
  std::uint64_t size() const noexcept override { return 0; }

 protected:
  std::size_t raw(char* out, std::size_t n) override {
    in_.read(out, static_cast<std::streamsize>(n));
    return static_cast<std::size_t>(in_.gcount());
  }

 private:
  std::istream& in_;
};

}  // namespace

core::Result<std::unique_ptr<Source>> Source::open(const std::string& path) {
  const bool stdin_ = path == "-";
  const int fd = stdin_ ? ::dup(STDIN_FILENO) : -1;
  gzFile f = stdin_ ? (fd >= 0 ? gzdopen(fd, "rb") : nullptr) : gzopen(path.c_str(), "rb");
  if (!f) {
    if (fd >= 0) ::close(fd);
    return core::invalid_argument("cannot open '" + path + "': " + std::strerror(errno));
  }
  gzbuffer(f, 1u << 18);
  std::uint64_t size = 0;
  struct stat st {};
  if (!stdin_ && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) size = static_cast<std::uint64_t>(st.st_size);
  if (!stdin_ && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    gzclose(f);
    return core::invalid_argument("'" + path + "' is a directory");
  }
  return std::unique_ptr<Source>(std::make_unique<GzFileSource>(f, size));
}

std::unique_ptr<Source> Source::from_memory(std::string bytes) { return std::make_unique<MemorySource>(std::move(bytes)); }

std::unique_ptr<Source> Source::from_stream(std::istream& in) { return std::make_unique<StreamSource>(in); }

core::Result<bool> Source::next_line(std::string_view& line) {
  if (buf_.empty()) {
    // A small input (a request body, a fuzzer's case) need not clear a whole MiB; a longer line
    // than the buffer grows it below.
    constexpr std::uint64_t most = std::uint64_t{1} << 20;
    const std::uint64_t n = size();
    buf_.resize(static_cast<std::size_t>(n == 0 ? most : std::clamp<std::uint64_t>(n + 1, 4096, most)));
  }
  for (;;) {
    if (const void* nl = std::memchr(buf_.data() + begin_, '\n', end_ - begin_)) {
      const auto at = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.data());
      std::size_t stop = at;
      if (stop > begin_ && buf_[stop - 1] == '\r') --stop;
      line = std::string_view(buf_.data() + begin_, stop - begin_);
      begin_ = at + 1;
      ++line_;
      return true;
    }
    if (eof_) {
      if (begin_ == end_) return false;
      std::size_t stop = end_;
      if (stop > begin_ && buf_[stop - 1] == '\r') --stop;
      line = std::string_view(buf_.data() + begin_, stop - begin_);
      begin_ = end_;
      ++line_;
      return true;
    }
    // Keep the partial line, make room (a line longer than the buffer grows it), read more.
    if (begin_ > 0) {
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    auto got = read(buf_.data() + end_, buf_.size() - end_);
    if (!got) return got.error();
    if (*got == 0) eof_ = true;
    end_ += *got;
  }
}

}  // namespace geokg::ingest
