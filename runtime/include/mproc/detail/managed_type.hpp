#pragma once
// User types served by a manager (Python's `BaseManager.register(typeid, callable, exposed)`).
//
// The server makes objects with the registered factory and runs the exposed member functions
// on them. Both are reached through typed trampolines: plain functions that decode the
// arguments, call, and encode the result. A trampoline is an address, so a spawned server (a
// fresh copy of the same binary) finds it again (see platform/module_address.hpp); under fork,
// and in a server run by `get_server().serve_forever()`, the factory may be any callable.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "mproc/detail/manager_proxy_base.hpp"
#include "mproc/detail/task.hpp"

namespace mproc::detail {

/// Runs one exposed method on `object`: decodes `args`, calls, returns the encoded result.
using managed_method_fn = std::string (*)(void* object, std::string_view args);
/// Makes an object with a factory: `factory` is the function's address (null for a captureless
/// lambda, which the trampoline constructs itself).
using managed_factory_fn = std::shared_ptr<void> (*)(const void* factory, std::string_view args);

struct ManagedMethod {
  std::string name;
  managed_method_fn call = nullptr;
  std::string args_type;  ///< the argument tuple's type name, checked against each call's
};

struct ManagedType {
  std::string type_id;
  std::string object_type;  ///< the C++ type served, for messages
  std::string args_type;    ///< the factory's argument tuple
  std::function<std::shared_ptr<void>(std::string_view args)> make;  ///< this process only
  managed_factory_fn trampoline = nullptr;  ///< null: only fork and serve_forever can make it
  const void* factory = nullptr;
  std::string not_spawnable_reason;
  std::vector<ManagedMethod> methods;
};

template <class T>
struct member_traits;
template <class C, class R, class... A>
struct member_traits<R (C::*)(A...)> {
  using object = C;
  using result = R;
  using args = std::tuple<std::decay_t<A>...>;
};
template <class C, class R, class... A>
struct member_traits<R (C::*)(A...) const> : member_traits<R (C::*)(A...)> {};
template <class C, class R, class... A>
struct member_traits<R (C::*)(A...) noexcept> : member_traits<R (C::*)(A...)> {};
template <class C, class R, class... A>
struct member_traits<R (C::*)(A...) const noexcept> : member_traits<R (C::*)(A...)> {};

template <auto Member>
std::string call_member(void* object, std::string_view args) {
  using traits = member_traits<decltype(Member)>;
  using R = typename traits::result;
  typename traits::args values;
  wire::load(args, values);
  auto* self = static_cast<typename traits::object*>(object);
  auto invoke = [&](auto&... a) -> decltype(auto) { return (self->*Member)(a...); };
  if constexpr (std::is_void_v<R>) {
    std::apply(invoke, values);
    return {};
  } else {
    static_assert(is_transferable_v<std::decay_t<R>>,
                  "mproc: an exposed method must return void or a type cereal can serialize");
    return wire::save(std::decay_t<R>(std::apply(invoke, values)));
  }
}

// What the factory returns, as the shared object the server keeps.
template <class T, class R>
std::shared_ptr<void> keep_made(R&& made) {
  if constexpr (std::is_same_v<std::decay_t<R>, std::shared_ptr<T>>)
    return std::static_pointer_cast<void>(std::forward<R>(made));
  else
    return std::make_shared<T>(std::forward<R>(made));
}

template <class T, class Fn, class... A>
std::shared_ptr<void> make_with_function(const void* factory, std::string_view args) {
  std::tuple<A...> values;
  wire::load(args, values);
  auto fn = reinterpret_cast<Fn>(const_cast<void*>(factory));
  return keep_made<T>(std::apply(fn, values));
}

template <class T, class F, class... A>
std::shared_ptr<void> make_with_functor(const void*, std::string_view args) {
  std::tuple<A...> values;
  wire::load(args, values);
  return keep_made<T>(std::apply(F{}, values));
}

template <class T, class... A, class F>
ManagedType managed_type(std::string type_id, F factory, std::vector<ManagedMethod> methods) {
  using Fn = std::conditional_t<std::is_function_v<F>, std::add_pointer_t<F>, F>;
  using Args = std::tuple<A...>;
  static_assert(std::is_invocable_v<Fn&, A&...>,
                "mproc: the factory cannot be called with the argument types given to register_type");
  ManagedType type;
  type.type_id = std::move(type_id);
  type.object_type = type_name(typeid(T));
  type.args_type = type_name(typeid(Args));
  type.methods = std::move(methods);
  type.make = [factory](std::string_view args) {
    Args values;
    wire::load(args, values);
    return keep_made<T>(std::apply(factory, values));
  };
  if constexpr (is_function_target_v<Fn>) {
    type.trampoline = &make_with_function<T, Fn, A...>;
    type.factory = reinterpret_cast<const void*>(static_cast<Fn>(factory));
  } else if constexpr (is_stateless_target_v<Fn>) {
    type.trampoline = &make_with_functor<T, Fn, A...>;
  } else {
    type.not_spawnable_reason =
        "the factory of '" + type.type_id +
        "' is a capturing lambda or a stateful callable, which a spawned manager cannot run; "
        "register a plain function or a captureless lambda, or use the fork start method";
  }
  return type;
}

}  // namespace mproc::detail

namespace mproc {

/// Names a member function a manager exposes on a registered type:
/// `mproc::exposed<&Counter::increment>("increment")`.
template <auto Member>
detail::ManagedMethod exposed(std::string name) {
  using traits = detail::member_traits<decltype(Member)>;
  return {std::move(name), &detail::call_member<Member>,
          detail::type_name(typeid(typename traits::args))};
}

/// A proxy to an object of a registered type (Python's `AutoProxy`): `callmethod<R>(name, args...)`
/// runs the exposed method on the server. The argument types must be exactly the method's
/// (after decay): a mismatch is a clear ValueError rather than misread bytes.
class Proxy : public detail::ProxyBase {
 public:
  Proxy() = default;

  template <class R = void, class... A>
  R callmethod(std::string_view method, const A&... args) const {
    using Args = std::tuple<std::decay_t<A>...>;
    std::string reply = call(method, {detail::type_name_of<Args>(),
                                      wire::save(Args(args...))});
    if constexpr (!std::is_void_v<R>) return detail::decode<R>(reply);
  }

  /// Bound to an object on a server (see BaseManager::create).
  using ProxyBase::ProxyBase;
};

}  // namespace mproc
