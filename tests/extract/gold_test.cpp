#include "tests/test_support.hpp"

#include "core/text.hpp"
#include "extract/coder.hpp"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

// tests/data/extract_gold.tsv: one sentence (or short text) per line with the events it must yield, no more.
// A regression case is one new line. See the file's header for the format.

namespace {

using geokg::extract::Event;

struct Expected {
  std::string source, target, code, polarity = "asserted", date;
  bool both_ways = false;
};

std::vector<Expected> parse_expected(std::string_view s) {
  std::vector<Expected> out;
  for (auto item : geokg::core::split(s, ';')) {
    item = geokg::core::trim(item);
    if (item.empty() || item == "-") continue;
    Expected e;
    if (const auto at = item.find('@'); at != std::string_view::npos) {
      e.date = std::string(item.substr(at + 1));
      item = item.substr(0, at);
    }
    if (const auto bang = item.find('!'); bang != std::string_view::npos) {
      e.polarity = std::string(item.substr(bang + 1));
      item = item.substr(0, bang);
    }
    const auto eq = item.find('=');
    REQUIRE(eq != std::string_view::npos);
    e.code = std::string(item.substr(eq + 1));
    auto actors = item.substr(0, eq);
    auto arrow = actors.find("<>");
    std::size_t len = 2;
    if (arrow != std::string_view::npos) {
      e.both_ways = true;
    } else {
      arrow = actors.find('>');
      len = 1;
    }
    REQUIRE(arrow != std::string_view::npos);
    e.source = std::string(actors.substr(0, arrow));
    e.target = std::string(actors.substr(arrow + len));
    out.push_back(e);
  }
  return out;
}

bool is(const geokg::extract::MentionedActor& a, const std::string& key) { return a.id == key || a.country == key; }

bool matches(const Expected& x, const Event& e) {
  if (e.relation_code.rfind(x.code, 0) != 0 || std::string(geokg::core::to_string(e.polarity)) != x.polarity)
    return false;
  if (!x.date.empty() && e.date.to_string() != x.date) return false;
  const auto direct = [&](const std::string& s, const std::string& t) {
    if (!is(e.subject, s)) return false;
    if (t.empty()) return !e.object.has_value();
    return e.object && is(*e.object, t);
  };
  return direct(x.source, x.target) || (x.both_ways && direct(x.target, x.source));
}

std::string describe(const Event& e) {
  std::ostringstream os;
  os << e.subject.id << "(" << e.subject.country << ")>"
     << (e.object ? e.object->id + "(" + e.object->country + ")" : "") << "=" << e.relation_code << "!"
     << geokg::core::to_string(e.polarity) << "@" << e.date.to_string() << " [" << e.pattern << "]";
  return os.str();
}

}  // namespace

TEST_CASE("every gold sentence yields exactly its events", "[extract]") {
  auto dicts = geokg::extract::Dictionaries::load();
  REQUIRE(dicts);
  const geokg::extract::Coder coder(*dicts);
  std::ifstream in(GEOKG_TEST_DATA_DIR "/extract_gold.tsv");
  REQUIRE(in);
  std::string line;
  int n = 0, cases = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    const auto f = geokg::core::split(line, '\t');
    REQUIRE(f.size() >= 3);
    auto date = geokg::core::Date::parse(f[0]);
    REQUIRE(date);
    const auto expected = parse_expected(f[2]);
    std::string text(f[1]);
    for (std::size_t p = 0; (p = text.find("\\n", p)) != std::string::npos;) text.replace(p, 2, "\n");
    const auto events = coder.code(text, *date);
    ++cases;
    INFO("line " << n << ": " << f[1]);
    for (const auto& x : expected) {
      const bool found = std::any_of(events.begin(), events.end(), [&](const Event& e) { return matches(x, e); });
      std::string got;
      for (const auto& e : events) got += describe(e) + "  ";
      INFO("missing " << x.source << ">" << x.target << "=" << x.code << "!" << x.polarity << "; got: " << got);
      CHECK(found);
    }
    for (const auto& e : events) {
      const bool wanted =
          std::any_of(expected.begin(), expected.end(), [&](const Expected& x) { return matches(x, e); });
      INFO("unexpected " << describe(e));
      CHECK(wanted);
    }
  }
  CHECK(cases >= 200);
}
