list(APPEND GEOKG_TEST_SOURCES
  storage/bulk_store_test.cpp
  storage/database_test.cpp
  storage/key_store_test.cpp
  storage/schema_test.cpp
  storage/store_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::storage)
