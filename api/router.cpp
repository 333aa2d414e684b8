#include "api/router.hpp"

#include "api/problem.hpp"
#include "core/text.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace geokg::api {

namespace {

// The '/'-separated segments of a path after its leading '/', one at a time and without copying:
// route matching runs for every route of the method, several times a request.
class Segments {
 public:
  explicit Segments(std::string_view path) : rest_(path) {
    if (rest_.starts_with('/')) rest_.remove_prefix(1);
  }
  bool done() const noexcept { return done_; }
  std::string_view next() noexcept {
    const auto slash = rest_.find('/');
    if (slash == std::string_view::npos) {
      done_ = true;
      return rest_;
    }
    const auto segment = rest_.substr(0, slash);
    rest_.remove_prefix(slash + 1);
    return segment;
  }

 private:
  std::string_view rest_;
  bool done_ = false;
};

bool match_pattern(std::string_view pattern, std::string_view path,
                   std::vector<std::pair<std::string, std::string>>* captures) {
  if (captures) captures->clear();
  Segments ps(pattern);
  Segments xs(path);
  while (!ps.done() && !xs.done()) {
    const auto p = ps.next();
    const auto x = xs.next();
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (x.empty()) return false;
      if (captures) captures->emplace_back(std::string(p.substr(1, p.size() - 2)), std::string(x));
    } else if (p != x) {
      return false;
    }
  }
  return ps.done() && xs.done();
}

}  // namespace

std::optional<core::Role> required_role(const Route& route) noexcept {
  switch (route.access) {
    case Access::open: return std::nullopt;
    case Access::read: return core::Role::read;
    case Access::write: return core::Role::write;
    case Access::admin: return core::Role::admin;
    case Access::automatic: break;
  }
  const bool reads = route.method == http::verb::get || route.method == http::verb::head;
  return reads ? core::Role::read : core::Role::write;
}

const std::string& Call::path_param(std::string_view name) const {
  for (const auto& [k, v] : path)
    if (k == name) return v;
  static const std::string none;
  return none;
}

void Router::add(Route route) { routes_.push_back(std::move(route)); }

const Route* Router::match(http::verb method, std::string_view path,
                           std::vector<std::pair<std::string, std::string>>* captures) const {
  for (const auto& r : routes_)
    if (r.method == method && match_pattern(r.pattern, path, captures)) return &r;
  return nullptr;
}

void Router::decorate(Response& res, const RequestInfo& info) const {
  res.set(http::field::access_control_allow_origin, cors_origin_);
  res.set(http::field::access_control_expose_headers, "X-Request-Id, Retry-After, Location, WWW-Authenticate");
  if (cors_origin_ != "*") res.set(http::field::vary, "Origin");
  if (!info.request_id.empty()) res.set("X-Request-Id", info.request_id);
}

Reply Router::dispatch(Request& req, const RequestInfo& info) const {
  Reply reply;
  const std::string_view target(req.target().data(), req.target().size());
  const auto fail = [&](const core::Error& e) {
    if (e.code == core::ErrorCode::internal)
      spdlog::error("request {} {} {}: {}", info.request_id, std::string(req.method_string()), target, e.detail);
    Reply r{problem_response(e, req, info), {}};
    return r;
  };

  // The path alone decides the route; the query is checked against the route's parameters.
  auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    reply = fail(core::invalid_argument("the request target is not a valid URL path and query"));
    reply.route = "unmatched";
    decorate(reply.message, info);
    return reply;
  }
  // Routes match the encoded path, segment by segment; captured segments are decoded once, after
  // matching, so that an encoded '/' (%2F) stays inside its segment.
  const std::string path(url->encoded_path());
  const auto verb = req.method() == http::verb::head ? http::verb::get : req.method();

  std::vector<std::pair<std::string, std::string>> captures;
  const Route* route = match(verb, path, &captures);
  if (!route) {
    std::string allow;
    reply.route = "unmatched";
    for (const auto& r : routes_) {
      if (!match_pattern(r.pattern, path, nullptr)) continue;
      if (allow.empty()) reply.route = r.pattern;
      const std::string m(http::to_string(r.method));
      if (allow.find(m) == std::string::npos) allow += (allow.empty() ? "" : ", ") + m;
      if (r.method == http::verb::get && allow.find("HEAD") == std::string::npos) allow += ", HEAD";
    }
    if (allow.empty()) {
      reply = fail(core::not_found("no endpoint at " + path.substr(0, 200) + "; see GET /openapi.json"));
    } else if (req.method() == http::verb::options) {
      reply.message = Response{http::status::no_content, req.version()};
      reply.message.keep_alive(req.keep_alive());
      reply.message.set(http::field::allow, allow + ", OPTIONS");
      reply.message.set(http::field::access_control_allow_methods, allow + ", OPTIONS");
      reply.message.set(http::field::access_control_allow_headers, "Content-Type, Authorization, X-Request-Id");
      reply.message.set(http::field::access_control_max_age, "600");
    } else {
      auto label = std::move(reply.route);
      reply = fail(core::make_error(core::ErrorCode::method_not_allowed,
                                    std::string(req.method_string()).substr(0, 20) + " is not allowed on " +
                                        path.substr(0, 200) + "; allowed: " + allow));
      reply.message.set(http::field::allow, allow + ", OPTIONS");
      reply.route = std::move(label);
    }
    if (allow.empty()) reply.route = "unmatched";
    decorate(reply.message, info);
    return reply;
  }

  std::optional<engine::Principal> principal;
  if (guard_) {
    auto allowed = guard_(*route, req, info);
    if (!allowed) {
      reply = fail(allowed.error());
      reply.route = route->pattern;
      decorate(reply.message, info);
      return reply;
    }
    principal = *allowed;
  }

  std::vector<std::string> allowed;
  for (const auto& p : route->query) allowed.push_back(p.name);
  auto query = QueryParams::parse(target, allowed);
  if (!query) {
    reply = fail(query.error());
  } else {
    for (auto& [k, v] : captures) {
      auto decoded = boost::urls::make_pct_string_view(v);
      if (!decoded || !core::is_valid_utf8(decoded->decode()) || decoded->decode().find('\0') != std::string::npos) {
        reply = fail(core::invalid_parameter(k, "path segment {" + k + "} is not valid percent-encoded UTF-8"));
        reply.route = route->pattern;
        decorate(reply.message, info);
        return reply;
      }
      v = decoded->decode();
    }
    Call call{req, info, std::move(captures), std::move(*query), core::Budget::starting_now(budget_), principal};
    core::Result<Reply> r = core::internal_error("endpoint did not run");
    try {
      r = route->endpoint(call);
    } catch (const std::exception& e) {
      r = core::internal_error(std::string("exception: ") + e.what());
    }
    if (r) {
      reply = std::move(*r);
    } else {
      reply = fail(r.error());
    }
  }
  reply.route = route->pattern;
  if (req.method() == http::verb::head && !reply.stream) {
    const auto size = reply.message.body().size();
    reply.message.body().clear();
    reply.message.content_length(size);
  }
  decorate(reply.message, info);
  return reply;
}

Reply json_reply(const Request& request, http::status status, const nlohmann::ordered_json& body) {
  Reply r;
  r.message = Response{status, request.version()};
  r.message.set(http::field::content_type, "application/json");
  r.message.keep_alive(request.keep_alive());
  r.message.body() = body.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  r.message.prepare_payload();
  return r;
}

Reply empty_reply(const Request& request, http::status status) {
  Reply r;
  r.message = Response{status, request.version()};
  r.message.keep_alive(request.keep_alive());
  r.message.prepare_payload();
  return r;
}

core::Result<nlohmann::ordered_json> json_body(const Request& request, bool required) {
  const auto& body = request.body();
  if (body.empty()) {
    if (required) return core::invalid_argument("this endpoint needs a JSON body");
    return core::Result<nlohmann::ordered_json>(boost::system::in_place_value, nullptr);
  }
  const auto ct = request[http::field::content_type];
  const std::string_view type(ct.data(), std::min(ct.size(), ct.find(';')));
  if (core::to_lower_ascii(core::trim(type)) != "application/json")
    return core::make_error(core::ErrorCode::unsupported_media_type,
                            "send the body as JSON with Content-Type: application/json");
  // Deeply nested input is refused before it can cost stack or memory.
  constexpr int max_depth = 64;
  bool too_deep = false;
  const nlohmann::ordered_json::parser_callback_t limit = [&](int depth, nlohmann::ordered_json::parse_event_t, nlohmann::ordered_json&) {
    if (depth > max_depth) too_deep = true;
    return !too_deep;
  };
  nlohmann::ordered_json j;
  try {
    j = nlohmann::ordered_json::parse(body, limit);
  } catch (const nlohmann::ordered_json::exception& e) {
    // parse_error, and out_of_range for a number beyond a double (1e400).
    return core::invalid_argument(std::string("the body is not valid JSON: ") + e.what());
  }
  if (too_deep) return core::invalid_argument("the body nests JSON deeper than 64 levels");
  // json converts from almost anything, so the value is placed explicitly.
  return core::Result<nlohmann::ordered_json>(boost::system::in_place_value, std::move(j));
}

}  // namespace geokg::api
