#pragma once

#include "core/error.hpp"
#include "core/model.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace geokg::core {

// One row of an actor table in the project's format (data/actors/*.tsv):
// id, name, type, country, aliases ('|'-separated), and one file-specific extra column
// (adjectives for countries, IGOs and groups; dated roles for people), kept as text.
struct ActorTableRow {
  Actor actor;
  std::string extra;
  std::size_t line = 0;
};

// Parses tab-separated rows with 4 to 6 fields; '#' starts a comment line. Rejects bad types,
// empty ids or names, and duplicate ids, naming the line.
Result<std::vector<ActorTableRow>> parse_actor_table(std::string_view text);

}  // namespace geokg::core
