// A USB HID input device (joystick, game pad, 3D mouse, an open catheter
// interface) read through libusb on its own thread:
//
//   1. find the first device with the given vendor:product ID (or, with no ID,
//      the first HID interface whose descriptor a profile matches),
//   2. detach the kernel driver, claim the HID interface,
//   3. read the report descriptor (GET_DESCRIPTOR 0x22 on the interface),
//      parse it, choose the profile,
//   4. keep four asynchronous interrupt-IN transfers in flight (resubmitted
//      from their callback), decode each report and keep the latest
//      deflection of every mapped control (HidControlMapper).
//
// Unplugging is not an error: the thread logs a warning, the mapper releases
// (rates stop, buttons up, positions hold — the last safe input) and the
// thread keeps looking for the device; when it comes back it is opened again
// and input resumes. Sample() never blocks on USB: it only takes a short lock.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "devices/hid_descriptor.h"
#include "devices/hid_profile.h"
#include "devices/input_device.h"

struct libusb_context;

namespace teersim::devices {

struct HidUsbOptions {
  // Which device: nullopt = the first HID interface a profile matches.
  std::optional<HidDeviceId> device;
  // Profiles to choose from (LoadBuiltInHidProfiles() by default at Open).
  std::vector<HidProfile> profiles;
  // How long one wait for USB events lasts (bounds the reaction to stop), and
  // how often a lost device is sought.
  std::chrono::milliseconds event_wait{50};
  std::chrono::milliseconds retry_interval{100};
};

struct HidUsbStatus {
  bool connected = false;
  int connections = 0;            // times the device was opened (replugs + 1)
  long long reports = 0;          // input reports decoded
  long long bad_reports = 0;      // reports refused by the decoder
  std::string profile;            // chosen profile's name, empty before first connection
  std::string last_event;         // last connect/disconnect/error message
  std::optional<HidDeviceId> id;  // the device found
};

class HidUsbDevice final : public InputDevice {
 public:
  // Starts the reader thread; returns at once (the device may appear later).
  explicit HidUsbDevice(HidUsbOptions options);
  ~HidUsbDevice() override;
  HidUsbDevice(const HidUsbDevice&) = delete;
  HidUsbDevice& operator=(const HidUsbDevice&) = delete;

  std::string Name() const override;
  // Applies the latest input: positions set, rates integrated over the time
  // since the previous Sample() call.
  void Sample(double time_s, ControlFrame* frame) override;

  // Sends an output report (as EncodeHidReport builds it) to the connected
  // device: interrupt OUT when the interface has that endpoint, else
  // SET_REPORT on the control pipe. Safe from any thread; returns false with
  // *error set when no device is connected or the transfer fails.
  bool SendOutput(const std::vector<std::uint8_t>& report, std::string* error);

  HidUsbStatus Status() const;
  // The parsed descriptor of the current (or last) device, if any.
  std::optional<HidDescriptor> Descriptor() const;
  // Waits until `predicate(Status())` holds or `timeout` passes (tests, CLI).
  template <typename Predicate>
  bool WaitFor(Predicate predicate, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return predicate(status_); });
  }

 private:
  struct Connection;
  void Run();
  std::unique_ptr<Connection> Connect(libusb_context* context);
  void ReadUntilLost(libusb_context* context, Connection& connection);
  void Publish(const std::function<void(HidUsbStatus&)>& change);

  HidUsbOptions options_;
  // Guards current_ (the open connection, for SendOutput); never held while
  // mutex_ is wanted by the reader, and never across a blocking read.
  std::mutex connection_mutex_;
  Connection* current_ = nullptr;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  HidUsbStatus status_;
  std::optional<HidDescriptor> descriptor_;
  std::vector<std::uint8_t> descriptor_bytes_;
  std::unique_ptr<HidControlMapper> mapper_;
  std::optional<double> last_sample_time_s_;
  // Devices (bus << 8 | address) opened and found unusable; reader thread only.
  std::set<int> rejected_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace teersim::devices
