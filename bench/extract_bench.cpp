// Throughput of the event coder on one core: sentences/s and MB/s over a corpus of news-like documents
// built from the project's own gold sentences (tests/data/extract_gold.tsv), with actors swapped at random
// so that the corpus is not one text repeated. Also reports dictionary load time and memory.
//
//   extract_bench [--sentences N] [--gold FILE]     run the benchmark (default 100000 sentences)
//   extract_bench --events [--date YYYY-MM-DD]      code stdin and print the events as JSON lines (debugging)

#include "core/text.hpp"
#include "extract/coder.hpp"
#include "extract/event_json.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

long rss_kib() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return 0;
}

std::vector<std::string> gold_sentences(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto f = geokg::core::split(line, '\t');
    if (f.size() < 2) continue;
    std::string text(f[1]);
    for (std::size_t p = 0; (p = text.find("\\n", p)) != std::string::npos;) text.replace(p, 2, "\n");
    out.push_back(std::move(text));
  }
  return out;
}

// Swaps country names for others so that documents differ.
std::string vary(std::string s, std::mt19937& rng) {
  static const char* names[] = {"Russia", "Ukraine", "China",  "Japan",  "Iran",  "Israel", "India", "Pakistan",
                                "Turkey", "Germany", "France", "Brazil", "Egypt", "Poland", "Syria", "Canada"};
  constexpr std::size_t n = std::size(names);
  for (const char* from : names) {
    const std::string f(from);
    std::size_t p = s.find(f);
    if (p == std::string::npos) continue;
    const std::string to = names[rng() % n];
    while (p != std::string::npos) {
      s.replace(p, f.size(), to);
      p = s.find(f, p + to.size());
    }
  }
  return s;
}

int print_events(const std::string& date) {
  auto d = geokg::extract::Dictionaries::load();
  if (!d) {
    std::cerr << d.error().detail << "\n";
    return 1;
  }
  const geokg::extract::Coder coder(*d);
  const std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  for (const auto& e : coder.code(text, geokg::core::Date::parse(date).value()))
    std::cout << geokg::extract::to_json(e, (*d)->relations(), {.explain = true}).dump() << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t target = 100000;
  std::string gold = GEOKG_SOURCE_DIR "/tests/data/extract_gold.tsv";
  std::string date = "2023-11-09";
  bool events = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--sentences" && i + 1 < argc)
      target = std::stoul(argv[++i]);
    else if (a == "--gold" && i + 1 < argc)
      gold = argv[++i];
    else if (a == "--date" && i + 1 < argc)
      date = argv[++i];
    else if (a == "--events")
      events = true;
    else {
      std::cerr << "usage: extract_bench [--sentences N] [--gold FILE] | --events [--date YYYY-MM-DD]\n";
      return 2;
    }
  }
  if (events) return print_events(date);

  const long rss_before = rss_kib();
  const auto t0 = std::chrono::steady_clock::now();
  auto dicts = geokg::extract::Dictionaries::load();
  const auto t1 = std::chrono::steady_clock::now();
  if (!dicts) {
    std::cerr << dicts.error().detail << "\n";
    return 1;
  }
  const long rss_after = rss_kib();
  const geokg::extract::Coder coder(*dicts);

  const auto sentences = gold_sentences(gold);
  if (sentences.empty()) {
    std::cerr << "no sentences in " << gold << "\n";
    return 1;
  }
  // Documents of 20 sentences in paragraphs, like articles.
  std::mt19937 rng(42);
  std::vector<std::string> docs;
  std::size_t count = 0, bytes = 0;
  while (count < target) {
    std::string doc;
    for (int k = 0; k < 20 && count < target; ++k, ++count) {
      doc += vary(sentences[rng() % sentences.size()], rng);
      doc += (k % 4 == 3) ? "\n\n" : " ";
    }
    bytes += doc.size();
    docs.push_back(std::move(doc));
  }
  const auto pub = geokg::core::Date::parse(date).value();
  std::size_t n_events = 0;
  coder.code(docs.front(), pub);  // warm up
  // CPU time of this thread as well as wall time: on a shared machine the former is the figure to trust.
  const std::clock_t c2 = std::clock();
  const auto t2 = std::chrono::steady_clock::now();
  for (const auto& doc : docs) n_events += coder.code(doc, pub).size();
  const auto t3 = std::chrono::steady_clock::now();
  const std::clock_t c3 = std::clock();
  const double secs = std::chrono::duration<double>(t3 - t2).count();
  const double cpu = static_cast<double>(c3 - c2) / CLOCKS_PER_SEC;
  const double load_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();

  std::printf("extract_bench: one thread, %zu documents, %zu sentences, %.1f MB\n", docs.size(), count,
              static_cast<double>(bytes) / 1e6);
  std::printf("  dictionaries   %zu actors, %zu phrases, %zu patterns, %zu CAMEO codes with patterns\n",
              (*dicts)->actor_count(), (*dicts)->phrase_count(), (*dicts)->pattern_count(),
              (*dicts)->coded_relation_count());
  std::printf("  load time      %.1f ms\n", load_ms);
  std::printf("  memory         %.1f MB resident after loading (+%.1f MB for the dictionaries)\n",
              static_cast<double>(rss_after) / 1024.0, static_cast<double>(rss_after - rss_before) / 1024.0);
  std::printf("  coding (wall)  %.3f s, %.0f sentences/s, %.2f MB/s\n", secs, static_cast<double>(count) / secs,
              static_cast<double>(bytes) / 1e6 / secs);
  std::printf("  coding (CPU)   %.3f s, %.0f sentences/s, %.2f MB/s\n", cpu, static_cast<double>(count) / cpu,
              static_cast<double>(bytes) / 1e6 / cpu);
  std::printf("  events         %zu (%.2f per sentence)\n", n_events,
              static_cast<double>(n_events) / static_cast<double>(count));
  return 0;
}
