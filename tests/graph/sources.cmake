list(APPEND GEOKG_TEST_SOURCES
  graph/analytics_test.cpp
  graph/relation_graph_test.cpp)
list(APPEND GEOKG_TEST_LIBRARIES geokg::graph)
