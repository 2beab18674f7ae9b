#include "devices/falcon_usb_device.h"

#include <libusb.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <vector>

#include "base/log.h"

namespace teersim::devices {
namespace {

constexpr unsigned kControlTimeout_ms = 1000;
// A 16-byte command leaves in well under a millisecond on a live Falcon; a
// longer wait means the device is stuck, and the haptic loop must not be.
constexpr unsigned kCommandTimeout_ms = 5;
constexpr int kFalconInterface = 0;
// Bulk IN transfers kept in flight in run mode, so a reply never waits for
// the host to resubmit.
constexpr int kTransfersInFlight = 2;
// Teardown: how long to wait for cancelled transfers to come back.
constexpr int kCancelWaitRounds = 50;
constexpr long kCancelWaitRound_us = 10000;

std::string UsbError(int code) { return libusb_error_name(code); }

}  // namespace

struct FalconUsbTransport {
  libusb_context* context = nullptr;
  libusb_device_handle* handle = nullptr;
  bool claimed = false;
  bool detached = false;
  // Run mode: IN transfers and what they brought (payload, status bytes stripped).
  std::vector<libusb_transfer*> transfers;
  std::vector<std::array<std::uint8_t, kFtdiPacketBytes>> buffers;
  int active = 0;
  bool stopping = false;
  bool lost = false;
  int lost_status = LIBUSB_TRANSFER_COMPLETED;
  std::vector<std::uint8_t> received;

  ~FalconUsbTransport() {
    stopping = true;
    for (libusb_transfer* transfer : transfers) libusb_cancel_transfer(transfer);
    timeval round{0, kCancelWaitRound_us};
    for (int i = 0; i < kCancelWaitRounds && active > 0; ++i) {
      libusb_handle_events_timeout_completed(context, &round, nullptr);
    }
    // A transfer still out after the wait is leaked rather than freed under libusb.
    if (active == 0) {
      for (libusb_transfer* transfer : transfers) libusb_free_transfer(transfer);
    }
    if (handle != nullptr) {
      if (claimed) libusb_release_interface(handle, kFalconInterface);
      if (detached) libusb_attach_kernel_driver(handle, kFalconInterface);
      libusb_close(handle);
    }
    if (context != nullptr) libusb_exit(context);
  }
};

namespace {

void LIBUSB_CALL OnFalconIn(libusb_transfer* transfer) {
  auto* usb = static_cast<FalconUsbTransport*>(transfer->user_data);
  switch (transfer->status) {
    case LIBUSB_TRANSFER_COMPLETED: {
      const auto payload = StripFtdiStatus(std::span<const std::uint8_t>(
          transfer->buffer, static_cast<std::size_t>(transfer->actual_length)));
      usb->received.insert(usb->received.end(), payload.begin(), payload.end());
      [[fallthrough]];
    }
    case LIBUSB_TRANSFER_TIMED_OUT:
      if (!usb->stopping && !usb->lost && libusb_submit_transfer(transfer) == 0) return;
      break;
    case LIBUSB_TRANSFER_CANCELLED:
      break;
    default:  // NO_DEVICE, ERROR, STALL, OVERFLOW: the Falcon is gone or broken
      usb->lost = true;
      usb->lost_status = transfer->status;
  }
  --usb->active;
}

}  // namespace

FalconUsbDevice::FalconUsbDevice(FalconOptions options)
    : options_(std::move(options)), kinematics_(options_.geometry) {}

FalconUsbDevice::~FalconUsbDevice() { Stop(); }

FalconStatus FalconUsbDevice::Status() const { return status_; }

bool FalconUsbDevice::Control(std::uint8_t request, std::uint16_t value, const char* what,
                              std::string* error) {
  const int status = libusb_control_transfer(usb_->handle, ftdi::kRequestType, request, value, 0,
                                             nullptr, 0, kControlTimeout_ms);
  if (status < 0) {
    *error = std::string("Novint Falcon: FTDI ") + what + " failed: " + UsbError(status);
    return false;
  }
  return true;
}

bool FalconUsbDevice::Write(std::span<const std::uint8_t> bytes, const char* what,
                            std::string* error) {
  int sent = 0;
  // libusb does not write to OUT buffers.
  auto* data = const_cast<std::uint8_t*>(bytes.data());
  const int status =
      libusb_bulk_transfer(usb_->handle, kFalconBulkOut, data, static_cast<int>(bytes.size()),
                           &sent, static_cast<unsigned>(options_.handshake_timeout.count()));
  if (status < 0 || sent != static_cast<int>(bytes.size())) {
    *error = std::string("Novint Falcon: cannot send ") + what + ": " +
             (status < 0 ? UsbError(status) : "short write");
    return false;
  }
  return true;
}

bool FalconUsbDevice::ReadExactly(std::size_t count, std::vector<std::uint8_t>* payload,
                                  const char* what, std::string* error) {
  // The FTDI returns what it has every latency period, status bytes first;
  // gather payload until `count` bytes or the handshake timeout.
  payload->clear();
  const auto deadline = std::chrono::steady_clock::now() + options_.handshake_timeout;
  std::array<std::uint8_t, kFtdiPacketBytes> buffer{};
  while (payload->size() < count) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    int got = 0;
    const int status = libusb_bulk_transfer(usb_->handle, kFalconBulkIn, buffer.data(),
                                            static_cast<int>(buffer.size()), &got,
                                            static_cast<unsigned>(left.count()));
    if (status == LIBUSB_ERROR_TIMEOUT) break;
    if (status < 0) {
      *error = std::string("Novint Falcon: cannot read ") + what + ": " + UsbError(status);
      return false;
    }
    const auto bytes = StripFtdiStatus(
        std::span<const std::uint8_t>(buffer.data(), static_cast<std::size_t>(got)));
    payload->insert(payload->end(), bytes.begin(), bytes.end());
  }
  if (payload->size() < count) {
    *error = std::string("Novint Falcon: no answer to ") + what + " (got " +
             std::to_string(payload->size()) + " of " + std::to_string(count) + " bytes)";
    return false;
  }
  return true;
}

bool FalconUsbDevice::Open(std::string* error) {
  usb_ = std::make_unique<FalconUsbTransport>();
  if (const int status = libusb_init(&usb_->context); status != 0) {
    usb_->context = nullptr;
    *error = "Novint Falcon: libusb_init failed: " + UsbError(status);
    return false;
  }
  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(usb_->context, &list);
  libusb_device* found = nullptr;
  int seen = 0;
  for (ssize_t i = 0; i < count && found == nullptr; ++i) {
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(list[i], &descriptor) != 0) continue;
    if (descriptor.idVendor != kFalconVendorId || descriptor.idProduct != kFalconProductId) {
      continue;
    }
    if (seen++ == options_.index) found = list[i];
  }
  int status = found != nullptr ? libusb_open(found, &usb_->handle) : LIBUSB_ERROR_NOT_FOUND;
  if (count >= 0) libusb_free_device_list(list, 1);
  if (status == LIBUSB_ERROR_NOT_FOUND) {
    *error = "Novint Falcon: no device 0403:cb48 found" +
             (options_.index > 0 ? " with index " + std::to_string(options_.index) : "");
    return false;
  }
  if (status == LIBUSB_ERROR_ACCESS) {
    *error =
        "Novint Falcon: permission denied opening 0403:cb48; install "
        "devices/udev/70-teersim-hid.rules (steps inside) and replug";
    return false;
  }
  if (status != 0) {
    *error = "Novint Falcon: cannot open: " + UsbError(status);
    return false;
  }
  // The kernel binds ftdi_sio to the FT232; it must let go before the claim.
  if (libusb_kernel_driver_active(usb_->handle, kFalconInterface) == 1) {
    usb_->detached = libusb_detach_kernel_driver(usb_->handle, kFalconInterface) == 0;
  }
  if (status = libusb_claim_interface(usb_->handle, kFalconInterface); status != 0) {
    *error = "Novint Falcon: cannot claim the interface: " + UsbError(status);
    return false;
  }
  usb_->claimed = true;
  return true;
}

bool FalconUsbDevice::LoaderHandshake(std::string* error) {
  // Boot loader mode: clean slate, slow line, DTR pulse resets the loader.
  const bool setup = Control(ftdi::kReset, ftdi::kResetSio, "reset", error) &&
                     Control(ftdi::kReset, ftdi::kPurgeRx, "purge RX", error) &&
                     Control(ftdi::kReset, ftdi::kPurgeTx, "purge TX", error) &&
                     Control(ftdi::kLatencyTimer, ftdi::kLatencyUpload_ms, "latency", error) &&
                     Control(ftdi::kBaudRate, ftdi::kBaud9600, "baud rate", error) &&
                     Control(ftdi::kLineProperties, ftdi::kEightNoneOne, "line 8N1", error) &&
                     Control(ftdi::kFlowControl, ftdi::kNoFlowControl, "flow control", error) &&
                     Control(ftdi::kModemControl, ftdi::kRtsLow, "RTS", error) &&
                     Control(ftdi::kModemControl, ftdi::kDtrLow, "DTR", error) &&
                     Control(ftdi::kModemControl, ftdi::kDtrHigh, "DTR", error);
  if (!setup) return false;
  // Probe until the loader answers (stale bytes may come first).
  bool answered = false;
  std::vector<std::uint8_t> reply;
  for (int attempt = 0; attempt < options_.handshake_attempts && !answered; ++attempt) {
    if (!Write(kFalconLoaderProbe, "the boot loader probe", error)) return false;
    if (!ReadExactly(kFalconLoaderReply.size(), &reply, "the boot loader probe", error)) continue;
    answered = reply.size() >= kFalconLoaderReply.size() &&
               std::equal(kFalconLoaderReply.begin(), kFalconLoaderReply.end(),
                          reply.end() - static_cast<long>(kFalconLoaderReply.size()));
  }
  if (!answered) {
    *error = "Novint Falcon: the boot loader did not answer its probe after " +
             std::to_string(options_.handshake_attempts) + " tries (" + *error + ")";
    return false;
  }
  // Upload speed; the loader echoes 'A' when ready.
  const std::array<std::uint8_t, 1> ready{kFalconLoaderReady};
  if (!Control(ftdi::kModemControl, ftdi::kDtrLow, "DTR", error) ||
      !Control(ftdi::kBaudRate, ftdi::kBaud140000, "baud rate", error) ||
      !Write(ready, "the loader's ready check", error) ||
      !ReadExactly(1, &reply, "the loader's ready check", error)) {
    return false;
  }
  if (reply[0] != kFalconLoaderReady) {
    *error = "Novint Falcon: the boot loader is not ready (answered 0x" + std::to_string(reply[0]) +
             " to 'A')";
    return false;
  }
  return true;
}

bool FalconUsbDevice::UploadFirmware(const std::vector<std::uint8_t>& firmware,
                                     std::string* error) {
  std::vector<std::uint8_t> echo;
  for (std::size_t offset = 0; offset < firmware.size(); offset += kFalconFirmwareChunkBytes) {
    const std::size_t size = std::min(kFalconFirmwareChunkBytes, firmware.size() - offset);
    const std::span<const std::uint8_t> chunk(firmware.data() + offset, size);
    if (!Write(chunk, "a firmware chunk", error) ||
        !ReadExactly(size, &echo, "a firmware chunk", error)) {
      *error += " (firmware " + options_.firmware_path + ", byte " + std::to_string(offset) + ")";
      return false;
    }
    if (echo.size() != size || !std::equal(chunk.begin(), chunk.end(), echo.begin())) {
      const auto mismatch = std::mismatch(chunk.begin(), chunk.end(), echo.begin());
      const std::size_t at = offset + static_cast<std::size_t>(mismatch.first - chunk.begin());
      *error = "Novint Falcon: firmware upload failed: the boot loader echoed byte " +
               std::to_string(at) + " of " + options_.firmware_path + " wrongly (chunk at byte " +
               std::to_string(offset) + ", " + std::to_string(echo.size()) + " of " +
               std::to_string(size) + " bytes back); replug the Falcon and check the firmware file";
      return false;
    }
  }
  return true;
}

bool FalconUsbDevice::EnterRunMode(std::string* error) {
  if (!Control(ftdi::kLatencyTimer, ftdi::kLatencyRun_ms, "latency", error) ||
      !Control(ftdi::kBaudRate, ftdi::kBaud1456312, "baud rate", error) ||
      !Control(ftdi::kReset, ftdi::kPurgeRx, "purge RX", error) ||
      !Control(ftdi::kReset, ftdi::kPurgeTx, "purge TX", error)) {
    return false;
  }
  usb_->buffers.resize(kTransfersInFlight);
  for (int i = 0; i < kTransfersInFlight; ++i) {
    libusb_transfer* transfer = libusb_alloc_transfer(0);
    if (transfer == nullptr) {
      *error = "Novint Falcon: out of memory for USB transfers";
      return false;
    }
    usb_->transfers.push_back(transfer);
    libusb_fill_bulk_transfer(transfer, usb_->handle, kFalconBulkIn, usb_->buffers[i].data(),
                              static_cast<int>(kFtdiPacketBytes), &OnFalconIn, usb_.get(), 0);
    if (const int status = libusb_submit_transfer(transfer); status != 0) {
      *error = "Novint Falcon: cannot start reading: " + UsbError(status);
      return false;
    }
    ++usb_->active;
  }
  return true;
}

bool FalconUsbDevice::Start(std::string* error) {
  Stop();
  // The firmware file first: a missing file is the user's to fix, with or
  // without a Falcon on the desk.
  std::vector<std::uint8_t> firmware;
  try {
    firmware = LoadFalconFirmware(options_.firmware_path);
  } catch (const FalconFirmwareError& e) {
    *error = e.what();
    return false;
  }
  if (!Open(error) || !LoaderHandshake(error) || !UploadFirmware(firmware, error) ||
      !EnterRunMode(error)) {
    usb_.reset();
    return false;
  }
  reader_ = FalconFrameReader();
  status_ = FalconStatus();
  position_known_ = false;
  position_m_ = FalconKinematics::kWorkspaceCentre_D;
  exchanges_ = 0;
  log::Info("Novint Falcon: firmware " + options_.firmware_path + " loaded (" +
            std::to_string(firmware.size()) + " bytes); move the grip in and out to home it");
  return true;
}

bool FalconUsbDevice::Exchange(const Vec3& force_N, HapticSample* sample, std::string* error) {
  if (!usb_ || usb_->handle == nullptr) {
    *error = "not started";
    return false;
  }
  // Collect what arrived since the last cycle, without waiting.
  timeval no_wait{0, 0};
  libusb_handle_events_timeout_completed(usb_->context, &no_wait, nullptr);
  if (!usb_->received.empty()) {
    reader_.Feed(usb_->received);
    usb_->received.clear();
  }
  if (usb_->lost) {
    *error = usb_->lost_status == LIBUSB_TRANSFER_NO_DEVICE
                 ? "unplugged (LIBUSB_TRANSFER_NO_DEVICE)"
                 : std::string("USB read failed (") + libusb_error_name(LIBUSB_ERROR_IO) +
                       ", transfer status " + std::to_string(usb_->lost_status) + ")";
    return false;
  }
  status_.frames = reader_.frames();
  status_.malformed = reader_.malformed();
  if (const auto& report = reader_.Latest()) {
    status_.encoder = report->encoder;
    if (report->homed == kFalconAllHomed && !status_.homed) {
      status_.homed = true;
      log::Info("Novint Falcon: homed");
    }
    if (status_.homed) {
      // Warm start from the last position: Newton converges in a step or two.
      if (const auto p = kinematics_.PositionFromEncoders(report->encoder, position_m_)) {
        position_m_ = *p;
        position_known_ = true;
      }
    }
    sample->buttons = report->buttons;
  }
  // Force only once the position is known; homing until homed.
  FalconCommand command;
  command.homing = !status_.homed;
  command.leds = status_.homed ? kFalconLedGreen : kFalconLedRed;
  if (position_known_) command.motor = kinematics_.MotorCommands(position_m_, force_N);
  status_.motor = command.motor;
  const auto frame = EncodeFalconCommand(command);
  int sent = 0;
  const int status =
      libusb_bulk_transfer(usb_->handle, kFalconBulkOut, const_cast<std::uint8_t*>(frame.data()),
                           static_cast<int>(frame.size()), &sent, kCommandTimeout_ms);
  if (status == LIBUSB_ERROR_NO_DEVICE) {
    usb_->lost = true;
    *error = "unplugged (" + UsbError(status) + ")";
    return false;
  }
  if (status < 0 && status != LIBUSB_ERROR_TIMEOUT) {
    usb_->lost = true;
    *error = "command not sent: " + UsbError(status);
    return false;
  }
  sample->time_s = SteadyNow_s();
  sample->position_m = position_m_;
  sample->valid = position_known_;
  sample->sequence = ++exchanges_;
  return true;
}

void FalconUsbDevice::Stop() {
  if (!usb_) return;
  // Zero force before letting go (best effort: the device may be gone).
  if (usb_->handle != nullptr && !usb_->lost) {
    FalconCommand idle;
    const auto frame = EncodeFalconCommand(idle);
    int sent = 0;
    libusb_bulk_transfer(usb_->handle, kFalconBulkOut, const_cast<std::uint8_t*>(frame.data()),
                         static_cast<int>(frame.size()), &sent, kCommandTimeout_ms);
  }
  usb_.reset();
}

}  // namespace teersim::devices
