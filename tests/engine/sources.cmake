list(APPEND GEOKG_TEST_SOURCES
  engine/actor_directory_test.cpp
  engine/analytics_test.cpp
  engine/documents_test.cpp
  engine/engine_test.cpp
  engine/import_test.cpp
  engine/key_ring_test.cpp
  engine/triple_spec_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::engine)
