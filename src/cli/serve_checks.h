#pragma once
// What `serve` refuses beyond core::loadConfig, checked without starting anything, so that
// `forgehook config --check` agrees with `forgehook serve`.
// TODO(core): the listen-address check repeats app/service.cc's serverOptions() and
// http::HttpServer::start(); it belongs in core/ next to loadConfig, called by both.
#include <string>
#include <vector>

#include "core/config.h"

namespace forgehook::cli {

// Every problem that would stop `serve` with `config`, one message each; empty when it would start.
[[nodiscard]] std::vector<std::string> serveProblems(const core::Config& config);

// "HOST:PORT" with HOST an IP address (or localhost, or [IPv6]) and PORT 0-65535; the reason otherwise.
[[nodiscard]] std::string listenAddressProblem(const std::string& listen);

}  // namespace forgehook::cli
