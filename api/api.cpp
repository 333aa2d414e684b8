#include "api/api.hpp"

#include "api/problem.hpp"
#include "engine/engine.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace geokg::api {

core::Result<engine::Engine*> Context::ready() const {
  auto* e = engine.load(std::memory_order_acquire);
  if (!e) return core::make_error(core::ErrorCode::unavailable, "the graph is still loading; retry in a few seconds");
  return e;
}

namespace {

double burst_of(double rate, double burst) { return burst > 0 ? burst : std::max(1.0, 2.0 * rate); }

// One admitted write; the count drops when the transport releases the ticket.
struct WriteSlot {
  explicit WriteSlot(std::atomic<std::size_t>& c) noexcept : count(c) {}
  ~WriteSlot() { count.fetch_sub(1); }
  WriteSlot(const WriteSlot&) = delete;
  WriteSlot& operator=(const WriteSlot&) = delete;
  std::atomic<std::size_t>& count;
};

}  // namespace

Api::Api(ApiOptions options)
    : options_(std::move(options)),
      access_(options_.access),
      per_key_(options_.rate_limit_per_key, burst_of(options_.rate_limit_per_key, options_.rate_limit_burst)),
      per_address_(options_.rate_limit_per_address,
                   burst_of(options_.rate_limit_per_address, options_.rate_limit_burst)),
      router_(options_.cors_origin) {
  context_.metrics = &metrics_;
  router_.set_budget(options_.query_budget);
  router_.set_guard([this](const Route& route, const Request& request, const RequestInfo& info) {
    const auto authorization = request[http::field::authorization];
    return access_.check(route, std::string_view(authorization.data(), authorization.size()), info);
  });
  add_meta_routes(router_, context_);
  add_actor_routes(router_, context_);
  add_triple_routes(router_, context_);
  add_import_routes(router_, context_);
  add_document_routes(router_, context_);
  add_analytics_routes(router_, context_);
  Route metrics;
  metrics.method = http::verb::get;
  metrics.pattern = "/metrics";
  metrics.summary = "Counters, gauges and latency histograms in the Prometheus text format";
  metrics.response_body = "Prometheus text exposition format 0.0.4";
  metrics.endpoint = [this](Call& call) -> core::Result<Reply> {
    Reply r;
    r.message = Response{http::status::ok, call.request.version()};
    r.message.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    r.message.keep_alive(call.request.keep_alive());
    r.message.body() = render_metrics();
    r.message.prepare_payload();
    return r;
  };
  router_.add(std::move(metrics));
  // The OpenAPI document describes the table above, so it is built after it.
  Route doc;
  doc.method = http::verb::get;
  doc.pattern = "/openapi.json";
  doc.summary = "This API's OpenAPI 3.1 document";
  doc.response_body = "OpenAPI 3.1 document";
  doc.endpoint = [this](Call& call) -> core::Result<Reply> {
    return json_reply(call.request, http::status::ok, *openapi_);
  };
  router_.add(std::move(doc));
  openapi_ = std::make_unique<nlohmann::ordered_json>(build_openapi(router_));
}

Api::~Api() = default;

void Api::attach(std::shared_ptr<engine::Engine> engine) {
  owned_ = std::move(engine);
  context_.engine.store(owned_.get(), std::memory_order_release);
}

Reply Api::handle(Request& request, const RequestInfo& info) const { return router_.dispatch(request, info); }

Response Api::transport_error(http::status status, std::string_view code, std::string_view detail,
                              const RequestInfo& info) const {
  // The transport's codes map onto the one error table; a malformed request is a bad argument.
  metrics_.count_rejection(status == http::status::service_unavailable ? std::string_view("connection_limit")
                                                                          : code);
  auto known = code == "malformed_request" ? core::ErrorCode::invalid_argument : core::parse_error_code(code);
  Response r = known ? problem_response(status_of(*known), core::to_string(*known), detail, 11, false, "", info)
                     : problem_response(status, code, detail, 11, false, "", info);
  router_.decorate(r, info);
  return r;
}

bool Api::offload(const http::request_header<>& header) const {
  const std::string_view target(header.target().data(), header.target().size());
  const auto path = target.substr(0, target.find('?'));
  const auto* r = router_.match(header.method(), path, nullptr);
  return r && r->heavy;
}

std::uint64_t Api::body_limit(const http::request_header<>& header) const {
  const std::string_view target(header.target().data(), header.target().size());
  const auto path = target.substr(0, target.find('?'));
  const auto* r = router_.match(header.method(), path, nullptr);
  // GET and HEAD carry no body here: one is refused before it is read.
  if (header.method() == http::verb::get || header.method() == http::verb::head) return r ? 0 : 64 * 1024;
  return r ? std::min(r->body_limit, options_.max_body_bytes) : 64 * 1024;
}

const nlohmann::ordered_json& Api::openapi() const { return *openapi_; }

void Api::set_keys(std::shared_ptr<const engine::KeyRing> keys) { access_.set_keys(std::move(keys)); }

Admission Api::admit(const http::request_header<>& header, const RequestInfo& info) const {
  Admission out;
  const std::string_view target(header.target().data(), header.target().size());
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return out;  // the router answers 400
  const std::string path(url->encoded_path());  // as the router matches it
  const auto verb = header.method() == http::verb::head ? http::verb::get : header.method();
  const Route* route = router_.match(verb, path, nullptr);
  if (!route) return out;  // 404, 405 or a preflight: the router answers

  const auto refuse = [&](core::Error e, std::string_view reason) {
    metrics_.count_rejection(reason);
    Response r = problem_response(e, header, info);
    router_.decorate(r, info);
    out.reject = std::move(r);
    return out;
  };
  const auto too_many = [&](std::uint32_t wait, std::string what) {
    core::Error e = core::make_error(core::ErrorCode::rate_limited, std::move(what));
    e.retry_after_s = wait;
    return refuse(std::move(e), "rate_limited");
  };
  if (per_address_.enabled()) {
    if (const auto wait = per_address_.acquire("a:" + info.remote_address); wait > 0)
      return too_many(wait, "too many requests from this address; retry in " + std::to_string(wait) + " s");
  }
  const auto authorization = header[http::field::authorization];
  auto principal = access_.check(*route, std::string_view(authorization.data(), authorization.size()), info);
  if (!principal) {
    const auto code = principal.error().code;
    return refuse(std::move(principal).error(), core::to_string(code));
  }
  if (*principal && per_key_.enabled()) {
    if (const auto wait = per_key_.acquire("k:" + std::to_string((*principal)->key_id)); wait > 0)
      return too_many(wait, "too many requests with this API key; retry in " + std::to_string(wait) + " s");
  }
  const auto role = required_role(*route);
  if (role && *role != core::Role::read) {
    if (pending_writes_.fetch_add(1) >= options_.max_pending_writes) {
      pending_writes_.fetch_sub(1);
      core::Error e = core::make_error(core::ErrorCode::unavailable,
                                       "too many writes are waiting (" + std::to_string(options_.max_pending_writes) +
                                           "); retry shortly");
      e.retry_after_s = 1;
      return refuse(std::move(e), "queue_full");
    }
    out.ticket = std::make_shared<WriteSlot>(pending_writes_);
  }
  return out;
}

void Api::record(std::string_view route, std::string_view method, unsigned status,
                 std::chrono::microseconds duration) const {
  metrics_.observe_request(route.empty() ? std::string_view("transport") : route, method, status,
                           std::chrono::duration<double>(duration).count());
}

void Api::add_metrics_source(std::function<void(std::string& out)> source) {
  metrics_sources_.push_back(std::move(source));
}

std::string Api::render_metrics() const {
  std::string out;
  out.reserve(16 * 1024);
  append_metric_header(out, "geokg_build_info", "gauge", "The running version, as labels; always 1.");
  append_sample(out, "geokg_build_info",
                "version=" + label_value(GEOKG_VERSION) + ",compiler=" + label_value(__VERSION__), 1);
  append_metric_header(out, "geokg_uptime_seconds", "gauge", "Seconds since the API started.");
  append_sample(out, "geokg_uptime_seconds", "",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - context_.started).count());
  auto* engine = context_.engine.load(std::memory_order_acquire);
  append_metric_header(out, "geokg_ready", "gauge", "1 once the graph is loaded.");
  append_sample(out, "geokg_ready", "", engine ? 1 : 0);
  if (engine) {
    const auto s = engine->status();
    append_metric_header(out, "geokg_actors", "gauge", "Actors known.");
    append_sample(out, "geokg_actors", "", static_cast<double>(s.actors));
    append_metric_header(out, "geokg_triples", "gauge", "Live (not retracted) triples.");
    append_sample(out, "geokg_triples", "", static_cast<double>(s.triples));
    append_metric_header(out, "geokg_documents", "gauge", "Documents stored.");
    append_sample(out, "geokg_documents", "", static_cast<double>(s.documents));
    append_metric_header(out, "geokg_evidence_total", "counter",
                         "Evidence records ever written (each accepted triple assertion adds one): "
                         "rate() of it is the ingest rate.");
    append_sample(out, "geokg_evidence_total", "", static_cast<double>(s.evidence));
    append_metric_header(out, "geokg_graph_version", "counter", "Graph versions published (one per committed write).");
    append_sample(out, "geokg_graph_version", "", static_cast<double>(s.graph_version));
  }
  append_metric_header(out, "geokg_pending_writes", "gauge", "Write requests admitted and not yet answered.");
  append_sample(out, "geokg_pending_writes", "", static_cast<double>(pending_writes_.load()));
  append_metric_header(out, "geokg_pending_writes_limit", "gauge", "The cap on pending writes (--max-pending-writes).");
  append_sample(out, "geokg_pending_writes_limit", "", static_cast<double>(options_.max_pending_writes));
  metrics_.render(out);
  for (const auto& source : metrics_sources_) source(out);
  return out;
}

}  // namespace geokg::api
