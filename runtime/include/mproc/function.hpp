#pragma once
// Functions as data: Python puts `(func, args)` into queues and task arguments, because a
// Python function pickles by name. `mproc::function<R(Args...)>` is the C++ form: a plain
// function or a captureless lambda, sent through a Queue, a Pipe, as a Process or Pool argument
// (alone or inside a tuple, pair, vector or struct) and called on the other side.
//
//     int square(int x) { return x * x; }
//     mproc::function<int(int)> f = square;              // or MPROC_FUNCTION(square): named
//     queue.put(std::pair{f, 7});                        // elsewhere: auto [g, x] = queue.get();
//                                                        //            g(x) == 49
//
// On the wire it is the function's place in its module (module, offset), as a spawned target
// is, so it works under every start method: the receiver runs the same binary (see
// platform/module_address.hpp). The receiver checks what it got before it can be called: a
// 64-bit check over the module, the offset, the signature and the executable must match, the
// module must be loaded here and the offset must lie inside it; otherwise SerializationError.
// A function in a shared library travels by that library's path and offset; the receiver must
// have loaded the same library (a linked one always is; a dlopen'ed one must be opened there
// too), else SerializationError naming the library.
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "mproc/detail/printable.hpp"
#include "mproc/detail/task.hpp"
#include "mproc/serialization.hpp"

namespace mproc {
namespace detail {

/// A function as it travels: its module ("" for the executable), its offset there, and a check
/// over both, its signature and the executable (see function.hpp's top comment).
struct FunctionRef {
  std::string module;
  std::uint64_t offset = 0;
  std::uint64_t check = 0;
};

/// Names the function at `address` for the wire. SerializationError if no loaded module holds it.
FunctionRef function_to_wire(const void* address, const std::type_info& signature);

/// The address a received FunctionRef names in this process, once it passed every check;
/// SerializationError saying which one failed otherwise.
const void* function_from_wire(const FunctionRef& ref, const std::type_info& signature);

/// Throws the error for calling an empty mproc::function.
[[noreturn]] void throw_empty_function_call(const std::type_info& signature);

/// Python's `<function square at 0x55d0c3a1b2c9>`; `<function empty>` for an empty handle.
std::string function_repr(std::string_view name, const void* address);

// The signature a lambda's (or function object's) call operator has.
template <class M>
struct call_signature;
template <class C, class R, class... A>
struct call_signature<R (C::*)(A...) const> {
  using type = R(A...);
};
template <class C, class R, class... A>
struct call_signature<R (C::*)(A...) const noexcept> {
  using type = R(A...);
};
template <class C, class R, class... A>
struct call_signature<R (C::*)(A...)> {
  using type = R(A...);
};
template <class C, class R, class... A>
struct call_signature<R (C::*)(A...) noexcept> {
  using type = R(A...);
};

}  // namespace detail

template <class Signature>
class function;

/// A plain function or captureless lambda that can be sent to another process and called
/// there. Default-constructed it is empty; calling it then throws ValueError.
template <class R, class... Args>
class function<R(Args...)> {
 public:
  using pointer = R (*)(Args...);

  /// Empty: `bool(f)` is false, and calling it throws.
  function() noexcept = default;

  /// A plain function of exactly this signature; `name` is what it prints as (and travels).
  function(pointer f, std::string_view name = {}) : pointer_(f), name_(name) {}

  /// A captureless lambda or stateless function object callable with `Args...`. It is held as
  /// a plain function (its own conversion, or a per-type caller that makes an instance).
  template <class F>
    requires(std::is_class_v<std::remove_cvref_t<F>> &&
             !std::is_same_v<std::remove_cvref_t<F>, function>)
  function(F&& f, std::string_view name = "<lambda>") : name_(name) {
    using L = std::remove_cvref_t<F>;
    static_assert(detail::is_stateless_target_v<L>,
                  "mproc::function holds a plain function or a captureless lambda: a lambda "
                  "with captures (or a stateful object) cannot travel to another process; pass "
                  "its state as arguments instead");
    static_assert(std::is_invocable_r_v<R, const L&, Args...>,
                  "mproc::function<R(Args...)>: the lambda cannot be called with Args... or "
                  "does not return something convertible to R");
    if constexpr (std::is_convertible_v<L, pointer>)
      pointer_ = static_cast<pointer>(f);
    else
      pointer_ = &call_stateless<L>;
  }

  /// Calls the function. ValueError if the handle is empty.
  R operator()(Args... args) const {
    if (pointer_ == nullptr) detail::throw_empty_function_call(typeid(R(Args...)));
    return pointer_(std::forward<Args>(args)...);
  }

  /// Whether it holds a function.
  explicit operator bool() const noexcept { return pointer_ != nullptr; }
  /// The function's address in this process (null if empty).
  pointer target() const noexcept { return pointer_; }
  /// The name given at construction ("<lambda>" for a lambda; empty if none was given).
  const std::string& name() const noexcept { return name_; }

  /// Same function (the name is not compared, as two names of one function are one function).
  friend bool operator==(const function& a, const function& b) noexcept {
    return a.pointer_ == b.pointer_;
  }

  /// Python's repr of a function: `<function square at 0x55d0c3a1b2c9>`. With it a function
  /// prints with `<<` and inside containers with `mproc::repr` (`[2.25, <function float at
  /// 0x...>]`).
  std::string repr() const {
    return detail::function_repr(name_, reinterpret_cast<const void*>(pointer_));
  }

  template <class Archive>
  void save(Archive& archive) const {
    bool present = pointer_ != nullptr;
    archive(present);
    if (!present) return;
    detail::FunctionRef ref =
        detail::function_to_wire(reinterpret_cast<const void*>(pointer_), typeid(R(Args...)));
    archive(ref.module, ref.offset, ref.check, name_);
  }

  template <class Archive>
  void load(Archive& archive) {
    bool present = false;
    archive(present);
    if (!present) {
      *this = function();
      return;
    }
    detail::FunctionRef ref;
    std::string name;
    archive(ref.module, ref.offset, ref.check, name);
    pointer_ = reinterpret_cast<pointer>(
        const_cast<void*>(detail::function_from_wire(ref, typeid(R(Args...)))));
    name_ = std::move(name);
  }

 private:
  template <class L>
  static R call_stateless(Args... args) {
    return static_cast<R>(L{}(std::forward<Args>(args)...));
  }

  pointer pointer_ = nullptr;
  std::string name_;
};

template <class R, class... A>
function(R (*)(A...)) -> function<R(A...)>;
template <class R, class... A>
function(R (*)(A...), std::string_view) -> function<R(A...)>;
template <class F>
function(F) -> function<typename detail::call_signature<decltype(&F::operator())>::type>;
template <class F>
function(F, std::string_view)
    -> function<typename detail::call_signature<decltype(&F::operator())>::type>;

}  // namespace mproc

/// `mproc::function` of a plain function, named after it: prints as `<function square at 0x…>`
/// on both sides of the wire, as Python's functions do.
#define MPROC_FUNCTION(fn) ::mproc::function(fn, #fn)
