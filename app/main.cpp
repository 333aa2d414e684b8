#include "app/commands.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

int main(int argc, char** argv) {
  // Logs go to stderr: stdout carries command output (exports, extracted triples).
  spdlog::set_default_logger(spdlog::stderr_color_mt("geokg"));
  return geokg::app::run(std::vector<std::string>(argv + 1, argv + argc), std::cin, std::cout, std::cerr);
}
