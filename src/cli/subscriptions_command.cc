// forgehook subscriptions create|list|show|update|pause|resume|delete|messages|attempts|retry|
// rotate-secret: outbound subscriptions (/api/v1/subscriptions). The signing secret is printed once,
// by create (and by rotate-secret for the new one).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/human_output.h"
#include "cli/query_escape.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

const std::vector<std::string> kColumns = {
    "id", "status", "url", "pending", "failed", "consecutive_failures", "last_success_at"};

struct SubscriptionFlags {
  AdminTarget target;
  long long id = 0, messageId = 0;
  std::string url, description, repository, forge, secret, status;
  std::vector<std::string> resources, actions;
  int limit = 50;
  bool json = false;
};

// The body of create/update from the flags given (an update sends only those).
json bodyFrom(const CLI::App& command, const SubscriptionFlags& f) {
  json body = json::object();
  auto given = [&](const char* flag) {
    const auto* option = command.get_option_no_throw(flag);
    return option && option->count() > 0;
  };
  if (given("--url")) body["url"] = f.url;
  if (given("--description")) body["description"] = f.description;
  if (given("--resource")) body["resources"] = f.resources;
  if (given("--action")) body["actions"] = f.actions;
  if (given("--repository")) body["repository"] = f.repository.empty() ? json() : json(f.repository);
  if (given("--forge")) body["forge"] = f.forge.empty() ? json() : json(f.forge);
  if (given("--secret")) body["secret"] = f.secret;
  return body;
}

void addFilterOptions(CLI::App& command, SubscriptionFlags& f) {
  command.add_option("--description", f.description, "what it is for");
  command
      .add_option("--resource", f.resources,
                  "change-feed resources to send (pulls, issues, deliveries...; repeat or comma-separate; default all)")
      ->delimiter(',');
  command.add_option("--action", f.actions, "created, updated or deleted (repeat or comma-separate; default all)")
      ->delimiter(',');
  command.add_option("--repository", f.repository, "only changes of this repository (owner/name; empty: any)");
  command.add_option("--forge", f.forge, "only changes from github, gitlab or gitea (empty: any)");
}

void printSubscription(const std::string& body) {
  printObject(std::cout, json::parse(body), {"id", "url", "status", "resources", "actions"});
}

}  // namespace

void addSubscriptionsCommand(CLI::App& app, int& exitCode) {
  auto* subs = app.add_subcommand(
      "subscriptions", "Outbound subscriptions: signed callbacks of the change feed (changes need the admin token)");
  subs->require_subcommand(1);

  auto create = std::make_shared<SubscriptionFlags>();
  auto* createCommand = subs->add_subcommand("create", "Create a subscription; its signing secret is shown only now");
  create->target.addTo(*createCommand);
  createCommand->add_option("--url", create->url, "the http(s) URL to POST each change to")->required();
  addFilterOptions(*createCommand, *create);
  createCommand->add_option("--secret", create->secret,
                            "signing secret, whsec_ + base64 of 24 to 64 bytes (default: generated)");
  createCommand->add_flag("--json", create->json, "print the API's JSON");
  createCommand->callback([create, createCommand, &exitCode] {
    const auto body = create->target.call("POST", "/api/v1/subscriptions", bodyFrom(*createCommand, *create).dump());
    if (create->json) {
      std::cout << body << "\n";
    } else {
      printObject(std::cout, json::parse(body), {"id", "url", "status", "secret"});
      std::cerr << "Store the secret now: it is not shown again. Receivers verify each request with it "
                   "(Standard Webhooks).\n";
    }
    exitCode = 0;
  });

  auto list = std::make_shared<SubscriptionFlags>();
  auto* listCommand = subs->add_subcommand("list", "Every subscription (never its secret)");
  list->target.addTo(*listCommand);
  listCommand->add_flag("--json", list->json, "print the API's JSON");
  listCommand->callback([list, &exitCode] {
    const auto body = list->target.get("/api/v1/subscriptions");
    if (list->json)
      std::cout << body << "\n";
    else
      printRows(std::cout, json::parse(body)["subscriptions"], kColumns);
    exitCode = 0;
  });

  auto show = std::make_shared<SubscriptionFlags>();
  auto* showCommand = subs->add_subcommand("show", "One subscription");
  show->target.addTo(*showCommand);
  showCommand->add_option("id", show->id, "the subscription's id")->required();
  showCommand->add_flag("--json", show->json, "print the API's JSON");
  showCommand->callback([show, &exitCode] {
    const auto body = show->target.get("/api/v1/subscriptions/" + std::to_string(show->id));
    if (show->json)
      std::cout << body << "\n";
    else
      printSubscription(body);
    exitCode = 0;
  });

  auto update = std::make_shared<SubscriptionFlags>();
  auto* updateCommand = subs->add_subcommand("update", "Change a subscription's URL, filters or description");
  update->target.addTo(*updateCommand);
  updateCommand->add_option("id", update->id, "the subscription's id")->required();
  updateCommand->add_option("--url", update->url, "the http(s) URL to POST each change to");
  addFilterOptions(*updateCommand, *update);
  updateCommand->add_flag("--json", update->json, "print the API's JSON");
  updateCommand->callback([update, updateCommand, &exitCode] {
    const auto body = update->target.call("PATCH", "/api/v1/subscriptions/" + std::to_string(update->id),
                                          bodyFrom(*updateCommand, *update).dump());
    if (update->json)
      std::cout << body << "\n";
    else
      printSubscription(body);
    exitCode = 0;
  });

  for (const auto& [name, help] :
       {std::pair<const char*, const char*>{"pause", "Stop sending (changes keep being queued)"},
        {"resume", "Send again; also re-enables an auto-disabled subscription and resets its failure count"}}) {
    auto flags = std::make_shared<SubscriptionFlags>();
    auto* command = subs->add_subcommand(name, help);
    flags->target.addTo(*command);
    command->add_option("id", flags->id, "the subscription's id")->required();
    command->add_flag("--json", flags->json, "print the API's JSON");
    command->callback([flags, action = std::string(name), &exitCode] {
      const auto body =
          flags->target.call("POST", "/api/v1/subscriptions/" + std::to_string(flags->id) + "/" + action, "");
      if (flags->json)
        std::cout << body << "\n";
      else
        std::cout << "subscription " << flags->id << " is " << json::parse(body)["status"].get<std::string>() << "\n";
      exitCode = 0;
    });
  }

  auto remove = std::make_shared<SubscriptionFlags>();
  auto* deleteCommand = subs->add_subcommand("delete", "Delete a subscription, its queued messages and attempts");
  remove->target.addTo(*deleteCommand);
  deleteCommand->add_option("id", remove->id, "the subscription's id")->required();
  deleteCommand->add_flag("--json", remove->json, "print the API's JSON");
  deleteCommand->callback([remove, &exitCode] {
    const auto body = remove->target.call("DELETE", "/api/v1/subscriptions/" + std::to_string(remove->id), "");
    if (remove->json)
      std::cout << body << "\n";
    else
      std::cout << "deleted subscription " << remove->id << "\n";
    exitCode = 0;
  });

  auto messages = std::make_shared<SubscriptionFlags>();
  auto* messagesCommand = subs->add_subcommand("messages", "A subscription's queued messages, newest first");
  messages->target.addTo(*messagesCommand);
  messagesCommand->add_option("id", messages->id, "the subscription's id")->required();
  messagesCommand->add_option("--status", messages->status, "pending, delivered or failed");
  messagesCommand->add_option("--limit", messages->limit, "at most this many (1-500)")->capture_default_str();
  messagesCommand->add_flag("--json", messages->json, "print the API's JSON");
  messagesCommand->callback([messages, &exitCode] {
    std::string path =
        "/api/v1/subscriptions/" + std::to_string(messages->id) + "/messages?limit=" + std::to_string(messages->limit);
    if (!messages->status.empty()) path += "&status=" + percentEncode(messages->status);
    const auto body = messages->target.get(path);
    if (messages->json)
      std::cout << body << "\n";
    else
      printRows(std::cout, json::parse(body)["messages"],
                {"id", "seq", "status", "attempts", "next_attempt_at", "delivered_at", "last_error"});
    exitCode = 0;
  });

  auto attempts = std::make_shared<SubscriptionFlags>();
  auto* attemptsCommand = subs->add_subcommand("attempts", "A subscription's delivery attempts, newest first");
  attempts->target.addTo(*attemptsCommand);
  attemptsCommand->add_option("id", attempts->id, "the subscription's id")->required();
  attemptsCommand->add_option("--limit", attempts->limit, "at most this many (1-500)")->capture_default_str();
  attemptsCommand->add_flag("--json", attempts->json, "print the API's JSON");
  attemptsCommand->callback([attempts, &exitCode] {
    const auto body = attempts->target.get("/api/v1/subscriptions/" + std::to_string(attempts->id) +
                                           "/attempts?limit=" + std::to_string(attempts->limit));
    if (attempts->json)
      std::cout << body << "\n";
    else
      printRows(std::cout, json::parse(body)["attempts"],
                {"at", "message_id", "seq", "attempt", "status_code", "duration_ms", "error"});
    exitCode = 0;
  });

  auto retry = std::make_shared<SubscriptionFlags>();
  auto* retryCommand = subs->add_subcommand("retry", "Send a failed message again (it goes back to pending)");
  retry->target.addTo(*retryCommand);
  retryCommand->add_option("id", retry->id, "the subscription's id")->required();
  retryCommand->add_option("message_id", retry->messageId, "the failed message's id (subscriptions messages)")
      ->required();
  retryCommand->add_flag("--json", retry->json, "print the API's JSON");
  retryCommand->callback([retry, &exitCode] {
    const auto body = retry->target.call("POST",
                                         "/api/v1/subscriptions/" + std::to_string(retry->id) + "/messages/" +
                                             std::to_string(retry->messageId) + "/retry",
                                         "");
    if (retry->json)
      std::cout << body << "\n";
    else
      std::cout << "message " << retry->messageId << " is " << json::parse(body)["status"].get<std::string>() << "\n";
    exitCode = 0;
  });

  auto rotate = std::make_shared<SubscriptionFlags>();
  auto* rotateCommand =
      subs->add_subcommand("rotate-secret", "Replace the signing secret; the new one is shown only now");
  rotate->target.addTo(*rotateCommand);
  rotateCommand->add_option("id", rotate->id, "the subscription's id")->required();
  rotateCommand->add_option("--secret", rotate->secret,
                            "the new secret, whsec_ + base64 of 24 to 64 bytes (default: generated)");
  rotateCommand->add_flag("--json", rotate->json, "print the API's JSON");
  rotateCommand->callback([rotate, rotateCommand, &exitCode] {
    const auto body =
        rotate->target.call("POST", "/api/v1/subscriptions/" + std::to_string(rotate->id) + "/rotate-secret",
                            bodyFrom(*rotateCommand, *rotate).dump());
    if (rotate->json) {
      std::cout << body << "\n";
    } else {
      printObject(std::cout, json::parse(body), {"id", "url", "status", "secret"});
      std::cerr << "Store the secret now: it is not shown again. Attempts from now on are signed with it only.\n";
    }
    exitCode = 0;
  });
}

}  // namespace forgehook::cli
