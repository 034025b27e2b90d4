#include "cli/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

namespace forgehook::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

HttpUrl parseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (!std::string_view(url).starts_with(kScheme)) throw std::runtime_error("only http:// URLs are supported: " + url);
  const std::string rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  HttpUrl out;
  out.authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  const auto colon = out.authority.rfind(':');
  const bool hasPort = colon != std::string::npos && out.authority.find(']', colon) == std::string::npos;
  out.host = hasPort ? out.authority.substr(0, colon) : out.authority;
  out.port = hasPort ? out.authority.substr(colon + 1) : "80";
  // An IPv6 literal is written [::1] in a URL and ::1 to the resolver.
  if (out.host.size() > 2 && out.host.front() == '[' && out.host.back() == ']')
    out.host = out.host.substr(1, out.host.size() - 2);
  return out;
}

HttpResult httpRequest(const std::string& method, const std::string& url, const HttpHeaders& headers,
                       const std::string& body) {
  const auto [host, port, authority, target] = parseHttpUrl(url);
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  try {
    stream.connect(resolver.resolve(host, port));
    bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
    req.set(bhttp::field::host, authority);
    req.set(bhttp::field::user_agent, "forgehook-cli");
    for (const auto& [name, value] : headers) req.set(name, value);
    req.body() = body;
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(1ull << 30);
    bhttp::read(stream, buffer, parser);
    beast::error_code ec;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    HttpHeaders responseHeaders;
    for (const auto& field : parser.get()) responseHeaders.emplace_back(std::string(field.name_string()), std::string(field.value()));
    return {static_cast<int>(parser.get().result_int()), parser.get().body(), std::move(responseHeaders)};
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot reach " + authority + ": " + e.code().message());
  }
}

}  // namespace forgehook::cli
