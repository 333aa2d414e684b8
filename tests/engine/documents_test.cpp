#include "engine/engine.hpp"

#include "engine/actor_directory.hpp"

#include "tests/temp_path.hpp"
#include "tests/test_support.hpp"

#include <filesystem>
#include <fstream>
#include <set>

using namespace geokg;

namespace {

std::unique_ptr<engine::Engine> open_engine(const std::string& path = ":memory:") {
  engine::Options o;
  o.db_path = path;
  auto e = engine::Engine::open(o);
  REQUIRE(e);
  return std::move(*e);
}

engine::DocumentInput article() {
  engine::DocumentInput in;
  in.title = "Arms for shells";
  in.url = "https://example.org/arms";
  in.publisher = "Example Wire";
  in.published_at = "2023-11-09T08:00:00Z";
  in.text =
      "North Korea supplied artillery shells to Russia, South Korean officials said.\n\n"
      "Antony Blinken criticized North Korea on Thursday.";
  return in;
}

}  // namespace

TEST_CASE("a document is stored with the triples coded from it, their sentences and spans", "[engine]") {
  auto e = open_engine();
  auto r = e->add_document(article());
  REQUIRE(r);
  CHECK(r->created);
  CHECK(r->document.id > 0);
  CHECK(r->document.date.to_string() == "2023-11-09");
  REQUIRE_FALSE(r->triples.empty());
  const auto view = e->view();
  bool supply = false;
  for (const auto& t : r->triples) {
    CHECK(t.evidence.document == std::optional<std::int64_t>(r->document.id));
    REQUIRE(t.evidence.start);
    REQUIRE(t.evidence.end);
    CHECK(*t.evidence.start < *t.evidence.end);
    const auto& rel = e->relations().at(t.triple.relation);
    if (view.actors->get(t.triple.subject)->id == "PRK" && t.triple.object &&
        view.actors->get(*t.triple.object)->id == "RUS" && rel.root == "07") {
      supply = true;
      CHECK(t.evidence.text.find("artillery shells") != std::string::npos);
      CHECK(t.evidence.sentence_index == 0);
    }
  }
  CHECK(supply);
  CHECK(e->status().documents == 1);
  // The triples are queryable at once.
  engine::TripleListQuery q;
  q.subject = "PRK";
  q.object = "RUS";
  CHECK_FALSE(e->list_triples(q)->items.empty());

  auto again = e->add_document(article());
  REQUIRE(again);
  CHECK_FALSE(again->created);
  CHECK(again->document.id == r->document.id);
  CHECK(again->triples.size() == r->triples.size());
  auto same_text = article();
  same_text.url.clear();
  CHECK(e->add_document(same_text)->document.id == r->document.id);
  CHECK(e->status().documents == 1);

  auto stored = e->document(r->document.id);
  REQUIRE(stored);
  CHECK(stored->document.text == article().text);
  CHECK(stored->triples.size() == r->triples.size());
}

TEST_CASE("documents list newest first and bad documents are refused", "[engine]") {
  auto e = open_engine();
  auto a = article();
  REQUIRE(e->add_document(a));
  a.url = "https://example.org/other";
  a.text = "Japan and South Korea held talks in Seoul.";
  a.published_at = "2024-01-02";
  a.publisher = "Other";
  REQUIRE(e->add_document(a));
  engine::DocumentListQuery q;
  auto page = e->list_documents(q);
  REQUIRE(page);
  REQUIRE(page->items.size() == 2);
  CHECK(page->items[0].publisher == "Other");
  CHECK(page->items[0].text.empty());
  q.limit = 1;
  page = e->list_documents(q);
  CHECK(page->more);
  q.before_id = page->items[0].id;
  CHECK(e->list_documents(q)->items[0].publisher == "Example Wire");

  auto bad = article();
  bad.published_at = "2023-02-30";
  CHECK(e->add_document(bad).error().code == core::ErrorCode::invalid_argument);
  bad.published_at = "";
  CHECK(e->add_document(bad).error().code == core::ErrorCode::invalid_argument);
  bad = article();
  bad.text = "   \n ";
  CHECK(e->add_document(bad).error().code == core::ErrorCode::invalid_argument);
  CHECK(e->document(999).error().code == core::ErrorCode::not_found);
}

TEST_CASE("the extraction dictionaries reload from their files, and a bad file keeps the old ones", "[engine]") {
  test::TempPath dict(".tsv");
  const auto write = [&](const std::string& text) {
    std::ofstream f(dict.str(), std::ios::binary | std::ios::trunc);
    f << text;
  };
  write("zorblat-quux\tZorblat Quux\tperson\tFRA\tQuux\tFRA/foreign-minister/2020-01-01/\n");
  engine::Options o;
  o.db_path = ":memory:";
  o.actor_dictionaries = {dict.str()};
  auto opened = engine::Engine::open(o);
  REQUIRE(opened);
  auto& e = **opened;
  const auto subjects = [&](const std::string& text, const std::string& url) {
    engine::DocumentInput in;
    in.text = text;
    in.url = url;
    in.published_at = "2023-11-09";
    auto r = e.add_document(in);
    REQUIRE(r);
    std::set<std::string> out;
    const auto view = e.view();
    for (const auto& t : r->triples) out.insert(view.actors->get(t.triple.subject)->id);
    return out;
  };
  auto before = e.dictionaries();
  REQUIRE(before);
  CHECK(before->files == std::vector<std::string>{dict.str()});
  CHECK(subjects("Zorblat Quux criticized Germany.", "https://example.org/1") == std::set<std::string>{"zorblat-quux"});
  CHECK(subjects("Blorf Vantane criticized Germany.", "https://example.org/2").empty());

  // The file gains a person: the next documents know them after a reload, not before.
  write("zorblat-quux\tZorblat Quux\tperson\tFRA\tQuux\tFRA/foreign-minister/2020-01-01/\n"
        "blorf-vantane\tBlorf Vantane\tperson\tESP\tVantane\tESP/foreign-minister/2021-01-01/\n");
  CHECK(subjects("Blorf Vantane criticized Portugal.", "https://example.org/3").empty());
  auto reloaded = e.reload_dictionaries();
  REQUIRE(reloaded);
  CHECK(reloaded->actors == before->actors + 1);
  CHECK(subjects("Blorf Vantane criticized Italy.", "https://example.org/4") == std::set<std::string>{"blorf-vantane"});

  // A bad line: the error names the file and line, and the dictionaries in use stay.
  write("blorf-vantane\tBlorf Vantane\tperson\tESP\tVantane\tESP/foreign-minister/2021-13-01/\n");
  auto bad = e.reload_dictionaries();
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == core::ErrorCode::unprocessable);
  CHECK(bad.error().detail.find(dict.str() + ":1") != std::string::npos);
  CHECK(subjects("Blorf Vantane criticized Greece.", "https://example.org/5") == std::set<std::string>{"blorf-vantane"});
  CHECK(e.dictionaries()->actors == reloaded->actors);

  // A file that went away: the same.
  std::filesystem::remove(dict.str());
  auto gone = e.reload_dictionaries();
  REQUIRE_FALSE(gone);
  CHECK(gone.error().detail.find("cannot read the actor dictionary") != std::string::npos);
}
