#pragma once

// Internal to engine/: reading every triple at start-up.

#include "core/error.hpp"
#include "core/model.hpp"
#include "storage/store.hpp"

#include <cstdint>
#include <vector>

namespace geokg::engine {

// Every triple in id order, read on two reader connections at once when there are many;
// `assertions` is set to the sum of their evidence counts.
core::Result<std::vector<core::TripleRecord>> load_all_triples(storage::Store& store, std::int64_t& assertions);

}  // namespace geokg::engine
