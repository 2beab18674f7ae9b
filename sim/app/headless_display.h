// HeadlessDisplay: when DISPLAY is unset, start a private Xvfb (Mesa renders
// in software) for the lifetime of this object and point DISPLAY at it, so
// `teersim render` and the headless demo work on a machine with no screen.
#pragma once

#include <string>
#include <sys/types.h>

namespace teersim::app {

class HeadlessDisplay {
 public:
  HeadlessDisplay() = default;
  ~HeadlessDisplay();
  HeadlessDisplay(const HeadlessDisplay&) = delete;
  HeadlessDisplay& operator=(const HeadlessDisplay&) = delete;

  // Ensures a display: returns true if DISPLAY was set or Xvfb started.
  // On failure `error` says why (e.g. Xvfb not installed).
  bool Ensure(std::string* error);
  bool Started() const { return pid_ > 0; }

 private:
  pid_t pid_ = -1;
};

}  // namespace teersim::app
