// Logging facade. Modules log through these functions only, so the backend
// (spdlog today) can change in one place and tests can capture messages.
// Never call from a physics step: steps report status values instead.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace teersim::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

// Messages below `level` are dropped. Default: kInfo. Thread-safe.
void SetLevel(Level level);
Level GetLevel();

// Parses "debug" | "info" | "warn" | "error" | "off"; returns false otherwise.
bool ParseLevel(std::string_view text, Level* level);

void Debug(std::string_view message);
void Info(std::string_view message);
void Warn(std::string_view message);
void Error(std::string_view message);

// Routes every message to `sink` instead of stderr (tests); nullptr restores
// the default sink.
using Sink = std::function<void(Level, std::string_view)>;
void SetSinkForTesting(Sink sink);

}  // namespace teersim::log
