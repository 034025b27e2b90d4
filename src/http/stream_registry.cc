#include "http/stream_registry.h"

#include <vector>

#include "http/stream_session.h"

namespace forgehook::http {

StreamRegistry::Reservation StreamRegistry::reserve(std::int64_t limit) {
  std::lock_guard lock(mutex_);
  if (stopping_) return Reservation::Stopping;
  if (reserved_ >= limit) return Reservation::Full;
  ++reserved_;
  return Reservation::Granted;
}

void StreamRegistry::cancel() {
  std::lock_guard lock(mutex_);
  --reserved_;
}

bool StreamRegistry::add(const std::shared_ptr<StreamSession>& stream) {
  std::lock_guard lock(mutex_);
  streams_.emplace(stream.get(), stream);
  return !stopping_;
}

void StreamRegistry::remove(const StreamSession* stream) {
  std::lock_guard lock(mutex_);
  if (streams_.erase(stream) > 0) --reserved_;
}

namespace {
std::vector<std::shared_ptr<StreamSession>> snapshot(
    const std::map<const StreamSession*, std::weak_ptr<StreamSession>>& streams) {
  std::vector<std::shared_ptr<StreamSession>> out;
  out.reserve(streams.size());
  for (const auto& [key, weak] : streams)
    if (auto stream = weak.lock()) out.push_back(std::move(stream));
  return out;
}
}  // namespace

void StreamRegistry::closeAll() {
  std::vector<std::shared_ptr<StreamSession>> streams;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    streams = snapshot(streams_);
  }
  // Outside the lock: a stream that ends at once removes itself.
  for (const auto& stream : streams) stream->shutdown();
}

void StreamRegistry::abandonAll() {
  std::vector<std::shared_ptr<StreamSession>> streams;
  {
    std::lock_guard lock(mutex_);
    streams = snapshot(streams_);
  }
  for (const auto& stream : streams) stream->abandon();
}

std::int64_t StreamRegistry::open() const {
  std::lock_guard lock(mutex_);
  return reserved_;
}

}  // namespace forgehook::http
