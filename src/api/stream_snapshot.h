#pragma once
// A stream's snapshot (`snapshot=true` on GET /api/v1/events or /api/v1/stream): the current rows of
// the resources the stream's filter names, read in one transaction with the change feed's newest
// seq, sent before any change; the stream then follows the feed from that seq, so nothing is missed
// or repeated in between. Sent in chunks as the client reads them (never more than half the
// stream's queue at once), so a large snapshot costs a slow client no more memory than changes do.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "http/stream.h"
#include "live/change_hub.h"
#include "store/activity_reader.h"

namespace forgehook::api {

// Rows of each resource sent at most (newest first); past it the resource is listed in
// snapshot_end's `truncated`, and the client pages the rest through the list API.
inline constexpr int kSnapshotRowsPerResource = 500;

// The list resources a filter's snapshot covers, with its repository, forge and kinds.
// Deliveries are history, not state: never in a snapshot.
[[nodiscard]] std::vector<store::ResourceQuery> snapshotQueries(const live::ChangeFilter& filter);

// The wire messages of a snapshot, for SSE (`event: snapshot` blocks, then `snapshot_end` with
// `id:` = seq) or WebSocket ({"type":"snapshot",...}, then {"type":"snapshot_end",...}). Each row
// chunk stays under `chunkBytes` unless one row alone is larger.
[[nodiscard]] std::vector<http::StreamMessage> snapshotMessages(const std::vector<store::ResourceQuery>& queries,
                                                                const store::ActivityReader::Snapshot& snapshot,
                                                                bool sse, std::size_t chunkBytes);

// Reads the snapshot and sends it on `sink`; then calls `follow(seq)` (on a thread that may block
// briefly). When the store cannot be read, the stream closes (1011) and `follow` is never called.
void sendSnapshot(store::ActivityReader& reader, const live::ChangeFilter& filter, bool sse,
                  std::shared_ptr<http::StreamSink> sink, std::function<void(std::int64_t)> follow);

}  // namespace forgehook::api
