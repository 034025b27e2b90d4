#include "rules/process_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <expected>

namespace forgehook::rules {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// How long output is still read after the group is gone: a process that left the group (setsid) may
// hold the pipe open forever.
constexpr milliseconds kDrainAfterExit{1000};
// Without a pidfd (kernels before 5.3) the leader's end is looked for this often.
constexpr milliseconds kExitPollTick{10};

class Descriptor {  // owns one file descriptor
 public:
  Descriptor() = default;
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() { reset(); }
  void reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

struct Pipe {
  Descriptor read, write;
  [[nodiscard]] bool create() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;  // CLOEXEC at once: other threads spawn too
    read.reset(fds[0]);
    write.reset(fds[1]);
    return true;
  }
};

// Blocks SIGPIPE in this thread while a child's stdin is written, so a child that exits without
// reading gives EPIPE rather than killing forgehook; a SIGPIPE raised meanwhile is discarded.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeBlocked() {
    if (sigismember(&previous_, SIGPIPE)) return;
    const timespec zero{};
    while (sigtimedwait(&pipe_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  sigset_t pipe_{};
  sigset_t previous_{};
};

std::string errnoText(int error, const std::string& what) { return std::strerror(error) + (": " + what); }

// argv[0] as posix_spawn wants it: a path. A bare name is looked up in the child's PATH, not ours.
std::expected<std::string, std::string> resolveProgram(const ProcessSpec& spec) {
  const std::string& name = spec.argv.front();
  if (name.find('/') != std::string::npos) return name;
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  for (const auto& [n, v] : spec.env)
    if (n == "PATH") path = v;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    const std::size_t end = std::min(path.find(':', begin), path.size());
    if (end > begin) {
      std::string candidate = path.substr(begin, end - begin);
      candidate.append("/").append(name);
      struct stat st {};
      if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
        return candidate;
    }
    begin = end + 1;
  }
  return std::unexpected(errnoText(ENOENT, name + " (not found in PATH)"));
}

void keepOutput(ProcessResult& result, const char* data, std::size_t size, std::size_t limit) {
  const std::size_t room = result.output.size() < limit ? limit - result.output.size() : 0;
  result.output.append(data, std::min(room, size));
  if (size > room) result.outputTruncated = true;
}

// Reads what the pipe holds now; closes it at end of file.
void drainOutput(Descriptor& out, ProcessResult& result, std::size_t limit) {
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(out.get(), buffer, sizeof buffer);
    if (n > 0) {
      keepOutput(result, buffer, static_cast<std::size_t>(n), limit);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n == 0 || errno != EAGAIN) out.reset();
      return;
    }
  }
}

// Writes what the pipe takes now; closes it when all is written or the child stopped reading.
void feedInput(Descriptor& in, const std::string& data, std::size_t& written) {
  while (written < data.size()) {
    const ssize_t n = ::write(in.get(), data.data() + written, data.size() - written);
    if (n > 0) {
      written += static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      if (n < 0 && errno == EAGAIN) return;
      break;  // EPIPE: the child closed its stdin; the rest is not wanted
    }
  }
  in.reset();
}

std::vector<char*> cStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Starts the child: new session and process group, default signals, empty mask, only fds 0-2.
// Returns the pid, or the errno of the failure.
std::expected<pid_t, int> spawn(const std::string& program, const ProcessSpec& spec, int stdinFd, int outputFd) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  if (stdinFd >= 0)
    posix_spawn_file_actions_adddup2(&actions, stdinFd, 0);
  else
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, outputFd, 1);
  posix_spawn_file_actions_adddup2(&actions, outputFd, 2);
  if (!spec.workdir.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.workdir.c_str());
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> argv = spec.argv;
  std::vector<std::string> envp;
  for (const auto& [name, value] : spec.env) envp.push_back(name + "=" + value);
  auto argvC = cStrings(argv);
  auto envpC = cStrings(envp);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, argvC.data(), envpC.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return std::unexpected(rc);
  return pid;
}

// True once the leader has exited; it stays a zombie (not reaped), so its pid, which is the group's
// id, cannot be reused while the group is signalled.
bool leaderExited(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

int pollMs(Clock::time_point now, Clock::time_point until) {
  return static_cast<int>(std::clamp<std::int64_t>(std::chrono::ceil<milliseconds>(until - now).count(), 0, 60'000));
}

}  // namespace

ProcessResult runProcess(const ProcessSpec& spec) {
  const auto start = Clock::now();
  ProcessResult result;
  const auto finish = [&]() -> ProcessResult {
    result.duration = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
    return std::move(result);
  };
  if (spec.argv.empty() || spec.argv.front().empty()) {
    result.error = "no program to run";
    return finish();
  }
  const auto program = resolveProgram(spec);
  if (!program) {
    result.error = program.error();
    return finish();
  }
  if (struct stat st{}; !spec.workdir.empty()) {
    const int error = ::stat(spec.workdir.c_str(), &st) != 0 ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
    if (error != 0) {
      result.error = errnoText(error, "workdir " + spec.workdir);
      return finish();
    }
  }
  Pipe input, output;
  if ((spec.stdinData && !input.create()) || !output.create()) {
    result.error = errnoText(errno, "pipe");
    return finish();
  }
  const auto pid = spawn(*program, spec, input.read.get(), output.write.get());
  input.read.reset();
  output.write.reset();
  if (!pid) {
    result.error = errnoText(pid.error(), *program);
    return finish();
  }
  result.pid = *pid;
  const SigpipeBlocked sigpipeBlocked;
  ::fcntl(output.read.get(), F_SETFL, O_NONBLOCK);
  if (input.write.open()) ::fcntl(input.write.get(), F_SETFL, O_NONBLOCK);
  std::size_t written = 0;
  if (spec.stdinData && spec.stdinData->empty()) input.write.reset();
  // The raw system call: glibc 2.36's <sys/pidfd.h> declares pidfd_open without C linkage.
  const Descriptor exitFd(static_cast<int>(::syscall(SYS_pidfd_open, *pid, 0)));

  const auto deadline = start + spec.timeout;
  std::optional<Clock::time_point> killAt;  // set at the timeout, when SIGTERM went to the group
  bool killed = false;
  while (!leaderExited(*pid)) {
    const auto now = Clock::now();
    if (!killAt && (now >= deadline || (spec.cancel && spec.cancel->load()))) {
      ::kill(-*pid, SIGTERM);
      killAt = now + spec.killGrace;
    }
    if (killAt && !killed && now >= *killAt) {
      ::kill(-*pid, SIGKILL);
      killed = true;
    }
    int waitMs = pollMs(now, killed ? now + milliseconds(1000) : killAt ? *killAt : deadline);
    if (!exitFd.open()) waitMs = std::min<int>(waitMs, kExitPollTick.count());
    if (spec.cancel && !killAt) waitMs = std::min(waitMs, 100);
    pollfd fds[3];
    nfds_t count = 0;
    const auto watch = [&](int fd, short events) {
      if (fd >= 0) fds[count++] = pollfd{fd, events, 0};
    };
    watch(output.read.get(), POLLIN);
    watch(input.write.get(), POLLOUT);
    watch(exitFd.get(), POLLIN);
    ::poll(fds, count, waitMs);
    if (output.read.open()) drainOutput(output.read, result, spec.outputLimit);
    if (input.write.open()) feedInput(input.write, *spec.stdinData, written);
  }
  // What is left of the group once its leader is gone: no orphan outlives the run.
  ::kill(-*pid, SIGKILL);
  int status = 0;
  while (::waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  input.write.reset();
  const auto drainUntil = Clock::now() + kDrainAfterExit;
  while (output.read.open() && Clock::now() < drainUntil) {
    pollfd fd{output.read.get(), POLLIN, 0};
    if (::poll(&fd, 1, pollMs(Clock::now(), drainUntil)) <= 0) break;
    drainOutput(output.read, result, spec.outputLimit);
  }

  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  if (WIFEXITED(status)) result.exitCode = WEXITSTATUS(status);
  result.end = killAt                ? ProcessResult::End::TimedOut
               : WIFSIGNALED(status) ? ProcessResult::End::Signaled
                                     : ProcessResult::End::Exited;
  return finish();
}

}  // namespace forgehook::rules
