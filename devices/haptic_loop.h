// HapticLoop: the haptic thread. Every period (1 ms) it evaluates the
// HapticProxy at the device's newest grip position and exchanges that force
// for a new position with the HapticDevice; the simulator reads Latest().
//
// Schedule: SCHED_FIFO when allowed (see HapticLoopOptions::realtime);
// absolute deadlines (no drift), sleep-then-spin: clock_nanosleep
// (CLOCK_MONOTONIC, TIMER_ABSTIME) until `spin_s` before the deadline, then a
// spin on the clock to the deadline. A plain sleep wakes late by the timer
// slack (50 µs by default, set to 1 ns here) plus the scheduler's wake-up
// latency, which grows under load; the spin absorbs that for about a fifth
// of one core. A cycle more than a period late is counted as an overrun and
// the schedule re-phases instead of bursting to catch up.
//
// Measured per cycle: period error |t_wake(n) - t_wake(n-1) - T|, and the
// latency from a proxy publication to the first force sent with it.
// If the device is lost the loop logs a warning, zeroes the proxy's effect
// (no more exchanges), stops the device and ends; Running() turns false.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "devices/haptic_device.h"
#include "devices/haptic_proxy.h"
#include "devices/seqlock.h"

namespace teersim::devices {

struct HapticLoopOptions {
  double period_s = 0.001;
  // Sleep until this long before each deadline, then spin.
  double spin_s = 0.0002;
  // Ask for SCHED_FIFO (works with CAP_SYS_NICE or an rtprio limit); falls
  // back to normal scheduling silently, Stats().realtime says which. With
  // other work on every core, normal scheduling lets a compile preempt the
  // loop for whole milliseconds (bench figures in devices/README.md); the
  // loop's busy part is bounded (spin ≤ spin_s, Exchange ≤ ~1 ms), and the
  // kernel's RT throttling keeps 5% of each core for everyone else anyway.
  bool realtime = true;
  // Cycles whose timings are kept (a ring, allocated at construction so the
  // loop never allocates): 65536 = the last 65 s at 1 kHz.
  std::size_t recorded_cycles = 65536;
};

struct HapticLoopStats {
  long long cycles = 0;
  long long overruns = 0;    // cycles started more than a period late
  long long unrecorded = 0;  // cycles whose timing was not kept (Stats() was copying)
  double period_error_median_ms = 0.0;
  double period_error_p99_ms = 0.0;
  double period_error_max_ms = 0.0;
  long long latency_samples = 0;
  double latency_median_ms = 0.0;  // proxy publication → force sent
  double latency_p99_ms = 0.0;
  double exchange_median_ms = 0.0;  // time inside HapticDevice::Exchange
  bool realtime = false;
};

class HapticLoop {
 public:
  HapticLoop(HapticDevice& device, HapticProxy& proxy, HapticLoopOptions options = {});
  ~HapticLoop();
  HapticLoop(const HapticLoop&) = delete;
  HapticLoop& operator=(const HapticLoop&) = delete;

  // Starts the device, then the thread. False with *error if the device
  // cannot start (nothing runs then).
  bool Start(std::string* error);
  // Stops the thread and the device; idempotent.
  void Stop();

  bool Running() const { return running_; }
  long long Cycles() const { return cycles_; }
  // The newest sample (lock-free for the loop; this reader may briefly retry).
  HapticSample Latest() const { return latest_.Load(); }
  // The last notable event ("… unplugged: haptic loop stopped"), or empty.
  std::string LastEvent() const;
  // Quantiles of the recorded timings. Meant for after a run or an
  // occasional look: while it copies, the loop skips recording (it never
  // waits for this lock).
  HapticLoopStats Stats() const;

 private:
  void Run();
  void Record(double period_error_ms, double latency_ms, double exchange_ms);

  HapticDevice& device_;
  HapticProxy& proxy_;
  HapticLoopOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> running_{false};
  std::thread thread_;

  std::atomic<long long> cycles_{0};
  SeqLock<HapticSample> latest_;

  mutable std::mutex event_mutex_;
  std::string last_event_;

  // Timings: written by the loop under try_lock only, read by Stats().
  mutable std::mutex stats_mutex_;
  std::vector<double> period_errors_ms_;
  std::vector<double> latencies_ms_;
  std::vector<double> exchanges_ms_;
  std::size_t period_count_ = 0;
  std::size_t latency_count_ = 0;
  std::size_t exchange_count_ = 0;
  std::atomic<long long> overruns_{0};
  std::atomic<long long> unrecorded_{0};
  std::atomic<bool> realtime_{false};
};

// `teersim bench haptics`: runs the loop for `cycles` with a scripted device
// (a 1 Hz circle of 2 cm) and a stand-in physics thread publishing a spring
// model every `publish_period_s`, then returns the loop's statistics.
HapticLoopStats RunHapticBench(long long cycles, bool realtime = true,
                               double publish_period_s = 0.01);

}  // namespace teersim::devices
