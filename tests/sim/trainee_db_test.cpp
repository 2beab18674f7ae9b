#include "sim/trainee_db.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "base/input_error.h"

namespace teersim::sim {
namespace {

using ::testing::HasSubstr;

std::filesystem::path FreshDatabase(const std::string& name) {
  const auto path = std::filesystem::path(TEERSIM_BINARY_DIR) / "test-out" / (name + ".db");
  std::filesystem::create_directories(path.parent_path());
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
  return path;
}

std::string QueryText(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* statement = nullptr;
  sqlite3_prepare_v2(db, sql, -1, &statement, nullptr);
  std::string text;
  if (sqlite3_step(statement) == SQLITE_ROW) text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return text;
}

TEST(TraineeDatabase, NewFileIsMigratedToTheCurrentSchemaInWalMode) {
  const auto path = FreshDatabase("db-new");
  { TraineeDatabase database(path); EXPECT_EQ(database.UserVersion(), TraineeDatabase::SchemaVersion()); }
  EXPECT_EQ(QueryText(path, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(QueryText(path, "PRAGMA user_version"), std::to_string(TraineeDatabase::SchemaVersion()));
  // Reopening does not migrate again (the tables would already exist).
  EXPECT_NO_THROW(TraineeDatabase{path});
}

TEST(TraineeDatabase, AddListAndHistory) {
  TraineeDatabase database(FreshDatabase("db-history"));
  database.AddTrainee("Dr Ada");
  database.AddTrainee("Dr Bob");
  const auto first = database.StartRun("Dr Ada", "p2_flail", "Standard P2 flail", "script a", "/r/1");
  database.FinishRun(first, "finished", 8.0, false, "{}");
  const auto second = database.StartRun("Dr Ada", "fmr_dilated", "FMR", "autopilot", "/r/2");
  database.FinishRun(second, "fault", 2.5, false, "{}");
  database.StartRun("", "p2_flail", "Standard P2 flail", "script b", "/r/3");  // unattributed

  const auto trainees = database.ListTrainees();
  ASSERT_EQ(trainees.size(), 2u);
  EXPECT_EQ(trainees[0].name, "Dr Ada");
  EXPECT_EQ(trainees[0].run_count, 2);
  EXPECT_EQ(trainees[1].run_count, 0);
  const auto history = database.History("Dr Ada");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].case_name, "p2_flail");
  EXPECT_EQ(history[0].status, "finished");
  EXPECT_DOUBLE_EQ(history[0].duration_s, 8.0);
  EXPECT_EQ(history[1].status, "fault");
  EXPECT_FALSE(history[1].score_total.has_value());
}

TEST(TraineeDatabase, BadInputIsAClearError) {
  TraineeDatabase database(FreshDatabase("db-errors"));
  database.AddTrainee("Dr Ada");
  EXPECT_THROW(database.AddTrainee("Dr Ada"), InputError);
  EXPECT_THROW(database.AddTrainee(""), InputError);
  EXPECT_THROW(database.History("Nobody"), InputError);
  EXPECT_THROW(database.StartRun("Nobody", "p2_flail", "t", "d", "/r"), InputError);
}

TEST(TraineeDatabase, RunOfADeadProcessIsMarkedInterrupted) {
  const auto path = FreshDatabase("db-interrupted");
  { TraineeDatabase(path).AddTrainee("Dr Ada"); }
  // A child starts a run and dies without finishing it.
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    TraineeDatabase database(path);
    database.StartRun("Dr Ada", "p2_flail", "Standard P2 flail", "script", "/r/killed");
    _exit(0);  // no FinishRun, no destructors: as if killed
  }
  int status = 0;
  waitpid(child, &status, 0);
  TraineeDatabase database(path);
  database.StartRun("Dr Ada", "p2_flail", "Standard P2 flail", "script", "/r/live");  // this process: alive
  EXPECT_EQ(database.MarkInterruptedRuns(), 1);
  const auto history = database.History("Dr Ada");
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].status, "interrupted");
  EXPECT_EQ(history[1].status, "running");
}

TEST(TraineeDatabase, NewerSchemaOrNonDatabaseFileIsRejected) {
  const auto newer = FreshDatabase("db-newer");
  { TraineeDatabase database(newer); }
  {
    sqlite3* db = nullptr;
    sqlite3_open(newer.c_str(), &db);
    sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr);
    sqlite3_close(db);
  }
  try {
    TraineeDatabase database(newer);
    FAIL();
  } catch (const InputError& error) {
    EXPECT_THAT(error.what(), HasSubstr("newer than this teersim understands"));
  }
  const auto text = FreshDatabase("db-text");
  std::ofstream(text) << "this is not a database, just some text that is long enough to matter\n";
  EXPECT_THROW(TraineeDatabase{text}, InputError);
}

}  // namespace
}  // namespace teersim::sim
