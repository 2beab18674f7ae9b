#include "devices/hid_usb_device.h"

#include <libusb.h>
#include <sys/time.h>

#include <algorithm>
#include <cstdio>
#include <span>

#include "base/log.h"
#include "devices/hid_report.h"
#include "devices/usb_enumeration.h"

namespace teersim::devices {
namespace {

// USB HID 1.11 §7.1: class descriptor types and the standard request.
constexpr std::uint8_t kHidClassDescriptor = 0x21;
constexpr std::uint8_t kHidReportDescriptor = 0x22;
constexpr std::uint8_t kRequestGetDescriptor = 0x06;
constexpr std::uint8_t kRequestTypeStandardInterfaceIn = 0x81;
// HID descriptor: bNumDescriptors at byte 5, then (type, length) triples.
constexpr std::size_t kHidDescriptorCountOffset = 5;
constexpr std::size_t kHidDescriptorListOffset = 6;
constexpr std::size_t kHidDescriptorEntryBytes = 3;
constexpr std::uint8_t kRequestSetReport = 0x09;
constexpr std::uint8_t kRequestTypeClassInterfaceOut = 0x21;
constexpr std::uint16_t kReportTypeOutput = 0x02;
constexpr unsigned kControlTimeout_ms = 1000;
constexpr std::uint8_t kHidBootSubclass = 1;
constexpr std::uint8_t kHidProtocolKeyboard = 1;
constexpr std::uint8_t kHidProtocolMouse = 2;
constexpr unsigned kOutputTimeout_ms = 20;

std::string IdText(HidDeviceId id) {
  char text[16];
  std::snprintf(text, sizeof text, "%04x:%04x", id.vendor_id, id.product_id);
  return text;
}

// The report descriptor's length from the HID class descriptor in an
// interface's extra bytes; nullopt when absent.
std::optional<std::size_t> ReportDescriptorLength(const unsigned char* extra, int extra_length) {
  int offset = 0;
  while (offset + 1 < extra_length) {
    const int length = extra[offset];
    if (length < 2 || offset + length > extra_length) return std::nullopt;
    if (extra[offset + 1] == kHidClassDescriptor &&
        length >= static_cast<int>(kHidDescriptorListOffset + kHidDescriptorEntryBytes)) {
      const int count = extra[offset + kHidDescriptorCountOffset];
      for (int i = 0; i < count; ++i) {
        const int entry = offset + static_cast<int>(kHidDescriptorListOffset) +
                          i * static_cast<int>(kHidDescriptorEntryBytes);
        if (entry + 2 >= offset + length) break;
        if (extra[entry] == kHidReportDescriptor) {
          return static_cast<std::size_t>(extra[entry + 1] | (extra[entry + 2] << 8));
        }
      }
    }
    offset += length;
  }
  return std::nullopt;
}

struct HidInterface {
  int number = -1;
  bool boot_keyboard_or_mouse = false;  // HID 1.11 §4.2-4.3: boot subclass, protocol 1 or 2
  std::uint8_t endpoint_in = 0;
  std::uint8_t endpoint_out = 0;  // 0: none, output goes by SET_REPORT
  int packet_bytes = 0;
  std::size_t descriptor_bytes = kMaxHidDescriptorBytes;
};

// The first HID interface with an interrupt-IN endpoint.
std::optional<HidInterface> FindHidInterface(libusb_device* device) {
  libusb_config_descriptor* config = nullptr;
  if (libusb_get_active_config_descriptor(device, &config) != 0 || config == nullptr) {
    return std::nullopt;
  }
  std::optional<HidInterface> found;
  for (int i = 0; i < config->bNumInterfaces && !found; ++i) {
    const libusb_interface& interface = config->interface[i];
    for (int alt = 0; alt < interface.num_altsetting && !found; ++alt) {
      const libusb_interface_descriptor& setting = interface.altsetting[alt];
      if (setting.bInterfaceClass != LIBUSB_CLASS_HID) continue;
      HidInterface hid;
      for (int e = 0; e < setting.bNumEndpoints; ++e) {
        const libusb_endpoint_descriptor& endpoint = setting.endpoint[e];
        const bool in = (endpoint.bEndpointAddress & LIBUSB_ENDPOINT_IN) != 0;
        const bool interrupt =
            (endpoint.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) == LIBUSB_TRANSFER_TYPE_INTERRUPT;
        if (!interrupt) continue;
        if (!in) {
          hid.endpoint_out = endpoint.bEndpointAddress;
          continue;
        }
        if (hid.endpoint_in != 0) continue;
        hid.endpoint_in = endpoint.bEndpointAddress;
        hid.packet_bytes = endpoint.wMaxPacketSize;
      }
      if (hid.endpoint_in == 0) continue;
      hid.number = setting.bInterfaceNumber;
      hid.boot_keyboard_or_mouse = setting.bInterfaceSubClass == kHidBootSubclass &&
                                   (setting.bInterfaceProtocol == kHidProtocolKeyboard ||
                                    setting.bInterfaceProtocol == kHidProtocolMouse);
      if (auto length = ReportDescriptorLength(setting.extra, setting.extra_length)) {
        hid.descriptor_bytes = *length;
      }
      found = hid;
    }
  }
  libusb_free_config_descriptor(config);
  return found;
}

}  // namespace

struct HidUsbDevice::Connection {
  libusb_device_handle* handle = nullptr;
  HidInterface interface;
  HidDeviceId id;
  bool claimed = false;
  bool detached = false;

  ~Connection() {
    if (handle == nullptr) return;
    if (claimed) libusb_release_interface(handle, interface.number);
    if (detached) libusb_attach_kernel_driver(handle, interface.number);
    libusb_close(handle);
  }
};

HidUsbDevice::HidUsbDevice(HidUsbOptions options) : options_(std::move(options)) {
  thread_ = std::thread([this] { Run(); });
}

HidUsbDevice::~HidUsbDevice() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string HidUsbDevice::Name() const {
  std::lock_guard lock(mutex_);
  std::string name = "HID " + (status_.id ? IdText(*status_.id) : std::string("device"));
  if (!status_.profile.empty()) name += " (" + status_.profile + ")";
  return name;
}

HidUsbStatus HidUsbDevice::Status() const {
  std::lock_guard lock(mutex_);
  return status_;
}

std::optional<HidDescriptor> HidUsbDevice::Descriptor() const {
  std::lock_guard lock(mutex_);
  return descriptor_;
}

void HidUsbDevice::Sample(double time_s, ControlFrame* frame) {
  std::lock_guard lock(mutex_);
  const double dt_s = last_sample_time_s_ ? std::max(0.0, time_s - *last_sample_time_s_) : 0.0;
  last_sample_time_s_ = time_s;
  if (mapper_) mapper_->Apply(dt_s, frame);
}

bool HidUsbDevice::SendOutput(const std::vector<std::uint8_t>& report, std::string* error) {
  std::lock_guard lock(connection_mutex_);
  if (current_ == nullptr) {
    *error = "no device connected";
    return false;
  }
  if (report.empty()) {
    *error = "empty report";
    return false;
  }
  auto* data = const_cast<std::uint8_t*>(report.data());  // libusb does not write OUT buffers
  const int length = static_cast<int>(report.size());
  int status = 0;
  if (current_->interface.endpoint_out != 0) {
    int sent = 0;
    status = libusb_interrupt_transfer(current_->handle, current_->interface.endpoint_out, data,
                                       length, &sent, kOutputTimeout_ms);
  } else {
    // SET_REPORT(Output, report ID); with IDs the first byte is the ID.
    bool uses_ids = false;
    {
      std::lock_guard state_lock(mutex_);
      uses_ids = descriptor_ && descriptor_->uses_report_ids;
    }
    const std::uint16_t id = uses_ids ? report[0] : 0;
    status =
        libusb_control_transfer(current_->handle, kRequestTypeClassInterfaceOut, kRequestSetReport,
                                static_cast<std::uint16_t>((kReportTypeOutput << 8) | id),
                                static_cast<std::uint16_t>(current_->interface.number), data,
                                static_cast<std::uint16_t>(length), kOutputTimeout_ms);
  }
  if (status < 0) {
    *error = std::string("output report not sent: ") + libusb_error_name(status);
    return false;
  }
  return true;
}

void HidUsbDevice::Publish(const std::function<void(HidUsbStatus&)>& change) {
  {
    std::lock_guard lock(mutex_);
    change(status_);
  }
  changed_.notify_all();
}

void HidUsbDevice::Run() {
  libusb_context* context = nullptr;
  if (const int status = libusb_init(&context); status != 0) {
    const std::string message = std::string("libusb_init failed: ") + libusb_strerror(status);
    log::Error("HID device: " + message);
    Publish([&](HidUsbStatus& s) { s.last_event = message; });
    return;
  }
  while (!stop_) {
    if (auto connection = Connect(context)) {
      {
        std::lock_guard lock(connection_mutex_);
        current_ = connection.get();
      }
      ReadUntilLost(context, *connection);
      std::lock_guard lock(connection_mutex_);
      current_ = nullptr;
      continue;
    }
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, options_.retry_interval, [this] { return stop_.load(); });
  }
  libusb_exit(context);
}

std::unique_ptr<HidUsbDevice::Connection> HidUsbDevice::Connect(libusb_context* context) {
  libusb_device** list = nullptr;
  const ssize_t count = libusb_get_device_list(context, &list);
  std::unique_ptr<Connection> result;
  for (ssize_t i = 0; i < count && !result; ++i) {
    libusb_device_descriptor descriptor{};
    if (libusb_get_device_descriptor(list[i], &descriptor) != 0) continue;
    const HidDeviceId id{descriptor.idVendor, descriptor.idProduct};
    if (options_.device && !(id == *options_.device)) continue;
    const auto interface = FindHidInterface(list[i]);
    if (!interface) continue;
    // Looking for any usable device, never take the keyboard or mouse from
    // the desktop, nor a device whose kernel-read descriptor no profile matches.
    const int location = (libusb_get_bus_number(list[i]) << 8) | libusb_get_device_address(list[i]);
    if (!options_.device) {
      if (interface->boot_keyboard_or_mouse || rejected_.count(location) != 0) continue;
      const auto kernel_descriptor = ReadKernelReportDescriptor(list[i]);
      if (!kernel_descriptor.empty() &&
          ChooseHidProfileForUsb(options_.profiles, id, kernel_descriptor) == nullptr) {
        continue;
      }
    }
    auto connection = std::make_unique<Connection>();
    connection->interface = *interface;
    connection->id = id;
    if (libusb_open(list[i], &connection->handle) != 0) continue;
    // The kernel refuses interface requests while usbhid owns the interface.
    if (libusb_kernel_driver_active(connection->handle, interface->number) == 1) {
      connection->detached =
          libusb_detach_kernel_driver(connection->handle, interface->number) == 0;
    }
    if (libusb_claim_interface(connection->handle, interface->number) != 0) continue;
    connection->claimed = true;
    std::vector<std::uint8_t> bytes(interface->descriptor_bytes);
    const int got = libusb_control_transfer(
        connection->handle, kRequestTypeStandardInterfaceIn, kRequestGetDescriptor,
        static_cast<std::uint16_t>(kHidReportDescriptor << 8),
        static_cast<std::uint16_t>(interface->number), bytes.data(),
        static_cast<std::uint16_t>(bytes.size()), kControlTimeout_ms);
    if (got <= 0) {
      log::Warn("HID " + IdText(id) +
                ": cannot read the report descriptor: " + libusb_strerror(got));
      continue;
    }
    bytes.resize(static_cast<std::size_t>(got));
    HidDescriptor parsed;
    try {
      parsed = ParseHidDescriptor(bytes);
    } catch (const HidDescriptorError& error) {
      log::Warn("HID " + IdText(id) + ": bad report descriptor: " + error.what());
      continue;
    }
    const HidProfile* profile = ChooseHidProfile(options_.profiles, parsed, id);
    if (profile == nullptr && !options_.device) {
      // Not a device teersim can use: remember it, so it is not taken from
      // its driver again at every scan.
      rejected_.insert(location);
      continue;
    }
    // A new device or descriptor gets a new mapper; the same one keeps its state.
    std::string message = "HID " + IdText(id) + " connected";
    {
      std::lock_guard lock(mutex_);
      if (bytes != descriptor_bytes_ || !mapper_) {
        descriptor_bytes_ = bytes;
        descriptor_ = parsed;
        mapper_ = profile ? std::make_unique<HidControlMapper>(*profile, parsed) : nullptr;
      }
      status_.connected = true;
      ++status_.connections;
      status_.id = id;
      status_.profile = profile ? profile->name : "";
      message += profile ? ", profile " + profile->name : ", no profile matches: input ignored";
      status_.last_event = message;
    }
    changed_.notify_all();
    log::Info(message);
    result = std::move(connection);
  }
  if (count >= 0) libusb_free_device_list(list, 1);
  return result;
}

// Interrupt-IN transfers kept in flight, so that a 1 kHz device never waits
// for the host to resubmit between reports (usb-devices.md, step 6).
namespace {
constexpr int kTransfersInFlight = 4;
constexpr long long kMicrosecondsPerSecond = 1000000;

struct InFlight {
  std::vector<libusb_transfer*> transfers;
  std::vector<std::vector<std::uint8_t>> buffers;
  int active = 0;
  bool lost = false;
  int lost_status = LIBUSB_TRANSFER_COMPLETED;
  std::function<void(std::span<const std::uint8_t>)> on_report;
  const std::atomic<bool>* stop = nullptr;
};

void LIBUSB_CALL OnTransfer(libusb_transfer* transfer) {
  auto* in_flight = static_cast<InFlight*>(transfer->user_data);
  switch (transfer->status) {
    case LIBUSB_TRANSFER_COMPLETED:
      in_flight->on_report(std::span<const std::uint8_t>(
          transfer->buffer, static_cast<std::size_t>(transfer->actual_length)));
      [[fallthrough]];
    case LIBUSB_TRANSFER_TIMED_OUT:
    case LIBUSB_TRANSFER_OVERFLOW:  // a report longer than a packet: dropped, keep reading
      if (!in_flight->lost && !*in_flight->stop && libusb_submit_transfer(transfer) == 0) return;
      break;
    case LIBUSB_TRANSFER_CANCELLED:
      break;
    default:  // NO_DEVICE, ERROR, STALL: the device is gone or broken
      in_flight->lost = true;
      in_flight->lost_status = transfer->status;
  }
  --in_flight->active;
}

}  // namespace

void HidUsbDevice::ReadUntilLost(libusb_context* context, Connection& connection) {
  InFlight in_flight;
  in_flight.stop = &stop_;
  in_flight.on_report = [this](std::span<const std::uint8_t> bytes) {
    std::string error;
    {
      std::lock_guard lock(mutex_);
      const auto report = descriptor_
                              ? DecodeHidReport(*descriptor_, HidReportKind::kInput, bytes, &error)
                              : std::nullopt;
      if (report) {
        if (mapper_) mapper_->Update(*report);
        ++status_.reports;
      } else {
        ++status_.bad_reports;
      }
    }
    changed_.notify_all();
  };
  const int packet = std::max(connection.interface.packet_bytes, 1);
  for (int i = 0; i < kTransfersInFlight; ++i) {
    libusb_transfer* transfer = libusb_alloc_transfer(0);
    if (transfer == nullptr) break;
    in_flight.buffers.emplace_back(static_cast<std::size_t>(packet));
    libusb_fill_interrupt_transfer(transfer, connection.handle, connection.interface.endpoint_in,
                                   in_flight.buffers.back().data(), packet, &OnTransfer, &in_flight,
                                   0);
    in_flight.transfers.push_back(transfer);
  }
  for (libusb_transfer* transfer : in_flight.transfers) {
    if (libusb_submit_transfer(transfer) != 0) {
      in_flight.lost = true;
      in_flight.lost_status = LIBUSB_TRANSFER_NO_DEVICE;
      break;
    }
    ++in_flight.active;
  }
  // Handle events until every transfer is back; on stop or loss cancel the rest.
  bool cancelled = false;
  while (in_flight.active > 0) {
    if ((stop_ || in_flight.lost) && !cancelled) {
      for (libusb_transfer* transfer : in_flight.transfers) libusb_cancel_transfer(transfer);
      cancelled = true;
    }
    const auto wait_us =
        std::chrono::duration_cast<std::chrono::microseconds>(options_.event_wait).count();
    timeval timeout{static_cast<time_t>(wait_us / kMicrosecondsPerSecond),
                    static_cast<suseconds_t>(wait_us % kMicrosecondsPerSecond)};
    libusb_handle_events_timeout_completed(context, &timeout, nullptr);
  }
  for (libusb_transfer* transfer : in_flight.transfers) libusb_free_transfer(transfer);
  if (!in_flight.lost || stop_) return;

  // Unplugged (or broken): hold the last safe input and look for it again.
  const std::string message =
      "HID " + IdText(connection.id) + " lost (" +
      libusb_error_name(in_flight.lost_status == LIBUSB_TRANSFER_NO_DEVICE ? LIBUSB_ERROR_NO_DEVICE
                                                                           : LIBUSB_ERROR_IO) +
      "): rates stopped, buttons released, positions held";
  log::Warn(message);
  {
    std::lock_guard lock(mutex_);
    if (mapper_) mapper_->Release();
    status_.connected = false;
    status_.last_event = message;
  }
  changed_.notify_all();
}

}  // namespace teersim::devices
