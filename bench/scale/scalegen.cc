// forgehook-scalegen: writes N deliveries straight into a fresh forgehook database through the
// store's own delivery log (the path intake commits through), far faster than signing and posting
// them: the scale benchmark's data set (bench/scale.mjs). Not a user-facing command.
//
// Payloads are GitHub's examples (@octokit/webhooks-examples, 329 bodies of 58 events, less the
// milestone's deletion, so each copy keeps a sprint), cycled.
// Copy k of the examples goes to repository k % R (R = --repositories) and is received over one
// stretch of time; every delivery i is received at start + i * span / N, so ids follow time across
// --days up to now. In copy k, the repository's full name and id are the repository's, the ids of
// the resources a delivery touches (pull request, review, comment, run, ...) are shifted by
// k * 1,000,000 and their numbers by k (so each copy has pull requests and issues of its own, each
// collecting the opened, reviewed, closed... events of the examples: about 100 deliveries per pull
// request), and every timestamp in the payload is moved so that its newest one is the delivery's
// receipt time. The milestone is titled "v<k>.0". Each delivery has its own GUID.
//
// Usage: forgehook-scalegen --data-dir DIR --deliveries N [--repositories 2000] [--days 365]
//                           [--examples node_modules/@octokit/webhooks-examples/api.github.com/index.json]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/body_codec.h"
#include "store/sqlite/change_recorder.h"
#include "store/sqlite/database.h"
#include "store/sqlite/delivery_log.h"

namespace {

using nlohmann::json;
using namespace forgehook;

constexpr std::int64_t kSentinelBase = 987'650'000'000;  // numbers no example holds
constexpr std::int64_t kIdShift = 1'000'000;
constexpr const char* kResourceKeys[] = {"pull_request", "issue",      "review",     "comment",    "workflow_run",
                                         "workflow_job", "check_suite", "check_run", "release",    "deployment",
                                         "deployment_status", "milestone", "discussion"};

// One piece of a rendered body: literal text, or a hole filled per delivery.
struct Piece {
  enum Kind { Text, FullName, RepoId, Id, Number, Time, Milestone } kind = Text;
  std::string text;        // Text
  std::int64_t value = 0;  // Id/Number: the example's own value; Time: its Unix seconds
};

struct Template {
  std::string event, action, sender;
  std::vector<Piece> pieces;
  std::int64_t newestSeconds = 0;  // the newest timestamp in the body
};

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// An RFC 3339 timestamp starting at s[p] (inside a JSON string): its length, 0 if none.
std::size_t timestampAt(const std::string& s, std::size_t p) {
  if (p + 20 > s.size() || p == 0 || s[p - 1] != '"') return 0;
  const char* f = "dddd-dd-ddTdd:dd:dd";
  for (std::size_t i = 0; f[i]; ++i)
    if (f[i] == 'd' ? !isDigit(s[p + i]) : s[p + i] != f[i]) return 0;
  const auto close = s.find('"', p);
  return close == std::string::npos || close - p > 32 ? 0 : close - p;
}

Template makeTemplate(const std::string& event, json payload) {
  Template t;
  t.event = event;
  t.action = payload.value("action", "");
  if (payload.contains("sender") && payload["sender"].is_object()) t.sender = payload["sender"].value("login", "");
  std::string fullName;
  std::vector<std::pair<Piece::Kind, std::int64_t>> sentinels;  // index n: kSentinelBase + n
  auto mark = [&](json& object, const char* field, Piece::Kind kind) {
    if (!object.is_object() || !object.contains(field) || !object[field].is_number_integer()) return;
    sentinels.push_back({kind, object[field].get<std::int64_t>()});
    object[field] = kSentinelBase + static_cast<std::int64_t>(sentinels.size() - 1);
  };
  if (payload.contains("repository") && payload["repository"].is_object()) {
    fullName = payload["repository"].value("full_name", "");
    mark(payload["repository"], "id", Piece::RepoId);
  }
  for (const char* key : kResourceKeys) {
    if (!payload.contains(key)) continue;
    mark(payload[key], "id", Piece::Id);
    mark(payload[key], "number", Piece::Number);
  }
  const std::string s = payload.dump();
  std::string text;
  auto flush = [&] {
    if (!text.empty()) t.pieces.push_back({Piece::Text, std::move(text), 0});
    text.clear();
  };
  for (std::size_t p = 0; p < s.size();) {
    if (s.compare(p, 7, "9876500") == 0 && p + 12 <= s.size()) {
      const auto n = std::stoll(s.substr(p, 12)) - kSentinelBase;
      if (n >= 0 && n < static_cast<std::int64_t>(sentinels.size())) {
        flush();
        t.pieces.push_back({sentinels[n].first, "", sentinels[n].second});
        p += 12;
        continue;
      }
    }
    // The examples' one milestone title: each copy's milestone gets its own, "v<copy>.0".
    if (s.compare(p, 6, "\"v1.0\"") == 0) {
      flush();
      t.pieces.push_back({Piece::Milestone, "", 0});
      p += 6;
      continue;
    }
    if (!fullName.empty() && s.compare(p, fullName.size(), fullName) == 0) {
      flush();
      t.pieces.push_back({Piece::FullName, "", 0});
      p += fullName.size();
      continue;
    }
    if (const auto n = timestampAt(s, p); n > 0) {
      if (const auto micros = core::parseTimestamp(s.substr(p, n))) {
        flush();
        t.pieces.push_back({Piece::Time, "", *micros / 1'000'000});
        t.newestSeconds = std::max(t.newestSeconds, *micros / 1'000'000);
        p += n;
        continue;
      }
    }
    text += s[p++];
  }
  flush();
  return t;
}

std::string repositoryName(std::int64_t r) { return "scale-org-" + std::to_string(r % 50) + "/repo-" + std::to_string(r); }

std::string render(const Template& t, std::int64_t copy, std::int64_t repo, std::int64_t receivedSeconds) {
  std::string out;
  out.reserve(8192);
  const auto shift = receivedSeconds - t.newestSeconds;
  for (const auto& p : t.pieces) {
    switch (p.kind) {
      case Piece::Text: out += p.text; break;
      case Piece::FullName: out += repositoryName(repo); break;
      case Piece::RepoId: out += std::to_string(700'000'000 + repo); break;
      case Piece::Id: out += std::to_string(p.value + copy * kIdShift); break;
      case Piece::Number: out += std::to_string(p.value + copy); break;
      case Piece::Time: out += core::formatRfc3339Seconds(p.value + shift); break;
      case Piece::Milestone: out += "\"v" + std::to_string(copy) + ".0\""; break;
    }
  }
  return out;
}

std::string guid(std::int64_t i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "5ca1e000-%04x-4000-8000-%012llx", static_cast<unsigned>((i >> 48) & 0xffff),
                static_cast<unsigned long long>(i & 0xffffffffffffULL));
  return buf;
}

struct Options {
  std::string dataDir, examples = "node_modules/@octokit/webhooks-examples/api.github.com/index.json";
  std::int64_t deliveries = 0, repositories = 2000, days = 365;
};

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--data-dir") o.dataDir = value;
    else if (flag == "--deliveries") o.deliveries = std::stoll(value);
    else if (flag == "--repositories") o.repositories = std::stoll(value);
    else if (flag == "--days") o.days = std::stoll(value);
    else if (flag == "--examples") o.examples = value;
    else return std::nullopt;
  }
  if (argc % 2 == 0 || o.dataDir.empty() || o.deliveries < 1 || o.repositories < 1 || o.days < 1) return std::nullopt;
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  if (!options) {
    std::cerr << "usage: forgehook-scalegen --data-dir DIR --deliveries N [--repositories 2000] [--days 365] "
                 "[--examples PATH/index.json]\n";
    return 2;
  }
  std::ifstream in(options->examples);
  if (!in) {
    std::cerr << "forgehook-scalegen: cannot read " << options->examples << " (npm ci installs it)\n";
    return 1;
  }
  std::vector<Template> templates;
  for (auto& event : json::parse(in))
    for (auto& example : event["examples"]) {
      // Deleting the milestone would leave every copy without a sprint to measure.
      if (event["name"] == "milestone" && example.value("action", "") == "deleted") continue;
      templates.push_back(makeTemplate(event["name"], example));
    }

  store::sqlite::Database db({options->dataDir + "/forgehook.db", true, 0, nullptr});
  store::sqlite::ChangeRecorder changes(db.writeConnection());
  store::sqlite::SqliteDeliveryLog log(db, changes);

  const std::int64_t n = options->deliveries, repos = options->repositories;
  const std::int64_t endSeconds = core::SystemClock().nowMicros() / 1'000'000;
  const std::int64_t spanSeconds = options->days * 86'400;
  const auto count = static_cast<std::int64_t>(templates.size());
  constexpr std::int64_t kBatch = 2000;
  const auto started = std::chrono::steady_clock::now();
  std::vector<store::NewDelivery> batch;
  std::int64_t bodyBytes = 0, storedBytes = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const auto& t = templates[i % count];
    const std::int64_t copy = i / count, repo = copy % repos;
    const std::int64_t received = endSeconds - spanSeconds + (i * spanSeconds) / n;
    const std::string raw = render(t, copy, repo, received);
    auto encoded = store::encodeBody(raw, 1);
    auto& d = batch.emplace_back();
    d.forge = "github";
    d.hookId = "424242";
    d.deliveryId = guid(i);
    d.event = t.event;
    d.action = t.action;
    d.repository = repositoryName(repo);
    d.sender = t.sender;
    d.contentType = "application/json";
    d.verification = "sha256";
    d.headersJson = json{{"Content-Type", "application/json"},
                         {"User-Agent", "GitHub-Hookshot/scalegen"},
                         {"X-GitHub-Delivery", d.deliveryId},
                         {"X-GitHub-Event", t.event},
                         {"X-GitHub-Hook-ID", "424242"},
                         {"X-GitHub-Hook-Installation-Target-ID", std::to_string(700'000'000 + repo)},
                         {"X-GitHub-Hook-Installation-Target-Type", "repository"}}
                        .dump();
    d.receivedAt = received * 1'000'000 + i % 1'000'000;
    d.bodySize = static_cast<std::int64_t>(raw.size());
    d.body = std::move(encoded.bytes);
    d.bodyEncoding = std::move(encoded.encoding);
    bodyBytes += d.bodySize;
    storedBytes += static_cast<std::int64_t>(d.body.size());
    if (static_cast<std::int64_t>(batch.size()) == kBatch || i + 1 == n) {
      if (auto done = log.appendDurable(batch); !done) {  // indexed 8,192 at a time, and below
        std::cerr << "forgehook-scalegen: " << done.error().message << "\n";
        return 1;
      }
      batch.clear();
      if ((i + 1) % 100'000 == 0) std::cerr << "scalegen: " << (i + 1) << " deliveries\n";
    }
  }
  // The rest: all indexed, or say so.
  if (auto indexed = log.indexPending(); !indexed) {
    std::cerr << "forgehook-scalegen: " << indexed.error().message << "\n";
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << json{{"deliveries", n},
                    {"repositories", std::min(repos, (n + count - 1) / count)},
                    {"templates", count},
                    {"seconds", seconds},
                    {"body_bytes", bodyBytes},
                    {"stored_body_bytes", storedBytes}}
                   .dump()
            << "\n";
  return 0;
}
