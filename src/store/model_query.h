#pragma once
// Reading the activity model back: the query API's filters, and planned items, the one part of the
// model people write by hand. Pages hold each resource as the API's JSON object, built by the
// database from its columns (see sqlite/resource_sql.cc for why), with the fields of its
// ResourceSpec (store/resources.h).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/resources.h"

namespace forgehook::store {

// Filters the resource does not accept (ResourceSpec::filters) must stay unset; the store refuses
// them with InvalidArgument.
struct ResourceQuery {
  Resource resource = Resource::Pulls;
  std::optional<std::string> forge;
  std::optional<std::string> repository;     // owner/name, case-insensitive
  std::optional<std::string> actor, state;   // actor: ResourceSpec::actorMeans; state: one of its states
  std::vector<std::string> kinds;            // activity kinds (event names), empty = all
  std::optional<std::int64_t> since, until;  // Unix seconds on the resource's own time
  std::optional<std::int64_t> number;        // one pull request, issue or milestone
  std::optional<std::string> cursor;         // next_cursor of a previous page
  int limit = 50;
};

struct ResourcePage {
  std::vector<std::string> items;  // JSON objects, newest first (activity: by event time)
  std::optional<std::string> nextCursor;
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
