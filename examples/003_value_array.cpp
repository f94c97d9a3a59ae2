// Seed 003, "共享内存": n.value = 3.1415926 and a[i] = -i in a child, printed by the parent.
#include <cstdio>

#include "example_args.hpp"

static void func(mproc::Value<double> n, mproc::Array<int> a) {
  n = 3.1415926;
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = -static_cast<int>(i);
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  // 'd' is a double, 'i' an int
  mproc::Value<double> n(0.0);
  mproc::Array<int> a{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  mproc::Process p(func, n, a);
  p.start();
  p.join();
  std::printf("%s\n", mproc::repr(n.value()).c_str());
  std::printf("%s\n", mproc::repr(a.to_vector()).c_str());
}
