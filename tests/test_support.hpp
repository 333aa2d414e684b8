#pragma once

// Every test file includes this instead of catch.hpp directly: Catch then prints
// Result<T> values as "ok" or "error <code>: <detail>" in failure messages.
#include "core/error.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace Catch {
template <class T>
struct StringMaker<boost::system::result<T, geokg::core::Error>> {
  static std::string convert(const boost::system::result<T, geokg::core::Error>& r) {
    if (r) return "ok";
    return "error " + std::string(geokg::core::to_string(r.error().code)) + ": " + r.error().detail;
  }
};
}  // namespace Catch
