list(APPEND GEOKG_TEST_SOURCES
  server/http_server_test.cpp
  server/request_id_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::server spdlog::spdlog)
