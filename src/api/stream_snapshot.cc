#include "api/stream_snapshot.h"

#include <algorithm>
#include <deque>

#include "core/json_text.h"
#include "store/resources.h"

namespace forgehook::api {
namespace {

constexpr int kCloseInternalError = 1011;

bool wanted(const live::ChangeFilter& filter, std::string_view name) {
  if (!filter.kinds.empty() && name != "activity") return false;  // kinds select activity lines only
  return filter.resources.empty() ||
         std::find(filter.resources.begin(), filter.resources.end(), name) != filter.resources.end();
}

// One message: SSE `event: NAME` with `fields` as the data object (and an id when given), or the
// WebSocket object {"type":"NAME", fields...}.
http::StreamMessage message(bool sse, std::string_view name, const std::string& fields, const std::string& id = {}) {
  std::string out;
  if (sse) {
    if (!id.empty()) out.append("id: ").append(id).append("\n");
    out.append("event: ").append(name).append("\ndata: {").append(fields).append("}\n\n");
  } else {
    out.append("{\"type\":");
    core::appendJsonString(out, name);
    out.append(",").append(fields).append("}");
  }
  return std::make_shared<const std::string>(std::move(out));
}

// Sends what is queued while the stream has room; waits for the client to read otherwise.
class SnapshotSender : public std::enable_shared_from_this<SnapshotSender> {
 public:
  SnapshotSender(std::shared_ptr<http::StreamSink> sink, std::vector<http::StreamMessage> messages,
                 std::function<void()> done)
      : sink_(std::move(sink)), messages_(messages.begin(), messages.end()), done_(std::move(done)) {}

  void next() {
    const std::size_t room = sink_->queueLimit() / 2;
    while (!messages_.empty()) {
      const auto queued = sink_->queuedBytes();
      if (queued > 0 && queued + messages_.front()->size() > room) {
        sink_->whenQueuedBelow(room / 2, [self = shared_from_this()] { self->next(); });
        return;
      }
      if (!sink_->send(messages_.front())) return;  // closed (or too large even alone: dropped)
      messages_.pop_front();
    }
    done_();
  }

 private:
  std::shared_ptr<http::StreamSink> sink_;
  std::deque<http::StreamMessage> messages_;
  std::function<void()> done_;
};

}  // namespace

std::vector<store::ResourceQuery> snapshotQueries(const live::ChangeFilter& filter) {
  std::vector<store::ResourceQuery> out;
  for (const auto& spec : store::resourceSpecs()) {
    if (!wanted(filter, spec.name)) continue;
    store::ResourceQuery q;
    q.resource = spec.resource;
    q.forge = filter.forge;
    q.repository = filter.repository;
    if (spec.name == "activity") q.kinds = filter.kinds;
    q.limit = kSnapshotRowsPerResource;
    out.push_back(std::move(q));
  }
  return out;
}

std::vector<http::StreamMessage> snapshotMessages(const std::vector<store::ResourceQuery>& queries,
                                                  const store::ActivityReader::Snapshot& snapshot, bool sse,
                                                  std::size_t chunkBytes) {
  std::vector<http::StreamMessage> out;
  std::string truncated;
  auto emit = [&](std::string_view resource, const std::string& rows) {
    std::string fields;
    fields.append("\"resource\":");
    core::appendJsonString(fields, resource);
    fields.append(",\"rows\":[").append(rows).append("]");
    out.push_back(message(sse, "snapshot", fields));
  };
  for (std::size_t i = 0; i < queries.size() && i < snapshot.pages.size(); ++i) {
    const auto name = store::specOf(queries[i].resource).name;
    const auto& page = snapshot.pages[i];
    std::string rows;
    for (const auto& row : page.items) {
      if (!rows.empty() && rows.size() + row.size() > chunkBytes) {
        emit(name, rows);
        rows.clear();
      }
      if (!rows.empty()) rows += ',';
      rows += row;
    }
    emit(name, rows);  // every resource once at least, so an empty one says it is empty
    if (page.nextCursor) {
      if (!truncated.empty()) truncated += ',';
      core::appendJsonString(truncated, name);
    }
  }
  const std::string seq = std::to_string(snapshot.seq);
  std::string fields;
  fields.append("\"seq\":").append(seq).append(",\"truncated\":[").append(truncated).append("]");
  out.push_back(message(sse, "snapshot_end", fields, seq));
  return out;
}

void sendSnapshot(store::ActivityReader& reader, const live::ChangeFilter& filter, bool sse,
                  std::shared_ptr<http::StreamSink> sink, std::function<void(std::int64_t)> follow) {
  const auto queries = snapshotQueries(filter);
  auto snapshot = reader.snapshot(queries);
  if (!snapshot) {
    sink->close(
        kCloseInternalError, "snapshot unavailable",
        "event: error\ndata: {\"error\":\"store_unavailable\",\"message\":\"the snapshot could not be read\"}\n\n");
    return;
  }
  auto messages = snapshotMessages(queries, *snapshot, sse, sink->queueLimit() / 4);
  auto sender = std::make_shared<SnapshotSender>(std::move(sink), std::move(messages),
                                                 [follow = std::move(follow), seq = snapshot->seq] { follow(seq); });
  sender->next();
}

}  // namespace forgehook::api
