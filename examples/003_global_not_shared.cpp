// Seed 003, "防止访问冲突与共享状态": a child changes its copy of a global; the parent's is unchanged.
#include <cstdio>
#include <vector>

#include "example_args.hpp"

static std::vector<int> a = {2};

static void func(int i) {
  a[i] += 1;
  std::printf("a[0] in child prcocess: %d\n", a[0]);
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  mproc::Process p(func, 0);
  p.start();
  p.join();
  std::printf("a[0] in parent process: %d\n", a[0]);
}
