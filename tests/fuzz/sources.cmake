list(APPEND GEOKG_TEST_SOURCES
  fuzz/corpus_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::fuzz_targets)
