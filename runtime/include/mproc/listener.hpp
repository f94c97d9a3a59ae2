#pragma once
// `Listener` and `Client` (Python's `multiprocessing.connection`): connections between
// processes that did not start each other, over AF_UNIX sockets (POSIX), named pipes (Windows)
// or TCP (both). With an authkey, both sides prove they know it (HMAC-SHA256 challenge and
// response, each way) before anything else crosses; only short raw-byte messages are read
// from a peer that has not authenticated yet.
#include <optional>
#include <string>

#include "mproc/connection.hpp"
#include "mproc/detail/printable.hpp"

namespace mproc {

enum class AddressFamily {
  unix_socket,  ///< Python's 'AF_UNIX': a socket file (POSIX)
  named_pipe,   ///< Python's 'AF_PIPE': \\.\pipe\name (Windows)
  tcp,          ///< Python's 'AF_INET': (host, port)
};

/// Where a Listener listens. Strings are read the way Python reads addresses: "host:port" is
/// TCP, "\\.\pipe\name" a named pipe, anything else a socket file path.
class Address {
 public:
  Address(const std::string& text);  // NOLINT: implicit, as Python takes plain strings
  Address(const char* text) : Address(std::string(text)) {}  // NOLINT
  /// TCP, as Python's (host, port) tuple; port 0 lets the listener pick one.
  Address(std::string host, int port);
  /// An empty TCP address ('', 0): what a received Address is read into.
  Address() = default;

  AddressFamily family() const noexcept { return family_; }
  const std::string& host() const noexcept { return host_; }
  int port() const noexcept { return port_; }
  const std::string& path() const noexcept { return path_; }
  std::string to_string() const;
  /// As Python prints addresses: `('127.0.0.1', 6000)` for TCP, `'/tmp/listener-x'` otherwise.
  std::string repr() const;

  /// A fresh, unused address of `family` (Python's `arbitrary_address`).
  static Address arbitrary(AddressFamily family);
  /// The family Python picks when none is given: AF_UNIX on POSIX, AF_PIPE on Windows.
  static AddressFamily default_family();

  /// An address passes to a child and through queues and pipes, as Python's tuples and
  /// strings do.
  template <class Archive>
  void save(Archive& archive) const {
    archive(static_cast<int>(family_), host_, port_, path_);
  }
  template <class Archive>
  void load(Archive& archive) {
    int family = 0;
    archive(family, host_, port_, path_);
    if (family < 0 || family > static_cast<int>(AddressFamily::tcp))
      throw SerializationError("an Address of an unknown family was received (corrupted data)");
    family_ = static_cast<AddressFamily>(family);
  }

 private:
  AddressFamily family_ = AddressFamily::tcp;
  std::string host_;
  int port_ = 0;
  std::string path_;
};

/// Accepts connections at an address (Python's `Listener`).
class Listener {
 public:
  /// Listens at `address`, or at a fresh address of the default family. With an `authkey`,
  /// `accept` authenticates every client and refuses those without the key.
  explicit Listener(std::optional<Address> address = std::nullopt, int backlog = 16,
                    std::optional<std::string> authkey = std::nullopt);
  ~Listener();
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  /// Waits for a client. Throws AuthenticationError if it failed to prove the key.
  Connection accept();
  /// Stops listening (the socket file of an AF_UNIX listener is removed). Idempotent.
  void close() noexcept;
  /// The address clients connect to (with the real port when 0 was asked for).
  const Address& address() const noexcept { return address_; }
  /// The address of the client last accepted (Python's `last_accepted`): (host, port) for
  /// TCP; empty before the first accept and for AF_UNIX and named-pipe clients, which have no
  /// address of their own (Python gives '' and None there).
  std::optional<Address> last_accepted() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
  Address address_;
};

/// Connects to a Listener (Python's `Client`). With an `authkey`, both sides authenticate;
/// a wrong key is an AuthenticationError.
Connection Client(const Address& address, std::optional<std::string> authkey = std::nullopt);

}  // namespace mproc
