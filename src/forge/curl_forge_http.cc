#include "forge/curl_forge_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>

#include "forge/forge_errors.h"

namespace forgehook::forge {
namespace {

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Transfer {
  std::size_t maxBytes = 0;
  bool tooLarge = false;
  HttpResponse response;
};

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (t.response.body.size() + n > t.maxBytes) {
    t.tooLarge = true;
    return 0;
  }
  t.response.body.append(data, n);
  return n;
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

std::size_t onHeader(char* data, std::size_t size, std::size_t count, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  const std::string_view line(data, n);
  // A new status line (after a 100 Continue, say) starts a new header block.
  if (line.starts_with("HTTP/")) {
    t.response.headers.clear();
    return n;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name = trimmed(line.substr(0, colon));
  std::ranges::transform(name, name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  t.response.headers.emplace_back(std::move(name), trimmed(line.substr(colon + 1)));
  return n;
}

// "GET https://host/path" without the query, which may hold a cursor but never a credential.
std::string describe(const HttpRequest& request) {
  std::string text = request.method;
  text.append(" ").append(request.url.substr(0, request.url.find('?')));
  return text;
}

}  // namespace

CurlForgeHttp::CurlForgeHttp(CurlForgeHttpOptions options) : options_(options) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
}

CurlForgeHttp::~CurlForgeHttp() { curl_global_cleanup(); }

core::Result<HttpResponse> CurlForgeHttp::send(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return std::unexpected(forgeUnavailable("cannot create a curl handle"));
  CURL* c = easy.get();
  curl_slist* headerList = nullptr;
  for (const auto& [name, value] : request.headers) {
    std::string line = name;
    line.append(": ").append(value);
    headerList = curl_slist_append(headerList, line.c_str());
  }
  headerList = curl_slist_append(headerList, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, ListDeleter> headers(headerList);
  Transfer transfer;
  transfer.maxBytes = options_.maxResponseBytes;
  char errorBuffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROXY, "");  // the configured API URL is the peer, not an env proxy
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connectTimeoutMs));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeoutMs));
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errorBuffer);
  const CURLcode rc = curl_easy_perform(c);
  if (transfer.tooLarge)
    return std::unexpected(forgeUnavailable(describe(request) + ": answer larger than " +
                                            std::to_string(options_.maxResponseBytes) + " bytes"));
  if (rc != CURLE_OK) {
    std::string message = describe(request);
    message.append(": ").append(curl_easy_strerror(rc));
    if (errorBuffer[0]) message.append(" (").append(errorBuffer).append(")");
    return std::unexpected(forgeUnavailable(std::move(message)));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  transfer.response.status = static_cast<int>(status);
  transfer.response.durationMs =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  return std::move(transfer.response);
}

}  // namespace forgehook::forge
