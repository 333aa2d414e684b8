// Replays tests/data/hostile/*.txt (format in its README.md) against a real server.
#include "api/api.hpp"
#include "app/wiring.hpp"
#include "engine/engine.hpp"
#include "engine/key_ring.hpp"
#include "tests/app/http_client.hpp"
#include "tests/raw_client.hpp"
#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace geokg;
using boost::beast::http::status;
using boost::beast::http::verb;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Case {
  std::string where;  // file:line
  unsigned status = 0;
  std::string code;
  std::string detail_has;
  std::string bytes;  // the whole request
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Expands {{repeat:N:TEXT}} and {{key:ROLE}}, then the backslash escapes.
std::string expand(const std::string& in, const std::map<std::string, std::string>& keys) {
  std::string macros;
  for (std::size_t i = 0; i < in.size();) {
    if (in.compare(i, 2, "{{") == 0) {
      const auto end = in.find("}}", i);
      REQUIRE(end != std::string::npos);
      const std::string body = in.substr(i + 2, end - i - 2);
      if (body.rfind("repeat:", 0) == 0) {
        const auto colon = body.find(':', 7);
        const auto n = std::stoul(body.substr(7, colon - 7));
        const auto text = body.substr(colon + 1);
        for (std::size_t k = 0; k < n; ++k) macros += text;
      } else if (body.rfind("key:", 0) == 0) {
        REQUIRE(keys.count(body.substr(4)));
        macros += keys.at(body.substr(4));
      } else {
        FAIL("unknown macro {{" << body << "}}");
      }
      i = end + 2;
    } else {
      macros += in[i++];
    }
  }
  std::string out;
  for (std::size_t i = 0; i < macros.size(); ++i) {
    if (macros[i] != '\\' || i + 1 == macros.size()) {
      out += macros[i];
      continue;
    }
    const char e = macros[++i];
    if (e == 'r') out += '\r';
    else if (e == 'n') out += '\n';
    else if (e == 't') out += '\t';
    else if (e == '0') out += '\0';
    else if (e == '\\') out += '\\';
    else if (e == 'x' && i + 2 < macros.size() && hex_digit(macros[i + 1]) >= 0 && hex_digit(macros[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(macros[i + 1]) * 16 + hex_digit(macros[i + 2]));
      i += 2;
    } else {
      out += '\\';
      out += e;  // JSON escapes such as \u0000 and \" stay as written
    }
  }
  return out;
}

std::vector<Case> load_cases(const std::map<std::string, std::string>& keys) {
  std::vector<Case> cases;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(GEOKG_TEST_DATA_DIR "/hostile"))
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line;
    int number = 0;
    std::vector<std::string> extra;
    while (std::getline(in, line)) {
      ++number;
      if (line.empty() || line[0] == '#') continue;
      if (line.rfind("+ ", 0) == 0) {
        extra.push_back(line.substr(2));
        continue;
      }
      Case c;
      c.where = file.filename().string() + ":" + std::to_string(number);
      std::istringstream fields(line);
      std::string code, method;
      fields >> c.status >> code >> method;
      INFO(c.where);
      REQUIRE(c.status >= 400);
      REQUIRE_FALSE(method.empty());
      if (const auto tilde = code.find('~'); tilde != std::string::npos) {
        c.code = code.substr(0, tilde);
        c.detail_has = code.substr(tilde + 1);
        // ~TEXT may contain spaces: it runs to the method, which follows two spaces-separated tokens.
      } else {
        c.code = code;
      }
      std::string rest;
      std::getline(fields, rest);
      if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
      // A ~TEXT with spaces: re-split the line on " <METHOD> " of the known methods.
      if (c.detail_has.size() && method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos) {
        const std::string after_status = line.substr(line.find('~') + 1);
        for (const char* m : {" GET ", " POST ", " PATCH ", " DELETE ", " PUT ", " RAW "}) {
          const auto at = after_status.find(m);
          if (at == std::string::npos) continue;
          c.detail_has = after_status.substr(0, at);
          method = std::string(m).substr(1, std::string(m).size() - 2);
          rest = after_status.substr(at + std::string(m).size());
          break;
        }
      }
      if (method == "RAW") {
        c.bytes = expand(rest, keys);
      } else {
        const auto space = rest.find(' ');
        const std::string target = expand(rest.substr(0, space), keys);
        const std::string body = space == std::string::npos ? "" : expand(rest.substr(space + 1), keys);
        bool auth = true, content_type = !body.empty();
        std::string headers;
        for (const auto& h : extra) {
          if (h == "-Authorization") {
            auth = false;
            continue;
          }
          if (h.rfind("Authorization:", 0) == 0) auth = false;
          if (h.rfind("Content-Type:", 0) == 0) content_type = false;
          headers += expand(h, keys) + "\r\n";
        }
        if (auth) headers += "Authorization: Bearer " + keys.at("write") + "\r\n";
        if (content_type) headers += "Content-Type: application/json\r\n";
        c.bytes = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
                  "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      }
      extra.clear();
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

// What the data looks like through the API (uptime aside).
json snapshot(unsigned short port) {
  test::HttpClient c(port);
  json s;
  auto status_body = json::parse(c.request(verb::get, "/v1/status").body());
  status_body.erase("uptime_s");
  s["status"] = status_body;
  s["triples"] = json::parse(c.request(verb::get, "/v1/triples?include_retracted=true&limit=1000").body());
  json actors = json::array();
  std::string cursor;
  do {
    auto page = json::parse(c.request(verb::get, "/v1/actors?limit=1000" + (cursor.empty() ? "" : "&cursor=" + cursor)).body());
    for (auto& a : page["items"]) actors.push_back(a);
    cursor = page["next_cursor"].is_null() ? "" : page["next_cursor"].get<std::string>();
  } while (!cursor.empty());
  s["actors"] = actors;
  return s;
}

}  // namespace

TEST_CASE("hostile and malformed requests get the right 4xx problem and change nothing", "[app]") {
  test::TempPath db;
  auto ring = engine::KeyRing::open(db.str(), 0ms);
  REQUIRE(ring);
  std::map<std::string, std::string> keys;
  for (const auto role : core::all_roles) keys[std::string(core::to_string(role))] = (*ring)->create(role, "")->secret;
  auto revoked = (*ring)->create(core::Role::admin, "revoked");
  REQUIRE(revoked);
  REQUIRE((*ring)->revoke(revoked->key.id));
  keys["revoked"] = revoked->secret;

  api::Api api;
  api.set_keys(*ring);
  engine::Options eo;
  eo.db_path = db.str();
  auto e = engine::Engine::open(eo);
  REQUIRE(e);
  api.attach(std::shared_ptr<engine::Engine>(std::move(*e)));
  server::Options so;
  so.port = 0;
  so.access_log = false;
  so.request_timeout = 5s;
  auto http = app::make_http_server(api, so);
  http->start();
  {
    test::RawClient raw(http->port());
    const std::string body =
        R"({"triples":[{"subject":"PRK","relation":"072","object":"RUS","date":"2023-09-13","evidence":{"text":"a"}},)"
        R"({"subject":"USA","relation":"111","object":"PRK","date":"2023-11-09"}]})";
    REQUIRE(raw.send("POST /v1/triples HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer " + keys["write"] +
                     "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\n\r\n" + body));
    auto seeded = raw.read();
    REQUIRE(seeded);
    REQUIRE(seeded->result() == status::created);
  }
  const json before = snapshot(http->port());
  REQUIRE(before["status"]["triples"] == 2);

  const auto cases = load_cases(keys);
  CHECK(cases.size() >= 150);
  std::size_t passed = 0;
  for (const auto& c : cases) {
    INFO(c.where << ": " << json(c.bytes.substr(0, 300)).dump(-1, ' ', false, json::error_handler_t::replace));
    test::RawClient client(http->port());
    // The server may answer and close before it has read everything: a failed send is no failure.
    static_cast<void>(client.send(c.bytes));
    auto r = client.read(15s);
    REQUIRE(r);
    INFO(r->body());
    CHECK(r->result_int() == c.status);
    CHECK((*r)[boost::beast::http::field::content_type] == "application/problem+json");
    CHECK_FALSE((*r)["X-Request-Id"].empty());
    json body;
    REQUIRE_NOTHROW(body = json::parse(r->body()));
    CHECK(body["code"] == c.code);
    CHECK(body["status"] == c.status);
    CHECK(body["request_id"] == std::string((*r)["X-Request-Id"]));
    if (!c.detail_has.empty()) {
      const std::string everything = body["detail"].get<std::string>() + " " + body.value("errors", json::array()).dump() +
                                     " " + body.value("parameter", std::string());
      CHECK(everything.find(c.detail_has) != std::string::npos);
    }
    if (r->result_int() == c.status && body["code"] == c.code) ++passed;
  }
  CHECK(passed == cases.size());

  // Still serving, and nothing changed.
  test::HttpClient after(http->port());
  CHECK(after.request(verb::get, "/healthz").result() == status::ok);
  CHECK(snapshot(http->port()) == before);
  http->stop(2s);
}
