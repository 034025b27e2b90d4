#pragma once
// The one definition of the activity model's list resources: their names (the path
// /api/v1/<name> and the CLI command), the filters each accepts, the values of each one's `state`,
// and the fields of each row in the order the API returns them. The query API validates against
// it, the CLI builds its flags and table columns from it, and the SQLite reader builds one SQL
// expression per field (a test checks they match). Plain data: no SQL, no JSON library.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace forgehook::store {

enum class Resource {
  Pulls,
  Reviews,
  Issues,
  Items,
  Runs,
  Incidents,
  Releases,
  Branches,
  Milestones,
  Deployments,
  Repositories,
  Activity,
  Commands,
};

inline constexpr std::size_t kResourceCount = 13;

// Filters a list resource may accept, as bits of ResourceSpec::filters. forge, repository, limit
// and cursor are accepted by every resource.
enum Filter : std::uint32_t {
  kFilterActor = 1u << 0,   // actor=LOGIN (owner=LOGIN for items: see actorParam)
  kFilterState = 1u << 1,   // state=one of ResourceSpec::states
  kFilterNumber = 1u << 2,  // number=N (a pull request or issue)
  kFilterTime = 1u << 3,    // since, until, timeframe on the resource's own time
  kFilterKind = 1u << 4,    // kind=event,event (activity)
};

struct ResourceSpec {
  Resource resource;
  std::string_view name;                      // "pulls"
  std::string_view summary;                   // one line for help texts
  std::uint32_t filters;                      // Filter bits
  std::string_view actorParam;                // the parameter's name: "actor", or "owner" for planned items
  std::string_view actorMeans;                // what it matches ("author"), empty without kFilterActor
  std::string_view timeMeans;                 // what since/until compare ("created"), empty without kFilterTime
  std::span<const std::string_view> states;   // accepted state= values; empty without kFilterState
  std::span<const std::string_view> fields;   // every field of a row, in API order
  std::span<const std::string_view> columns;  // the CLI table's default columns (a subset of fields)
};

// Every list resource, in the order of docs/API.md.
[[nodiscard]] std::span<const ResourceSpec> resourceSpecs();
// The spec named `name`, or nullptr.
[[nodiscard]] const ResourceSpec* findResource(std::string_view name);
[[nodiscard]] const ResourceSpec& specOf(Resource resource);
[[nodiscard]] inline bool accepts(const ResourceSpec& spec, Filter f) { return (spec.filters & f) != 0; }

}  // namespace forgehook::store
