#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "scenes/anatomy_measurements.h"
#include "scenes/case_library.h"
#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"
#include "sim/model.h"
#include "sim/valve_from_anatomy.h"

namespace teersim::app {
namespace {

constexpr double kSecondsPerMinute = 60.0;

std::string LesionTypeName(scenes::LesionType type) {
  return type == scenes::LesionType::kFunctional ? "functional" : "degenerative";
}

// The case's anatomy measured from its meshes (scenes/anatomy_measurements.h).
scenes::AnatomyMeasurements Measure(const scenes::CaseDescription& description) {
  const scenes::Anatomy anatomy = scenes::BuildCaseAnatomy(description.anatomy, description.seed);
  scenes::MeasuredLesion lesion = scenes::MeasuredLesionOf(description.anatomy.parameters);
  return scenes::MeasureAnatomy(anatomy, lesion);
}

// "fossa_to_annulus_mm 42.1" with a sensible number of decimals.
std::string FormatMeasurement(const scenes::Measurement& m) {
  char text[96];
  std::snprintf(text, sizeof text, m.key.ends_with("_cm2") ? "%s %.2f" : "%s %.1f", m.key.c_str(), m.value);
  return text;
}

// Measured values rounded for printing: 0.01 mm / 0.001 cm² is well below
// what the meshes resolve.
double Rounded(const scenes::Measurement& m) {
  const double step = m.key.ends_with("_cm2") ? 1e-3 : 1e-2;
  return std::round(m.value / step) * step;
}

int ListCases(bool json) {
  const auto cases = scenes::ListStockCases();
  if (json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& description : cases) {
      list.push_back({{"name", description.name},
                      {"title", description.title},
                      {"objective", description.objective}});
    }
    std::cout << list.dump(2) << '\n';
    return kExitSuccess;
  }
  // The headline numbers of each case's measured anatomy.
  const char* kHeadline[] = {"femoral_vein_diameter_mm", "la_diameter_mm", "fossa_to_annulus_mm",
                             "septum_thickness_mm", "annulus_ap_mm", "eroa_cm2"};
  for (const auto& description : cases) {
    std::cout << description.name << "  —  " << description.title << '\n'
              << "    " << description.objective << '\n' << "    measured:";
    const auto measured = Measure(description);
    for (const char* key : kHeadline) {
      for (const auto& m : measured.values) {
        if (m.key == key) std::cout << "  " << FormatMeasurement(m);
      }
    }
    std::cout << '\n';
  }
  return kExitSuccess;
}

sim::Outcome BaselineOutcome(const scenes::CaseDescription& description,
                             const scenes::AnatomyMeasurements& measured) {
  const sim::ValveModelInputs inputs = sim::ValveInputsFromCase(description, measured);
  return sim::EvaluateOutcome(inputs.lesion, inputs.geometry, inputs.haemodynamics, {});
}

int DescribeCase(const std::string& name_or_file, bool json) {
  const auto description = scenes::LoadCaseDescription(scenes::ResolveCase(name_or_file));
  const double heart_rate_bpm = description.heart_rate_hz * kSecondsPerMinute;
  const auto measured = Measure(description);
  // The clip the case is planned for: its own size, or the instrument set's.
  const sim::ClipSize clip = sim::InstrumentsForCase(description).clip;
  if (json) {
    nlohmann::ordered_json out;
    out["name"] = description.name;
    out["title"] = description.title;
    out["objective"] = description.objective;
    out["seed"] = description.seed;
    out["lesion"] = {{"type", LesionTypeName(description.lesion.type)},
                     {"summary", description.lesion.summary}};
    out["heart_rate_bpm"] = heart_rate_bpm;
    out["file"] = description.source_file.string();
    out["clip"] = {{"size", clip.name},
                   {"arm_length_mm", clip.arm_length_m * 1e3},
                   {"arm_width_mm", clip.arm_width_m * 1e3}};
    // Measured anatomy: flat at the top level (the contract) and grouped
    // under "measured".
    nlohmann::ordered_json group = nlohmann::ordered_json::object();
    for (const auto& m : measured.values) {
      out[m.key] = Rounded(m);
      group[m.key] = Rounded(m);
    }
    out["anatomy_source"] = description.anatomy.import_file ? "imported" : "generated";
    out["measured"] = group;
    // Baseline haemodynamics from the outcome model (no clip).
    const sim::Outcome baseline = BaselineOutcome(description, measured);
    out["mr_grade_before"] = baseline.mr_grade;
    out["baseline"] = {{"mr_grade", baseline.mr_grade},
                       {"eroa_cm2", baseline.eroa_m2 * 1e4},
                       {"regurgitant_volume_ml", baseline.regurgitant_volume_m3 * 1e6},
                       {"mva_cm2", baseline.mva_m2 * 1e4},
                       {"mean_gradient_mmHg", baseline.mean_gradient_mmHg}};
    std::cout << out.dump(2) << '\n';
    return kExitSuccess;
  }
  std::cout << description.title << " (" << description.name << ")\n"
            << "  objective:  " << description.objective << '\n'
            << "  lesion:     " << LesionTypeName(description.lesion.type) << ", "
            << description.lesion.summary << '\n'
            << "  heart rate: " << heart_rate_bpm << " bpm\n"
            << "  clip:       " << clip.name << " (" << clip.arm_length_m * 1e3 << " x "
            << clip.arm_width_m * 1e3 << " mm arms)\n"
            << "  seed:       " << description.seed << '\n'
            << "  file:       " << description.source_file.string() << '\n'
            << "  measured anatomy ("
            << (description.anatomy.import_file ? "imported" : "generated") << "):\n";
  for (const auto& m : measured.values) std::cout << "    " << FormatMeasurement(m) << '\n';
  const sim::Outcome baseline = BaselineOutcome(description, measured);
  std::cout << "  baseline (outcome model, no clip): MR " << baseline.mr_grade << "+, EROA "
            << baseline.eroa_m2 * 1e4 << " cm2, RVol " << baseline.regurgitant_volume_m3 * 1e6 << " mL, MVA "
            << baseline.mva_m2 * 1e4 << " cm2, mean gradient " << baseline.mean_gradient_mmHg << " mmHg\n";
  return kExitSuccess;
}

}  // namespace

void AddCaseCommand(CLI::App& app, Handler* handler) {
  CLI::App* command = app.add_subcommand("case", "List and describe cases");
  command->require_subcommand(1);

  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = command->add_subcommand("list", "List the stock cases");
  list->add_flag("--json", *list_json, "Print [{name, title, objective}, …]");
  list->callback([handler, list_json] {
    *handler = [list_json] { return Guarded([&] { return ListCases(*list_json); }); };
  });

  auto describe_case = std::make_shared<std::string>();
  auto describe_json = std::make_shared<bool>(false);
  CLI::App* describe = command->add_subcommand("describe", "Describe one case and its measured anatomy");
  describe->add_option("case", *describe_case, "Stock case NAME or case FILE")->required();
  describe->add_flag("--json", *describe_json, "Machine-readable output");
  describe->callback([handler, describe_case, describe_json] {
    *handler = [describe_case, describe_json] {
      return Guarded([&] { return DescribeCase(*describe_case, *describe_json); });
    };
  });
}

}  // namespace teersim::app
