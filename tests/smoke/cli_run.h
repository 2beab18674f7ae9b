// Runs the teersim executable and captures stdout, stderr and the exit code.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace teersim::testing {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `arguments` is passed to /bin/sh after the executable; `env` is prepended
// (e.g. "env -u DISPLAY").
inline CliResult RunCli(const std::string& arguments, const std::string& env = "") {
  static int counter = 0;
  const std::string base = std::string(TEERSIM_BINARY_DIR) + "/test-out/cli-" +
                           std::to_string(getpid()) + "-" + std::to_string(counter++);
  const std::string command = "mkdir -p " + std::string(TEERSIM_BINARY_DIR) + "/test-out && " +
                              env + " " + TEERSIM_EXE + " " + arguments + " >" + base + ".out 2>" +
                              base + ".err </dev/null";
  const int status = std::system(command.c_str());
  CliResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = ReadAll(base + ".out");
  result.err = ReadAll(base + ".err");
  return result;
}

}  // namespace teersim::testing
