#include "store/sqlite/body_journal.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace forgehook::store::sqlite {
namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kMagic = 0x31424846;  // "FHB1" little-endian
constexpr std::size_t kHeaderBytes = 16;
constexpr const char* kIdFile = "journal-id";
constexpr int kFullRetryAfterSeconds = 30;
constexpr std::int64_t kRoomToRetry = 1 << 20;

void put32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void put64(std::string& out, std::int64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
void putString(std::string& out, std::string_view s) {
  put32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

std::uint32_t crcOf(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// Appends one record (header and payload) to `out`.
void encodeRecord(std::string& out, const NewDelivery& d) {
  const auto start = out.size();
  out.append(kHeaderBytes, '\0');
  for (const std::string* s : {&d.forge, &d.hookId, &d.deliveryId, &d.event, &d.action, &d.repository, &d.sender,
                               &d.contentType, &d.verification, &d.headersJson, &d.bodyEncoding, &d.source})
    putString(out, *s);
  put64(out, d.receivedAt);
  put64(out, d.bodySize);
  out.push_back(d.isPing ? 1 : 0);
  putString(out, d.body);
  const std::string_view payload(out.data() + start + kHeaderBytes, out.size() - start - kHeaderBytes);
  const std::uint32_t header[4] = {kMagic, static_cast<std::uint32_t>(payload.size()), crcOf(payload), 0};
  std::memcpy(out.data() + start, header, kHeaderBytes);
}

// Reads the fields encodeRecord wrote, every length checked against what is left.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view in) : in_(in) {}
  bool string(std::string& out) {
    std::uint32_t n = 0;
    if (!raw(&n, 4) || n > in_.size()) return false;
    out.assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool raw(void* out, std::size_t n) {
    if (in_.size() < n) return false;
    std::memcpy(out, in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  [[nodiscard]] bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

bool decodePayload(std::string_view payload, NewDelivery& d) {
  PayloadReader r(payload);
  for (std::string* s : {&d.forge, &d.hookId, &d.deliveryId, &d.event, &d.action, &d.repository, &d.sender,
                         &d.contentType, &d.verification, &d.headersJson, &d.bodyEncoding, &d.source})
    if (!r.string(*s)) return false;
  char ping = 0;
  if (!r.raw(&d.receivedAt, 8) || !r.raw(&d.bodySize, 8) || !r.raw(&ping, 1) || !r.string(d.body)) return false;
  d.isPing = ping != 0;
  return r.done();
}

// The whole record at the start of `bytes`, decoded into `out`: its length, or 0 when there is
// none (zeros past the end, a torn write, another record's remains).
std::size_t recordAt(std::string_view bytes, NewDelivery& out) {
  if (bytes.size() < kHeaderBytes) return 0;
  std::uint32_t header[4];
  std::memcpy(header, bytes.data(), kHeaderBytes);
  if (header[0] != kMagic || header[3] != 0 || header[1] > bytes.size() - kHeaderBytes) return 0;
  const auto payload = bytes.substr(kHeaderBytes, header[1]);
  if (crcOf(payload) != header[2]) return 0;
  if (!decodePayload(payload, out)) return 0;
  return kHeaderBytes + header[1];
}

std::string ioError(const std::string& what, int err) {
  return "store cannot commit: " + what + ": " + std::strerror(err);
}

void syncDirectory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// Segment numbers present in `dir`, ascending.
std::vector<std::int64_t> listSegments(const fs::path& dir) {
  std::vector<std::int64_t> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (name.size() != 12 || !name.ends_with(".seg")) continue;
    const auto digits = name.substr(0, 8);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) continue;
    out.push_back(std::stoll(digits));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The bytes of `path` from `offset` to its end ("" when it is shorter).
std::string readFrom(const fs::path& path, std::int64_t offset) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::int64_t>(in.tellg());
  if (!in || size <= offset) return {};
  std::string out(static_cast<std::size_t>(size - offset), '\0');
  in.seekg(offset);
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

// A directory that is not this database's journal is kept, renamed, never appended to or read.
void moveAside(const fs::path& dir) {
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  fs::rename(dir, dir.string() + ".orphaned-" + std::to_string(now));
}

}  // namespace

fs::path BodyJournal::segmentPath(const fs::path& dir, std::int64_t segment) {
  char name[32];
  std::snprintf(name, sizeof name, "%08lld.seg", static_cast<long long>(segment));
  return dir / name;
}

bool BodyJournal::belongsTo(const fs::path& dir, const std::string& journalId) {
  const auto idFile = dir / kIdFile;
  return fs::exists(idFile) && readFrom(idFile, 0) == journalId;
}

BodyJournal::BodyJournal(Options options) : options_(std::move(options)) {
  const auto& dir = options_.dir;
  const auto idFile = dir / kIdFile;
  if (fs::exists(dir)) {
    const bool ours = belongsTo(dir, options_.journalId);
    if (!ours && (fs::exists(idFile) || !listSegments(dir).empty())) moveAside(dir);
  }
  fs::create_directories(dir);
  if (!fs::exists(idFile)) {
    // Synced before the rename: an id file left empty by a power cut would make the next start
    // move this journal aside as another database's.
    const auto temp = dir / (std::string(kIdFile) + ".new");
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const bool written = fd >= 0 &&
                         ::write(fd, options_.journalId.data(), options_.journalId.size()) ==
                             static_cast<ssize_t>(options_.journalId.size()) &&
                         ::fsync(fd) == 0;
    const int err = errno;
    if (fd >= 0) ::close(fd);
    if (!written) throw std::runtime_error(ioError("cannot write " + temp.string(), err));
    fs::rename(temp, idFile);
    syncDirectory(dir);
    syncDirectory(dir.parent_path());
  }
  fs::permissions(dir, fs::perms::owner_all);
}

BodyJournal::~BodyJournal() {
  if (fd_ >= 0) ::close(fd_);
}

JournalPosition BodyJournal::scan(const fs::path& dir, JournalPosition from,
                                  const std::function<void(NewDelivery&&, JournalLocation)>& each, bool contiguous) {
  JournalPosition end = from;
  std::int64_t expected = from.offset > 0 ? from.segment : -1;  // -1: the first one found
  for (const auto segment : listSegments(dir)) {
    if (segment < from.segment) continue;
    // As recover(): the segment `from` is in may be gone (deleted by hand), the next one then
    // holds what follows. (Retention never removes it while it holds records past `from`.)
    if (contiguous && expected == from.segment && segment == from.segment + 1) expected = segment;
    if (contiguous && expected >= 0 && segment != expected)
      throw std::runtime_error("the body journal in " + dir.string() + " has no segment " + std::to_string(expected) +
                               " (removed while it was read, or by hand)");
    expected = segment + 1;
    // From the index's end only: what lies before it is indexed (a 64 MiB segment is not read
    // at every start).
    const std::int64_t start = segment == from.segment ? from.offset : 0;
    const auto bytes = readFrom(segmentPath(dir, segment), start);
    std::size_t at = 0;
    for (;;) {
      NewDelivery d;
      const auto n = recordAt(std::string_view(bytes).substr(at), d);
      if (n == 0) break;
      each(std::move(d), {segment, start + static_cast<std::int64_t>(at), static_cast<std::int64_t>(n)});
      at += n;
    }
    end = {segment, start + static_cast<std::int64_t>(at)};
  }
  return end;
}

void BodyJournal::recover(JournalPosition from, const std::function<void(NewDelivery&&, JournalLocation)>& each) {
  std::lock_guard lock(mutex_);
  const auto segments = listSegments(options_.dir);
  const auto end = scan(options_.dir, from, each);
  std::int64_t appendSegment = end.segment;
  std::int64_t appendOffset = end.offset;
  // The index names records up to `from` in a segment that is gone (deleted by hand): new records
  // must not take numbers and offsets rows already point at.
  if (!fs::exists(segmentPath(options_.dir, appendSegment)) && appendOffset > 0) {
    ++appendSegment;
    appendOffset = 0;
  }
  sealedBytes_ = 0;
  for (const auto segment : segments)
    if (segment != appendSegment)
      sealedBytes_ += static_cast<std::int64_t>(fs::file_size(segmentPath(options_.dir, segment)));
  openForAppend(appendSegment, appendOffset);
}

void BodyJournal::openForAppend(std::int64_t segment, std::int64_t offset) {
  const auto path = segmentPath(options_.dir, segment);
  const bool existed = fs::exists(path);
  // Into a local first: a failure leaves the journal on the segment it had.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error(ioError("cannot open " + path.string(), errno));
  // Whatever lies past the end (a torn record, preallocated zeros) goes: the next record is the
  // first thing after the end.
  if (::ftruncate(fd, offset) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::runtime_error(ioError("cannot truncate " + path.string(), err));
  }
  if (options_.sync) ::fdatasync(fd);
  if (!existed) syncDirectory(options_.dir);
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
  segment_ = segment;
  offset_ = offset;
  allocated_ = offset;
}

core::Error BodyJournal::noRoom(int err) {
  full_ = true;
  bytesAtFull_ = sealedBytes_ + allocated_;
  diskFreeAtFull_ = err == 0 ? -1 : diskFreeBytes();
  return core::Error::unavailable("store_full", "store cannot commit: no room left (disk or store.max_bytes)",
                                  kFullRetryAfterSeconds);
}

std::int64_t BodyJournal::diskFreeBytes() const {
  struct statvfs fs {};
  if (statvfs(options_.dir.c_str(), &fs) != 0) return -1;
  return static_cast<std::int64_t>(fs.f_bavail) * static_cast<std::int64_t>(fs.f_frsize);
}

core::Result<void> BodyJournal::roll() {
  // Sealed: cut to its end (no preallocated tail) and durable before the next segment exists, so
  // recovery can read a sealed segment to its end and go on with the next.
  if (::ftruncate(fd_, offset_) != 0 || (options_.sync && ::fdatasync(fd_) != 0))
    return std::unexpected(
        core::Error::unavailable("store_unavailable", ioError("cannot seal a journal segment", errno), 1));
  allocated_ = offset_;
  const auto sealed = offset_;
  try {
    openForAppend(segment_ + 1, 0);
  } catch (const std::exception& e) {
    return std::unexpected(core::Error::unavailable("store_unavailable", e.what(), 1));
  }
  sealedBytes_ += sealed;
  return {};
}

core::Result<void> BodyJournal::reserve(std::int64_t bytes) {
  if (offset_ + bytes <= allocated_) return {};
  // Under store.max_bytes the file grows by what is written: preallocated room would count.
  const auto step = options_.maxBytes > 0 ? 1 : options_.preallocateBytes;
  const auto want = (offset_ + bytes + step - 1) / step * step;
  // Allocated ahead: a write into the file's own blocks leaves fdatasync little metadata to flush,
  // and a full disk shows here, before anything of the batch is written.
  if (const int rc = ::posix_fallocate(fd_, allocated_, want - allocated_); rc != 0) {
    if (rc == ENOSPC || rc == EDQUOT) return std::unexpected(noRoom(rc));
    if (rc != EOPNOTSUPP && rc != EINVAL)
      return std::unexpected(
          core::Error::unavailable("store_unavailable", ioError("cannot grow the body journal", rc), 1));
    return {};  // a filesystem without fallocate: the writes extend the file
  }
  allocated_ = want;
  return {};
}

core::Result<std::vector<JournalLocation>> BodyJournal::append(std::span<const NewDelivery> batch) {
  std::lock_guard lock(mutex_);
  if (fd_ < 0)  // recover() finds where the journal ends; appending blind could overwrite records
    return std::unexpected(core::Error::internal("the body journal was not recovered before its first append"));
  buffer_.clear();
  std::vector<std::size_t> starts;
  starts.reserve(batch.size());
  for (const auto& d : batch) {
    starts.push_back(buffer_.size());
    encodeRecord(buffer_, d);
  }
  const auto size = static_cast<std::int64_t>(buffer_.size());
  if (offset_ > 0 && offset_ + size > options_.segmentBytes)
    if (auto rolled = roll(); !rolled) return std::unexpected(rolled.error());
  if (options_.maxBytes > 0) {
    const auto other = options_.otherBytes ? options_.otherBytes() : 0;
    if (sealedBytes_ + offset_ + size + other > options_.maxBytes) return std::unexpected(noRoom(0));
  }
  if (auto room = reserve(size); !room) return std::unexpected(room.error());
  // A batch that fails after its first write is cut off again: its whole records past the end
  // would otherwise be indexed by the next start although their senders were told 503.
  const auto cutOff = [&](core::Error error) -> core::Result<std::vector<JournalLocation>> {
    if (::ftruncate(fd_, offset_) == 0) allocated_ = offset_;
    return std::unexpected(std::move(error));
  };
  std::int64_t written = 0;
  while (written < size) {
    const auto n = ::pwrite(fd_, buffer_.data() + written, static_cast<std::size_t>(size - written), offset_ + written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      if (err == ENOSPC || err == EDQUOT) return cutOff(noRoom(err));
      return cutOff(core::Error::unavailable("store_unavailable", ioError("cannot write the body journal", err), 1));
    }
    written += n;
  }
  if (options_.sync && ::fdatasync(fd_) != 0) {
    const int err = errno;
    if (err == ENOSPC || err == EDQUOT) return cutOff(noRoom(err));
    return cutOff(core::Error::unavailable("store_unavailable", ioError("cannot sync the body journal", err), 1));
  }
  std::vector<JournalLocation> out;
  out.reserve(batch.size());
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const auto next = i + 1 < starts.size() ? starts[i + 1] : buffer_.size();
    out.push_back(
        {segment_, offset_ + static_cast<std::int64_t>(starts[i]), static_cast<std::int64_t>(next - starts[i])});
  }
  offset_ += size;
  allocated_ = std::max(allocated_, offset_);
  full_ = false;
  if (buffer_.capacity() > (8u << 20)) std::string().swap(buffer_);  // one huge batch does not pin its memory
  return out;
}

JournalPosition BodyJournal::end() const {
  std::lock_guard lock(mutex_);
  return {segment_, offset_};
}

core::Result<NewDelivery> BodyJournal::readRecord(const fs::path& dir, JournalLocation at) {
  const auto path = segmentPath(dir, at.segment);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return std::unexpected(
          core::Error::notFound("the body's journal segment " + std::to_string(at.segment) + " is gone"));
    return std::unexpected(
        core::Error::unavailable("store_unavailable", "cannot open " + path.string() + ": " + std::strerror(errno), 1));
  }
  std::string bytes(static_cast<std::size_t>(at.length), '\0');
  std::int64_t got = 0;
  while (got < at.length) {
    const auto n = ::pread(fd, bytes.data() + got, static_cast<std::size_t>(at.length - got), at.offset + got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += n;
  }
  ::close(fd);
  NewDelivery d;
  if (got != at.length || recordAt(bytes, d) != bytes.size())
    return std::unexpected(core::Error::internal("the body journal record at " + path.filename().string() + ":" +
                                                 std::to_string(at.offset) + " is damaged"));
  return d;
}

core::Result<NewDelivery> BodyJournal::read(JournalLocation at) const { return readRecord(options_.dir, at); }

bool BodyJournal::removeSegment(std::int64_t segment) {
  std::lock_guard lock(mutex_);
  if (segment >= segment_) return false;
  const auto path = segmentPath(options_.dir, segment);
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) return true;  // already gone
  if (!fs::remove(path, ec) || ec) return false;
  sealedBytes_ -= static_cast<std::int64_t>(size);
  return true;
}

std::int64_t BodyJournal::totalBytes() const {
  std::lock_guard lock(mutex_);
  return sealedBytes_ + allocated_;
}

core::Result<void> BodyJournal::checkWritable() const {
  std::lock_guard lock(mutex_);
  if (!full_) return {};
  if (sealedBytes_ + allocated_ < bytesAtFull_) return {};
  if (diskFreeAtFull_ >= 0 && diskFreeBytes() >= diskFreeAtFull_ + kRoomToRetry) return {};
  if (diskFreeAtFull_ < 0 && options_.maxBytes > 0) {
    const auto other = options_.otherBytes ? options_.otherBytes() : 0;
    if (sealedBytes_ + offset_ + other + kRoomToRetry <= options_.maxBytes) return {};
  }
  return std::unexpected(core::Error::unavailable(
      "store_full", "store cannot commit: no room left (disk or store.max_bytes)", kFullRetryAfterSeconds));
}

}  // namespace forgehook::store::sqlite
