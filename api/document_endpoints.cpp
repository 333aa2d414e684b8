#include "api/api.hpp"
#include "api/common.hpp"
#include "api/json_codec.hpp"
#include "core/text.hpp"
#include "engine/engine.hpp"

#include <boost/url/parse.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cmath>

namespace geokg::api {

using json = nlohmann::ordered_json;

namespace {

json document_json(const core::DocumentRecord& d, bool with_text) {
  json j = {{"id", d.id},
            {"url", d.url.empty() ? json(nullptr) : json(d.url)},
            {"title", d.title},
            {"publisher", d.publisher},
            {"published_at", d.published_at},
            {"date", d.date.to_string()},
            {"length", d.length},
            {"created_at", d.created_at}};
  if (with_text) j["text"] = d.text;
  return j;
}

json document_triples_json(const engine::View& view, const core::RelationCatalog& cat,
                           const std::vector<engine::DocumentTriple>& triples) {
  json out = json::array();
  for (const auto& t : triples) {
    json j = triple_json(view, cat, t.triple);
    j["evidence"] = {{"sentence_index", t.evidence.sentence_index},
                     {"sentence", t.evidence.text},
                     {"start", t.evidence.start ? json(*t.evidence.start) : json(nullptr)},
                     {"end", t.evidence.end ? json(*t.evidence.end) : json(nullptr)}};
    out.push_back(std::move(j));
  }
  return out;
}

core::Result<std::int64_t> document_id(const std::string& text) {
  std::int64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || p != text.data() + text.size() || v < 1)
    return core::invalid_parameter("id", "a document id is a positive integer, got '" + text.substr(0, 40) + "'");
  return v;
}

core::Result<void> check_url(const std::string& url) {
  if (url.empty()) return {};
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || (u->scheme() != "http" && u->scheme() != "https"))
    return core::invalid_argument("url must be an absolute http or https URL");
  return {};
}

}  // namespace

void add_document_routes(Router& router, Context& ctx) {
  router.add({.method = http::verb::post,
              .pattern = "/v1/documents",
              .summary = "Store an article and the triples extracted from it (JSON, or text/plain with metadata "
                         "in the query); the same url or text again answers 200 with the stored document",
              .query = {{"title", "string", "text/plain bodies only: the title"},
                        {"url", "string", "text/plain bodies only: the article's URL"},
                        {"publisher", "string", "text/plain bodies only: the publisher"},
                        {"published_at", "string", "text/plain bodies only: publication date or RFC 3339 time"}},
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::DocumentInput in;
                const auto ct = c.request[http::field::content_type];
                const std::string type(ct.substr(0, std::min(ct.size(), ct.find(';'))));
                if (type == "text/plain") {
                  in.text = c.request.body();
                  for (auto [name, slot] : {std::pair("title", &in.title), std::pair("url", &in.url),
                                            std::pair("publisher", &in.publisher),
                                            std::pair("published_at", &in.published_at)}) {
                    auto v = c.query.get(name);
                    if (!v) return v.error();
                    *slot = v->value_or("");
                  }
                  if (!core::is_valid_utf8(in.text)) return core::invalid_argument("the text is not valid UTF-8");
                } else {
                  for (const char* p : {"title", "url", "publisher", "published_at"})
                    if (c.query.has(p))
                      return core::invalid_parameter(p, std::string(p) + " belongs in the JSON body (query metadata is for text/plain)");
                  auto body = json_body(c.request, true);
                  if (!body) return body.error();
                  if (!body->is_object()) return core::invalid_argument("the body must be a JSON object {\"text\", \"published_at\", ...}");
                  for (const auto& [k, v] : body->items()) {
                    std::string* slot = k == "text"           ? &in.text
                                        : k == "title"        ? &in.title
                                        : k == "url"          ? &in.url
                                        : k == "publisher"    ? &in.publisher
                                        : k == "published_at" ? &in.published_at
                                                              : nullptr;
                    if (!slot)
                      return core::invalid_argument("unknown member '" + k.substr(0, 60) +
                                                    "'; expected text, title, url, publisher, published_at");
                    if (v.is_null()) continue;
                    if (!v.is_string()) return core::invalid_argument(k + " must be a string");
                    *slot = v.get<std::string>();
                  }
                }
                if (auto ok = check_url(in.url); !ok) return ok.error();
                auto r = (*e)->add_document(in);
                if (!r) return r.error();
                const auto view = (*e)->view();
                json body = {{"id", r->document.id},
                             {"created", r->created},
                             {"triples", document_triples_json(view, (*e)->relations(), r->triples)}};
                if (!r->created_actors.empty()) body["created_actors"] = r->created_actors;
                auto reply = json_reply(c.request, r->created ? http::status::created : http::status::ok, body);
                reply.message.set(http::field::location, "/v1/documents/" + std::to_string(r->document.id));
                return reply;
              },
              .success_status = 201,
              .request_body = "{text, published_at, title?, url?, publisher?} or text/plain",
              .response_body = "{id, created, triples: [triple + evidence {sentence_index, sentence, start, end}]}",
              .heavy = true,
              .body_limit = 6u << 20});

  router.add({.method = http::verb::get,
              .pattern = "/v1/documents/{id}",
              .summary = "A stored document: metadata, text, and its triples with character spans",
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto id = document_id(c.path_param("id"));
                if (!id) return id.error();
                auto r = (*e)->document(*id);
                if (!r) return r.error();
                json body = document_json(r->document, true);
                body["triples"] = document_triples_json((*e)->view(), (*e)->relations(), r->triples);
                return json_reply(c.request, http::status::ok, body);
              },
              .response_body = "{id, url, title, publisher, published_at, date, length, created_at, text, triples}"});

  router.add({.method = http::verb::get,
              .pattern = "/v1/documents",
              .summary = "Stored documents, newest first",
              .query = {{"since", "date", "published on or after this day"},
                        {"until", "date", "published on or before this day"},
                        {"publisher", "string", "exact publisher name"},
                        limit_doc(),
                        cursor_doc()},
              .endpoint = [&ctx](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                engine::DocumentListQuery q;
                auto since = c.query.date("since");
                if (!since) return since.error();
                q.since = *since;
                auto until = c.query.date("until");
                if (!until) return until.error();
                q.until = *until;
                auto publisher = c.query.get("publisher");
                if (!publisher) return publisher.error();
                q.publisher = publisher->value_or("");
                auto limit = parse_limit(c.query);
                if (!limit) return limit.error();
                q.limit = *limit;
                auto cursor = c.query.get("cursor");
                if (!cursor) return cursor.error();
                if (*cursor && !(*cursor)->empty()) {
                  auto payload = decode_cursor("documents", **cursor);
                  if (!payload) return payload.error();
                  std::int64_t before = 0;
                  const auto [p, ec] = std::from_chars(payload->data(), payload->data() + payload->size(), before);
                  if (ec != std::errc{} || p != payload->data() + payload->size())
                    return core::invalid_parameter("cursor", "cursor is not valid here; pass next_cursor unchanged");
                  q.before_id = before;
                }
                auto page = (*e)->list_documents(q);
                if (!page) return page.error();
                json items = json::array();
                for (const auto& d : page->items) items.push_back(document_json(d, false));
                json next = page->more ? json(encode_cursor("documents", std::to_string(page->items.back().id)))
                                       : json(nullptr);
                return json_reply(c.request, http::status::ok, {{"items", std::move(items)}, {"next_cursor", next}});
              },
              .response_body = "{items: [document without text], next_cursor}"});

  const auto dictionaries_json = [](const engine::DictionaryStatus& d) {
    return json{{"files", d.files},
                {"actors", d.actors},
                {"phrases", d.phrases},
                {"patterns", d.patterns},
                {"relation_codes", d.relation_codes},
                {"load_ms", std::round(d.load_ms * 10.0) / 10.0},
                {"loaded_at", d.loaded_at}};
  };
  router.add({.method = http::verb::get,
              .pattern = "/v1/dictionaries",
              .summary = "The extraction dictionaries in use: user files (geokg serve --actors), sizes, load time",
              .endpoint = [&ctx, dictionaries_json](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                auto d = (*e)->dictionaries();
                if (!d) return d.error();
                return json_reply(c.request, http::status::ok, dictionaries_json(*d));
              },
              .response_body = "{files, actors, phrases, patterns, relation_codes, load_ms, loaded_at}",
              .heavy = true});
  router.add({.method = http::verb::post,
              .pattern = "/v1/dictionaries/reload",
              .summary = "Read the extraction dictionaries again (the embedded ones and the --actors files) and use "
                         "them for the documents that follow (admin; also SIGHUP). A bad file keeps the old ones: "
                         "422 naming the file and line",
              .endpoint = [&ctx, dictionaries_json](Call& c) -> core::Result<Reply> {
                auto e = ctx.ready();
                if (!e) return e.error();
                if (!c.request.body().empty()) return core::invalid_argument("this request takes no body");
                auto d = (*e)->reload_dictionaries();
                if (!d) return d.error();
                return json_reply(c.request, http::status::ok, dictionaries_json(*d));
              },
              .response_body = "{files, actors, phrases, patterns, relation_codes, load_ms, loaded_at}",
              .heavy = true,
              .access = Access::admin});
}

}  // namespace geokg::api
