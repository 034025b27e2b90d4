#include "cli/http_stream.h"

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace forgehook::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

constexpr std::size_t kMaxErrorBody = 64 * 1024;

// Runs one asynchronous operation to its end: `initiate` starts it with the handler it is given.
// One at a time keeps the exchange sequential while a stop (posted to `ioc`) can still cancel it.
template <class Initiate>
beast::error_code runOne(asio::io_context& ioc, Initiate&& initiate) {
  beast::error_code result;
  initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

}  // namespace

HttpStreamEnd httpGetStream(const std::string& url, const HttpHeaders& headers,
                            const std::function<void(std::string_view)>& onData, std::stop_token stop,
                            const HttpStreamOptions& options) {
  const HttpUrl u = parseHttpUrl(url);
  HttpStreamEnd end;
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  // Declared after what it cancels, so it is gone before they are.
  std::stop_callback onStop(stop, [&] {
    asio::post(ioc, [&] {
      resolver.cancel();
      stream.cancel();
    });
  });
  auto failed = [&](const std::string& what, beast::error_code ec) {
    if (stop.stop_requested())
      end.stopped = true;
    else
      end.error = what + ": " + (ec == beast::error::timeout ? std::string("timed out") : ec.message());
    return end;
  };

  asio::ip::tcp::resolver::results_type endpoints;
  auto ec = runOne(ioc, [&](auto handler) {
    resolver.async_resolve(u.host, u.port,
                           [&endpoints, handler](beast::error_code e, asio::ip::tcp::resolver::results_type r) mutable {
                             endpoints = std::move(r);
                             handler(e);
                           });
  });
  if (ec || stop.stop_requested()) return failed("cannot resolve " + u.host, ec);
  stream.expires_after(options.connectTimeout);
  ec = runOne(ioc, [&](auto handler) { stream.async_connect(endpoints, handler); });
  if (ec || stop.stop_requested()) return failed("cannot reach " + u.authority, ec);

  bhttp::request<bhttp::empty_body> request(bhttp::verb::get, u.target, 11);
  request.set(bhttp::field::host, u.authority);
  request.set(bhttp::field::user_agent, "forgehook-cli");
  for (const auto& [name, value] : headers) request.set(name, value);
  ec = runOne(ioc, [&](auto handler) { bhttp::async_write(stream, request, handler); });
  if (ec || stop.stop_requested()) return failed("sending the request to " + u.authority, ec);

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::buffer_body> parser;
  parser.body_limit(boost::none);  // a stream has no end to bound
  stream.expires_after(options.readTimeout);
  ec = runOne(ioc, [&](auto handler) { bhttp::async_read_header(stream, buffer, parser, handler); });
  if (ec || stop.stop_requested()) return failed("no answer from " + u.authority, ec);
  end.status = static_cast<int>(parser.get().result_int());
  const bool success = end.status / 100 == 2;

  std::array<char, 16 * 1024> piece{};
  while (!parser.is_done()) {
    parser.get().body().data = piece.data();
    parser.get().body().size = piece.size();
    stream.expires_after(options.readTimeout);
    ec = runOne(ioc, [&](auto handler) { bhttp::async_read_some(stream, buffer, parser, handler); });
    if (ec == bhttp::error::need_buffer) ec = {};  // the piece is full: hand it over, read on
    const std::size_t size = piece.size() - parser.get().body().size;
    if (size > 0 && !stop.stop_requested()) {
      if (success)
        onData(std::string_view(piece.data(), size));
      else if (end.body.size() < kMaxErrorBody)
        end.body.append(piece.data(), std::min(size, kMaxErrorBody - end.body.size()));
    }
    if (stop.stop_requested()) {
      end.stopped = true;
      break;
    }
    if (ec) {
      // A server that stops (or is killed) ends the body mid-message: say so plainly.
      const bool closed = ec == bhttp::error::partial_message || ec == bhttp::error::end_of_stream ||
                          ec == asio::error::connection_reset || ec == asio::error::eof;
      if (!parser.is_done())
        end.error =
            u.authority + (closed ? std::string(" closed the connection") : " stopped answering: " + ec.message());
      break;
    }
  }
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  return end;
}

}  // namespace forgehook::cli
