#pragma once
// What to tell a user whose value cannot be sent. "Add a `serialize` member" is the right advice
// for their own types, and the wrong one for a function pointer, a raw pointer or a lambda,
// which no `serialize` could make meaningful in another process. Each check that a type can
// be sent asks `transferable_or_explained<T>()` first: for those three it stops the build with
// the advice that applies (found inside tuples, pairs, vectors, optionals and other templates
// too), and then returns true so that the caller's generic message does not follow it.
#include <array>
#include <cstddef>
#include <type_traits>

#include "mproc/serialization.hpp"

/// The advice for each kind of value that cannot travel (also used in run-time messages).
#define MPROC_HINT_FUNCTION_POINTER                                                            \
  "a function pointer cannot be sent as it is: wrap it in mproc::function<R(Args...)> " \
  "(e.g. mproc::function<int(int)>(square)), which travels by its place in the program"
#define MPROC_HINT_RAW_POINTER                                                                 \
  "a raw pointer cannot be sent (its address means nothing in another process): send " \
  "the value, or a shared-memory block (mproc::Value/Array/SharedMemory); text as std::string"
#define MPROC_HINT_CALLABLE                                                                     \
  "a lambda or function object cannot be sent as data: use a captureless lambda or a "  \
  "plain function wrapped in mproc::function<R(Args...)>, and pass any state it captured as " \
  "arguments"

namespace mproc::detail {

enum class untransferable_kind { none, function_pointer, raw_pointer, callable };

template <class T>
constexpr untransferable_kind untransferable_kind_of();

// The first culprit among a template's type arguments (`std::vector<int*>` blames `int*`).
template <class T>
struct culprit_in_arguments {
  static constexpr untransferable_kind value = untransferable_kind::none;
};
template <template <class...> class C, class... A>
struct culprit_in_arguments<C<A...>> {
  static constexpr untransferable_kind value = [] {
    untransferable_kind found = untransferable_kind::none;
    ((found = found == untransferable_kind::none ? untransferable_kind_of<A>() : found), ...);
    return found;
  }();
};
template <class T, std::size_t N>
struct culprit_in_arguments<std::array<T, N>> {
  static constexpr untransferable_kind value = untransferable_kind_of<T>();
};

template <class T>
constexpr untransferable_kind untransferable_kind_of() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_function_v<U> || std::is_reference_v<U> || std::is_void_v<U>)
    return untransferable_kind::none;  // only a signature (`std::function<int(int)>`'s argument)
  else if constexpr (std::is_pointer_v<U> && std::is_function_v<std::remove_pointer_t<U>>)
    return untransferable_kind::function_pointer;
  else if constexpr (std::is_pointer_v<U> || std::is_member_pointer_v<U>)
    return untransferable_kind::raw_pointer;
  else if constexpr (is_transferable_v<U>)
    return untransferable_kind::none;
  else if constexpr (std::is_class_v<U> && requires { &U::operator(); })
    return untransferable_kind::callable;
  else
    return culprit_in_arguments<U>::value;
}

/// True if T can be sent; stops the build with the specific advice if T is (or holds) a
/// function pointer, a raw pointer or a lambda; false otherwise, for the caller's own message.
template <class T>
constexpr bool transferable_or_explained() {
  constexpr untransferable_kind kind = untransferable_kind_of<T>();
  static_assert(kind != untransferable_kind::function_pointer, "mproc: " MPROC_HINT_FUNCTION_POINTER);
  static_assert(kind != untransferable_kind::raw_pointer, "mproc: " MPROC_HINT_RAW_POINTER);
  static_assert(kind != untransferable_kind::callable, "mproc: " MPROC_HINT_CALLABLE);
  return is_transferable_v<T> || kind != untransferable_kind::none;
}

/// The advice for T at run time (a Process argument refused under spawn): one of the hints
/// above, or the generic one for a user type.
template <class T>
constexpr const char* untransferable_hint() {
  switch (untransferable_kind_of<T>()) {
    case untransferable_kind::function_pointer: return MPROC_HINT_FUNCTION_POINTER;
    case untransferable_kind::raw_pointer: return MPROC_HINT_RAW_POINTER;
    case untransferable_kind::callable: return MPROC_HINT_CALLABLE;
    case untransferable_kind::none: break;
  }
  return "give each type a cereal `serialize` member";
}

}  // namespace mproc::detail
