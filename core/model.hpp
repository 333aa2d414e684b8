#pragma once

#include "core/date.hpp"
#include "core/error.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::core {

// Dense internal number of an actor (its SQLite rowid); never shown to clients.
enum class ActorIdx : std::uint32_t {};
// Dense internal number of a relation type (position in the RelationCatalog).
enum class RelationIdx : std::uint16_t {};
// Public, stable id of a triple (its SQLite rowid).
enum class TripleId : std::int64_t {};

constexpr std::uint32_t value(ActorIdx a) noexcept { return static_cast<std::uint32_t>(a); }
constexpr std::uint16_t value(RelationIdx r) noexcept { return static_cast<std::uint16_t>(r); }
constexpr std::int64_t value(TripleId t) noexcept { return static_cast<std::int64_t>(t); }

enum class ActorType : std::uint8_t { country, igo, person, organization, group, other };
inline constexpr ActorType all_actor_types[] = {ActorType::country,      ActorType::igo,   ActorType::person,
                                                ActorType::organization, ActorType::group, ActorType::other};
std::string_view to_string(ActorType t) noexcept;
Result<ActorType> parse_actor_type(std::string_view s);

enum class Polarity : std::uint8_t { asserted = 0, negated = 1, denied = 2 };
inline constexpr Polarity all_polarities[] = {Polarity::asserted, Polarity::negated, Polarity::denied};
std::string_view to_string(Polarity p) noexcept;
Result<Polarity> parse_polarity(std::string_view s);

// 1 verbal cooperation, 2 material cooperation, 3 verbal conflict, 4 material conflict.
using QuadClass = std::uint8_t;

struct RelationType {
  std::string code;  // CAMEO code, leading zeros kept: "072", "0231"
  std::string slug;  // kebab-case, unique: "provide-military-aid"
  std::string name;
  std::string root;  // two-digit root: "07"
  QuadClass quad_class = 0;
  double goldstein = 0.0;
  std::string plover;  // PLOVER event type, empty when none
};

struct Actor {
  std::string id;  // canonical public id: ISO alpha-3 for countries, readable slug otherwise
  std::string name;
  ActorType type = ActorType::other;
  std::string country;  // ISO alpha-3, empty when none
  std::vector<std::string> aliases;
};

// Where a piece of evidence was published.
struct Source {
  std::string url;
  std::string title;
  std::string publisher;
  std::string published_at;  // as given: a date or an RFC 3339 timestamp
  bool empty() const noexcept { return url.empty() && title.empty() && publisher.empty() && published_at.empty(); }
};

// One record saying a triple holds: the sentence and where it came from.
struct EvidenceInput {
  std::string text;                     // the sentence
  std::optional<std::int64_t> start;    // character offsets in the document, if known
  std::optional<std::int64_t> end;
  std::optional<std::int64_t> document; // documents.id when extracted from a stored document
  std::int32_t sentence_index = -1;
  Source source;
  // Imported dataset events: the dataset ("gdelt2"), the event's id there, and the dataset's own
  // measures as a JSON object text; all empty otherwise.
  std::string dataset;
  std::string event_id;
  std::string attributes;
  bool empty() const noexcept { return text.empty() && source.empty() && !document && event_id.empty(); }
};

// A triple as submitted, with actors and relation already resolved.
struct TripleInput {
  ActorIdx subject{};
  RelationIdx relation{};
  std::optional<ActorIdx> object;
  Date date;
  Polarity polarity = Polarity::asserted;
  float confidence = 1.0f;
  EvidenceInput evidence;
  // Part of the triple's identity: 0 merges every assertion of the same key into one triple;
  // another value keeps a dataset event a triple of its own.
  std::int64_t instance = 0;
};

// The identity of a triple: asserting the same key twice adds evidence to one triple.
struct TripleKey {
  ActorIdx subject{};
  RelationIdx relation{};
  std::optional<ActorIdx> object;
  Date date;
  Polarity polarity = Polarity::asserted;
  friend bool operator==(const TripleKey&, const TripleKey&) = default;
};

// A stored triple as the graph and the stores see it.
struct TripleRecord {
  TripleId id{};
  ActorIdx subject{};
  RelationIdx relation{};
  std::optional<ActorIdx> object;
  Date date;
  Polarity polarity = Polarity::asserted;
  float confidence = 1.0f;
  std::uint32_t evidence_count = 0;
  bool retracted = false;
};

struct EvidenceRecord {
  std::int64_t id = 0;
  TripleId triple{};
  std::string text;
  std::optional<std::int64_t> start;
  std::optional<std::int64_t> end;
  std::optional<std::int64_t> document;
  std::int32_t sentence_index = -1;
  Source source;
  std::string created_at;
  std::string dataset;     // see EvidenceInput
  std::string event_id;
  std::string attributes;  // JSON object text, empty when none
};

// An article (or any text) that triples were extracted from.
struct DocumentRecord {
  std::int64_t id = 0;
  std::string url;  // empty when none; unique when given
  std::string title;
  std::string publisher;
  std::string published_at;  // as given: a date or an RFC 3339 timestamp
  Date date;                 // the publication day; relative dates in the text resolve against it
  std::string text;          // may be left empty by listings
  std::int64_t length = 0;   // of the text, in bytes
  std::string created_at;
};

}  // namespace geokg::core
