#include "model/mapped_events.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "model/normalize.h"
#include "support/examples.h"

namespace forgehook::model {
namespace {

// An event name no mapper knows: what any unmapped event normalizes to.
constexpr std::string_view kProbe = "forgehook_unmapped_probe";
using forgehook::testing::gitLabFixture;

store::QueuedDelivery delivery(core::Forge forge, std::string_view event, std::string body) {
  store::QueuedDelivery d;
  d.id = 1;
  d.forge = std::string(core::forgeName(forge));
  d.event = std::string(event);
  d.sender = "Codertocat";
  d.contentType = "application/json";
  d.receivedAt = 1'790'000'000'000'000;
  d.rawBody = std::move(body);
  return d;
}

std::string writesText(const store::ProcessedDelivery& p) {
  std::string out;
  for (const auto& w : p.writes) {
    out += w.table + " v" + std::to_string(w.version) + " m" + std::to_string(static_cast<int>(w.mode));
    for (const auto* part : {&w.key, &w.fields})
      for (const auto& f : *part) {
        out += " " + f.name + "=";
        if (const auto* n = std::get_if<std::int64_t>(&f.value)) out += std::to_string(*n);
        if (const auto* t = std::get_if<std::string>(&f.value)) out += *t;
      }
    out += "\n";
  }
  return out;
}

// Whether the event name changes what `body` normalizes to (its writes or its activity line),
// compared with the same body under an event name no mapper knows.
bool eventNameMatters(core::Forge forge, std::string_view event, const std::string& body) {
  auto named = normalize(delivery(forge, event, body));
  auto probe = normalize(delivery(forge, kProbe, body));
  EXPECT_TRUE(named && probe) << event;
  if (!named || !probe) return false;
  std::string probeSummary = probe->activity.summary;
  if (const auto at = probeSummary.find(kProbe); at != std::string::npos)
    probeSummary.replace(at, kProbe.size(), event);
  return writesText(*named) != writesText(*probe) || named->activity.summary != probeSummary;
}

bool listed(core::Forge forge, std::string_view event) {
  const auto events = mappedEvents(forge);
  return std::find(events.begin(), events.end(), event) != events.end();
}

TEST(MappedEvents, GitHubListNamesEveryExampleEventTheMapperHandles) {
  std::set<std::string> handled;
  for (const auto& e : testing::webhookExamples()) {
    const std::string name = e["name"];
    for (const auto& x : e["examples"]) {
      const std::string body = x.dump();
      if (eventNameMatters(core::Forge::GitHub, name, body)) {
        handled.insert(name);
      } else {
        // An unlisted event: at most the row of the repository it names, and the bare line.
        auto r = normalize(delivery(core::Forge::GitHub, name, body));
        ASSERT_TRUE(r);
        for (const auto& w : r->writes) EXPECT_EQ(w.table, "repositories") << name;
      }
    }
    EXPECT_EQ(handled.contains(name), listed(core::Forge::GitHub, name)) << name;
  }
  // Every listed event has an example it maps, so the list carries no dead names.
  for (const auto event : mappedEvents(core::Forge::GitHub))
    EXPECT_TRUE(handled.contains(std::string(event))) << event << " is listed but no example of it is mapped";
}

TEST(MappedEvents, ListsHaveNoDuplicates) {
  for (const auto forge : core::kForges) {
    const auto events = mappedEvents(forge);
    EXPECT_FALSE(events.empty()) << core::forgeName(forge);
    const std::set<std::string_view> unique(events.begin(), events.end());
    EXPECT_EQ(unique.size(), events.size()) << core::forgeName(forge);
  }
}

TEST(MappedEvents, GiteaListIsTheGitHubMapperEventsGiteaSends) {
  for (const auto event : mappedEvents(core::Forge::Gitea)) EXPECT_TRUE(listed(core::Forge::GitHub, event)) << event;
  // Gitea's review events (pull_request_approved, ...) have names the GitHub mapper does not know.
  EXPECT_TRUE(listed(core::Forge::Gitea, "pull_request"));
  EXPECT_FALSE(listed(core::Forge::Gitea, "pull_request_review"));
}

// GitLab dispatches on the payload's object_kind, not on the header.
TEST(MappedEvents, GitLabListNamesTheObjectKindsOfItsFixturesAndNoOthers) {
  for (const std::string file : {"merge_request.json", "pipeline.json"}) {
    const std::string body = gitLabFixture(file);
    const std::string kind = nlohmann::json::parse(body)["object_kind"];
    EXPECT_TRUE(listed(core::Forge::GitLab, kind)) << kind;
    auto mapped = normalize(delivery(core::Forge::GitLab, "Hook", body));
    ASSERT_TRUE(mapped);
    EXPECT_TRUE(std::any_of(mapped->writes.begin(), mapped->writes.end(), [](const auto& w) {
      return w.table != "repositories";
    })) << kind;

    auto other = nlohmann::json::parse(body);
    other["object_kind"] = "wiki_page";
    ASSERT_FALSE(listed(core::Forge::GitLab, "wiki_page"));
    auto unmapped = normalize(delivery(core::Forge::GitLab, "Hook", other.dump()));
    ASSERT_TRUE(unmapped);
    for (const auto& w : unmapped->writes) EXPECT_EQ(w.table, "repositories") << kind;
  }
}

}  // namespace
}  // namespace forgehook::model
