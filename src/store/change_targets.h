#pragma once
// Which rows of the list resources (store/resources.h) a delivery's records may change: the rows a
// change recorder reads before the records are applied and again after, to record each row that
// appeared, changed or vanished (as the API shows it). Shared by both stores' recorders.
#include <string>
#include <vector>

#include "store/activity.h"
#include "store/resources.h"

namespace forgehook::store {

struct ChangeTarget {
  Resource resource;
  std::string where;                // SQL over the resource's aliases (resource_sql.h), ?N placeholders
  std::vector<FieldValue> params;  // in placeholder order
};

// Each target once, in the order the records touch them.
[[nodiscard]] std::vector<ChangeTarget> changeTargets(const ProcessedDelivery& delivery);

}  // namespace forgehook::store
