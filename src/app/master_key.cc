#include "app/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace forgehook::app {
namespace {

std::string errnoText() { return std::strerror(errno); }

std::string directoryOf(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash == 0 ? 1 : slash);
}

bool syncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

core::Error unwritable(const std::string& what) {
  core::Error e = core::Error::internal(what);
  e.reason = "master_key_unwritable";
  return e;
}

core::SecretKey parseOrThrow(const std::string& text, const std::string& source) {
  auto key = core::parseSecretKey(text);
  if (!key) {
    std::string message(source);
    message.append(" is not a valid master key: ").append(key.error().message);
    throw std::runtime_error(message);
  }
  return *key;
}

// The key in `path`, or nullopt when the file does not exist. Refuses a file group or others may
// access: the key opens every stored secret.
std::optional<core::SecretKey> readKeyFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    throw std::runtime_error("cannot read " + path + ": " + errnoText());
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    std::string message("the master key file ");
    message.append(path)
        .append(" has mode ")
        .append(mode)
        .append(", which lets group or others read it; restrict it with: chmod 600 ")
        .append(path);
    throw std::runtime_error(message);
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read " + path);
  return parseOrThrow(text.str(), path);
}

}  // namespace

MasterKeyEnvironment MasterKeyEnvironment::fromProcess() {
  MasterKeyEnvironment env;
  if (const char* v = std::getenv(kMasterKeyEnv)) env.master = v;
  if (const char* v = std::getenv(kPreviousMasterKeyEnv)) env.previous = v;
  return env;
}

std::string keyFilePath(const std::string& dataDir) { return dataDir + "/master.key"; }
std::string newKeyFilePath(const std::string& dataDir) { return dataDir + "/master.key.new"; }

MasterKeys loadMasterKeys(const std::string& dataDir, const MasterKeyEnvironment& env) {
  MasterKeys keys;
  if (env.previous && !env.master)
    throw std::runtime_error(std::string(kPreviousMasterKeyEnv) + " is set without " + kMasterKeyEnv +
                             ": set the new key in " + kMasterKeyEnv + " and the old one in " + kPreviousMasterKeyEnv);
  const auto fromFile = readKeyFile(keyFilePath(dataDir));
  std::optional<core::SecretKey> fromNewFile;
  try {
    fromNewFile = readKeyFile(newKeyFilePath(dataDir));
  } catch (const std::runtime_error&) {
    // A master.key.new that does not parse was cut short before its fsync: no value was ever
    // sealed under it (the keyring adopts a key only once its file is durable).
    struct stat st {};
    if (::stat(newKeyFilePath(dataDir).c_str(), &st) == 0 && (st.st_mode & 077) != 0) throw;
    if (::unlink(newKeyFilePath(dataDir).c_str()) != 0)
      throw std::runtime_error("cannot remove the unfinished " + newKeyFilePath(dataDir) + ": " + errnoText());
    keys.notes.push_back("removed an unfinished master.key.new (a rotation interrupted before any value used it)");
  }

  if (env.master) {
    keys.fromEnvironment = true;
    keys.current = parseOrThrow(*env.master, kMasterKeyEnv);
    if (env.previous) keys.previous.push_back(parseOrThrow(*env.previous, kPreviousMasterKeyEnv));
    // Key files left from before the switch to the environment still open what they sealed.
    if (fromFile) keys.previous.push_back(*fromFile);
    if (fromNewFile) keys.previous.push_back(*fromNewFile);
    return keys;
  }
  if (fromNewFile) {
    keys.current = *fromNewFile;
    if (fromFile) keys.previous.push_back(*fromFile);
    keys.rotationPending = true;
    keys.notes.push_back("found master.key.new from an interrupted rotation: completing it");
    return keys;
  }
  if (fromFile) {
    keys.current = *fromFile;
    return keys;
  }
  keys.current = core::generateSecretKey();
  if (auto written = writeKeyFile(keyFilePath(dataDir), keys.current); !written)
    throw std::runtime_error(written.error().message);
  keys.generatedNow = true;
  keys.notes.push_back("generated a new master key in " + keyFilePath(dataDir));
  return keys;
}

core::Result<void> writeKeyFile(const std::string& path, const core::SecretKey& key) {
  // O_EXCL: never overwrite a key that may have sealed values.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(unwritable("cannot create " + path + ": " + errnoText()));
  std::string text = core::secretKeyHex(key);
  text.append("\n");
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  const std::string why = ok ? std::string() : errnoText();
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return std::unexpected(unwritable("cannot write " + path + ": " + why));
  }
  if (!syncDirectory(directoryOf(path)))
    return std::unexpected(unwritable("cannot sync the directory of " + path + ": " + errnoText()));
  return {};
}

core::Result<void> finishKeyFileRotation(const std::string& dataDir) {
  if (::rename(newKeyFilePath(dataDir).c_str(), keyFilePath(dataDir).c_str()) != 0)
    return std::unexpected(unwritable("cannot rename " + newKeyFilePath(dataDir) + " to master.key: " + errnoText()));
  if (!syncDirectory(dataDir))
    return std::unexpected(unwritable("cannot sync the directory " + dataDir + ": " + errnoText()));
  return {};
}

}  // namespace forgehook::app
