// `teersim bench haptics [--json] [--cycles N] [--no-realtime]`: runs the 1 kHz
// haptic thread (devices/haptic_loop.h) with a scripted device and a stand-in
// physics thread publishing to the haptic proxy every 10 ms, then prints the
// loop's period error (median, p99) and the latency from a proxy publication
// to the first force sent with it (median).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "devices/haptic_loop.h"
#include "sim/app/commands.h"

namespace teersim::app {

int RunHapticsBench(bool json, long long cycles, bool realtime) {
  const devices::HapticLoopStats stats = devices::RunHapticBench(cycles, realtime);
  if (stats.cycles == 0) {
    std::fprintf(stderr, "teersim bench haptics: the haptic loop did not run\n");
    return 1;
  }
  if (json) {
    nlohmann::ordered_json out;
    out["period_error_median_ms"] = stats.period_error_median_ms;
    out["period_error_p99_ms"] = stats.period_error_p99_ms;
    out["latency_ms"] = stats.latency_median_ms;
    std::printf("%s\n", out.dump().c_str());
    return 0;
  }
  std::printf("haptic loop: %lld cycles at 1 kHz, %s scheduling, sleep-then-spin\n", stats.cycles,
              stats.realtime ? "SCHED_FIFO" : "normal");
  std::printf("period error    median %.5f ms   p99 %.4f ms   max %.4f ms   overruns %lld\n",
              stats.period_error_median_ms, stats.period_error_p99_ms, stats.period_error_max_ms,
              stats.overruns);
  std::printf("latency (proxy publish -> force sent)   median %.4f ms   p99 %.4f ms   (%lld)\n",
              stats.latency_median_ms, stats.latency_p99_ms, stats.latency_samples);
  std::printf("device exchange median %.4f ms\n", stats.exchange_median_ms);
  return 0;
}

void AddHapticsBenchCommand(CLI::App& bench, Handler* handler) {
  CLI::App* sub = bench.add_subcommand(
      "haptics",
      "Haptic loop (1 kHz, scripted device) period error median/p99 and proxy-to-force latency");
  auto json = std::make_shared<bool>(false);
  auto cycles = std::make_shared<long long>(5000);
  auto normal = std::make_shared<bool>(false);
  sub->add_flag("--json", *json,
                "Print {\"period_error_median_ms\", \"period_error_p99_ms\", \"latency_ms\"}");
  sub->add_option("--cycles", *cycles, "Loop cycles to measure (1 ms each)")
      ->check(CLI::Range(100LL, 10000000LL));
  sub->add_flag("--no-realtime", *normal,
                "Normal scheduling instead of SCHED_FIFO (which the loop asks for and uses when "
                "allowed: CAP_SYS_NICE or an rtprio limit)");
  sub->callback([handler, json, cycles, normal] {
    *handler = [json, cycles, normal] {
      return Guarded([&] { return RunHapticsBench(*json, *cycles, !*normal); });
    };
  });
}

}  // namespace teersim::app
