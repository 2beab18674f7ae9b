// Loads a descriptor from tests/data/hid/ (see the README there for sources).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devices/hid_descriptor.h"

namespace teersim::devices {

inline std::vector<std::uint8_t> LoadHidTestDescriptor(const std::string& name) {
  return ReadDescriptorFile(std::string(TEERSIM_SOURCE_DIR) + "/tests/data/hid/" + name);
}

}  // namespace teersim::devices
