#pragma once
// One client connection (internal to http/): reads a request head with a deadline, routes it, sets
// the body limit for that route, reads the body with a deadline, hands the request to its handler
// and writes the one response, then repeats for keep-alive. One request at a time per connection,
// so the queue of pipelined responses is bounded at one.
#include <array>
#include <atomic>
#include <memory>

#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/log.h"
#include "core/metrics.h"
#include "http/address_connections.h"
#include "http/router.h"
#include "http/server.h"
#include "http/stream_registry.h"

namespace forgehook::http {

// What every session shares: read-only after start, except the in-flight counter and the streams.
struct SessionContext {
  ServerOptions options;
  const Router& router;
  core::Metrics& metrics;
  const core::Logger& logger;
  boost::asio::thread_pool& blockingPool;
  std::atomic<std::int64_t> inFlight{0};  // requests read but not yet answered
  AddressConnections perAddress{options.maxConnectionsPerIp};  // connections per client address
  StreamRegistry streams{};               // open SSE and WebSocket streams
  // Where a stream's connection moves once it opens (ServerOptions::streamThreads); empty = it stays.
  std::vector<boost::asio::io_context*> streamContexts{};
  std::atomic<std::size_t> nextStreamContext{0};
};

// Moves an open connection to the next stream I/O thread, when there are any: its executor changes,
// so the stream session must be created after and started on that executor (see startSseSession).
[[nodiscard]] boost::beast::tcp_stream toStreamThread(boost::beast::tcp_stream&& stream, SessionContext& context);

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `lease` counts the connection against its address's cap until the session ends.
  HttpSession(boost::asio::ip::tcp::socket&& socket, SessionContext& context, AddressConnections::Lease lease);
  ~HttpSession();
  void start();

 private:
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  void readHeader();
  void onHeader(boost::beast::error_code ec);
  void readBody();
  void onBody(boost::beast::error_code ec);
  void dispatch();
  // A stream route: asks its handler, then hands the connection to a stream session or answers.
  void openStream(Request request, boost::beast::http::request<boost::beast::http::string_body>&& message);
  // Back on the session's thread with the handler's answer: refuses, or hands the connection over.
  void startStream(StreamAnswer answer, boost::beast::http::request<boost::beast::http::string_body>&& message);
  void send(Response response);  // runs on the session's thread
  void onWrite(bool close, boost::beast::error_code ec);
  void refuse(const core::Error& error);  // answer and close without reading further
  void close();
  void discardUntilClosed();  // reads and drops what the client still sends, until it hangs up
  core::Counter& requestCounter(const std::string& endpoint, int status);

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  SessionContext& context_;
  const Route* route_ = nullptr;
  std::string remoteAddress_;
  std::chrono::steady_clock::time_point requestStart_;
  bool firstRequest_ = true;
  bool keepAlive_ = true;
  std::string method_, path_;
  std::shared_ptr<void> pendingResponse_;  // keeps the response alive during async_write
  std::unique_ptr<std::array<char, 16384>> discardBuffer_;
  AddressConnections::Lease lease_;
};

}  // namespace forgehook::http
