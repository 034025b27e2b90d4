#pragma once
// Reading the activity model back: the query API's filters, and planned items, the one part of the
// model people write by hand. Pages hold each resource as the API's JSON object, built by the
// database from its columns, so a new field is one line of SQL and never a struct in four layers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace forgehook::store {

struct ResourceQuery {
  std::string resource;  // pulls, reviews, issues, items, runs, incidents, releases, branches, milestones,
                         // deployments, repositories, activity
  std::optional<std::string> forge, repository, actor, state;
  std::vector<std::string> kinds;            // activity kinds (event names), empty = all
  std::optional<std::int64_t> since, until;  // Unix seconds on the resource's own time column
  std::optional<std::int64_t> number;        // pulls/issues/reviews: one pull request or issue
  std::optional<std::int64_t> beforeRow;     // cursor from a previous page
  int limit = 50;
};

struct ResourcePage {
  std::vector<std::string> items;  // JSON objects, newest first
  std::optional<std::int64_t> nextCursor;
};

// A planned item's fields as sent by a client; unset fields are left as they are on update.
struct ItemInput {
  std::optional<std::string> title, description, owner, status, tagsJson;
  std::optional<std::optional<std::int64_t>> dueOn;  // Unix seconds; inner nullopt clears
  // The linked issue; `unlink` clears it.
  std::optional<std::string> forge, repository;
  std::optional<std::int64_t> issueNumber;
  bool unlink = false;
};

}  // namespace forgehook::store
