#pragma once
// The HTTP/1.1 server: an acceptor, keep-alive sessions on a pool of I/O threads, and a small pool
// for handlers that block. Beast and Asio stay inside server.cc/session.cc. Thread-safe start/stop.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/log.h"
#include "core/metrics.h"
#include "http/router.h"

namespace forgehook::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8765;  // 0 = any free port
  int ioThreads = 2;
  int blockingThreads = 2;
  std::int64_t maxHeaderBytes = 64 * 1024;
  std::chrono::milliseconds headerTimeout{10'000};
  std::chrono::milliseconds bodyTimeout{30'000};
  std::chrono::milliseconds idleTimeout{60'000};
  std::int64_t maxConnections = 4096;
  std::int64_t maxConnectionsPerIp = 256;  // per client address; 0 = no cap
  // SSE and WebSocket stream routes: queue bound, heartbeat, idle timeout (see http/stream.h).
  StreamOptions streams;
  // Streams open at once; past it a stream request gets 503 too_many_streams. Each holds a
  // connection and up to streams.maxQueuedBytes of memory.
  std::int64_t maxStreams = 1000;
  // I/O threads of their own for open streams (a stream's connection moves there once it opens);
  // 0 = streams stay on the I/O thread that accepted them.
  int streamThreads = 1;
};

class HttpServer {
 public:
  HttpServer(ServerOptions options, const Router& router, core::Metrics& metrics, const core::Logger& logger);
  ~HttpServer();

  // Binds, listens and starts the threads. Returns the bound "host:port".
  // Throws std::runtime_error when the address cannot be bound.
  std::string start();

  // Stops accepting and closes every open stream (WebSocket 1001 going away, SSE response ended,
  // each given about a second to drain), lets in-flight requests finish for up to `grace`, then
  // stops all threads. Every stream's onClose has run when it returns.
  void stop(std::chrono::milliseconds grace);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace forgehook::http
