#include "ingest/events.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace geokg::ingest {

namespace {

using json = nlohmann::json;

void split_tabs(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  for (;;) {
    const auto j = line.find('\t', i);
    if (j == std::string_view::npos) {
      out.push_back(line.substr(i));
      return;
    }
    out.push_back(line.substr(i, j - i));
    i = j + 1;
  }
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool fail(Problem& p, std::string column, std::string reason) {
  p.column = std::move(column);
  p.reason = std::move(reason);
  return false;
}

std::string clip(std::string_view s) { return std::string(s.substr(0, 40)); }

// A CAMEO event code: 2 to 4 digits ("13y" is not one). Membership in the catalog is the caller's.
bool cameo_code(std::string_view s) { return s.size() >= 2 && s.size() <= 4 && all_digits(s); }

// A number as the dataset wrote it, for the attributes; nullopt if it is not one.
std::optional<double> number(std::string_view s) {
  if (s.empty() || s.size() > 40) return std::nullopt;
  const std::string t(s);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

// A whole number that fits in 64 bits (counts, sentence numbers); a double beyond that range would
// make the conversion undefined.
std::optional<std::int64_t> whole_number(std::string_view s) {
  std::int64_t v = 0;
  const char* end = s.data() + s.size();
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (s.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

// CAMEO country codes that differ from ISO 3166-1 alpha-3.
std::string iso_country(std::string_view cameo) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 7> remap{{
      {"ROM", "ROU"}, {"TMP", "TLS"}, {"ZAR", "COD"}, {"KSV", "XKX"}, {"WSB", "PSE"}, {"GZS", "PSE"}, {"SCG", "SRB"}}};
  for (const auto& [from, to] : remap)
    if (cameo == from) return std::string(to);
  return std::string(cameo);
}

// GDELT's actor type codes (CAMEO agent codes) to geokg actor types.
core::ActorType gdelt_type(std::string_view code, std::string_view known_group, std::string_view type1) {
  if (code.starts_with("IGO") || known_group.starts_with("IGO") || type1 == "IGO") return core::ActorType::igo;
  static constexpr std::string_view groups[] = {"REB", "INS", "SEP", "OPP", "UAF", "RAD", "CRM", "PTY",
                                                "CVL", "REF", "LAB", "AGR", "ELI", "IMG", "MOD"};
  if (!known_group.empty()) return core::ActorType::group;
  for (auto g : groups)
    if (type1 == g) return core::ActorType::group;
  static constexpr std::string_view orgs[] = {"GOV", "MIL", "LEG", "JUD", "COP", "SPY", "BUS", "MED", "NGO",
                                              "NGM", "EDU", "REL", "HLH", "HLT", "ENV", "DEV", "HRI", "MNC", "SET"};
  for (auto o : orgs)
    if (type1 == o) return core::ActorType::organization;
  return core::ActorType::other;
}

EventActor gdelt_actor(std::string_view code, std::string_view name, std::string_view country,
                       std::string_view known_group, std::string_view type1) {
  EventActor a;
  if (code.empty() && name.empty()) return a;
  a.name = std::string(name.empty() ? code : name);
  a.country = iso_country(country);
  if (!country.empty() && code == country) {
    a.is_country = true;
    a.id = a.country;
    a.type = core::ActorType::country;
    return a;
  }
  // A named actor keeps its own identity: the CAMEO actor code plus its name.
  const std::string s = slug(name, 40);
  a.id = code.empty() ? s : s.empty() ? std::string(code) : std::string(code) + "-" + s;
  a.type = gdelt_type(code, known_group, type1);
  return a;
}

std::string json_text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Columns of an ICEWS file, by header name.
constexpr std::array<std::string_view, 16> icews_names{
    "Event ID",    "Event Date", "Source Name", "Source Sectors",  "Source Country", "CAMEO Code",
    "Target Name", "Target Sectors", "Target Country", "Event Text", "Intensity", "Story ID",
    "Sentence Number", "Publisher", "Country", "City"};
enum IcewsCol { kId, kDate, kSrcName, kSrcSectors, kSrcCountry, kCode, kTgtName, kTgtSectors, kTgtCountry,
                kText, kIntensity, kStory, kSentence, kPublisher, kCountry, kCity, kRequired = kText };

std::string_view na(std::string_view s) { return s == "NA" ? std::string_view() : s; }

EventActor icews_actor(std::string_view name, std::string_view sectors, std::string_view country) {
  EventActor a;
  name = na(name);
  if (name.empty()) return a;
  a.name = std::string(name);
  a.country = std::string(na(country));
  if (!a.country.empty() && name == a.country) {
    a.is_country = true;
    a.id = a.name;
    a.type = core::ActorType::country;
    return a;
  }
  a.id = slug(name, 60);
  if (sectors.find("International") != std::string_view::npos && sectors.find("Organization") != std::string_view::npos)
    a.type = core::ActorType::igo;
  return a;
}

const json* member(const json& obj, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    const auto it = obj.find(k);
    if (it != obj.end() && !it->is_null()) return &*it;
  }
  return nullptr;
}

std::string string_of(const json* j) {
  if (!j) return {};
  if (j->is_string()) return j->get<std::string>();
  if (j->is_number_integer()) return std::to_string(j->get<std::int64_t>());
  return {};
}

bool is_iso_like(std::string_view s) {
  return s.size() == 3 && std::all_of(s.begin(), s.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// A PLOVER actor: a name (or a country code) or an object with name and country.
EventActor plover_actor(const json& item, const std::string& default_country) {
  EventActor a;
  std::string name, country = default_country, code;
  if (item.is_string()) {
    name = item.get<std::string>();
  } else if (item.is_object()) {
    name = string_of(member(item, {"name", "actor", "actor_name", "text"}));
    country = string_of(member(item, {"country", "country_code", "actor_country"}));
    code = string_of(member(item, {"code", "id"}));
    if (name.empty()) name = code;
  }
  if (name.empty()) return a;
  a.name = name;
  a.country = country;
  if ((country.empty() && is_iso_like(name)) || (!country.empty() && (name == country || code == country))) {
    a.is_country = true;
    if (a.country.empty()) a.country = name;
    a.id = a.country;
    a.type = core::ActorType::country;
    return a;
  }
  a.id = slug(name, 60);
  return a;
}

std::vector<const json*> actor_list(const json& rec, std::initializer_list<const char*> keys) {
  std::vector<const json*> out;
  if (const json* j = member(rec, keys)) {
    if (j->is_array()) {
      for (const auto& x : *j) out.push_back(&x);
    } else {
      out.push_back(j);
    }
  }
  return out;
}

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  if (name == "gdelt1") return Format::gdelt1;
  if (name == "gdelt2") return Format::gdelt2;
  if (name == "icews") return Format::icews;
  if (name == "plover") return Format::plover;
  return std::nullopt;
}

std::string_view to_string(Format f) noexcept {
  switch (f) {
    case Format::gdelt1: return "gdelt1";
    case Format::gdelt2: return "gdelt2";
    case Format::icews: return "icews";
    case Format::plover: return "plover";
  }
  return "?";
}

std::string slug(std::string_view name, std::size_t max) {
  std::string out;
  bool dash = false;
  for (const char ch : name) {
    auto c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      if (out.size() >= max) break;
      if (dash && !out.empty()) out.push_back('-');
      dash = false;
      out.push_back(static_cast<char>(c));
    } else {
      dash = true;
    }
  }
  return out;
}

bool EventParser::header(std::string_view line, Problem& problem) {
  split_tabs(line, fields_);
  icews_columns_.assign(icews_names.size(), -1);
  for (std::size_t i = 0; i < fields_.size(); ++i)
    for (std::size_t k = 0; k < icews_names.size(); ++k)
      if (fields_[i] == icews_names[k]) icews_columns_[k] = static_cast<int>(i);
  for (int k = 0; k < kRequired; ++k)
    if (icews_columns_[static_cast<std::size_t>(k)] < 0)
      return fail(problem, std::string(icews_names[static_cast<std::size_t>(k)]),
                  "the ICEWS header has no '" + std::string(icews_names[static_cast<std::size_t>(k)]) + "' column");
  icews_columns_.push_back(static_cast<int>(fields_.size()));  // expected field count
  return true;
}

bool EventParser::parse(std::string_view record, std::vector<Event>& out, Problem& problem) {
  out.clear();
  if (format_ == Format::plover) return parse_plover(record, out, problem);
  Event& e = out.emplace_back();
  const bool ok = format_ == Format::icews ? parse_icews(record, e, problem) : parse_gdelt(record, e, problem);
  if (!ok) out.clear();
  return ok;
}

bool EventParser::parse_gdelt(std::string_view line, Event& e, Problem& p) {
  split_tabs(line, fields_);
  const auto n = fields_.size();
  const bool v2 = format_ == Format::gdelt2;
  if (v2 ? n != 61 : (n != 57 && n != 58))
    return fail(p, "", std::string("expected ") + (v2 ? "61" : "57 or 58") + " tab-separated columns, got " + std::to_string(n));
  const auto f = [&](std::size_t i) { return fields_[i]; };
  if (!all_digits(f(0))) return fail(p, "GLOBALEVENTID", "'" + clip(f(0)) + "' is not an event number");
  e.event_id = std::string(f(0));
  if (f(1).size() != 8 || !all_digits(f(1))) return fail(p, "SQLDATE", "'" + clip(f(1)) + "' is not a YYYYMMDD date");
  const auto d = core::Date::from_ymd(std::atoi(std::string(f(1).substr(0, 4)).c_str()),
                                      static_cast<unsigned>(std::atoi(std::string(f(1).substr(4, 2)).c_str())),
                                      static_cast<unsigned>(std::atoi(std::string(f(1).substr(6, 2)).c_str())));
  if (!d) return fail(p, "SQLDATE", "'" + clip(f(1)) + "' is not a calendar date");
  e.date = *d;
  e.subject = gdelt_actor(f(5), f(6), f(7), f(8), f(12));
  e.object = gdelt_actor(f(15), f(16), f(17), f(18), f(22));
  if (e.subject.empty()) return fail(p, "Actor1Code", "the event has no first actor");
  if (!cameo_code(f(26))) return fail(p, "EventCode", "'" + clip(f(26)) + "' is not a CAMEO event code");
  e.code = std::string(f(26));
  json attrs = json::object();
  const std::array<std::pair<std::size_t, const char*>, 4> measures{
      {{31, "num_mentions"}, {32, "num_sources"}, {33, "num_articles"}, {34, "avg_tone"}}};
  static constexpr const char* names[] = {"NumMentions", "NumSources", "NumArticles", "AvgTone"};
  for (const auto& [col, key] : measures) {
    if (col == 34) {
      const auto v = number(f(col));
      if (!v) return fail(p, names[col - 31], "'" + clip(f(col)) + "' is not a number");
      attrs[key] = *v;
    } else {
      const auto v = whole_number(f(col));
      if (!v) return fail(p, names[col - 31], "'" + clip(f(col)) + "' is not a whole number");
      attrs[key] = *v;
    }
  }
  attrs["is_root_event"] = f(25) == "1";
  const std::size_t geo = v2 ? 52 : 50;  // ActionGeo_FullName
  if (!f(geo).empty()) attrs["action_geo"] = std::string(f(geo));
  if (!f(geo + 1).empty()) attrs["action_geo_country"] = std::string(f(geo + 1));
  e.attributes = json_text(attrs);
  e.url = v2 ? std::string(f(60)) : n == 58 ? std::string(f(57)) : std::string();
  return true;
}

bool EventParser::parse_icews(std::string_view line, Event& e, Problem& p) {
  if (icews_columns_.empty()) return fail(p, "", "the ICEWS header is missing");
  split_tabs(line, fields_);
  const auto expected = static_cast<std::size_t>(icews_columns_.back());
  if (fields_.size() != expected)
    return fail(p, "", "expected " + std::to_string(expected) + " tab-separated columns, got " + std::to_string(fields_.size()));
  const auto f = [&](int k) {
    const int c = icews_columns_[static_cast<std::size_t>(k)];
    return c < 0 ? std::string_view() : fields_[static_cast<std::size_t>(c)];
  };
  auto d = core::Date::parse(f(kDate));
  if (!d) return fail(p, "Event Date", "'" + clip(f(kDate)) + "' is not a YYYY-MM-DD date");
  e.date = *d;
  if (!all_digits(f(kId))) return fail(p, "Event ID", "'" + clip(f(kId)) + "' is not an event number");
  e.event_id = d->to_string() + "/" + std::string(f(kId));  // Event IDs repeat across days
  e.subject = icews_actor(f(kSrcName), f(kSrcSectors), f(kSrcCountry));
  e.object = icews_actor(f(kTgtName), f(kTgtSectors), f(kTgtCountry));
  if (e.subject.empty()) return fail(p, "Source Name", "the event has no source actor");
  if (!cameo_code(f(kCode))) return fail(p, "CAMEO Code", "'" + clip(f(kCode)) + "' is not a CAMEO event code");
  e.code = std::string(f(kCode));
  json attrs = json::object();
  if (auto v = number(f(kIntensity))) attrs["intensity"] = *v;
  if (!na(f(kText)).empty()) attrs["event_text"] = std::string(f(kText));
  if (!na(f(kStory)).empty()) attrs["story_id"] = std::string(f(kStory));
  if (auto v = whole_number(f(kSentence))) attrs["sentence_number"] = *v;
  if (!na(f(kCountry)).empty()) attrs["location_country"] = std::string(f(kCountry));
  e.attributes = json_text(attrs);
  e.publisher = std::string(na(f(kPublisher)));
  return true;
}

bool EventParser::parse_plover(std::string_view text, std::vector<Event>& out, Problem& p) {
  const json rec = json::parse(text, nullptr, false);
  if (rec.is_discarded()) return fail(p, "", "not valid JSON");
  if (!rec.is_object()) return fail(p, "", "a PLOVER record must be a JSON object");
  const std::string id = string_of(member(rec, {"id", "event_id", "Event ID"}));
  if (id.empty()) return fail(p, "id", "the record has no id");
  std::string date = string_of(member(rec, {"date", "event_date", "Event Date", "story_date", "Story Date"}));
  if (date.size() > 10 && (date[10] == 'T' || date[10] == ' ')) date.resize(10);
  auto d = core::Date::parse(date);
  if (!d) return fail(p, "date", "'" + clip(date) + "' is not a YYYY-MM-DD date");
  std::string type = string_of(member(rec, {"event_type", "event", "Event Type"}));
  std::transform(type.begin(), type.end(), type.begin(), [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
  if (type.empty()) return fail(p, "event_type", "the record has no event_type");
  const std::string actor_country = string_of(member(rec, {"actor_country", "Actor Country", "source_country"}));
  const std::string recipient_country = string_of(member(rec, {"recipient_country", "Recipient Country", "target_country"}));
  std::vector<EventActor> actors, recipients;
  for (const json* j : actor_list(rec, {"actors", "actor", "source_actor", "Actor Name"}))
    if (auto a = plover_actor(*j, actor_country); !a.empty()) actors.push_back(std::move(a));
  for (const json* j : actor_list(rec, {"recipients", "recipient", "target_actor", "target", "Recipient Name"}))
    if (auto a = plover_actor(*j, recipient_country); !a.empty()) recipients.push_back(std::move(a));
  if (actors.empty()) return fail(p, "actors", "the record names no actor");
  json attrs = json::object();
  attrs["plover_type"] = type;
  if (const json* j = member(rec, {"mode", "event_mode", "Event Mode"})) attrs["mode"] = *j;
  if (const json* j = member(rec, {"context", "contexts", "Contexts"})) attrs["context"] = *j;
  if (const json* j = member(rec, {"intensity", "Event Intensity"})) attrs["intensity"] = *j;
  const std::string attributes = json_text(attrs);
  const std::string url = string_of(member(rec, {"url", "source_url", "story_url", "Source URL"}));
  const std::string publisher = string_of(member(rec, {"publisher", "Publisher", "feed"}));
  if (recipients.empty()) recipients.emplace_back();
  const bool many = actors.size() * recipients.size() > 1;
  std::size_t k = 0;
  for (const auto& a : actors) {
    for (const auto& r : recipients) {
      if (!r.empty() && r.id == a.id) continue;
      Event& e = out.emplace_back();
      e.event_id = many ? id + "#" + std::to_string(++k) : id;
      e.subject = a;
      e.object = r;
      e.plover_type = type;
      e.date = *d;
      e.url = url;
      e.publisher = publisher;
      e.attributes = attributes;
    }
  }
  if (out.empty()) return fail(p, "recipients", "every recipient is the actor itself");
  return true;
}

bool JsonRecordSplitter::feed(std::string_view line, std::int64_t line_number) {
  for (const char c : line) {
    if (depth_ == 0) {
      if (c == '{') {
        depth_ = 1;
        cur_.assign(1, c);
        start_line_ = line_number;
        in_string_ = escape_ = false;
      } else if (c != '[' && c != ']' && c != ',' && c != ' ' && c != '\t' && c != '\r') {
        return false;
      }
      continue;
    }
    cur_.push_back(c);
    if (in_string_) {
      if (escape_) {
        escape_ = false;
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
    } else if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) ready_.emplace_back(std::move(cur_), start_line_);
    }
  }
  if (depth_ > 0) cur_.push_back('\n');
  return true;
}

bool JsonRecordSplitter::take(std::string& text, std::int64_t& line) {
  if (next_ == ready_.size()) {
    ready_.clear();
    next_ = 0;
    return false;
  }
  text = std::move(ready_[next_].first);
  line = ready_[next_].second;
  ++next_;
  return true;
}

}  // namespace geokg::ingest
