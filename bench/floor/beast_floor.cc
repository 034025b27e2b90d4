// forgehook-floor: the floor of forgehook's intake on this machine, for bench/run.sh.
// The same HTTP library (Boost.Beast) and the same HMAC code as forgehook (but one read per
// request, Beast's default limits and no timers), and it stores nothing: it reads a request, verifies X-Hub-Signature-256 and answers
// 200 with a small JSON body. What it reaches is what forgehook could reach if durability cost
// nothing, so the gap between them is everything forgehook does beyond HTTP + HMAC.
// Usage: FLOOR_SECRET=... forgehook-floor ADDR_FILE [THREADS]
// Listens on 127.0.0.1, port 0, and writes "127.0.0.1:PORT" to ADDR_FILE once listening.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "verify/hmac.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

std::string g_secret;

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket&& socket) : stream_(std::move(socket)) {
    stream_.socket().set_option(tcp::no_delay(true));
    buffer_.reserve(32 * 1024);  // as forgehook's session: a delivery in one read
  }
  void read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

 private:
  void onRead(beast::error_code ec) {
    if (ec) return;  // end of stream or a broken request: the connection ends
    const auto header = request_.find("X-Hub-Signature-256");
    const bool good = header != request_.end() &&
                      forgehook::verify::constantTimeEquals(
                          header->value(), "sha256=" + forgehook::verify::hmacSha256Hex(g_secret, request_.body()));
    response_ = {};
    response_.version(request_.version());
    response_.keep_alive(request_.keep_alive());
    response_.result(good ? http::status::ok : http::status::unauthorized);
    response_.set(http::field::content_type, "application/json");
    response_.body() = good ? R"({"status":"accepted"})" : R"({"error":"bad signature"})";
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code wec, std::size_t) {
      if (!wec && self->response_.keep_alive()) self->read();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

void accept(tcp::acceptor& acceptor) {
  acceptor.async_accept(asio::make_strand(acceptor.get_executor()), [&acceptor](beast::error_code ec, tcp::socket s) {
    if (!ec) std::make_shared<Session>(std::move(s))->read();
    accept(acceptor);
  });
}

}  // namespace

int main(int argc, char** argv) {
  const char* secret = std::getenv("FLOOR_SECRET");
  if (secret == nullptr || argc < 2) {
    std::fprintf(stderr, "usage: FLOOR_SECRET=... forgehook-floor ADDR_FILE [THREADS]\n");
    return 2;
  }
  g_secret = secret;
  const int threads = argc > 2 ? std::atoi(argv[2]) : 1;
  asio::io_context io(threads);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  accept(acceptor);
  {
    const std::string tmp = std::string(argv[1]) + ".tmp";
    std::ofstream(tmp) << "127.0.0.1:" << acceptor.local_endpoint().port() << "\n";
    std::rename(tmp.c_str(), argv[1]);
  }
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&io](beast::error_code, int) { io.stop(); });
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& t : pool) t.join();
  return 0;
}
