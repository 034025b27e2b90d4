#include "app/data_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "core/random.h"

namespace forgehook::app {
namespace {

std::string errnoText() { return std::strerror(errno); }

void writeAll(int fd, const std::string& text, const std::string& path) {
  if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) || ::fsync(fd) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot write " + path + ": " + errnoText());
  }
  ::close(fd);
}

}  // namespace

void ensureDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create data directory " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
}

std::string ensureCommandPayloadDir(const std::string& dir) {
  const std::string path = dir + "/command-payloads";
  ensureDataDir(path);
  // Each file belonged to one attempt; an attempt a crash cut off writes its file anew when run again.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(path, ec)) std::filesystem::remove(entry.path(), ec);
  return path;
}

GeneratedSecret loadOrCreateSecret(const std::string& dir, const std::string& name) {
  GeneratedSecret out;
  out.path = dir + "/" + name;
  std::ifstream in(out.path);
  if (in) {
    std::getline(in, out.value);
    if (out.value.empty()) throw std::runtime_error(out.path + " is empty; delete it to generate a new secret");
    return out;
  }
  out.value = core::randomHex(32);
  // O_EXCL: two processes starting at once never overwrite each other's secret.
  const int fd = ::open(out.path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + out.path + ": " + errnoText());
  writeAll(fd, out.value + "\n", out.path);
  out.createdNow = true;
  return out;
}

void writeAddressFile(const std::string& dir, const std::string& address) {
  const std::string path = dir + "/forgehook.addr";
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + errnoText());
  writeAll(fd, address + "\n", tmp);
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot write " + path + ": " + errnoText());
}

void removeAddressFile(const std::string& dir) { std::remove((dir + "/forgehook.addr").c_str()); }

}  // namespace forgehook::app
