// `geokg import` and `geokg export`: the project's triple format as JSONL or CSV files.
#include "api/json_codec.hpp"
#include "app/commands.hpp"
#include "app/options.hpp"
#include "core/text.hpp"
#include "engine/actor_directory.hpp"
#include "engine/engine.hpp"
#include "engine/triple_spec.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

namespace geokg::app {

namespace {

using json = nlohmann::ordered_json;

bool read_all(const std::string& path, std::istream& in, std::string& out, std::ostream& err, const char* what) {
  if (path == "-") {
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    err << "geokg import: cannot open " << what << " '" << path << "'\n";
    return false;
  }
  out.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

std::unique_ptr<engine::Engine> open_engine(const std::string& db, std::ostream& err, const char* command) {
  engine::Options o;
  o.db_path = db;
  auto e = engine::Engine::open(o);
  if (!e) {
    err << "geokg " << command << ": cannot open " << db << ": " << e.error().detail << '\n';
    return nullptr;
  }
  return std::move(*e);
}

// ACTORS.csv: header id,name,type,country[,aliases] (any order); aliases separated by '|'.
bool parse_actors_csv(const std::string& text, std::vector<engine::ActorSpec>& out, std::ostream& err) {
  std::size_t pos = 0;
  std::vector<std::string> f;
  if (!engine::read_csv_record(text, pos, f)) {
    err << "geokg import: the actors file has an unterminated quote\n";
    return false;
  }
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < f.size(); ++i) col[std::string(core::trim(f[i]))] = i;
  for (const char* need : {"id", "name", "type", "country"}) {
    if (!col.count(need)) {
      err << "geokg import: the actors file header must name id, name, type and country (and optionally aliases)\n";
      return false;
    }
  }
  for (const auto& [name, i] : col) {
    if (name != "id" && name != "name" && name != "type" && name != "country" && name != "aliases") {
      err << "geokg import: unknown column '" << name << "' in the actors file\n";
      return false;
    }
  }
  std::size_t record = 1;
  while (pos < text.size()) {
    ++record;
    if (!engine::read_csv_record(text, pos, f)) {
      err << "geokg import: actors record " << record << " has an unterminated quote\n";
      return false;
    }
    if (f.size() == 1 && core::trim(f[0]).empty()) continue;
    if (f.size() != col.size()) {
      err << "geokg import: actors record " << record << " has " << f.size() << " fields, expected " << col.size() << '\n';
      return false;
    }
    engine::ActorSpec a;
    a.id = std::string(core::trim(f[col["id"]]));
    a.name = std::string(core::trim(f[col["name"]]));
    a.type = std::string(core::trim(f[col["type"]]));
    a.country = std::string(core::trim(f[col["country"]]));
    if (col.count("aliases"))
      for (auto al : core::split(f[col["aliases"]], '|'))
        if (!core::trim(al).empty()) a.aliases.emplace_back(core::trim(al));
    out.push_back(std::move(a));
  }
  return true;
}

}  // namespace

int import_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  po::options_description desc("options (each also read from GEOKG_<NAME>, e.g. GEOKG_DB)");
  desc.add_options()
      ("help,h", "show this help")
      ("db", po::value<std::string>()->required(), "SQLite database file (created if missing)")
      ("format", po::value<std::string>(), "jsonl or csv (default: from the file name's extension)")
      ("actors", po::value<std::string>(), "CSV of actors to define first: id,name,type,country[,aliases]")
      ("file", po::value<std::string>()->required(), "the triples file, or - for standard input");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  int code = 0;
  if (!parse_options("import", "--db FILE [--format jsonl|csv] [--actors ACTORS.csv] FILE|-", desc, &pos, args, vm, out,
                     err, code))
    return code;
  const std::string file = vm["file"].as<std::string>();
  std::string format = vm.count("format") ? vm["format"].as<std::string>() : "";
  if (format.empty()) {
    const auto dot = file.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : core::to_lower_ascii(file.substr(dot + 1));
    format = ext == "csv" ? "csv" : (ext == "jsonl" || ext == "ndjson" || ext == "json") ? "jsonl" : "";
  }
  if (format != "jsonl" && format != "csv") {
    err << "geokg import: say --format jsonl or --format csv (cannot tell from '" << file << "')\n";
    return 2;
  }

  std::vector<engine::ActorSpec> actors;
  if (vm.count("actors")) {
    std::string text;
    if (!read_all(vm["actors"].as<std::string>(), in, text, err, "actors file")) return 1;
    if (!parse_actors_csv(text, actors, err)) return 1;
  }
  std::string text;
  if (!read_all(file, in, text, err, "file")) return 1;

  // Every row is checked; the line of each row is kept to report problems where they are.
  std::vector<engine::TripleSpec> rows;
  std::vector<std::int64_t> line_of;
  std::vector<core::ErrorItem> errors;
  if (format == "jsonl") {
    std::int64_t line = 0;
    for (auto l : core::split_lines(text)) {
      ++line;
      if (core::trim(l).empty()) continue;
      engine::TripleSpec spec;
      auto j = json::parse(l, nullptr, false);
      const auto index = static_cast<std::int64_t>(rows.size());
      if (j.is_discarded()) {
        errors.push_back({index, "", "not valid JSON"});
      } else {
        engine::decode_triple_spec(j, index, spec, errors);
      }
      rows.push_back(std::move(spec));
      line_of.push_back(line);
    }
  } else {
    std::size_t p = 0;
    std::vector<std::string> fields;
    std::int64_t line = 1;
    const auto lines_in = [&](std::size_t from, std::size_t to) {
      return static_cast<std::int64_t>(std::count(text.begin() + static_cast<std::ptrdiff_t>(from),
                                                  text.begin() + static_cast<std::ptrdiff_t>(to), '\n'));
    };
    std::size_t before = p;
    if (!engine::read_csv_record(text, p, fields)) {
      err << "geokg import: line 1: unterminated quote in the header\n";
      return 1;
    }
    auto layout = engine::parse_csv_header(fields);
    if (!layout) {
      err << "geokg import: line 1: " << layout.error().detail << '\n';
      return 1;
    }
    line += lines_in(before, p);
    while (p < text.size()) {
      before = p;
      const std::int64_t start_line = line;
      if (!engine::read_csv_record(text, p, fields)) {
        err << "geokg import: line " << start_line << ": unterminated quote\n";
        return 1;
      }
      line += lines_in(before, p);
      if (fields.size() == 1 && core::trim(fields[0]).empty()) continue;
      engine::TripleSpec spec;
      engine::decode_csv_triple(*layout, fields, static_cast<std::int64_t>(rows.size()), spec, errors);
      rows.push_back(std::move(spec));
      line_of.push_back(start_line);
    }
  }

  const auto report = [&](const std::vector<core::ErrorItem>& items) {
    std::size_t shown = 0;
    for (const auto& e : items) {
      if (++shown > 50) {
        err << "... and " << items.size() - 50 << " more problems\n";
        break;
      }
      err << (e.index >= 0 ? "line " + std::to_string(line_of[static_cast<std::size_t>(e.index)]) : std::string("actors"))
          << (e.field.empty() ? "" : ": " + e.field) << ": " << e.message << '\n';
    }
  };
  if (!errors.empty()) {
    report(errors);
    err << "geokg import: nothing was written (" << errors.size() << " problems)\n";
    return 1;
  }
  if (rows.empty() && actors.empty()) {
    err << "geokg import: " << file << " holds no triples\n";
    return 1;
  }
  auto engine = open_engine(vm["db"].as<std::string>(), err, "import");
  if (!engine) return 1;
  auto r = engine->import_batch(actors, rows);
  if (!r) {
    report(r.error().items);
    err << "geokg import: " << r.error().detail << '\n';
    return 1;
  }
  out << "read " << rows.size() << " rows: " << r->inserted << " triples inserted, " << r->merged << " merged"
      << (actors.empty() ? "" : ", " + std::to_string(actors.size()) + " actors defined") << '\n';
  return 0;
}

int export_command(const std::vector<std::string>& args, std::istream&, std::ostream& out, std::ostream& err) {
  po::options_description desc("options (each also read from GEOKG_<NAME>, e.g. GEOKG_DB)");
  desc.add_options()
      ("help,h", "show this help")
      ("db", po::value<std::string>()->required(), "SQLite database file")
      ("format", po::value<std::string>()->default_value("jsonl"), "jsonl or csv")
      ("output,o", po::value<std::string>()->default_value("-"), "file to write, - for standard output")
      ("actors", po::value<std::string>(), "also write the actors the triples name, as ACTORS.csv for import --actors")
      ("actor", po::value<std::string>(), "only triples with this actor at either end")
      ("subject", po::value<std::string>(), "only triples with this subject")
      ("object", po::value<std::string>(), "only triples with this object")
      ("relation", po::value<std::vector<std::string>>()->composing(), "CAMEO code or slug (repeatable)")
      ("root", po::value<std::vector<std::string>>()->composing(), "CAMEO root 01..20 (repeatable)")
      ("polarity", po::value<std::vector<std::string>>()->composing(), "asserted, negated, denied (default: all)")
      ("since", po::value<std::string>(), "first day, YYYY-MM-DD")
      ("until", po::value<std::string>(), "last day, YYYY-MM-DD")
      ("min-confidence", po::value<double>()->default_value(0.0), "only triples with at least this confidence");
  po::variables_map vm;
  int code = 0;
  if (!parse_options("export", "--db FILE [--format jsonl|csv] [filters]", desc, nullptr, args, vm, out, err, code))
    return code;
  const std::string format = vm["format"].as<std::string>();
  if (format != "jsonl" && format != "csv") {
    err << "geokg export: --format must be jsonl or csv\n";
    return 2;
  }
  engine::TripleListQuery q;
  for (auto [name, slot] : {std::pair("actor", &q.actor), std::pair("subject", &q.subject), std::pair("object", &q.object)})
    if (vm.count(name)) *slot = vm[name].as<std::string>();
  if (vm.count("relation")) q.filter.relations = vm["relation"].as<std::vector<std::string>>();
  if (vm.count("root")) q.filter.roots = vm["root"].as<std::vector<std::string>>();
  q.filter.polarities = vm.count("polarity") ? vm["polarity"].as<std::vector<std::string>>()
                                             : std::vector<std::string>{"asserted", "negated", "denied"};
  for (auto [name, slot] : {std::pair("since", &q.filter.since), std::pair("until", &q.filter.until)}) {
    if (!vm.count(name)) continue;
    auto d = core::Date::parse(vm[name].as<std::string>());
    if (!d) {
      err << "geokg export: --" << name << ": " << d.error().detail << '\n';
      return 2;
    }
    *slot = *d;
  }
  q.filter.min_confidence = vm["min-confidence"].as<double>();

  auto engine = open_engine(vm["db"].as<std::string>(), err, "export");
  if (!engine) return 1;
  std::ofstream file;
  const std::string output = vm["output"].as<std::string>();
  if (output != "-") {
    file.open(output, std::ios::binary);
    if (!file) {
      err << "geokg export: cannot write '" << output << "'\n";
      return 1;
    }
  }
  std::ostream& os = output == "-" ? out : file;
  const auto view = engine->view();
  const auto& cat = engine->relations();
  const auto csv = [](const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q2 = "\"";
    for (char c : s) q2 += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q2 + "\"";
  };
  if (format == "csv")
    os << "subject,relation,object,date,polarity,confidence,source_url,source_title,source_publisher,published_at,evidence\n";
  std::set<std::uint32_t> named;
  std::size_t lines = 0;
  auto r = engine->export_triples(q, [&](const core::TripleRecord& t, const core::EvidenceRecord& e) {
    const auto* s = view.actors->get(t.subject);
    const auto* o = t.object ? view.actors->get(*t.object) : nullptr;
    named.insert(core::value(t.subject));
    if (t.object) named.insert(core::value(*t.object));
    ++lines;
    if (format == "csv") {
      std::ostringstream conf;
      conf << api::confidence_value(t.confidence);
      os << csv(s->id) << ',' << cat.at(t.relation).code << ',' << (o ? csv(o->id) : "") << ',' << t.date.to_string()
         << ',' << core::to_string(t.polarity) << ',' << conf.str() << ',' << csv(e.source.url) << ','
         << csv(e.source.title) << ',' << csv(e.source.publisher) << ',' << csv(e.source.published_at) << ','
         << csv(e.text) << '\n';
      return;
    }
    json j = {{"subject", s->id},
              {"relation", cat.at(t.relation).code},
              {"object", o ? json(o->id) : json(nullptr)},
              {"date", t.date.to_string()},
              {"polarity", std::string(core::to_string(t.polarity))},
              {"confidence", api::confidence_value(t.confidence)}};
    if (!e.source.empty()) {
      json src = json::object();
      for (auto [k, v] : {std::pair("url", &e.source.url), std::pair("title", &e.source.title),
                          std::pair("publisher", &e.source.publisher), std::pair("published_at", &e.source.published_at)})
        if (!v->empty()) src[k] = *v;
      j["source"] = std::move(src);
    }
    if (!e.text.empty() || e.start || e.end) {
      json ev = {{"text", e.text}};
      if (e.start) ev["start"] = *e.start;
      if (e.end) ev["end"] = *e.end;
      j["evidence"] = std::move(ev);
    }
    os << j.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  });
  if (!r) {
    err << "geokg export: " << r.error().detail << '\n';
    return 1;
  }
  if (vm.count("actors")) {
    std::ofstream af(vm["actors"].as<std::string>(), std::ios::binary);
    if (!af) {
      err << "geokg export: cannot write '" << vm["actors"].as<std::string>() << "'\n";
      return 1;
    }
    af << "id,name,type,country,aliases\n";
    for (auto idx : named) {
      const auto* a = view.actors->get(static_cast<core::ActorIdx>(idx));
      std::string aliases;
      for (const auto& al : a->aliases) aliases += (aliases.empty() ? "" : "|") + al;
      af << csv(a->id) << ',' << csv(a->name) << ',' << core::to_string(a->type) << ',' << csv(a->country) << ','
         << csv(aliases) << '\n';
    }
  }
  spdlog::info("exported {} lines", lines);
  return 0;
}

}  // namespace geokg::app
