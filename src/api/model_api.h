#pragma once
// The activity model over HTTP: list endpoints for every projection, planned items (CRUD),
// incident acknowledgement, and the pipeline's replay and rebuild. Blocking (store access):
// registered to run off the I/O threads. Thread-safe.
#include <functional>

#include "core/time.h"
#include "http/request.h"
#include "store/store.h"

namespace forgehook::api {

class ModelApi {
 public:
  // `wakePipeline` is called after replay and rebuild queue deliveries again.
  ModelApi(store::Store& store, const core::Clock& clock, std::function<void()> wakePipeline)
      : store_(store), clock_(clock), wakePipeline_(std::move(wakePipeline)) {}

  // GET /api/v1/{resource}: {"<resource>": [...], "next_cursor": "..." | null}
  [[nodiscard]] http::Response list(const http::Request& request, const std::string& resource) const;

  [[nodiscard]] http::Response getItem(const http::Request& request) const;
  [[nodiscard]] http::Response createItem(const http::Request& request) const;
  [[nodiscard]] http::Response updateItem(const http::Request& request) const;
  [[nodiscard]] http::Response deleteItem(const http::Request& request) const;

  // POST /api/v1/incidents/{id}/ack {"by": "...", "note": "..."}
  [[nodiscard]] http::Response acknowledgeIncident(const http::Request& request) const;

  // POST /api/v1/deliveries/{id}/replay
  [[nodiscard]] http::Response replayOne(const http::Request& request) const;
  // POST /api/v1/replay {"forge", "event", "repository", "status", "since", "until"} or {"all": true}
  [[nodiscard]] http::Response replay(const http::Request& request) const;
  // POST /api/v1/rebuild
  [[nodiscard]] http::Response rebuild(const http::Request& request) const;

 private:
  store::Store& store_;
  const core::Clock& clock_;
  std::function<void()> wakePipeline_;
};

}  // namespace forgehook::api
