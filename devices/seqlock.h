// SeqLock<T>: a value shared between one writer at a time and readers that
// must never block — the haptic thread runs at SCHED_FIFO and a mutex held by
// a preempted normal-priority thread would stall it for a whole scheduler
// slice (priority inversion; the first bench run showed 4-9 ms stalls).
//
// The sequence-lock protocol as Boehm gives it for the C++ memory model
// ("Can seqlocks get along with programming language memory models?",
// MSPC 2012, Fig. 6): the version is odd while a write is in progress; the
// payload lives in relaxed atomics, so there is no data race. Readers retry a
// bounded number of times and report failure instead of spinning on a
// preempted writer.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <thread>
#include <type_traits>

namespace teersim::devices {

template <typename T>
class SeqLock {
  static_assert(std::is_trivially_copyable_v<T>);
  static constexpr std::size_t kWords =
      (sizeof(T) + sizeof(std::uint64_t) - 1) / sizeof(std::uint64_t);

 public:
  explicit SeqLock(const T& value = T{}) { Store(value); }

  // Writers must be serialised by the caller (one writer at a time).
  void Store(const T& value) {
    std::array<std::uint64_t, kWords> words{};
    std::memcpy(words.data(), &value, sizeof(T));
    const std::uint64_t version = version_.load(std::memory_order_relaxed);
    version_.store(version + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (std::size_t i = 0; i < kWords; ++i) words_[i].store(words[i], std::memory_order_relaxed);
    version_.store(version + 2, std::memory_order_release);
  }

  // Lock-free; false (and *out untouched) when every attempt met a write.
  bool TryLoad(T* out, int attempts = kDefaultAttempts) const {
    for (int attempt = 0; attempt < attempts; ++attempt) {
      const std::uint64_t before = version_.load(std::memory_order_acquire);
      if ((before & 1U) != 0) continue;
      std::array<std::uint64_t, kWords> words{};
      for (std::size_t i = 0; i < kWords; ++i) words[i] = words_[i].load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (version_.load(std::memory_order_relaxed) == before) {
        std::memcpy(static_cast<void*>(out), words.data(), sizeof(T));  // T is trivially copyable
        return true;
      }
    }
    return false;
  }

  // For readers that may wait (not the haptic thread): yields between tries.
  T Load() const {
    T value{};
    while (!TryLoad(&value)) std::this_thread::yield();
    return value;
  }

  static constexpr int kDefaultAttempts = 16;

 private:
  std::atomic<std::uint64_t> version_{0};
  std::array<std::atomic<std::uint64_t>, kWords> words_{};
};

}  // namespace teersim::devices
