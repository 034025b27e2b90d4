#pragma once
// A throwaway PostgreSQL cluster for one test binary: initdb into a temp dir on first use, the
// server listening on a Unix socket in that dir only (no TCP), stopped and removed when the binary
// exits. Each test takes a database of its own. PostgreSQL refuses to run as root: as root the
// cluster runs as the `postgres` user the Debian package creates. No PostgreSQL installed is a
// test failure with the reason, not a skip (scripts/install-deps.sh test installs postgresql-15).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "store/postgres/pg_connection.h"

namespace forgehook::testing {

class PostgresCluster {
 public:
  // Started on the first call. Throws std::runtime_error when it cannot start.
  static PostgresCluster& shared() {
    static PostgresCluster cluster;
    return cluster;
  }

  // A new, empty database; returns its connection string.
  std::string createDatabase() {
    static int count = 0;
    const std::string name = "fh_test_" + std::to_string(::getpid()) + "_" + std::to_string(++count);
    auto admin = store::postgres::PgConnection::open({connectionString("postgres"), ""});
    if (!admin) throw std::runtime_error("cannot reach the test cluster: " + admin.error().message);
    if (auto created = admin->exec("CREATE DATABASE " + name); !created)
      throw std::runtime_error("cannot create a test database: " + created.error().message);
    return connectionString(name);
  }

  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  ~PostgresCluster() {
    run(asOwner(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop") + " >/dev/null 2>&1");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  PostgresCluster() {
    bin_ = findBinDir();
    char pattern[] = "/tmp/forgehook-pg-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot make a temp dir for PostgreSQL");
    dir_ = pattern;
    try {
      if (::geteuid() == 0) must("chown postgres:postgres " + dir_);
      must(asOwner(bin_ + "/initdb -D " + dir_ + "/data -U forgehook_test --auth=trust --no-sync -E UTF8 --locale=C.UTF-8") +
           " >" + dir_ + "/initdb.log 2>&1");
      // fsync stays on: the durability the store promises rests on it.
      must(asOwner(bin_ + "/pg_ctl -D " + dir_ + "/data -l " + dir_ + "/log -w -t 60 -o \"-c listen_addresses='' -k " +
                   dir_ + " -p 5432\" start") +
           " >/dev/null 2>&1");
    } catch (...) {
      // A server that started too slowly is stopped; the directory stays for its logs.
      run(asOwner(bin_ + "/pg_ctl -D " + dir_ + "/data -m immediate -w stop") + " >/dev/null 2>&1");
      throw;
    }
  }

  std::string connectionString(const std::string& db) const {
    return "host=" + dir_ + " port=5432 user=forgehook_test dbname=" + db;
  }

  static std::string findBinDir() {
    const std::filesystem::path root = "/usr/lib/postgresql";
    std::string best;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(root, ec))
      if (std::filesystem::exists(entry.path() / "bin" / "initdb") && entry.path().string() > best)
        best = entry.path().string();
    if (best.empty())
      throw std::runtime_error("PostgreSQL server not installed (scripts/install-deps.sh test installs postgresql-15)");
    return best + "/bin";
  }

  static std::string asOwner(const std::string& command) {
    return ::geteuid() == 0 ? "runuser -u postgres -- " + command : command;
  }

  static int run(const std::string& command) { return std::system(command.c_str()); }

  void must(const std::string& command) const {
    if (run(command) != 0) throw std::runtime_error("test cluster: `" + command + "` failed (logs in " + dir_ + ")");
  }

  std::string bin_;
  std::string dir_;
};

}  // namespace forgehook::testing
