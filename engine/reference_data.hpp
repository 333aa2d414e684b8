#pragma once

#include "core/error.hpp"
#include "core/model.hpp"

#include <vector>

namespace geokg::engine {

// The reference data compiled into the binary: the CAMEO relation types and the actor tables
// (countries, IGOs, groups, people) from data/.
core::Result<std::vector<core::RelationType>> reference_relation_types();
core::Result<std::vector<core::Actor>> reference_actors();

}  // namespace geokg::engine
