#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>

#include "sim/app/commands.h"
#include "sim/app/exit_codes.h"
#include "sim/trainee_db.h"

namespace teersim::app {
namespace {

struct TraineeArgs {
  std::string name;
  std::string db;
  bool json = false;
};

std::filesystem::path DatabasePath(const std::string& db) {
  return db.empty() ? sim::DefaultDatabasePath() : std::filesystem::path(db);
}

int AddTrainee(const TraineeArgs& args) {
  sim::TraineeDatabase database(DatabasePath(args.db));
  const sim::TraineeRow row = database.AddTrainee(args.name);
  if (args.json) {
    std::cout << nlohmann::ordered_json{{"id", row.id}, {"name", row.name}, {"created_at", row.created_at}}.dump(2)
              << '\n';
  } else {
    std::cout << "added trainee " << row.name << " (id " << row.id << ")\n";
  }
  return kExitSuccess;
}

int ListTrainees(const TraineeArgs& args) {
  sim::TraineeDatabase database(DatabasePath(args.db));
  const auto rows = database.ListTrainees();
  if (args.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& row : rows) {
      list.push_back({{"id", row.id}, {"name", row.name}, {"created_at", row.created_at}, {"runs", row.run_count}});
    }
    std::cout << list.dump(2) << '\n';
    return kExitSuccess;
  }
  if (rows.empty()) std::cout << "no trainees yet (teersim trainee add NAME)\n";
  for (const auto& row : rows) {
    std::cout << std::left << std::setw(24) << row.name << row.run_count << " runs, since " << row.created_at << '\n';
  }
  return kExitSuccess;
}

int History(const TraineeArgs& args) {
  sim::TraineeDatabase database(DatabasePath(args.db));
  database.MarkInterruptedRuns();
  const auto rows = database.History(args.name);
  if (args.json) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const auto& row : rows) {
      list.push_back({{"run_id", row.id},
                      {"case", row.case_name},
                      {"started_at", row.started_at},
                      {"status", row.status},
                      {"duration_s", row.duration_s},
                      {"completed", row.completed},
                      {"score", row.score_total ? nlohmann::ordered_json(*row.score_total) : nullptr},
                      {"driver", row.driver},
                      {"recording", row.recording_path}});
    }
    std::cout << nlohmann::ordered_json{{"trainee", args.name}, {"runs", list}}.dump(2) << '\n';
    return kExitSuccess;
  }
  std::cout << "history of " << args.name << ": " << rows.size() << " runs\n";
  for (const auto& row : rows) {
    std::cout << "  #" << row.id << "  " << row.started_at << "  " << std::left << std::setw(22) << row.case_name
              << std::setw(12) << row.status << std::fixed << std::setprecision(1) << row.duration_s << " s  score "
              << (row.score_total ? std::to_string(static_cast<int>(*row.score_total)) : std::string("-")) << '\n';
  }
  return kExitSuccess;
}

}  // namespace

void AddTraineeCommand(CLI::App& app, Handler* handler) {
  CLI::App* trainee = app.add_subcommand("trainee", "Trainee database: add | list | history NAME");
  trainee->require_subcommand(1);
  struct Sub {
    const char* name;
    const char* help;
    bool takes_name;
    int (*run)(const TraineeArgs&);
  };
  static constexpr Sub kSubs[] = {{"add", "Add a trainee NAME", true, &AddTrainee},
                                  {"list", "List trainees and their run counts", false, &ListTrainees},
                                  {"history", "Runs and scores of trainee NAME, oldest first", true, &History}};
  for (const auto& sub : kSubs) {
    auto args = std::make_shared<TraineeArgs>();
    CLI::App* command = trainee->add_subcommand(sub.name, sub.help);
    if (sub.takes_name) command->add_option("name", args->name, "Trainee NAME")->required();
    command->add_option("--db", args->db, "Database FILE (default $TEERSIM_DB or ~/.local/share/teersim/teersim.db)");
    command->add_flag("--json", args->json, "Machine-readable output");
    const auto run = sub.run;
    command->callback([handler, args, run] { *handler = [args, run] { return Guarded([&] { return run(*args); }); }; });
  }
}

}  // namespace teersim::app
