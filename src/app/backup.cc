#include "app/backup.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "app/data_dir.h"
#include "store/sqlite/backup.h"

namespace forgehook::app {
namespace {

std::string storePath(const core::Config& config) {
  // These copy the SQLite file and its journal; PostgreSQL has its own tools for this.
  if (config.store.backend != "sqlite")
    throw std::invalid_argument("backup and restore copy the SQLite store; for store.backend = \"" +
                                config.store.backend + "\" use the database's own tools (pg_dump, pg_restore)");
  return config.dataDir + "/forgehook.db";
}

// Whether something accepts connections at "host:port" (an address file's content).
bool answers(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), address.substr(colon + 1).c_str(), &hints, &found) != 0) return false;
  bool connected = false;
  for (addrinfo* a = found; a != nullptr && !connected; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    connected = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    ::close(fd);
  }
  freeaddrinfo(found);
  return connected;
}

void printSummary(std::ostream& out, const store::sqlite::CopySummary& s) {
  out << "  " << s.deliveries << " deliveries, schema version " << s.schemaVersion << ", " << s.bytes << " bytes\n";
}

constexpr const char* kMasterKeyNote =
    "  Stored secrets are sealed with the master key (FORGEHOOK_MASTER_KEY or <data_dir>/master.key): keep a copy "
    "of it apart from the backup; the restored store needs the same key.\n";

}  // namespace

void backupStore(const core::Config& config, const std::string& destination, std::ostream& out) {
  const auto began = std::chrono::steady_clock::now();
  const auto summary = store::sqlite::backupDatabase(storePath(config), destination);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began).count();
  out << "backed up " << storePath(config) << " to " << destination << " in " << ms << " ms (integrity_check ok)\n";
  printSummary(out, summary);
  out << kMasterKeyNote;
}

void restoreStore(const core::Config& config, const std::string& source, std::ostream& out) {
  std::ifstream addressFile(config.dataDir + "/forgehook.addr");
  std::string address;
  if (addressFile && std::getline(addressFile, address) && answers(address))
    throw std::runtime_error("cannot restore while forgehook serves from " + config.dataDir + " (at " + address +
                             "): stop it first");
  ensureDataDir(config.dataDir);
  const auto summary = store::sqlite::restoreDatabase(source, storePath(config));
  out << "restored " << source << " to " << storePath(config) << " (integrity_check ok)\n";
  printSummary(out, summary);
  if (!summary.previousKeptAs.empty()) out << "  the database it replaced is kept as " << summary.previousKeptAs << "\n";
  out << kMasterKeyNote;
}

}  // namespace forgehook::app
