#pragma once
// A one-connection HTTP server for transport tests: accepts one connection on 127.0.0.1 (port 0),
// reads the request (head and Content-Length body), answers a canned response and closes. Used by
// the libcurl clients' tests (outbound's poster, forge's ForgeHttp). Not thread-safe: one test owns it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>

namespace forgehook::testing {

class OneShotServer {
 public:
  // `response`: the raw bytes answered, status line and headers included.
  explicit OneShotServer(std::string response) : response_(std::move(response)) {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(listener_, 1);
    socklen_t length = sizeof address;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~OneShotServer() {
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    if (thread_.joinable()) thread_.join();
  }
  OneShotServer(const OneShotServer&) = delete;
  OneShotServer& operator=(const OneShotServer&) = delete;

  // "http://127.0.0.1:<port><path>".
  [[nodiscard]] std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // What was read (waits for the connection to end, so call it after the request was sent).
  const std::string& request() {
    shutdown(listener_, SHUT_RDWR);  // no connection came: accept() returns
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  void serve() {
    const int client = accept(listener_, nullptr, nullptr);
    if (client < 0) return;
    char buffer[4096];
    for (;;) {
      const auto head = request_.find("\r\n\r\n");
      if (head != std::string::npos) {
        const auto at = request_.find("Content-Length: ");
        const std::size_t length = at == std::string::npos ? 0 : std::stoul(request_.substr(at + 16));
        if (request_.size() >= head + 4 + length) break;
      }
      const auto n = read(client, buffer, sizeof buffer);
      if (n <= 0) break;
      request_.append(buffer, static_cast<std::size_t>(n));
    }
    (void)!write(client, response_.data(), response_.size());
    close(client);
  }
  std::string request_, response_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace forgehook::testing
