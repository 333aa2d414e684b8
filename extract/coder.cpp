// The coder, one sentence at a time (SentenceCoder::code):
//   1. mentions   longest-match phrases (actors, demonyms, places, titles, agents) combined into actors:
//                 "South Korean President Yoon", "the Russian military", "the president of France";
//   2. pronouns   he/his, it/its, they, "the country", "the two countries", "we" in quotes, shared family names;
//   3. groups     compounds ("South Korea and Japan"), with the preposition that governs them;
//   4. clauses    boundaries at quotes, ";", subordinators, reporting verbs and "and" + new subject;
//   5. triggers   verb and noun patterns of data/extract/verbs.txt matched after the trigger word;
//   6. subjects   pattern source, passive "by", possessive/demonym/"by" for nouns, light verbs, adjacency,
//                 the clause's first actor, control of infinitives, coordination;
//   7. modality   negation, refusal, intention, complements of appeals, demands and threats, denial scope;
//   8. events     one per source x target (pairs for compounds and "between"), dated by the nearest date
//                 expression of the same clause.
// Salience (who "he" and "the country" are) carries over from sentence to sentence within a document.
#include "extract/coder.hpp"

#include "extract/dates.hpp"
#include "extract/dictionary_data.hpp"
#include "extract/document.hpp"

#include <algorithm>
#include <cmath>
#include <deque>

namespace geokg::extract {
namespace {

using core::ActorType;
using core::Date;
using core::Polarity;

constexpr int none = -1;

struct Ref {
  std::uint32_t actor = 0;
  std::uint16_t agent = 0;
  friend bool operator==(const Ref&, const Ref&) = default;
};

enum class MentionKind : std::uint8_t { name, demonym, place, role, agent, pronoun };

struct Mention {
  std::uint32_t begin = 0, end = 0;  // sentence tokens; end excludes a possessive marker
  Ref ref;
  MentionKind kind = MentionKind::name;
  bool possessive = false;
};

struct Group {
  std::uint32_t begin = 0, end = 0;  // token span; end excludes a possessive marker
  std::uint32_t first = 0, count = 0;  // mentions
  bool possessive = false, governed = false, locative = false, coref = false;
  bool coordinated = false;  // joined by "and"/"or", not only by commas
};

struct Trigger {
  std::uint32_t begin = 0, end = 0;
  std::uint32_t block = 0;
  FormKind form = FormKind::base;
  bool noun = false;
  const Pattern* pattern = nullptr;
  std::uint32_t match_end = 0;
  int target = none, source = none;  // groups filled by the pattern
  int subject = none;                // resolved source group
  std::string code;
  Polarity polarity = Polarity::asserted;
  bool suppressed = false;
  bool passive = false;
  bool inherited = false;  // subject taken from context rather than the clause
  int light = none;        // the light verb of a noun trigger ("seeking to deepen a partnership")
  float confidence = 0.f;
};

struct Salience {
  std::optional<Ref> person, thing;
  std::optional<Ref> subject_person;   // the first person named in the last sentence that named one
  std::vector<std::uint32_t> persons;  // persons named so far, most recent first
  std::vector<Ref> countries;  // most recent first, distinct
  std::vector<Ref> plural;
};

// Per-document scratch space.
struct Work {
  std::vector<Token> tokens;
  std::vector<SentenceSpan> sentences;
  std::vector<Mention> mentions;
  std::vector<Group> groups;
  std::vector<int> group_at;     // group starting at token
  std::vector<int> group_ending; // group whose last token (or possessive marker) is at token
  std::vector<int> in_mention;   // mention covering a token
  std::vector<bool> boundary;
  std::vector<bool> in_date;     // token belongs to a date expression
  std::vector<Trigger> triggers;
  std::vector<DateMention> dates;
  Salience salience;
};

class SentenceCoder {
 public:
  SentenceCoder(const Dictionaries::Impl& d, std::string_view text, Date published, Work& w)
      : d_(d), text_(text), published_(published), w_(w) {
    of_ = d_.vocab.find("of");
    pro_ = d_.vocab.find("pro");
    anti_ = d_.vocab.find("anti");
    poss_ = d_.vocab.find("'s");
    comma_ = d_.vocab.find(",");
    between_ = d_.vocab.find("between");
    as_ = d_.vocab.find("as");
    well_ = d_.vocab.find("well");
    from_ = d_.vocab.find("from");
    i_ = d_.vocab.find("i");
    he_ = d_.vocab.find("he");
    she_ = d_.vocab.find("she");
    his_ = d_.vocab.find("his");
    me_ = d_.vocab.find("me");
    my_ = d_.vocab.find("my");
  }

  void code(const SentenceSpan& s, std::int32_t index, std::vector<Event>& out) {
    toks_ = std::span<const Token>(w_.tokens).subspan(s.first, s.last - s.first);
    n_ = static_cast<std::uint32_t>(toks_.size());
    caseless_ = true;
    for (const auto& t : toks_)
      if (t.is(tf_word) && !t.is(tf_cap)) caseless_ = false;
    if (!caseless_) {
      caseless_ = true;
      for (const auto& t : toks_)
        if (t.is(tf_word) && !t.is(tf_allcaps) && t.word != poss_) caseless_ = false;
    }
    find_mentions();
    add_pronouns();
    build_groups();
    mark_boundaries();
    find_dates(toks_, text_, d_.vocab, published_, w_.dates);
    w_.in_date.assign(n_ + 1, false);
    for (const auto& dm : w_.dates)
      for (auto q = dm.begin; q < dm.end && q < n_; ++q) w_.in_date[q] = true;
    find_triggers();
    for (auto& t : w_.triggers) match(t);
    drop_nested_triggers();
    for (std::size_t i = 0; i < w_.triggers.size(); ++i) resolve_subject(i);
    apply_modality();
    emit(s, index, out);
    update_salience();
  }

 private:
  // ---- token helpers -------------------------------------------------------------------------------
  std::uint64_t cls(std::uint32_t i) const noexcept {
    if (i >= n_) return 0;
    const auto c = d_.vocab.classes(toks_[i].word);
    // Unlisted words in -ly are adverbs ("deliberately", "repeatedly").
    if (c == 0 && toks_[i].is(tf_ly)) return wc_adverb;
    return c;
  }
  bool has(std::uint32_t i, std::uint64_t c) const noexcept { return (cls(i) & c) != 0; }
  bool is_word(std::uint32_t i, std::uint32_t id) const noexcept { return i < n_ && id != 0 && toks_[i].word == id; }
  std::string_view surface(std::uint32_t b, std::uint32_t e) const {
    if (b >= e) return {};
    return text_.substr(toks_[b].begin, toks_[e - 1].end - toks_[b].begin);
  }

  // ---- actors --------------------------------------------------------------------------------------
  struct Hits {
    const PhraseHit* actor = nullptr;  // any actor (non-person or person)
    const PhraseHit* demonym = nullptr;
    const PhraseHit* place = nullptr;
    const PhraseHit* title = nullptr;
    const PhraseHit* agent = nullptr;
    std::uint32_t begin = 0, end = 0;
    const PhraseHit* hits_end = nullptr;  // end of the phrase's hit list, for multi-actor phrases
  };

  bool valid(const PhraseHit& h) const noexcept { return h.when.contains(published_); }

  Hits classify(const std::vector<PhraseHit>& hits, std::uint32_t b, std::uint32_t e, bool capital_ok) const {
    Hits out;
    out.begin = b;
    out.end = e;
    out.hits_end = hits.data() + hits.size();
    const bool any_user = std::any_of(hits.begin(), hits.end(), [&](const PhraseHit& h) { return h.user && valid(h); });
    for (const auto& h : hits) {
      if (!valid(h) || (any_user && !h.user)) continue;
      switch (h.kind) {
        case PhraseKind::actor: if (capital_ok && !out.actor) out.actor = &h; break;
        case PhraseKind::demonym: if (capital_ok && !out.demonym) out.demonym = &h; break;
        case PhraseKind::place: if (capital_ok && !out.place) out.place = &h; break;
        case PhraseKind::title: if (!out.title) out.title = &h; break;
        case PhraseKind::agent: if (!out.agent) out.agent = &h; break;
      }
    }
    return out;
  }

  bool is_person(const PhraseHit* h) const { return h && d_.actors[h->index].type == ActorType::person; }

  std::optional<Ref> country_ref(const Hits& h) const {
    if (h.actor && !is_person(h.actor)) return Ref{h.actor->index, h.actor->agent};
    if (h.demonym) return Ref{h.demonym->index, 0};
    if (h.place) return Ref{h.place->index, h.place->agent};
    return std::nullopt;
  }

  // The person holding one of the title's roles for `org` on the publication date.
  std::optional<std::uint32_t> holder(const ActorEntry& org, const Title& title) const {
    for (const auto& role : title.roles) {
      const auto it = d_.holders.find(org.id + "/" + role);
      if (it == d_.holders.end()) continue;
      for (const auto idx : it->second)
        for (const auto& r : d_.actors[idx].roles)
          if (r.org == org.id && r.role == role && r.when.contains(published_)) return idx;
    }
    return std::nullopt;
  }

  Ref with_agent(Ref r, std::uint16_t agent) const {
    const auto& a = d_.actors[r.actor];
    if (a.type != ActorType::country) return r;  // a group's or IGO's own people are the group
    if (agent != 0 && d_.agents[agent].is_state) agent = 0;
    r.agent = agent;
    return r;
  }

  // Words after a title that name its holder: "President Yoon", "Secretary of State Antony Blinken".
  bool names(std::uint32_t person, std::uint32_t tok) const {
    if (tok >= n_ || !toks_[tok].is(tf_word) || toks_[tok].word == 0 || has(tok, wc_function)) return false;
    const auto it = d_.person_words.find(toks_[tok].word);
    return it != d_.person_words.end() && std::find(it->second.begin(), it->second.end(), person) != it->second.end();
  }

  std::uint32_t name_end(std::uint32_t person, std::uint32_t from) const {
    while (from < n_ && names(person, from)) ++from;
    return from;
  }

  // The holder of the title (any organisation) whose name has the word at `tok`.
  std::optional<std::uint32_t> titled_person(const PhraseHit& title, std::uint32_t tok) const {
    if (tok >= n_ || !toks_[tok].is(tf_word) || toks_[tok].word == 0 || has(tok, wc_function)) return std::nullopt;
    const auto it = d_.person_words.find(toks_[tok].word);
    if (it == d_.person_words.end()) return std::nullopt;
    const auto& t = d_.titles[title.index];
    for (const auto idx : it->second)
      for (const auto& r : d_.actors[idx].roles)
        if (r.when.contains(published_) && std::find(t.roles.begin(), t.roles.end(), r.role) != t.roles.end())
          return idx;
    return std::nullopt;
  }

  Ref title_ref(Ref org, const PhraseHit& title) const {
    const auto& t = d_.titles[title.index];
    if (auto p = holder(d_.actors[org.actor], t)) return Ref{*p, 0};
    return with_agent(org, t.agent);
  }

  void push_mention(std::uint32_t b, std::uint32_t e, Ref r, MentionKind k) {
    Mention m{b, e, r, k, false};
    if (e < n_ && toks_[e].is(tf_possessive)) m.possessive = true;
    w_.mentions.push_back(m);
  }

  void find_mentions() {
    w_.mentions.clear();
    person_hits_.clear();
    std::vector<Hits> raw;
    for (std::uint32_t i = 0; i < n_; ++i) {
      std::uint32_t node = PhraseTrie::root, best_end = 0;
      const std::vector<PhraseHit>* best = nullptr;
      for (std::uint32_t j = i; j < n_; ++j) {
        const auto w = toks_[j].word;
        if (w == 0) break;
        node = d_.phrases.child(node, w);
        if (node == PhraseTrie::none) break;
        if (const auto* h = d_.hits(node)) {
          best = h;
          best_end = j + 1;
        }
      }
      bool capital = caseless_;
      const bool prefixed = toks_[i].is(tf_hyphen_before) && i > 0 && (toks_[i - 1].word == pro_ || toks_[i - 1].word == anti_);
      if (best) {
        for (std::uint32_t k = i; k < best_end && !capital; ++k) capital = toks_[k].is(tf_cap);
        Hits h = classify(*best, i, best_end, capital && !prefixed);
        if (h.actor || h.demonym || h.place || h.title || h.agent) {
          raw.push_back(h);
          i = best_end - 1;
          continue;
        }
      }
      // "Kim" after "Kim Jong Un": a shared family name is the person of that name mentioned last.
      if (toks_[i].is(tf_cap) && !d_.shared_family_names.empty()) {
        if (const auto it = d_.shared_family_names.find(toks_[i].word); it != d_.shared_family_names.end()) {
          for (const auto p : w_.salience.persons)
            if (std::find(it->second.begin(), it->second.end(), p) != it->second.end()) {
              Hits h;
              h.begin = i;
              h.end = i + 1;
              person_hit_ = PhraseHit{PhraseKind::actor, false, 0, p, {}};
              h.actor = &person_hits_.emplace_back(person_hit_);
              h.hits_end = h.actor + 1;
              raw.push_back(h);
              break;
            }
          if (!raw.empty() && raw.back().begin == i) continue;
        }
      }
      if (!d_.stems.empty() && toks_[i].is(tf_word) && (toks_[i].is(tf_cap) || caseless_) && !prefixed) {
        const auto* hit = stem(i);
        if (hit) {
          Hits h;
          h.begin = i;
          h.end = i + 1;
          if (hit->kind == PhraseKind::agent) h.agent = hit; else h.actor = hit;
          h.hits_end = hit + 1;
          raw.push_back(h);
        }
      }
    }
    // Combine: [country] [title] [person], [country] [agent], [title|agent] of [country] ...
    const auto adjacent = [&](std::uint32_t end, std::uint32_t begin) {
      return begin == end || (begin == end + 1 && toks_[end].is(tf_possessive));
    };
    // "of" (or "from", for agents: "dissidents from Myanmar") plus determiners between a title/agent and its country.
    const auto of_next = [&](std::size_t k) -> std::size_t {
      if (k + 1 >= raw.size()) return 0;
      // "from" links people to their country ("dissidents from Myanmar"), not forces ("troops from Niger").
      const bool people = !raw[k].title && raw[k].agent && d_.agents[raw[k].agent->agent].type == ActorType::group;
      const bool link = is_word(raw[k].end, of_) || (people && is_word(raw[k].end, from_));
      if (!link) return 0;
      std::uint32_t p = raw[k].end + 1;
      while (p < n_ && has(p, wc_det)) ++p;
      // One adjective may stand between: "the mayor of the northern West Bank".
      if (p < n_ && raw[k + 1].begin == p + 1 && toks_[p].is(tf_word) && !toks_[p].is(tf_cap) && !has(p, wc_function)) ++p;
      return raw[k + 1].begin == p ? k + 1 : 0;
    };
    for (std::size_t k = 0; k < raw.size(); ++k) {
      const Hits& h = raw[k];
      const Hits* next = k + 1 < raw.size() && adjacent(h.end, raw[k + 1].begin) ? &raw[k + 1] : nullptr;
      const Hits* next2 = next && k + 2 < raw.size() && adjacent(next->end, raw[k + 2].begin) ? &raw[k + 2] : nullptr;
      if (auto ref = country_ref(h)) {
        const MentionKind kind = h.actor && !is_person(h.actor) ? MentionKind::name : h.demonym ? MentionKind::demonym : MentionKind::place;
        if (next && next->title && !is_person(next->actor)) {
          if (next2 && is_person(next2->actor)) {
            push_mention(h.begin, next2->end, Ref{next2->actor->index, 0}, MentionKind::name);
            k += 2;
          } else {
            const Ref r = title_ref(*ref, *next->title);
            const bool person = d_.actors[r.actor].type == ActorType::person;
            push_mention(h.begin, person ? name_end(r.actor, next->end) : next->end, r, MentionKind::role);
            k += 1;
          }
          continue;
        }
        if (next && next->agent && !next->actor && !next->demonym) {
          push_mention(h.begin, next->end, with_agent(*ref, next->agent->agent), MentionKind::agent);
          k += 1;
          continue;
        }
        if (next && is_person(next->actor)) {
          push_mention(h.begin, next->end, Ref{next->actor->index, 0}, MentionKind::name);
          k += 1;
          continue;
        }
        push_mention(h.begin, h.end, *ref, kind);
        // A phrase coded with several actors stands for all of them.
        if (h.actor && h.actor->user && h.hits_end)
          for (const auto* x = h.actor + 1; x != h.hits_end; ++x)
            if (x->kind == PhraseKind::actor && x->user && valid(*x) && x->index != h.actor->index)
              push_mention(h.begin, h.end, Ref{x->index, x->agent}, kind);
        continue;
      }
      if (is_person(h.actor)) {
        push_mention(h.begin, h.end, Ref{h.actor->index, 0}, MentionKind::name);
        continue;
      }
      if (h.title) {
        if (next && is_person(next->actor)) {
          push_mention(h.begin, next->end, Ref{next->actor->index, 0}, MentionKind::name);
          k += 1;
        } else if (const auto p = titled_person(*h.title, h.end)) {
          push_mention(h.begin, name_end(*p, h.end), Ref{*p, 0}, MentionKind::name);
        } else if (const auto o = of_next(k); o != 0) {
          if (auto ref = country_ref(raw[o])) {
            push_mention(h.begin, raw[o].end, title_ref(*ref, *h.title), MentionKind::role);
            k = o;
          }
        }
        continue;
      }
      if (h.agent) {
        if (const auto o = of_next(k); o != 0) {
          if (auto ref = country_ref(raw[o])) {
            push_mention(h.begin, raw[o].end, with_agent(*ref, h.agent->agent), MentionKind::agent);
            k = o;
          }
        }
      }
    }
  }

  const PhraseHit* stem(std::uint32_t i) const {
    const auto key = d_.vocab.spelling(toks_[i].word);
    std::string lower;
    if (toks_[i].word == 0) {
      for (auto c : text_.substr(toks_[i].begin, toks_[i].end - toks_[i].begin))
        if (c != '.' && c != '\'') lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    const std::string_view k = toks_[i].word == 0 ? std::string_view(lower) : key;
    for (std::size_t len = k.size(); len >= 4; --len) {
      const auto prefix = k.substr(0, len);
      const auto it = std::lower_bound(d_.stems.begin(), d_.stems.end(), prefix,
                                       [](const auto& e, std::string_view p) { return e.first < p; });
      for (auto j = it; j != d_.stems.end() && j->first == prefix; ++j)
        if (valid(j->second)) return &j->second;
    }
    return nullptr;
  }

  // ---- coreference ---------------------------------------------------------------------------------
  // Who speaks the quotes of this sentence: the actor next to a reporting verb outside them
  // (“...,” Blinken said / Blinken said, “...”), else the person last named.
  std::optional<Ref> speaker(const std::vector<bool>& quoted, const std::vector<int>& covered, const Salience& s) const {
    for (std::uint32_t i = 0; i < n_; ++i) {
      if (quoted[i] || !has(i, wc_report)) continue;
      for (std::uint32_t k = i + 1; k < n_ && k <= i + 3 && !quoted[k]; ++k)
        if (covered[k] != none) return w_.mentions[static_cast<std::size_t>(covered[k])].ref;
      for (std::uint32_t k = i; k > 0 && k + 4 > i && !quoted[k - 1]; --k)
        if (covered[k - 1] != none) return w_.mentions[static_cast<std::size_t>(covered[k - 1])].ref;
    }
    return s.person;
  }

  void add_pronouns() {
    auto& ms = w_.mentions;
    std::vector<Mention> extra;
    std::vector<int> covered(n_, none);
    for (std::size_t m = 0; m < ms.size(); ++m)
      for (auto t = ms[m].begin; t < ms[m].end; ++t) covered[t] = static_cast<int>(m);
    std::vector<bool> quoted(n_, false);
    bool in_quote = false, any_quote = false;
    for (std::uint32_t i = 0; i < n_; ++i) {
      if (toks_[i].punct == '"') {
        in_quote = !in_quote;
        any_quote = true;
        continue;
      }
      quoted[i] = in_quote;
    }
    std::optional<Ref> who;
    if (any_quote) {
      who = speaker(quoted, covered, w_.salience);
      // "We" is the speaker's country (or group), not the speaker.
      if (who && d_.actors[who->actor].type == ActorType::person) {
        const auto& p = d_.actors[who->actor];
        const auto it = d_.actor_by_id.find(p.country);
        who = it != d_.actor_by_id.end() ? std::optional<Ref>(Ref{it->second, 0}) : std::nullopt;
        for (const auto& r : p.roles)
          if (r.when.contains(published_))
            if (const auto o = d_.actor_by_id.find(r.org); o != d_.actor_by_id.end()) who = Ref{o->second, 0};
      }
    }
    Salience s = w_.salience;  // advanced through this sentence's mentions in order
    std::size_t next_mention = 0;
    std::optional<Ref> first_person;
    for (std::uint32_t i = 0; i < n_; ++i) {
      while (next_mention < ms.size() && ms[next_mention].begin <= i) {
        const auto& m = ms[next_mention];
        if (!first_person && d_.actors[m.ref.actor].type == ActorType::person) first_person = m.ref;
        if (next_mention > 0 && ms[next_mention - 1].end + 1 == m.begin && has(m.begin - 1, wc_coord))
          s.plural = {ms[next_mention - 1].ref, m.ref};
        note(s, ms[next_mention++].ref);
      }
      if (covered[i] != none) continue;
      const auto c = cls(i);
      if (c == 0) continue;
      const auto add = [&](std::uint32_t e, Ref r, bool possessive) {
        Mention m{i, e, r, MentionKind::pronoun, possessive};
        if (!possessive && e < n_ && toks_[e].is(tf_possessive)) m.possessive = true;
        extra.push_back(m);
      };
      if ((c & wc_pron_first) && quoted[i] && who) {
        // "we", "us", "our" in a quote: the speaker's side; "I", "me", "my" are not coded.
        const auto w = toks_[i].word;
        if (w != i_ && w != me_ && w != my_) add(i + 1, *who, (c & wc_possessive_pron) != 0);
      } else if ((c & wc_pron_person) && (s.person || first_person)) {
        // "he", "she", "his": the person this sentence began with, else the last sentence's subject;
        // "him", "her": the person named last.
        const auto w = toks_[i].word;
        const bool subjective = w == he_ || w == she_ || w == his_;
        const Ref r = !subjective && s.person ? *s.person
                      : first_person          ? *first_person
                      : w_.salience.subject_person ? *w_.salience.subject_person
                                                   : *s.person;
        add(i + 1, r, (c & wc_possessive_pron) != 0);
      } else if ((c & wc_pron_thing) && s.thing) {
        // "it is clear that" is expletive; "it was supplying" is not.
        if (!(c & wc_possessive_pron) && has(i + 1, wc_be) && !has(i + 2, wc_verbish | wc_adverb | wc_aux | wc_be | wc_neg))
          continue;
        add(i + 1, *s.thing, (c & wc_possessive_pron) != 0);
      } else if ((c & wc_pron_plural) && !s.plural.empty()) {
        for (const auto& r : s.plural) add(i + 1, r, (c & wc_possessive_pron) != 0);
      } else if ((c & (wc_number_word | wc_det)) && i + 2 < n_ && has(i + 1, wc_number_word) &&
                 has(i + 2, wc_generic_country)) {
        // "the two sides" looks back past this sentence's own subjects ("Egypt and Qatar mediated between the two sides").
        for (const auto& r : last_two(w_.salience.plural.empty() ? s : w_.salience)) add(i + 3, r, false);
        i += 2;
      } else if ((c & wc_number_word) && i + 1 < n_ && has(i + 1, wc_generic_country)) {
        for (const auto& r : last_two(w_.salience.plural.empty() ? s : w_.salience)) add(i + 2, r, false);
        ++i;
      } else if ((c & wc_det) && i + 1 < n_ && has(i + 1, wc_generic_country) && !s.countries.empty() &&
                 d_.vocab.spelling(toks_[i + 1].word).back() != 's') {
        // "the country" is the last country; "the two countries" the last two.
        add(i + 2, s.countries.front(), false);
        ++i;
      }
    }
    if (extra.empty()) return;
    ms.insert(ms.end(), extra.begin(), extra.end());
    std::stable_sort(ms.begin(), ms.end(), [](const Mention& a, const Mention& b) { return a.begin < b.begin; });
  }

  // "the two countries": the last pair named together, else the last two countries named.
  std::vector<Ref> last_two(const Salience& s) const {
    if (s.plural.size() == 2) {
      // "both countries" after "Indian and Pakistani troops" are India and Pakistan.
      std::vector<Ref> out;
      for (const auto& r : s.plural) out.push_back(Ref{r.actor, d_.actors[r.actor].type == ActorType::country ? std::uint16_t{0} : r.agent});
      return out;
    }
    if (s.countries.size() >= 2) return {s.countries[0], s.countries[1]};
    return {};
  }

  std::optional<Ref> country_of(Ref r) const {
    const auto& a = d_.actors[r.actor];
    if (a.type == ActorType::country) return Ref{r.actor, 0};
    return std::nullopt;
  }

  void note(Salience& s, Ref r) const {
    const auto& a = d_.actors[r.actor];
    if (a.type == ActorType::person) {
      s.person = r;
      auto& v = s.persons;
      v.erase(std::remove(v.begin(), v.end(), r.actor), v.end());
      v.insert(v.begin(), r.actor);
      if (v.size() > 8) v.pop_back();
      return;
    }
    s.thing = r;
    if (auto c = country_of(r)) {
      auto& v = s.countries;
      v.erase(std::remove(v.begin(), v.end(), *c), v.end());
      v.insert(v.begin(), *c);
      if (v.size() > 4) v.pop_back();
    }
  }

  void update_salience() {
    for (const auto& m : w_.mentions)
      if (m.kind != MentionKind::pronoun) note(w_.salience, m.ref);
    for (const auto& m : w_.mentions)
      if (d_.actors[m.ref.actor].type == ActorType::person) {
        w_.salience.subject_person = m.ref;
        break;
      }
    for (const auto& g : w_.groups)
      if (g.count >= 2 && !g.coref) {
        w_.salience.plural.clear();
        for (auto k = g.first; k < g.first + g.count; ++k) w_.salience.plural.push_back(w_.mentions[k].ref);
      }
  }

  // ---- groups and clauses --------------------------------------------------------------------------
  void build_groups() {
    auto& gs = w_.groups;
    gs.clear();
    w_.group_at.assign(n_ + 1, none);
    w_.group_ending.assign(n_ + 1, none);
    w_.in_mention.assign(n_ + 1, none);
    const auto& ms = w_.mentions;
    for (std::uint32_t m = 0; m < ms.size(); ++m)
      for (auto t = ms[m].begin; t < ms[m].end; ++t) w_.in_mention[t] = static_cast<int>(m);
    for (std::uint32_t m = 0; m < ms.size(); ++m) {
      bool join = false, coordinated = false;
      if (!gs.empty()) {
        const Group& g = gs.back();
        const Mention& prev = ms[m - 1];
        if (ms[m].begin == prev.begin) {
          join = true;  // a plural pronoun standing for several actors
          coordinated = true;
        } else if (!prev.possessive && !g.locative) {
          std::uint32_t t = prev.end;
          bool conj = false;
          if (t < n_ && toks_[t].word == comma_) ++t;
          if (t < n_ && has(t, wc_coord)) {
            ++t;
            conj = true;
          } else if (is_word(t, as_) && is_word(t + 1, well_) && is_word(t + 2, as_)) {
            t += 3;
            conj = true;
          }
          coordinated = conj;
          conj = conj || (t == prev.end + 1 && toks_[prev.end].word == comma_);
          while (t < n_ && has(t, wc_det)) ++t;
          join = conj && t == ms[m].begin;
          // "Russia attacked Ukraine and Belarus condemned Poland": an object, then a new clause.
          if (join && followed_by_verb(ms[m]) && preceded_by_verb(g.begin)) join = false;
        }
      }
      if (join) {
        Group& g = gs.back();
        g.end = std::max(g.end, ms[m].end);
        g.count = m - g.first + 1;
        g.possessive = ms[m].possessive;
        g.coordinated = g.coordinated || coordinated;
        continue;
      }
      Group g;
      g.begin = ms[m].begin;
      g.end = ms[m].end;
      g.first = m;
      g.count = 1;
      g.possessive = ms[m].possessive;
      g.coref = ms[m].kind == MentionKind::pronoun;
      std::uint32_t p = g.begin;
      while (p > 0 && has(p - 1, wc_det) && !has(p - 1, wc_prep)) --p;
      if (p > 0) {
        const auto c = cls(p - 1);
        g.governed = (c & wc_prep) != 0;
        g.locative = (c & wc_locative) != 0;
        // "hundreds of UN troops", "members of Hamas": the quantity is not the actor.
        if (g.governed && is_word(p - 1, of_) && p >= 2 && (has(p - 2, wc_number_word) || toks_[p - 2].is(tf_number)))
          g.governed = false;
        // "after Islamabad accused ...": a conjunction that is also a preposition, before a clause.
        if (g.governed && (c & wc_sub) && followed_by_verb(ms[m])) g.governed = g.locative = false;
      }
      gs.push_back(g);
    }
    // "China, North Korea's principal ally," is an apposition, not a list: lists end with "and" or "or".
    for (std::size_t gi = 0; gi < gs.size(); ++gi) {
      if (gs[gi].count < 2 || gs[gi].coordinated) continue;
      // A headline's "India, Pakistan trade fire": two names at the start, then the verb.
      if (gs[gi].count == 2 && gs[gi].first == 0 && skip_det_back(gs[gi].begin) == 0 &&
          followed_by_verb(ms[gs[gi].first + 1]))
        continue;
      std::vector<Group> singles;
      for (auto m = gs[gi].first; m < gs[gi].first + gs[gi].count; ++m) {
        Group g;
        g.begin = ms[m].begin;
        g.end = ms[m].end;
        g.first = m;
        g.count = 1;
        g.possessive = ms[m].possessive;
        g.coref = ms[m].kind == MentionKind::pronoun;
        if (m == gs[gi].first) {
          g.governed = gs[gi].governed;
          g.locative = gs[gi].locative;
        }
        singles.push_back(g);
      }
      gs.erase(gs.begin() + static_cast<std::ptrdiff_t>(gi));
      gs.insert(gs.begin() + static_cast<std::ptrdiff_t>(gi), singles.begin(), singles.end());
      gi += singles.size() - 1;
    }
    for (std::size_t gi = 0; gi < gs.size(); ++gi) {
      auto& g = gs[gi];
      if (std::any_of(ms.begin() + g.first, ms.begin() + g.first + g.count,
                      [](const Mention& m) { return m.kind != MentionKind::pronoun; }))
        g.coref = false;
      w_.group_at[g.begin] = static_cast<int>(gi);
      w_.group_ending[g.end - 1] = static_cast<int>(gi);
      if (g.end < n_ && toks_[g.end].is(tf_possessive)) w_.group_ending[g.end] = static_cast<int>(gi);
    }
  }

  std::uint32_t skip_det_back(std::uint32_t b) const {
    while (b > 0 && has(b - 1, wc_det)) --b;
    return b;
  }

  bool followed_by_verb(const Mention& m) const {
    std::uint32_t k = m.end < n_ && toks_[m.end].is(tf_possessive) ? m.end + 1 : m.end;
    while (k < n_ && has(k, wc_adverb)) ++k;
    return k < n_ && has(k, wc_verbish | wc_aux | wc_be | wc_modal | wc_report) && w_.in_mention[k] == none;
  }

  bool preceded_by_verb(std::uint32_t b) const {
    while (b > 0 && has(b - 1, wc_det | wc_adverb)) --b;
    return b > 0 && has(b - 1, wc_verbish) && !has(b - 1, wc_prep);
  }

  void mark_boundaries() {
    auto& b = w_.boundary;
    b.assign(n_ + 1, false);
    // Scare quotes around a few words ("politicisation") do not start a quotation.
    std::vector<bool> scare(n_ + 1, false);
    for (std::uint32_t i = 0, open = UINT32_MAX; i < n_; ++i) {
      if (toks_[i].punct != '"') continue;
      if (open == UINT32_MAX) {
        open = i;
      } else {
        if (i - open <= 4) scare[open] = scare[i] = true;
        open = UINT32_MAX;
      }
    }
    for (std::uint32_t i = 0; i < n_; ++i) {
      const auto& t = toks_[i];
      if (t.punct == ';' || t.punct == ':' || (t.punct == '"' && !scare[i]) || t.punct == '(' || t.punct == ')' ||
          t.punct == '-') {
        b[i] = true;
        continue;
      }
      if (has(i, wc_sub | wc_rel | wc_comp | wc_report | wc_accord) && w_.in_mention[i] == none) b[i] = true;
      // "..., and Russia attacked": a coordinator or comma before a new subject and its verb.
      std::uint32_t next = i + 1;
      while (next < n_ && has(next, wc_adverb) && w_.group_at[next] == none) ++next;  // "and then she asked"
      if ((t.word == comma_ || has(i, wc_coord)) && next < n_ && w_.group_at[next] != none) {
        const Group& g = w_.groups[static_cast<std::size_t>(w_.group_at[next])];
        std::uint32_t k = g.end < n_ && toks_[g.end].is(tf_possessive) ? g.end + 1 : g.end;
        while (k < n_ && has(k, wc_adverb)) ++k;
        if (k < n_ && has(k, wc_verbish | wc_aux | wc_be | wc_modal | wc_report) && !toks_[k].is(tf_possessive)) b[i] = true;
      }
    }
  }

  std::uint32_t clause_start(std::uint32_t t) const {
    while (t > 0) {
      if (w_.boundary[t - 1]) return t;
      --t;
    }
    return 0;
  }

  // ---- triggers and patterns -----------------------------------------------------------------------
  void find_triggers() {
    auto& ts = w_.triggers;
    ts.clear();
    for (std::uint32_t i = 0; i < n_; ++i) {
      if (w_.in_mention[i] != none) continue;
      std::uint32_t node = PhraseTrie::root, best_end = 0, best_node = PhraseTrie::none;
      for (std::uint32_t j = i; j < n_; ++j) {
        const auto w = toks_[j].word;
        if (w == 0) break;
        node = d_.triggers.child(node, w);
        if (node == PhraseTrie::none) break;
        if (node < d_.trigger_hits.size() && !d_.trigger_hits[node].empty()) {
          best_end = j + 1;
          best_node = node;
        }
      }
      if (best_node == PhraseTrie::none) continue;
      const auto& hits = d_.trigger_hits[best_node];
      // A noun after a determiner, a possessive or an adjective-like actor; a verb otherwise.
      // "a surprise visit": a determiner up to two modifiers back.
      std::uint32_t back = i;
      for (int mods = 0; mods < 3 && back > 0 && (toks_[back - 1].is(tf_word) || toks_[back - 1].is(tf_number)) &&
                         (cls(back - 1) == 0 || has(back - 1, wc_number_word)) && w_.in_mention[back - 1] == none;
           ++mods)
        --back;
      const bool det_before = back < i && back > 0 && (has(back - 1, wc_det) || toks_[back - 1].is(tf_possessive));
      const bool noun_context = i > 0 && (det_before || has(i - 1, wc_det) || toks_[i - 1].is(tf_possessive) ||
                                          (has(i - 1, wc_light) && !has(i - 1, wc_aux | wc_be | wc_modal)) ||
                                          (w_.in_mention[i - 1] != none &&
                                           w_.mentions[static_cast<std::size_t>(w_.in_mention[i - 1])].kind == MentionKind::demonym) ||
                                          has(i - 1, wc_number_word) || toks_[i - 1].is(tf_number));
      // After a preposition (other than "to") a word is a noun or a gerund: "called for sanctions".
      const bool after_prep = i > 0 && has(i - 1, wc_prep) && !has(i - 1, wc_to);
      const TriggerHit* pick = nullptr;
      for (const auto& h : hits) {
        const bool noun = d_.blocks[h.block].noun;
        // "to" + an inflected form is a preposition and a noun: "agreed to talks".
        const bool to_noun = i > 0 && has(i - 1, wc_to) && (h.form == FormKind::third || h.form == FormKind::noun);
        const bool want_noun = noun_context || to_noun || (after_prep && h.form != FormKind::gerund);
        if (noun == want_noun) { pick = &h; break; }
      }
      if (!pick) {
        // Only one reading: a verb after a determiner is not a verb ("the attack" has no verb reading).
        pick = &hits.front();
        if (!d_.blocks[pick->block].noun && (noun_context || after_prep) && pick->form != FormKind::gerund &&
            pick->form != FormKind::past_participle) {
          i = best_end - 1;
          continue;
        }
      }
      Trigger t;
      t.begin = i;
      t.end = best_end;
      t.block = pick->block;
      t.form = pick->form;
      t.noun = d_.blocks[pick->block].noun;
      ts.push_back(t);
      i = best_end - 1;
    }
  }

  int group_of_token(std::uint32_t q) const {
    const int m = w_.in_mention[q];
    if (m == none) return none;
    for (std::size_t gi = 0; gi < w_.groups.size(); ++gi) {
      const auto& g = w_.groups[gi];
      if (static_cast<std::uint32_t>(m) >= g.first && static_cast<std::uint32_t>(m) < g.first + g.count) return static_cast<int>(gi);
    }
    return none;
  }

  struct MatchState {
    int target = none, source = none;
    std::uint32_t end = 0;
  };

  // Skips determiners and a few adverbs before an actor slot.
  std::uint32_t skip_det(std::uint32_t p) const {
    int k = 0;
    while (p < n_ && k < 3 && w_.group_at[p] == none && (has(p, wc_det | wc_adverb | wc_number_word) || toks_[p].is(tf_number))) {
      ++p;
      ++k;
    }
    return p;
  }

  bool match_from(const Pattern& p, std::size_t e, std::uint32_t pos, MatchState& st) const {
    if (e == p.elems.size()) {
      st.end = pos;
      return true;
    }
    const PatternElem& el = p.elems[e];
    switch (el.kind) {
      case PatternElem::word:
        if (pos < n_ && toks_[pos].word == el.id) return match_from(p, e + 1, pos + 1, st);
        // An adverb may stand before a pattern word: "spoke briefly with".
        return pos + 1 < n_ && has(pos, wc_adverb) && w_.group_at[pos] == none && toks_[pos + 1].word == el.id &&
               match_from(p, e + 1, pos + 2, st);
      case PatternElem::klass:
        for (std::uint32_t at = pos; at <= pos + 1 && at < n_; ++at) {
          // An adverb may stand before the class too: "spoke briefly with".
          if (at > pos && (!has(pos, wc_adverb) || w_.group_at[pos] != none)) break;
          for (const auto& alt : d_.classes[el.id]) {
            if (alt.empty() || at + alt.size() > n_) continue;
            bool ok = true;
            for (std::size_t k = 0; k < alt.size() && ok; ++k) ok = toks_[at + k].word == alt[k];
            if (ok && match_from(p, e + 1, at + static_cast<std::uint32_t>(alt.size()), st)) return true;
          }
        }
        return false;
      case PatternElem::gap:
        for (std::uint32_t k = 0; k <= 6 && pos + k <= n_; ++k) {
          if (k > 0) {
            const auto q = pos + k - 1;
            const auto& t = toks_[q];
            if (t.punct == '.' || t.punct == ';' || t.punct == ':' || t.punct == '"' || w_.boundary[q]) break;
            // A gap does not skip an actor, except a possessive one ("withdrew its troops from") or a
            // hyphenated modifier ("a US-drafted resolution").
            if (w_.in_mention[q] != none) {
              const int g = group_of_token(q);
              if (g == none) break;
              const Group& grp = w_.groups[static_cast<std::size_t>(g)];
              if (!grp.possessive && !(grp.end < n_ && toks_[grp.end].is(tf_hyphen_before))) break;
            }
          }
          if (match_from(p, e + 1, pos + k, st)) return true;
        }
        return false;
      case PatternElem::target:
      case PatternElem::source:
      case PatternElem::pair: {
        auto q = skip_det(pos);
        for (int mods = 0; mods < 2 && q < n_ && w_.group_at[q] == none && toks_[q].is(tf_word) &&
                           !has(q, wc_function | wc_verbish | wc_light) && w_.in_mention[q] == none && !w_.boundary[q] &&
                           text_[toks_[q].end - 1] != 's';  // a plural noun is a head, not a modifier
             ++mods)
          ++q;
        if (q >= n_ || w_.group_at[q] == none) return false;
        int g = w_.group_at[q];
        {
          const Group& first = w_.groups[static_cast<std::size_t>(g)];
          if (first.end < n_ && toks_[first.end].is(tf_hyphen_before)) {
            auto r = first.end;
            while (r < n_ && (toks_[r].is(tf_hyphen_before) || (toks_[r].is(tf_word) && cls(r) == 0 && w_.group_at[r] == none)) &&
                   r < first.end + 4)
              ++r;
            if (r < n_ && w_.group_at[r] != none) g = w_.group_at[r];
            else return false;
          }
        }
        // A possessive before another actor is its determiner: "met his Russian counterpart".
        {
          const Group& first = w_.groups[static_cast<std::size_t>(g)];
          const std::uint32_t after = first.end < n_ && toks_[first.end].is(tf_possessive) ? first.end + 1 : first.end;
          if (first.possessive && after < n_ && w_.group_at[after] != none) g = w_.group_at[after];
        }
        const Group& grp = w_.groups[static_cast<std::size_t>(g)];
        if (el.kind == PatternElem::pair && grp.count < 2) return false;
        // "backed Milei's rival" is not about Milei.
        if (grp.possessive) {
          const std::uint32_t after = grp.end < n_ && toks_[grp.end].is(tf_possessive) ? grp.end + 1 : grp.end;
          if (after < n_ && has(after, wc_relational)) return false;
        }
        int& slot = el.kind == PatternElem::source ? st.source : st.target;
        const int saved = slot;
        slot = g;
        const bool marker = grp.end < n_ && toks_[grp.end].is(tf_possessive);
        if (match_from(p, e + 1, marker ? grp.end + 1 : grp.end, st)) return true;
        // "+ ~diplomat" also matches an actor whose own last words are a ~diplomat ("Russian diplomats").
        if (!marker && e + 1 < p.elems.size() && p.elems[e + 1].kind == PatternElem::klass) {
          for (const auto& alt : d_.classes[p.elems[e + 1].id]) {
            if (alt.empty() || alt.size() > grp.end - grp.begin) continue;
            const auto b = grp.end - static_cast<std::uint32_t>(alt.size());
            bool ok = true;
            for (std::size_t k = 0; k < alt.size() && ok; ++k) ok = toks_[b + k].word == alt[k];
            if (ok && match_from(p, e + 2, grp.end, st)) return true;
          }
        }
        slot = saved;
        return false;
      }
    }
    return false;
  }

  // "was attacked", "has been supplied": a participle after a form of "be".
  bool passive_form(const Trigger& t) const {
    if (t.noun || t.form != FormKind::past_participle) return false;
    std::uint32_t k = t.begin;
    while (k > 0 && has(k - 1, wc_adverb | wc_neg)) --k;
    return k > 0 && has(k - 1, wc_be);
  }

  void match(Trigger& t) {
    t.passive = passive_form(t);
    for (const auto& p : d_.blocks[t.block].patterns) {
      MatchState st;
      // In the passive the target is the subject: "Ukraine was supplied with tanks" matches "+ with * ~weapon".
      const bool skip_target = t.passive && !p.elems.empty() && p.elems.front().kind == PatternElem::target;
      if (t.passive && !skip_target && p.has_target) continue;
      if (match_from(p, skip_target ? 1 : 0, t.end, st)) {
        t.pattern = &p;
        t.target = st.target;
        t.source = st.source;
        t.match_end = st.end;
        t.code = p.code;
        return;
      }
    }
  }

  // A trigger inside the words another pattern consumed is part of that event: "pledged humanitarian aid to".
  void drop_nested_triggers() {
    auto& ts = w_.triggers;
    for (const auto& outer : ts) {
      if (!outer.pattern) continue;
      for (auto& inner : ts)
        if (&inner != &outer && inner.begin >= outer.end && inner.begin < outer.match_end) inner.pattern = nullptr;
    }
  }

  // ---- subjects ------------------------------------------------------------------------------------
  bool eligible(int g, const Trigger& t) const {
    if (g == none) return false;
    const Group& grp = w_.groups[static_cast<std::size_t>(g)];
    return !grp.governed && !grp.locative && g != t.target;
  }

  int group_before(std::uint32_t k) const { return k < n_ + 1 ? w_.group_ending[k] : none; }

  // The group before position `p` (skipping auxiliaries, adverbs and negations): "the DPRK providing".
  int adjacent_subject(std::uint32_t p, const Trigger& t) const {
    std::uint32_t k = p;
    // "Russia on Monday attacked", "lawmakers Tuesday endorsed": dates sit between subject and verb.
    while (k > 0 && (has(k - 1, wc_aux | wc_be | wc_modal | wc_adverb | wc_neg) || w_.in_date[k - 1])) --k;
    if (k == 0) return none;
    const int g = group_before(k - 1);
    if (g == none || g == t.target) return none;
    // A gerund right after its actor takes it even inside a phrase: "evidence of North Korea supplying".
    if (k == p && t.form == FormKind::gerund && !w_.groups[static_cast<std::size_t>(g)].locative) return g;
    return eligible(g, t) ? g : none;
  }

  int leftmost_subject(std::uint32_t cs, std::uint32_t p, const Trigger& t) const {
    for (std::size_t gi = 0; gi < w_.groups.size(); ++gi) {
      const auto& g = w_.groups[gi];
      if (g.begin < cs) continue;
      if (g.end > p) break;
      if (eligible(static_cast<int>(gi), t)) return static_cast<int>(gi);
    }
    // A relative clause: "Russia, which invaded Ukraine", "companies that supply Russia".
    if (cs > 0 && (has(cs - 1, wc_rel) || (has(cs - 1, wc_comp) && cs >= 2 && group_before(cs - 2) != none))) {
      std::uint32_t k = cs - 1;
      if (k > 0 && toks_[k - 1].word == comma_) --k;
      if (k > 0) {
        const int g = group_before(k - 1);
        if (g != none && g != t.target) return g;
      }
    }
    return none;
  }

  // The nearest group before p that can own a gerund: "North Korea's involvement in supporting".
  int nearest_owner(std::uint32_t cs, std::uint32_t p, const Trigger& t) const {
    for (std::size_t gi = w_.groups.size(); gi-- > 0;) {
      const auto& g = w_.groups[gi];
      if (g.end > p) continue;
      if (g.begin < cs) break;
      if (static_cast<int>(gi) == t.target || g.locative) continue;
      if (!g.governed || g.possessive) return static_cast<int>(gi);
    }
    return none;
  }

  void resolve_subject(std::size_t ti) {
    Trigger& t = w_.triggers[ti];
    if (!t.pattern || t.pattern->pair) return;
    if (t.source != none) {
      t.subject = t.source;
      // "$ ... " patterns make the clause subject the target when the pattern names none.
      if (!t.pattern->has_target) t.target = clause_subject(ti);
      return;
    }
    // Passive: "was attacked by Russia"; without "by" the source is unknown.
    if (t.passive) {
      const int agent = by_agent(std::max(t.match_end, t.end));
      if (agent == none) {
        t.pattern = nullptr;
        return;
      }
      t.subject = agent;
      if (t.target == none) {
        int patient = leftmost_subject(clause_start(t.begin), t.begin, t);
        if (patient == none) patient = adjacent_subject(t.begin, t);
        if (patient == agent) patient = none;
        t.target = patient;
      }
      return;
    }
    // A reduced passive: "Ukraine, attacked by Russia, ..." or "positions shelled by Russian artillery".
    if (!t.noun && t.form == FormKind::past_participle && t.target == none) {
      if (const int agent = by_agent(std::max(t.match_end, t.end)); agent != none) {
        std::uint32_t k = t.begin;
        if (k > 0 && toks_[k - 1].word == comma_) --k;
        const int patient = k > 0 ? group_before(k - 1) : none;
        if (patient != none && patient != agent) {
          t.subject = agent;
          t.target = patient;
          return;
        }
      }
    }
    if (t.noun) {
      // "Russia's invasion", "its invasion", "the Russian invasion", "an attack by Russia".
      std::uint32_t k = t.begin;
      int mods = 0;
      while (k > 0 && mods < 3 && w_.group_ending[k - 1] == none && !has(k - 1, wc_function | wc_light | wc_be) &&
             toks_[k - 1].is(tf_word) && !has(k - 1, wc_verbish)) {
        --k;
        ++mods;
      }
      if (k > 0) {
        const int g = w_.group_ending[k - 1];
        if (g != none && g != t.target) {
          const Group& grp = w_.groups[static_cast<std::size_t>(g)];
          const auto& last = w_.mentions[grp.first + grp.count - 1];
          if (grp.possessive || last.kind == MentionKind::demonym ||
              (last.kind == MentionKind::pronoun && has(k - 1, wc_possessive_pron)) ||
              (k == t.begin && last.kind != MentionKind::pronoun && !grp.governed && !grp.locative)) {
            t.subject = g;
            return;
          }
        }
      }
      if (const int agent = by_agent(std::max(t.match_end, t.end)); agent != none) {
        t.subject = agent;
        return;
      }
      // Otherwise the noun needs a light verb ("launched an attack on", "held talks with") or a copula
      // ("is critical of") to take the clause subject: "the war in Ukraine" has no actor of its own.
      std::uint32_t q = k;
      int steps = 0;
      while (q > 0 && steps < 4 && (has(q - 1, wc_det | wc_adverb | wc_number_word | wc_to) ||
                                    (toks_[q - 1].is(tf_word) && !has(q - 1, wc_function) &&
                                     !has(q - 1, wc_light) && w_.in_mention[q - 1] == none))) {
        --q;
        ++steps;
      }
      if (q == 0 || !has(q - 1, wc_light | wc_be)) {
        t.subject = none;
        return;
      }
      t.light = static_cast<int>(q - 1);
      // The light verb's subject ("the EU announced new sanctions on").
      const auto lv = q - 1;
      int g = adjacent_subject(lv, t);
      if (g == none) g = leftmost_subject(clause_start(lv), lv, t);
      if (g != none) {
        t.subject = g;
        return;
      }
    }
    t.subject = clause_subject(ti);
  }

  int by_agent(std::uint32_t from) const {
    for (std::uint32_t k = from; k < n_ && k < from + 6; ++k) {
      if (w_.boundary[k] || toks_[k].punct == '.') break;
      if (has(k, wc_by)) {
        const auto q = skip_det(k + 1);
        if (q < n_ && w_.group_at[q] != none) return w_.group_at[q];
        return none;
      }
    }
    return none;
  }

  int clause_subject(std::size_t ti) {
    Trigger& t = w_.triggers[ti];
    const auto cs = clause_start(t.begin);
    const bool infinitive = t.begin > 0 && has(t.begin - 1, wc_to);
    const bool after_prep = t.begin > 0 && has(t.begin - 1, wc_prep) && !infinitive;
    if (!t.noun && !infinitive && !after_prep) {
      if (const int g = adjacent_subject(t.begin, t); g != none) return g;
    }
    // A gerund right after a plain noun modifies it: "sanctions targeting Russian lawmakers" has no actor.
    if (!t.noun && t.form == FormKind::gerund && t.begin > 0 && toks_[t.begin - 1].is(tf_word) &&
        w_.in_mention[t.begin - 1] == none && !toks_[t.begin - 1].is(tf_possessive)) {
      const bool noun_before = std::any_of(w_.triggers.begin(), w_.triggers.end(),
                                           [&](const Trigger& x) { return x.noun && x.end == t.begin; });
      if (noun_before || cls(t.begin - 1) == 0) return none;
    }
    if (infinitive) {
      // "urged China to act": the object controls; otherwise the subject of the governing verb.
      if (t.begin >= 2) {
        const int g = group_before(t.begin - 2);
        if (eligible(g, t)) return g;
      }
      for (std::size_t k = ti; k-- > 0;) {
        const auto& prev = w_.triggers[k];
        if (prev.subject != none && prev.begin >= cs) {
          t.inherited = true;
          return prev.subject;
        }
      }
    }
    // ", travelling to Washington": a participle clause shares the sentence's subject.
    if (t.form == FormKind::gerund && !t.noun && t.begin > 0 && toks_[t.begin - 1].word == comma_) {
      if (const int g = leftmost_subject(0, t.begin, t); g != none) {
        t.inherited = true;
        return g;
      }
    }
    if (after_prep || (t.form == FormKind::gerund && !t.noun)) {
      if (const int g = nearest_owner(cs, t.begin, t); g != none) return g;
    }
    if (const int g = leftmost_subject(cs, t.begin, t); g != none) return g;
    // A verb coordinated with an earlier one shares its subject: "condemned X and promised Y".
    for (std::size_t k = ti; k-- > 0;) {
      const auto& prev = w_.triggers[k];
      if (prev.subject != none && !prev.noun) {
        t.inherited = true;
        return prev.subject;
      }
    }
    return none;
  }

  // ---- negation, intention, refusal, complements, denial --------------------------------------------
  static std::string root_of(const std::string& code) { return code.substr(0, 2); }

  const std::string* rule(const boost::unordered_flat_map<std::string, std::string>& m, const std::string& code) const {
    for (std::size_t len = code.size(); len >= 2; --len) {
      const auto it = m.find(code.substr(0, len));
      if (it != m.end()) return &it->second;
    }
    return nullptr;
  }

  bool hypothetical(const std::string& code) const {
    const auto& h = d_.rules.hypothetical;
    return std::any_of(h.begin(), h.end(), [&](const std::string& p) { return code.compare(0, p.size(), p) == 0; });
  }

  void apply_modality() {
    auto& ts = w_.triggers;
    for (std::size_t i = 0; i < ts.size(); ++i) {
      Trigger& t = ts[i];
      if (!t.pattern) continue;
      // Look back over the verb group: "did not", "would never", "refused to", "plans to".
      bool neg = false, modal = false, intent = false, refuse = false;
      // A noun's modality is its light verb's: "are seeking to deepen a partnership".
      std::uint32_t k = t.light != none ? static_cast<std::uint32_t>(t.light) : t.begin;
      int steps = 0;
      while (k > 0 && steps < 5) {
        const auto c = cls(k - 1);
        if (c & wc_neg) neg = true;
        else if (c & wc_modal) modal = true;
        else if (c & wc_to) {
          // "to" after an intention or refusal word (also in its inflected forms).
          std::uint32_t q = k - 1;
          while (q > 0 && (has(q - 1, wc_adverb) || w_.in_date[q - 1] || (w_.in_date[q] && has(q - 1, wc_prep)))) --q;
          // "pledged during the campaign to cut": a short phrase may stand between the intention and "to".
          for (std::uint32_t r = q, hops = 0; r > 0 && hops < 5; --r, ++hops) {
            if (has(r - 1, wc_intent)) {
              intent = true;
              break;
            }
            if (has(r - 1, wc_refuse)) {
              refuse = true;
              break;
            }
            if (w_.boundary[r - 1] || has(r - 1, wc_verbish | wc_light) || toks_[r - 1].is(tf_punct)) break;
          }
          break;
        } else if (!(c & (wc_aux | wc_be | wc_adverb))) {
          break;
        }
        --k;
        ++steps;
      }
      if (t.noun && t.begin > 0 && has(t.begin - 1, wc_neg)) neg = true;
      if (refuse || (neg && (modal || intent))) {
        if (const auto* c = rule(d_.rules.refuse, t.code)) t.code = *c;
        else t.polarity = Polarity::negated;
      } else if (neg) {
        t.polarity = Polarity::negated;
      } else if (intent) {
        if (const auto* c = rule(d_.rules.intent, t.code)) t.code = *c;
        else t.suppressed = true;
      } else if (!t.noun && t.pattern->intransitive && t.begin > 0 && has(t.begin - 1, wc_to)) {
        t.suppressed = true;  // a purpose with no target is no event: "trading weapons ... to launch a satellite"
      }
    }
    // Complements: "urged China to meet" (the appeal takes the embedded act's kind), "accused X of attacking".
    for (std::size_t i = 0; i + 1 < ts.size(); ++i) {
      Trigger& gov = ts[i];
      if (!gov.pattern) continue;
      for (std::size_t j = i + 1; j < ts.size(); ++j) {
        Trigger& emb = ts[j];
        std::uint32_t gap = gov.match_end;
        if (gap < emb.begin && (has(gap, wc_to) || has(gap, wc_prep))) ++gap;
        while (gap < emb.begin && has(gap, wc_det | wc_adverb)) ++gap;
        if (gap != emb.begin) continue;
        // An embedded act without its own actors still has a kind: its block's first code.
        const std::string emb_code = !emb.code.empty() ? emb.code : d_.blocks[emb.block].code;
        const std::string emb_root = emb_code.empty() ? std::string() : root_of(emb_code);
        if (!emb_root.empty()) {
          for (std::size_t len = gov.code.size(); len >= 2; --len) {
            const auto it = d_.rules.complement.find(gov.code.substr(0, len) + "/" + emb_root);
            if (it != d_.rules.complement.end()) {
              gov.code = it->second;
              break;
            }
          }
        }
        if (hypothetical(gov.code) && emb.pattern) {
          emb.suppressed = true;
          if (gov.target == none && emb.target != none) gov.target = emb.target;
        }
        break;
      }
    }
    // What an appeal, demand, threat or accusation asks for did not happen: "demanded that the US stop arming
    // Taiwan" codes the demand only. The scope ends at the next clause boundary other than "that" and "to".
    for (std::size_t i = 0; i < ts.size(); ++i) {
      const Trigger& gov = ts[i];
      // An unmatched noun still governs ("faces pressure from Congress to help"); an unmatched verb governs only
      // its object noun (below), so that "refused to meet" is left to the refusal rules.
      const bool unmatched_verb = !gov.pattern && !gov.noun && !gov.passive;
      const std::string& gcode = gov.pattern ? gov.code : d_.blocks[gov.block].code;
      if (gov.suppressed || gcode.empty() || !hypothetical(gcode)) continue;
      if (unmatched_verb && root_of(gcode) != "12") continue;  // only rejections void their object
      for (std::size_t j = i + 1; j < ts.size(); ++j) {
        // An unmatched verb governs only the noun it takes as object: "blocked the EU aid package".
        if (unmatched_verb && (!ts[j].noun || ts[j].begin > gov.end + 4)) break;
        bool crossed = false;
        for (auto q = gov.end; q < ts[j].begin && !crossed; ++q)
          crossed = w_.boundary[q] && !has(q, wc_comp) && toks_[q].punct != '"';
        if (crossed) break;
        ts[j].suppressed = true;
      }
    }
    // Denial: what a 016 event's clause reports is denied ("the Kremlin denied North Korea supplied ...").
    for (std::size_t i = 0; i < ts.size(); ++i) {
      Trigger& den = ts[i];
      if (!den.pattern || den.suppressed || den.code != "016") continue;
      for (std::size_t j = i + 1; j < ts.size(); ++j) {
        Trigger& e = ts[j];
        if (!e.pattern) continue;
        bool crossed = false;
        for (auto q = den.end; q < e.begin && !crossed; ++q) crossed = toks_[q].punct == ';' || has(q, wc_sub);
        if (crossed) break;
        e.polarity = Polarity::denied;
        e.suppressed = false;
        if (den.target == none) den.target = e.subject != none && !same_actor(e.subject, den.subject) ? e.subject : e.target;
      }
    }
  }

  bool same_actor(int a, int b) const {
    if (a == none || b == none) return a == b;
    const auto& ga = w_.groups[static_cast<std::size_t>(a)];
    const auto& gb = w_.groups[static_cast<std::size_t>(b)];
    const auto& ra = w_.mentions[ga.first].ref;
    const auto& rb = w_.mentions[gb.first].ref;
    return ra.actor == rb.actor || (country_of(ra) && country_of(ra) == country_of(rb));
  }

  // ---- events --------------------------------------------------------------------------------------
  MentionedActor actor(const Mention& m, Date date) const {
    MentionedActor a;
    const auto& e = d_.actors[m.ref.actor];
    a.text = std::string(surface(m.begin, m.end));
    if (m.ref.agent != 0 && e.type == ActorType::country) {
      const auto& ag = d_.agents[m.ref.agent];
      a.id = e.id + "-" + ag.code;
      a.name = (e.adjective.empty() ? e.name : e.adjective) + " " + ag.label;
      a.type = ag.type;
      a.country = e.id;
      return a;
    }
    a.id = e.id;
    a.name = e.name;
    a.type = e.type;
    if (e.type == ActorType::country) {
      a.country = e.country.empty() ? e.id : e.country;
    } else if (e.type == ActorType::person) {
      a.country = e.country;
      for (const auto& r : e.roles) {
        if (!r.when.contains(date)) continue;
        const auto it = d_.actor_by_id.find(r.org);
        if (it == d_.actor_by_id.end()) continue;
        const auto& org = d_.actors[it->second];
        if (org.type == ActorType::country) {
          a.country = org.id;
          break;
        }
        if (org.type == ActorType::igo) a.country.clear();
      }
    } else {
      a.country = e.country;
    }
    return a;
  }

  Date event_date(const Trigger& t) const {
    const DateMention* best = nullptr;
    std::uint32_t best_dist = UINT32_MAX;
    const auto crosses = [&](std::uint32_t a, std::uint32_t b) {
      for (auto q = a; q < b; ++q)
        if (w_.boundary[q] && (has(q, wc_sub | wc_report) || toks_[q].punct == ';')) return true;
      return false;
    };
    for (const auto& d : w_.dates) {
      if (d.begin >= t.end ? crosses(t.end, d.begin) : crosses(d.end, t.begin)) continue;
      const std::uint32_t dist = d.begin >= t.end ? d.begin - t.end : t.begin >= d.end ? t.begin - d.end : 0;
      if (dist < best_dist) {
        best_dist = dist;
        best = &d;
      }
    }
    return best ? best->date : published_;
  }

  float confidence(const Trigger& t, const Group& s, const Group* o) const {
    float c = 0.55f;
    if (t.pattern->specificity >= 3) c += 0.15f;
    if (t.pattern->specificity >= 5) c += 0.05f;
    if (!s.coref) c += 0.1f; else c -= 0.1f;
    if (o && o->coref) c -= 0.1f;
    if (t.inherited) c -= 0.1f;
    if (t.polarity != Polarity::asserted) c -= 0.05f;
    c = std::clamp(c, 0.05f, 0.95f);
    return std::round(c * 100.f) / 100.f;
  }

  void emit(const SentenceSpan& s, std::int32_t index, std::vector<Event>& out) {
    (void)s;
    bool have_sentence = false;
    std::string sentence;
    std::int64_t start = 0, end = 0;
    const auto& ms = w_.mentions;
    for (const auto& t : w_.triggers) {
      if (!t.pattern || t.suppressed) continue;
      const Group* sg = t.subject != none ? &w_.groups[static_cast<std::size_t>(t.subject)] : nullptr;
      const Group* og = t.target != none ? &w_.groups[static_cast<std::size_t>(t.target)] : nullptr;
      if (!t.pattern->pair && !sg) continue;
      if (!have_sentence) {
        sentence = collapse(text_.substr(toks_.front().begin, toks_.back().end - toks_.front().begin));
        start = offset(toks_.front().begin);
        end = offset(toks_.back().end);
        have_sentence = true;
      }
      const Date date = event_date(t);
      const float conf = confidence(t, sg ? *sg : *og, og);
      const bool symmetric = t.pattern->mutual || d_.rules.is_symmetric(t.code);
      const auto add = [&](const Mention& a, const Mention* b) {
        Event e;
        e.subject = actor(a, date);
        if (b) {
          e.object = actor(*b, date);
          if (e.object->id == e.subject.id) return;
        }
        e.relation_code = t.code;
        e.date = date;
        e.polarity = t.polarity;
        e.confidence = conf;
        e.sentence_index = index;
        e.sentence = sentence;
        e.start = start;
        e.end = end;
        e.trigger = std::string(surface(t.begin, t.end));
        e.pattern = d_.blocks[t.block].lemma + (t.pattern->text.empty() ? "" : " " + t.pattern->text);
        // The same triple twice in one sentence (two patterns, two mentions) is one event.
        for (auto x = out.rbegin(); x != out.rend() && x->sentence_index == index; ++x)
          if (x->subject.id == e.subject.id && x->relation_code == e.relation_code && x->polarity == e.polarity &&
              (x->object ? x->object->id : "") == (e.object ? e.object->id : ""))
            return;
        out.push_back(std::move(e));
      };
      // A compound acting on itself: "a summit between Kim and Putin", or "A and B met".
      const auto pairs = [&](const Group& g) {
        for (auto a = g.first; a < g.first + g.count; ++a)
          for (auto b = g.first; b < g.first + g.count; ++b)
            if (a != b) add(ms[a], &ms[b]);
      };
      if (t.pattern->pair) {
        pairs(*og);
        continue;
      }
      // "A met B" is one triple A->B; "A and B met" is A->B and B->A.
      if (og) {
        for (auto a = sg->first; a < sg->first + sg->count; ++a)
          for (auto b = og->first; b < og->first + og->count; ++b) add(ms[a], &ms[b]);
      } else if (sg->count >= 2 && symmetric) {
        pairs(*sg);
      } else if (t.pattern->intransitive) {
        for (auto a = sg->first; a < sg->first + sg->count; ++a) add(ms[a], nullptr);
      }
    }
  }

  static std::string collapse(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    bool space = false;
    for (char c : s) {
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
        space = true;
        continue;
      }
      if (space && !out.empty()) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
    return out;
  }

 public:
  // Byte offset -> code point offset, computed incrementally (sentences come in document order).
  std::int64_t offset(std::uint32_t byte) {
    if (byte < cp_byte_) {
      cp_byte_ = 0;
      cp_count_ = 0;
    }
    for (; cp_byte_ < byte; ++cp_byte_)
      if ((static_cast<unsigned char>(text_[cp_byte_]) & 0xC0) != 0x80) ++cp_count_;
    return cp_count_;
  }

 private:
  const Dictionaries::Impl& d_;
  std::string_view text_;
  Date published_;
  Work& w_;
  std::span<const Token> toks_;
  std::uint32_t n_ = 0;
  bool caseless_ = false;
  std::uint32_t from_ = 0, i_ = 0, me_ = 0, my_ = 0, he_ = 0, she_ = 0, his_ = 0;
  std::uint32_t of_ = 0, pro_ = 0, anti_ = 0, poss_ = 0, comma_ = 0, between_ = 0, as_ = 0, well_ = 0;
  PhraseHit person_hit_;
  std::deque<PhraseHit> person_hits_;  // hits made up for shared family names (stable addresses)
  std::uint32_t cp_byte_ = 0;
  std::int64_t cp_count_ = 0;
};

}  // namespace

Coder::Coder(std::shared_ptr<const Dictionaries> dictionaries) : dictionaries_(std::move(dictionaries)) {}

std::vector<Event> Coder::code(std::string_view text, core::Date published) const {
  std::vector<Event> events;
  thread_local Work work;
  work.salience = Salience{};
  const auto& d = dictionaries_->impl();
  segment(text, d, work.tokens, work.sentences);
  SentenceCoder coder(d, text, published, work);
  for (std::size_t i = 0; i < work.sentences.size(); ++i)
    coder.code(work.sentences[i], static_cast<std::int32_t>(i), events);
  return events;
}

}  // namespace geokg::extract
