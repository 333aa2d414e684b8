#include "engine/triple_spec.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

namespace geokg::engine {

using json = nlohmann::ordered_json;

namespace {

void problem(std::vector<core::ErrorItem>& errors, std::int64_t index, std::string field, std::string message) {
  errors.push_back({index, std::move(field), std::move(message)});
}

bool get_string(const json& obj, const char* key, std::string& out, std::int64_t index, const std::string& prefix,
                std::vector<core::ErrorItem>& errors, bool required) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) problem(errors, index, prefix + key, std::string(key) + " is required");
    return !required;
  }
  if (!it->is_string()) {
    problem(errors, index, prefix + key, std::string(key) + " must be a string");
    return false;
  }
  out = it->get<std::string>();
  return true;
}

bool check_members(const json& obj, std::initializer_list<const char*> allowed, std::int64_t index,
                   const std::string& prefix, std::vector<core::ErrorItem>& errors) {
  bool ok = true;
  for (const auto& [k, v] : obj.items()) {
    bool known = false;
    for (const char* a : allowed) known = known || k == a;
    if (!known) {
      problem(errors, index, prefix + k, "unknown member '" + k + "'");
      ok = false;
    }
  }
  return ok;
}

bool get_offset(const json& obj, const char* key, std::optional<std::int64_t>& out, std::int64_t index,
                std::vector<core::ErrorItem>& errors) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_number_integer() || it->get<std::int64_t>() < 0) {
    problem(errors, index, std::string("evidence.") + key, std::string(key) + " must be a non-negative integer");
    return false;
  }
  out = it->get<std::int64_t>();
  return true;
}

}  // namespace

bool decode_triple_spec(const json& row, std::int64_t index, TripleSpec& out, std::vector<core::ErrorItem>& errors) {
  const auto before = errors.size();
  if (!row.is_object()) {
    problem(errors, index, "", "each triple must be a JSON object");
    return false;
  }
  check_members(row, {"subject", "relation", "object", "date", "polarity", "confidence", "source", "evidence"}, index,
                "", errors);
  get_string(row, "subject", out.subject, index, "", errors, true);
  get_string(row, "relation", out.relation, index, "", errors, true);
  get_string(row, "date", out.date, index, "", errors, true);
  std::string obj;
  if (row.contains("object") && !row["object"].is_null()) {
    if (get_string(row, "object", obj, index, "", errors, false)) out.object = obj;
  } else if (!row.contains("object")) {
    problem(errors, index, "object", "object is required (use null for an event without a target)");
  }
  if (row.contains("polarity")) get_string(row, "polarity", out.polarity, index, "", errors, false);
  if (const auto it = row.find("confidence"); it != row.end() && !it->is_null()) {
    if (!it->is_number()) {
      problem(errors, index, "confidence", "confidence must be a number between 0 and 1");
    } else {
      out.confidence = it->get<double>();
    }
  }
  if (const auto it = row.find("source"); it != row.end() && !it->is_null()) {
    if (!it->is_object()) {
      problem(errors, index, "source", "source must be an object");
    } else {
      check_members(*it, {"url", "title", "publisher", "published_at"}, index, "source.", errors);
      get_string(*it, "url", out.source.url, index, "source.", errors, false);
      get_string(*it, "title", out.source.title, index, "source.", errors, false);
      get_string(*it, "publisher", out.source.publisher, index, "source.", errors, false);
      get_string(*it, "published_at", out.source.published_at, index, "source.", errors, false);
    }
  }
  if (const auto it = row.find("evidence"); it != row.end() && !it->is_null()) {
    if (!it->is_object()) {
      problem(errors, index, "evidence", "evidence must be an object");
    } else {
      check_members(*it, {"text", "start", "end"}, index, "evidence.", errors);
      get_string(*it, "text", out.evidence_text, index, "evidence.", errors, false);
      get_offset(*it, "start", out.evidence_start, index, errors);
      get_offset(*it, "end", out.evidence_end, index, errors);
    }
  }
  return errors.size() == before;
}

core::Result<CsvLayout> parse_csv_header(const std::vector<std::string>& header) {
  CsvLayout l;
  l.columns = header.size();
  std::set<std::string> seen;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const std::string& h = header[i];
    const int col = static_cast<int>(i);
    if (!seen.insert(h).second) return core::invalid_argument("CSV header names column '" + h + "' twice");
    if (h == "subject") l.subject = col;
    else if (h == "relation") l.relation = col;
    else if (h == "object") l.object = col;
    else if (h == "date") l.date = col;
    else if (h == "polarity") l.polarity = col;
    else if (h == "confidence" || h == "weight") l.confidence = col;
    else if (h == "source_url") l.source_url = col;
    else if (h == "source_title") l.source_title = col;
    else if (h == "source_publisher") l.source_publisher = col;
    else if (h == "published_at") l.published_at = col;
    else if (h == "evidence") l.evidence = col;
    else
      return core::invalid_argument("unknown CSV column '" + h +
                                    "'; expected subject, relation, object, date, polarity, confidence, source_url, "
                                    "source_title, source_publisher, published_at, evidence");
  }
  if (l.subject < 0 || l.relation < 0 || l.object < 0 || l.date < 0)
    return core::invalid_argument("the CSV header must name subject, relation, object and date");
  return l;
}

bool decode_csv_triple(const CsvLayout& l, const std::vector<std::string>& f, std::int64_t index, TripleSpec& out,
                       std::vector<core::ErrorItem>& errors) {
  if (f.size() != l.columns) {
    problem(errors, index, "", "expected " + std::to_string(l.columns) + " fields, got " + std::to_string(f.size()));
    return false;
  }
  const auto at = [&f](int col) -> std::string { return col >= 0 ? f[static_cast<std::size_t>(col)] : std::string(); };
  out.subject = at(l.subject);
  out.relation = at(l.relation);
  if (!at(l.object).empty()) out.object = at(l.object);
  out.date = at(l.date);
  if (!at(l.polarity).empty()) out.polarity = at(l.polarity);
  if (!at(l.confidence).empty()) {
    const std::string c = at(l.confidence);
    char* end = nullptr;
    out.confidence = std::strtod(c.c_str(), &end);
    if (end == c.c_str() || *end != '\0' || !std::isfinite(out.confidence)) {
      problem(errors, index, "confidence", "confidence must be a number between 0 and 1");
      return false;
    }
  }
  out.source.url = at(l.source_url);
  out.source.title = at(l.source_title);
  out.source.publisher = at(l.source_publisher);
  out.source.published_at = at(l.published_at);
  out.evidence_text = at(l.evidence);
  return true;
}

bool read_csv_record(std::string_view text, std::size_t& pos, std::vector<std::string>& fields) {
  fields.clear();
  std::string cur;
  bool quoted = false;
  std::size_t i = pos;
  for (;;) {
    if (i >= text.size()) {
      if (quoted) return false;
      fields.push_back(std::move(cur));
      pos = i;
      return true;
    }
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cur.push_back('"');
          i += 2;
          continue;
        }
        quoted = false;
        ++i;
        continue;
      }
      cur.push_back(c);
      ++i;
      continue;
    }
    if (c == '"' && cur.empty()) {
      quoted = true;
      ++i;
    } else if (c == ',') {
      fields.push_back(std::move(cur));
      cur.clear();
      ++i;
    } else if (c == '\n' || c == '\r') {
      fields.push_back(std::move(cur));
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      pos = i + 1;
      return true;
    } else {
      cur.push_back(c);
      ++i;
    }
  }
}

}  // namespace geokg::engine
