list(APPEND GEOKG_TEST_SOURCES
  ingest/events_test.cpp
  ingest/source_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::ingest)
