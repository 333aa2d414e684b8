#include "app/commands.hpp"

#include <iostream>

int main(int argc, char** argv) {
  return geokg::app::run(std::vector<std::string>(argv + 1, argv + argc), std::cin, std::cout, std::cerr);
}
