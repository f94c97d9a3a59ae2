// CPython docs, multiprocessing, "The multiprocessing.sharedctypes module":
//
//   from multiprocessing import Process, Lock
//   from multiprocessing.sharedctypes import Value, Array
//   from ctypes import Structure, c_double
//
//   class Point(Structure):
//       _fields_ = [('x', c_double), ('y', c_double)]
//
//   def modify(n, x, s, A):
//       n.value **= 2
//       x.value **= 2
//       s.value = s.value.upper()
//       for a in A:
//           a.x **= 2
//           a.y **= 2
//
//   if __name__ == '__main__':
//       lock = Lock()
//
//       n = Value('i', 7)
//       x = Value(c_double, 1.0/3.0, lock=False)
//       s = Array('c', b'hello world', lock=lock)
//       A = Array(Point, [(1.875,-6.25), (-5.75,2.0), (2.375,9.5)], lock=lock)
//
//       p = Process(target=modify, args=(n, x, s, A))
//       p.start()
//       p.join()
//
//       print(n.value)
//       print(x.value)
//       print(s.value)
//       print([(a.x, a.y) for a in A])
//
// prints
//
//   49
//   0.1111111111111111
//   b'HELLO WORLD'
//   [(3.515625, 39.0625), (33.0625, 4.0), (5.640625, 90.25)]
#include <cctype>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "../example_args.hpp"

struct Point {
  double x, y;
};

static void modify(mproc::Value<int> n,
                   mproc::Value<double> x,
                   mproc::Array<char> s,
                   mproc::Array<Point> A) {
  n = n.value() * n.value();
  x = x.value() * x.value();
  std::string upper = s.value();
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  s.set_value(upper);
  for (std::size_t i = 0; i < A.size(); ++i) {
    A[i].x *= A[i].x;
    A[i].y *= A[i].y;
  }
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  mproc::Lock lock;

  mproc::Value<int> n(7);
  mproc::Value<double> x(1.0 / 3.0, false);
  mproc::Array<char> s("hello world", lock);
  mproc::Array<Point> A(std::vector<Point>{{1.875, -6.25}, {-5.75, 2.0}, {2.375, 9.5}}, lock);

  mproc::Process p(modify, n, x, s, A);
  p.start();
  p.join();

  std::cout << n.value() << "\n";
  std::cout << mproc::repr(x.value()) << "\n";
  std::cout << mproc::repr_bytes(s.value()) << "\n";  // print(s.value): bytes
  std::vector<std::pair<double, double>> points;
  for (std::size_t i = 0; i < A.size(); ++i) points.emplace_back(A[i].x, A[i].y);
  std::cout << mproc::repr(points) << "\n";
}
