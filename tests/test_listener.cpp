// Listener and Client between processes that did not start each other's connections: every
// address family this platform has, with and without an authkey.
#include <optional>
#include <string>
#include <vector>

#include "support.hpp"

namespace {

std::vector<std::string> addresses_to_try() {
  std::vector<std::string> out{"127.0.0.1:0"};
  out.push_back(mproc::Address::arbitrary(mproc::Address::default_family()).to_string());
  return out;
}

// Connects, says hello with its pid, and checks the reply.
void client_hello(std::string address, std::optional<std::string> authkey) {
  try {
    auto c = mproc::Client(address, authkey);
    c.send(std::string("hello"));
    if (c.recv<int>() != 42) mproc::exit(4);
  } catch (const mproc::AuthenticationError&) {
    mproc::exit(3);
  }
}

// A client that skips authentication and sends a message far over the handshake's size limit
// instead (small enough to fit in the socket's buffers, so sending never waits for the server).
void client_flood(std::string address) {
  try {
    auto c = mproc::Client(address);
    c.send_bytes(std::string(16 << 10, 'x'));
    if (c.poll(test::deadline_seconds)) (void)c.recv_bytes();
  } catch (const mproc::Error&) {
  }
}

}  // namespace

TEST_CASE("listener_client_round_trip_every_family", "[listener]") {
  for (const auto& where : addresses_to_try()) {
    INFO("address " << where);
    mproc::Listener listener{mproc::Address(where)};
    mproc::Process p(client_hello, listener.address().to_string(), std::optional<std::string>());
    p.start();
    auto conn = listener.accept();
    CHECK(conn.recv<std::string>() == "hello");
    conn.send(42);
    test::join_or_fail(p);
    CHECK(p.exitcode() == 0);
  }
}

TEST_CASE("listener_tcp_port_zero_gets_a_real_port", "[listener]") {
  mproc::Listener listener(mproc::Address("127.0.0.1", 0));
  CHECK(listener.address().family() == mproc::AddressFamily::tcp);
  CHECK(listener.address().port() > 0);
}

TEST_CASE("listener_authkey_right_and_wrong", "[listener]") {
  for (const auto& where : addresses_to_try()) {
    INFO("address " << where);
    mproc::Listener listener{mproc::Address(where), 16, std::string("secret")};
    {
      mproc::Process good(client_hello, listener.address().to_string(), std::optional<std::string>("secret"));
      good.start();
      auto conn = listener.accept();
      CHECK(conn.recv<std::string>() == "hello");
      conn.send(42);
      test::join_or_fail(good);
      CHECK(good.exitcode() == 0);
    }
    {
      mproc::Process bad(client_hello, listener.address().to_string(), std::optional<std::string>("wrong"));
      bad.start();
      CHECK_THROWS_AS(listener.accept(), mproc::AuthenticationError);
      test::join_or_fail(bad);
      CHECK(bad.exitcode() == 3);
    }
    {
      // No key at all: the server reads no more than a short handshake message from it.
      mproc::Process flood(client_flood, listener.address().to_string());
      flood.start();
      CHECK_THROWS_AS(listener.accept(), mproc::AuthenticationError);
      test::join_or_fail(flood);
    }
  }
}

TEST_CASE("client_with_key_against_listener_without", "[listener]") {
  mproc::Listener listener(mproc::Address("127.0.0.1", 0));
  mproc::Process p(client_hello, listener.address().to_string(), std::optional<std::string>("secret"));
  p.start();
  auto conn = listener.accept();
  conn.close();  // Sends no challenge: the client must fail cleanly, not hang.
  test::join_or_fail(p);
  CHECK(p.exitcode() == 3);
}

TEST_CASE("listener_bad_addresses_are_clear_errors", "[listener]") {
  CHECK_THROWS_AS(mproc::Address("host", 70000), mproc::ValueError);
  CHECK_THROWS_AS(mproc::Client(mproc::Address("127.0.0.1", 1)), mproc::SystemError);
  auto other = mproc::Address::default_family() == mproc::AddressFamily::unix_socket
                   ? mproc::Address("\\\\.\\pipe\\nope")
                   : mproc::Address("/tmp/nope.sock");
  CHECK_THROWS_AS(mproc::Listener(other), mproc::ValueError);
  mproc::Listener l;
  l.close();
  CHECK_THROWS_AS(l.accept(), mproc::ValueError);
}
