// Seed 003, "服务进程": a child fills a managed dict with keys and values of several types and
// negates a managed list; the parent prints both.
#include <cstdint>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

#include "example_args.hpp"

// Python's dict takes any key and value; here the types the seed uses ('1', 2, 3.0 as keys;
// 2, 'str', None as values). std::monostate is None.
using Key = std::variant<std::string, int, double>;
using Item = std::variant<std::monostate, int, std::string>;

static void func(mproc::DictProxy<Key, Item> d, mproc::ListProxy<int> l) {
  d[std::string("1")] = 2;
  d[2] = std::string("str");
  d[3.0] = std::monostate{};
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(l.len()); ++i) l[i] = -static_cast<int>(i);
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  auto m = mproc::Manager();
  std::vector<int> range10{0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  auto l = m.list<int>(range10);
  auto d = m.dict<Key, Item>();
  mproc::Process p(func, d, l);
  p.start();
  p.join();

  std::printf("%s\n", mproc::repr(d).c_str());           // print d
  std::printf("%s\n", mproc::repr(l.tolist()).c_str());  // print l
}
