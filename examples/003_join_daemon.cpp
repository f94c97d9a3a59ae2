// Seed 003, "Process对象": the parent with and without join(), and with a daemonic child.
//   example_003_join_daemon            the parent ends first, the child after it
//   example_003_join_daemon --join     the parent waits for the child
//   example_003_join_daemon --daemon   the child is killed when the parent ends
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>

#include "example_args.hpp"

static std::string now() {
  std::time_t t = std::time(nullptr);
  std::string s = std::ctime(&t);
  return s.substr(0, s.size() - 1);
}

static void func() {
  std::printf("Child process start, %s\n", now().c_str());
  std::fflush(stdout);
  std::this_thread::sleep_for(std::chrono::seconds(2));
  std::printf("Child process end, %s\n", now().c_str());
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  std::printf("Parent process start, %s\n", now().c_str());
  std::fflush(stdout);
  mproc::Process p(func);
  if (has_flag(argc, argv, "--daemon")) p.set_daemon(true);  // before start(), as in Python
  p.start();
  if (has_flag(argc, argv, "--join")) p.join();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  std::printf("Parent process end, %s\n", now().c_str());
}
