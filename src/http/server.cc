#include "http/server.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/thread_pool.hpp>
#include <thread>
#include <vector>

#include "core/thread_name.h"
#include "http/session.h"

namespace forgehook::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// One io_context per I/O thread: a session lives on one thread for its whole life, so its handlers
// never race and need no strand (strands cost a lock and an executor copy per operation).
class IoContextPool {
 public:
  // At least one context, unless `allowEmpty` (the optional stream pool).
  explicit IoContextPool(int size, bool allowEmpty = false) {
    for (int i = 0; i < (allowEmpty ? std::max(0, size) : std::max(1, size)); ++i) {
      contexts_.push_back(std::make_unique<asio::io_context>(1));
      guards_.emplace_back(asio::make_work_guard(*contexts_.back()));
    }
  }
  asio::io_context& next() { return *contexts_[next_++ % contexts_.size()]; }
  asio::io_context& first() { return *contexts_.front(); }
  std::size_t size() const { return contexts_.size(); }
  asio::io_context& at(std::size_t i) { return *contexts_[i]; }
  void stop() {
    for (auto& c : contexts_) c->stop();
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::size_t next_ = 0;  // used only from the acceptor's thread
};

// Owns the acceptor and re-arms accept after every connection, errors included.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(IoContextPool& pool, tcp::endpoint endpoint, SessionContext& context)
      : pool_(pool), acceptor_(pool.first()), context_(context) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }
  tcp::endpoint localEndpoint() const { return acceptor_.local_endpoint(); }
  void accept() {
    acceptor_.async_accept(pool_.next(), [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
      self->onAccept(ec, std::move(socket));
    });
  }
  void close() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ec;
      self->acceptor_.close(ec);
    });
  }

 private:
  void onAccept(boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (!ec) {
      boost::system::error_code peerError;
      const auto peer = socket.remote_endpoint(peerError);
      const std::string address = peerError ? std::string() : peer.address().to_string();
      if (context_.metrics.connectionsOpen.value() >= context_.options.maxConnections) {
        refuse(socket, "max_connections", address);
      } else if (auto lease = context_.perAddress.acquire(address); !lease) {
        refuse(socket, "max_connections_per_ip", address);
      } else {
        std::make_shared<HttpSession>(std::move(socket), context_, std::move(*lease))->start();
      }
    }
    accept();
  }

  // Over a connection bound: closed at once, before anything is read (refusing stays cheap). Counted
  // by reason; logged at most every 10 s, since refusals come in floods.
  void refuse(tcp::socket& socket, const char* reason, const std::string& address) {
    boost::system::error_code ignored;
    socket.close(ignored);
    context_.metrics.connectionsRefused.with({reason}).add();
    const auto now = std::chrono::steady_clock::now();
    if (now - lastRefusalLog_ >= std::chrono::seconds(10)) {
      lastRefusalLog_ = now;
      context_.logger.warn("connection refused", {{"reason", reason}, {"remote", address}});
    }
  }

  IoContextPool& pool_;
  tcp::acceptor acceptor_;
  SessionContext& context_;
  std::chrono::steady_clock::time_point lastRefusalLog_{};  // the acceptor's thread only
};

}  // namespace

struct HttpServer::Impl {
  Impl(ServerOptions options, const Router& router, core::Metrics& metrics, const core::Logger& logger)
      : blockingPool(static_cast<std::size_t>(options.blockingThreads)),
        context{options, router, metrics, logger, blockingPool},
        pool(options.ioThreads),
        streamPool(options.streamThreads, true) {
    for (std::size_t i = 0; i < streamPool.size(); ++i) context.streamContexts.push_back(&streamPool.at(i));
  }
  // Destroyed in reverse: the io_contexts first, with the handlers still pending on them and the
  // sessions those hold, while the context the sessions refer to is alive.
  asio::thread_pool blockingPool;
  SessionContext context;
  IoContextPool pool;
  IoContextPool streamPool;  // empty when streams stay on the I/O threads
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  bool stopped = false;
};

HttpServer::HttpServer(ServerOptions options, const Router& router, core::Metrics& metrics, const core::Logger& logger)
    : impl_(std::make_unique<Impl>(std::move(options), router, metrics, logger)) {}

HttpServer::~HttpServer() { stop(std::chrono::milliseconds(0)); }

std::string HttpServer::start() {
  const auto& o = impl_->context.options;
  boost::system::error_code ec;
  const std::string host = o.host == "localhost" ? "127.0.0.1" : o.host;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("listen: \"" + o.host + "\" is not an IP address");
  try {
    impl_->listener = std::make_shared<Listener>(impl_->pool, tcp::endpoint(address, o.port), impl_->context);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + e.code().message());
  }
  impl_->listener->accept();
  for (std::size_t i = 0; i < impl_->pool.size(); ++i)
    impl_->threads.emplace_back([this, i] {
      core::nameThisThread("fh-io-" + std::to_string(i));
      impl_->pool.at(i).run();
    });
  for (std::size_t i = 0; i < impl_->streamPool.size(); ++i)
    impl_->threads.emplace_back([this, i] {
      core::nameThisThread("fh-stream-" + std::to_string(i));
      impl_->streamPool.at(i).run();
    });
  const auto bound = impl_->listener->localEndpoint();
  std::string out = bound.address().to_string();
  if (bound.address().is_v6()) out.insert(0, 1, '[').push_back(']');
  out.append(":").append(std::to_string(bound.port()));
  return out;
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  if (impl_->stopped) return;
  impl_->stopped = true;
  if (impl_->listener) impl_->listener->close();
  // Streams never finish on their own: ask them to close now rather than wait out the grace period.
  impl_->context.streams.closeAll();
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while ((impl_->context.inFlight.load() > 0 || impl_->context.streams.open() > 0) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl_->pool.stop();
  impl_->streamPool.stop();
  for (auto& t : impl_->threads) t.join();
  // What did not close in time ends now; its onClose runs on the blocking pool, joined next.
  impl_->context.streams.abandonAll();
  impl_->blockingPool.join();
}

}  // namespace forgehook::http
