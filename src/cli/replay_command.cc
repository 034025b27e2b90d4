// forgehook replay ID | replay FILTERS | replay --all, and forgehook rebuild: process stored
// deliveries again, optionally waiting (--wait) until the pipeline has worked through them.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cli/admin_target.h"
#include "cli/backlog_wait.h"
#include "cli/commands.h"
#include "cli/forge_option.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

constexpr const char* kFilterNames[] = {"forge", "event", "repository", "status", "since", "until"};

struct WaitFlags {
  bool wait = false, json = false;
  long long timeoutSeconds = 300;
  void addTo(CLI::App& c) {
    c.add_flag("--wait", wait, "wait until the pipeline has processed them, with progress on stderr");
    c.add_option("--timeout", timeoutSeconds, "with --wait: give up (exit 1) after this many seconds; 0 = never")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    c.add_flag("--json", json, "print the API's JSON");
  }
};

// Prints the API's {"requeued": n} and, with --wait, waits until the deliveries of `scope` are done.
int finish(const AdminTarget& target, const WaitFlags& w, const WaitScope& scope, const std::string& answer) {
  const long long requeued = json::parse(answer).value("requeued", 0LL);
  if (w.json)
    std::cout << answer << "\n";
  else
    std::cout << "requeued " << requeued << (requeued == 1 ? " delivery" : " deliveries") << "\n";
  // A rebuild over pruned bodies re-applies what is left instead of starting from empty projections.
  if (const long long pruned = json::parse(answer).value("pruned", 0LL); pruned > 0 && !w.json)
    std::cout << "kept the projections: " << pruned << (pruned == 1 ? " delivery's" : " deliveries'")
              << " body was pruned, so the others were re-applied over them\n";
  std::cout.flush();
  if (!w.wait) return 0;
  if (waitForBacklog(target, scope, requeued, std::chrono::seconds(w.timeoutSeconds), std::cerr)) return 0;
  std::cerr << "forgehook: timed out after " << w.timeoutSeconds
            << " s with deliveries still queued (see forgehook metrics status)\n";
  return 1;
}

// The server names JSON fields; people typed flags.
std::string inFlagTerms(std::string message) {
  for (const std::string from : {"\"all\": true", "\"all\":true"})
    if (auto at = message.find(from); at != std::string::npos) message.replace(at, from.size(), "--all");
  return message;
}

void addReplay(CLI::App& app, int& exitCode) {
  struct Flags {
    AdminTarget target;
    std::map<std::string, std::string> filters;
    long long id = 0;
    bool all = false;
    WaitFlags wait;
  };
  auto f = std::make_shared<Flags>();
  auto* replay = app.add_subcommand("replay", "Process stored deliveries again: one by id, a filtered set, or --all");
  f->target.addTo(*replay);
  replay->add_option("id", f->id, "one delivery id (the ID column of deliveries list)");
  addForgeOption(*replay, f->filters["forge"], ForgeCheck::ByServer);
  replay->add_option("--event", f->filters["event"], "event name");
  replay->add_option("--repository", f->filters["repository"], "owner/name");
  replay->add_option("--status", f->filters["status"], "queued, retrying, processed, duplicate or dead");
  replay->add_option("--since", f->filters["since"], "received at or after: RFC 3339 or Unix seconds");
  replay->add_option("--until", f->filters["until"], "received before: RFC 3339 or Unix seconds");
  replay->add_flag("--all", f->all, "every stored delivery");
  f->wait.addTo(*replay);
  replay->callback([f, &exitCode] {
    json body = json::object();
    for (const char* name : kFilterNames)
      if (!f->filters[name].empty()) body[name] = f->filters[name];
    if (f->all) body["all"] = true;
    std::string answer;
    WaitScope scope;
    if (f->wait.wait) {
      if (f->id > 0) scope.deliveryId = f->id;
      scope.filters = f->filters;
      scope.newestIdBefore = newestDeliveryId(f->target);
    }
    if (f->id > 0) {
      if (!body.empty()) throw std::runtime_error("give a delivery id or filters, not both");
      answer = f->target.call("POST", "/api/v1/deliveries/" + std::to_string(f->id) + "/replay", "");
    } else {
      // Replaying the whole log is asked for by name, here as on the server.
      if (body.empty())
        throw std::runtime_error(
            "give a delivery id, a filter (--forge, --event, --repository, --status, --since, "
            "--until) or --all");
      try {
        answer = f->target.call("POST", "/api/v1/replay", body.dump());
      } catch (const std::runtime_error& e) {
        throw std::runtime_error(inFlagTerms(e.what()));
      }
    }
    exitCode = finish(f->target, f->wait, scope, answer);
  });
}

void addRebuild(CLI::App& app, int& exitCode) {
  struct Flags {
    AdminTarget target;
    WaitFlags wait;
  };
  auto f = std::make_shared<Flags>();
  auto* rebuild =
      app.add_subcommand("rebuild", "Drop the projections and derive them again from every stored delivery");
  f->target.addTo(*rebuild);
  f->wait.addTo(*rebuild);
  rebuild->callback([f, &exitCode] {
    WaitScope scope;  // every delivery stored before the rebuild
    if (f->wait.wait) scope.newestIdBefore = newestDeliveryId(f->target);
    exitCode = finish(f->target, f->wait, scope, f->target.call("POST", "/api/v1/rebuild", ""));
  });
}

}  // namespace

void addReplayCommands(CLI::App& app, int& exitCode) {
  addReplay(app, exitCode);
  addRebuild(app, exitCode);
}

}  // namespace forgehook::cli
