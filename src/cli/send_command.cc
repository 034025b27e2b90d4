// forgehook send: signs a payload exactly as the forge would and posts it — for local testing,
// demos (--example, GitHub's own payload examples), and replaying a stored delivery
// (--from-delivery) to another receiver.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/example_payloads.h"
#include "cli/forge_option.h"
#include "cli/http_client.h"
#include "cli/query_escape.h"
#include "core/random.h"
#include "verify/gitea.h"
#include "verify/github.h"
#include "verify/standard_webhooks.h"

namespace forgehook::cli {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct SendFlags {
  std::string url, forge{core::forgeName(core::Forge::GitHub)}, event, file, example, examplesDir, secret, signingKey,
      delivery, hookId;
  bool form = false, json = false;
  long long fromDelivery = 0;
  AdminTarget server;  // the forgehook posted to (unless --url) and read --from-delivery from
};

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The forge sent as: --forge (checked on parse), or the stored delivery's with --from-delivery.
core::Forge forgeOf(const SendFlags& f) {
  const auto forge = core::parseForge(f.forge);
  if (!forge) throw std::runtime_error("--forge must be " + std::string(core::knownForgesText()));
  return *forge;
}

// The current secret as serve would accept it: configured (TOML or secretEnvVar()), else the one
// serve generated into the data directory (GitHub only).
std::string defaultSecret(const SendFlags& f) {
  const core::Config& config = f.server.config();
  const core::Forge forge = forgeOf(f);
  const auto& configured = forge == core::Forge::GitLab  ? config.gitlab.secrets
                           : forge == core::Forge::Gitea ? config.gitea.secrets
                                                         : config.github.secrets;
  if (!configured.empty()) return configured.front();
  if (forge == core::Forge::GitHub) {
    std::ifstream in(config.dataDir + "/github_secret");
    std::string s;
    if (in && std::getline(in, s) && !s.empty()) return s;
  }
  return {};
}

// The receiver's answer for people: {"status": "accepted", "id": 12, "delivery": "..."} → one line.
void printAnswer(const HttpResult& result, bool asJson) {
  auto answer = nlohmann::json::parse(result.body, nullptr, false);
  if (asJson || !answer.is_object()) {
    (result.status / 100 == 2 ? std::cout : std::cerr) << result.body << "\n";
    return;
  }
  if (result.status / 100 != 2) {
    std::cerr << "forgehook: HTTP " << result.status << ": " << answer.value("message", result.body) << "\n";
    return;
  }
  std::cout << answer.value("status", std::string("sent"));
  if (answer.contains("id")) std::cout << ": stored as id " << answer["id"].dump();
  if (answer.contains("delivery") && answer["delivery"].is_string())
    std::cout << ", delivery " << answer["delivery"].get<std::string>();
  std::cout << "\n";
}

// Builds the body and headers the forge would send for `json`.
std::pair<std::string, Headers> signLikeForge(const SendFlags& f, const std::string& json, const std::string& secret) {
  const std::string body = f.form ? "payload=" + percentEncode(json) : json;
  Headers h{{"Content-Type", f.form ? "application/x-www-form-urlencoded" : "application/json"}};
  switch (forgeOf(f)) {
    case core::Forge::GitHub:
      h.insert(h.end(), {{"User-Agent", "GitHub-Hookshot/forgehook-send"},
                         {"X-GitHub-Event", f.event},
                         {"X-GitHub-Delivery", f.delivery}});
      if (!f.hookId.empty()) h.emplace_back("X-GitHub-Hook-ID", f.hookId);
      if (!secret.empty()) h.emplace_back("X-Hub-Signature-256", verify::signGithubSha256(secret, body));
      break;
    case core::Forge::GitLab:
      h.insert(h.end(),
               {{"X-Gitlab-Event", f.event}, {"X-Gitlab-Event-UUID", f.delivery}, {"Idempotency-Key", f.delivery}});
      if (!f.hookId.empty()) h.emplace_back("X-Gitlab-Webhook-UUID", f.hookId);
      if (!secret.empty()) h.emplace_back("X-Gitlab-Token", secret);
      if (!f.signingKey.empty()) {
        const std::string id = "msg_" + f.delivery, ts = std::to_string(std::time(nullptr));
        const std::string signature = verify::signStandardWebhook(f.signingKey, id, ts, body);
        if (signature.empty()) throw std::runtime_error("--signing-key must be whsec_<base64>");
        h.insert(h.end(), {{"webhook-id", id}, {"webhook-timestamp", ts}, {"webhook-signature", signature}});
      }
      break;
    case core::Forge::Gitea:
      h.insert(h.end(), {{"X-Gitea-Event", f.event}, {"X-Gitea-Delivery", f.delivery}});
      if (!f.hookId.empty()) h.emplace_back("X-Gitea-Hook-ID", f.hookId);
      // Gitea signs the JSON even when it sends a form.
      if (!secret.empty()) h.emplace_back("X-Gitea-Signature", verify::signGitea(secret, json));
      break;
  }
  return {body, h};
}

int run(SendFlags f) {
  std::string json;
  if (f.fromDelivery > 0) {
    const auto stored = nlohmann::json::parse(f.server.get("/api/v1/deliveries/" + std::to_string(f.fromDelivery)));
    if (stored.value("body_pruned", false))
      throw std::runtime_error("delivery " + std::to_string(f.fromDelivery) +
                               " cannot be sent: retention pruned its body (store.retention_days)");
    json = stored["payload"].dump();
    f.forge = stored["forge"].get<std::string>();
    if (f.event.empty()) f.event = stored["event"].get<std::string>();
    if (f.delivery.empty()) f.delivery = stored["delivery_id"].get<std::string>();
    if (f.hookId.empty() && stored["hook_id"].is_string()) f.hookId = stored["hook_id"].get<std::string>();
    if (!f.form) f.form = stored["content_type"] == "application/x-www-form-urlencoded";
  } else if (!f.example.empty()) {
    if (!f.file.empty()) throw std::runtime_error("give --example or --file, not both");
    // The examples are GitHub's payloads; Gitea sends the same shapes, GitLab does not.
    if (forgeOf(f) == core::Forge::GitLab)
      throw std::runtime_error("--example sends GitHub payloads; for --forge " + f.forge + " use --event and --file");
    auto example = findExamplePayload(f.example, f.examplesDir);
    if (f.event.empty()) f.event = example.event;
    json = std::move(example.json);
  } else {
    if (f.file.empty() || f.event.empty())
      throw std::runtime_error("--file and --event are required (or --example, or --from-delivery)");
    json = readFile(f.file);
  }
  if (f.delivery.empty()) {
    const std::string r = core::randomHex(16);
    f.delivery =
        r.substr(0, 8) + "-" + r.substr(8, 4) + "-" + r.substr(12, 4) + "-" + r.substr(16, 4) + "-" + r.substr(20);
  }
  if (f.url.empty()) f.url = f.server.baseUrl() + "/webhooks/" + f.forge;
  const std::string secret = f.secret.empty() ? defaultSecret(f) : f.secret;
  if (secret.empty())
    std::cerr << "forgehook send: no " << f.forge << " secret found (--secret, " << secretEnvVar(forgeOf(f))
              << ", the config file" << (forgeOf(f) == core::Forge::GitHub ? ", <data-dir>/github_secret" : "")
              << "); sending unsigned\n";
  auto [body, headers] = signLikeForge(f, json, secret);
  const auto result = httpRequest("POST", f.url, headers, body);
  printAnswer(result, f.json);
  return result.status / 100 == 2 ? 0 : 1;
}

}  // namespace

void addSendCommand(CLI::App& app, int& exitCode) {
  auto f = std::make_shared<SendFlags>();
  auto* command =
      app.add_subcommand("send", "Sign a payload as the forge would and POST it to <server>/webhooks/<forge>");
  f->server.addTo(*command);
  command->add_option("--url", f->url,
                      "post to this full URL instead of <server>/webhooks/<forge> (e.g. another receiver)");
  addForgeOption(*command, f->forge, ForgeCheck::OnParse)->capture_default_str();
  command->add_option("--event", f->event,
                      "event name, e.g. pull_request or \"Merge Request Hook\" (default with --example: its event)");
  command->add_option("--file", f->file, "JSON payload file");
  command->add_option("--example", f->example,
                      "one of GitHub's payload examples instead of --file: EVENT[.ACTION], e.g. pull_request.opened "
                      "(from examples/payloads/github, else node_modules/@octokit/webhooks-examples)");
  command->add_option("--examples-dir", f->examplesDir,
                      "directory of <event>.<action>.json files for --example (default: the repository's "
                      "examples/payloads/github, found from the binary)");
  command->add_option("--secret", f->secret,
                      "secret/token (default: the first configured one, else <data-dir>/github_secret)");
  command->add_option("--signing-key", f->signingKey, "GitLab Standard Webhooks key whsec_...");
  command->add_flag("--form", f->form, "send application/x-www-form-urlencoded (payload=...)");
  command->add_option("--delivery", f->delivery, "delivery id (default: a random UUID)");
  command->add_option("--hook-id", f->hookId, "hook id header");
  command->add_option("--from-delivery", f->fromDelivery, "send this delivery stored on --server again");
  command->add_flag("--json", f->json, "print the receiver's JSON answer");
  command->callback([f, &exitCode] { exitCode = run(*f); });
}

}  // namespace forgehook::cli
