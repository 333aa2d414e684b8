list(APPEND GEOKG_TEST_SOURCES
  core/date_test.cpp
  core/error_test.cpp
  core/relation_catalog_test.cpp
  core/text_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::core)
