#include "devices/haptic_loop.h"

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>

#include "base/log.h"

namespace teersim::devices {
namespace {

constexpr std::int64_t kNanosecondsPerSecond = 1000000000;
constexpr double kMillisecondsPerSecond = 1000.0;
// Timer slack for the haptic thread: the kernel may otherwise defer a wake-up
// by 50 µs to batch timers (prctl(2), PR_SET_TIMERSLACK).
constexpr unsigned long kTimerSlack_ns = 1;
// SCHED_FIFO priority when realtime is asked for: above ordinary threads,
// below the kernel's own (which use 50 and 99).
constexpr int kRealtimePriority = 40;
constexpr double kPercentile99 = 0.99;

std::int64_t MonotonicNow_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<std::int64_t>(now.tv_sec) * kNanosecondsPerSecond + now.tv_nsec;
}

// Sleep-then-spin to an absolute CLOCK_MONOTONIC deadline (see the header).
void SleepUntil(std::int64_t deadline_ns, std::int64_t spin_ns) {
  const std::int64_t wake_ns = deadline_ns - spin_ns;
  if (MonotonicNow_ns() < wake_ns) {
    timespec until{};
    until.tv_sec = static_cast<time_t>(wake_ns / kNanosecondsPerSecond);
    until.tv_nsec = static_cast<long>(wake_ns % kNanosecondsPerSecond);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nullptr) == EINTR) {
    }
  }
  while (MonotonicNow_ns() < deadline_ns) {
  }
}

// The q-quantile (nearest rank) of `values`; 0 when empty.
double Quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0.0;
  const std::size_t n = values.size();
  const auto k = static_cast<std::size_t>(std::ceil(q * static_cast<double>(n)));
  const auto at = values.begin() + static_cast<long>(std::min(k == 0 ? 0 : k - 1, n - 1));
  std::nth_element(values.begin(), at, values.end());
  return *at;
}

void Push(std::vector<double>& ring, std::size_t* count, double value) {
  if (ring.empty()) return;
  ring[*count % ring.size()] = value;
  ++*count;
}

}  // namespace

HapticLoop::HapticLoop(HapticDevice& device, HapticProxy& proxy, HapticLoopOptions options)
    : device_(device), proxy_(proxy), options_(options) {
  period_errors_ms_.resize(options_.recorded_cycles);
  latencies_ms_.resize(options_.recorded_cycles);
  exchanges_ms_.resize(options_.recorded_cycles);
}

HapticLoop::~HapticLoop() { Stop(); }

bool HapticLoop::Start(std::string* error) {
  if (thread_.joinable()) {
    *error = "haptic loop already started";
    return false;
  }
  if (!(options_.period_s > 0.0) || options_.spin_s < 0.0) {
    *error = "haptic loop: period must be > 0 and spin >= 0";
    return false;
  }
  if (!device_.Start(error)) return false;
  stop_ = false;
  running_ = true;
  thread_ = std::thread([this] { Run(); });
  return true;
}

void HapticLoop::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  running_ = false;
}

std::string HapticLoop::LastEvent() const {
  std::lock_guard lock(event_mutex_);
  return last_event_;
}

void HapticLoop::Record(double period_error_ms, double latency_ms, double exchange_ms) {
  // Never wait: a Stats() copy in progress costs this cycle's record only.
  std::unique_lock lock(stats_mutex_, std::try_to_lock);
  if (!lock.owns_lock()) {
    ++unrecorded_;
    return;
  }
  if (period_error_ms >= 0.0) Push(period_errors_ms_, &period_count_, period_error_ms);
  if (latency_ms >= 0.0) Push(latencies_ms_, &latency_count_, latency_ms);
  Push(exchanges_ms_, &exchange_count_, exchange_ms);
}

HapticLoopStats HapticLoop::Stats() const {
  std::vector<double> periods;
  std::vector<double> latencies;
  std::vector<double> exchanges;
  HapticLoopStats stats;
  {
    std::lock_guard lock(stats_mutex_);
    const auto filled = [](const std::vector<double>& ring, std::size_t count) {
      return std::vector<double>(ring.begin(),
                                 ring.begin() + static_cast<long>(std::min(count, ring.size())));
    };
    periods = filled(period_errors_ms_, period_count_);
    latencies = filled(latencies_ms_, latency_count_);
    exchanges = filled(exchanges_ms_, exchange_count_);
    stats.latency_samples = static_cast<long long>(latency_count_);
  }
  stats.cycles = cycles_;
  stats.overruns = overruns_;
  stats.unrecorded = unrecorded_;
  stats.realtime = realtime_;
  stats.period_error_median_ms = Quantile(periods, 0.5);
  stats.period_error_p99_ms = Quantile(periods, kPercentile99);
  stats.period_error_max_ms = Quantile(periods, 1.0);
  stats.latency_median_ms = Quantile(latencies, 0.5);
  stats.latency_p99_ms = Quantile(latencies, kPercentile99);
  stats.exchange_median_ms = Quantile(exchanges, 0.5);
  return stats;
}

void HapticLoop::Run() {
  prctl(PR_SET_TIMERSLACK, kTimerSlack_ns, 0, 0, 0);
  bool realtime = false;
  if (options_.realtime) {
    sched_param param{};
    param.sched_priority = kRealtimePriority;
    realtime = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) == 0;
  }
  realtime_ = realtime;
  const auto period_ns = static_cast<std::int64_t>(options_.period_s * kNanosecondsPerSecond);
  const auto spin_ns = static_cast<std::int64_t>(options_.spin_s * kNanosecondsPerSecond);
  std::int64_t deadline_ns = MonotonicNow_ns() + period_ns;
  std::int64_t previous_wake_ns = -1;
  long long last_model = -1;
  HapticProxyModel model;
  HapticSample sample;
  while (!stop_) {
    SleepUntil(deadline_ns, spin_ns);
    const std::int64_t wake_ns = MonotonicNow_ns();
    const double period_error_ms =
        previous_wake_ns < 0
            ? -1.0
            : std::abs(static_cast<double>(wake_ns - previous_wake_ns - period_ns)) /
                  kNanosecondsPerSecond * kMillisecondsPerSecond;
    previous_wake_ns = wake_ns;

    // Force from the proxy's newest model (kept from the last cycle if a
    // publication was under way) at the newest position; none until the
    // device knows where the grip is (homing).
    proxy_.TryModel(&model);
    Vec3 force_N{};
    if (sample.valid) force_N = HapticProxy::ForceAt(model, sample.position_m);
    std::string error;
    HapticSample next = sample;
    const bool ok = device_.Exchange(force_N, &next, &error);
    const std::int64_t sent_ns = MonotonicNow_ns();
    if (!ok) {
      const std::string message = device_.Name() + ": " + error + "; haptic loop stopped";
      log::Warn(message);
      std::lock_guard lock(event_mutex_);
      last_event_ = message;
      break;
    }
    sample = next;
    double latency_ms = -1.0;
    if (sample.valid && model.sequence > 0 && model.sequence != last_model) {
      last_model = model.sequence;
      const double sent_s = static_cast<double>(sent_ns) / kNanosecondsPerSecond;
      latency_ms = (sent_s - model.published_s) * kMillisecondsPerSecond;
    }
    latest_.Store(sample);
    ++cycles_;
    Record(period_error_ms, latency_ms,
           static_cast<double>(sent_ns - wake_ns) / kNanosecondsPerSecond * kMillisecondsPerSecond);

    // Next deadline; more than a period late → re-phase, not a burst.
    deadline_ns += period_ns;
    const std::int64_t now_ns = MonotonicNow_ns();
    if (now_ns > deadline_ns + period_ns) {
      ++overruns_;
      deadline_ns = now_ns + period_ns;
    }
  }
  device_.Stop();
  running_ = false;
}

HapticLoopStats RunHapticBench(long long cycles, bool realtime, double publish_period_s) {
  // A 2 cm circle at 1 Hz around the workspace centre: the grip moves, so the
  // spring force changes every cycle as it would under a hand.
  constexpr double kCircleRadius_m = 0.02;
  constexpr double kCircleFrequency_Hz = 1.0;
  constexpr double kTwoPi = 6.283185307179586;
  constexpr double kSpringStiffness_N_per_m = 500.0;
  ScriptedHapticDevice device([](double t_s) {
    const double phase = kTwoPi * kCircleFrequency_Hz * t_s;
    return Vec3{kCircleRadius_m * std::cos(phase), kCircleRadius_m * std::sin(phase),
                FalconKinematics::kWorkspaceCentre_D[2]};
  });
  HapticProxy proxy;
  HapticLoopOptions options;
  options.realtime = realtime;
  HapticLoop loop(device, proxy, options);
  std::string error;
  if (!loop.Start(&error)) return {};
  // Stand-in physics: publishes a spring to the last position it saw.
  const Mat3 spring{Vec3{-kSpringStiffness_N_per_m, 0.0, 0.0},
                    Vec3{0.0, -kSpringStiffness_N_per_m, 0.0},
                    Vec3{0.0, 0.0, -kSpringStiffness_N_per_m}};
  const auto publish_period = std::chrono::duration<double>(publish_period_s);
  while (loop.Running() && loop.Cycles() < cycles) {
    proxy.Publish({0.0, 0.0, 1.0}, spring, loop.Latest().position_m);
    std::this_thread::sleep_for(publish_period);
  }
  loop.Stop();
  return loop.Stats();
}

}  // namespace teersim::devices
