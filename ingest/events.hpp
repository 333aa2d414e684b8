#pragma once

// Parsers of the event datasets analysts bring: GDELT 1.0 and 2.0 event exports, ICEWS event
// files and PLOVER/POLECAT JSON. Each turns one record into an Event, or says which column is wrong.
// Pure functions of their input (no lookups): actor ids are derived from the record, countries are
// resolved by the caller.

#include "core/date.hpp"
#include "core/model.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geokg::ingest {

enum class Format : std::uint8_t { gdelt1, gdelt2, icews, plover };
std::optional<Format> parse_format(std::string_view name);
std::string_view to_string(Format f) noexcept;

struct EventActor {
  std::string id;       // a stable geokg id for the actor (a country's code when is_country)
  std::string name;     // as the dataset writes it
  core::ActorType type = core::ActorType::other;
  std::string country;  // ISO alpha-3 / CAMEO country code, or a spelled-out country name (ICEWS)
  bool is_country = false;  // the actor is the country `country` itself
  bool empty() const noexcept { return id.empty(); }
};

struct Event {
  std::string event_id;  // unique within the dataset (ICEWS: "<date>/<Event ID>")
  EventActor subject;
  EventActor object;     // empty: an event without a target
  std::string code;      // CAMEO code, leading zeros kept ("0231"); empty for PLOVER
  std::string plover_type;  // PLOVER event type (PLOVER records), mapped by the caller
  core::Date date;
  std::string url;
  std::string publisher;
  std::string attributes;  // a JSON object with the dataset's own measures
};

struct Problem {
  std::string column;
  std::string reason;
};

// One dataset's records. Line-oriented formats take one line per call; PLOVER takes one JSON
// object's text. Returns false with `problem` set when the record is bad.
class EventParser {
 public:
  explicit EventParser(Format format) : format_(format) {}
  Format format() const noexcept { return format_; }
  // True when the first line is a header to read with header() rather than a record (ICEWS).
  bool wants_header() const noexcept { return format_ == Format::icews; }
  bool header(std::string_view line, Problem& problem);
  // Replaces `out` with the record's events: one for GDELT and ICEWS; one per (actor, recipient)
  // pair for PLOVER, whose event ids then get "#1", "#2"... appended.
  bool parse(std::string_view record, std::vector<Event>& out, Problem& problem);

 private:
  bool parse_gdelt(std::string_view line, Event& out, Problem& problem);
  bool parse_icews(std::string_view line, Event& out, Problem& problem);
  bool parse_plover(std::string_view text, std::vector<Event>& out, Problem& problem);

  Format format_;
  std::vector<std::string_view> fields_;
  std::vector<int> icews_columns_;  // column of each needed field, by the header
};

// Splits JSON records out of a stream of lines: one object per line (JSONL), or the objects of
// a top-level array, pretty-printed or not. Feed lines; take() yields each complete object.
class JsonRecordSplitter {
 public:
  // Adds a line; returns false on text outside objects other than '[', ']', ',' and spaces.
  bool feed(std::string_view line, std::int64_t line_number);
  // The next complete object and the line it started on.
  bool take(std::string& text, std::int64_t& line);
  bool partial() const noexcept { return depth_ > 0; }

 private:
  std::string cur_;
  std::int64_t start_line_ = 0;
  int depth_ = 0;
  bool in_string_ = false, escape_ = false;
  std::vector<std::pair<std::string, std::int64_t>> ready_;
  std::size_t next_ = 0;
};

// "Ewha University" -> "ewha-university" (lower-case ASCII letters and digits joined by '-').
std::string slug(std::string_view name, std::size_t max = 48);

}  // namespace geokg::ingest
