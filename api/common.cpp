#include "api/common.hpp"

#include <charconv>

namespace geokg::api {

std::vector<ParamDoc> filter_param_docs() {
  return {
      {"relation", "list", "CAMEO codes or slugs, comma-separated (exact codes; use root for a whole root)"},
      {"root", "list", "CAMEO roots 01..20, comma-separated"},
      {"quad_class", "list", "1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict"},
      {"polarity", "list", "asserted (default), negated, denied; comma-separated"},
      {"since", "date", "first day, inclusive (YYYY-MM-DD)"},
      {"until", "date", "last day, inclusive (YYYY-MM-DD)"},
      {"min_confidence", "number", "only triples with at least this confidence (0..1)"},
      {"include_retracted", "boolean", "also return retracted triples (default false)"},
  };
}

core::Result<engine::FilterSpec> parse_filter(const QueryParams& q) {
  engine::FilterSpec f;
  f.relations = q.list("relation");
  f.roots = q.list("root");
  for (const auto& s : q.list("quad_class")) {
    int v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size() || v < 1 || v > 4)
      return core::invalid_parameter("quad_class", "quad_class must be 1, 2, 3 or 4, got '" + s.substr(0, 20) + "'");
    f.quad_classes.push_back(v);
  }
  f.polarities = q.list("polarity");
  auto since = q.date("since");
  if (!since) return since.error();
  f.since = *since;
  auto until = q.date("until");
  if (!until) return until.error();
  f.until = *until;
  auto mc = q.number("min_confidence", 0.0, 0.0, 1.0);
  if (!mc) return mc.error();
  f.min_confidence = *mc;
  auto ir = q.boolean("include_retracted", false);
  if (!ir) return ir.error();
  f.include_retracted = *ir;
  return f;
}

core::Result<std::size_t> parse_limit(const QueryParams& q) {
  auto v = q.integer("limit", 100, 1, 1000);
  if (!v) return v.error();
  return static_cast<std::size_t>(*v);
}

}  // namespace geokg::api
