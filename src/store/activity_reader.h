#pragma once
// Reading the activity model's list resources (store/resources.h) back. Implementations are
// thread-safe.
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
};

}  // namespace forgehook::store
