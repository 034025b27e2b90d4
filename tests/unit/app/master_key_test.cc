// Where the master key comes from: generated once into master.key (0600), refused when group or
// others may read it, from the environment (hex or base64) with a previous key for rotation by
// restart, and both key files loaded after a rotation a crash interrupted.
#include "app/master_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "support/temp_dir.h"

namespace forgehook::app {
namespace {

constexpr const char* kHexA = "aa0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kHexB = "bb0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

std::string idOf(const char* hex) { return core::parseSecretKey(hex)->id; }

class MasterKeyTest : public ::testing::Test {
 protected:
  std::string dir() const { return dir_.path().string(); }
  void writeFile(const std::string& path, const std::string& text, mode_t mode = 0600) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
  }
  static std::string errorOf(const std::function<void()>& f) {
    try {
      f();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }
  testing::TempDir dir_;
};

TEST_F(MasterKeyTest, FirstStartGeneratesAKeyFileOnlyTheOwnerMayRead) {
  const auto first = loadMasterKeys(dir(), {});
  struct stat st {};
  ASSERT_EQ(::stat(keyFilePath(dir()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(first.fromEnvironment);
  EXPECT_FALSE(first.rotationPending);
  EXPECT_TRUE(first.previous.empty());
  const auto again = loadMasterKeys(dir(), {});
  EXPECT_EQ(again.current.id, first.current.id);
  EXPECT_EQ(again.current.bytes, first.current.bytes);
}

TEST_F(MasterKeyTest, AKeyFileGroupOrOthersMayReadIsRefusedWithTheChmodCommand) {
  writeFile(keyFilePath(dir()), kHexA, 0644);
  const auto error = errorOf([&] { (void)loadMasterKeys(dir(), {}); });
  EXPECT_NE(error.find("chmod 600 " + keyFilePath(dir())), std::string::npos) << error;
  EXPECT_NE(error.find("0644"), std::string::npos) << error;
  EXPECT_EQ(error.find(kHexA), std::string::npos);
}

TEST_F(MasterKeyTest, AMalformedKeyFileIsAClearError) {
  writeFile(keyFilePath(dir()), "not a key");
  const auto error = errorOf([&] { (void)loadMasterKeys(dir(), {}); });
  EXPECT_NE(error.find(keyFilePath(dir())), std::string::npos) << error;
  EXPECT_NE(error.find("64 hex characters"), std::string::npos) << error;
}

TEST_F(MasterKeyTest, TheEnvironmentKeyIsHexOrBase64) {
  auto keys = loadMasterKeys(dir(), {.master = kHexA});
  EXPECT_TRUE(keys.fromEnvironment);
  EXPECT_EQ(keys.current.id, idOf(kHexA));
  keys = loadMasterKeys(dir(), {.master = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="});
  EXPECT_EQ(keys.current.id, "630dcd29");
  // No key file is generated when the key comes from the environment.
  EXPECT_FALSE(std::filesystem::exists(keyFilePath(dir())));
}

TEST_F(MasterKeyTest, AMalformedEnvironmentKeyNamesTheVariableNotTheValue) {
  const auto error = errorOf([&] { (void)loadMasterKeys(dir(), {.master = "hunter2-hunter2"}); });
  EXPECT_NE(error.find("FORGEHOOK_MASTER_KEY"), std::string::npos) << error;
  EXPECT_EQ(error.find("hunter2"), std::string::npos) << error;
  const auto previous = errorOf([&] { (void)loadMasterKeys(dir(), {.master = kHexA, .previous = "bad"}); });
  EXPECT_NE(previous.find("FORGEHOOK_PREVIOUS_MASTER_KEY"), std::string::npos) << previous;
}

TEST_F(MasterKeyTest, APreviousEnvironmentKeyOpensOldValues) {
  const auto keys = loadMasterKeys(dir(), {.master = kHexB, .previous = kHexA});
  EXPECT_EQ(keys.current.id, idOf(kHexB));
  ASSERT_EQ(keys.previous.size(), 1u);
  EXPECT_EQ(keys.previous[0].id, idOf(kHexA));
  const auto error = errorOf([&] { (void)loadMasterKeys(dir(), {.previous = kHexA}); });
  EXPECT_NE(error.find("without FORGEHOOK_MASTER_KEY"), std::string::npos) << error;
}

TEST_F(MasterKeyTest, KeyFilesBecomePreviousKeysWhenTheEnvironmentTakesOver) {
  writeFile(keyFilePath(dir()), kHexA);
  const auto keys = loadMasterKeys(dir(), {.master = kHexB});
  EXPECT_EQ(keys.current.id, idOf(kHexB));
  ASSERT_EQ(keys.previous.size(), 1u);
  EXPECT_EQ(keys.previous[0].id, idOf(kHexA));
}

TEST_F(MasterKeyTest, AnInterruptedRotationLoadsBothFilesTheNewOneCurrent) {
  writeFile(keyFilePath(dir()), kHexA);
  writeFile(newKeyFilePath(dir()), std::string(kHexB) + "\n");
  const auto keys = loadMasterKeys(dir(), {});
  EXPECT_EQ(keys.current.id, idOf(kHexB));
  ASSERT_EQ(keys.previous.size(), 1u);
  EXPECT_EQ(keys.previous[0].id, idOf(kHexA));
  EXPECT_TRUE(keys.rotationPending);
  ASSERT_TRUE(finishKeyFileRotation(dir()).has_value());
  EXPECT_FALSE(std::filesystem::exists(newKeyFilePath(dir())));
  EXPECT_EQ(loadMasterKeys(dir(), {}).current.id, idOf(kHexB));
}

TEST_F(MasterKeyTest, AnUnfinishedNewKeyFileIsRemoved) {
  writeFile(keyFilePath(dir()), kHexA);
  writeFile(newKeyFilePath(dir()), "bb0102");  // cut short before its fsync: nothing used it
  const auto keys = loadMasterKeys(dir(), {});
  EXPECT_EQ(keys.current.id, idOf(kHexA));
  EXPECT_FALSE(keys.rotationPending);
  EXPECT_FALSE(std::filesystem::exists(newKeyFilePath(dir())));
}

TEST_F(MasterKeyTest, WriteKeyFileNeverOverwrites) {
  const auto key = core::generateSecretKey();
  ASSERT_TRUE(writeKeyFile(newKeyFilePath(dir()), key).has_value());
  const auto again = writeKeyFile(newKeyFilePath(dir()), core::generateSecretKey());
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().reason, "master_key_unwritable");
  writeFile(keyFilePath(dir()), kHexA);
  EXPECT_EQ(loadMasterKeys(dir(), {}).current.id, key.id);
}

}  // namespace
}  // namespace forgehook::app
