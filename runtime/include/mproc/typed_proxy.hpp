#pragma once
// Proxies to objects of registered types (Python's `AutoProxy`), with calls that read as C++:
//
//     manager.register_type("Counter", make_counter, mproc::exposed<&Counter::add>(),
//                           mproc::exposed<&Counter::get>());
//     auto counter = manager.create<Counter>("Counter", 5);   // a mproc::Proxy<Counter>
//     counter.call<&Counter::add>(2);                          // arguments converted, checked
//     int n = counter.call<&Counter::get>();                   // the method's result type
//
// `MPROC_PROXY(CounterProxy, Counter, add, get)` makes a proxy class whose methods have the
// object's names (`p.add(2)`, `p.get()`), as Python's proxies do.
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "mproc/detail/managed_type.hpp"

namespace mproc {

/// A proxy to an object of a registered type `T` on a manager's server. `Proxy<>` (alias
/// `AutoProxy`) knows no type and calls by name only.
template <class T = void>
class Proxy : public detail::ProxyBase {
 public:
  Proxy() = default;
  /// Bound to an object on a server (see BaseManager::create).
  explicit Proxy(std::shared_ptr<detail::ProxyState> state) : ProxyBase(std::move(state)) {}

  /// Runs the exposed method `method` on the server (Python's `_callmethod`). The argument
  /// types must be exactly the method's (after decay): a mismatch is a clear ValueError rather
  /// than misread bytes. `R` may be a proxy type (`Proxy<Node>`) for a method registered with
  /// `method_to_typeid`.
  template <class R = void, class... A>
  R callmethod(std::string_view method, const A&... args) const {
    using Args = std::tuple<std::decay_t<A>...>;
    std::vector<std::string> encoded{detail::type_name_of<Args>(), wire::save(Args(args...))};
    if constexpr (std::is_base_of_v<detail::ProxyBase, R>) {
      encoded.emplace_back(detail::proxy_result_marker);
      return proxy_from_reply<R>(ProxyBase::call(method, std::move(encoded)));
    } else {
      std::string reply = ProxyBase::call(method, std::move(encoded));
      if constexpr (!std::is_void_v<R>) return detail::decode<R>(reply);
    }
  }

  /// Runs `Member` (exposed with `mproc::exposed<Member>()`) on the server with `args`
  /// converted to its parameter types; returns what it returns.
  template <auto Member, class... A>
  auto call(A&&... args) const {
    using Result = std::decay_t<typename traits<Member>::result>;
    std::string reply =
        ProxyBase::call(member_key<Member>(), encode_for<Member>(std::forward<A>(args)...));
    if constexpr (!std::is_void_v<Result>) return detail::decode<Result>(reply);
  }

  /// Runs `Member`, registered with `mproc::method_to_typeid<Member>(type_id)`: the result stays
  /// on the server and this is a proxy to it.
  template <auto Member, class... A>
  auto call_proxy(A&&... args) const {
    using Object = detail::returned_object_t<typename traits<Member>::result>;
    auto encoded = encode_for<Member>(std::forward<A>(args)...);
    encoded.emplace_back(detail::proxy_result_marker);
    return proxy_from_reply<Proxy<Object>>(
        ProxyBase::call(member_key<Member>(), std::move(encoded)));
  }

 private:
  template <auto Member>
  using traits = detail::member_traits<decltype(Member)>;

  template <auto Member>
  static const std::string& member_key() {
    static_assert(std::is_void_v<T> || std::is_base_of_v<typename traits<Member>::object, T>,
                  "mproc::Proxy<T>::call<&C::f>: f is not a member of T");
    static const std::string key = detail::member_spelling<Member>();
    if (key.empty())
      throw ValueError("mproc::Proxy::call: this compiler does not name a member in a template "
                       "argument; call the method by name with callmethod");
    return key;
  }

  template <auto Member, class... A>
  static std::vector<std::string> encode_for(A&&... args) {
    using Args = typename traits<Member>::args;
    static_assert(std::tuple_size_v<Args> == sizeof...(A),
                  "mproc::Proxy::call: pass as many arguments as the method takes");
    static_assert(std::is_constructible_v<Args, A&&...>,
                  "mproc::Proxy::call: the arguments do not convert to the method's parameters");
    return {detail::type_name_of<Args>(), wire::save(Args(std::forward<A>(args)...))};
  }
};

/// Python's `AutoProxy`: a proxy that calls by name (`callmethod`).
using AutoProxy = Proxy<>;

}  // namespace mproc

// A proxy class `Name` for registered type `Type` with one method per listed member, each
// calling that member on the server: `MPROC_PROXY(CounterProxy, Counter, add, get)` gives
// `CounterProxy::add(...)` and `CounterProxy::get()`. Up to 16 methods.
#define MPROC_PROXY_METHOD_(Type, m)                                     \
  template <class... A>                                                  \
  auto m(A&&... args) const {                                            \
    return this->template call<&Type::m>(std::forward<A>(args)...);     \
  }
#define MPROC_PROXY_EACH_1_(T, m) MPROC_PROXY_METHOD_(T, m)
#define MPROC_PROXY_EACH_2_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_1_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_3_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_2_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_4_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_3_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_5_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_4_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_6_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_5_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_7_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_6_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_8_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_7_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_9_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_8_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_10_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_9_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_11_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_10_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_12_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_11_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_13_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_12_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_14_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_13_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_15_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_14_(T, __VA_ARGS__)
#define MPROC_PROXY_EACH_16_(T, m, ...) MPROC_PROXY_METHOD_(T, m) MPROC_PROXY_EACH_15_(T, __VA_ARGS__)
#define MPROC_PROXY_PICK_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, \
                          NAME, ...)                                                            \
  NAME
#define MPROC_PROXY_EACH_(T, ...)                                                               \
  MPROC_PROXY_PICK_(__VA_ARGS__, MPROC_PROXY_EACH_16_, MPROC_PROXY_EACH_15_,                    \
                    MPROC_PROXY_EACH_14_, MPROC_PROXY_EACH_13_, MPROC_PROXY_EACH_12_,           \
                    MPROC_PROXY_EACH_11_, MPROC_PROXY_EACH_10_, MPROC_PROXY_EACH_9_,            \
                    MPROC_PROXY_EACH_8_, MPROC_PROXY_EACH_7_, MPROC_PROXY_EACH_6_,              \
                    MPROC_PROXY_EACH_5_, MPROC_PROXY_EACH_4_, MPROC_PROXY_EACH_3_,              \
                    MPROC_PROXY_EACH_2_, MPROC_PROXY_EACH_1_)                                   \
  (T, __VA_ARGS__)

/// Declares proxy class `Name` for registered type `Type`, with methods `...` named as the
/// object's (up to 16). Create it with `manager.create<Name>("TypeId", args...)`.
#define MPROC_PROXY(Name, Type, ...)                                          \
  class Name : public ::mproc::Proxy<Type> {                                  \
   public:                                                                    \
    Name() = default;                                                         \
    explicit Name(std::shared_ptr<::mproc::detail::ProxyState> state)         \
        : ::mproc::Proxy<Type>(std::move(state)) {}                           \
    MPROC_PROXY_EACH_(Type, __VA_ARGS__)                                      \
  }
