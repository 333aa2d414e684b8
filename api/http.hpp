#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace geokg::api {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// What the transport tells the API about a request.
struct RequestInfo {
  std::string request_id;
  std::string remote_address;
  bool remote_is_loopback = false;
};

// An answer: a whole response, or headers plus a body pulled piece by piece (`stream` appends
// the next piece to `out` and returns false when the body is complete).
struct Reply {
  Response message;
  std::function<bool(std::string& out)> stream;
  std::string route;  // the route pattern that answered ("unmatched" when none): logs and metrics
};

}  // namespace geokg::api
