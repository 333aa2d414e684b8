#include "core/relation_catalog.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace geokg::core {

namespace {
bool is_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

Result<std::vector<RelationType>> parse_relation_types_tsv(std::string_view text) {
  std::vector<RelationType> out;
  std::set<std::string, std::less<>> codes, slugs;
  std::size_t line_no = 0;
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    if (line.empty() || line.front() == '#') continue;
    const auto f = split(line, '\t');
    const auto where = "relation types line " + std::to_string(line_no) + ": ";
    if (f.size() != 7) return invalid_argument(where + "expected 7 tab-separated fields, got " + std::to_string(f.size()));
    RelationType t;
    t.code = std::string(f[0]);
    t.slug = std::string(f[1]);
    t.name = std::string(f[2]);
    t.root = std::string(f[3]);
    if (!is_digits(t.code) || t.code.size() < 2 || t.code.size() > 4) return invalid_argument(where + "bad code");
    if (t.root != t.code.substr(0, 2)) return invalid_argument(where + "root does not prefix code");
    int quad = 0;
    if (std::from_chars(f[4].data(), f[4].data() + f[4].size(), quad).ec != std::errc{} || quad < 1 || quad > 4)
      return invalid_argument(where + "quad_class must be 1..4");
    t.quad_class = static_cast<QuadClass>(quad);
    const std::string g(f[5]);
    char* endp = nullptr;
    t.goldstein = std::strtod(g.c_str(), &endp);
    if (g.empty() || *endp != '\0' || t.goldstein < -10.0 || t.goldstein > 10.0)
      return invalid_argument(where + "goldstein must be a number in -10..10");
    t.plover = f[6] == "-" ? std::string() : std::string(f[6]);
    if (!codes.insert(t.code).second) return invalid_argument(where + "duplicate code " + t.code);
    if (!slugs.insert(t.slug).second) return invalid_argument(where + "duplicate slug " + t.slug);
    out.push_back(std::move(t));
  }
  std::sort(out.begin(), out.end(), [](const RelationType& a, const RelationType& b) { return a.code < b.code; });
  return out;
}

RelationCatalog::RelationCatalog(std::vector<RelationType> types) : types_(std::move(types)) {
  for (std::size_t i = 0; i < types_.size(); ++i) {
    const auto idx = static_cast<RelationIdx>(i);
    by_key_.emplace(types_[i].code, idx);
    by_key_.emplace(types_[i].slug, idx);
  }
}

std::optional<RelationIdx> RelationCatalog::find(std::string_view code_or_slug) const {
  const auto it = by_key_.find(std::string(code_or_slug));
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

std::vector<RelationIdx> RelationCatalog::with_prefix(std::string_view prefix) const {
  std::vector<RelationIdx> out;
  for (std::size_t i = 0; i < types_.size(); ++i)
    if (std::string_view(types_[i].code).substr(0, prefix.size()) == prefix) out.push_back(static_cast<RelationIdx>(i));
  return out;
}

bool RelationCatalog::is_root(std::string_view s) noexcept {
  return s.size() == 2 && is_digits(s) && s >= "01" && s <= "20";
}

}  // namespace geokg::core
