#pragma once
// A list command built from the resource catalog (store/resources.h): the flags are exactly the
// filters the resource accepts, the table columns are the catalog's.
#include <nlohmann/json_fwd.hpp>

#include "store/resources.h"

namespace CLI {
class App;
}

namespace forgehook::cli {

// Makes `command` list `spec`'s resource (GET /api/v1/<name>) as a table, or the API's JSON with
// --json. When `command` has subcommands of its own (incidents ack), the list runs only when none
// of them was given. Returns `command`.
CLI::App* addResourceList(CLI::App* command, const store::ResourceSpec& spec, int& exitCode);

// Prints `rows` (objects of `spec`'s resource) as its table.
void printResourceRows(const store::ResourceSpec& spec, const nlohmann::json& rows);

}  // namespace forgehook::cli
