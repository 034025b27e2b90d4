#include "http/session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <limits>
#include <map>

#include "http/stream_session.h"

namespace forgehook::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadBufferBytes = 32 * 1024;

namespace {

// Endings that are part of normal life for a server: not worth a log line.
bool isQuietEnding(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
         ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == bhttp::error::partial_message;
}

// The requests counter for (endpoint, status), cached per thread: the family's lookup builds label
// strings and takes a lock, too much for every request.
core::Counter& requestCounterFor(core::Metrics& metrics, const std::string& endpoint, int status) {
  thread_local std::map<std::pair<std::string, int>, core::Counter*> cache;
  thread_local const core::Metrics* owner = nullptr;
  if (owner != &metrics) {
    cache.clear();
    owner = &metrics;
  }
  auto [it, inserted] = cache.try_emplace({endpoint, status}, nullptr);
  if (inserted) it->second = &metrics.httpRequests.with({endpoint, std::to_string(status)});
  return *it->second;
}

}  // namespace

core::Counter& HttpSession::requestCounter(const std::string& endpoint, int status) {
  return requestCounterFor(context_.metrics, endpoint, status);
}

HttpSession::HttpSession(asio::ip::tcp::socket&& socket, SessionContext& context, AddressConnections::Lease lease)
    : stream_(std::move(socket)), context_(context), lease_(std::move(lease)) {
  beast::error_code ec;
  const auto endpoint = stream_.socket().remote_endpoint(ec);
  if (!ec) remoteAddress_ = endpoint.address().to_string();
  stream_.socket().set_option(asio::ip::tcp::no_delay(true), ec);
  // Room for a typical delivery in one read: a small buffer costs a syscall and a timer re-arm per 512 bytes.
  buffer_.reserve(kReadBufferBytes);
  context_.metrics.connectionsOpen.add(1);
}

HttpSession::~HttpSession() { context_.metrics.connectionsOpen.add(-1); }

void HttpSession::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->readHeader(); });
}

void HttpSession::readHeader() {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(context_.options.maxHeaderBytes));
  // Beast checks Content-Length against the body limit while reading the head (default 1 MB);
  // the route's own limit is applied in onHeader, once the route is known.
  parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
  route_ = nullptr;
  stream_.expires_after(firstRequest_ ? context_.options.headerTimeout : context_.options.idleTimeout);
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
}

void HttpSession::onHeader(beast::error_code ec) {
  if (ec == bhttp::error::header_limit) {
    requestStart_ = Clock::now();
    context_.inFlight.fetch_add(1);
    return refuse(core::Error::headersTooLarge("request headers exceed server.max_header_bytes"));
  }
  if (ec) {
    if (!isQuietEnding(ec) && ec != bhttp::error::buffer_overflow) {
      requestStart_ = Clock::now();
      context_.inFlight.fetch_add(1);
      return refuse(core::Error::invalidArgument("bad_request", "malformed HTTP request"));
    }
    return close();
  }
  firstRequest_ = false;
  requestStart_ = Clock::now();
  context_.inFlight.fetch_add(1);

  const auto& req = parser_->get();
  method_ = std::string(req.method_string());
  const std::string_view target = req.target();
  const auto q = target.find('?');
  path_ = std::string(target.substr(0, q));

  // This request's own Connection header decides, also for the 404 or 405 answered from its head.
  keepAlive_ = req.keep_alive();
  const auto match = context_.router.match(method_, path_);
  if (!match.route) {
    Response response = match.status == 405
                            ? errorResponse(core::Error::methodNotAllowed(method_ + " is not allowed on " + path_))
                            : errorResponse(core::Error::notFound("no endpoint at " + path_));
    if (match.status == 405) response.headers.emplace_back("Allow", match.allow);
    // A body we did not read would be taken for the next request: close instead.
    response.closeConnection = req.chunked() || req.has_content_length();
    return send(std::move(response));
  }
  route_ = match.route;
  if (const auto length = parser_->content_length(); length && *length > std::uint64_t(route_->maxBodyBytes))
    return refuse(core::Error::tooLarge("body of " + std::to_string(*length) + " bytes exceeds the limit of " +
                                        std::to_string(route_->maxBodyBytes)));
  parser_->body_limit(static_cast<std::uint64_t>(route_->maxBodyBytes));

  if (beast::iequals(req[bhttp::field::expect], "100-continue")) {
    auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
    bhttp::async_write(stream_, *cont, [self = shared_from_this(), cont](beast::error_code wec, std::size_t) {
      if (wec) return self->close();
      self->readBody();
    });
    return;
  }
  readBody();
}

void HttpSession::readBody() {
  stream_.expires_after(context_.options.bodyTimeout);
  bhttp::async_read(stream_, buffer_, *parser_,
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onBody(ec); });
}

void HttpSession::onBody(beast::error_code ec) {
  if (ec == bhttp::error::body_limit)
    return refuse(
        core::Error::tooLarge("body exceeds the limit of " + std::to_string(route_->maxBodyBytes) + " bytes"));
  if (ec) {
    if (!isQuietEnding(ec)) return refuse(core::Error::invalidArgument("bad_request", "malformed HTTP body"));
    context_.inFlight.fetch_sub(1);
    return close();
  }
  dispatch();
}

void HttpSession::dispatch() {
  auto message = parser_->release();
  keepAlive_ = message.keep_alive();
  Request request;
  request.method = method_;
  request.path = path_;
  const std::string_view target = message.target();
  if (const auto q = target.find('?'); q != std::string_view::npos) request.query = std::string(target.substr(q + 1));
  request.headers.reserve(16);
  for (const auto& field : message) request.headers.emplace_back(field.name_string(), field.value());
  request.body = std::move(message.body());
  request.remoteAddress = remoteAddress_;
  request.receivedAt = requestStart_;
  if (route_->stream) return openStream(std::move(request), std::move(message));

  // The handler may answer from any thread; the answer is written on this session's thread.
  Reply reply = [self = shared_from_this()](Response response) {
    asio::post(self->stream_.get_executor(),
               [self, response = std::move(response)]() mutable { self->send(std::move(response)); });
  };
  stream_.expires_never();  // the handler's own bounds (queue, store) apply while it works
  const Route* route = route_;
  auto run = [route, request = std::move(request), reply = std::move(reply), &logger = context_.logger]() mutable {
    try {
      route->handler(std::move(request), reply);
    } catch (const std::exception& e) {
      logger.error("handler failed", {{"route", route->name}, {"error", e.what()}});
      Response response = errorResponse(core::Error::internal("internal error"));
      response.closeConnection = true;
      reply(std::move(response));
    }
  };
  if (route->blocking)
    asio::post(context_.blockingPool, std::move(run));
  else
    run();
}

void HttpSession::openStream(Request request, bhttp::request<bhttp::string_body>&& message) {
  const Route& route = *route_;
  const StreamKind kind = *route.stream;
  if (kind == StreamKind::WebSocket && !beast::websocket::is_upgrade(message))
    return send(errorResponse(core::Error::invalidArgument("upgrade_required", path_ + " is a WebSocket endpoint")));
  switch (context_.streams.reserve(context_.options.maxStreams)) {
    case StreamRegistry::Reservation::Granted:
      break;
    case StreamRegistry::Reservation::Full:
      return send(errorResponse(core::Error::unavailable("too_many_streams", "too many open streams", 5)));
    case StreamRegistry::Reservation::Stopping:
      return send(errorResponse(core::Error::unavailable("shutting_down", "the server is shutting down", 5)));
  }
  // The handler may read the store (a read-only token, a session cookie): on the blocking pool.
  const Route* routePtr = route_;
  asio::post(context_.blockingPool, [self = shared_from_this(), routePtr, request = std::move(request),
                                     message = std::move(message)]() mutable {
    StreamAnswer answer;
    try {
      answer = routePtr->streamHandler(request);
    } catch (const std::exception& e) {
      self->context_.logger.error("stream handler failed", {{"route", routePtr->name}, {"error", e.what()}});
      answer.refusal = errorResponse(core::Error::internal("internal error"));
    }
    asio::post(self->stream_.get_executor(),
               [self, answer = std::move(answer), message = std::move(message)]() mutable {
                 self->startStream(std::move(answer), std::move(message));
               });
  });
}

void HttpSession::startStream(StreamAnswer answer, bhttp::request<bhttp::string_body>&& message) {
  const Route& route = *route_;
  const StreamKind kind = *route.stream;
  if (answer.refusal) {
    context_.streams.cancel();
    return send(std::move(*answer.refusal));
  }

  // The stream session owns the connection from here; this request counts as answered.
  requestCounter(route.name, kind == StreamKind::WebSocket ? 101 : 200).add();
  context_.inFlight.fetch_sub(1);
  StreamSetup setup{kind, route.name, path_, remoteAddress_, std::move(answer)};
  if (kind == StreamKind::WebSocket)
    startWebSocketSession(std::move(stream_), std::move(message), context_, std::move(setup));
  else
    startSseSession(std::move(stream_), context_, std::move(setup));
}

void HttpSession::send(Response response) {
  const bool close = response.closeConnection || !keepAlive_;
  auto res = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(response.status), 11);
  res->set(bhttp::field::server, "forgehook");
  res->set(bhttp::field::content_type, response.contentType);
  for (const auto& [name, value] : response.headers) res->set(name, value);
  res->body() = std::move(response.body);
  res->keep_alive(!close);
  res->prepare_payload();

  const auto elapsed = std::chrono::duration<double>(Clock::now() - requestStart_).count();
  const std::string& endpoint = route_ ? route_->name : std::string("unmatched");
  requestCounter(endpoint, response.status).add();
  if (route_ && route_->webhook && response.status / 100 == 2) context_.metrics.ackLatency.observe(elapsed);
  if (context_.logger.enabled(core::LogLevel::Info)) {
    const auto& l = response.log;
    std::vector<core::LogField> fields;
    if (l.forge.empty())
      fields = {{"method", method_}, {"path", path_}};
    else
      fields = {{"forge", l.forge}, {"delivery", l.deliveryId}, {"event", l.event}, {"repository", l.repository}};
    fields.insert(fields.end(),
                  {{"status", response.status}, {"latency_ms", elapsed * 1000}, {"remote", remoteAddress_}});
    // Why it was refused, so an operator can tell a wrong secret from a missing one; the reason is a
    // fixed code and never holds a secret.
    if (!l.refusal.empty()) fields.push_back({"reason", l.refusal});
    context_.logger.log(core::LogLevel::Info, l.forge.empty() ? "request" : "delivery", fields);
  }

  stream_.expires_after(context_.options.bodyTimeout);
  bhttp::async_write(stream_, *res, [self = shared_from_this(), res, close](beast::error_code ec, std::size_t) {
    self->onWrite(close, ec);
  });
}

void HttpSession::onWrite(bool close, beast::error_code ec) {
  context_.inFlight.fetch_sub(1);
  if (ec || close) return this->close();
  readHeader();
}

void HttpSession::refuse(const core::Error& error) {
  Response response = errorResponse(error);
  response.closeConnection = true;
  send(std::move(response));
}

void HttpSession::close() {
  // Half-close, then read and discard what the client still sends for a moment: closing with unread
  // data would reset the connection and could destroy the error answer before the client reads it.
  beast::error_code ec;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) return stream_.socket().close(ec);
  stream_.expires_after(std::chrono::seconds(2));
  discardUntilClosed();
}

void HttpSession::discardUntilClosed() {
  // A member function rather than a closure that holds itself: that cycle outlived the server when it
  // stopped during the drain.
  if (!discardBuffer_) discardBuffer_ = std::make_unique<std::array<char, 16384>>();
  stream_.async_read_some(asio::buffer(*discardBuffer_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                            if (!ec) return self->discardUntilClosed();
                            beast::error_code ignored;
                            self->stream_.socket().close(ignored);
                          });
}

beast::tcp_stream toStreamThread(beast::tcp_stream&& stream, SessionContext& context) {
  if (context.streamContexts.empty()) return std::move(stream);
  auto& target = *context.streamContexts[context.nextStreamContext.fetch_add(1) % context.streamContexts.size()];
  // No operation is pending on the connection here (its request was read, nothing written yet), so
  // its descriptor can leave one io_context for another.
  auto socket = stream.release_socket();
  boost::system::error_code ec;
  const auto protocol = socket.local_endpoint(ec).protocol();
  if (ec) return beast::tcp_stream(std::move(socket));  // already gone: the stream ends at its first I/O
  const auto fd = socket.release(ec);
  if (ec) return beast::tcp_stream(std::move(socket));
  asio::ip::tcp::socket moved(target);
  moved.assign(protocol, fd, ec);
  return beast::tcp_stream(std::move(moved));
}

}  // namespace forgehook::http
