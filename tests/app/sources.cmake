list(APPEND GEOKG_TEST_SOURCES
  app/query_command_test.cpp
  app/hardening_test.cpp
  app/hostile_test.cpp
  app/import_command_test.cpp
  app/roundtrip_test.cpp
  app/transfer_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::app)
