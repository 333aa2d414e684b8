#include "api/graph_formats.hpp"

#include <cmath>
#include <cstdio>

namespace geokg::api {

namespace {

void xml_escaped(std::string_view s, std::string& out) {
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline and carriage return.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
}

void dot_quoted(std::string_view s, std::string& out) {
  out += '"';
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  out += '"';
}

std::string number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", std::round(x * 100.0) / 100.0);
  return buf;
}

// "--" may not appear inside an XML comment.
void xml_comment(std::string_view note, std::string& out) {
  if (note.empty()) return;
  out += "<!-- ";
  for (std::size_t i = 0; i < note.size(); ++i)
    out += note[i] == '-' && i + 1 < note.size() && note[i + 1] == '-' ? '_' : note[i];
  out += " -->\n";
}

void graphml_data(std::string_view key, std::string_view value, std::string& out) {
  out += "<data key=\"";
  out += key;
  out += "\">";
  xml_escaped(value, out);
  out += "</data>";
}

void gexf_value(int id, std::string_view value, std::string& out) {
  out += "<attvalue for=\"" + std::to_string(id) + "\" value=\"";
  xml_escaped(value, out);
  out += "\"/>";
}

}  // namespace

std::optional<GraphFormat> parse_graph_format(std::string_view name) {
  if (name == "graphml") return GraphFormat::graphml;
  if (name == "gexf") return GraphFormat::gexf;
  if (name == "dot") return GraphFormat::dot;
  return std::nullopt;
}

std::string_view content_type(GraphFormat f) {
  switch (f) {
    case GraphFormat::graphml:
      return "application/graphml+xml; charset=utf-8";
    case GraphFormat::gexf:
      return "application/gexf+xml; charset=utf-8";
    case GraphFormat::dot:
      return "text/vnd.graphviz; charset=utf-8";
  }
  return "text/plain";
}

void begin_graph(GraphFormat f, std::string_view note, std::string& out) {
  switch (f) {
    case GraphFormat::graphml:
      out +=
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" "
          "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
          "xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
          "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n";
      xml_comment(note, out);
      out +=
          "<key id=\"n_label\" for=\"node\" attr.name=\"label\" attr.type=\"string\"/>\n"
          "<key id=\"n_type\" for=\"node\" attr.name=\"type\" attr.type=\"string\"/>\n"
          "<key id=\"n_country\" for=\"node\" attr.name=\"country\" attr.type=\"string\"/>\n"
          "<key id=\"n_degree\" for=\"node\" attr.name=\"degree\" attr.type=\"long\"/>\n"
          "<key id=\"n_weight\" for=\"node\" attr.name=\"triples\" attr.type=\"long\"/>\n"
          "<key id=\"e_relation\" for=\"edge\" attr.name=\"relation\" attr.type=\"string\"/>\n"
          "<key id=\"e_code\" for=\"edge\" attr.name=\"relation_code\" attr.type=\"string\"/>\n"
          "<key id=\"e_weight\" for=\"edge\" attr.name=\"weight\" attr.type=\"double\"/>\n"
          "<key id=\"e_goldstein\" for=\"edge\" attr.name=\"goldstein_total\" attr.type=\"double\"/>\n"
          "<key id=\"e_first\" for=\"edge\" attr.name=\"first_date\" attr.type=\"string\"/>\n"
          "<key id=\"e_last\" for=\"edge\" attr.name=\"last_date\" attr.type=\"string\"/>\n"
          "<graph id=\"geokg\" edgedefault=\"directed\">\n";
      return;
    case GraphFormat::gexf:
      out +=
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
          "<gexf xmlns=\"http://gexf.net/1.3\" version=\"1.3\">\n";
      xml_comment(note, out);
      out +=
          "<meta><creator>geokg</creator></meta>\n"
          "<graph defaultedgetype=\"directed\" mode=\"static\">\n"
          "<attributes class=\"node\">"
          "<attribute id=\"0\" title=\"type\" type=\"string\"/>"
          "<attribute id=\"1\" title=\"country\" type=\"string\"/>"
          "<attribute id=\"2\" title=\"degree\" type=\"long\"/>"
          "<attribute id=\"3\" title=\"triples\" type=\"long\"/>"
          "</attributes>\n"
          "<attributes class=\"edge\">"
          "<attribute id=\"0\" title=\"relation_code\" type=\"string\"/>"
          "<attribute id=\"1\" title=\"goldstein_total\" type=\"double\"/>"
          "<attribute id=\"2\" title=\"first_date\" type=\"string\"/>"
          "<attribute id=\"3\" title=\"last_date\" type=\"string\"/>"
          "</attributes>\n"
          "<nodes>\n";
      return;
    case GraphFormat::dot:
      out += "digraph geokg {\n";
      if (!note.empty()) {
        out += "  // ";
        for (const char c : note) out += c == '\n' ? ' ' : c;
        out += '\n';
      }
      return;
  }
}

void write_node(GraphFormat f, const NodeOut& n, std::string& out) {
  switch (f) {
    case GraphFormat::graphml:
      out += "<node id=\"";
      xml_escaped(n.id, out);
      out += "\">";
      graphml_data("n_label", n.label, out);
      graphml_data("n_type", n.type, out);
      if (!n.country.empty()) graphml_data("n_country", n.country, out);
      graphml_data("n_degree", std::to_string(n.degree), out);
      graphml_data("n_weight", std::to_string(n.weight), out);
      out += "</node>\n";
      return;
    case GraphFormat::gexf:
      out += "<node id=\"";
      xml_escaped(n.id, out);
      out += "\" label=\"";
      xml_escaped(n.label, out);
      out += "\"><attvalues>";
      gexf_value(0, n.type, out);
      if (!n.country.empty()) gexf_value(1, n.country, out);
      gexf_value(2, std::to_string(n.degree), out);
      gexf_value(3, std::to_string(n.weight), out);
      out += "</attvalues></node>\n";
      return;
    case GraphFormat::dot:
      out += "  ";
      dot_quoted(n.id, out);
      out += " [label=";
      dot_quoted(n.label, out);
      out += ", type=";
      dot_quoted(n.type, out);
      if (!n.country.empty()) {
        out += ", country=";
        dot_quoted(n.country, out);
      }
      out += ", degree=" + std::to_string(n.degree) + ", triples=" + std::to_string(n.weight) + "];\n";
      return;
  }
}

void begin_edges(GraphFormat f, std::string& out) {
  if (f == GraphFormat::gexf) out += "</nodes>\n<edges>\n";
}

void write_edge(GraphFormat f, const EdgeOut& e, std::uint64_t index, std::string& out) {
  switch (f) {
    case GraphFormat::graphml:
      out += "<edge id=\"e" + std::to_string(index) + "\" source=\"";
      xml_escaped(e.source, out);
      out += "\" target=\"";
      xml_escaped(e.target, out);
      out += "\">";
      graphml_data("e_relation", e.relation, out);
      graphml_data("e_code", e.relation_code, out);
      graphml_data("e_weight", std::to_string(e.count), out);
      graphml_data("e_goldstein", number(e.goldstein_total), out);
      graphml_data("e_first", e.first_date, out);
      graphml_data("e_last", e.last_date, out);
      out += "</edge>\n";
      return;
    case GraphFormat::gexf:
      out += "<edge id=\"" + std::to_string(index) + "\" source=\"";
      xml_escaped(e.source, out);
      out += "\" target=\"";
      xml_escaped(e.target, out);
      out += "\" label=\"";
      xml_escaped(e.relation, out);
      out += "\" kind=\"";
      xml_escaped(e.relation, out);
      out += "\" weight=\"" + std::to_string(e.count) + "\"><attvalues>";
      gexf_value(0, e.relation_code, out);
      gexf_value(1, number(e.goldstein_total), out);
      gexf_value(2, e.first_date, out);
      gexf_value(3, e.last_date, out);
      out += "</attvalues></edge>\n";
      return;
    case GraphFormat::dot:
      out += "  ";
      dot_quoted(e.source, out);
      out += " -> ";
      dot_quoted(e.target, out);
      out += " [label=";
      dot_quoted(e.relation, out);
      out += ", relation_code=";
      dot_quoted(e.relation_code, out);
      out += ", count=" + std::to_string(e.count) + ", weight=" + std::to_string(e.count) +
             ", goldstein_total=" + number(e.goldstein_total) + ", first_date=";
      dot_quoted(e.first_date, out);
      out += ", last_date=";
      dot_quoted(e.last_date, out);
      out += "];\n";
      return;
  }
}

void end_graph(GraphFormat f, std::string& out) {
  switch (f) {
    case GraphFormat::graphml:
      out += "</graph>\n</graphml>\n";
      return;
    case GraphFormat::gexf:
      out += "</edges>\n</graph>\n</gexf>\n";
      return;
    case GraphFormat::dot:
      out += "}\n";
      return;
  }
}

}  // namespace geokg::api
