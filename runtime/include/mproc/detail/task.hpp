#pragma once
// How a target and its arguments become something a child can run, under every start method.
//
// fork: the child is a copy of the parent, so it simply calls the stored closure.
// spawn / forkserver: the child is a fresh copy of the same binary. It receives the address of
// a typed trampoline and of the target function (as module-relative offsets, see
// platform/module_address.hpp) plus the serialized arguments; the trampoline, instantiated for
// exactly these types, decodes the arguments and calls the target. No registration is needed
// for plain functions and for captureless lambdas (default-constructible in C++20, so the
// trampoline can make its own instance); anything else works under fork only.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "mproc/detail/transfer_hint.hpp"
#include "mproc/detail/type_name.hpp"
#include "mproc/serialization.hpp"

namespace mproc::detail {

/// Runs a target in a spawned child: `target` is the function's address (or null for functors),
/// `args` the serialized argument tuple.
using trampoline_fn = void (*)(const void* target, std::string_view args);

struct Task {
  std::function<void()> run_here;             ///< for fork: call in the forked copy
  trampoline_fn trampoline = nullptr;         ///< for spawn/forkserver; null if not spawnable
  const void* target = nullptr;               ///< function address, null for functors
  std::function<std::string()> save_args;     ///< serializes the arguments
  /// Says why spawn cannot run it, if it cannot. Built only when asked: it demangles type names,
  /// tens of microseconds that every fork-only start would otherwise pay for nothing.
  std::string (*why_not_spawnable)() = nullptr;

  bool empty() const noexcept { return !run_here; }
  std::string not_spawnable_reason() const { return why_not_spawnable ? why_not_spawnable() : ""; }
};

template <class Fn, class... A>
void call_function(const void* target, std::string_view args) {
  std::tuple<A...> values;
  wire::load(args, values);
  std::apply(reinterpret_cast<Fn>(const_cast<void*>(target)), values);
}

template <class F, class... A>
void call_functor(const void*, std::string_view args) {
  std::tuple<A...> values;
  wire::load(args, values);
  std::apply(F{}, values);
}

template <class F>
inline constexpr bool is_function_target_v =
    std::is_pointer_v<F> && std::is_function_v<std::remove_pointer_t<F>>;

// Empty and default-constructible: a captureless lambda or a stateless function object.
template <class F>
inline constexpr bool is_stateless_target_v =
    std::is_class_v<F> && std::is_empty_v<F> && std::is_default_constructible_v<F>;

template <class Values>
std::string unserializable_arguments_reason() {
  return "an argument is not serializable (argument types: " + type_name(typeid(Values)) + "); " +
         untransferable_hint<Values>() + ", or use the fork start method";
}

template <class Fn>
std::string stateful_target_reason() {
  return "the target (" + type_name(typeid(Fn)) +
         ") is a capturing lambda or a stateful callable, which only the fork start method can "
         "run; pass a plain function or a captureless lambda and give it the data as arguments";
}

template <class F, class... Args>
Task make_task(F&& target, Args&&... args) {
  using Fn = std::conditional_t<std::is_function_v<std::remove_reference_t<F>>,
                                std::add_pointer_t<std::remove_reference_t<F>>, std::decay_t<F>>;
  using Values = std::tuple<std::decay_t<Args>...>;
  static_assert(std::is_invocable_v<Fn&, std::decay_t<Args>&...>,
                "mproc: the target cannot be called with these arguments");
  auto fn = std::make_shared<Fn>(std::forward<F>(target));
  auto values = std::make_shared<Values>(std::forward<Args>(args)...);
  Task task;
  task.run_here = [fn, values] { std::apply(*fn, *values); };

  constexpr bool args_ok = is_transferable_v<Values>;
  if constexpr (!args_ok) {
    task.why_not_spawnable = &unserializable_arguments_reason<Values>;
  } else if constexpr (is_function_target_v<Fn>) {
    task.trampoline = &call_function<Fn, std::decay_t<Args>...>;
    task.target = reinterpret_cast<const void*>(*fn);
    task.save_args = [values] { return wire::save(*values); };
  } else if constexpr (is_stateless_target_v<Fn>) {
    task.trampoline = &call_functor<Fn, std::decay_t<Args>...>;
    task.save_args = [values] { return wire::save(*values); };
  } else {
    task.why_not_spawnable = &stateful_target_reason<Fn>;
  }
  return task;
}

}  // namespace mproc::detail
