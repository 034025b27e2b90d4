#include "rules/process_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "support/temp_dir.h"

namespace forgehook::rules {
namespace {

using ::testing::HasSubstr;
using End = ProcessResult::End;
using namespace std::chrono_literals;

ProcessSpec spec(std::vector<std::string> argv) {
  ProcessSpec s;
  s.argv = std::move(argv);
  s.env = {{"PATH", "/usr/bin:/bin"}};
  s.timeout = 10s;
  return s;
}

// Waits (bounded) for a descendant of this process to end; returns its wait status, or -1 if it is
// still running after `limit`. The test process is a subreaper, so orphaned grandchildren become its
// children; one its own parent reaped first (the shell, before it died) is gone too: kNoStatus.
constexpr int kNoStatus = -2;
int awaitChild(pid_t pid, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno == ECHILD && ::kill(pid, 0) < 0 && errno == ESRCH) return kNoStatus;
    std::this_thread::sleep_for(5ms);
  }
  return -1;
}

// Reaps the group's members that became this process's children; true once none is left, within `limit`.
bool groupReaped(pid_t group, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(-group, &status, WNOHANG) < 0 && errno == ECHILD) return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

class ProcessRunnerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
};

TEST_F(ProcessRunnerTest, ReportsTheExitCode) {
  const auto r = runProcess(spec({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}));
  EXPECT_EQ(r.end, End::Exited);
  EXPECT_EQ(r.exitCode, 3);
  EXPECT_EQ(r.output, "out\nerr\n");
  EXPECT_FALSE(r.succeeded());
  EXPECT_GT(r.pid, 0);
  EXPECT_TRUE(runProcess(spec({"/bin/true"})).succeeded());
}

TEST_F(ProcessRunnerTest, ReportsTheSignalThatEndedIt) {
  const auto r = runProcess(spec({"/bin/sh", "-c", "kill -USR1 $$"}));
  EXPECT_EQ(r.end, End::Signaled);
  EXPECT_EQ(r.signal, SIGUSR1);
}

TEST_F(ProcessRunnerTest, MissingProgramFailsToStart) {
  auto r = runProcess(spec({"/usr/bin/forgehook-no-such-program", "x"}));
  EXPECT_EQ(r.end, End::FailedToStart);
  EXPECT_EQ(r.error, "No such file or directory: /usr/bin/forgehook-no-such-program");
  r = runProcess(spec({"forgehook-no-such-program"}));
  EXPECT_EQ(r.end, End::FailedToStart);
  EXPECT_THAT(r.error, HasSubstr("No such file or directory: forgehook-no-such-program"));
}

TEST_F(ProcessRunnerTest, BareNameIsLookedUpInTheChildsPath) {
  auto s = spec({"true"});
  EXPECT_TRUE(runProcess(s).succeeded());
  s.env = {{"PATH", "/nonexistent"}};
  EXPECT_EQ(runProcess(s).end, End::FailedToStart);
}

TEST_F(ProcessRunnerTest, ChildReceivesStdinData) {
  auto s = spec({"/bin/cat"});
  s.stdinData = "line one\nline two with 'quotes' and $(no expansion)\n";
  const auto r = runProcess(s);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.output, *s.stdinData);
}

TEST_F(ProcessRunnerTest, LargeStdinAndOutputAtOnceDoNotDeadlock) {
  auto s = spec({"/bin/cat"});
  s.stdinData = std::string(1 << 20, 'x');  // far past both pipes' buffers
  s.outputLimit = 2 << 20;
  const auto r = runProcess(s);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.output.size(), std::size_t{1} << 20);
  EXPECT_FALSE(r.outputTruncated);
}

TEST_F(ProcessRunnerTest, ChildThatDoesNotReadStdinStillEnds) {
  auto s = spec({"/bin/sh", "-c", "exec 0<&-; echo done"});
  s.stdinData = std::string(1 << 20, 'x');
  const auto r = runProcess(s);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.output, "done\n");
}

TEST_F(ProcessRunnerTest, NoStdinDataMeansDevNull) {
  const auto r = runProcess(spec({"/bin/cat"}));
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.output, "");
}

TEST_F(ProcessRunnerTest, OutputIsTruncatedAndTheChildNeverBlocks) {
  auto s = spec({"/usr/bin/head", "-c", "1048576", "/dev/zero"});
  s.outputLimit = 1000;
  const auto r = runProcess(s);
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.output.size(), 1000u);
  EXPECT_TRUE(r.outputTruncated);
}

TEST_F(ProcessRunnerTest, TimeoutKillsTheChildAndItsGrandchild) {
  auto s = spec({"/bin/sh", "-c", "sleep 100 & echo $!; sleep 100"});
  s.timeout = 300ms;
  s.killGrace = 200ms;
  const auto started = std::chrono::steady_clock::now();
  const auto r = runProcess(s);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(r.end, End::TimedOut);
  EXPECT_EQ(r.signal, SIGTERM);
  const pid_t grandchild = std::stoi(r.output);
  const int status = awaitChild(grandchild, 2000ms);
  ASSERT_NE(status, -1) << "the grandchild is still running";
  if (status != kNoStatus) {
    EXPECT_TRUE(WIFSIGNALED(status));
  }
  EXPECT_TRUE(groupReaped(static_cast<pid_t>(r.pid), 2000ms));  // the foreground sleep, killed as well
  errno = 0;
  EXPECT_EQ(::kill(-static_cast<pid_t>(r.pid), 0), -1);  // the group is gone
  EXPECT_EQ(errno, ESRCH);
}

TEST_F(ProcessRunnerTest, ChildIgnoringSigtermGetsSigkillAfterTheGrace) {
  auto s = spec({"/bin/sh", "-c", "trap '' TERM; while :; do sleep 1; done"});
  s.timeout = 200ms;
  s.killGrace = 300ms;
  const auto r = runProcess(s);
  EXPECT_EQ(r.end, End::TimedOut);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_GE(r.duration, 500ms);
}

TEST_F(ProcessRunnerTest, CancelEndsTheRunAsATimeoutWould) {
  std::atomic<bool> cancel{false};
  auto s = spec({"/bin/sleep", "100"});
  s.cancel = &cancel;
  std::thread canceller([&cancel] {
    std::this_thread::sleep_for(100ms);
    cancel = true;
  });
  const auto r = runProcess(s);
  canceller.join();
  EXPECT_EQ(r.end, End::TimedOut);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_LT(r.duration, 5s);  // not the 10 s timeout, nor the 100 s sleep
}

TEST_F(ProcessRunnerTest, LeaderExitingKillsWhatIsLeftOfItsGroup) {
  const auto started = std::chrono::steady_clock::now();
  const auto r = runProcess(spec({"/bin/sh", "-c", "sleep 100 & echo $!"}));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_TRUE(r.succeeded());
  const int status = awaitChild(std::stoi(r.output), 2000ms);
  ASSERT_NE(status, -1) << "the orphan is still running";
  if (status != kNoStatus) {
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  }
}

TEST_F(ProcessRunnerTest, WorkdirIsHonoured) {
  forgehook::testing::TempDir dir;
  auto s = spec({"/bin/pwd"});
  s.workdir = dir.path().string();
  EXPECT_EQ(runProcess(s).output, dir.path().string() + "\n");
  s.workdir = (dir.path() / "missing").string();
  const auto r = runProcess(s);
  EXPECT_EQ(r.end, End::FailedToStart);
  EXPECT_EQ(r.error, "No such file or directory: workdir " + s.workdir);
}

TEST_F(ProcessRunnerTest, EnvironmentIsExactlyAsGiven) {
  ::setenv("FORGEHOOK_ADMIN_TOKEN", "must-not-leak", 1);
  auto s = spec({"/usr/bin/env"});
  s.env = {{"A", "1"}, {"B", "two words; $(id)"}};
  const auto r = runProcess(s);
  ::unsetenv("FORGEHOOK_ADMIN_TOKEN");
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.output, "A=1\nB=two words; $(id)\n");
}

TEST_F(ProcessRunnerTest, ChildInheritsNoOtherDescriptor) {
  const int fd = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::dup2(fd, 57), 57);
  const auto r =
      runProcess(spec({"/bin/sh", "-c", "if [ -e /proc/self/fd/57 ]; then echo leaked; else echo closed; fi"}));
  ::close(57);
  ::close(fd);
  EXPECT_EQ(r.output, "closed\n");
}

TEST_F(ProcessRunnerTest, RunsFromManyThreadsAtOnce) {
  std::vector<std::thread> threads;
  std::vector<ProcessResult> results(8);
  for (std::size_t i = 0; i < results.size(); ++i)
    threads.emplace_back([&results, i] {
      auto s = spec({"/bin/sh", "-c", "echo $N", "sh"});
      s.env.emplace_back("N", std::to_string(i));
      results[i] = runProcess(s);
    });
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < results.size(); ++i) EXPECT_EQ(results[i].output, std::to_string(i) + "\n");
}

}  // namespace
}  // namespace forgehook::rules
