#include "core/sha256.hpp"
#include "tests/test_support.hpp"

#include <string>

using namespace geokg;

TEST_CASE("sha256 matches the FIPS 180-4 examples", "[core]") {
  CHECK(core::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(core::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(core::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(core::sha256_hex(std::string(1'000'000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 pads correctly around the block boundaries", "[core]") {
  // Lengths where the length field just fits, just does not fit, and fills a block.
  const std::pair<std::size_t, const char*> cases[] = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {1000, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"},
  };
  for (const auto& [n, hex] : cases) {
    INFO(n << " bytes");
    CHECK(core::sha256_hex(std::string(n, 'a')) == hex);
  }
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes.push_back(static_cast<char>(i));
  CHECK(core::sha256_hex(all_bytes) == "40aff2e9d2d8922e47afd4648e6967497158785fbd1da870e7110266bf944880");
}

TEST_CASE("constant_time_equal compares whole strings", "[core]") {
  CHECK(core::constant_time_equal("", ""));
  CHECK(core::constant_time_equal("secret", "secret"));
  CHECK_FALSE(core::constant_time_equal("secret", "secreT"));
  CHECK_FALSE(core::constant_time_equal("Secret", "secret"));
  CHECK_FALSE(core::constant_time_equal("secret", "secrets"));
  CHECK_FALSE(core::constant_time_equal(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}
