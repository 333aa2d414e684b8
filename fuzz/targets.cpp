#include "fuzz/targets.hpp"

#include "api/api.hpp"
#include "api/common.hpp"
#include "api/params.hpp"
#include "core/date.hpp"
#include "engine/engine.hpp"
#include "engine/triple_spec.hpp"
#include "extract/coder.hpp"
#include "ingest/events.hpp"
#include "ingest/source.hpp"

#include <boost/beast/http/parser.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

namespace geokg::fuzz {

namespace {

std::string_view text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// One API over an in-memory database for the whole run: set up once, as a server would be.
api::Api& shared_api() {
  static api::Api* instance = [] {
    spdlog::set_level(spdlog::level::off);
    auto* a = new api::Api();
    engine::Options o;
    o.db_path = ":memory:";
    auto e = engine::Engine::open(o);
    if (!e) std::abort();
    std::vector<engine::TripleSpec> seed(2);
    seed[0] = {.subject = "PRK", .relation = "072", .object = "RUS", .date = "2023-09-13"};
    seed[1] = {.subject = "USA", .relation = "111", .object = "PRK", .date = "2023-11-09"};
    if (!(*e)->add_triples(seed, false)) std::abort();
    a->attach(std::shared_ptr<engine::Engine>(std::move(*e)));
    return a;
  }();
  return *instance;
}

const extract::Coder& shared_coder() {
  static const extract::Coder* coder = [] {
    auto d = extract::Dictionaries::load();
    if (!d) std::abort();
    return new extract::Coder(*d);
  }();
  return *coder;
}

}  // namespace

int http_request(const std::uint8_t* data, std::size_t size) {
  auto& api = shared_api();
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(1 << 20);
  parser.eager(true);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;
  auto request = parser.release();
  const api::RequestInfo info{"fuzz", (size & 1) ? "127.0.0.1" : "203.0.113.7", (size & 1) != 0};
  (void)api.body_limit(request);
  (void)api.offload(request);
  auto admission = api.admit(request, info);
  if (admission.reject) return 0;
  auto reply = api.handle(request, info);
  if (reply.stream) {
    std::string piece;
    for (int i = 0; i < 10'000 && reply.stream(piece); ++i) piece.clear();
  }
  return 0;
}

int query_params(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> allowed = {
      "actor", "subject", "object", "relation", "root", "quad_class", "polarity", "since", "until",
      "min_confidence", "include_retracted", "limit", "cursor", "q", "direction", "k", "max_hops"};
  auto q = api::QueryParams::parse(text(data, size), allowed);
  if (!q) return 0;
  for (const auto& name : allowed) {
    (void)q->has(name);
    if (auto v = q->get(name); v && *v) {
      (void)api::decode_cursor("triples", **v);
      (void)api::decode_cursor(name, api::encode_cursor(name, **v));
    }
    (void)q->list(name);
    (void)q->date(name);
    (void)q->integer(name, 1, -1000, 1000);
    (void)q->number(name, 0.5, 0.0, 1.0);
    (void)q->boolean(name, false);
  }
  (void)api::parse_filter(*q);
  (void)api::parse_limit(*q);
  return 0;
}

int triple_json(const std::uint8_t* data, std::size_t size) {
  api::Request request{boost::beast::http::verb::post, "/v1/triples", 11};
  request.set(boost::beast::http::field::content_type, "application/json");
  request.body().assign(text(data, size));
  auto body = api::json_body(request, true);
  if (!body) return 0;
  std::vector<core::ErrorItem> errors;
  const auto decode = [&](const nlohmann::ordered_json& row, std::int64_t i) {
    engine::TripleSpec spec;
    engine::decode_triple_spec(row, i, spec, errors);
  };
  if (body->is_object() && body->contains("triples") && (*body)["triples"].is_array()) {
    std::int64_t i = 0;
    for (const auto& row : (*body)["triples"]) decode(row, i++);
  } else {
    decode(*body, 0);
  }
  (void)body->dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  return 0;
}

int triple_csv(const std::uint8_t* data, std::size_t size) {
  const auto csv = text(data, size);
  std::size_t pos = 0;
  std::vector<std::string> fields;
  if (!engine::read_csv_record(csv, pos, fields)) return 0;
  auto layout = engine::parse_csv_header(fields);
  std::vector<core::ErrorItem> errors;
  for (std::int64_t row = 0; pos < csv.size() && row < 10'000; ++row) {
    const auto before = pos;
    if (!engine::read_csv_record(csv, pos, fields)) break;
    if (pos == before) break;
    if (layout) {
      engine::TripleSpec spec;
      engine::decode_csv_triple(*layout, fields, row, spec, errors);
    }
  }
  return 0;
}

int extract(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const auto& coder = shared_coder();
  const auto published = core::Date::parse("2024-02-29");
  (void)coder.code(text(data, size), *published);
  return 0;
}

namespace {

// Every line of the input, read as an import reads a file (gzip detected by its first bytes).
template <class F>
void for_each_line(const std::uint8_t* data, std::size_t size, F&& f) {
  auto source = ingest::Source::from_memory(std::string(text(data, size)));
  std::string_view line;
  for (int i = 0; i < 100'000; ++i) {
    auto more = source->next_line(line);
    if (!more || !*more) return;
    f(line, source->line_number());
  }
}

}  // namespace

int gdelt(const std::uint8_t* data, std::size_t size) {
  ingest::EventParser v1(ingest::Format::gdelt1), v2(ingest::Format::gdelt2);
  std::vector<ingest::Event> events;
  ingest::Problem problem;
  for_each_line(data, size, [&](std::string_view line, std::int64_t) {
    v1.parse(line, events, problem);
    v2.parse(line, events, problem);
  });
  return 0;
}

int icews(const std::uint8_t* data, std::size_t size) {
  ingest::EventParser parser(ingest::Format::icews);
  std::vector<ingest::Event> events;
  ingest::Problem problem;
  bool header = true;
  bool usable = false;
  for_each_line(data, size, [&](std::string_view line, std::int64_t) {
    if (header) {
      usable = parser.header(line, problem);
      header = false;
    } else if (usable) {
      parser.parse(line, events, problem);
    }
  });
  return 0;
}

int plover(const std::uint8_t* data, std::size_t size) {
  ingest::EventParser parser(ingest::Format::plover);
  ingest::JsonRecordSplitter splitter;
  std::vector<ingest::Event> events;
  ingest::Problem problem;
  std::string record;
  std::int64_t at = 0;
  for_each_line(data, size, [&](std::string_view line, std::int64_t number) {
    if (!splitter.feed(line, number)) return;
    while (splitter.take(record, at)) parser.parse(record, events, problem);
  });
  return 0;
}

}  // namespace geokg::fuzz
