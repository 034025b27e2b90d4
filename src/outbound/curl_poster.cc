#include "outbound/curl_poster.h"

#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <chrono>
#include <memory>

#include "outbound/address_policy.h"

namespace forgehook::outbound {
namespace {

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct AddrInfoDeleter {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

struct Transfer {
  const std::atomic<bool>* cancelled = nullptr;
  std::string excerpt;
  std::size_t received = 0;
  bool truncated = false;
  bool allowPrivate = false;
  std::string refusedSocket;  // set when the socket check refused an address
};

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t.excerpt.size() < kExcerptBytes) t.excerpt.append(data, std::min(n, kExcerptBytes - t.excerpt.size()));
  t.received += n;
  if (t.received > kMaxResponseBytes) {
    t.truncated = true;
    return 0;  // stop reading: the status is known, the rest of the answer is not wanted
  }
  return n;
}

// Non-zero ends the transfer: the poster was cancelled (shutdown).
int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Transfer*>(user)->cancelled->load() ? 1 : 0;
}

// The last check: the address curl is about to connect to, whatever resolved it.
curl_socket_t openSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto& t = *static_cast<Transfer*>(user);
  if (!t.allowPrivate) {
    const auto c = classifySockaddr(&address->addr);
    if (c != AddressClass::Public) {
      t.refusedSocket = addressText(&address->addr) + " is " + std::string(describe(c));
      return CURL_SOCKET_BAD;
    }
  }
  return socket(address->family, address->socktype, address->protocol);
}

// The address to pin the host to. Errors: a text saying why none may be used.
core::Result<std::string> resolveChecked(const CallbackUrl& url, bool allowPrivate) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(url.host.c_str(), nullptr, &hints, &found); rc != 0)
    return std::unexpected(
        core::Error::unavailable("resolve", "cannot resolve " + url.host + ": " + gai_strerror(rc), 0));
  std::unique_ptr<addrinfo, AddrInfoDeleter> owned(found);
  std::string chosen;
  for (const addrinfo* a = found; a; a = a->ai_next) {
    const auto c = classifySockaddr(a->ai_addr);
    const std::string text = addressText(a->ai_addr);
    // Any refused address refuses the host: which one a connection would use is not ours to pick.
    if (!allowPrivate && c != AddressClass::Public)
      return std::unexpected(
          core::Error::invalidArgument("refused", url.host + " resolves to " + text + ", " + std::string(describe(c)) +
                                                      ": refused while subscriptions.allow_private_networks is off"));
    if (chosen.empty()) chosen = a->ai_family == AF_INET6 ? "[" + text + "]" : text;
  }
  if (chosen.empty()) return std::unexpected(core::Error::unavailable("resolve", "no address for " + url.host, 0));
  return chosen;
}

}  // namespace

CurlPoster::CurlPoster(CurlPosterOptions options) : options_(std::move(options)) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

CurlPoster::~CurlPoster() { curl_global_cleanup(); }

PostResult CurlPoster::post(const PostRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  PostResult result;
  auto finish = [&](PostResult r) {
    r.durationMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    return r;
  };
  auto url = checkCallbackUrl(request.url, options_.allowPrivateNetworks);
  if (!url) {
    result.error = url.error().message;
    return finish(std::move(result));
  }
  auto address = resolveChecked(*url, options_.allowPrivateNetworks);
  if (!address) {
    result.error = address.error().message;
    return finish(std::move(result));
  }
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) {
    result.error = "cannot create a curl handle";
    return finish(std::move(result));
  }
  CURL* c = easy.get();
  // A numeric host needs no pinning: nothing is resolved.
  std::unique_ptr<curl_slist, ListDeleter> pin(
      classifyAddress(url->host)
          ? nullptr
          : curl_slist_append(nullptr, (url->host + ":" + std::to_string(url->port) + ":" + *address).c_str()));
  curl_slist* headerList = nullptr;
  for (const auto& [name, value] : request.headers)
    headerList = curl_slist_append(headerList, (name + ": " + value).c_str());
  headerList = curl_slist_append(headerList, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, ListDeleter> headers(headerList);
  Transfer transfer;
  transfer.allowPrivate = options_.allowPrivateNetworks;
  transfer.cancelled = &cancelled_;
  char errorBuffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // ignore http_proxy & co: the check is on the real peer
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_RESOLVE, pin.get());
  curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, openSocket);
  curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connectTimeoutMs));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeoutMs));
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, options_.userAgent.c_str());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorBuffer);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, onProgress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &transfer);
  const CURLcode rc = curl_easy_perform(c);
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  result.responseExcerpt = std::move(transfer.excerpt);
  if (status > 0) result.statusCode = static_cast<int>(status);
  if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && transfer.truncated)) {
    if (!transfer.refusedSocket.empty())
      result.error = "connection refused by the address guard: " + transfer.refusedSocket;
    else
      result.error = std::string(curl_easy_strerror(rc)) + (errorBuffer[0] ? std::string(": ") + errorBuffer : "");
    return finish(std::move(result));
  }
  if (status >= 300 && status < 400) {
    char* location = nullptr;
    curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
    result.error = "redirect not followed (HTTP " + std::to_string(status) +
                   ", Location: " + (location ? std::string(location) : std::string("none")) + ")";
  } else if (status < 200 || status >= 300) {
    result.error = "HTTP " + std::to_string(status);
  }
  return finish(std::move(result));
}

}  // namespace forgehook::outbound
