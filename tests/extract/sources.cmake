list(APPEND GEOKG_TEST_SOURCES
  extract/coder_test.cpp
  extract/dictionaries_test.cpp
  extract/document_test.cpp
  extract/gold_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::extract)
