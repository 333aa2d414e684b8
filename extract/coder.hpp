#pragma once

// extract: news text -> CAMEO-coded actor-relation-actor events, in the tradition of TABARI and PETRARCH:
// dictionaries and patterns, no parser, no network. The coder is transparent (every event names the trigger
// and the pattern that produced it) and fast (a few microseconds per sentence).
//
// Dictionaries (all line-oriented, see the headers of the files in data/extract/ and data/actors/):
//   data/actors/{countries,igos,people,groups}.tsv  actors, aliases, demonyms and date-valid roles
//   data/extract/places.tsv        capitals and seats used as metonyms ("the Kremlin", "Pyongyang")
//   data/extract/people.tsv        extra persons in the people.tsv format
//   data/extract/agents.tsv        sector nouns ("military", "foreign ministry", "rebels") and their codes
//   data/extract/titles.tsv        titles ("president", "secretary of state") and the roles they name
//   data/extract/verbs.txt         verb and noun patterns -> CAMEO codes
//   data/extract/code_rules.tsv    symmetric codes; intention, refusal and complement code maps
//   data/extract/grammar.tsv       closed-class English words (prepositions, auxiliaries, pronouns ...)
//   data/extract/boilerplate.tsv   lines dropped from articles (bylines, share buttons ...)
//   data/relation_types.tsv        the CAMEO codes themselves
// plus user actor dictionaries in the same TSV format or in the PETRARCH/TABARI format.
//
// Actors. Countries, IGOs, persons and groups are coded as themselves. A person carries the country they
// serve at the event date (the organisation of their role when it is a country, else their nationality;
// empty while they hold an IGO role). A title with a country and no name ("the South Korean president")
// is the person holding that role on the event date, or the country when nobody is known. Sector agents
// with a country ("the Russian military", "U.S. officials") follow data/extract/agents.tsv: agents of the
// state (government, ministries, officials, diplomats) are the country itself; other sectors become an
// actor `<ISO3>-<CODE>` of type organization (or group) with that country, e.g. RUS-MIL "Russian military".
// Some agent nouns name an actor on their own ("the rebels", "Congress", "police in Kenya"; flagged in
// agents.tsv): they take the country of a person before them ("the Biden administration"), of a country after
// "in", of the actor they follow in "X and other officials", or the only country the document named before;
// otherwise they are XXX-<CODE> with no country (XXX: ICAO's unspecified nationality). Events whose actors are
// all of unknown country are not coded.
//
// Thread-safety: Dictionaries is immutable once built; Coder::code is const and may run concurrently.
// Errors: Dictionaries::load returns invalid_argument for a malformed dictionary line (with its file and
// line number).

#include "core/date.hpp"
#include "core/error.hpp"
#include "core/model.hpp"
#include "core/relation_catalog.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::extract {

struct MentionedActor {
  std::string id;  // ISO3 for countries, IGO id, person/group id, or <ISO3>-<AGENT> for sector agents
  std::string name;
  core::ActorType type = core::ActorType::other;
  std::string country;  // ISO3 the actor belongs to at the event date; empty for IGOs
  std::string text;     // the surface form in the sentence
  friend bool operator==(const MentionedActor&, const MentionedActor&) = default;
};

struct Event {
  MentionedActor subject;
  std::optional<MentionedActor> object;
  std::string relation_code;  // CAMEO code, e.g. "072"
  core::Date date;
  core::Polarity polarity = core::Polarity::asserted;
  float confidence = 0.f;
  std::int32_t sentence_index = 0;
  std::string sentence;    // whitespace collapsed
  std::int64_t start = 0;  // code point offsets of the sentence in the document
  std::int64_t end = 0;
  std::string trigger;  // the verb or noun that triggered the event, as written
  std::string pattern;  // the dictionary pattern that matched, e.g. "provide * ~weapon to +"
};

enum class DictionaryFormat { autodetect, tsv, petrarch };

// A user dictionary: actors (and sector agents) in the data/actors TSV format, or in the PETRARCH/TABARI
// .actors format (names, +synonyms, [CODE date-restrictions]; agent entries [~GOV] are read as agents).
struct DictionarySource {
  std::string name;  // for error messages, usually the file name
  std::string content;
  DictionaryFormat format = DictionaryFormat::autodetect;
};

// Replacement texts for the embedded data files (tests use small inline dictionaries); a missing field
// takes the embedded file.
struct DictionaryTexts {
  std::optional<std::string_view> countries, igos, people, groups, extra_people, places, agents, titles, verbs,
      code_rules, grammar, boilerplate, relation_types;
};

class Dictionaries {
 public:
  struct Impl;

  // The embedded dictionaries plus user dictionaries, which take precedence for the phrases they define.
  static core::Result<std::shared_ptr<const Dictionaries>> load(std::span<const DictionarySource> user = {});
  static core::Result<std::shared_ptr<const Dictionaries>> load(const DictionaryTexts& texts,
                                                                std::span<const DictionarySource> user = {});

  explicit Dictionaries(std::unique_ptr<Impl> impl);
  ~Dictionaries();
  Dictionaries(const Dictionaries&) = delete;
  Dictionaries& operator=(const Dictionaries&) = delete;

  const core::RelationCatalog& relations() const noexcept;
  std::size_t actor_count() const noexcept;
  std::size_t phrase_count() const noexcept;
  std::size_t pattern_count() const noexcept;
  // Distinct CAMEO codes that some pattern produces.
  std::size_t coded_relation_count() const noexcept;
  const Impl& impl() const noexcept { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

// Detects the format of a user dictionary from its content.
DictionaryFormat detect_format(std::string_view content) noexcept;

class Coder {
 public:
  explicit Coder(std::shared_ptr<const Dictionaries> dictionaries);

  // Codes one document. `published` anchors relative dates ("on Thursday", "last week").
  std::vector<Event> code(std::string_view text, core::Date published) const;

  const Dictionaries& dictionaries() const noexcept { return *dictionaries_; }

 private:
  std::shared_ptr<const Dictionaries> dictionaries_;
};

}  // namespace geokg::extract
