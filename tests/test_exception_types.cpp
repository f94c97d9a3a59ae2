// A worker's exception is caught in the parent by its own type (see remote_exceptions.hpp):
// standard types, mproc's, and registered user types, with where they came from.
#include <filesystem>
#include <mutex>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <tuple>
#include <typeinfo>
#include <vector>

#include "support.hpp"

namespace app {

// Registered, with fields that travel.
struct QuotaExceeded : std::runtime_error {
  QuotaExceeded() : std::runtime_error("") {}
  QuotaExceeded(std::string user, int used)
      : std::runtime_error(user + " used " + std::to_string(used) + " GB"), user(user), used(used) {}
  std::string user;
  int used = 0;

  template <class A>
  void serialize(A& a) {
    a(user, used);
  }
};

// Registered, rebuilt from its message.
struct ParseError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A subclass of a registered type that is not registered itself.
struct LineTooLong : ParseError {
  using ParseError::ParseError;
};

// Not registered, and derived from no known type.
struct Unlisted : std::exception {
  const char* what() const noexcept override { return "nobody knows me"; }
};

// Not registered, derived from a standard type.
struct BadConfig : std::logic_error {
  using std::logic_error::logic_error;
};

}  // namespace app

// Both ways of registering, at namespace scope, so that spawned children register them too.
MPROC_REGISTER_EXCEPTION(app::QuotaExceeded);
[[maybe_unused]] static const bool parse_error_registered = (mproc::register_exception<app::ParseError>(), true);

namespace {

enum Kind {
  out_of_range,
  invalid_argument,
  domain_error,
  length_error,
  range_error,
  overflow_error,
  underflow_error,
  runtime_error,
  logic_error,
  bad_alloc,
  bad_optional_access,
  system_error,
  value_error,
  timeout_error,
  key_error,
  mproc_system_error,
  buffer_too_short,
  quota_exceeded,
  parse_error,
  line_too_long,
  unlisted,
  bad_config,
  not_an_exception,
};

int throw_kind(int kind) {
  switch (static_cast<Kind>(kind)) {
    case out_of_range: throw std::out_of_range("index 7 out of range");
    case invalid_argument: throw std::invalid_argument("not a number");
    case domain_error: throw std::domain_error("sqrt of -1");
    case length_error: throw std::length_error("too long");
    case range_error: throw std::range_error("out of range");
    case overflow_error: throw std::overflow_error("overflow");
    case underflow_error: throw std::underflow_error("underflow");
    case runtime_error: throw std::runtime_error("it broke");
    case logic_error: throw std::logic_error("bad logic");
    case bad_alloc: throw std::bad_alloc();
    case bad_optional_access: return std::optional<int>().value();
    case system_error:
      throw std::system_error(std::make_error_code(std::errc::permission_denied), "open");
    case value_error: throw mproc::ValueError("bad value");
    case timeout_error: throw mproc::TimeoutError("too slow");
    case key_error: throw mproc::KeyError("'k'");
    case mproc_system_error:
      throw mproc::SystemError(std::make_error_code(std::errc::no_such_file_or_directory), "stat");
    case buffer_too_short: throw mproc::BufferTooShort("the whole message");
    case quota_exceeded: throw app::QuotaExceeded("ann", 12);
    case parse_error: throw app::ParseError("line 3: unexpected ','");
    case line_too_long: throw app::LineTooLong("line 4 is too long");
    case unlisted: throw app::Unlisted();
    case bad_config: throw app::BadConfig("no [server] section");
    case not_an_exception: throw 42;
  }
  return kind;
}

int identity(int x) { return x; }

int throw_kind_pair(int kind, int) { return throw_kind(kind); }

// Runs `call`, which must throw an E; `check` inspects it.
template <class E, class Call, class Check>
void fails_with(Call&& call, Check&& check) {
  try {
    call();
  } catch (const E& e) {
    check(e);
    return;
  } catch (const std::exception& e) {
    FAIL("expected a " << typeid(E).name() << ", caught " << typeid(e).name() << ": "
                       << e.what());
  } catch (...) {
    FAIL("expected a " << typeid(E).name() << ", caught something else");
  }
  FAIL("nothing was thrown");
}

// `pool.apply(throw_kind, kind)`, which must throw an E; `check` inspects it.
template <class E, class Check>
void apply_fails_with(mproc::Pool& pool, Kind kind, Check&& check) {
  fails_with<E>([&] { pool.apply(throw_kind, int(kind)); }, check);
}

// The origin of the E that `call` throws, whose what() must be `message`.
template <class E, class Call>
mproc::RemoteOrigin caught_as(Call&& call, const std::string& message) {
  std::optional<mproc::RemoteOrigin> origin;
  fails_with<E>(call, [&](const E& e) {
    CHECK(std::string(e.what()) == message);
    auto* o = dynamic_cast<const mproc::RemoteOrigin*>(&e);
    REQUIRE(o != nullptr);
    origin.emplace(*o);
  });
  REQUIRE(origin.has_value());
  return *origin;
}

template <class E>
void check_apply_async(mproc::Pool& pool, Kind kind, const std::string& remote_type,
                       const std::string& message) {
  INFO("kind " << kind << ", expected " << remote_type);
  auto origin = caught_as<E>(
      [&] { pool.apply_async(throw_kind, int(kind)).get(test::deadline_seconds); }, message);
  CHECK(origin.remote_type() == remote_type);
  CHECK(origin.remote_message() == message);
  CHECK(origin.pid() > 0);
  CHECK(origin.pid() != mproc::current_process().pid());
  CHECK_FALSE(origin.process_name().empty());
}

}  // namespace

TEST_CASE("exception_types_standard_and_mproc_types_are_rethrown_as_themselves",
          "[exception_types]") {
  mproc::Pool pool(2);
  check_apply_async<std::out_of_range>(pool, out_of_range, "std::out_of_range", "index 7 out of range");
  check_apply_async<std::invalid_argument>(pool, invalid_argument, "std::invalid_argument", "not a number");
  check_apply_async<std::domain_error>(pool, domain_error, "std::domain_error", "sqrt of -1");
  check_apply_async<std::length_error>(pool, length_error, "std::length_error", "too long");
  check_apply_async<std::range_error>(pool, range_error, "std::range_error", "out of range");
  check_apply_async<std::overflow_error>(pool, overflow_error, "std::overflow_error", "overflow");
  check_apply_async<std::underflow_error>(pool, underflow_error, "std::underflow_error", "underflow");
  check_apply_async<std::runtime_error>(pool, runtime_error, "std::runtime_error", "it broke");
  check_apply_async<std::logic_error>(pool, logic_error, "std::logic_error", "bad logic");
  check_apply_async<std::bad_alloc>(pool, bad_alloc, "std::bad_alloc", std::bad_alloc().what());
  check_apply_async<std::bad_optional_access>(pool, bad_optional_access, "std::bad_optional_access",
                                              std::bad_optional_access().what());
  check_apply_async<mproc::ValueError>(pool, value_error, "mproc::ValueError", "bad value");
  check_apply_async<mproc::TimeoutError>(pool, timeout_error, "mproc::TimeoutError", "too slow");
  check_apply_async<mproc::KeyError>(pool, key_error, "mproc::KeyError", "'k'");

  // Error codes and a BufferTooShort's message come back too.
  apply_fails_with<std::system_error>(pool, system_error, [](const std::system_error& e) {
    CHECK(e.code() == std::errc::permission_denied);
    CHECK(std::string(e.what()) ==
          std::system_error(std::make_error_code(std::errc::permission_denied), "open").what());
  });
  apply_fails_with<mproc::SystemError>(pool, mproc_system_error, [](const mproc::SystemError& e) {
    CHECK(e.code() == std::errc::no_such_file_or_directory);
    CHECK(std::string(e.what()).find("stat: ") == 0);
  });
  apply_fails_with<mproc::BufferTooShort>(pool, buffer_too_short, [](const mproc::BufferTooShort& e) {
    CHECK(e.message() == "the whole message");
  });
  pool.close();
  pool.join();
}

TEST_CASE("exception_types_map_imap_and_starmap_throw_by_type", "[exception_types]") {
  mproc::Pool pool(2);
  std::vector<int> kinds{out_of_range, domain_error, runtime_error};
  CHECK_THROWS_AS(pool.map(throw_kind, std::vector<int>{out_of_range}), std::out_of_range);
  // The first failing item's error, by type.
  CHECK_THROWS_AS(pool.map(throw_kind, std::vector<int>{domain_error, domain_error}, 1),
                  std::domain_error);
  CHECK_THROWS_AS(pool.starmap(throw_kind_pair, std::vector<std::tuple<int, int>>{{value_error, 0}}),
                  mproc::ValueError);
  auto it = pool.imap(throw_kind, kinds);
  CHECK_THROWS_AS(it.next(test::deadline_seconds), std::out_of_range);
  CHECK_THROWS_AS(it.next(test::deadline_seconds), std::domain_error);
  CHECK_THROWS_AS(it.next(test::deadline_seconds), std::runtime_error);
  CHECK_FALSE(it.next(test::deadline_seconds).has_value());
  auto unordered = pool.imap_unordered(throw_kind, std::vector<int>{length_error});
  CHECK_THROWS_AS(unordered.next(test::deadline_seconds), std::length_error);
  // Items that succeed still come between failing ones.
  auto mixed = pool.imap(identity, std::vector<int>{1, 2});
  CHECK(mixed.next(test::deadline_seconds) == 1);
  CHECK(mixed.next(test::deadline_seconds) == 2);
  pool.close();
  pool.join();
}

TEST_CASE("exception_types_error_callback_receives_the_type", "[exception_types]") {
  std::mutex mutex;
  bool typed = false;
  std::string message;
  mproc::Pool pool(1);
  auto r = pool.apply_async(mproc::error_callback([&](const std::exception& e) {
                              std::lock_guard lock(mutex);
                              typed = dynamic_cast<const std::overflow_error*>(&e) != nullptr;
                              message = e.what();
                            }),
                            throw_kind, int(overflow_error));
  CHECK_THROWS_AS(r.get(test::deadline_seconds), std::overflow_error);
  pool.close();
  pool.join();
  std::lock_guard lock(mutex);
  CHECK(typed);
  CHECK(message == "overflow");
}

TEST_CASE("exception_types_registered_user_types", "[exception_types]") {
  mproc::Pool pool(2);
  // Fields round-trip through `serialize`; what() is the original message.
  apply_fails_with<app::QuotaExceeded>(pool, quota_exceeded, [](const app::QuotaExceeded& e) {
    CHECK(e.user == "ann");
    CHECK(e.used == 12);
    CHECK(std::string(e.what()) == "ann used 12 GB");
    auto* origin = dynamic_cast<const mproc::RemoteOrigin*>(&e);
    REQUIRE(origin != nullptr);
    CHECK(origin->remote_type() == "app::QuotaExceeded");
  });
  // Caught as a base.
  CHECK_THROWS_AS(pool.apply(throw_kind, int(quota_exceeded)), std::runtime_error);
  CHECK_THROWS_AS(pool.apply(throw_kind, int(value_error)), mproc::Error);
  CHECK_THROWS_AS(pool.apply(throw_kind, int(out_of_range)), std::logic_error);
  // Rebuilt from its message.
  auto parse = caught_as<app::ParseError>([&] { pool.apply(throw_kind, int(parse_error)); },
                                          "line 3: unexpected ','");
  CHECK(parse.remote_type() == "app::ParseError");
  // An unregistered subclass: its nearest registered base, with its exact name.
  auto longer = caught_as<app::ParseError>([&] { pool.apply(throw_kind, int(line_too_long)); },
                                           "line 4 is too long");
  CHECK(longer.remote_type() == "app::LineTooLong");
  auto config = caught_as<std::logic_error>([&] { pool.apply(throw_kind, int(bad_config)); },
                                            "no [server] section");
  CHECK(config.remote_type() == "app::BadConfig");
  pool.close();
  pool.join();
}

TEST_CASE("exception_types_unknown_types_stay_remote_errors", "[exception_types]") {
  mproc::Pool pool(1);
  apply_fails_with<mproc::RemoteError>(pool, unlisted, [](const mproc::RemoteError& e) {
    CHECK(e.type() == "app::Unlisted");
    CHECK(e.message() == "nobody knows me");
    CHECK(e.remote_type() == "app::Unlisted");
    CHECK(e.pid() > 0);
    CHECK(e.pid() != mproc::current_process().pid());
  });
  apply_fails_with<mproc::RemoteError>(pool, not_an_exception, [](const mproc::RemoteError& e) {
    CHECK(e.type() == "unknown exception");
  });
  pool.close();
  pool.join();
}

TEST_CASE("exception_types_corrupt_reports_become_remote_errors", "[exception_types]") {
  auto rethrown_as_remote_error = [](std::string_view bytes) {
    try {
      std::rethrow_exception(mproc::detail::decode_exception(bytes));
    } catch (const mproc::RemoteError& e) {
      return std::string(e.what());
    } catch (...) {
    }
    return std::string("not a RemoteError");
  };
  CHECK(rethrown_as_remote_error("").find("could not be decoded") != std::string::npos);
  CHECK(rethrown_as_remote_error("garbage\xff\xff\xff\xff").find("could not be decoded") !=
        std::string::npos);
  std::string good = mproc::detail::encode_exception(app::QuotaExceeded("bob", 3));
  // Every truncation of a good report, and every byte flipped, still gives an exception.
  for (std::size_t n = 0; n < good.size(); ++n) {
    CHECK_NOTHROW(mproc::detail::decode_exception(std::string_view(good).substr(0, n)));
    std::string flipped = good;
    flipped[n] = static_cast<char>(~flipped[n]);
    CHECK(mproc::detail::decode_exception(flipped) != nullptr);
  }
  // A payload that does not decode as the named type.
  std::string bad_fields = mproc::detail::encode_exception(app::QuotaExceeded("bob", 3));
  auto at = bad_fields.find("bob");
  REQUIRE(at != std::string::npos);
  bad_fields.resize(at);  // cut inside the payload's fields
  CHECK(mproc::detail::decode_exception(bad_fields) != nullptr);
  // A good report decodes locally as its type.
  CHECK_THROWS_AS(std::rethrow_exception(mproc::detail::decode_exception(good)), app::QuotaExceeded);
}

namespace {

struct Thrower {
  int fail(int kind) { return throw_kind(kind); }
};
Thrower make_thrower() { return {}; }

}  // namespace

TEST_CASE("exception_types_manager_methods_throw_by_type", "[exception_types]") {
  mproc::SyncManager m;
  m.register_type("Thrower", &make_thrower, mproc::exposed<&Thrower::fail>("fail"));
  m.start();
  auto thrower = m.create("Thrower");
  CHECK_THROWS_AS(thrower.callmethod<int>("fail", int(out_of_range)), std::out_of_range);
  fails_with<app::QuotaExceeded>([&] { thrower.callmethod<int>("fail", int(quota_exceeded)); },
                                 [](const app::QuotaExceeded& e) { CHECK(e.user == "ann"); });
  CHECK_THROWS_AS(thrower.callmethod<int>("fail", int(unlisted)), mproc::RemoteError);
  m.shutdown();
}
