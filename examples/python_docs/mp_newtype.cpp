// CPython docs, multiprocessing, "An example showing how to use arbitrary callables with a
// subclass of BaseManager" (Doc/includes/mp_newtype.py):
//
//   from multiprocessing import freeze_support
//   from multiprocessing.managers import BaseManager, BaseProxy
//   import operator
//
//   ##
//
//   class Foo:
//       def f(self):
//           print('you called Foo.f()')
//       def g(self):
//           print('you called Foo.g()')
//       def _h(self):
//           print('you called Foo._h()')
//
//   # A simple generator function
//   def baz():
//       for i in range(10):
//           yield i*i
//
//   # Proxy type for generator objects
//   class GeneratorProxy(BaseProxy):
//       _exposed_ = ['__next__']
//       def __iter__(self):
//           return self
//       def __next__(self):
//           return self._callmethod('__next__')
//
//   # Function to return the operator module
//   def get_operator_module():
//       return operator
//
//   ##
//
//   class MyManager(BaseManager):
//       pass
//
//   # register the Foo class; make `f()` and `g()` accessible via proxy
//   MyManager.register('Foo1', Foo)
//
//   # register the Foo class; make `g()` and `_h()` accessible via proxy
//   MyManager.register('Foo2', Foo, exposed=('g', '_h'))
//
//   # register the generator function baz; use `GeneratorProxy` to make proxies
//   MyManager.register('baz', baz, proxytype=GeneratorProxy)
//
//   # register get_operator_module(); make public functions accessible via proxy
//   MyManager.register('operator', get_operator_module)
//
//   ##
//
//   def test():
//       manager = MyManager()
//       manager.start()
//
//       print('-' * 20)
//
//       f1 = manager.Foo1()
//       f1.f()
//       f1.g()
//       assert not hasattr(f1, '_h')
//       assert sorted(f1._exposed_) == sorted(['f', 'g'])
//
//       print('-' * 20)
//
//       f2 = manager.Foo2()
//       f2.g()
//       f2._h()
//       assert not hasattr(f2, 'f')
//       assert sorted(f2._exposed_) == sorted(['g', '_h'])
//
//       print('-' * 20)
//
//       it = manager.baz()
//       for i in it:
//           print('<%d>' % i, end=' ')
//       print()
//
//       print('-' * 20)
//
//       op = manager.operator()
//       print('op.add(23, 45) =', op.add(23, 45))
//       print('op.pow(2, 94) =', op.pow(2, 94))
//       print('op._exposed_ =', op._exposed_)
//
//   ##
//
//   if __name__ == '__main__':
//       freeze_support()
//       test()
//
// What differs in C++:
// - What a proxy may call is said at registration: `mproc::exposed<&Foo::f>()` for each method
//   (Python exposes the public ones by default). The proxy classes are made by MPROC_PROXY with
//   the same names, so `f1.f()` reads as in Python.
// - `assert not hasattr(f1, '_h')` is checked twice: at compile time (`Foo1Proxy` has no `_h`),
//   and at run time, where the server refuses `_h` on a 'Foo1' object with an
//   `mproc::AttributeError`. Like Python, neither prints anything.
// - `_exposed_` has no C++ counterpart; the registrations below are the lists.
// - A generator is an object with a `next()` that gives `std::nullopt` at the end (Python's
//   StopIteration); `GeneratorProxy` calls it until then.
// - Python returns the `operator` module itself; here an `Operator` object with the two
//   functions the example calls. Python's ints have no upper bound and 2**94 does not fit in 64
//   bits, so `pow` gives the exact decimal digits. `op._exposed_` prints the names exposed
//   below (Python lists every public function of the module, which depends on its version).
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "../example_args.hpp"

//

struct Foo {
  void f() { std::cout << "you called Foo.f()" << std::endl; }
  void g() { std::cout << "you called Foo.g()" << std::endl; }
  void _h() { std::cout << "you called Foo._h()" << std::endl; }
};

// A simple generator: 0, 1, 4, ..., 81, then the end.
struct Baz {
  int i = 0;
  std::optional<int> next() {
    if (i == 10) return std::nullopt;
    int value = i * i;
    ++i;
    return value;
  }
};

// The functions of Python's operator module that the example uses.
struct Operator {
  long long add(long long a, long long b) const { return a + b; }
  std::string pow(int base, int exponent) const {
    std::vector<int> digits{1};  // least significant first
    for (int e = 0; e < exponent; ++e) {
      int carry = 0;
      for (int& d : digits) {
        int v = d * base + carry;
        d = v % 10;
        carry = v / 10;
      }
      for (; carry != 0; carry /= 10) digits.push_back(carry % 10);
    }
    std::string text;
    for (auto d = digits.rbegin(); d != digits.rend(); ++d) text += static_cast<char>('0' + *d);
    return text;
  }
};

// Proxy types: the methods each registration exposes.
MPROC_PROXY(Foo1Proxy, Foo, f, g);
MPROC_PROXY(Foo2Proxy, Foo, g, _h);
MPROC_PROXY(GeneratorProxy, Baz, next);
MPROC_PROXY(OperatorProxy, Operator, add, pow);

// Function to return the operator module: one shared object, as a module is.
static std::shared_ptr<Operator> get_operator_module() {
  static auto the_module = std::make_shared<Operator>();
  return the_module;
}

//

static void register_types(mproc::BaseManager& manager) {
  // register the Foo class; make `f()` and `g()` accessible via proxy
  manager.register_type(
      "Foo1", [] { return Foo{}; }, mproc::exposed<&Foo::f>(), mproc::exposed<&Foo::g>());
  // register the Foo class; make `g()` and `_h()` accessible via proxy
  manager.register_type(
      "Foo2", [] { return Foo{}; }, mproc::exposed<&Foo::g>(), mproc::exposed<&Foo::_h>());
  // register the generator baz; use `GeneratorProxy` to make proxies
  manager.register_type(
      "baz", [] { return Baz{}; }, mproc::exposed<&Baz::next>());
  // register get_operator_module(); make its functions accessible via proxy
  manager.register_type("operator", get_operator_module, mproc::exposed<&Operator::add>(),
                        mproc::exposed<&Operator::pow>());
}

template <class P>
concept has_h = requires(P p) {
  p._h();
};
template <class P>
concept has_f = requires(P p) {
  p.f();
};

/// Python's `assert not hasattr(proxy, name)` at run time: the server refuses the method.
template <auto Member, class P>
static void assert_not_exposed(const P& proxy) {
  try {
    proxy.template call<Member>();
  } catch (const mproc::AttributeError&) {
    return;
  }
  throw std::logic_error("assert not hasattr: the method is exposed");  // AssertionError
}

static void test() {
  mproc::BaseManager manager;  // MyManager()
  register_types(manager);
  manager.start();

  const std::string dashes(20, '-');
  std::cout << dashes << std::endl;

  auto f1 = manager.create<Foo1Proxy>("Foo1");
  f1.f();
  f1.g();
  static_assert(!has_h<Foo1Proxy>);
  assert_not_exposed<&Foo::_h>(f1);

  std::cout << dashes << std::endl;

  auto f2 = manager.create<Foo2Proxy>("Foo2");
  f2.g();
  f2._h();
  static_assert(!has_f<Foo2Proxy>);
  assert_not_exposed<&Foo::f>(f2);

  std::cout << dashes << std::endl;

  auto it = manager.create<GeneratorProxy>("baz");
  while (auto i = it.next()) std::cout << '<' << *i << "> ";
  std::cout << std::endl;

  std::cout << dashes << std::endl;

  auto op = manager.create<OperatorProxy>("operator");
  std::cout << "op.add(23, 45) = " << op.add(23, 45) << std::endl;
  std::cout << "op.pow(2, 94) = " << op.pow(2, 94) << std::endl;
  std::cout << "op._exposed_ = " << mproc::repr(std::tuple("add", "pow")) << std::endl;
}

int main(int argc, char** argv) {
  mproc::init(argc, argv);
  apply_start_method_flag(argc, argv);
  test();
}
