#pragma once
// A change record of the feed (docs/API.md, "Changes and live streams") as one line for people:
// time, seq, resource, action, id, repository and a short summary of the row.
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace forgehook::cli {

// "2026-11-30T00:41:07Z  1042  pulls       updated  3  owner/name  #7 Fix the build merged".
// The summary is made of the row's fields that say what it is and where it stands, when present:
// #number, workflow, branch, ref, tag, event, title, summary, state, status, conclusion.
[[nodiscard]] std::string changeLine(const nlohmann::json& change);

// The row's summary alone ("#7 Fix the build merged"); empty when it has none of those fields.
[[nodiscard]] std::string changeSummary(const nlohmann::json& row);

}  // namespace forgehook::cli
