list(APPEND GEOKG_TEST_SOURCES
  api/analytics_endpoints_test.cpp
  api/access_test.cpp
  api/import_endpoint_test.cpp
  api/params_test.cpp
  api/problem_test.cpp
  api/router_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::api)
