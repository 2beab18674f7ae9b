// Autopilot: a scripted operator that performs the whole procedure through
// the same controls a fellow uses (handle translations and rotations, knob
// angles, clip controls, the fluoro pedal), at a hand's pace, watching the
// state as a fellow watches fluoroscopy and echo. It never moves an
// instrument directly: its commands pass through Step's hand-speed limits
// like any device's, and a recording of its run replays without it.
//
// Two styles: the expert (the case's targets: posterior puncture 3.5–4.5 cm
// above the annulus where the fossa allows, clip over the jet perpendicular
// to the coaptation line, both leaflets ≥ 6 mm, a second clip when the
// residual MR is above 1+), and the poor run (anterior-low puncture, clip
// turned 35° off, shallow grasp, released without assessment), which ends
// worse and with named errors.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "devices/controls.h"
#include "sim/model.h"
#include "sim/state.h"

namespace teersim::sim {

enum class AutopilotStyle { kExpert, kPoor };

class Autopilot {
 public:
  // Throws InputError when the case's anatomy cannot be performed (see
  // ProcedureModel::available).
  Autopilot(const Model& model, AutopilotStyle style);

  // The commands for the next step, given the state so far. Deterministic:
  // the same model and states give the same commands.
  void Sample(const State& state, devices::ControlFrame* commands);

  // True once the plan has nothing left to do (procedure completed, or given up).
  bool Finished() const { return stage_ == Stage::kFinished; }
  // Why it gave up, if it did.
  const std::string& Problem() const { return problem_; }
  std::string Name() const;
  // Simulated time after which a run stops even if the plan is not finished.
  static constexpr double kTimeLimit_s = 1800.0;

 private:
  enum class Stage : std::uint8_t {
    kAdvanceToRa,
    kAimAtFossa,
    kPunctureNeedle,
    kCrossWithSheath,
    kParkWire,
    kWithdrawSheath,
    kAdvanceGuide,
    kSteerOverValve,
    kOpenAndOrient,
    kCloseToCross,
    kCrossIntoLv,
    kOpenInLv,
    kPullBackToGrasp,
    kWaitForLeaflets,
    kDropGrippers,
    kCheckGrasp,
    kRegraspLift,
    kCloseClip,
    kReopenEmptyClip,
    kAssess,
    kLockAndRelease,
    kRetractDelivery,
    kWithdraw,
    kFinished,
  };

  // Moves the commanded value of `id` towards `target` at `speed` per second
  // (the autopilot's own pace, slower than the hand limit for fine work);
  // true once the handle itself is there.
  bool Approach(const State& state, devices::ControlId id, double target, double speed_per_s);
  bool HandleAt(const State& state, devices::ControlId id, double target, double tolerance) const;
  void Enter(Stage stage, double time_s);
  void PlanPuncture();
  void PlanClipTarget(const State& state);
  bool SolveSteering(const State& state);
  double BestDeliveryRotation(const State& state) const;
  double DeliveryForHubHeight(const State& state, double height_m) const;
  double BestGraspDelivery(const State& state) const;
  void GiveUp(const std::string& why, double time_s);

  const Model& model_;
  AutopilotStyle style_;
  Stage stage_ = Stage::kAdvanceToRa;
  double stage_start_s_ = 0.0;
  devices::ControlFrame commands_ = devices::ControlFrame::Defaults();
  bool commands_initialised_ = false;
  // Planned targets.
  double puncture_insertion_m_ = 0.0, puncture_rotation_rad_ = 0.0;
  double clip_target_v_m_ = 0.0, clip_target_u_m_ = 0.0;
  double extra_roll_rad_ = 0.0;
  devices::ControlFrame steering_;  // the solved steering handles
  double delivery_in_lv_m_ = 0.0, delivery_grasp_m_ = 0.0;
  int grasp_tries_ = 0;
  // The deepest insertion seen on each arm during this beat and the last
  // while pulling back (the leaflets reach the arms at different moments).
  std::array<double, 2> seen_this_beat_m_{}, seen_last_beat_m_{};
  double beat_window_start_s_ = 0.0;
  int clips_planned_ = 1;
  double first_clip_s_m_ = 0.0;
  std::string problem_;
};

std::string_view AutopilotStyleName(AutopilotStyle style);

}  // namespace teersim::sim
