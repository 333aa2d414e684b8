#pragma once

// Internal to extract/: the per-sentence coder behind Coder::code. Its stages live in three files:
//   mentions.cpp   actors, pronouns and names, compounds, clause boundaries      (stages 1-4)
//   patterns.cpp   triggers, pattern matching, subjects, negation and modality   (stages 5-7)
//   coder.cpp      events, dates, confidence, offsets, and Coder::code           (stage 8)
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

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::extract::detail {

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
  std::uint32_t begin = 0, end = 0;    // token span; end excludes a possessive marker
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
  int theme = none;        // a passive's subject matched by the pattern's theme ("munitions were shipped to")
  int claimant = none;     // who reports this hostile act ("X said Y attacked Z"): an accusation or a claim
  float confidence = 0.f;
};

struct Salience {
  std::optional<Ref> person, thing;
  std::optional<Ref> subject_person;   // the first person named in the last sentence that named one
  std::vector<std::uint32_t> persons;  // persons named so far, most recent first
  std::vector<Ref> countries;          // most recent first, distinct
  std::vector<Ref> plural;
};

// Per-document scratch space.
struct Work {
  std::vector<Token> tokens;
  std::vector<SentenceSpan> sentences;
  std::vector<Mention> mentions;
  std::vector<Group> groups;
  std::vector<int> group_at;      // group starting at token
  std::vector<int> group_ending;  // group whose last token (or possessive marker) is at token
  std::vector<int> in_mention;    // mention covering a token
  std::vector<bool> boundary;
  std::vector<bool> in_date;  // token belongs to a date expression
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
    other_ = d_.vocab.find("other");
    with_ = d_.vocab.find("with");
    which_ = d_.vocab.find("which");
    whom_ = d_.vocab.find("whom");
    that_ = d_.vocab.find("that");
  }

  void code(const SentenceSpan& s, std::int32_t index, std::vector<Event>& out);

 private:
  // ---- token helpers -------------------------------------------------------------------------------
  std::uint64_t cls(std::uint32_t i) const noexcept;
  bool has(std::uint32_t i, std::uint64_t c) const noexcept { return (cls(i) & c) != 0; }
  bool is_word(std::uint32_t i, std::uint32_t id) const noexcept { return i < n_ && id != 0 && toks_[i].word == id; }
  std::string_view surface(std::uint32_t b, std::uint32_t e) const;

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

  Hits classify(const std::vector<PhraseHit>& hits, std::uint32_t b, std::uint32_t e, bool capital_ok) const;

  bool is_person(const PhraseHit* h) const { return h && d_.actors[h->index].type == ActorType::person; }

  std::optional<Ref> country_ref(const Hits& h) const;

  // The person holding one of the title's roles for `org` on the publication date.
  std::optional<std::uint32_t> holder(const ActorEntry& org, const Title& title) const;

  Ref with_agent(Ref r, std::uint16_t agent) const;

  // Words after a title that name its holder: "President Yoon", "Secretary of State Antony Blinken".
  bool names(std::uint32_t person, std::uint32_t tok) const;

  std::uint32_t name_end(std::uint32_t person, std::uint32_t from) const;

  // The holder of the title (any organisation) whose name has the word at `tok`.
  std::optional<std::uint32_t> titled_person(const PhraseHit& title, std::uint32_t tok) const;

  Ref title_ref(Ref org, const PhraseHit& title) const;

  void push_mention(std::uint32_t b, std::uint32_t e, Ref r, MentionKind k);

  void find_mentions();

  // The country an actor belongs to on the event date: itself, a person's office or nationality, a group's base.
  std::optional<std::uint32_t> home_country(Ref r) const;

  Ref agent_of(std::uint32_t country, std::uint16_t agent) const;

  // A sector agent named without a country ("the rebels", "Congress", "police in Kenya").
  void bare_agent(const std::vector<Hits>& raw, std::size_t& k);

  const PhraseHit* stem(std::uint32_t i) const;

  // ---- coreference ---------------------------------------------------------------------------------
  // Who speaks the quotes of this sentence: the actor next to a reporting verb outside them
  // (“...,” Blinken said / Blinken said, “...”), else the person last named.
  std::optional<Ref> speaker(const std::vector<bool>& quoted, const std::vector<int>& covered, const Salience& s) const;

  void add_pronouns();

  // "the two countries": the last pair named together, else the last two countries named.
  std::vector<Ref> last_two(const Salience& s) const;

  std::optional<Ref> country_of(Ref r) const;

  void note(Salience& s, Ref r) const;

  void update_salience();

  // ---- groups and clauses --------------------------------------------------------------------------
  void build_groups();

  std::uint32_t skip_det_back(std::uint32_t b) const;

  bool followed_by_verb(const Mention& m) const;

  bool preceded_by_verb(std::uint32_t b) const;

  void mark_boundaries();

  std::uint32_t clause_start(std::uint32_t t) const;

  // ---- triggers and patterns -----------------------------------------------------------------------
  void find_triggers();

  int group_of_token(std::uint32_t q) const;

  struct MatchState {
    int target = none, source = none;
    std::uint32_t end = 0;
  };

  // Skips determiners and a few adverbs before an actor slot.
  std::uint32_t skip_det(std::uint32_t p) const;

  bool match_from(const Pattern& p, std::size_t e, std::uint32_t pos, MatchState& st) const;

  // "was attacked", "has been supplied": a participle after a form of "be".
  bool passive_form(const Trigger& t) const;

  // Where the pattern's leading "* ~class" (the thing given) ends right before a passive's auxiliaries at `aux`.
  std::uint32_t passive_theme(const Pattern& p, std::uint32_t aux) const;

  // A pattern element that is a preposition or a choice of prepositions ("at|on|into").
  bool prepositional(const PatternElem& e) const;
  bool has_word_class(std::uint32_t word, std::uint64_t c) const noexcept { return (d_.vocab.classes(word) & c) != 0; }
  static bool hostile(const std::string& code);

  void match(Trigger& t);

  // Verbs joined by "and" share the object of the second: "condemned and sanctioned Belarus".
  void share_objects();

  // A trigger inside the words another pattern consumed is part of that event: "pledged humanitarian aid to".
  void drop_nested_triggers();

  // ---- subjects ------------------------------------------------------------------------------------
  bool eligible(int g, const Trigger& t) const;

  int group_before(std::uint32_t k) const { return k < n_ + 1 ? w_.group_ending[k] : none; }

  // The group before position `p` (skipping auxiliaries, adverbs and negations): "the DPRK providing".
  int adjacent_subject(std::uint32_t p, const Trigger& t) const;

  int leftmost_subject(std::uint32_t cs, std::uint32_t p, const Trigger& t) const;

  // The nearest group before p that can own a gerund: "North Korea's involvement in supporting".
  int nearest_owner(std::uint32_t cs, std::uint32_t p, const Trigger& t) const;

  void resolve_subject(std::size_t ti);

  int by_agent(std::uint32_t from) const;

  // The antecedent a verb takes as its object in an object relative clause ("North Korea, which he
  // accused of ...", "the town that Russian forces shelled"): the group before which/whom/that, when the
  // clause has its own subject before the verb and nothing follows the verb as its object; else none.
  int relative_object(const Trigger& t) const;

  int clause_subject(std::size_t ti);

  // ---- negation, intention, refusal, complements, denial --------------------------------------------
  static std::string root_of(const std::string& code) { return code.substr(0, 2); }

  const std::string* rule(const boost::unordered_flat_map<std::string, std::string>& m, const std::string& code) const;

  bool hypothetical(const std::string& code) const;

  void apply_modality();

  bool same_actor(int a, int b) const;

  // The group that reports the trigger's clause with one of `verbs` ("X said (that) ..."), or none.
  int reporter(const Trigger& t, std::uint64_t verbs) const;

  // The trigger's clause is what its own subject says it will do: "X said (that) it would ...".
  bool self_reported(const Trigger& t) const;

  // ---- events --------------------------------------------------------------------------------------
  MentionedActor actor(const Mention& m, Date date) const;

  Date event_date(const Trigger& t) const;

  float confidence(const Trigger& t, const Group& s, const Group* o) const;

  void emit(const SentenceSpan& s, std::int32_t index, std::vector<Event>& out);

  static std::string collapse(std::string_view s);

 public:
  // Byte offset -> code point offset, computed incrementally (sentences come in document order).
  std::int64_t offset(std::uint32_t byte);

 private:
  const Dictionaries::Impl& d_;
  std::string_view text_;
  Date published_;
  Work& w_;
  std::span<const Token> toks_;
  std::uint32_t n_ = 0;
  bool caseless_ = false;
  std::uint32_t from_ = 0, i_ = 0, me_ = 0, my_ = 0, he_ = 0, she_ = 0, his_ = 0, other_ = 0, with_ = 0;
  std::uint32_t of_ = 0, pro_ = 0, anti_ = 0, poss_ = 0, comma_ = 0, between_ = 0, as_ = 0, well_ = 0;
  std::uint32_t which_ = 0, whom_ = 0, that_ = 0;
  PhraseHit person_hit_;
  std::deque<PhraseHit> person_hits_;  // hits made up for shared family names (stable addresses)
  std::uint32_t cp_byte_ = 0;
  std::int64_t cp_count_ = 0;
};

}  // namespace geokg::extract::detail
