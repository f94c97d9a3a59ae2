#include "mproc/listener.hpp"
#include "mproc/repr.hpp"

#include <cctype>

#include "mproc/platform/crypto.hpp"
#include "mproc/platform/listener.hpp"
#include "mproc/platform/pipe.hpp"
#include "core/throw_error.hpp"

namespace mproc {
namespace {

constexpr std::string_view challenge_tag = "#CHALLENGE#";
constexpr std::string_view welcome = "#WELCOME#";
constexpr std::string_view failure = "#FAILURE#";
constexpr std::size_t challenge_size = 32;
constexpr std::size_t handshake_limit = 256;  // No longer message is read before authentication.

platform::address_family to_platform(AddressFamily f) {
  switch (f) {
    case AddressFamily::unix_socket: return platform::address_family::unix_socket;
    case AddressFamily::named_pipe: return platform::address_family::named_pipe;
    default: return platform::address_family::tcp;
  }
}

platform::endpoint to_endpoint(const Address& a) {
  platform::endpoint e;
  e.family = to_platform(a.family());
  e.host = a.host();
  e.port = a.port();
  e.path = a.path();
  if (!platform::family_supported(e.family))
    throw ValueError("address " + a.to_string() + " is of a family this platform does not have (" +
                     std::string(a.family() == AddressFamily::unix_socket ? "AF_UNIX sockets are POSIX only"
                                                                          : "named pipes are Windows only") +
                     "); use a TCP address \"host:port\" to work on both");
  return e;
}

std::string hmac(const std::string& key, std::string_view message) {
  std::string digest;
  detail::throw_error(platform::hmac_sha256(key, message, digest), "cannot compute an HMAC");
  return digest;
}

std::string read_handshake(Connection& c) {
  try {
    return c.recv_bytes(handshake_limit);
  } catch (const EOFError&) {
    throw AuthenticationError("the peer closed the connection during authentication");
  } catch (const SerializationError& e) {
    throw AuthenticationError(std::string("the peer does not follow the authentication protocol: ") + e.what());
  }
}

// CPython's deliver_challenge: we ask, the peer must answer with HMAC(key, challenge).
void deliver_challenge(Connection& c, const std::string& key) {
  std::string random;
  detail::throw_error(platform::random_bytes(challenge_size, random), "cannot make a challenge");
  std::string challenge = std::string(challenge_tag) + random;
  c.send_bytes(challenge);
  std::string answer = read_handshake(c);
  if (!platform::digests_equal(answer, hmac(key, challenge))) {
    c.send_bytes(failure);
    throw AuthenticationError("digest received was wrong: the peer does not know the authkey");
  }
  c.send_bytes(welcome);
}

// CPython's answer_challenge: the peer asks, we answer and learn whether it accepted.
void answer_challenge(Connection& c, const std::string& key) {
  std::string challenge = read_handshake(c);
  if (challenge.compare(0, challenge_tag.size(), challenge_tag) != 0 || challenge.size() < challenge_tag.size() + 16)
    throw AuthenticationError("the peer did not send an authentication challenge (does it use an authkey?)");
  c.send_bytes(hmac(key, challenge));
  if (read_handshake(c) != welcome)
    throw AuthenticationError("digest sent was rejected: the authkeys differ");
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char ch : s)
    if (!std::isdigit(static_cast<unsigned char>(ch))) return false;
  return true;
}

}  // namespace

Address::Address(const std::string& text) {
  auto colon = text.rfind(':');
  if (text.rfind("\\\\.\\pipe\\", 0) == 0) {
    family_ = AddressFamily::named_pipe;
    path_ = text;
  } else if (colon != std::string::npos && text.find('/') == std::string::npos &&
             all_digits(std::string_view(text).substr(colon + 1))) {
    family_ = AddressFamily::tcp;
    host_ = text.substr(0, colon);
    if (host_.size() >= 2 && host_.front() == '[' && host_.back() == ']') host_ = host_.substr(1, host_.size() - 2);
    port_ = std::stoi(text.substr(colon + 1));
  } else {
    family_ = AddressFamily::unix_socket;
    path_ = text;
  }
  if (family_ != AddressFamily::tcp && path_.empty()) throw ValueError("empty address");
}

Address::Address(std::string host, int port) : family_(AddressFamily::tcp), host_(std::move(host)), port_(port) {
  if (port < 0 || port > 65535) throw ValueError("port " + std::to_string(port) + " is not in 0..65535");
}

std::string Address::repr() const {
  if (family_ == AddressFamily::tcp) return "(" + mproc::repr(host_) + ", " + std::to_string(port_) + ")";
  return mproc::repr(path_);
}

std::string Address::to_string() const {
  if (family_ == AddressFamily::tcp) return host_ + ":" + std::to_string(port_);
  return path_;
}

AddressFamily Address::default_family() {
  return platform::family_supported(platform::address_family::unix_socket) ? AddressFamily::unix_socket
                                                                          : AddressFamily::named_pipe;
}

Address Address::arbitrary(AddressFamily family) {
  platform::endpoint e = platform::arbitrary_endpoint(to_platform(family));
  Address a;
  a.family_ = family;
  a.host_ = e.host;
  a.port_ = e.port;
  a.path_ = e.path;
  return a;
}

struct Listener::State {
  platform::listener listener;
  std::optional<std::string> authkey;
  std::optional<Address> last_accepted;
};

Listener::Listener(std::optional<Address> address, int backlog, std::optional<std::string> authkey)
    : state_(std::make_unique<State>()), address_(address ? *address : Address::arbitrary(Address::default_family())) {
  state_->authkey = std::move(authkey);
  detail::throw_error(platform::listen_on(to_endpoint(address_), backlog, state_->listener),
                      ("cannot listen at " + address_.to_string()).c_str());
  if (address_.family() == AddressFamily::tcp) address_ = Address(address_.host(), state_->listener.bound.port);
  platform::ignore_broken_pipe_signal();
}

Listener::~Listener() { close(); }

void Listener::close() noexcept {
  if (state_) platform::close_listener(state_->listener);
}

std::optional<Address> Listener::last_accepted() const { return state_->last_accepted; }

Connection Listener::accept() {
  if (state_->listener.handle == invalid_handle) throw ValueError("the listener is closed");
  native_handle h = invalid_handle;
  platform::endpoint peer;
  detail::throw_error(platform::accept_connection(state_->listener, h, &peer), "cannot accept a connection");
  Connection c = Connection::from_handle(h);
  // Set before authentication, as Python does: a refused client's address is worth logging.
  state_->last_accepted.reset();
  if (peer.family == platform::address_family::tcp && !peer.host.empty())
    state_->last_accepted = Address(peer.host, peer.port);
  if (state_->authkey) {
    deliver_challenge(c, *state_->authkey);
    answer_challenge(c, *state_->authkey);
  }
  return c;
}

Connection Client(const Address& address, std::optional<std::string> authkey) {
  platform::ignore_broken_pipe_signal();
  native_handle h = invalid_handle;
  detail::throw_error(platform::connect_to(to_endpoint(address), h),
                      ("cannot connect to " + address.to_string()).c_str());
  Connection c = Connection::from_handle(h);
  if (authkey) {
    answer_challenge(c, *authkey);
    deliver_challenge(c, *authkey);
  }
  return c;
}

}  // namespace mproc
