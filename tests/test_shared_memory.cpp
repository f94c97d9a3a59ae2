// SharedMemory: create, attach by name in a child, unlink, errors; and no block left in
// /dev/shm after a program that never unlinked was killed.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>
#include <functional>
#include <string>
#include <thread>

#include "support.hpp"

namespace fs = std::filesystem;

namespace {

void fill(mproc::SharedMemory shm, int value) {
  for (auto& b : shm.buf()) b = static_cast<std::byte>(value);
}

void attach_and_add(std::string name) {
  mproc::SharedMemory shm(name);
  auto buf = shm.buf();
  buf[0] = static_cast<std::byte>(static_cast<int>(buf[0]) + 1);
  shm.close();
}

bool wait_until(const std::function<bool()>& condition, double seconds) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));  // Polling a file system state.
  }
  return true;
}

}  // namespace

TEST_CASE("shared_memory_create_attach_in_child_unlink", "[shared_memory]") {
  mproc::SharedMemory shm(std::nullopt, true, 1000);
  CHECK(shm.name().rfind("psm_", 0) == 0);
  CHECK(shm.size() == 1000);
  mproc::Process p(fill, shm, 7);  // travels by name, attached in the child
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
  for (auto b : shm.buf()) REQUIRE(b == std::byte{7});
  mproc::Process q(attach_and_add, shm.name());
  q.start();
  test::join_or_fail(q);
  CHECK(shm.buf()[0] == std::byte{8});
  mproc::SharedMemory same(shm.name());
  CHECK(same.size() >= 1000);
  same.close();
  CHECK(same.buf().empty());
  shm.unlink();
  if (test::posix_build()) {  // Windows keeps a name while a process maps it.
    CHECK_THROWS_AS(mproc::SharedMemory(shm.name()), mproc::SystemError);
    CHECK_THROWS_AS(shm.unlink(), mproc::SystemError);
  }
  shm.close();
}

TEST_CASE("shared_memory_bad_arguments", "[shared_memory]") {
  CHECK_THROWS_AS(mproc::SharedMemory(std::nullopt, false), mproc::ValueError);
  CHECK(mproc::SharedMemory().buf().empty());
  CHECK_THROWS_AS(mproc::SharedMemory(std::nullopt, true, 0), mproc::ValueError);
  CHECK_THROWS_AS(mproc::SharedMemory("mproc_test_no_such_block"), mproc::SystemError);
  mproc::SharedMemory a("mproc_test_exists_" + std::to_string(mproc::getpid()), true, 64);
  CHECK_THROWS_AS(mproc::SharedMemory(a.name(), true, 64), mproc::SystemError);
  a.unlink();
}

TEST_CASE("shared_memory_left_by_a_killed_program_is_removed", "[shared_memory][leaks]") {
  // POSIX named memory only; Windows frees it by itself.
  if (!test::posix_build() || !fs::exists("/dev/shm")) return;
  std::string name = "mproc_test_leak_" + std::to_string(mproc::getpid());
  std::string pidfile = (fs::temp_directory_path() / (name + ".pid")).string();
  std::string outfile = pidfile + ".out";
  std::string cmd = std::string("\"") + MPROC_SHM_PROGRAM + "\" " + name + " >" + outfile +
                    " & echo $! > " + pidfile;
  REQUIRE(std::system(cmd.c_str()) == 0);
  // Its "created" line comes after the block is registered with the tracker; the file alone
  // appears a moment before, and a kill in between is the one leak no tracker can see.
  REQUIRE(wait_until([&] {
    std::string line;
    std::getline(std::ifstream(outfile), line);
    return line.rfind("created", 0) == 0;
  }, test::deadline_seconds));
  REQUIRE(fs::exists("/dev/shm/" + name));
  fs::remove(outfile);
  std::string pid;
  std::ifstream(pidfile) >> pid;
  fs::remove(pidfile);
  REQUIRE(!pid.empty());
  REQUIRE(std::system(("kill -9 " + pid).c_str()) == 0);
  // Python leaves it there unless its resource tracker runs; ours must remove it.
  CHECK(wait_until([&] { return !fs::exists("/dev/shm/" + name); }, test::deadline_seconds));
}

namespace {

void double_items(mproc::ShareableList<long> list) {
  for (auto& x : list) x *= 2;
}

}  // namespace

TEST_CASE("shareable_list_across_processes", "[shared_memory]") {
  mproc::ShareableList<long> list{1, 2, 3, 2};
  CHECK(list.size() == 4);
  CHECK(list.count(2) == 2);
  CHECK(list.index(3) == 2);
  CHECK_THROWS_AS(list.index(9), mproc::ValueError);
  CHECK_THROWS_AS(list.at(4), mproc::ValueError);
  mproc::Process p(double_items, list);
  p.start();
  test::join_or_fail(p);
  CHECK(p.exitcode() == 0);
  CHECK(list.to_vector() == std::vector<long>{2, 4, 6, 4});
  mproc::ShareableList<long> same(list.shm().name());
  CHECK(same[2] == 6);
  CHECK_THROWS_AS(mproc::ShareableList<double>(list.shm().name()), mproc::ValueError);  // another type
  CHECK_THROWS_AS(mproc::ShareableList<int>(list.shm().name()), mproc::ValueError);
  list.shm().unlink();
}
