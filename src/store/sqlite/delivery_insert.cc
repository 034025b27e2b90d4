#include "store/sqlite/delivery_insert.h"

namespace forgehook::store::sqlite {

const char* const kInsertDeliverySql =
    "INSERT INTO deliveries (id, forge, hook_id, delivery_id, event, action, repository, sender, received_at, "
    "last_attempt_at, body_size, content_type, verification, source, body_segment, body_offset, body_length) "
    "VALUES (?16, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
    "ON CONFLICT (forge, hook_id, delivery_id) DO UPDATE SET attempts = attempts + 1, "
    "last_attempt_at = excluded.received_at RETURNING id, attempts";

void bindDelivery(Statement& insert, const NewDelivery& d, JournalLocation at, std::int64_t id) {
  insert.bind(1, d.forge).bind(2, d.hookId).bind(3, d.deliveryId).bind(4, d.event).bind(5, d.action);
  insert.bind(6, d.repository).bind(7, d.sender).bind(8, d.receivedAt).bind(9, d.bodySize);
  insert.bind(10, d.contentType).bind(11, d.verification).bind(12, d.source);
  insert.bind(13, at.segment).bind(14, at.offset).bind(15, at.length);
  if (id > 0)
    insert.bind(16, id);
  else
    insert.bindNull(16);
}

}  // namespace forgehook::store::sqlite
