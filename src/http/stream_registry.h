#pragma once
// The open streams of one server (internal to http/): counts them against ServerOptions::maxStreams
// and reaches every one at shutdown. Thread-safe; a mutex guards it, taken once per stream opened or
// ended and at shutdown, never per message.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace forgehook::http {

class StreamSession;

class StreamRegistry {
 public:
  enum class Reservation { Granted, Full, Stopping };
  // Counts a stream about to open, before its handler runs. Full when `limit` streams are open or
  // reserved, Stopping once closeAll() was called; neither counts.
  [[nodiscard]] Reservation reserve(std::int64_t limit);
  // Gives back a reservation whose stream never opened (the handler refused).
  void cancel();
  // Registers the stream a reservation was for. Returns false when the server began stopping since:
  // the caller then closes the stream as soon as it is open.
  [[nodiscard]] bool add(const std::shared_ptr<StreamSession>& stream);
  // Ends a registered stream's reservation.
  void remove(const StreamSession* stream);

  // Shutdown, phase one: refuses new streams and asks every open one to close (going away).
  void closeAll();
  // Shutdown, phase two, once the I/O threads stopped: ends the streams still registered, without I/O.
  void abandonAll();

  [[nodiscard]] std::int64_t open() const;

 private:
  mutable std::mutex mutex_;
  std::map<const StreamSession*, std::weak_ptr<StreamSession>> streams_;
  std::int64_t reserved_ = 0;  // registered streams plus reservations not yet registered
  bool stopping_ = false;
};

}  // namespace forgehook::http
