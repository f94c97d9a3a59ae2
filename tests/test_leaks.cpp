// Many start/join cycles leave no zombie and no descriptor behind.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support.hpp"

namespace fs = std::filesystem;

namespace {

void do_nothing() {}

int open_descriptors() {
  int n = 0;
  for (auto it = fs::directory_iterator("/proc/self/fd"); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

// Children of this process in state Z (Linux /proc).
int zombie_children() {
  int me = mproc::current_process().pid(), zombies = 0;
  for (auto& entry : fs::directory_iterator("/proc")) {
    std::ifstream in(entry.path() / "stat");
    std::string line;
    if (!in || !std::getline(in, line)) continue;
    auto close = line.rfind(')');
    if (close == std::string::npos || close + 4 >= line.size()) continue;
    char state = line[close + 2];
    int ppid = std::atoi(line.c_str() + close + 4);
    if (ppid == me && state == 'Z') ++zombies;
  }
  return zombies;
}

int cycles() {
  const char* n = std::getenv("MPROC_TEST_LEAK_CYCLES");  // Lowered for slow runs (Wine, ASan).
  return n ? std::atoi(n) : 1000;
}

}  // namespace

TEST_CASE("leaks_none_after_many_start_join_cycles", "[leaks]") {
  bool has_proc = fs::exists("/proc/self/fd");
  // One warm-up cycle: the runtime's loop, and the forkserver, open their descriptors once.
  {
    mproc::Process p(do_nothing);
    p.start();
    test::join_or_fail(p);
  }
  auto settle = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!mproc::active_children().empty() && std::chrono::steady_clock::now() < settle)
    std::this_thread::yield();
  int before = has_proc ? open_descriptors() : 0;
  for (int i = 0, n = cycles(); i < n; ++i) {
    mproc::Process p(do_nothing);
    p.start();
    test::join_or_fail(p);
    REQUIRE(p.exitcode() == 0);
  }
  if (has_proc) {
    // The last child's record is released just after join() returns, on the runtime's thread.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (open_descriptors() > before && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    CHECK(open_descriptors() <= before);
    CHECK(zombie_children() == 0);
  }
}

namespace {

void use_pipe_and_queue(mproc::Connection conn, mproc::Queue<int> q) {
  q.put(conn.recv<int>() + 1);
}

}  // namespace

TEST_CASE("leaks_none_after_pipes_and_queues_pass_to_children", "[leaks]") {
  // Every handle a Connection or Queue owns, in the parent and in what it sent to children, is
  // closed when the last copy goes: no descriptor left after many rounds, and no named object
  // to leak (queues and pipes have no name in /dev/shm or the file system).
  bool has_proc = fs::exists("/proc/self/fd");
  auto round = [](int i) {
    auto [a, b] = mproc::Pipe();
    mproc::Queue<int> q;
    mproc::Process p(use_pipe_and_queue, b, q);
    p.start();
    a.send(i);
    REQUIRE(q.get(true, test::deadline_seconds) == i + 1);
    test::join_or_fail(p);
  };
  round(0);
  int before = has_proc ? open_descriptors() : 0;
  for (int i = 1, n = std::max(10, cycles() / 10); i <= n; ++i) round(i);
  if (has_proc) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (open_descriptors() > before && std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    CHECK(open_descriptors() <= before);
  }
}

namespace {

// Named shared memory and named POSIX semaphores live in /dev/shm (sem.* for semaphores). The
// names a process has mapped or open show in its /proc maps and fd table; counting /dev/shm
// itself would race with other test binaries that ctest runs at the same time.
std::vector<std::string> dev_shm_files_used_by(int pid) {
  std::vector<std::string> found;
  std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream maps(proc + "/maps");
  for (std::string line; std::getline(maps, line);)
    if (auto at = line.find("/dev/shm/"); at != std::string::npos) found.push_back(line.substr(at));
  std::error_code ec;
  for (auto it = fs::directory_iterator(proc + "/fd", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    auto target = fs::read_symlink(it->path(), ec).string();
    if (!ec && target.rfind("/dev/shm/", 0) == 0) found.push_back(target);
  }
  return found;
}

void hold_everything(mproc::Lock lock, mproc::RLock rlock, mproc::Semaphore sem, mproc::Event started,
                     mproc::Queue<int> q, mproc::Value<int> v, mproc::Array<double> a) {
  lock.acquire();
  rlock.acquire();
  (void)sem.acquire();
  q.put(1);
  *v.get() = 1;
  a[0] = 1;
  started.set();
  mproc::Event().wait();  // Until killed.
}

}  // namespace

TEST_CASE("leaks_no_dev_shm_entry_or_named_semaphore_even_after_kill", "[leaks][sync]") {
  // mproc's locks, semaphores, events, queues and shared values are anonymous memory: nothing
  // appears in /dev/shm, so a kill -9 cannot leave anything there (Python's named semaphores
  // need a resource tracker for that).
  if (!fs::exists("/proc/self/maps")) return;  // Linux only: the check reads /proc.
  for (int round = 0; round < 3; ++round) {
    mproc::Lock lock;
    mproc::RLock rlock;
    mproc::Semaphore sem(1);
    mproc::Event started;
    mproc::Queue<int> q;
    mproc::Value<int> v(0);
    mproc::Array<double> a(8);
    mproc::Process p(hold_everything, lock, rlock, sem, started, q, v, a);
    p.start();
    REQUIRE(started.wait(test::deadline_seconds));
    // Neither the child holding every primitive nor the parent uses a /dev/shm name, so a
    // kill -9 has nothing there to leave behind.
    CHECK(dev_shm_files_used_by(*p.pid()).empty());
    CHECK(dev_shm_files_used_by(mproc::current_process().pid()).empty());
    p.kill();
    test::join_or_fail(p);
  }
}

namespace {

// Whether `pid` is a zombie right now (Linux /proc); false if it is gone or running.
bool is_zombie(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!in || !std::getline(in, line)) return false;
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

int squared(int x) { return x * x; }

}  // namespace

TEST_CASE("leaks_no_zombie_the_moment_join_returns", "[leaks]") {
  // As Python's join: it returns once the child is reaped, not merely once it has exited. Checked
  // at once, without waiting: a zombie seen here is one that join() left behind.
  // Windows has no zombies (a process handle); under Wine, /proc shows Linux pids that are not
  // the Windows pids mproc reports, so what it says of them is about other processes.
  if (!test::can_watch_pids()) return;
  int zombies = 0;
  for (int i = 0; i < 30; ++i) {
    mproc::Process p(do_nothing);
    p.start();
    test::join_or_fail(p);
    zombies += is_zombie(p.pid().value_or(0));
  }
  CHECK(zombies == 0);
  for (int round = 0; round < 6; ++round) {
    mproc::Pool pool(2);
    REQUIRE(pool.map(squared, std::vector<int>{1, 2, 3}) == std::vector<int>{1, 4, 9});
    std::vector<int> pids = pool.worker_pids();
    if (round % 2 == 0) pool.close();
    else pool.terminate();
    pool.join();
    for (int pid : pids) zombies += is_zombie(pid);
  }
  CHECK(zombies == 0);
}
