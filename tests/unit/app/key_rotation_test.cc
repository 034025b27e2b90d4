// Key rotation on a real SQLite store: every value resealed under the new key, master.key replaced
// (0600, no master.key.new left), the store readable throughout; refused for an environment key
// and while an earlier rotation is unfinished. Start-up: an interrupted rotation is completed, and
// a wrong master key is a clear error naming the key id.
#include "app/key_rotation.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "store/sqlite/sqlite_backend.h"
#include "support/raw_sqlite.h"
#include "support/temp_dir.h"

namespace forgehook::app {
namespace {

class KeyRotationTest : public ::testing::Test {
 protected:
  KeyRotationTest()
      : keys_(loadMasterKeys(dir(), {})),
        keyring_(keys_.current),
        store_(store::sqlite::openSqliteBackend({dbPath(), false, 0, &keyring_})) {}

  std::string dir() const { return dir_.path().string(); }
  std::string dbPath() const { return dir() + "/forgehook.db"; }
  std::string rawSecrets() { return testing::rawTexts(dbPath(), "SELECT secrets FROM scoped_secrets")[0]; }
  std::string keyFileId() { return loadMasterKeys(dir(), {}).current.id; }

  testing::TempDir dir_;
  core::Logger logger_{core::LogLevel::Error};
  MasterKeys keys_;
  store::Keyring keyring_;
  std::unique_ptr<store::Backend> store_;
};

TEST_F(KeyRotationTest, RotationResealsEverythingAndReplacesTheKeyFile) {
  ASSERT_TRUE(store_->secretStore().putSecrets({"github", "hook", "1", {"hook-secret"}}).has_value());
  const std::string oldId = keyring_.currentKeyId();
  KeyRotation rotation(dir(), false, keyring_, store_->secretResealer(), logger_);
  const auto rotated = rotation.rotate();
  ASSERT_TRUE(rotated.has_value()) << rotated.error().message;
  EXPECT_NE(rotated->keyId, oldId);
  EXPECT_EQ(rotated->resealed, 1);
  EXPECT_EQ(keyring_.currentKeyId(), rotated->keyId);
  EXPECT_EQ(core::sealedKeyId(rawSecrets()), rotated->keyId);
  EXPECT_FALSE(std::filesystem::exists(newKeyFilePath(dir())));
  struct stat st {};
  ASSERT_EQ(::stat(keyFilePath(dir()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(keyFileId(), rotated->keyId);
  const auto loaded = store_->secretStore().loadSecrets();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ((*loaded)[0].secrets, std::vector<std::string>{"hook-secret"});
  // The new key file alone opens the store.
  store::Keyring fresh(loadMasterKeys(dir(), {}).current);
  EXPECT_EQ(*fresh.open(rawSecrets()), "[\"hook-secret\"]");
}

TEST_F(KeyRotationTest, AnEnvironmentKeyIsRotatedByRestartNotByTheApi) {
  KeyRotation rotation(dir(), true, keyring_, store_->secretResealer(), logger_);
  const auto rotated = rotation.rotate();
  ASSERT_FALSE(rotated.has_value());
  EXPECT_EQ(rotated.error().code, core::Code::Conflict);
  EXPECT_EQ(rotated.error().reason, "master_key_from_environment");
  EXPECT_NE(rotated.error().message.find("FORGEHOOK_PREVIOUS_MASTER_KEY"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(newKeyFilePath(dir())));
}

TEST_F(KeyRotationTest, AnUnfinishedRotationIsNotStartedOver) {
  ASSERT_TRUE(writeKeyFile(newKeyFilePath(dir()), core::generateSecretKey()).has_value());
  KeyRotation rotation(dir(), false, keyring_, store_->secretResealer(), logger_);
  const auto rotated = rotation.rotate();
  ASSERT_FALSE(rotated.has_value());
  EXPECT_EQ(rotated.error().reason, "key_rotation_pending");
}

TEST_F(KeyRotationTest, StartCompletesARotationACrashInterrupted) {
  ASSERT_TRUE(store_->secretStore().putSecrets({"github", "hook", "1", {"hook-secret"}}).has_value());
  // Crash after master.key.new was written, before anything was resealed.
  const auto next = core::generateSecretKey();
  ASSERT_TRUE(writeKeyFile(newKeyFilePath(dir()), next).has_value());
  store_.reset();

  const auto keys = loadMasterKeys(dir(), {});
  store::Keyring keyring(keys.current, keys.previous);
  auto store = store::sqlite::openSqliteBackend({dbPath(), false, 0, &keyring});
  resealAtStart(keys, dir(), store->secretResealer(), logger_);
  EXPECT_EQ(core::sealedKeyId(rawSecrets()), next.id);
  EXPECT_FALSE(std::filesystem::exists(newKeyFilePath(dir())));
  EXPECT_EQ(keyFileId(), next.id);
  EXPECT_EQ((*store->secretStore().loadSecrets())[0].secrets, std::vector<std::string>{"hook-secret"});
}

TEST_F(KeyRotationTest, StartCompletesARotationInterruptedAfterResealing) {
  ASSERT_TRUE(store_->secretStore().putSecrets({"github", "hook", "1", {"hook-secret"}}).has_value());
  // Crash after everything was resealed under the new key, before master.key.new was renamed.
  const auto next = core::generateSecretKey();
  ASSERT_TRUE(writeKeyFile(newKeyFilePath(dir()), next).has_value());
  keyring_.rotateTo(next);
  ASSERT_EQ(*store_->secretResealer().resealStale(), 1);
  store_.reset();

  const auto keys = loadMasterKeys(dir(), {});
  EXPECT_EQ(keys.current.id, next.id);
  store::Keyring keyring(keys.current, keys.previous);
  auto store = store::sqlite::openSqliteBackend({dbPath(), false, 0, &keyring});
  resealAtStart(keys, dir(), store->secretResealer(), logger_);
  EXPECT_FALSE(std::filesystem::exists(newKeyFilePath(dir())));
  EXPECT_EQ(keyFileId(), next.id);
  EXPECT_EQ((*store->secretStore().loadSecrets())[0].secrets, std::vector<std::string>{"hook-secret"});
}

TEST_F(KeyRotationTest, AWrongMasterKeyAtStartIsAnErrorNamingTheKeyId) {
  ASSERT_TRUE(store_->secretStore().putSecrets({"github", "hook", "1", {"hook-secret"}}).has_value());
  const std::string sealedUnder = keyring_.currentKeyId();
  MasterKeys wrong;
  wrong.current = core::generateSecretKey();
  store::Keyring keyring(wrong.current);
  auto store = store::sqlite::openSqliteBackend({dir() + "/forgehook.db", false, 0, &keyring});
  try {
    resealAtStart(wrong, dir(), store->secretResealer(), logger_);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(sealedUnder), std::string::npos) << message;
    EXPECT_NE(message.find(wrong.current.id), std::string::npos) << message;
    EXPECT_EQ(message.find("hook-secret"), std::string::npos);
  }
}

TEST_F(KeyRotationTest, ALostKeyFileIsNotReplacedByAFreshOne) {
  ASSERT_TRUE(store_->secretStore().putSecrets({"github", "hook", "1", {"hook-secret"}}).has_value());
  const std::string sealedUnder = keyring_.currentKeyId();
  std::filesystem::remove(keyFilePath(dir()));
  const auto keys = loadMasterKeys(dir(), {});  // generates a new master.key
  ASSERT_TRUE(keys.generatedNow);
  store::Keyring keyring(keys.current);
  auto store = store::sqlite::openSqliteBackend({dbPath(), false, 0, &keyring});
  try {
    resealAtStart(keys, dir(), store->secretResealer(), logger_);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(sealedUnder), std::string::npos) << message;
    EXPECT_NE(message.find("Restore " + keyFilePath(dir())), std::string::npos) << message;
  }
  EXPECT_FALSE(std::filesystem::exists(keyFilePath(dir())));
}

}  // namespace
}  // namespace forgehook::app
