#pragma once
// What every Manager proxy is made of: a token naming one object in one manager's server (its
// address, authkey, kind and id) and a way to call the object's methods there.
//
// A proxy holds one reference to its object on the server. Copies of a proxy share it; the last
// copy in a process gives it back. A proxy that reaches another process (as a Process or Pool
// argument, or a forked copy) takes a reference of its own there, so the object lives as long
// as any process still uses it.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "mproc/detail/type_name.hpp"
#include "mproc/serialization.hpp"

namespace mproc::detail {

/// Names one object held by a manager's server.
struct ManagerToken {
  std::string address;  ///< the server's address (Address::to_string)
  std::string authkey;  ///< empty: the server asks for none
  std::string kind;     ///< "dict", "Queue", a registered typeid, ...
  std::uint64_t id = 0;

  template <class A>
  void serialize(A& a) {
    a(address, authkey, kind, id);
  }
};

/// One proxy's link to its object; shared by the copies of a proxy within a process.
class ProxyState {
 public:
  /// Adopts a reference the server already counted for this process (a new object). `owner`
  /// (the manager that made it) is kept alive as long as the proxy, as in Python, so that
  /// `Manager().dict()` works.
  static std::shared_ptr<ProxyState> adopt(ManagerToken token, std::shared_ptr<void> owner = {});
  /// Takes a reference of its own (a proxy that arrived from another process).
  static std::shared_ptr<ProxyState> acquire(ManagerToken token);
  ~ProxyState();
  ProxyState(const ProxyState&) = delete;
  ProxyState& operator=(const ProxyState&) = delete;

  const ManagerToken& token() const noexcept { return token_; }
  /// A proxy state for an object the same server made for this process in reply to a call of
  /// this proxy (method_to_typeid, a Pool's apply_async): `reply` carries its (id, kind).
  std::shared_ptr<ProxyState> adopt_returned(std::string_view reply) const;

  /// Calls `method` on the object with pre-encoded arguments; returns the encoded result.
  /// Errors raised by the method come back as the same exception type (KeyError, Empty,
  /// std::out_of_range, registered types; see remote_exceptions.hpp) or as RemoteError; a lost
  /// manager is an EOFError.
  std::string call(std::string_view method, std::vector<std::string> args);
  /// Gives this process's reference back to the server (once).
  void give_back() noexcept;

 private:
  explicit ProxyState(ManagerToken token) : token_(std::move(token)) {}
  void take_reference_here();

  ManagerToken token_;
  std::shared_ptr<void> owner_;
  int referenced_in_ = 0;  ///< the process that holds this proxy's reference (0: none)
};

/// Encodes one argument for a call (builtin objects on the server keep values as these bytes).
template <class T>
std::string encode(const T& value) {
  static_assert(is_transferable_v<T>,
                "mproc: a Manager proxy needs values cereal can serialize (add a `serialize` "
                "member to your type)");
  return wire::save(value);
}

template <class T>
T decode(std::string_view bytes) {
  T value{};
  wire::load(bytes, value);
  return value;
}

template <class T>
std::vector<T> decode_all(std::string_view bytes) {
  auto blobs = decode<std::vector<std::string>>(bytes);
  std::vector<T> out;
  out.reserve(blobs.size());
  for (const auto& blob : blobs) out.push_back(decode<T>(blob));
  return out;
}

/// The base of every proxy: a shared ProxyState, serializable into any process.
class ProxyBase {
 public:
  /// The kind of object on the server ("dict", "Lock", or a registered typeid).
  const std::string& kind() const;
  /// The token (server address, kind, id); Python's `_token`.
  const ManagerToken& token() const;

  friend bool operator==(const ProxyBase& a, const ProxyBase& b) noexcept {
    return a.state_ && b.state_ && a.state_->token().address == b.state_->token().address &&
           a.state_->token().id == b.state_->token().id;
  }

  template <class A>
  void save(A& archive) const {
    archive(token());
  }
  template <class A>
  void load(A& archive) {
    ManagerToken token;
    archive(token);
    state_ = ProxyState::acquire(std::move(token));
  }

 ProxyBase() = default;
  explicit ProxyBase(std::shared_ptr<ProxyState> state) : state_(std::move(state)) {}

  /// Whether it refers to an object on a server (a default-constructed proxy does not).
  bool bound() const noexcept { return state_ != nullptr; }

 protected:

  std::string call(std::string_view method, std::vector<std::string> args = {}) const;

  /// A proxy of type `P` to the object a call of this proxy made on the server.
  template <class P>
  P proxy_from_reply(std::string_view reply) const {
    return P(state_->adopt_returned(reply));
  }

  template <class R>
  R call_as(std::string_view method, std::vector<std::string> args = {}) const {
    std::string reply = call(method, std::move(args));
    if constexpr (!std::is_void_v<R>) return decode<R>(reply);
  }

  std::shared_ptr<ProxyState> state_;
};

}  // namespace mproc::detail
