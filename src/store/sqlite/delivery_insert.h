#pragma once
// The one statement that makes a delivery's row from its body-journal record. Intake's indexing
// and start-up recovery (delivery_log.cc) and a backup indexing the journal's tail (backup.cc) all
// use it: they must give the same rows, and the same ids for the same records in the same order.
#include <cstdint>

#include "store/delivery.h"
#include "store/sqlite/body_journal.h"
#include "store/sqlite/statement.h"

namespace forgehook::store::sqlite {

// A new identity (forge, hook id, delivery id) makes a row; a stored one gains an attempt instead.
// The first step returns the row's id and attempts (1 = a new row).
extern const char* const kInsertDeliverySql;

// Binds `d`, where its record is, and the id its row takes (0: the next free one, max(id) + 1) to
// a statement of kInsertDeliverySql.
void bindDelivery(Statement& insert, const NewDelivery& d, JournalLocation at, std::int64_t id = 0);

}  // namespace forgehook::store::sqlite
