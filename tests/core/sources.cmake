list(APPEND GEOKG_TEST_SOURCES
  core/budget_test.cpp
  core/date_test.cpp
  core/error_test.cpp
  core/relation_catalog_test.cpp
  core/sha256_test.cpp
  core/text_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::core)
