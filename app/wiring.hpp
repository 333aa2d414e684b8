#pragma once

#include "api/api.hpp"
#include "server/http_server.hpp"

#include <memory>

namespace geokg::app {

// Connects the API to the HTTP transport (the one place that knows both).
std::unique_ptr<server::HttpServer> make_http_server(api::Api& api, const server::Options& options);

}  // namespace geokg::app
