#pragma once
// The effective configuration as JSON for `forgehook config --json`.
// TODO(core): built from core::describeConfig's text because core offers no key/value walk; a
// core::describeConfigJson (or a visitor over the keys) would keep the types exact.
#include <nlohmann/json_fwd.hpp>

#include "core/config.h"

namespace forgehook::cli {

// {"listen": "...", "server": {"threads": 0, ...}, ...}; secrets masked as "***" like describeConfig.
[[nodiscard]] nlohmann::json configJson(const core::Config& config);

}  // namespace forgehook::cli
