#pragma once
// A streamed GET for the CLI: the response body is handed over piece by piece as it arrives
// (chunked or not), for answers that do not end by themselves, such as Server-Sent Events. The
// exchange can be stopped from another thread. Beast stays in the .cc.
#include <chrono>
#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include "cli/http_client.h"

namespace forgehook::cli {

// How a streamed GET ended.
struct HttpStreamEnd {
  int status = 0;        // the response's status; 0 when no response head arrived
  std::string body;      // a non-2xx response's body (up to 64 KiB); a 2xx body went to onData
  std::string error;     // why it ended early (unreachable, dropped, timed out); empty when the
                         // server ended the response or the stop was requested
  bool stopped = false;  // `stop` was requested
};

struct HttpStreamOptions {
  std::chrono::milliseconds connectTimeout{10'000};  // resolve + connect + send the request
  std::chrono::milliseconds readTimeout{90'000};     // between two pieces of the answer
};

// GET `url` with `headers`; on a 2xx answer calls onData(piece) for each received piece of the
// body, on the calling thread, until the server ends the response, the connection drops, nothing
// arrives for options.readTimeout, or `stop` is requested (from any thread). Never throws for
// network trouble (see HttpStreamEnd::error); throws std::runtime_error for a bad URL and what
// onData throws.
[[nodiscard]] HttpStreamEnd httpGetStream(const std::string& url, const HttpHeaders& headers,
                                          const std::function<void(std::string_view)>& onData, std::stop_token stop,
                                          const HttpStreamOptions& options = {});

}  // namespace forgehook::cli
