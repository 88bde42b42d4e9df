import Foundation
import XCTest

@testable import Streaming

#if canImport(Glibc)
import Glibc
#endif

/// The mock cluster's sockets: Nagle's algorithm off for the connections its brokers accept.
final class MockClusterTests: XCTestCase {
  /// `TCP_NODELAY` of a socket (nil when it cannot be read).
  func noDelay(_ fd: Int32) -> Int32? {
    var value: Int32 = -1
    var size = socklen_t(MemoryLayout<Int32>.size)
    return getsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &size) == 0 ? value : nil
  }

  /// Every broker's listening socket is found by its port and has `TCP_NODELAY` set.
  func testMockBrokers_listenWithNoDelay() throws {
    let cluster = try MockCluster(brokers: 3, topic: nil)
    let ports = Set(
      cluster.bootstrap.split(separator: ",").compactMap { UInt16($0.split(separator: ":")[1]) })
    XCTAssertEqual(ports.count, 3, cluster.bootstrap)
    let listeners = MockCluster.listeningSockets(ports: ports)
    XCTAssertEqual(listeners.count, 3)
    for fd in listeners { XCTAssertEqual(noDelay(fd), 1, "listening socket \(fd)") }
  }

  /// What the mock relies on: on this kernel a connection accepted from a listening socket
  /// with `TCP_NODELAY` has it too (the mock's own code never sets it), and a socket that is
  /// not listening on one of the ports is left alone.
  func testAcceptedConnection_inheritsNoDelayFromItsListener() throws {
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    XCTAssertGreaterThanOrEqual(listener, 0)
    defer { close(listener) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
        bind(listener, p, length) == 0 && listen(listener, 4) == 0
          && getsockname(listener, p, &length) == 0
      }
    }
    XCTAssertTrue(bound)
    let port = UInt16(bigEndian: address.sin_port)
    XCTAssertEqual(MockCluster.listeningSockets(ports: [port]), [listener])
    XCTAssertEqual(noDelay(listener), 0)
    MockCluster.disableNagle(listeningOn: "127.0.0.1:\(port)")
    XCTAssertEqual(noDelay(listener), 1)

    let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(client) }
    let connected = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
    XCTAssertTrue(connected)
    let accepted = accept(listener, nil, nil)
    XCTAssertGreaterThanOrEqual(accepted, 0)
    defer { close(accepted) }
    XCTAssertEqual(noDelay(accepted), 1, "the accepted connection")
    XCTAssertEqual(noDelay(client), 0, "the client's own socket is not touched")
    // The accepted connection shares the port but does not listen: not a listener.
    XCTAssertEqual(MockCluster.listeningSockets(ports: [port]), [listener])
  }
}
