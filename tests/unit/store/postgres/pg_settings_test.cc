// Where the PostgreSQL store's password comes from (store.postgres.password, else the first line of
// store.postgres.password_file), and URLs refused before libpq could quote their password. Connecting
// and migrating are tested against a real server in tests/integration/migrate.test.mjs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "store/postgres/pg_connection.h"
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

TEST(PgConnection, AUrlWhosePasswordLibpqWouldMisreadIsRefusedWithoutShowingIt) {
  for (const std::string url : {"postgresql://fh:pa@ss@db.internal/forgehook", "postgresql://fh:pa/ss@db.internal/forgehook",
                                "postgresql://fh:50%off@db.internal/forgehook"}) {
    auto conn = PgConnection::open({url, ""});
    ASSERT_FALSE(conn) << url;
    EXPECT_EQ(conn.error().reason, "invalid_setting") << url;
    EXPECT_THAT(conn.error().message, HasSubstr("percent-encoded"));
    for (const std::string piece : {"pa@ss", "ss@db", "pa/ss", "50%off", "off@"})
      EXPECT_THAT(conn.error().message, ::testing::Not(HasSubstr(piece))) << url;
  }
  auto garbled = PgConnection::open({"host=db password='unterminated", ""});
  ASSERT_FALSE(garbled);
  EXPECT_EQ(garbled.error().reason, "invalid_setting");
  EXPECT_THAT(garbled.error().message, ::testing::Not(HasSubstr("unterminated")));
}

}  // namespace
}  // namespace forgehook::store::postgres
