// `geokg import` and `geokg export`: the project's triple format as JSONL or CSV files.
#include "api/json_codec.hpp"
#include "app/commands.hpp"
#include "app/options.hpp"
#include "core/text.hpp"
#include "engine/actor_directory.hpp"
#include "engine/engine.hpp"
#include "engine/import.hpp"
#include "ingest/source.hpp"
#include "engine/triple_spec.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <unistd.h>
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

namespace {

// Progress of a long import: a bar redrawn in place on a terminal, a log line now and then otherwise.
class ProgressReport {
 public:
  ProgressReport(std::ostream& err, bool terminal) : err_(err), terminal_(terminal) {}
  void operator()(const engine::ImportProgress& p) {
    const double every = terminal_ ? 0.25 : 10.0;
    if (p.seconds - last_ < every) return;
    last_ = p.seconds;
    const double rate = p.seconds > 0 ? static_cast<double>(p.rows) / p.seconds : 0.0;
    std::ostringstream line;
    line << p.rows << " rows, " << static_cast<std::uint64_t>(rate) << " rows/s";
    if (p.total_bytes > 0 && p.bytes > 0) {
      const double done = std::min(1.0, static_cast<double>(p.bytes) / static_cast<double>(p.total_bytes));
      const double eta = done > 0 ? p.seconds * (1 - done) / done : 0;
      if (terminal_) {
        const int width = 30, fill = static_cast<int>(done * width);
        err_ << '\r' << '[' << std::string(static_cast<std::size_t>(fill), '#')
             << std::string(static_cast<std::size_t>(width - fill), ' ') << "] " << static_cast<int>(done * 100) << "% ";
      }
      line << ", " << static_cast<int>(done * 100) << "%, ETA " << static_cast<int>(eta) << " s";
    } else if (terminal_) {
      err_ << '\r';
    }
    if (terminal_) {
      err_ << line.str() << "   " << std::flush;
      drawn_ = true;
    } else {
      spdlog::info("import: {}", line.str());
    }
  }
  void done() {
    if (drawn_) err_ << '\n';
  }

 private:
  std::ostream& err_;
  bool terminal_;
  double last_ = 0;
  bool drawn_ = false;
};

std::string guess_format(std::string file) {
  auto lower = core::to_lower_ascii(file);
  if (lower.size() > 3 && lower.ends_with(".gz")) lower.resize(lower.size() - 3);
  const auto dot = lower.rfind('.');
  const std::string ext = dot == std::string::npos ? "" : lower.substr(dot + 1);
  if (ext == "csv") return "csv";
  if (ext == "jsonl" || ext == "ndjson" || ext == "json") return "jsonl";
  return "";
}

}  // namespace

int import_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  po::options_description desc("options (each also read from GEOKG_<NAME>, e.g. GEOKG_DB)");
  desc.add_options()
      ("help,h", "show this help")
      ("db", po::value<std::string>()->required(), "SQLite database file (created if missing)")
      ("format", po::value<std::string>(),
       "jsonl, csv (geokg's triple format; default from the file name), gdelt2, gdelt1, icews or plover")
      ("actors", po::value<std::string>(), "jsonl/csv: CSV of actors to define first: id,name,type,country[,aliases]")
      ("strict", "one bad row aborts the import with nothing written (the default for jsonl and csv)")
      ("no-strict", "keep the good rows and report the bad ones (the default for the dataset formats)")
      ("one-a-day", "datasets: fold events with the same subject, relation, object and date into one triple")
      ("rejects", po::value<std::string>(),
       "write every rejected row (line, column, reason) to this TSV file (default: FILE.rejects.tsv, or "
       "import.rejects.tsv for standard input, written only when a row is rejected)")
      ("file", po::value<std::string>()->required(), "the file to import (.gz is read directly), or - for standard input");
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  int code = 0;
  if (!parse_options("import",
                     "--db FILE [--format jsonl|csv|gdelt2|gdelt1|icews|plover] [--actors ACTORS.csv] [--strict|--no-strict] "
                     "[--one-a-day] [--rejects FILE] FILE|-",
                     desc, &pos, args, vm, out, err, code))
    return code;
  const std::string file = vm["file"].as<std::string>();
  std::string format_name = vm.count("format") ? vm["format"].as<std::string>() : guess_format(file);
  const auto format = engine::parse_import_format(format_name);
  if (!format) {
    err << "geokg import: say --format jsonl, csv, gdelt2, gdelt1, icews or plover (cannot tell from '" << file
        << "')\n";
    return 2;
  }
  if (vm.count("strict") && vm.count("no-strict")) {
    err << "geokg import: --strict and --no-strict exclude each other\n";
    return 2;
  }
  engine::ImportOptions options;
  options.format = *format;
  options.strict = vm.count("strict") ? true : vm.count("no-strict") ? false : engine::strict_by_default(*format);
  options.one_a_day = vm.count("one-a-day") > 0;
  if (vm.count("actors")) {
    if (engine::strict_by_default(*format) == false) {
      err << "geokg import: --actors is for the jsonl and csv formats (dataset actors are created from the data)\n";
      return 2;
    }
    std::string text;
    if (!read_all(vm["actors"].as<std::string>(), in, text, err, "actors file")) return 1;
    if (!parse_actors_csv(text, options.actors, err)) return 1;
  }

  std::unique_ptr<ingest::Source> source;
  if (file == "-" && &in != &std::cin) {
    source = ingest::Source::from_stream(in);
  } else {
    auto s = ingest::Source::open(file);
    if (!s) {
      err << "geokg import: " << s.error().detail << '\n';
      return 1;
    }
    source = std::move(*s);
  }
  auto engine = open_engine(vm["db"].as<std::string>(), err, "import");
  if (!engine) return 1;

  const std::string rejects_path =
      vm.count("rejects") ? vm["rejects"].as<std::string>() : (file == "-" ? "import.rejects.tsv" : file + ".rejects.tsv");
  std::ofstream rejects;
  std::size_t shown = 0, rejected = 0;
  engine::ImportHooks hooks;
  hooks.reject = [&](const engine::ImportRejection& r) {
    ++rejected;
    if (!rejects.is_open()) {
      rejects.open(rejects_path, std::ios::binary);
      if (rejects) rejects << "line\tcolumn\treason\n";
    }
    if (rejects) {
      std::string reason = r.reason;
      std::replace_if(reason.begin(), reason.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
      rejects << r.line << '\t' << r.column << '\t' << reason << '\n';
    }
    if (++shown <= 50) err << "line " << r.line << (r.column.empty() ? "" : ": " + r.column) << ": " << r.reason << '\n';
  };
  ProgressReport report(err, &err == &std::cerr && ::isatty(STDERR_FILENO) != 0);
  hooks.progress = [&](const engine::ImportProgress& p) { report(p); };
  auto r = engine->import(*source, options, hooks);
  report.done();
  if (shown > 50) err << "... and " << shown - 50 << " more rejected rows\n";
  if (rejects.is_open()) err << "geokg import: rejected rows are listed in " << rejects_path << '\n';
  if (!r) {
    for (const auto& item : r.error().items)
      if (item.index < 0) err << "actors: " << item.field << ": " << item.message << '\n';
    err << "geokg import: " << r.error().detail << '\n';
    return 1;
  }
  if (r->rows == 0 && options.actors.empty()) {
    err << "geokg import: " << file << " holds no triples\n";
    return 1;
  }
  const double rate = r->seconds > 0 ? static_cast<double>(r->rows) / r->seconds : 0.0;
  out << "read " << r->rows << " rows: " << r->inserted << " triples inserted, " << r->merged << " merged, "
      << r->duplicates << " already imported, " << r->rejected << " rejected, " << r->actors_created
      << " actors created" << (r->actors_updated ? ", " + std::to_string(r->actors_updated) + " updated" : "")
      << " in " << std::fixed << std::setprecision(2) << r->seconds << " s (" << static_cast<std::uint64_t>(rate)
      << " rows/s)\n";
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
