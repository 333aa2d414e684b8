#pragma once

// The inside of Dictionaries: what the loaders build and the coder reads. Not part of the facade.

#include "extract/coder.hpp"
#include "extract/lexicon.hpp"

#include <boost/unordered/unordered_flat_map.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace geokg::extract {

struct Role {
  std::string org;   // ISO3 or IGO id
  std::string role;  // head_of_state, foreign_minister ...
  core::DateRange when;
};

struct ActorEntry {
  std::string id;
  std::string name;
  core::ActorType type = core::ActorType::other;
  std::string country;    // nationality / home country; empty for IGOs
  std::string adjective;  // first demonym, to name sector agents ("Russian military")
  std::vector<Role> roles;
};

struct AgentCode {
  std::string code;   // GOV, MIL ...
  std::string label;  // "military"
  core::ActorType type = core::ActorType::organization;
  bool is_state = false;  // the agent stands for its country
};

struct Title {
  std::vector<std::string> roles;  // roles in people.tsv that the title names
  std::uint16_t agent = 0;         // agent code when no person holds the role
};

enum class PhraseKind : std::uint8_t { actor, demonym, place, title, agent };

// How an agent phrase may be used without a country before it (data/extract/agents.tsv, third field).
enum AgentFlag : std::uint8_t {
  af_alone = 1,  // names an actor on its own ("the rebels", "Congress"): its country comes from context
  af_local = 2,  // "police in Kenya": a country after "in" is its own
};

struct PhraseHit {
  PhraseKind kind = PhraseKind::actor;
  bool user = false;        // from a user dictionary (wins over the defaults)
  std::uint16_t agent = 0;  // agent code index; 0 = none
  std::uint32_t index = 0;  // into actors, titles or agents
  core::DateRange when;     // date restriction of the phrase (user dictionaries)
  std::uint8_t flags = 0;   // AgentFlag bits of an agent phrase
};

enum class FormKind : std::uint8_t { base, third, past, past_participle, participle, gerund, noun };

struct TriggerHit {
  std::uint32_t block = 0;
  FormKind form = FormKind::base;
};

struct PatternElem {
  enum Kind : std::uint8_t { word, klass, gap, target, source, pair };
  Kind kind = word;
  std::uint32_t id = 0;  // word id or class index
};

struct Pattern {
  std::string code;
  std::vector<PatternElem> elems;
  std::string text;     // as written in the dictionary, for transparency
  int specificity = 0;  // literal elements; the most specific matching pattern wins
  bool has_target = false;
  bool has_source = false;
  bool pair = false;          // '%': a compound whose members act on each other ("talks between A and B")
  bool intransitive = false;  // '-': the event has no target ("claimed responsibility")
  bool mutual = false;        // '&': the event holds both ways ("restored relations with")
  bool reciprocal = false;    // a reciprocal code (code_rules.tsv) with its target not after "to" or "for"
};

struct TriggerBlock {
  std::string lemma;
  bool noun = false;
  std::vector<Pattern> patterns;  // most specific first
  std::string code;               // the block's first code in file order: its kind when no pattern matches
};

struct Boilerplate {
  std::vector<std::string> exact;  // normalized lines
  std::vector<std::string> prefix;
  std::vector<std::string> byline;  // prefixes of short lines
};

struct CodeRules {
  std::vector<std::string> symmetric;   // codes or roots whose events hold both ways
  std::vector<std::string> reciprocal;  // codes whose "A ... with B" holds both ways ("met with", "signed ... with")
  boost::unordered_flat_map<std::string, std::string> intent;  // root -> code ("want to attack" -> 138)
  boost::unordered_flat_map<std::string, std::string> refuse;  // root -> code ("refused to meet" -> 125)
  // governing code prefix + '/' + embedded root -> code ("urged X to meet" 02/04 -> 026)
  boost::unordered_flat_map<std::string, std::string> complement;
  std::vector<std::string> hypothetical;  // governing roots whose complements did not happen (appeals, threats)
  bool is_symmetric(std::string_view code) const noexcept;
  bool is_reciprocal(std::string_view code) const noexcept;
};

struct Dictionaries::Impl {
  Vocabulary vocab;
  std::vector<ActorEntry> actors;
  boost::unordered_flat_map<std::string, std::uint32_t> actor_by_id;
  std::vector<AgentCode> agents;  // index 0 is "none"
  std::vector<Title> titles;
  PhraseTrie phrases;
  std::vector<std::vector<PhraseHit>> phrase_hits;  // by trie node
  std::size_t phrase_count = 0;
  // Single-token prefixes from TABARI/PETRARCH stems ("ARGENTIN" matches Argentina, Argentine).
  std::vector<std::pair<std::string, PhraseHit>> stems;

  PhraseTrie triggers;
  std::vector<std::vector<TriggerHit>> trigger_hits;  // by trie node
  std::vector<TriggerBlock> blocks;
  std::vector<std::vector<std::vector<std::uint32_t>>> classes;  // class -> alternatives -> words
  std::vector<std::string> class_names;

  CodeRules rules;
  Boilerplate boilerplate;
  core::RelationCatalog relations;
  std::size_t pattern_count = 0;
  std::size_t coded_relations = 0;
  // Persons by role: "ORG/role" -> actor indices, for title lookups.
  boost::unordered_flat_map<std::string, std::vector<std::uint32_t>> holders;

  // Persons by the words of their names and aliases, to read "President Yoon" with the help of the title.
  boost::unordered_flat_map<std::uint32_t, std::vector<std::uint32_t>> person_words;
  // Family names shared by several persons ("Kim"): they name the one mentioned last in the document.
  boost::unordered_flat_map<std::uint32_t, std::vector<std::uint32_t>> shared_family_names;

  std::uint16_t gov_agent = 0;  // index of GOV
  // The actor of agents whose country is unknown ("rebels" with no country in context): id XXX, the ICAO code
  // for an unspecified nationality; such an agent is the actor XXX-<CODE> with no country.
  std::uint32_t nowhere = 0;

  const std::vector<PhraseHit>* hits(std::uint32_t node) const noexcept {
    return node < phrase_hits.size() && !phrase_hits[node].empty() ? &phrase_hits[node] : nullptr;
  }
};

}  // namespace geokg::extract
