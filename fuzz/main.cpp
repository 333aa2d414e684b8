// One libFuzzer executable per target: GEOKG_FUZZ_TARGET names the function in fuzz/targets.hpp.
#include "fuzz/targets.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return geokg::fuzz::GEOKG_FUZZ_TARGET(data, size);
}
