#pragma once
// Told when deliveries become due for processing, so the pipeline can start at once instead of at
// its next poll. pipeline::Worker implements it; intake (IntakeQueue) and the replay API call it.
// Implementations are thread-safe and never block.
#include <cstddef>

namespace forgehook::store {

class QueueListener {
 public:
  virtual ~QueueListener() = default;
  // Intake indexed deliveries it had answered, made durable in groups of which the largest held
  // `largestGroup` (how busy intake is: the pipeline paces itself by it). Called on the intake
  // writer thread.
  virtual void intakeCommitted(std::size_t largestGroup) = 0;
  // Deliveries were queued again (replay, rebuild).
  virtual void requeued() = 0;
};

}  // namespace forgehook::store
