#pragma once
// Reading the activity model's list resources (store/resources.h) back. Implementations are
// thread-safe.
#include <cstdint>
#include <vector>

#include "core/error.h"
#include "store/model_query.h"

namespace forgehook::store {

class ActivityReader {
 public:
  virtual ~ActivityReader() = default;

  // One page of `query.resource`, each row the API's JSON object with exactly the fields of its
  // ResourceSpec. Errors: InvalidArgument for a filter the resource does not accept or a cursor it
  // did not hand out; Unavailable.
  [[nodiscard]] virtual core::Result<ResourcePage> listResource(const ResourceQuery& query) = 0;

  // The first page of each query and the newest change-feed seq, read in one transaction: the pages
  // are the state after exactly the changes up to `seq`, so a client that follows the feed from
  // `seq` misses nothing and repeats nothing. Errors: as listResource, for the first failing query.
  struct Snapshot {
    std::int64_t seq = 0;
    std::vector<ResourcePage> pages;  // one per query, in order
  };
  [[nodiscard]] virtual core::Result<Snapshot> snapshot(const std::vector<ResourceQuery>& queries) = 0;
};

}  // namespace forgehook::store
