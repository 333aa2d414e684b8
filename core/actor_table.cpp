#include "core/actor_table.hpp"

#include "core/text.hpp"

#include <set>

namespace geokg::core {

Result<std::vector<ActorTableRow>> parse_actor_table(std::string_view text) {
  std::vector<ActorTableRow> out;
  std::set<std::string, std::less<>> ids;
  std::size_t line_no = 0;
  for (std::string_view line : split_lines(text)) {
    ++line_no;
    if (trim(line).empty() || line.front() == '#') continue;
    const auto f = split(line, '\t');
    const auto where = "actor table line " + std::to_string(line_no) + ": ";
    if (f.size() < 4 || f.size() > 6)
      return invalid_argument(where + "expected 4 to 6 tab-separated fields, got " + std::to_string(f.size()));
    ActorTableRow row;
    row.line = line_no;
    row.actor.id = std::string(trim(f[0]));
    row.actor.name = std::string(trim(f[1]));
    if (row.actor.id.empty() || row.actor.name.empty()) return invalid_argument(where + "id and name are required");
    auto type = parse_actor_type(trim(f[2]));
    if (!type) return invalid_argument(where + type.error().detail);
    row.actor.type = *type;
    row.actor.country = std::string(trim(f[3]));
    if (f.size() >= 5) {
      for (std::string_view a : split(f[4], '|')) {
        a = trim(a);
        if (!a.empty()) row.actor.aliases.emplace_back(a);
      }
    }
    if (f.size() == 6) row.extra = std::string(trim(f[5]));
    if (!ids.insert(row.actor.id).second) return invalid_argument(where + "duplicate id " + row.actor.id);
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace geokg::core
