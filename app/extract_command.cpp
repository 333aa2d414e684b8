#include "app/commands.hpp"
#include "app/options.hpp"

#include "core/text.hpp"
#include "extract/coder.hpp"
#include "extract/event_json.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace geokg::app {
namespace {

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// A date or the date part of an RFC 3339 timestamp.
core::Result<core::Date> parse_day(std::string_view s) {
  if (s.size() > 10 && (s[10] == 'T' || s[10] == 't' || s[10] == ' ')) s = s.substr(0, 10);
  return core::Date::parse(s);
}

void write_events(const std::vector<extract::Event>& events, const core::RelationCatalog& relations,
                  const extract::EventJsonOptions& options, std::ostream& out) {
  for (const auto& e : events) out << extract::to_json(e, relations, options).dump() << '\n';
}

}  // namespace

int extract_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  po::options_description desc("options (each also read from GEOKG_<NAME>, e.g. GEOKG_DATE)");
  desc.add_options()("help,h", "show this help")(
      "date", po::value<std::string>(),
      "publication date YYYY-MM-DD that anchors 'on Thursday', 'last week' (default: today)")(
      "actors", po::value<std::vector<std::string>>()->composing(),
      "extra actor dictionary (repeatable): data/actors TSV or PETRARCH/TABARI .actors format")(
      "actors-format", po::value<std::string>()->default_value("auto"),
      "format of --actors files: auto, tsv or petrarch")(
      "jsonl", po::bool_switch(), "read JSON lines {\"id\",\"date\",\"text\"}; triples carry \"doc_id\"")(
      "explain", po::bool_switch(), "add the trigger and the dictionary pattern of each triple");
  po::variables_map vm;
  int exit_code = 0;
  if (!parse_options("extract", "[--date YYYY-MM-DD] [--actors FILE]... [--jsonl] < article.txt", desc, nullptr, args,
                     vm, out, err, exit_code))
    return exit_code;

  core::Date published = core::Date::today();
  if (vm.count("date")) {
    auto d = parse_day(vm["date"].as<std::string>());
    if (!d) {
      err << "geokg extract: --date: " << d.error().detail << "\n";
      return 2;
    }
    published = *d;
  }
  extract::DictionaryFormat format = extract::DictionaryFormat::autodetect;
  if (const auto& f = vm["actors-format"].as<std::string>(); f == "tsv")
    format = extract::DictionaryFormat::tsv;
  else if (f == "petrarch" || f == "tabari")
    format = extract::DictionaryFormat::petrarch;
  else if (f != "auto") {
    err << "geokg extract: --actors-format must be auto, tsv or petrarch\n";
    return 2;
  }
  std::vector<extract::DictionarySource> user;
  if (vm.count("actors")) {
    for (const auto& path : vm["actors"].as<std::vector<std::string>>()) {
      // GEOKG_ACTORS may hold several paths separated by ':'.
      for (auto p : core::split(path, ':')) {
        if (p.empty()) continue;
        auto content = read_file(std::string(p));
        if (!content) {
          err << "geokg extract: cannot read actor dictionary '" << p << "'\n";
          return 1;
        }
        user.push_back(extract::DictionarySource{std::string(p), std::move(*content), format});
      }
    }
  }
  auto dictionaries = extract::Dictionaries::load(user);
  if (!dictionaries) {
    err << "geokg extract: " << dictionaries.error().detail << "\n";
    return 1;
  }
  const extract::Coder coder(*dictionaries);
  const auto& relations = (*dictionaries)->relations();
  extract::EventJsonOptions options;
  options.explain = vm["explain"].as<bool>();

  if (!vm["jsonl"].as<bool>()) {
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!core::is_valid_utf8(text)) {
      err << "geokg extract: the input is not valid UTF-8\n";
      return 1;
    }
    write_events(coder.code(text, published), relations, options, out);
    return out ? 0 : 1;
  }

  int status = 0;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (core::trim(line).empty()) continue;
    const auto bad = [&](std::string_view why) {
      err << "geokg extract: line " << n << ": " << why << "\n";
      status = 1;
    };
    const auto doc = nlohmann::json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      bad("not a JSON object");
      continue;
    }
    const auto text = doc.find("text");
    if (text == doc.end() || !text->is_string()) {
      bad("\"text\" must be a string");
      continue;
    }
    std::string id;
    if (const auto it = doc.find("id"); it != doc.end()) {
      if (it->is_string())
        id = it->get<std::string>();
      else if (it->is_number_integer())
        id = std::to_string(it->get<std::int64_t>());
      else {
        bad("\"id\" must be a string or an integer");
        continue;
      }
    }
    core::Date date = published;
    if (const auto it = doc.find("date"); it != doc.end() && !it->is_null()) {
      auto d = it->is_string() ? parse_day(it->get<std::string>())
                               : core::Result<core::Date>(core::invalid_argument("not a string"));
      if (!d) {
        bad("\"date\" must be YYYY-MM-DD or an RFC 3339 timestamp");
        continue;
      }
      date = *d;
    }
    options.doc_id = id;
    write_events(coder.code(text->get<std::string>(), date), relations, options, out);
  }
  return out ? status : 1;
}

}  // namespace geokg::app
