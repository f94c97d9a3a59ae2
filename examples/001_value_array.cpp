// Seed 001, "共享内存": a child writes a shared Value and negates a shared Array.
#include <cstdio>

#include "example_args.hpp"

static void f(mproc::Value<double> n, mproc::Array<int> a) {
  n = 3.1415927;
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = -a[i];
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  mproc::Value<double> num(0.0);                      // Value('d', 0.0)
  mproc::Array<int> arr{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};  // Array('i', range(10))
  mproc::Process p(f, num, arr);
  p.start();
  p.join();
  std::printf("%s\n", mproc::repr(num.value()).c_str());
  std::printf("%s\n", mproc::repr(arr.to_vector()).c_str());
}
