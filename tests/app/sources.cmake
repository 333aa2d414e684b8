list(APPEND GEOKG_TEST_SOURCES
  app/roundtrip_test.cpp
  app/transfer_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::app)
