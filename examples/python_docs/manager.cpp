// CPython docs, multiprocessing, "Managers":
//
//   from multiprocessing import Process, Manager
//
//   def f(d, l):
//       d[1] = '1'
//       d['2'] = 2
//       d[0.25] = None
//       l.reverse()
//
//   if __name__ == '__main__':
//       with Manager() as manager:
//           d = manager.dict()
//           l = manager.list(range(10))
//
//           p = Process(target=f, args=(d, l))
//           p.start()
//           p.join()
//
//           print(d)
//           print(l)
//
// prints
//
//   {1: '1', '2': 2, 0.25: None}
//   [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]
#include <iostream>
#include <ranges>
#include <string>
#include <variant>

#include "../example_args.hpp"

// A Python dict takes keys and values of any type; here those the example uses. std::monostate
// is None.
using Key = std::variant<int, std::string, double>;
using Item = std::variant<std::string, int, std::monostate>;

static void f(mproc::DictProxy<Key, Item> d, mproc::ListProxy<int> l) {
  d[1] = std::string("1");
  d[std::string("2")] = 2;
  d[0.25] = std::monostate{};
  l.reverse();
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  auto manager = mproc::Manager();
  auto d = manager.dict<Key, Item>();
  auto l = manager.list<int>(std::views::iota(0, 10));

  mproc::Process p(f, d, l);
  p.start();
  p.join();

  std::cout << d << "\n";
  std::cout << l << "\n";
}
