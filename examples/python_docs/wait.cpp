// CPython docs, multiprocessing, "Connection Objects" / `multiprocessing.connection.wait`:
//
//   import time, random
//   from multiprocessing import Process, Pipe, current_process
//   from multiprocessing.connection import wait
//
//   def foo(w):
//       for i in range(10):
//           w.send((i, current_process().name))
//       w.close()
//
//   if __name__ == '__main__':
//       readers = []
//
//       for i in range(4):
//           r, w = Pipe(duplex=False)
//           readers.append(r)
//           p = Process(target=foo, args=(w,))
//           p.start()
//           # We close the writable end of the pipe now to be sure that
//           # p is the only process which owns a handle for it.  This
//           # ensures that when p closes its handle for the writable end,
//           # wait() will promptly report the readable end as being ready.
//           w.close()
//
//       while readers:
//           for r in wait(readers):
//               try:
//                   msg = r.recv()
//               except EOFError:
//                   readers.remove(r)
//               else:
//                   print(msg)
#include <algorithm>
#include <iostream>
#include <string>
#include <tuple>
#include <vector>

#include "../example_args.hpp"

using Message = std::tuple<int, std::string>;

static void foo(mproc::Connection w) {
  for (int i = 0; i < 10; ++i) w.send(Message(i, mproc::current_process().name()));
  w.close();
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  std::vector<mproc::Connection> readers;

  for (int i = 0; i < 4; ++i) {
    auto [r, w] = mproc::Pipe(false);
    readers.push_back(r);
    mproc::Process p(foo, w);
    p.start();
    // We close the writable end of the pipe now to be sure that
    // p is the only process which owns a handle for it.  This
    // ensures that when p closes its handle for the writable end,
    // wait() will promptly report the readable end as being ready.
    w.close();
  }

  while (!readers.empty()) {
    for (auto& r : mproc::wait(readers)) {
      try {
        auto msg = r.recv<Message>();
        std::cout << mproc::repr(msg) << std::endl;
      } catch (const mproc::EOFError&) {
        readers.erase(std::find(readers.begin(), readers.end(), r));
      }
    }
  }
}
