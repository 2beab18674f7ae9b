#include "base/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <mutex>

namespace teersim::log {
namespace {

std::atomic<Level> g_level{Level::kInfo};
std::mutex g_sink_mutex;
Sink g_test_sink;

// Messages go to stderr so that `--json` output on stdout stays parseable.
spdlog::logger& Backend() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto created = spdlog::stderr_color_mt("teersim");
    created->set_pattern("teersim: %l: %v");
    created->set_level(spdlog::level::trace);
    return created;
  }();
  return *logger;
}

void Emit(Level level, std::string_view message) {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  {
    std::lock_guard lock(g_sink_mutex);
    if (g_test_sink) {
      g_test_sink(level, message);
      return;
    }
  }
  switch (level) {
    case Level::kDebug: Backend().debug("{}", message); break;
    case Level::kInfo: Backend().info("{}", message); break;
    case Level::kWarn: Backend().warn("{}", message); break;
    case Level::kError: Backend().error("{}", message); break;
    case Level::kOff: break;
  }
}

}  // namespace

void SetLevel(Level level) { g_level.store(level, std::memory_order_relaxed); }
Level GetLevel() { return g_level.load(std::memory_order_relaxed); }

bool ParseLevel(std::string_view text, Level* level) {
  struct Named { std::string_view name; Level value; };
  static constexpr Named kNames[] = {{"debug", Level::kDebug}, {"info", Level::kInfo},
                                     {"warn", Level::kWarn},   {"error", Level::kError},
                                     {"off", Level::kOff}};
  for (const auto& named : kNames) {
    if (named.name == text) {
      *level = named.value;
      return true;
    }
  }
  return false;
}

void Debug(std::string_view message) { Emit(Level::kDebug, message); }
void Info(std::string_view message) { Emit(Level::kInfo, message); }
void Warn(std::string_view message) { Emit(Level::kWarn, message); }
void Error(std::string_view message) { Emit(Level::kError, message); }

void SetSinkForTesting(Sink sink) {
  std::lock_guard lock(g_sink_mutex);
  g_test_sink = std::move(sink);
}

}  // namespace teersim::log
