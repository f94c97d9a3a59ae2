// CPython docs, multiprocessing, "Listeners and Clients": the server
//
//   from multiprocessing.connection import Listener
//   from array import array
//
//   address = ('localhost', 6000)     # family is deduced to be 'AF_INET'
//
//   with Listener(address, authkey=b'secret password') as listener:
//       with listener.accept() as conn:
//           print('connection accepted from', listener.last_accepted)
//
//           conn.send([2.25, None, 'junk', float])
//
//           conn.send_bytes(b'hello')
//
//           conn.send_bytes(array('i', [42, 1729]))
//
// and the client
//
//   from multiprocessing.connection import Client
//   from array import array
//
//   address = ('localhost', 6000)
//
//   with Client(address, authkey=b'secret password') as conn:
//       print(conn.recv())                  # => [2.25, None, 'junk', float]
//
//       print(conn.recv_bytes())            # => 'hello'
//
//       arr = array('i', [0, 0, 0, 0, 0])
//       print(conn.recv_bytes_into(arr))    # => 8
//       print(arr)                          # => array('i', [42, 1729, 0, 0, 0])
//
// print
//
//   connection accepted from ('127.0.0.1', 40946)
//   [2.25, None, 'junk', <class 'float'>]
//   b'hello'
//   8
//   array('i', [42, 1729, 0, 0, 0])
//
// One program here: the server runs in the main process and the client in a child. The
// listener asks for port 0, so the OS picks a free one (several runs at once cannot clash),
// and the child is given the address.
//
// Python's list holds anything; here a vector of variants (std::monostate is None). Python
// sends the class `float` itself, which pickles by its name. C++ has no class objects to send;
// the nearest thing that travels is a function that makes a float:
// `mproc::function<double(const std::string&)>` named "float", which prints as Python prints a
// function, `<function float at 0x...>` (and could be called on the other side). Python's
// `array('i', ...)` is a `std::array<std::int32_t, N>`, printed as Python prints an array.
#include <array>
#include <cstdint>
#include <iostream>
#include <string>
#include <variant>
#include <vector>

#include "../example_args.hpp"

static double to_float(const std::string& text) { return std::stod(text); }  // Python's float

using Float = mproc::function<double(const std::string&)>;
using Item = std::variant<double, std::monostate, std::string, Float>;

/// Python's repr of an array('i', ...).
template <std::size_t N>
static std::string array_repr(const std::array<std::int32_t, N>& arr) {
  return "array('i', " + mproc::repr(arr) + ")";
}

static void client(mproc::Address address) {
  auto conn = mproc::Client(address, "secret password");
  std::cout << mproc::repr(conn.recv<std::vector<Item>>()) << std::endl;  // [2.25, None, ...]

  std::cout << mproc::repr_bytes(conn.recv_bytes()) << std::endl;  // b'hello'

  std::array<std::int32_t, 5> arr{0, 0, 0, 0, 0};
  std::cout << conn.recv_bytes_into(arr.data(), sizeof arr) << std::endl;  // 8
  std::cout << array_repr(arr) << std::endl;  // array('i', [42, 1729, 0, 0, 0])
  conn.close();
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  mproc::Address address("127.0.0.1", 0);  // Python: ('localhost', 6000)

  mproc::Listener listener(address, 16, "secret password");
  mproc::Process p(client, listener.address());
  p.start();
  {
    auto conn = listener.accept();
    std::cout << "connection accepted from " << mproc::repr(listener.last_accepted()) << std::endl;

    conn.send(
        std::vector<Item>{2.25, std::monostate{}, std::string("junk"), Float(to_float, "float")});

    conn.send_bytes("hello");

    const std::array<std::int32_t, 2> numbers{42, 1729};
    conn.send_bytes(numbers.data(), sizeof numbers);
    conn.close();
  }
  listener.close();
  p.join();
}
