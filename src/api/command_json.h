#pragma once
// A command run as the API shows it in full (GET /api/v1/commands/{id}): the fields of the list
// (store/resources.h, "commands") and what ran: argv, env, workdir, payload, output.
#include <nlohmann/json_fwd.hpp>

#include "store/command_run_store.h"

namespace forgehook::api {

[[nodiscard]] nlohmann::json commandRunJson(const store::CommandRun& run);

}  // namespace forgehook::api
