// The registry of exception types known to this process, and the encoding of an exception for
// another process (see mproc/remote_exceptions.hpp).
#include "mproc/remote_exceptions.hpp"

#include <any>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <ios>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <typeinfo>
#include <variant>
#include <vector>

#include "core/cached_pid.hpp"
#include "core/identity.hpp"

namespace mproc::detail {

namespace {

// What crosses the process boundary.
struct ExceptionRecord {
  std::string type;     // the thrown object's exact type name
  std::string message;  // its what()
  std::string as;       // the known type it is rebuilt as; empty: a RemoteError
  std::string payload;  // that type's state
  std::string process_name;
  std::int32_t pid = 0;

  template <class A>
  void serialize(A& a) {
    a(type, message, as, payload, process_name, pid);
  }
};

// An immutable snapshot: a registration publishes a new one and leaks the old (registrations
// are few), so readers take no lock, and a forked child never finds one held.
struct Table {
  std::vector<ExceptionType> types;
  // The snapshot this one replaced, kept reachable from the current one: readers may still hold
  // it, and a leak checker must not report what is kept on purpose.
  const Table* previous = nullptr;
};

template <class... E>
void add_all(Table& table) {
  (table.types.push_back(exception_type_of<E>()), ...);
}

const Table* builtin_table() {
  auto* table = new Table;
  add_all<std::logic_error, std::invalid_argument, std::domain_error, std::length_error,
          std::out_of_range, std::runtime_error, std::range_error, std::overflow_error,
          std::underflow_error, std::system_error, std::ios_base::failure,
          std::filesystem::filesystem_error, std::bad_alloc, std::bad_array_new_length,
          std::bad_cast, std::bad_typeid, std::bad_exception, std::bad_function_call,
          std::bad_optional_access, std::bad_variant_access, std::bad_weak_ptr,
          std::bad_any_cast>(*table);
  // Every mproc::Error but RemoteError, which is what an unknown type becomes anyway.
  add_all<Error, ProcessError, BootstrapError, ValueError, TimeoutError, SerializationError,
          SystemError, RuntimeError, BrokenExecutor, BrokenProcessPool, WorkerLostError,
          BrokenPoolError, PoolTerminatedError, CancelledError, AuthenticationError,
          EOFError, BufferTooShort, Full, Empty, KeyError, IndexError, AttributeError,
          BrokenBarrierError>(*table);
  return table;
}

std::atomic<const Table*> current_table{nullptr};

const Table& table() {
  const Table* t = current_table.load(std::memory_order_acquire);
  if (t != nullptr) return *t;
  const Table* fresh = builtin_table();
  if (current_table.compare_exchange_strong(t, fresh, std::memory_order_acq_rel)) return *fresh;
  delete fresh;  // another thread made it first
  return *t;
}

const ExceptionType* find_by_name(const Table& t, const std::string& name) {
  for (const auto& type : t.types)
    if (type.name == name) return &type;
  return nullptr;
}

// The most derived known type that `e` is an instance of; nullptr if none.
const ExceptionType* most_derived_match(const std::exception& e) {
  const Table& t = table();
  for (const auto& type : t.types)
    if (*type.type == typeid(e)) return &type;
  const ExceptionType* best = nullptr;
  for (const auto& type : t.types) {
    if (!type.matches(e)) continue;
    // `type` derives from `best` when a `best*` handler catches a thrown `type*`.
    if (best == nullptr || best->catches_pointer_of(type.throw_pointer)) best = &type;
  }
  return best;
}

ExceptionRecord record_here(std::string type, std::string message) {
  ExceptionRecord r;
  r.type = std::move(type);
  r.message = std::move(message);
  r.process_name = current_identity().name;
  r.pid = cached_pid();
  return r;
}

std::string encoded(const ExceptionRecord& r) noexcept {
  try {
    return wire::save(r);
  } catch (...) {
    return {};  // out of memory: the receiver reports an undecodable exception
  }
}

std::exception_ptr remote_error(const RemoteOrigin::Info& origin) noexcept {
  try {
    return std::make_exception_ptr(RemoteError(origin));
  } catch (...) {
    return std::current_exception();  // bad_alloc
  }
}

}  // namespace

std::string save_error_code(const std::error_code& code) {
  return wire::save(std::pair<std::int32_t, std::string>(code.value(), code.category().name()));
}

std::error_code load_error_code(std::string_view payload) {
  std::pair<std::int32_t, std::string> state;
  wire::load(payload, state);
  for (const std::error_category* category :
       {&std::system_category(), &std::generic_category(), &std::iostream_category()}) {
    if (state.second == category->name()) return {state.first, *category};
  }
  return {state.first, std::generic_category()};
}

void add_exception_type(ExceptionType type) {
  const Table* current = &table();
  for (;;) {
    if (find_by_name(*current, type.name) != nullptr) return;
    auto* next = new Table(*current);
    next->types.push_back(type);
    next->previous = current;
    if (current_table.compare_exchange_strong(current, next, std::memory_order_acq_rel)) return;
    delete next;  // a registration in another thread came first: add to what it made
  }
}

std::string encode_exception(const std::exception& e) noexcept {
  try {
    ExceptionRecord r;
    if (const auto* remote = dynamic_cast<const RemoteError*>(&e)) {
      // Re-thrown from a process further down: still unknown, keep its own type and message.
      return encoded(record_here(remote->type(), remote->message()));
    }
    if (const auto* origin = dynamic_cast<const RemoteOrigin*>(&e)) {
      r = record_here(origin->remote_type(), origin->remote_message());
    } else {
      r = record_here(type_name(typeid(e)), e.what());
    }
    if (const ExceptionType* as = most_derived_match(e)) {
      try {
        r.payload = as->save(e);
        r.as = as->name;
      } catch (const std::exception& failed) {
        r.message += " [mproc: its state could not be serialized (" + std::string(failed.what()) +
                     "), so it arrives as a RemoteError]";
      }
    }
    return encoded(r);
  } catch (...) {
    return {};
  }
}

std::string encode_unknown_exception(const std::string& message) noexcept {
  try {
    return encoded(record_here("unknown exception", message));
  } catch (...) {
    return {};
  }
}

std::exception_ptr decode_exception(std::string_view bytes) noexcept {
  ExceptionRecord r;
  try {
    wire::load(bytes, r);
  } catch (const std::exception& e) {
    return remote_error({"unknown exception",
                         std::string("the report of an exception thrown in another process could "
                                     "not be decoded (") +
                             e.what() + "); it is corrupted, or from a different build",
                         {},
                         0});
  }
  RemoteOrigin::Info origin{r.type, r.message, r.process_name, r.pid};
  if (r.as.empty()) return remote_error(origin);
  const ExceptionType* as = find_by_name(table(), r.as);
  if (as == nullptr) {
    origin.message += " [mproc: it was sent as `" + r.as +
                      "`, a type not registered in this process; call "
                      "register_exception<" + r.as + ">() here too, before mproc::init]";
    return remote_error(origin);
  }
  try {
    return as->rebuild(r.payload, origin);
  } catch (const std::exception& e) {
    origin.message += " [mproc: it could not be re-thrown as `" + r.as + "`: " + e.what() + "]";
    return remote_error(origin);
  }
}

std::string describe_exception(std::string_view bytes) {
  ExceptionRecord r;
  try {
    wire::load(bytes, r);
  } catch (const std::exception& e) {
    return std::string("an exception whose report could not be decoded (") + e.what() + ")";
  }
  return r.type + ": " + r.message;
}

}  // namespace mproc::detail
