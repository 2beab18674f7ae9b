// FalconUsbDevice: a Novint Falcon over libusb (no libftdi, no Novint SDK),
// as a HapticDevice. Start():
//
//   1. finds 0403:cb48, detaches ftdi_sio if bound, claims interface 0;
//   2. FTDI set-up for the boot loader (reset, purge, latency 16 ms, 9600
//      baud 8N1, no flow control, RTS low, DTR pulse) and its handshake;
//   3. uploads the user's firmware file at 140000 baud in 62-byte chunks,
//      each echoed back by the loader and compared;
//   4. run mode: latency 1 ms, ~1.46 Mbaud, purge; keeps bulk IN transfers in
//      flight and asks for homing (the user moves the grip in and out until
//      the three arms have passed their index marks; the LED is red until
//      then, green after).
//
// Exchange() (the haptic thread, 1 kHz) sends one 16-byte command frame with
// the motor commands for the force (Jacobian transpose, clamped: see
// falcon_kinematics.h) and returns the newest encoder frame as a position.
// Until homing completes positions are not valid and no force is sent.
// An unplug or USB error makes Exchange() return false with the reason.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "devices/falcon_kinematics.h"
#include "devices/falcon_protocol.h"
#include "devices/haptic_device.h"

namespace teersim::devices {

struct FalconUsbTransport;  // libusb state, in the .cpp (libusb stays out of headers)

struct FalconOptions {
  // The user's own copy of Novint's firmware (see LoadFalconFirmware).
  std::string firmware_path;
  // Which Falcon when several are plugged in (0 = the first found).
  int index = 0;
  // Each handshake read waits at most this long.
  std::chrono::milliseconds handshake_timeout{1000};
  // The boot loader's probe is repeated this often before giving up
  // (libnifalcon: the first answers after a reset are often stale).
  int handshake_attempts = 10;
  FalconGeometry geometry;
};

struct FalconStatus {
  bool homed = false;
  long long frames = 0;     // encoder frames received
  long long malformed = 0;  // frames dropped as malformed
  std::array<std::int16_t, 3> encoder{0, 0, 0};
  std::array<std::int16_t, 3> motor{0, 0, 0};  // last commands sent
};

class FalconUsbDevice final : public HapticDevice {
 public:
  explicit FalconUsbDevice(FalconOptions options);
  ~FalconUsbDevice() override;
  FalconUsbDevice(const FalconUsbDevice&) = delete;
  FalconUsbDevice& operator=(const FalconUsbDevice&) = delete;

  std::string Name() const override { return "Novint Falcon"; }
  bool Start(std::string* error) override;
  bool Exchange(const Vec3& force_N, HapticSample* sample, std::string* error) override;
  void Stop() override;

  // From the haptic thread (or after Stop): counters and the last raw values.
  FalconStatus Status() const;

 private:
  bool Open(std::string* error);
  bool Control(std::uint8_t request, std::uint16_t value, const char* what, std::string* error);
  bool Write(std::span<const std::uint8_t> bytes, const char* what, std::string* error);
  bool ReadExactly(std::size_t count, std::vector<std::uint8_t>* payload, const char* what,
                   std::string* error);
  bool LoaderHandshake(std::string* error);
  bool UploadFirmware(const std::vector<std::uint8_t>& firmware, std::string* error);
  bool EnterRunMode(std::string* error);

  FalconOptions options_;
  FalconKinematics kinematics_;
  std::unique_ptr<FalconUsbTransport> usb_;
  FalconFrameReader reader_;
  FalconStatus status_;
  Vec3 position_m_ = FalconKinematics::kWorkspaceCentre_D;
  bool position_known_ = false;
  long long exchanges_ = 0;
};

}  // namespace teersim::devices
