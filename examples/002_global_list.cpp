// Seed 002, "进程间的数据共享": a global list is not shared; each process has its own copy.
#include <cstdio>
#include <string>
#include <vector>

#include "example_args.hpp"

static std::vector<int> lis;

static std::string show(const std::vector<int>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

static void foo(int i) {
  lis.push_back(i);
  std::printf("This is Process  %d  and lis is  %s  and lis.address is   %p\n", i, show(lis).c_str(),
              static_cast<void*>(&lis));
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  for (int i = 0; i < 5; ++i) mproc::Process(foo, i).start();
  std::printf("The end of list_1: %s\n", show(lis).c_str());
}
