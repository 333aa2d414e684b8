#pragma once

// Graph documents for Gephi, yEd and Graphviz: GraphML, GEXF 1.3 and DOT, written piece by piece
// so that exports can stream. (Boost's writers need a Boost graph with dynamic properties and
// have no GEXF; one small writer serves the three formats.)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace geokg::api {

enum class GraphFormat : std::uint8_t { graphml, gexf, dot };

std::optional<GraphFormat> parse_graph_format(std::string_view name);
std::string_view content_type(GraphFormat f);

struct NodeOut {
  std::string_view id, label, type, country;
  std::uint64_t degree = 0;
  std::uint64_t weight = 0;  // counted triples touching the node
};

struct EdgeOut {
  std::string_view source, target, relation, relation_code;
  std::uint32_t count = 0;
  double goldstein_total = 0.0;
  std::string_view first_date, last_date;
};

// The document is: begin_graph, nodes, begin_edges, edges, end_graph. `note` becomes a comment.
void begin_graph(GraphFormat f, std::string_view note, std::string& out);
void write_node(GraphFormat f, const NodeOut& n, std::string& out);
void begin_edges(GraphFormat f, std::string& out);
void write_edge(GraphFormat f, const EdgeOut& e, std::uint64_t index, std::string& out);
void end_graph(GraphFormat f, std::string& out);

}  // namespace geokg::api
