#pragma once
// The body journal: each delivery, headers and encoded body included, appended to a segment file
// in <data_dir>/bodies/ and fdatasync'ed once per commit group. It is what makes an acknowledged
// delivery durable: the SQLite rows that index it (deliveries.body_segment/offset/length) commit
// without an fsync of their own, and whatever a power cut took from them is inserted again at
// start from the journal (SqliteDeliveryLog::recover). The body's bytes are written once, not into
// SQLite's log and then again into its database file.
//
// A record: 16-byte header (magic "FHB1", payload length, zlib crc32 of the payload, zero) and the
// payload (the NewDelivery's fields, length-prefixed). Segments are named by number
// (00000001.seg ...), grow in preallocated steps and are sealed at segmentBytes; the newest is the
// one appended to. A journal directory carries the id of the database that indexes it
// (journal-id): a directory of another database (a restored backup, a deleted database file) is
// moved aside, never read as this one's.
//
// Appends are serialized by the caller (SqliteDeliveryLog holds one lock across append and
// commit); reads and segment removal may run on any thread.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/delivery.h"

namespace forgehook::store::sqlite {

// Where the journal's end was when the index last committed: records from here on are not
// indexed yet.
struct JournalPosition {
  std::int64_t segment = 1;
  std::int64_t offset = 0;
};

// One record: the values deliveries.body_segment, body_offset and body_length hold.
struct JournalLocation {
  std::int64_t segment = 0;
  std::int64_t offset = 0;
  std::int64_t length = 0;  // header and payload
};

class BodyJournal {
 public:
  struct Options {
    std::filesystem::path dir;                  // <data_dir>/bodies
    std::string journalId;                      // the indexing database's id (journal_state)
    bool sync = true;                           // fdatasync each append (store.synchronous=full)
    std::int64_t segmentBytes = 64ll << 20;     // a segment is sealed once it reaches this size
    std::int64_t preallocateBytes = 4ll << 20;  // the file grows ahead of its end in steps of this
    // 0 = no cap; else appends are refused (store_full) while the journal and `otherBytes()` (the
    // database's own files) would pass it: store.max_bytes covers both.
    std::int64_t maxBytes = 0;
    std::function<std::int64_t()> otherBytes;
  };

  // Opens or creates the directory. Throws std::runtime_error when it cannot (start-up only).
  explicit BodyJournal(Options options);
  ~BodyJournal();
  BodyJournal(const BodyJournal&) = delete;
  BodyJournal& operator=(const BodyJournal&) = delete;

  // Start-up, before the first append: calls `each` for every whole record from `from` on, in
  // order, and makes the end of the last one the append position (a torn tail is cut off).
  // Throws std::runtime_error when a segment cannot be read.
  void recover(JournalPosition from, const std::function<void(NewDelivery&&, JournalLocation)>& each);

  // Appends the batch and (Options::sync) makes it durable. One location per delivery, in order.
  // Errors: Unavailable "store_full" (no room on the disk, or past maxBytes), "store_unavailable".
  [[nodiscard]] core::Result<std::vector<JournalLocation>> append(std::span<const NewDelivery> batch);

  // Where the next record goes: the index's end after it committed what append() returned.
  [[nodiscard]] JournalPosition end() const;

  // The delivery stored at `at`. Errors: NotFound when its segment was removed, Internal when the
  // record is damaged, Unavailable when it cannot be read.
  [[nodiscard]] core::Result<NewDelivery> read(JournalLocation at) const;

  // Deletes a sealed segment (retention, once nothing indexed in it keeps a body). The segment
  // being appended to is never removed: false then.
  bool removeSegment(std::int64_t segment);

  // Bytes of every segment on disk.
  [[nodiscard]] std::int64_t totalBytes() const;

  // Ok unless the last append failed for lack of room and none has appeared since (the journal
  // shrank, or the filesystem gained a MiB). Errors: Unavailable "store_full".
  [[nodiscard]] core::Result<void> checkWritable() const;

  [[nodiscard]] const std::filesystem::path& dir() const { return options_.dir; }

  // The segment file of `segment` in `dir`, and one record read from there: for a reader without
  // a journal open (backup). Errors as read().
  [[nodiscard]] static std::filesystem::path segmentPath(const std::filesystem::path& dir, std::int64_t segment);
  [[nodiscard]] static core::Result<NewDelivery> readRecord(const std::filesystem::path& dir, JournalLocation at);
  // True when `dir` holds the journal of the database whose journal_state names `journalId`.
  [[nodiscard]] static bool belongsTo(const std::filesystem::path& dir, const std::string& journalId);
  // Calls `each` for every whole record in `dir` from `from` on, in order, and returns the end of
  // the last one (`from` when there is none; a torn tail is not passed on). Reads only: safe beside
  // a journal being appended to (backup). With `contiguous`, a segment missing between two others
  // (or after the one `from` is in) throws instead of being skipped: a reader that numbers records
  // in order must not skip any. The segment `from` is in may be missing, as recover() allows (a
  // segment deleted by hand): the next one then holds what follows. Throws std::runtime_error when
  // a segment cannot be read.
  static JournalPosition scan(const std::filesystem::path& dir, JournalPosition from,
                              const std::function<void(NewDelivery&&, JournalLocation)>& each,
                              bool contiguous = false);

 private:
  void openForAppend(std::int64_t segment, std::int64_t offset);
  core::Result<void> roll();
  core::Result<void> reserve(std::int64_t bytes);
  core::Error noRoom(int err);
  [[nodiscard]] std::int64_t diskFreeBytes() const;

  Options options_;
  mutable std::mutex mutex_;  // the fields below
  int fd_ = -1;               // the segment appended to
  std::int64_t segment_ = 1;
  std::int64_t offset_ = 0;       // its logical end
  std::int64_t allocated_ = 0;    // its size on disk (preallocated past offset_)
  std::int64_t sealedBytes_ = 0;  // the other segments' bytes
  bool full_ = false;             // the last append failed for lack of room
  std::int64_t bytesAtFull_ = 0;
  std::int64_t diskFreeAtFull_ = -1;
  std::string buffer_;  // the batch's records, written with one pwrite
};

}  // namespace forgehook::store::sqlite
