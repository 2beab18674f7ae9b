// The trainee database (SQLite, WAL mode): trainees, cases, runs and scores,
// with schema migrations keyed on PRAGMA user_version. A run is inserted when
// it starts (status "running") and updated when it ends, in transactions, so
// a run killed mid-way leaves a consistent row that says so.
//
// Location: --db FILE, else $TEERSIM_DB, else $XDG_DATA_HOME/teersim/teersim.db
// (~/.local/share/teersim/teersim.db).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace teersim::sim {

struct TraineeRow {
  std::int64_t id = 0;
  std::string name;
  std::string created_at;  // ISO 8601 UTC
  std::int64_t run_count = 0;
};

struct RunRow {
  std::int64_t id = 0;
  std::string trainee;  // empty when not attributed
  std::string case_name;
  std::string started_at;
  std::string status;   // running | finished | fault | interrupted
  double duration_s = 0.0;
  std::string driver;
  std::string recording_path;
  std::optional<double> score_total;  // 0–100 once scored
  bool completed = false;
  std::string summary_json;  // the run's summary (with its metrics), "" while running
};

std::filesystem::path DefaultDatabasePath();

class TraineeDatabase {
 public:
  // Opens (creating and migrating as needed). Throws InputError naming the
  // file when it cannot be opened or is not a teersim database.
  explicit TraineeDatabase(const std::filesystem::path& path);
  ~TraineeDatabase();
  TraineeDatabase(const TraineeDatabase&) = delete;
  TraineeDatabase& operator=(const TraineeDatabase&) = delete;

  static int SchemaVersion();  // the version this build migrates to
  int UserVersion() const;     // the version of the open file

  // Throws InputError if the name is empty or already taken.
  TraineeRow AddTrainee(const std::string& name);
  std::vector<TraineeRow> ListTrainees() const;
  std::optional<TraineeRow> FindTrainee(const std::string& name) const;

  // Inserts a run in status "running"; the trainee (if any) must exist.
  std::int64_t StartRun(const std::string& trainee, const std::string& case_name,
                        const std::string& case_title, const std::string& driver,
                        const std::string& recording_path);
  void FinishRun(std::int64_t run_id, const std::string& status, double duration_s,
                 bool completed, const std::string& summary_json);
  // Marks runs left "running" by a process that no longer exists as
  // "interrupted"; returns how many.
  int MarkInterruptedRuns();
  // Runs of one trainee, oldest first. Throws InputError for an unknown name.
  std::vector<RunRow> History(const std::string& trainee) const;

 private:
  void Exec(const std::string& sql) const;
  void Migrate();
  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace teersim::sim
