#pragma once

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::extract {

// Closed-class properties of a word, from data/extract/grammar.tsv (and a few set by the loaders).
enum WordClass : std::uint64_t {
  wc_det = 1ull << 0,               // the, a, its ... (skipped in front of an actor)
  wc_prep = 1ull << 1,              // of, to, with ... (an actor after one is not a clause subject)
  wc_locative = 1ull << 2,          // in, at, near ... (an actor after one is a place, not an actor)
  wc_aux = 1ull << 3,               // has, will, did ... (between a subject and its verb)
  wc_be = 1ull << 4,                // was, been ... (passive voice)
  wc_neg = 1ull << 5,               // not, never, n't
  wc_coord = 1ull << 6,             // and, or (compound actors)
  wc_sub = 1ull << 7,               // while, but, because ... (start a new clause)
  wc_rel = 1ull << 8,               // which, who (relative clause; refers back to the actor before it)
  wc_comp = 1ull << 9,              // that (complement clause)
  wc_report = 1ull << 10,           // said, told ... (ends the speaker's clause)
  wc_pron_person = 1ull << 11,      // he, his ...
  wc_pron_thing = 1ull << 12,       // it, its
  wc_pron_plural = 1ull << 13,      // they, their
  wc_pron_first = 1ull << 14,       // we, our (the speaker, inside a quote)
  wc_abbrev = 1ull << 15,           // keeps its period: Mr. Gen. Sept.
  wc_title_abbrev = 1ull << 16,     // never ends a sentence: Mr. Dr. Gen.
  wc_intent = 1ull << 17,           // want, plan, vow ... + to VERB: an intention, not an act
  wc_refuse = 1ull << 18,           // refuse, decline ... + to VERB: a refusal
  wc_deny = 1ull << 19,             // deny, dismiss ...: what follows is denied
  wc_modal = 1ull << 20,            // will, would ... (with a negation: a refusal)
  wc_to = 1ull << 21,               // to (infinitive marker and preposition)
  wc_by = 1ull << 22,               // by (agent of a passive)
  wc_possessive_pron = 1ull << 23,  // his, her, its, their, our: possessive pronouns
  wc_verbish = 1ull << 24,          // a form of a verb in the pattern dictionary (set by the loader)
  wc_adverb = 1ull << 25,           // also, even, currently ... (skipped between subject and verb)
  wc_function = 1ull << 26,         // any other closed-class word (never part of a name)
  wc_generic_country = 1ull << 27,  // country, nation (in "the country", "the two countries")
  wc_number_word = 1ull << 28,      // two, both (in "the two countries")
  wc_accord = 1ull << 29,           // according (to X): X is the speaker
  wc_date = 1ull << 30,             // weekday, month and relative-date words (see dates.cpp)
  wc_light = 1ull << 31,            // launch, hold, impose, deepen ...: their subject does the noun's act
  wc_relational = 1ull << 32,       // rival, ally, neighbour: "X's rival" is not X
  wc_future = 1ull << 33,           // will, would, shall: with a reporting verb of the same actor, an intention
  wc_region = 1ull << 34,           // north, outskirts, part ...: "the east of X" is in X
  wc_claim = 1ull << 35,            // said, claimed ...: reporting a hostile act is an accusation or a claim
  wc_uncertain = 1ull << 36,        // could, may, might, should, must, can, would: a possible act, not an event
  wc_condition = 1ull << 37,        // if, unless: the clause is a condition, not an event
  wc_consider = 1ull << 38,         // consider, weigh ... + gerund: a policy option (014), not an act
};

// Interned lower-case word keys; id 0 means "not in the vocabulary".
class Vocabulary {
 public:
  Vocabulary();
  std::uint32_t intern(std::string_view key);
  std::uint32_t find(std::string_view key) const noexcept;
  std::string_view spelling(std::uint32_t id) const { return words_.at(id); }
  std::size_t size() const noexcept { return words_.size(); }

  std::uint64_t classes(std::uint32_t id) const noexcept { return id < classes_.size() ? classes_[id] : 0; }
  void add_classes(std::uint32_t id, std::uint64_t classes);

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept;
  };
  struct Eq {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
  };
  boost::unordered_flat_map<std::string, std::uint32_t, Hash, Eq> ids_;
  std::vector<std::string> words_;
  std::vector<std::uint64_t> classes_;
};

// A trie over word ids; edges live in one flat hash map keyed by (node, word).
// Written by hand because no library offers a token-level longest-match trie.
class PhraseTrie {
 public:
  static constexpr std::uint32_t root = 0;
  static constexpr std::uint32_t none = UINT32_MAX;

  // Returns the node reached by the phrase, creating it when needed.
  std::uint32_t insert(std::span<const std::uint32_t> words);
  std::uint32_t child(std::uint32_t node, std::uint32_t word) const noexcept {
    const auto it = edges_.find((std::uint64_t{node} << 32) | word);
    return it == edges_.end() ? none : it->second;
  }
  std::uint32_t node_count() const noexcept { return nodes_; }

 private:
  boost::unordered_flat_map<std::uint64_t, std::uint32_t> edges_;
  std::uint32_t nodes_ = 1;
};

}  // namespace geokg::extract
