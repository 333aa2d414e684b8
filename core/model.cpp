#include "core/model.hpp"

namespace geokg::core {

std::string_view to_string(ActorType t) noexcept {
  switch (t) {
    case ActorType::country: return "country";
    case ActorType::igo: return "igo";
    case ActorType::person: return "person";
    case ActorType::organization: return "organization";
    case ActorType::group: return "group";
    case ActorType::other: return "other";
  }
  return "other";
}

Result<ActorType> parse_actor_type(std::string_view s) {
  for (ActorType t : all_actor_types)
    if (to_string(t) == s) return t;
  return invalid_argument("unknown actor type '" + std::string(s.substr(0, 40)) +
                          "'; expected country, igo, person, organization, group or other");
}

std::string_view to_string(Polarity p) noexcept {
  switch (p) {
    case Polarity::asserted: return "asserted";
    case Polarity::negated: return "negated";
    case Polarity::denied: return "denied";
  }
  return "asserted";
}

Result<Polarity> parse_polarity(std::string_view s) {
  for (Polarity p : all_polarities)
    if (to_string(p) == s) return p;
  return invalid_argument("unknown polarity '" + std::string(s.substr(0, 40)) +
                          "'; expected asserted, negated or denied");
}

}  // namespace geokg::core
