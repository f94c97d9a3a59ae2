#pragma once
// Exceptions thrown in another process, caught here by their own type.
//
// A pool task (or a managed object's method) that throws `std::out_of_range` in a worker
// throws `std::out_of_range` here, so `catch (const std::out_of_range& e)` works as Python's
// `except IndexError` does. The object thrown here derives from the type and from
// `mproc::RemoteOrigin` (the exact remote type name, the process that threw it); its `what()` is
// the original message.
//
// Which type is thrown: the most derived one, among the types this process knows, that the
// remote object is an instance of. Known are the standard exceptions, every `mproc::Error`, and
// the types registered with `register_exception<E>()` / `MPROC_REGISTER_EXCEPTION(E)`. So an
// unregistered `MyError : std::runtime_error` is thrown as a `std::runtime_error` whose
// `RemoteOrigin::remote_type()` says `MyError`; a type that derives from none of them (only from
// `std::exception`) is thrown as `mproc::RemoteError`, as before.
//
// A registered type comes back with its fields if it has a cereal `serialize` member and a
// default constructor; otherwise it is made from its message (`E(std::string)`); otherwise
// default-constructed. Register it in every process: at namespace scope with the macro, or
// before `mproc::init` in `main` (a spawned child runs `main` only up to `mproc::init`).
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

#include "mproc/detail/type_name.hpp"
#include "mproc/errors.hpp"
#include "mproc/remote_origin.hpp"
#include "mproc/serialization.hpp"

namespace mproc {
namespace detail {

/// The class of an exception re-thrown from another process: the type itself, plus its origin.
template <class E>
class Remote final : public E, public RemoteOrigin {
 public:
  Remote(E&& base, const RemoteOrigin::Info& origin) : E(std::move(base)), RemoteOrigin(origin) {}
  /// The original message, whatever the rebuilt object would say.
  const char* what() const noexcept override { return remote_message().c_str(); }
};

/// How an exception's state crosses processes: its fields if serializable, else its message.
/// Specialized below for the types whose state is an error code or a buffer.
template <class E>
struct exception_codec {
  static constexpr bool by_fields = transferable<E>::value && std::is_default_constructible_v<E>;
  static constexpr bool by_message = std::is_constructible_v<E, std::string>;
  static constexpr bool possible = by_fields || by_message || std::is_default_constructible_v<E>;

  static std::string save(const E& e) {
    if constexpr (by_fields) return wire::save(e);
    else return {};
  }
  static E load(std::string_view payload, const std::string& message) {
    if constexpr (by_fields) {
      E e;
      wire::load(payload, e);
      return e;
    } else if constexpr (by_message) {
      return E(message);
    } else {
      return E();
    }
  }
};

/// An error code as (value, category name); the category is found again by name among the
/// standard ones (generic when unknown).
std::string save_error_code(const std::error_code& code);
std::error_code load_error_code(std::string_view payload);

template <>
struct exception_codec<std::system_error> {
  static constexpr bool possible = true;
  static std::string save(const std::system_error& e) { return save_error_code(e.code()); }
  static std::system_error load(std::string_view payload, const std::string& message) {
    return std::system_error(load_error_code(payload), message);
  }
};

template <>
struct exception_codec<SystemError> {
  static constexpr bool possible = true;
  static std::string save(const SystemError& e) { return save_error_code(e.code()); }
  static SystemError load(std::string_view payload, const std::string& message) {
    return SystemError(load_error_code(payload), message);
  }
};

template <>
struct exception_codec<BufferTooShort> {
  static constexpr bool possible = true;
  static std::string save(const BufferTooShort& e) { return e.message(); }
  static BufferTooShort load(std::string_view payload, const std::string&) {
    return BufferTooShort(std::string(payload));
  }
};

// A filesystem error keeps its code and paths.
template <>
struct exception_codec<std::filesystem::filesystem_error> {
  static constexpr bool possible = true;
  static std::string save(const std::filesystem::filesystem_error& e) {
    return wire::save(std::tuple(save_error_code(e.code()), e.path1().string(), e.path2().string()));
  }
  static std::filesystem::filesystem_error load(std::string_view payload, const std::string& message) {
    std::tuple<std::string, std::string, std::string> state;
    wire::load(payload, state);
    return std::filesystem::filesystem_error(message, std::get<1>(state), std::get<2>(state),
                                             load_error_code(std::get<0>(state)));
  }
};

/// One known exception type, as the registry holds it.
struct ExceptionType {
  const std::type_info* type = nullptr;
  std::string name;
  /// Whether `e` is an E (or derived from it).
  bool (*matches)(const std::exception& e) = nullptr;
  /// Throws a null E*; with `catches_pointer_of` it tells whether one type derives from another.
  void (*throw_pointer)() = nullptr;
  bool (*catches_pointer_of)(void (*throw_pointer)()) = nullptr;
  /// E's state (precondition: `matches(e)`).
  std::string (*save)(const std::exception& e) = nullptr;
  /// A new E (with its origin) from `save`'s payload, as an exception_ptr.
  std::exception_ptr (*rebuild)(std::string_view payload, const RemoteOrigin::Info& origin) = nullptr;
};

template <class E>
ExceptionType exception_type_of() {
  ExceptionType t;
  t.type = &typeid(E);
  t.name = type_name_of<E>();
  t.matches = [](const std::exception& e) { return dynamic_cast<const E*>(&e) != nullptr; };
  t.throw_pointer = [] { throw static_cast<E*>(nullptr); };
  t.catches_pointer_of = [](void (*throw_pointer)()) {
    try {
      throw_pointer();
    } catch (E*) {
      return true;
    } catch (...) {
    }
    return false;
  };
  t.save = [](const std::exception& e) {
    return exception_codec<E>::save(dynamic_cast<const E&>(e));
  };
  t.rebuild = [](std::string_view payload, const RemoteOrigin::Info& origin) {
    E e = exception_codec<E>::load(payload, origin.message);
    if constexpr (std::is_final_v<E>) {
      return std::make_exception_ptr(std::move(e));  // cannot carry its origin
    } else {
      return std::make_exception_ptr(Remote<E>(std::move(e), origin));
    }
  };
  return t;
}

/// Adds `type` to this process's known types; a name already known is left as it is.
void add_exception_type(ExceptionType type);

/// The exception `e` as bytes for another process: its type, message, origin (this process),
/// and the state of the most derived known type it is. Never throws.
std::string encode_exception(const std::exception& e) noexcept;
/// The same for something thrown that is not a `std::exception`.
std::string encode_unknown_exception(const std::string& message) noexcept;
/// What `encode_exception` encoded, ready to rethrow: the known type with its origin, else a
/// RemoteError. Bytes that do not decode give a RemoteError saying so. Never throws.
std::exception_ptr decode_exception(std::string_view encoded) noexcept;
/// "type: message" of an encoded exception, for messages.
std::string describe_exception(std::string_view encoded);

}  // namespace detail

/// Makes exceptions of type E thrown in another process (a pool task, a managed object's
/// method) be re-thrown here as E rather than as `RemoteError`. Call it in every process:
/// before `mproc::init` in `main`, or at namespace scope through `MPROC_REGISTER_EXCEPTION(E)`.
/// Registering a type twice, or a standard or mproc type, does nothing.
template <class E>
void register_exception() {
  constexpr bool is_exception = std::is_convertible_v<E*, std::exception*>;
  static_assert(is_exception,
                "register_exception<E>: E must derive (publicly, once) from std::exception");
  if constexpr (is_exception) {
    static_assert(detail::exception_codec<E>::possible,
                  "register_exception<E>: E cannot be rebuilt in another process; give it a "
                  "`serialize` member and a default constructor, or a constructor from "
                  "std::string");
    if constexpr (detail::exception_codec<E>::possible)
      detail::add_exception_type(detail::exception_type_of<E>());
  }
}

}  // namespace mproc

#define MPROC_DETAIL_EXCEPTION_CAT2(a, b) a##b
#define MPROC_DETAIL_EXCEPTION_CAT(a, b) MPROC_DETAIL_EXCEPTION_CAT2(a, b)
/// `register_exception<E>()` at namespace scope, so that it runs in spawned children too.
#define MPROC_REGISTER_EXCEPTION(...)                                                      \
  [[maybe_unused]] static const bool MPROC_DETAIL_EXCEPTION_CAT(mproc_exception_registered_, \
                                                                __LINE__) =                  \
      (::mproc::register_exception<__VA_ARGS__>(), true)
