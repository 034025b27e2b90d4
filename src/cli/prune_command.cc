// forgehook prune [--dry-run] [--older-than DAYS]: retention of delivery bodies on demand, or what
// it would free. The server prunes (POST /api/v1/deliveries/prune), in small transactions.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <sstream>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

std::string humanBytes(long long bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  std::ostringstream out;
  out.precision(unit == 0 ? 0 : 1);
  out << std::fixed << value << " " << units[unit];
  return out.str();
}

}  // namespace

void addPruneCommand(CLI::App& app, int& exitCode) {
  struct Flags {
    AdminTarget target;
    bool dryRun = false, json = false;
    long long olderThanDays = -1;
  };
  auto f = std::make_shared<Flags>();
  auto* prune = app.add_subcommand(
      "prune", "Drop the bodies of settled deliveries older than the retention (summaries and projections stay)");
  f->target.addTo(*prune);
  prune->add_flag("--dry-run", f->dryRun, "only count the bodies and bytes it would prune");
  prune->add_option("--older-than", f->olderThanDays, "age in days (default: the server's store.retention_days)")
      ->check(CLI::Range(0LL, 36500LL));
  prune->add_flag("--json", f->json, "print the API's JSON");
  prune->callback([f, &exitCode] {
    json body{{"dry_run", f->dryRun}};
    if (f->olderThanDays >= 0) body["older_than_days"] = f->olderThanDays;
    const std::string answer = f->target.call("POST", "/api/v1/deliveries/prune", body.dump());
    if (f->json) {
      std::cout << answer << "\n";
    } else {
      const auto out = json::parse(answer);
      const auto n = out.value("deliveries", 0LL);
      std::cout << (f->dryRun ? "would prune " : "pruned ") << n << (n == 1 ? " delivery body" : " delivery bodies")
                << " (" << humanBytes(out.value("bytes", 0LL)) << ") received before "
                << out.value("cutoff", std::string()) << "\n";
    }
    exitCode = 0;
  });
}

}  // namespace forgehook::cli
