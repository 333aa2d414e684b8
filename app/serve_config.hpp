#pragma once

#include "api/api.hpp"
#include "server/http_server.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace geokg::app {

// Everything `geokg serve` is told by its flags and GEOKG_* variables.
struct ServeConfig {
  std::string db;
  bool demo = false;
  std::vector<std::string> actor_dictionaries;  // --actors
  std::string log_level = "info";
  server::LogFormat log_format = server::LogFormat::text;
  api::ApiOptions api;
  server::Options server;
};

// Parses the serve flags; prints help or errors itself and returns nullopt with `exit_code` set
// when the command should stop.
std::optional<ServeConfig> parse_serve_config(const std::vector<std::string>& args, std::ostream& out,
                                              std::ostream& err, int& exit_code);

}  // namespace geokg::app
