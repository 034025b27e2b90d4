#pragma once
// Planned items (CRUD) and incident acknowledgement over HTTP. Blocking (store access): registered
// to run off the I/O threads. Thread-safe.
#include "core/time.h"
#include "http/request.h"
#include "store/planning_store.h"

namespace forgehook::api {

class PlanningApi {
 public:
  PlanningApi(store::PlanningStore& store, const core::Clock& clock) : store_(store), clock_(clock) {}

  [[nodiscard]] http::Response getItem(const http::Request& request) const;
  [[nodiscard]] http::Response createItem(const http::Request& request) const;
  [[nodiscard]] http::Response updateItem(const http::Request& request) const;
  [[nodiscard]] http::Response deleteItem(const http::Request& request) const;
  // POST /api/v1/incidents/{id}/ack {"by": "...", "note": "..."}
  [[nodiscard]] http::Response acknowledgeIncident(const http::Request& request) const;

 private:
  store::PlanningStore& store_;
  const core::Clock& clock_;
};

}  // namespace forgehook::api
