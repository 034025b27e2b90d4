// forgehook items list|add|update|link|remove: planned items, by hand.
#include <CLI/CLI.hpp>
#include <charconv>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/admin_target.h"
#include "cli/commands.h"
#include "cli/forge_option.h"
#include "cli/resource_list.h"

namespace forgehook::cli {
namespace {

using nlohmann::json;

// "owner/name#42" → {"repository": "owner/name", "number": 42, "forge": forge}
json issueRef(const std::string& text, const std::string& forge) {
  const auto hash = text.rfind('#');
  if (hash == std::string::npos || hash == 0) throw CLI::ValidationError("issue", "expected owner/name#NUMBER");
  const std::string_view digits = std::string_view(text).substr(hash + 1);
  long long number = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || number < 1)
    throw CLI::ValidationError("issue", "expected owner/name#NUMBER, got " + text);
  return {{"repository", text.substr(0, hash)}, {"number", number}, {"forge", forge}};
}

struct ItemFlags {
  AdminTarget target;
  long long id = 0;
  std::string title, description, owner, status, dueOn, issue, forge{core::forgeName(core::Forge::GitHub)};
  std::vector<std::string> tags;
  bool json = false;
};

std::string statusHelp() {
  std::string out = "one of:";
  for (auto s : store::specOf(store::Resource::Items).states) out += " " + std::string(s);
  return out;
}

void printItem(const std::string& body, bool asJson) {
  if (asJson)
    std::cout << body << "\n";
  else
    printResourceRows(store::specOf(store::Resource::Items), json::array({json::parse(body)}));
}

// The fields add and update share.
void addFieldOptions(CLI::App& c, ItemFlags& f) {
  c.add_option("--description", f.description);
  c.add_option("--owner", f.owner, "login of who owns it");
  c.add_option("--status", f.status, statusHelp());
  c.add_option("--tag", f.tags, "a tag (repeatable; replaces the tags on update)");
  c.add_option("--due-on", f.dueOn, "due date: RFC 3339 or Unix seconds");
  c.add_flag("--json", f.json, "print the API's JSON");
}

json fieldsBody(const ItemFlags& f) {
  json body = json::object();
  for (auto [name, value] :
       {std::pair{"title", &f.title}, std::pair{"description", &f.description}, std::pair{"owner", &f.owner},
        std::pair{"status", &f.status}, std::pair{"due_on", &f.dueOn}})
    if (!value->empty()) body[name] = *value;
  if (!f.tags.empty()) body["tags"] = f.tags;
  return body;
}

std::string itemPath(long long id) { return "/api/v1/items/" + std::to_string(id); }

}  // namespace

void addItemsCommand(CLI::App& app, int& exitCode) {
  auto* items = app.add_subcommand("items", "Planned items: list, add, update, link to an issue, remove");
  items->require_subcommand(1);
  addResourceList(items->add_subcommand("list", "Planned items, newest first"), store::specOf(store::Resource::Items),
                  exitCode);

  auto add = std::make_shared<ItemFlags>();
  auto* addCommand = items->add_subcommand("add", "Create a planned item");
  add->target.addTo(*addCommand);
  addCommand->add_option("--title", add->title, "what is planned")->required();
  addFieldOptions(*addCommand, *add);
  addCommand->add_option("--issue", add->issue, "owner/name#NUMBER to follow");
  addForgeOption(*addCommand, add->forge, ForgeCheck::ByServer, "the forge of --issue")->capture_default_str();
  addCommand->callback([add, &exitCode] {
    json body = fieldsBody(*add);
    if (!add->issue.empty()) body["issue"] = issueRef(add->issue, add->forge);
    printItem(add->target.call("POST", "/api/v1/items", body.dump()), add->json);
    exitCode = 0;
  });

  auto update = std::make_shared<ItemFlags>();
  auto* updateCommand = items->add_subcommand("update", "Change fields of a planned item");
  update->target.addTo(*updateCommand);
  updateCommand->add_option("id", update->id)->required();
  updateCommand->add_option("--title", update->title);
  addFieldOptions(*updateCommand, *update);
  updateCommand->callback([update, &exitCode] {
    printItem(update->target.call("PATCH", itemPath(update->id), fieldsBody(*update).dump()), update->json);
    exitCode = 0;
  });

  auto link = std::make_shared<ItemFlags>();
  auto* linkCommand = items->add_subcommand("link", "Link a planned item to an issue (\"-\" unlinks)");
  link->target.addTo(*linkCommand);
  linkCommand->add_option("id", link->id)->required();
  linkCommand->add_option("issue", link->issue, "owner/name#NUMBER, or - to unlink")->required();
  addForgeOption(*linkCommand, link->forge, ForgeCheck::ByServer, "the forge of the issue")->capture_default_str();
  linkCommand->add_flag("--json", link->json, "print the API's JSON");
  linkCommand->callback([link, &exitCode] {
    json body{{"issue", link->issue == "-" ? json(nullptr) : issueRef(link->issue, link->forge)}};
    printItem(link->target.call("PATCH", itemPath(link->id), body.dump()), link->json);
    exitCode = 0;
  });

  auto remove = std::make_shared<ItemFlags>();
  auto* removeCommand = items->add_subcommand("remove", "Delete a planned item");
  remove->target.addTo(*removeCommand);
  removeCommand->add_option("id", remove->id)->required();
  removeCommand->add_flag("--json", remove->json, "print the API's JSON");
  removeCommand->callback([remove, &exitCode] {
    const auto answer = remove->target.call("DELETE", itemPath(remove->id), "");
    if (remove->json)
      std::cout << answer << "\n";
    else
      std::cout << "removed item " << remove->id << "\n";
    exitCode = 0;
  });
}

}  // namespace forgehook::cli
