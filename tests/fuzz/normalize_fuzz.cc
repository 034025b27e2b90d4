// Payload normalization (model::normalize, every mapper: GitHub, Gitea/Forgejo, GitLab) on any body.
// Input, as text: line 1 "FORGE EVENT [form]" (the delivery's forge and event header, and whether
// the body is a form with the JSON in `payload`; GitLab dispatches on the payload's object_kind, so
// its event may be anything), the rest the body. The mappers are forgiving by contract: any JSON
// gives records or nothing, never an exception, and the same delivery always gives the same records.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "fuzz/fuzz_check.h"
#include "model/normalize.h"

namespace {

using namespace forgehook;
using fuzz::check;

std::string_view nextWord(std::string_view& line) {
  const auto space = line.find(' ');
  const auto word = line.substr(0, space);
  line = space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
  return word;
}

store::QueuedDelivery deliveryOf(std::string_view text) {
  const auto nl = text.find('\n');
  std::string_view line = text.substr(0, nl);
  store::QueuedDelivery d;
  d.id = 1;
  d.forge = nextWord(line);
  d.event = nextWord(line);
  d.contentType = nextWord(line) == "form" ? "application/x-www-form-urlencoded" : "application/json";
  d.receivedAt = 1'700'000'000'000'000;
  d.rawBody = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  return d;
}

// Everything of a result two runs must agree on (ProcessedDelivery has no operator==): the
// activity line, the event key, every write with its key and field values, the incident scopes.
std::string fingerprint(const store::ProcessedDelivery& p) {
  std::string out;
  for (const auto& part : {p.activity.summary, p.activity.url, p.activity.actor, p.activity.kind, p.eventKey})
    out.append(part).append("\n");
  const auto appendFields = [&out](const std::vector<store::Field>& fields) {
    for (const auto& f : fields) {
      out.append(f.name).append("=");
      std::visit(
          [&out](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::monostate>)
              out.append("null");
            else if constexpr (std::is_same_v<V, std::string>)
              out.append("'").append(v).append("'");
            else
              out.append(std::to_string(v));
          },
          f.value);
      out.append(";");
    }
  };
  for (const auto& w : p.writes) {
    out.append(w.table).append(":").append(std::to_string(w.version));
    out.append(":").append(std::to_string(static_cast<int>(w.mode))).append(":");
    appendFields(w.key);
    out.append("|");
    appendFields(w.fields);
    out.append("\n");
  }
  for (const auto& scope : p.incidentScopes)
    out.append(scope.forge)
        .append("/")
        .append(scope.repoId)
        .append("/")
        .append(scope.workflow)
        .append("/")
        .append(scope.branch);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto delivery = deliveryOf(std::string_view(reinterpret_cast<const char*>(data), size));
  const auto processed = model::normalize(delivery);
  if (!processed) {
    check(processed.error().reason == "unreadable_payload", "normalize fails only with unreadable_payload");
    return 0;
  }
  check(processed->forge == delivery.forge, "the records are of the delivery's forge");
  check(!processed->activity.summary.empty(), "every delivery has an activity summary");
  for (const auto& w : processed->writes)
    check(!w.table.empty() && !w.key.empty(), "every entity write names its table and key");
  const auto& key = processed->eventKey;
  check(key.empty() || key.starts_with(delivery.event + ":"), "an event key starts with its event");
  const auto again = model::normalize(delivery);
  check(again && fingerprint(*again) == fingerprint(*processed), "normalize is pure: the same records twice");
  return 0;
}
