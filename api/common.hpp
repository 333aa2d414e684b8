#pragma once

#include "api/router.hpp"
#include "engine/engine.hpp"

#include <vector>

namespace geokg::api {

// The filter parameters shared by triple listings, relation aggregates and analytics.
std::vector<ParamDoc> filter_param_docs();
core::Result<engine::FilterSpec> parse_filter(const QueryParams& q);

inline ParamDoc limit_doc() { return {"limit", "integer", "page size, 1 to 1000 (default 100)"}; }
inline ParamDoc cursor_doc() { return {"cursor", "string", "next_cursor of the previous page"}; }
core::Result<std::size_t> parse_limit(const QueryParams& q);

}  // namespace geokg::api
