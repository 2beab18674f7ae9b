#include "sim/recording.h"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "base/input_error.h"
#include "sim/scoring.h"

namespace teersim::sim {
namespace {

constexpr char kMagic[8] = {'T', 'E', 'E', 'R', 'S', 'I', 'M', 'R'};
constexpr std::uint32_t kChunkHeader = 1;
constexpr std::uint32_t kChunkInputs = 2;
constexpr std::uint32_t kChunkEvent = 3;
constexpr std::uint32_t kChunkEnd = 4;
// No chunk is larger than this; a bigger length field means damage.
constexpr std::uint32_t kMaxChunkPayloadBytes = 64u << 20;

void PutU32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}
void PutU64(std::vector<std::uint8_t>& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}
void PutF64(std::vector<std::uint8_t>& out, double value) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  PutU64(out, bits);
}
std::uint32_t GetU32(const std::uint8_t* in) {
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= static_cast<std::uint32_t>(in[i]) << (8 * i);
  return value;
}
std::uint64_t GetU64(const std::uint8_t* in) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(in[i]) << (8 * i);
  return value;
}

std::uint32_t Crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc = 0) {
  return static_cast<std::uint32_t>(crc32(crc, data, static_cast<uInt>(size)));
}

std::vector<std::uint8_t> JsonPayload(const nlohmann::ordered_json& json) {
  const std::string text = json.dump();
  return {text.begin(), text.end()};
}

nlohmann::ordered_json ControlNames() {
  nlohmann::ordered_json names = nlohmann::ordered_json::array();
  for (const auto& info : devices::AllControls()) names.push_back(std::string(info.name));
  return names;
}

std::string HashHex(std::uint64_t hash) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

}  // namespace

RecordingWriter::~RecordingWriter() {
  if (file_ != nullptr) {
    FlushSteps();
    std::fclose(file_);
  }
}

void RecordingWriter::Open(const std::filesystem::path& path, const RecordingHeader& header) {
  file_ = std::fopen(path.c_str(), "wb");
  if (file_ == nullptr) {
    throw InputError(path.string() + ": cannot create recording: " + std::strerror(errno));
  }
  std::vector<std::uint8_t> start(std::begin(kMagic), std::end(kMagic));
  PutU32(start, kRecordingFormatVersion);
  std::fwrite(start.data(), 1, start.size(), file_);
  nlohmann::ordered_json json{{"software_version", header.software_version},
                              {"case_name", header.case_name},
                              {"case_text", header.case_text},
                              {"seed", header.seed},
                              {"step_s", header.step_s},
                              {"driver", header.driver},
                              {"trainee", header.trainee},
                              {"controls", ControlNames()}};
  WriteChunk(kChunkHeader, JsonPayload(json));
}

void RecordingWriter::AppendStep(const Input& input, const State& state_after) {
  if (file_ == nullptr) return;
  if (chunk_steps_ == 0) chunk_first_step_ = static_cast<std::uint64_t>(state_after.step_index - 1);
  // Only the controls that changed since the previous step.
  std::uint8_t changed = 0;
  const std::size_t count_at = pending_.size();
  pending_.push_back(0);
  for (std::size_t i = 0; i < devices::kControlCount; ++i) {
    const double value = input.controls.values[i];
    if (std::memcmp(&value, &previous_.values[i], sizeof value) == 0) continue;
    pending_.push_back(static_cast<std::uint8_t>(i));
    PutF64(pending_, value);
    ++changed;
  }
  pending_[count_at] = changed;
  previous_ = input.controls;
  ++chunk_steps_;
  if (chunk_steps_ == kStepsPerChunk) {
    last_hash_ = HashState(state_after);
    FlushSteps();
  }
}

void RecordingWriter::FlushSteps() {
  if (chunk_steps_ == 0 || file_ == nullptr) return;
  std::vector<std::uint8_t> payload;
  payload.reserve(pending_.size() + 20);
  PutU64(payload, chunk_first_step_);
  PutU32(payload, chunk_steps_);
  PutU64(payload, last_hash_);
  payload.insert(payload.end(), pending_.begin(), pending_.end());
  WriteChunk(kChunkInputs, payload);
  pending_.clear();
  chunk_steps_ = 0;
}

void RecordingWriter::AppendEvent(const RecordedEvent& event) {
  if (file_ == nullptr) return;
  // Events belong after the steps before them; a partial chunk is closed
  // early with the hash of the last state it has seen (0 = not checked).
  last_hash_ = 0;
  FlushSteps();
  events_.push_back(event);
  nlohmann::ordered_json json{
      {"time_s", event.time_s},
      {"name", event.name},
      {"details", nlohmann::ordered_json::parse(event.details.empty() ? "{}" : event.details)}};
  WriteChunk(kChunkEvent, JsonPayload(json));
}

void RecordingWriter::Finish(const State& final_state) {
  if (file_ == nullptr) return;
  last_hash_ = HashState(final_state);
  FlushSteps();
  nlohmann::ordered_json json{{"steps", final_state.step_index},
                              {"final_state_hash", HashHex(HashState(final_state))},
                              {"status", std::string(StepStatusName(final_state.status))},
                              {"simulated_s", final_state.time_s}};
  // JSON has no infinities or NaN: with one of those, no metrics (score then
  // re-simulates).
  const Metrics metrics = MetricsFromRun(final_state, events_);
  if (std::all_of(metrics.begin(), metrics.end(),
                  [](const auto& metric) { return std::isfinite(metric.second); })) {
    json["metrics"] = metrics;
  }
  WriteChunk(kChunkEnd, JsonPayload(json));
  std::fclose(file_);
  file_ = nullptr;
}

void RecordingWriter::WriteChunk(std::uint32_t kind, const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> head;
  PutU32(head, kind);
  PutU32(head, static_cast<std::uint32_t>(payload.size()));
  std::uint32_t crc = Crc32(head.data(), head.size());
  crc = Crc32(payload.data(), payload.size(), crc);
  std::vector<std::uint8_t> tail;
  PutU32(tail, crc);
  const bool ok = std::fwrite(head.data(), 1, head.size(), file_) == head.size() &&
                  std::fwrite(payload.data(), 1, payload.size(), file_) == payload.size() &&
                  std::fwrite(tail.data(), 1, tail.size(), file_) == tail.size() &&
                  std::fflush(file_) == 0;
  // fdatasync: the chunk survives a crash of the process and of the machine.
  if (!ok || fdatasync(fileno(file_)) != 0) {
    if (error_.empty()) error_ = std::string("recording write failed: ") + std::strerror(errno);
  }
}

std::int64_t Recording::StepCount() const {
  std::int64_t steps = 0;
  for (const auto& chunk : chunks) steps += chunk.step_count;
  return steps;
}

Recording ReadRecording(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open recording");
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  const std::string name = path.string();
  if (bytes.size() < sizeof kMagic + 4 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw InputError(name + ": byte 0: not a teersim recording (bad magic)");
  }
  const std::uint32_t version = GetU32(bytes.data() + sizeof kMagic);
  if (version != kRecordingFormatVersion) {
    throw InputError(name + ": byte 8: recording format version " + std::to_string(version) +
                     " is not supported (this teersim reads version " +
                     std::to_string(kRecordingFormatVersion) + ")");
  }

  Recording recording;
  bool have_header = false;
  std::size_t offset = sizeof kMagic + 4;
  while (offset < bytes.size()) {
    const std::string at = name + ": byte " + std::to_string(offset) + ": ";
    // A chunk that does not fit or fails its checksum ends the readable part.
    if (bytes.size() - offset < 12) {
      recording.warnings.push_back(at + "recording is truncated (partial chunk); read up to here");
      break;
    }
    const std::uint32_t kind = GetU32(bytes.data() + offset);
    const std::uint32_t size = GetU32(bytes.data() + offset + 4);
    if (size > kMaxChunkPayloadBytes || bytes.size() - offset - 12 < size) {
      recording.warnings.push_back(
          at + "recording is truncated or damaged (chunk length); read up to here");
      break;
    }
    const std::uint8_t* payload = bytes.data() + offset + 8;
    const std::uint32_t stored_crc = GetU32(payload + size);
    if (Crc32(payload, size, Crc32(bytes.data() + offset, 8)) != stored_crc) {
      recording.warnings.push_back(at + "checksum mismatch; recording read up to here");
      break;
    }
    try {
      if (kind == kChunkHeader) {
        const auto json = nlohmann::json::parse(payload, payload + size);
        recording.header.software_version = json.at("software_version");
        recording.header.case_name = json.at("case_name");
        recording.header.case_text = json.at("case_text");
        recording.header.seed = json.at("seed");
        recording.header.step_s = json.at("step_s");
        recording.header.driver = json.at("driver");
        recording.header.trainee = json.value("trainee", "");
        if (json.at("controls") != ControlNames()) {
          throw InputError(at + "recorded with a different control vocabulary (teersim " +
                           recording.header.software_version + "); cannot replay");
        }
        have_header = true;
      } else if (!have_header) {
        throw InputError(at + "the first chunk must be the header");
      } else if (kind == kChunkInputs) {
        if (size < 20) throw InputError(at + "inputs chunk too short");
        InputChunk chunk;
        chunk.first_step = GetU64(payload);
        chunk.step_count = GetU32(payload + 8);
        chunk.state_hash = GetU64(payload + 12);
        chunk.encoded.assign(payload + 20, payload + size);
        recording.chunks.push_back(std::move(chunk));
      } else if (kind == kChunkEvent) {
        const auto json = nlohmann::json::parse(payload, payload + size);
        recording.events.push_back({json.at("time_s"), json.at("name"), json.at("details").dump()});
      } else if (kind == kChunkEnd) {
        const auto json = nlohmann::json::parse(payload, payload + size);
        recording.end =
            RecordingEnd{json.at("steps"), json.at("final_state_hash"), json.at("status"), {}, {}};
        if (json.contains("simulated_s"))
          recording.end->simulated_s = json.at("simulated_s").get<double>();
        if (json.contains("metrics")) {
          recording.end->metrics = json.at("metrics").get<std::map<std::string, double>>();
        }
      } else {
        recording.warnings.push_back(at + "unknown chunk kind " + std::to_string(kind) +
                                     " skipped");
      }
    } catch (const nlohmann::json::exception& error) {
      throw InputError(at + "malformed chunk: " + error.what());
    }
    offset += 12 + size;
  }
  if (!have_header) throw InputError(name + ": byte 12: recording has no readable header");
  if (!recording.end) {
    recording.warnings.push_back(name + ": recording has no end chunk (the run was cut short); " +
                                 std::to_string(recording.StepCount()) + " steps readable");
  }
  return recording;
}

}  // namespace teersim::sim
