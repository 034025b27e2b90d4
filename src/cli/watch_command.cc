// forgehook watch: follows the live change feed (GET /api/v1/events) and prints each change as it
// commits, resuming across dropped connections and server restarts without a gap or a repeat.
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <expected>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <thread>

#include "cli/admin_target.h"
#include "cli/change_line.h"
#include "cli/commands.h"
#include "cli/forge_option.h"
#include "cli/http_stream.h"
#include "cli/list_query.h"
#include "cli/sse_parser.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kFirstBackoff = 500ms;
constexpr std::chrono::milliseconds kMaxBackoff = 5000ms;
// The server sends at least a heartbeat every server.stream_heartbeat_ms (15 s by default): a
// stream silent for this long is dead (a vanished peer), and is reconnected.
constexpr std::chrono::milliseconds kSilenceLimit = 90s;

struct WatchFlags {
  AdminTarget target;
  std::string resource, repository, forge, action, kind;
  std::optional<std::int64_t> after;
  bool json = false;
};

// SIGINT and SIGTERM, while it lives, request a stop instead of killing the process: they are
// blocked in every thread and a watcher thread waits for them. Construct before any other thread.
class StopOnSignals {
 public:
  StopOnSignals() {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
    watcher_ = std::jthread([this](std::stop_token done) {
      const timespec poll{0, 200'000'000};  // how soon the watcher notices it is no longer needed
      while (!done.stop_requested())
        if (sigtimedwait(&signals_, nullptr, &poll) > 0) {
          source_.request_stop();
          return;
        }
    });
  }
  ~StopOnSignals() {
    watcher_.request_stop();
    watcher_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  [[nodiscard]] std::stop_token token() const { return source_.get_token(); }

 private:
  sigset_t signals_{}, previous_{};
  std::stop_source source_;
  std::jthread watcher_;
};

// Waits `delay`, or less when a stop is requested. Returns false when it was.
bool pause(std::chrono::milliseconds delay, const std::stop_token& stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  return !wake.wait_for(lock, stop, delay, [] { return false; }) && !stop.stop_requested();
}

// What a reset means to the person watching: a rebuild's reset points say what it is doing.
std::string resetLine(const std::string& reason, std::int64_t last, std::int64_t newest) {
  const std::string refetch = "refetch what you follow (forgehook items, pulls, ...); watching on after seq " +
                              std::to_string(newest);
  if (reason == "rebuild_started" || reason == "rebuild_resumed")
    return std::string("a rebuild ") + (reason == "rebuild_started" ? "started" : "goes on after a restart") +
           ": the rows it re-creates have no change records until it has queued its last chunk; " + refetch;
  if (reason == "rebuild_finished")
    return "the rebuild has queued its last chunk: what it processes from here shows as changes; " + refetch;
  return "changes were missed: the feed no longer holds those after seq " + std::to_string(last) + "; " + refetch;
}

// Prints the changes of one stream and remembers the last seq printed, across connections.
class ChangePrinter {
 public:
  ChangePrinter(bool asJson, std::optional<std::int64_t> last) : json_(asJson), last_(last) {}

  [[nodiscard]] const std::optional<std::int64_t>& last() const { return last_; }
  void setLast(std::int64_t seq) { last_ = seq; }

  void print(const SseEvent& event) {
    auto data = json::parse(event.data, nullptr, false);
    if (!data.is_object()) return;  // not a record: nothing to show, nothing to resume from
    if (event.type == "change") {
      const auto seq = data.value("seq", std::int64_t{0});
      if (last_ && seq <= *last_) return;  // already printed before a reconnect
      std::cout << (json_ ? event.data : changeLine(data)) << '\n' << std::flush;
      last_ = seq;
    } else if (event.type == "reset") {
      const auto newest = data.value("newest_seq", std::int64_t{0});
      if (json_) {
        json line = {{"type", "reset"}};
        line.update(data);
        std::cout << line.dump() << '\n' << std::flush;
      } else {
        std::cout << resetLine(data.value("reason", std::string()), last_ ? *last_ : 0, newest) << '\n' << std::flush;
      }
      last_ = newest;
    }
  }

 private:
  bool json_;
  std::optional<std::int64_t> last_;
};

// Why a connection attempt ended, when the watch goes on: said once per outage on stderr.
void reportOutage(const std::string& problem, const AdminTarget& target, const std::optional<std::int64_t>& last) {
  std::cerr << "forgehook watch: " << problem;
  if (!target.serverOrigin().empty()) std::cerr << " (server address from " << target.serverOrigin() << ")";
  std::cerr << "; retrying" << (last ? ", resuming after seq " + std::to_string(*last) : std::string()) << "\n";
}

// The newest seq, where "from now" starts: a reconnect then resumes from it without a gap.
// Returns it, or the problem when the server could not answer (throws on a 4xx).
std::expected<std::int64_t, std::string> newestSeq(const std::string& base, const HttpHeaders& headers,
                                                   const std::stop_token& stop) {
  std::string body;
  auto end = httpGetStream(
      base + "/api/v1/changes?limit=1", headers, [&body](std::string_view piece) { body.append(piece); }, stop);
  if (end.stopped) return std::unexpected(std::string("stopped"));
  if (!end.error.empty()) return std::unexpected(end.error);
  if (end.status / 100 == 4) throw std::runtime_error(AdminTarget::errorMessage(end.status, end.body));
  if (end.status / 100 != 2) return std::unexpected(AdminTarget::errorMessage(end.status, end.body));
  const auto page = json::parse(body, nullptr, false);
  if (!page.is_object() || !page.contains("newest_seq") || !page["newest_seq"].is_number_integer())
    return std::unexpected(std::string("unexpected answer from GET /api/v1/changes"));
  return page["newest_seq"].get<std::int64_t>();
}

int watch(const WatchFlags& f, const std::stop_token& stop) {
  const std::string query = listQuery({{"resource", f.resource},
                                       {"action", f.action},
                                       {"repository", f.repository},
                                       {"forge", f.forge},
                                       {"kind", f.kind}});
  ChangePrinter printer(f.json, f.after);
  SseParser parser;
  auto backoff = kFirstBackoff;
  bool foundServer = false, outage = false;
  while (!stop.stop_requested()) {
    std::string problem;
    std::string base;
    HttpHeaders headers;
    f.target.forgetDiscoveredServer();  // a restarted server may listen on another port
    try {
      base = f.target.baseUrl();
      headers = f.target.authorization();
      foundServer = true;
    } catch (const std::runtime_error&) {
      if (!foundServer) throw;  // nothing to watch yet: say where we looked, as every command does
      problem = "no server address in the data directory (is `forgehook serve` running?)";
    }
    if (problem.empty() && !printer.last()) {
      auto newest = newestSeq(base, headers, stop);
      if (newest)
        printer.setLast(*newest);
      else
        problem = newest.error();
    }
    if (stop.stop_requested()) break;
    if (problem.empty()) {
      headers.emplace_back("Accept", "text/event-stream");
      headers.emplace_back("Last-Event-ID", std::to_string(*printer.last()));
      parser.reset();
      const auto end = httpGetStream(base + "/api/v1/events" + query, headers,
                                     [&](std::string_view piece) {
                                       if (outage) std::cerr << "forgehook watch: reconnected to " << base << "\n";
                                       outage = false;
                                       backoff = kFirstBackoff;
                                       parser.feed(piece, [&](const SseEvent& event) { printer.print(event); });
                                     },
                                     stop, {.readTimeout = kSilenceLimit});
      if (end.stopped) break;
      if (end.status / 100 == 4) throw std::runtime_error(AdminTarget::errorMessage(end.status, end.body));
      if (!end.error.empty())
        problem = end.error;
      else if (end.status / 100 == 2)
        problem = "the server ended the stream";
      else
        problem = AdminTarget::errorMessage(end.status, end.body);
    }
    if (!outage) reportOutage(problem, f.target, printer.last());
    outage = true;
    if (!pause(backoff, stop)) break;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  return 0;
}

}  // namespace

void addWatchCommand(CLI::App& app, int& exitCode) {
  auto f = std::make_shared<WatchFlags>();
  auto* c = app.add_subcommand(
      "watch", "Print each change as it commits (the live feed); resumes across restarts, until Ctrl-C");
  f->target.addTo(*c);
  c->add_option("--resource", f->resource, "resources, comma-separated: deliveries, pulls, issues, items, ...");
  c->add_option("--repository", f->repository, "owner/name");
  addForgeOption(*c, f->forge, ForgeCheck::ByServer);
  c->add_option("--action", f->action, "created, updated, deleted; comma-separated");
  c->add_option("--kind", f->kind, "activity lines of these event kinds, comma-separated (push,issues,...)");
  c->add_option("--after", f->after, "start after this seq (0: every change the feed keeps; default: from now)")
      ->check(CLI::NonNegativeNumber);
  c->add_flag("--json", f->json, "one JSON line per change: the record as the API gives it");
  c->callback([f, &exitCode] {
    StopOnSignals signals;
    exitCode = watch(*f, signals.token());
  });
}

}  // namespace forgehook::cli
