#include "sim/app/headless_display.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace teersim::app {
namespace {

// Xvfb writes its display number within a second; allow slow CI machines 10 s.
constexpr int kXvfbStartTimeout_ms = 10000;

}  // namespace

bool HeadlessDisplay::Ensure(std::string* error) {
  if (const char* display = std::getenv("DISPLAY"); display && *display) return true;

  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    *error = std::string("cannot create a pipe for Xvfb: ") + std::strerror(errno);
    return false;
  }
  const pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("cannot fork Xvfb: ") + std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    // Child: Xvfb picks a free display and writes its number to our pipe.
    close(pipe_fds[0]);
    const int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      dup2(devnull, STDOUT_FILENO);
      dup2(devnull, STDERR_FILENO);
    }
    const std::string fd = std::to_string(pipe_fds[1]);
    execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1920x1080x24",
           "-nolisten", "tcp", "-noreset", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipe_fds[1]);
  pid_ = pid;

  // Read the display number (digits up to a newline).
  std::string number;
  pollfd waiting{pipe_fds[0], POLLIN, 0};
  while (poll(&waiting, 1, kXvfbStartTimeout_ms) > 0) {
    char c = 0;
    if (read(pipe_fds[0], &c, 1) != 1 || c == '\n') break;
    number.push_back(c);
  }
  close(pipe_fds[0]);
  if (number.empty()) {
    *error = "no display and Xvfb could not be started (install xvfb, or set DISPLAY)";
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return false;
  }
  setenv("DISPLAY", (":" + number).c_str(), 1);
  return true;
}

HeadlessDisplay::~HeadlessDisplay() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    unsetenv("DISPLAY");
  }
}

}  // namespace teersim::app
