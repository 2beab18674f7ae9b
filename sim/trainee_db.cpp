#include "sim/trainee_db.h"

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <memory>

#include "base/input_error.h"

namespace teersim::sim {
namespace {

// Each migration moves the schema from version i to i + 1. Never edit a
// released migration; append a new one.
constexpr const char* kMigrations[] = {
    // 0 -> 1: trainees, cases, runs, scores.
    R"sql(
    CREATE TABLE trainees (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
      created_at TEXT NOT NULL
    );
    CREATE TABLE cases (
      name TEXT PRIMARY KEY,
      title TEXT NOT NULL
    );
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY,
      trainee_id INTEGER REFERENCES trainees(id),
      case_name TEXT NOT NULL REFERENCES cases(name),
      started_at TEXT NOT NULL,
      finished_at TEXT,
      status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'fault', 'interrupted')),
      duration_s REAL NOT NULL DEFAULT 0,
      completed INTEGER NOT NULL DEFAULT 0,
      driver TEXT NOT NULL,
      recording_path TEXT NOT NULL,
      pid INTEGER NOT NULL,
      summary_json TEXT
    );
    CREATE INDEX runs_by_trainee ON runs(trainee_id, started_at);
    CREATE TABLE scores (
      id INTEGER PRIMARY KEY,
      run_id INTEGER NOT NULL REFERENCES runs(id),
      rubric TEXT NOT NULL,
      total REAL NOT NULL CHECK (total >= 0 AND total <= 100),
      details_json TEXT NOT NULL,
      scored_at TEXT NOT NULL
    );
    )sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));
// Wait up to 5 s for another process holding the write lock (GUI + CLI).
constexpr int kBusyTimeout_ms = 5000;

std::string NowUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A prepared statement that finalises itself.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql, const std::string& path) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK) {
      throw InputError(path + ": database error: " + sqlite3_errmsg(db));
    }
  }
  ~Statement() { sqlite3_finalize(statement_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, const std::string& text) {
    sqlite3_bind_text(statement_, index, text.c_str(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int index, std::int64_t value) {
    sqlite3_bind_int64(statement_, index, value);
    return *this;
  }
  Statement& Bind(int index, double value) {
    sqlite3_bind_double(statement_, index, value);
    return *this;
  }
  Statement& BindNull(int index) {
    sqlite3_bind_null(statement_, index);
    return *this;
  }
  // SQLITE_ROW or SQLITE_DONE; anything else is returned for the caller.
  int Step() { return sqlite3_step(statement_); }
  std::string Text(int column) const {
    const auto* text = sqlite3_column_text(statement_, column);
    return text ? reinterpret_cast<const char*>(text) : "";
  }
  std::int64_t Int(int column) const { return sqlite3_column_int64(statement_, column); }
  double Real(int column) const { return sqlite3_column_double(statement_, column); }
  bool IsNull(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace

std::filesystem::path DefaultDatabasePath() {
  if (const char* path = std::getenv("TEERSIM_DB"); path && *path) return path;
  if (const char* data = std::getenv("XDG_DATA_HOME"); data && *data) {
    return std::filesystem::path(data) / "teersim" / "teersim.db";
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home ? home : ".") / ".local/share/teersim/teersim.db";
}

TraineeDatabase::TraineeDatabase(const std::filesystem::path& path) : path_(path.string()) {
  std::error_code ignored;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ignored);
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw InputError(path_ + ": cannot open database: " + message);
  }
  sqlite3_busy_timeout(db_, kBusyTimeout_ms);
  try {
    // WAL: readers (GUI, reports) never block the writer (a running session).
    Exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;");
    Migrate();
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

TraineeDatabase::~TraineeDatabase() { sqlite3_close(db_); }

int TraineeDatabase::SchemaVersion() { return kSchemaVersion; }

void TraineeDatabase::Exec(const std::string& sql) const {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw InputError(path_ + ": database error: " + message);
  }
}

int TraineeDatabase::UserVersion() const {
  Statement statement(db_, "PRAGMA user_version", path_);
  return statement.Step() == SQLITE_ROW ? static_cast<int>(statement.Int(0)) : 0;
}

void TraineeDatabase::Migrate() {
  const int version = UserVersion();
  if (version > kSchemaVersion) {
    throw InputError(path_ + ": database schema version " + std::to_string(version) +
                     " is newer than this teersim understands (" + std::to_string(kSchemaVersion) + ")");
  }
  for (int next = version; next < kSchemaVersion; ++next) {
    // Each step is one transaction: a crash mid-migration leaves the old version.
    Exec("BEGIN IMMEDIATE;");
    try {
      Exec(kMigrations[next]);
      Exec("PRAGMA user_version = " + std::to_string(next + 1) + ";");
      Exec("COMMIT;");
    } catch (...) {
      sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
      throw;
    }
  }
}

TraineeRow TraineeDatabase::AddTrainee(const std::string& name) {
  if (name.empty()) throw InputError("trainee name must not be empty");
  if (FindTrainee(name)) throw InputError("trainee '" + name + "' already exists");
  Statement insert(db_, "INSERT INTO trainees(name, created_at) VALUES (?, ?)", path_);
  insert.Bind(1, name).Bind(2, NowUtc());
  if (insert.Step() != SQLITE_DONE) throw InputError(path_ + ": cannot add trainee: " + sqlite3_errmsg(db_));
  return *FindTrainee(name);
}

std::vector<TraineeRow> TraineeDatabase::ListTrainees() const {
  Statement query(db_,
                  "SELECT t.id, t.name, t.created_at, COUNT(r.id) FROM trainees t "
                  "LEFT JOIN runs r ON r.trainee_id = t.id GROUP BY t.id ORDER BY t.name",
                  path_);
  std::vector<TraineeRow> rows;
  while (query.Step() == SQLITE_ROW) rows.push_back({query.Int(0), query.Text(1), query.Text(2), query.Int(3)});
  return rows;
}

std::optional<TraineeRow> TraineeDatabase::FindTrainee(const std::string& name) const {
  Statement query(db_,
                  "SELECT t.id, t.name, t.created_at, COUNT(r.id) FROM trainees t "
                  "LEFT JOIN runs r ON r.trainee_id = t.id WHERE t.name = ? GROUP BY t.id",
                  path_);
  query.Bind(1, name);
  if (query.Step() != SQLITE_ROW) return std::nullopt;
  return TraineeRow{query.Int(0), query.Text(1), query.Text(2), query.Int(3)};
}

std::int64_t TraineeDatabase::StartRun(const std::string& trainee, const std::string& case_name,
                                       const std::string& case_title, const std::string& driver,
                                       const std::string& recording_path) {
  std::optional<TraineeRow> who;
  if (!trainee.empty()) {
    who = FindTrainee(trainee);
    if (!who) throw InputError("unknown trainee '" + trainee + "' (add with: teersim trainee add NAME)");
  }
  Exec("BEGIN IMMEDIATE;");
  try {
    Statement upsert(db_, "INSERT INTO cases(name, title) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET title = excluded.title", path_);
    upsert.Bind(1, case_name).Bind(2, case_title);
    if (upsert.Step() != SQLITE_DONE) throw InputError(path_ + ": " + sqlite3_errmsg(db_));
    Statement insert(db_,
                     "INSERT INTO runs(trainee_id, case_name, started_at, status, driver, recording_path, pid) "
                     "VALUES (?, ?, ?, 'running', ?, ?, ?)",
                     path_);
    if (who) {
      insert.Bind(1, who->id);
    } else {
      insert.BindNull(1);
    }
    insert.Bind(2, case_name).Bind(3, NowUtc()).Bind(4, driver).Bind(5, recording_path);
    insert.Bind(6, static_cast<std::int64_t>(getpid()));
    if (insert.Step() != SQLITE_DONE) throw InputError(path_ + ": " + sqlite3_errmsg(db_));
    Exec("COMMIT;");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, nullptr);
    throw;
  }
  return sqlite3_last_insert_rowid(db_);
}

void TraineeDatabase::FinishRun(std::int64_t run_id, const std::string& status, double duration_s,
                                bool completed, const std::string& summary_json) {
  Statement update(db_,
                   "UPDATE runs SET status = ?, finished_at = ?, duration_s = ?, completed = ?, "
                   "summary_json = ? WHERE id = ?",
                   path_);
  update.Bind(1, status).Bind(2, NowUtc()).Bind(3, duration_s);
  update.Bind(4, static_cast<std::int64_t>(completed ? 1 : 0)).Bind(5, summary_json).Bind(6, run_id);
  if (update.Step() != SQLITE_DONE) throw InputError(path_ + ": cannot finish run: " + sqlite3_errmsg(db_));
}

int TraineeDatabase::MarkInterruptedRuns() {
  // A run is interrupted when the process that started it no longer exists.
  std::vector<std::int64_t> dead;
  {
    Statement query(db_, "SELECT id, pid FROM runs WHERE status = 'running'", path_);
    while (query.Step() == SQLITE_ROW) {
      const auto pid = static_cast<pid_t>(query.Int(1));
      if (kill(pid, 0) != 0 && errno == ESRCH) dead.push_back(query.Int(0));
    }
  }
  for (const std::int64_t id : dead) {
    Statement update(db_, "UPDATE runs SET status = 'interrupted' WHERE id = ? AND status = 'running'", path_);
    update.Bind(1, id);
    update.Step();
  }
  return static_cast<int>(dead.size());
}

std::vector<RunRow> TraineeDatabase::History(const std::string& trainee) const {
  if (!FindTrainee(trainee)) throw InputError("unknown trainee '" + trainee + "'");
  Statement query(db_,
                  "SELECT r.id, t.name, r.case_name, r.started_at, r.status, r.duration_s, r.driver, "
                  "r.recording_path, (SELECT s.total FROM scores s WHERE s.run_id = r.id ORDER BY s.id DESC LIMIT 1), "
                  "r.completed, r.summary_json FROM runs r JOIN trainees t ON t.id = r.trainee_id WHERE t.name = ? "
                  "ORDER BY r.started_at, r.id",
                  path_);
  query.Bind(1, trainee);
  std::vector<RunRow> rows;
  while (query.Step() == SQLITE_ROW) {
    RunRow row{query.Int(0), query.Text(1), query.Text(2), query.Text(3), query.Text(4), query.Real(5),
               query.Text(6), query.Text(7), std::nullopt, query.Int(9) != 0, query.Text(10)};
    if (!query.IsNull(8)) row.score_total = query.Real(8);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace teersim::sim
