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
#include "mproc/platform/config.hpp"
#include "mproc/detail/task.hpp"
#include "mproc/errors.hpp"

namespace mproc::detail {

/// Runs one exposed method on `object`: decodes `args`, calls, returns the encoded result.
using managed_method_fn = std::string (*)(void* object, std::string_view args);
/// Makes an object with a factory: `factory` is the function's address (null for a captureless
/// lambda, which the trampoline constructs itself).
using managed_factory_fn = std::shared_ptr<void> (*)(const void* factory, std::string_view args);

/// Runs one method registered with `method_to_typeid`: its result becomes a new object the
/// server holds (a reference result shares the parent's lifetime: `object` stays alive with it).
using managed_object_method_fn = std::shared_ptr<void> (*)(const std::shared_ptr<void>& object,
                                                           std::string_view args);

struct ManagedMethod {
  std::string name;
  managed_method_fn call = nullptr;
  std::string args_type;  ///< the argument tuple's type name, checked against each call's
  std::string member;     ///< the member's spelling (`Counter::add`): what a typed call names
  std::string returns_typeid;                    ///< method_to_typeid: the result's type id
  managed_object_method_fn call_for_object = nullptr;  ///< with returns_typeid
  std::string returned_type;                     ///< the C++ type of that result, checked
};

/// What a call that expects a proxy back (`callmethod<Proxy<U>>`, `call_proxy`) adds to its
/// arguments, so that a method registered one way and called the other is a clear error.
inline constexpr std::string_view proxy_result_marker = "->proxy";

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

/// The member's spelling as the compiler writes it in a template argument (`Counter::add`,
/// `{anonymous}::Counter::add`): the same in every build of the same source, so it names the
/// method to a server in another process without the user writing its name. Empty if the
/// compiler's function name does not show the argument (then `exposed` needs a name).
template <auto Member>
std::string member_spelling() {
  std::string_view full = MPROC_FUNCTION_SIGNATURE;
  std::string_view key = "Member = ";
  auto at = full.find(key);
  if (at == std::string_view::npos) return {};
  std::size_t begin = at + key.size(), end = begin;
  int depth = 0;
  for (; end < full.size(); ++end) {
    char c = full[end];
    if (c == '<' || c == '(') ++depth;
    if (c == '>' || c == ')') --depth;
    if (depth == 0 && (c == ';' || c == ']' || c == ',')) break;
  }
  std::string_view spelled = full.substr(begin, end - begin);
  if (!spelled.empty() && spelled.front() == '&') spelled.remove_prefix(1);
  return std::string(spelled);
}

/// The method's own name (what follows the last `::` of its spelling).
inline std::string method_name_of(const std::string& spelling) {
  int depth = 0;
  for (std::size_t i = spelling.size(); i-- > 0;) {
    char c = spelling[i];
    if (c == '>') ++depth;
    if (c == '<') --depth;
    if (depth == 0 && c == ':') return spelling.substr(i + 1);
  }
  return spelling;
}

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

template <class T>
struct shared_element {
  using type = void;
};
template <class T>
struct shared_element<std::shared_ptr<T>> {
  using type = T;
};

/// The object a method registered with `method_to_typeid` hands to the server: what it returns
/// by value, by `std::shared_ptr`, or by (non-const) reference.
template <class R>
using returned_object_t = std::remove_const_t<std::conditional_t<
    std::is_void_v<typename shared_element<std::decay_t<R>>::type>, std::remove_reference_t<R>,
    typename shared_element<std::decay_t<R>>::type>>;

template <auto Member>
std::shared_ptr<void> call_member_for_object(const std::shared_ptr<void>& object,
                                             std::string_view args) {
  using traits = member_traits<decltype(Member)>;
  using R = typename traits::result;
  static_assert(!std::is_void_v<R>, "mproc: a method_to_typeid method must return an object");
  static_assert(!(std::is_reference_v<R> && std::is_const_v<std::remove_reference_t<R>>),
                "mproc: a method_to_typeid method cannot return a const reference (the proxy "
                "may change the object); return a non-const reference, a value or a shared_ptr");
  typename traits::args values;
  wire::load(args, values);
  auto* self = static_cast<typename traits::object*>(object.get());
  auto invoke = [&](auto&... a) -> decltype(auto) { return (self->*Member)(a...); };
  if constexpr (std::is_lvalue_reference_v<R>) {
    // Shares the parent's ownership: the parent lives as long as a proxy to its part does.
    R part = std::apply(invoke, values);
    return std::shared_ptr<void>(object, static_cast<void*>(&part));
  } else if constexpr (!std::is_void_v<typename shared_element<std::decay_t<R>>::type>) {
    return std::const_pointer_cast<returned_object_t<R>>(std::apply(invoke, values));
  } else {
    return std::make_shared<returned_object_t<R>>(std::apply(invoke, values));
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
/// `mproc::exposed<&Counter::increment>()` (callable as "increment" and through typed proxies),
/// or `mproc::exposed<&Counter::increment>("inc")` to call it "inc" by name.
template <auto Member>
detail::ManagedMethod exposed(std::string name = {}) {
  using traits = detail::member_traits<decltype(Member)>;
  detail::ManagedMethod method;
  method.member = detail::member_spelling<Member>();
  method.name = name.empty() ? detail::method_name_of(method.member) : std::move(name);
  if (method.name.empty())
    throw ValueError("mproc::exposed: this compiler does not show a member's name; pass it: "
                     "mproc::exposed<&T::f>(\"f\")");
  method.call = &detail::call_member<Member>;
  method.args_type = detail::type_name(typeid(typename traits::args));
  return method;
}

/// Python's `method_to_typeid`: the method's result is not sent back but kept by the server as a
/// new object of the registered type `type_id`, and the caller gets a proxy to it
/// (`proxy.call_proxy<&Tree::child>(i)`, or `proxy.callmethod<mproc::Proxy<Node>>("child", i)`).
/// The method returns the object by value (moved into the server), by `std::shared_ptr`, or by
/// non-const reference (a part of its object: the object then lives as long as that proxy).
/// The object goes when its last proxy does.
template <auto Member>
detail::ManagedMethod method_to_typeid(std::string type_id, std::string name = {}) {
  using R = typename detail::member_traits<decltype(Member)>::result;
  detail::ManagedMethod method = exposed<Member>(std::move(name));
  method.call = nullptr;
  method.returns_typeid = std::move(type_id);
  method.call_for_object = &detail::call_member_for_object<Member>;
  method.returned_type = detail::type_name(typeid(detail::returned_object_t<R>));
  return method;
}

}  // namespace mproc
