// Seed 002, section 1.2: Manager().dict() shared by ten processes, run one after another; each
// sets dic["num"] = 100 + i and prints dic.items().
#include <cstdio>
#include <string>

#include "example_args.hpp"

static void func(int i, mproc::DictProxy<std::string, int> dic) {
  dic["num"] = 100 + i;
  std::printf("%s\n", mproc::repr(dic.items()).c_str());
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  // As in Python, the proxy keeps its manager (and so the server process) alive.
  auto dic = mproc::Manager().dict<std::string, int>();
  for (int i = 0; i < 10; ++i) {
    mproc::Process p(func, i, dic);
    p.start();
    p.join();
  }
}
