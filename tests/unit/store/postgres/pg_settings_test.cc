// Where the PostgreSQL store's password comes from (store.postgres.password, else the first line of
// store.postgres.password_file), and the migrations' numbering. Connecting and migrating are tested
// against a real server in tests/integration/migrate.test.mjs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_schema.h"
#include "support/temp_dir.h"

namespace forgehook::store::postgres {
namespace {

using ::testing::HasSubstr;

core::Config::Store::Postgres withFile(const std::string& path) {
  core::Config::Store::Postgres config;
  config.url = "postgresql://fh@db/forgehook";
  config.passwordFile = path;
  return config;
}

TEST(PgSettings, ThePasswordSettingWinsOverTheFile) {
  auto config = withFile("/nonexistent/never-read");
  config.password = "from-setting";
  const auto settings = pgSettingsFrom(config);
  EXPECT_EQ(settings.url, "postgresql://fh@db/forgehook");
  EXPECT_EQ(settings.password, "from-setting");
}

TEST(PgSettings, TheFileGivesItsFirstLineWithoutTheLineEnd) {
  forgehook::testing::TempDir dir;
  const auto path = dir.path() / "pw";
  std::ofstream(path) << "from-file\r\nsecond line\n";
  EXPECT_EQ(pgSettingsFrom(withFile(path.string())).password, "from-file");
}

TEST(PgSettings, AMissingOrEmptyFileIsAnErrorNamingTheSetting) {
  forgehook::testing::TempDir dir;
  try {
    (void)pgSettingsFrom(withFile((dir.path() / "absent").string()));
    FAIL() << "a missing password file was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("cannot read store.postgres.password_file"));
  }
  const auto empty = dir.path() / "empty";
  std::ofstream(empty) << "\n";
  try {
    (void)pgSettingsFrom(withFile(empty.string()));
    FAIL() << "an empty password file was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_THAT(e.what(), HasSubstr("is empty"));
  }
}

TEST(PgSettings, NoPasswordAnywhereLeavesItToLibpq) {
  core::Config::Store::Postgres config;
  config.url = "host=/run/postgresql dbname=forgehook";
  EXPECT_EQ(pgSettingsFrom(config).password, "");
}

TEST(PgMigrations, AreNumberedFromOneWithoutGapsAndNamed) {
  const auto all = pgMigrations();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].version, static_cast<std::int64_t>(i + 1));
    EXPECT_FALSE(all[i].name.empty());
  }
}

}  // namespace
}  // namespace forgehook::store::postgres
