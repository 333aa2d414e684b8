// gen_triples: the deterministic synthetic data set of the benchmarks (the model of
// ../shared/bench-peers/DATASET.md, written anew for geokg).
//
//   gen_triples --rows N [--seed 42] [--out FILE|-] [--actors FILE] [--geokg-actors FILE]
//
// Triples CSV: `subject,relation,object,date,weight`. 250 countries (ISO 3166-1 alpha-3 plus XKX) and
// 50 000 sub-state actors `<ISO3>-<ROLE>-<NNNNN>` (numbered per country and role). Each endpoint is a
// country with p = 0.40 (Zipf s = 1.05 over a prominence ranking), else a sub-state actor
// (Zipf-Mandelbrot 1/(rank + 20) over a weighted random permutation favouring big countries and the
// GOV/MIL/LDR/BUS roles). With p = 0.35 the object comes from the subject's own country. subject != object.
// 60 relations, geokg CAMEO slugs (so the file imports as is), from 18 % down to ~0.03 %. Dates
// 2015-01-01..2025-12-31 with a density that ramps up 2x; weight in [0.050, 1.000], skewed high.
// Deterministic: own xoshiro256** PRNG, integer-only formatting, setup drawn from a separate stream,
// so the same seed gives the same bytes and the file of N rows is the prefix of every longer one.
// --actors writes DATASET.md's `id,kind,country,role` list; --geokg-actors the sub-state actors as a
// `geokg import --actors` file (`id,name,type,country`; the countries are geokg reference actors).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace {

class Xoshiro {
 public:
  explicit Xoshiro(std::uint64_t seed) {
    for (auto& w : s_) {
      seed += 0x9e3779b97f4a7c15ull;  // splitmix64
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      w = z ^ (z >> 31);
    }
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<std::uint64_t, 4> s_{};
};

// Most prominent first; the rest follow in alphabetical order.
constexpr std::string_view prominent =
    "USA CHN RUS GBR UKR ISR IND IRN FRA DEU JPN PAK AFG SYR TUR PSE KOR PRK SAU IRQ EGY AUS CAN BRA NGA ITA ESP "
    "MEX IDN PHL POL YEM LBN ZAF VEN TWN QAT ARE";
constexpr std::string_view all_countries =
    "ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA BGD BGR BHR BHS BIH "
    "BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB "
    "CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO "
    "GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN "
    "IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA "
    "MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM NCL NER "
    "NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU "
    "RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA "
    "TCD TGO THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM VUT "
    "WLF WSM XKX YEM ZAF ZMB ZWE";

struct Role {
  const char* code;
  const char* type;  // geokg actor type
  const char* name;
  double weight;
};
constexpr Role roles[] = {
    {"GOV", "organization", "government", 3}, {"MIL", "organization", "military", 3},
    {"LEG", "organization", "legislature", 1}, {"JUD", "organization", "judiciary", 1},
    {"COP", "organization", "police", 1},      {"SPY", "organization", "intelligence", 1},
    {"OPP", "group", "opposition", 1},         {"REB", "group", "rebels", 1},
    {"INS", "group", "insurgents", 1},         {"MLT", "organization", "multinational", 1},
    {"BUS", "organization", "business", 3},    {"MED", "organization", "media", 1},
    {"NGO", "organization", "NGO", 1},         {"EDU", "organization", "education", 1},
    {"REL", "group", "religious", 1},          {"LAB", "group", "labour", 1},
    {"CVL", "group", "civilians", 1},          {"LDR", "person", "leader", 3},
    {"HLH", "organization", "health", 1},      {"ENV", "organization", "environment", 1},
};

// Relative frequencies; make-public-statement is set to 18 % of the total below.
struct Relation {
  const char* slug;
  double weight;
};
constexpr Relation relations[] = {
    {"make-public-statement", 0},
    {"consult", 900},
    {"make-visit", 500},
    {"host-visit", 450},
    {"express-intent-to-meet-or-negotiate", 420},
    {"engage-in-negotiation", 380},
    {"praise-or-endorse", 350},
    {"appeal", 330},
    {"express-intent-to-cooperate", 320},
    {"criticize-or-denounce", 300},
    {"accuse", 280},
    {"arrest-detain-or-charge", 270},
    {"engage-in-diplomatic-cooperation", 260},
    {"sign-formal-agreement", 240},
    {"meet-at-third-location", 220},
    {"discuss-by-telephone", 200},
    {"demand", 190},
    {"reject", 180},
    {"threaten", 170},
    {"use-conventional-military-force-not-specified", 160},
    {"protest", 150},
    {"provide-aid", 140},
    {"engage-in-material-cooperation", 130},
    {"investigate", 120},
    {"yield", 110},
    {"reduce-relations", 100},
    {"coerce", 95},
    {"assault", 90},
    {"fight", 85},
    {"make-optimistic-comment", 80},
    {"make-pessimistic-comment", 75},
    {"provide-economic-aid", 70},
    {"provide-humanitarian-aid", 65},
    {"provide-military-aid", 60},
    {"impose-embargo-boycott-or-sanctions", 55},
    {"threaten-with-military-force", 50},
    {"demonstrate-or-rally", 48},
    {"cooperate-economically", 45},
    {"cooperate-militarily", 42},
    {"share-intelligence-or-information", 40},
    {"grant-diplomatic-recognition", 36},
    {"apologize", 33},
    {"mediate", 30},
    {"expel-or-deport-individuals", 28},
    {"seize-or-damage-property", 26},
    {"impose-administrative-sanctions", 24},
    {"mobilize-or-increase-armed-forces", 22},
    {"employ-aerial-weapons", 20},
    {"fight-with-small-arms-and-light-weapons", 18},
    {"fight-with-artillery-and-tanks", 16},
    {"occupy-territory", 14},
    {"impose-blockade-or-restrict-movement", 12},
    {"violate-ceasefire", 10},
    {"abduct-hijack-or-take-hostage", 9},
    {"physically-assault", 8},
    {"conduct-suicide-car-or-other-non-military-bombing", 7},
    {"assassinate", 6},
    {"expel-or-withdraw", 5},
    {"engage-in-mass-killings", 4},
    {"engage-in-unconventional-mass-violence", 3},
};
static_assert(std::size(relations) == 60);

constexpr int substate_total = 50000;
constexpr int substate_floor = 40;  // every country has at least this many sub-state actors

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto j = s.find(' ', i);
    const auto end = j == std::string_view::npos ? s.size() : j;
    if (end > i) out.emplace_back(s.substr(i, end - i));
    i = end + 1;
  }
  return out;
}

// Cumulative weights, sampled by binary search.
struct Cdf {
  std::vector<double> c;
  explicit Cdf(const std::vector<double>& w) {
    c.resize(w.size());
    double s = 0;
    for (std::size_t i = 0; i < w.size(); ++i) c[i] = s += w[i];
    for (auto& x : c) x /= s;
  }
  std::size_t draw(Xoshiro& r) const {
    const double u = r.uniform();
    const auto it = std::upper_bound(c.begin(), c.end(), u);
    return std::min<std::size_t>(static_cast<std::size_t>(it - c.begin()), c.size() - 1);
  }
};

struct Actor {
  std::string id;
  int country = 0;  // index into countries
  int role = -1;    // -1: the country itself
};

// Days since 1970-01-01 -> Y, M, D (Howard Hinnant's civil_from_days).
void civil(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const auto yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

char* put_uint(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

char* put_str(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

int usage() {
  std::fputs("usage: gen_triples --rows N [--seed 42] [--out FILE|-] [--actors FILE] [--geokg-actors FILE]\n", stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  long long rows = -1;
  std::uint64_t seed = 42;
  std::string out = "-", actors_path, geokg_actors_path;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) return usage();
    const char* v = argv[++i];
    if (a == "--rows") {
      rows = std::atoll(v);
    } else if (a == "--seed") {
      seed = std::strtoull(v, nullptr, 10);
    } else if (a == "--out") {
      out = v;
    } else if (a == "--actors") {
      actors_path = v;
    } else if (a == "--geokg-actors") {
      geokg_actors_path = v;
    } else {
      return usage();
    }
  }
  if (rows < 0) return usage();

  // ---- setup (its own stream: independent of the number of rows) ----
  Xoshiro setup(seed ^ 0x5eedc0de5eedc0deull);
  std::vector<std::string> countries = words(prominent);
  for (const auto& c : words(all_countries))
    if (std::find(countries.begin(), countries.end(), c) == countries.end()) countries.push_back(c);
  const int nc = static_cast<int>(countries.size());
  if (nc != 250) {
    std::fprintf(stderr, "gen_triples: expected 250 countries, have %d\n", nc);
    return 1;
  }

  // Sub-state actors per country: a floor plus a share falling with prominence (largest remainder).
  std::vector<int> per_country(static_cast<std::size_t>(nc), substate_floor);
  {
    std::vector<double> share(static_cast<std::size_t>(nc));
    double s = 0;
    for (int r = 0; r < nc; ++r) s += share[static_cast<std::size_t>(r)] = 1.0 / (r + 6);
    const int extra = substate_total - substate_floor * nc;
    int given = 0;
    std::vector<std::pair<double, int>> rem;
    for (int r = 0; r < nc; ++r) {
      const double x = extra * share[static_cast<std::size_t>(r)] / s;
      const int k = static_cast<int>(std::floor(x));
      per_country[static_cast<std::size_t>(r)] += k;
      given += k;
      rem.emplace_back(-(x - k), r);
    }
    std::sort(rem.begin(), rem.end());
    for (int i = 0; i < extra - given; ++i) ++per_country[static_cast<std::size_t>(rem[static_cast<std::size_t>(i)].second)];
  }
  std::vector<double> role_w;
  for (const auto& r : roles) role_w.push_back(r.weight);
  const Cdf role_cdf(role_w);
  std::vector<Actor> actors;  // countries first (index = country index), then sub-state actors
  for (int c = 0; c < nc; ++c) actors.push_back({countries[static_cast<std::size_t>(c)], c, -1});
  for (int c = 0; c < nc; ++c) {
    std::array<unsigned, std::size(roles)> numbered{};
    for (int k = 0; k < per_country[static_cast<std::size_t>(c)]; ++k) {
      const auto role = role_cdf.draw(setup);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%s-%s-%05u", countries[static_cast<std::size_t>(c)].c_str(), roles[role].code,
                    ++numbered[role]);
      actors.push_back({buf, c, static_cast<int>(role)});
    }
  }

  // Weighted random permutation of the sub-state actors (Efraimidis-Spirakis keys), then
  // Zipf-Mandelbrot weights by rank in it.
  const std::size_t first_sub = static_cast<std::size_t>(nc);
  std::vector<std::pair<double, std::size_t>> keyed;
  for (std::size_t i = first_sub; i < actors.size(); ++i) {
    const double w = (1.0 / (actors[i].country + 6)) * roles[actors[i].role].weight;
    double u = setup.uniform();
    if (u <= 0) u = 0x1.0p-53;
    keyed.emplace_back(std::log(u) / w, i);  // larger key = earlier
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  std::vector<std::size_t> sub_order;
  std::vector<double> sub_w;
  std::vector<double> weight_of(actors.size(), 0.0);
  for (std::size_t r = 0; r < keyed.size(); ++r) {
    sub_order.push_back(keyed[r].second);
    sub_w.push_back(1.0 / (static_cast<double>(r) + 1 + 20));
    weight_of[keyed[r].second] = sub_w.back();
  }
  const Cdf sub_cdf(sub_w);
  std::vector<double> country_w;
  for (int r = 0; r < nc; ++r) country_w.push_back(1.0 / std::pow(r + 1, 1.05));
  const Cdf country_cdf(country_w);
  // Per country: its sub-state actors with their global weights, for domestic objects.
  std::vector<std::vector<std::size_t>> members(static_cast<std::size_t>(nc));
  for (std::size_t i = first_sub; i < actors.size(); ++i) members[static_cast<std::size_t>(actors[i].country)].push_back(i);
  std::vector<Cdf> member_cdf;
  for (const auto& m : members) {
    std::vector<double> w;
    for (auto i : m) w.push_back(weight_of[i]);
    member_cdf.emplace_back(w);
  }
  std::vector<double> rel_w;
  double others = 0;
  for (const auto& r : relations) {
    rel_w.push_back(r.weight);
    others += r.weight;
  }
  rel_w[0] = others * 0.18 / 0.82;
  const Cdf rel_cdf(rel_w);

  if (!actors_path.empty()) {
    FILE* f = std::fopen(actors_path.c_str(), "wb");
    if (!f) return std::perror(actors_path.c_str()), 1;
    std::fputs("id,kind,country,role\n", f);
    for (const auto& a : actors)
      std::fprintf(f, "%s,%s,%s,%s\n", a.id.c_str(), a.role < 0 ? "country" : "substate",
                   countries[static_cast<std::size_t>(a.country)].c_str(), a.role < 0 ? "" : roles[a.role].code);
    if (std::fclose(f) != 0) return std::perror(actors_path.c_str()), 1;
  }
  if (!geokg_actors_path.empty()) {
    FILE* f = std::fopen(geokg_actors_path.c_str(), "wb");
    if (!f) return std::perror(geokg_actors_path.c_str()), 1;
    std::fputs("id,name,type,country\n", f);
    for (std::size_t i = first_sub; i < actors.size(); ++i) {
      const auto& a = actors[i];
      const auto& c = countries[static_cast<std::size_t>(a.country)];
      std::fprintf(f, "%s,%s %s %s,%s,%s\n", a.id.c_str(), c.c_str(), roles[a.role].name, a.id.c_str() + 8,
                   roles[a.role].type, c.c_str());
    }
    if (std::fclose(f) != 0) return std::perror(geokg_actors_path.c_str()), 1;
  }
  if (rows == 0 && out == "-") return 0;

  // ---- the triples (the row stream) ----
  FILE* f = out == "-" ? stdout : std::fopen(out.c_str(), "wb");
  if (!f) return std::perror(out.c_str()), 1;
  Xoshiro rng(seed);
  constexpr std::int64_t day0 = 16436;   // 2015-01-01
  constexpr std::int64_t days = 4018;    // through 2025-12-31
  const auto endpoint = [&]() -> std::size_t {
    if (rng.uniform() < 0.40) return country_cdf.draw(rng);
    return sub_order[sub_cdf.draw(rng)];
  };
  std::vector<char> buf(1 << 20);
  std::size_t used = 0;
  std::fputs("subject,relation,object,date,weight\n", f);
  for (long long n = 0; n < rows; ++n) {
    const std::size_t s = endpoint();
    std::size_t o = 0;
    do {
      if (rng.uniform() < 0.35) {
        const auto c = static_cast<std::size_t>(actors[s].country);
        if (actors[s].role >= 0 && rng.uniform() < 0.3) {
          o = c;  // the subject's own country
        } else {
          o = members[c][member_cdf[c].draw(rng)];
        }
      } else {
        o = endpoint();
      }
    } while (o == s);
    const auto rel = rel_cdf.draw(rng);
    // Density rising linearly to twice its start: inverse CDF of (1 + t) on [0, 1].
    const double t = -1.0 + std::sqrt(1.0 + 3.0 * rng.uniform());
    const auto day = day0 + std::min<std::int64_t>(days - 1, static_cast<std::int64_t>(t * static_cast<double>(days)));
    const auto milli = 50 + std::min<unsigned>(950, static_cast<unsigned>(951.0 * std::pow(rng.uniform(), 2.0 / 3.0)));
    int y = 0;
    unsigned m = 0, d = 0;
    civil(day, y, m, d);
    if (buf.size() - used < 256) {
      std::fwrite(buf.data(), 1, used, f);
      used = 0;
    }
    char* p = buf.data() + used;
    p = put_str(p, actors[s].id);
    *p++ = ',';
    p = put_str(p, relations[rel].slug);
    *p++ = ',';
    p = put_str(p, actors[o].id);
    *p++ = ',';
    p = put_uint(p, static_cast<unsigned>(y), 4);
    *p++ = '-';
    p = put_uint(p, m, 2);
    *p++ = '-';
    p = put_uint(p, d, 2);
    *p++ = ',';
    p = put_uint(p, milli / 1000, 1);
    *p++ = '.';
    p = put_uint(p, milli % 1000, 3);
    *p++ = '\n';
    used = static_cast<std::size_t>(p - buf.data());
  }
  std::fwrite(buf.data(), 1, used, f);
  if (f != stdout ? std::fclose(f) != 0 : std::fflush(f) != 0) return std::perror(out.c_str()), 1;
  return 0;
}
