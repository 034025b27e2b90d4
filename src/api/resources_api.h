#pragma once
// GET /api/v1/{resource} for every list resource of store/resources.h. Blocking (store reads):
// registered to run off the I/O threads. Thread-safe.
#include "core/time.h"
#include "http/request.h"
#include "store/activity_reader.h"

namespace forgehook::api {

class ResourcesApi {
 public:
  ResourcesApi(store::ActivityReader& reader, const core::Clock& clock) : reader_(reader), clock_(clock) {}

  // {"<resource>": [...], "next_cursor": "..." | null}. The request's parameters must already be
  // checked against listParams(spec).
  [[nodiscard]] http::Response list(const http::Request& request, const store::ResourceSpec& spec) const;

 private:
  store::ActivityReader& reader_;
  const core::Clock& clock_;
};

}  // namespace forgehook::api
