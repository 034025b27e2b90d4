#pragma once
// The pipeline's replay and rebuild over HTTP: queue deliveries again, then wake the pipeline.
// Blocking (store writes): registered to run off the I/O threads. Thread-safe.
#include "core/time.h"
#include "http/request.h"
#include "store/processing_queue.h"
#include "store/queue_listener.h"

namespace forgehook::api {

class ReplayApi {
 public:
  ReplayApi(store::ProcessingQueue& queue, store::QueueListener& pipeline, const core::Clock& clock)
      : queue_(queue), pipeline_(pipeline), clock_(clock) {}

  // POST /api/v1/deliveries/{id}/replay
  [[nodiscard]] http::Response replayOne(const http::Request& request) const;
  // POST /api/v1/replay {"forge", "event", "repository", "status", "since", "until"} or {"all": true}
  [[nodiscard]] http::Response replay(const http::Request& request) const;
  // POST /api/v1/rebuild
  [[nodiscard]] http::Response rebuild(const http::Request& request) const;

 private:
  store::ProcessingQueue& queue_;
  store::QueueListener& pipeline_;
  const core::Clock& clock_;
};

}  // namespace forgehook::api
